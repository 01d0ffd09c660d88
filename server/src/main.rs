//! `server`: serves Promocodes (default), or runs one of its maintenance commands.

use std::net::SocketAddr;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use leptos::prelude::get_configuration;

use server::db::Database;
use server::local_pg::{LocalPgOptions, LocalPostgres};
use server::router::{router, AppState};

#[derive(Parser)]
#[command(version, about = "Promocodes: promo codes, easter eggs and rewards")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the app (the default). Without DATABASE_URL it runs a private
    /// PostgreSQL in PROMOCODES_DATA_DIR and seeds the demo.
    Serve,
    /// Apply the migrations to the database and exit.
    Migrate,
    /// Run COMMAND with DATABASE_URL set: the given one, or a throw-away
    /// private cluster that is removed afterwards (used by the test suite).
    WithDb {
        #[arg(trailing_var_arg = true, required = true, value_name = "COMMAND")]
        command: Vec<String>,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into()),
        )
        .init();
    let cli = Cli::parse();
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::WithDb { command } => with_db(&command),
        command => tokio::runtime::Runtime::new()
            .context("starting the async runtime")
            .and_then(|rt| rt.block_on(run(command))),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> Result<ExitCode> {
    let mut database = Database::from_env_or_local(None).await?;
    let outcome = match command {
        Command::Serve => serve(&database).await,
        Command::Migrate => database.connect(2).await.map(|_| ()),
        Command::WithDb { .. } => unreachable!("handled before the runtime starts"),
    };
    database.shutdown()?;
    outcome.map(|()| ExitCode::SUCCESS)
}

async fn serve(database: &Database) -> Result<()> {
    let pool = database.connect(32).await?;
    let seed_demo = std::env::var("PROMOCODES_SEED_DEMO")
        .map(|v| v == "1" || v.eq_ignore_ascii_case("true"))
        .unwrap_or(database.is_private());
    if seed_demo {
        server::demo::seed(&pool).await?;
        tracing::info!("demo data seeded (see the README for the accounts and codes)");
    }
    let conf = get_configuration(None).context("reading the Leptos configuration")?;
    let addr = conf.leptos_options.site_addr;
    let app = router(AppState { leptos_options: conf.leptos_options, pool: pool.clone() });
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("binding {addr}"))?;
    tracing::info!("listening on http://{addr}");
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    pool.close().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

/// Runs `command` with a database: `DATABASE_URL` if set, else a fresh
/// private cluster in a temporary directory, deleted afterwards.
fn with_db(command: &[String]) -> Result<ExitCode> {
    let (program, args) = command.split_first().context("no command given")?;
    let mut child = std::process::Command::new(program);
    child.args(args);
    let mut cluster = None;
    let scratch = std::env::temp_dir().join(format!("promocodes-test-{}", std::process::id()));
    if std::env::var("DATABASE_URL").map_or(true, |u| u.is_empty()) {
        let local = LocalPostgres::start(&LocalPgOptions::new(scratch.clone()))?;
        let url = local.url(server::db::LOCAL_DB_NAME);
        tokio::runtime::Runtime::new()?.block_on(server::db::create_database_if_missing(&url))?;
        tracing::info!(%url, "throw-away PostgreSQL ready");
        child.env("DATABASE_URL", url);
        cluster = Some(local);
    }
    let status = child.status().with_context(|| format!("running {program}"));
    if let Some(mut local) = cluster {
        local.stop()?;
        drop(local);
        let _ = std::fs::remove_dir_all(&scratch);
    }
    let status = status?;
    Ok(ExitCode::from(status.code().unwrap_or(1).clamp(0, 255) as u8))
}
