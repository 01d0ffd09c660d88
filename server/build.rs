// `sqlx::migrate!` embeds the migrations at compile time; without this a new
// migration file would not rebuild the server (sqlx's documented remedy).
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
