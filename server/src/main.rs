//! `server`: serves Promocodes (default), or runs one of its maintenance commands.

use std::net::SocketAddr;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use leptos::prelude::get_configuration;

use server::db::Database;
use server::router::{router, AppState};

#[derive(Parser)]
#[command(version, about = "Promocodes: promo codes, easter eggs and rewards")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    config: server::config::Config,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the app (the default). Without DATABASE_URL it runs a private
    /// PostgreSQL in PROMOCODES_DATA_DIR and seeds the demo.
    Serve,
    /// Apply the migrations to the database and exit.
    Migrate,
    /// Create a dashboard account (or, with --replace, reset its password and role).
    /// The password is asked for on the terminal, or read from standard input
    /// with --password-stdin.
    CreateAdmin {
        /// The admin's username.
        username: String,
        /// `admin` (everything) or `viewer` (reads only).
        #[arg(long, default_value = "admin", value_parser = ["admin", "viewer"])]
        role: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
        /// Reset the password and role of an existing account.
        #[arg(long)]
        replace: bool,
    },
    /// Create a platform API key and print it (it is shown this once).
    CreateApiKey {
        /// What the key is for (shown in the dashboard).
        name: String,
        /// Scopes, comma-separated: redeem, players, codes:read, codes:write, stats.
        #[arg(long, value_delimiter = ',', default_value = "redeem,players")]
        scopes: Vec<String>,
    },
    /// Print a sign-in link for a player (what the host platform sends).
    SignLink {
        /// The player's id.
        #[arg(long)]
        player: i64,
        /// Seconds the link stays valid.
        #[arg(long, default_value_t = 900)]
        ttl: i64,
        /// Where the player lands.
        #[arg(long, default_value = "/redeem")]
        next: String,
    },
}

// A request allocates and frees many small buffers on whichever worker
// thread it lands; under the HTTP benchmark glibc's allocator took 12 % of
// the machine's CPU, a quarter of what the process (server and clients)
// used (`perf`). mimalloc keeps per-thread heaps.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into());
    match cli.config.log_format {
        server::config::LogFormat::Text => tracing_subscriber::fmt().with_env_filter(filter).init(),
        server::config::LogFormat::Json => tracing_subscriber::fmt()
            .json()
            .with_current_span(false)
            .with_env_filter(filter)
            .init(),
    }
    let result = tokio::runtime::Runtime::new()
        .context("starting the async runtime")
        .and_then(|rt| rt.block_on(run(cli.command.unwrap_or(Command::Serve), cli.config)));
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, config: server::config::Config) -> Result<ExitCode> {
    let mut database = Database::open(&config).await?;
    let outcome = match command {
        Command::Serve => serve(&database, &config).await,
        Command::Migrate => database.connect(2).await.map(|_| ()),
        Command::CreateAdmin {
            username,
            role,
            password_stdin,
            replace,
        } => create_admin(&mut database, &username, &role, password_stdin, replace).await,
        Command::CreateApiKey { name, scopes } => {
            create_api_key(&mut database, &name, &scopes).await
        }
        Command::SignLink { player, ttl, next } => {
            async {
                let pool = database.connect(2).await?;
                let secret = link_secret(&config, &pool).await?;
                let expires = chrono::Utc::now().timestamp() + ttl;
                let query = app::core::auth::sign_link(&secret, player, expires);
                let next = serde_urlencoded::to_string([("next", next)])?;
                println!(
                    "{}/auth/link?{query}&{next}",
                    config.public_url.trim_end_matches('/')
                );
                Ok(())
            }
            .await
        }
    };
    database.shutdown()?;
    outcome.map(|()| ExitCode::SUCCESS)
}

async fn create_admin(
    database: &mut Database,
    username: &str,
    role: &str,
    password_stdin: bool,
    replace: bool,
) -> Result<()> {
    let password = if password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .context("reading the password from standard input")?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    } else {
        let first = rpassword::prompt_password(format!("Password for {username}: "))
            .context("reading the password (use --password-stdin without a terminal)")?;
        let again = rpassword::prompt_password("Again: ")?;
        anyhow::ensure!(first == again, "the passwords differ");
        first
    };
    let pool = database.connect(2).await?;
    let role = app::admin::models::Role::parse(role);
    let id = app::core::admins::create(&pool, username, &password, role, replace)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "admin {username} (id {id}, role {}) is ready",
        role.as_str()
    );
    Ok(())
}

async fn create_api_key(database: &mut Database, name: &str, scopes: &[String]) -> Result<()> {
    use app::core::api_keys::{self, Scope};
    let scopes = scopes
        .iter()
        .map(|s| {
            Scope::parse(s.trim()).with_context(|| {
                format!("unknown scope {s:?} (redeem, players, codes:read, codes:write, stats)")
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let pool = database.connect(2).await?;
    let (id, key) = api_keys::create(&pool, None, name, &scopes)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    eprintln!("API key {name:?} (id {id}) created; it is shown only now:");
    println!("{key}");
    Ok(())
}

/// The configured link secret, else the one kept in the database.
async fn link_secret(config: &server::config::Config, pool: &sqlx::PgPool) -> Result<Vec<u8>> {
    match config.link_secret() {
        Some(secret) => Ok(secret),
        None => Ok(app::core::auth::link_secret(pool).await?),
    }
}

async fn serve(database: &Database, config: &server::config::Config) -> Result<()> {
    let pool = database.connect(32).await?;
    let seed_demo = config.seed_demo.unwrap_or(database.is_private());
    let conf = get_configuration(None).context("reading the Leptos configuration")?;
    let addr = conf.leptos_options.site_addr;
    if seed_demo {
        let exposure = if addr.ip().is_loopback() {
            app::core::demo::Exposure::Loopback
        } else {
            app::core::demo::Exposure::Network
        };
        for (admin, password) in app::core::demo::seed(&pool, exposure).await? {
            tracing::warn!(
                "this server listens beyond loopback, so the demo admin {admin:?} \
                 got a random password instead of the published one: {password}"
            );
        }
        tracing::info!("demo data seeded (see the README for the accounts and codes)");
    }
    let interrupted = app::core::series::recover_interrupted(&pool).await?;
    if interrupted > 0 {
        tracing::warn!(
            interrupted,
            "series jobs interrupted by a restart were marked failed"
        );
    }
    let cleanup = tokio::spawn(server::router::delete_expired_sessions(pool.clone()));
    let guard = app::core::abuse::Guard::with_pipeline(config.policy(), config.pipeline());
    let throttle = server::throttle::Throttle::new(config.throttle());
    let settings = app::settings::Settings::new(
        config.public_url.clone(),
        config.admin_idle(),
        link_secret(config, &pool).await?,
    );
    let mut workers = server::router::spawn_abuse_workers(&pool, &guard, &throttle);
    workers.push(server::api::spawn_pruning(&pool));
    if let Some(jobs) = config.jobs() {
        workers.extend(server::jobs::spawn(&pool, jobs));
    }
    if let Some(stats) = config.stats() {
        workers.extend(server::stats::spawn(&pool, stats));
    }
    if let Some(delivery) = config.delivery() {
        workers.extend(server::delivery::spawn(&pool, delivery)?);
    }
    let metrics = server::metrics::handle()?;
    workers.push(tokio::spawn(server::metrics::watch_pool(
        pool.clone(),
        metrics.clone(),
    )));
    if let Some(addr) = config.metrics_addr {
        let handle = metrics.clone();
        let listener = tokio::spawn(async move {
            if let Err(e) = server::metrics::serve_own_address(addr, handle).await {
                tracing::error!("metrics: {e:#}");
            }
        });
        workers.push(listener);
    }
    let app = router(AppState {
        leptos_options: conf.leptos_options,
        pool: pool.clone(),
        guard,
        throttle,
        settings,
        metrics: server::metrics::MetricsAccess::new(metrics, config.metrics_token.as_deref()),
    });
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding {addr}"))?;
    tracing::info!("listening on http://{addr}");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    cleanup.abort();
    for worker in workers {
        worker.abort();
    }
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
