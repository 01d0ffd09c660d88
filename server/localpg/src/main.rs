//! `localpg with-db -- COMMAND`: runs COMMAND with DATABASE_URL set to the
//! given database or to a throw-away private cluster (the test suite uses it).

use std::process::ExitCode;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = match args.split_first() {
        Some((verb, rest)) if verb == "with-db" => {
            rest.strip_prefix(&["--".to_string()]).unwrap_or(rest)
        }
        _ => {
            eprintln!("usage: localpg with-db -- COMMAND [ARGS...]");
            return ExitCode::from(2);
        }
    };
    match localpg::with_db(command) {
        Ok(code) => ExitCode::from(code.clamp(0, 255) as u8),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
