//! Opening the database: the given `DATABASE_URL`, or a private cluster
//! (see `local_pg`) with its own `promocodes` database; migrations run at start.

use std::str::FromStr;
use std::time::Duration;

use anyhow::{Context, Result};
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgPool};

use crate::local_pg::{LocalPgOptions, LocalPostgres};

pub static MIGRATOR: Migrator = sqlx::migrate!("../migrations");

/// The database name used inside a private cluster.
pub const LOCAL_DB_NAME: &str = "promocodes";

/// Where the data lives, and the private cluster when we run one.
pub struct Database {
    pub url: String,
    pub local: Option<LocalPostgres>,
}

impl Database {
    /// `DATABASE_URL` when set, else a private cluster in `base_dir`.
    pub async fn from_env_or_local(base_dir: Option<std::path::PathBuf>) -> Result<Self> {
        if let Some(url) = std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty()) {
            return Ok(Self { url, local: None });
        }
        let options = LocalPgOptions::new(base_dir.unwrap_or_else(LocalPgOptions::default_base_dir));
        let local = tokio::task::spawn_blocking(move || LocalPostgres::start(&options)).await??;
        let url = local.url(LOCAL_DB_NAME);
        create_database_if_missing(&url).await?;
        Ok(Self { url, local: Some(local) })
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

/// Creates the database named in `url` through the cluster's `postgres` database.
pub async fn create_database_if_missing(url: &str) -> Result<()> {
    let options = connect_options(url)?;
    let name = options.get_database().unwrap_or(LOCAL_DB_NAME).to_owned();
    let mut admin = PgConnection::connect_with(&options.clone().database("postgres")).await?;
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
        .bind(&name)
        .fetch_one(&mut admin)
        .await?;
    if !exists {
        let quoted = name.replace('"', "\"\"");
        sqlx::raw_sql(&format!("CREATE DATABASE \"{quoted}\"")).execute(&mut admin).await?;
    }
    admin.close().await?;
    Ok(())
}
