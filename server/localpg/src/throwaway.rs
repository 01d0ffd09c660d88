//! Throw-away clusters for tests and benchmarks, and `with-db`, which runs a
//! command against one when no `DATABASE_URL` is given.

use std::fs;
use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, Result};

use crate::{create_database_if_missing, LocalPgOptions, LocalPostgres, LOCAL_DB_NAME};

/// A private cluster in a fresh temporary directory, for tests and benchmarks:
/// `finish` stops it and deletes the directory (dropping it does too).
pub struct ThrowAwayCluster {
    cluster: LocalPostgres,
    dir: PathBuf,
}

impl ThrowAwayCluster {
    /// Starts one in `$TMPDIR/promocodes-{label}-{pid}`.
    pub fn start(label: &str) -> Result<Self> {
        let dir = std::env::temp_dir().join(format!("promocodes-{label}-{}", std::process::id()));
        let cluster = LocalPostgres::start(&LocalPgOptions::new(dir.clone()))?;
        Ok(Self { cluster, dir })
    }

    pub fn url(&self, db: &str) -> String {
        self.cluster.url(db)
    }

    pub fn finish(mut self) -> Result<()> {
        self.cluster.stop()
    }
}

impl Drop for ThrowAwayCluster {
    fn drop(&mut self) {
        if let Err(e) = self.cluster.stop() {
            tracing::warn!(error = %e, "could not stop the throw-away PostgreSQL");
        }
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// Runs `command` with `DATABASE_URL` set: the given one, or a throw-away
/// cluster, stopped and deleted afterwards. Returns the command's exit code.
pub fn with_db(command: &[String]) -> Result<i32> {
    let (program, args) = command.split_first().context("no command given")?;
    let mut child = Command::new(program);
    child.args(args);
    let mut cluster = None;
    if std::env::var("DATABASE_URL").map_or(true, |u| u.is_empty()) {
        let local = ThrowAwayCluster::start("test")?;
        let url = local.url(LOCAL_DB_NAME);
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
            .block_on(create_database_if_missing(&url))?;
        tracing::info!(%url, "throw-away PostgreSQL ready");
        child.env("DATABASE_URL", url);
        cluster = Some(local);
    }
    let status = child.status().with_context(|| format!("running {program}"));
    if let Some(local) = cluster {
        local.finish()?;
    }
    Ok(status?.code().unwrap_or(1))
}
