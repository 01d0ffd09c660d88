//! Opening the database: the given `DATABASE_URL`, or a private cluster
//! (see the `localpg` crate) with its own `promocodes` database; migrations run at start.

use std::str::FromStr;
use std::time::Duration;

use anyhow::{Context, Result};
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;

pub use localpg::{create_database_if_missing, LOCAL_DB_NAME};
use localpg::{LocalPgOptions, LocalPostgres};

pub static MIGRATOR: Migrator = sqlx::migrate!("../migrations");

/// Where the data lives, and the private cluster when we run one.
pub struct Database {
    pub url: String,
    pub local: Option<LocalPostgres>,
}

impl Database {
    /// The configured database, else a private cluster in the data directory.
    pub async fn open(config: &crate::config::Config) -> Result<Self> {
        if let Some(url) = config.database_url() {
            return Ok(Self {
                url: url.to_owned(),
                local: None,
            });
        }
        let options = LocalPgOptions {
            base_dir: config
                .data_dir
                .clone()
                .unwrap_or_else(LocalPgOptions::default_base_dir),
            run_as: config.pg_user.clone(),
            bin_dir: config.pg_bin.clone(),
        };
        let local = tokio::task::spawn_blocking(move || LocalPostgres::start(&options)).await??;
        let url = local.url(LOCAL_DB_NAME);
        create_database_if_missing(&url).await?;
        Ok(Self {
            url,
            local: Some(local),
        })
    }

    pub fn is_private(&self) -> bool {
        self.local.is_some()
    }

    /// A pool on the database, migrated to the latest schema.
    pub async fn connect(&self, max_connections: u32) -> Result<PgPool> {
        let options = connect_options(&self.url)?;
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .context("connecting to the database")?;
        MIGRATOR.run(&pool).await.context("running migrations")?;
        Ok(pool)
    }

    /// Stops the private cluster, if we started one.
    pub fn shutdown(&mut self) -> Result<()> {
        match &mut self.local {
            Some(local) => local.stop(),
            None => Ok(()),
        }
    }
}

pub fn connect_options(url: &str) -> Result<PgConnectOptions> {
    PgConnectOptions::from_str(url).context("DATABASE_URL is not a valid PostgreSQL URL")
}
