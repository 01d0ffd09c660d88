//! pgbench on the benchmark's database, for comparison: a one-row `UPDATE`
//! (the cost of a commit on one hot row) and the built-in tpcb-like
//! transaction (three updates, a select and an insert).

use anyhow::{bail, Context, Result};
use sqlx::{Connection, PgConnection};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    OneRow,
    TpcbLike,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Self::OneRow => "pgbench one-row UPDATE",
            Self::TpcbLike => "pgbench tpcb-like",
        }
    }
}

/// What pgbench reported: transactions per second and the average latency.
#[derive(Clone, Copy, Debug)]
pub struct Figures {
    pub tps: f64,
    pub latency_ms: f64,
}

fn binary() -> std::path::PathBuf {
    localpg::find_bin_dir()
        .map(|d| d.join("pgbench"))
        .unwrap_or_else(|_| "pgbench".into())
}

/// Creates what both kinds need once: the one-row table and pgbench's own
/// tables (scale 10).
pub async fn prepare(options: &sqlx::postgres::PgConnectOptions, url: &str) -> Result<()> {
    let mut conn = PgConnection::connect_with(options).await?;
    sqlx::raw_sql("CREATE TABLE IF NOT EXISTS pgbench_one (id int PRIMARY KEY, n bigint NOT NULL); INSERT INTO pgbench_one VALUES (1, 0) ON CONFLICT DO NOTHING")
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    let output = std::process::Command::new(binary())
        .args(["-i", "-q", "-s", "10", url])
        .output()
        .context("running pgbench -i")?;
    if !output.status.success() {
        bail!(
            "pgbench -i failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

/// `pgbench -c C -j 2 -T T` of one kind.
pub fn run(kind: Kind, concurrency: usize, seconds: u64, url: &str) -> Result<Figures> {
    let script =
        std::env::temp_dir().join(format!("promocodes-pgbench-{}.sql", std::process::id()));
    let mut command = std::process::Command::new(binary());
    command.arg("-n");
    if kind == Kind::OneRow {
        std::fs::write(&script, "UPDATE pgbench_one SET n = n + 1 WHERE id = 1;\n")?;
        command.arg("-f").arg(&script);
    }
    let output = command
        .args([
            "-c",
            &concurrency.to_string(),
            "-j",
            "2",
            "-T",
            &seconds.to_string(),
            url,
        ])
        .output()
        .context("running pgbench")?;
    let _ = std::fs::remove_file(&script);
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        bail!(
            "pgbench failed: {}{}",
            text,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let number = |prefix: &str| {
        text.lines()
            .find(|l| l.starts_with(prefix))
            .and_then(|l| l.split('=').nth(1))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse::<f64>().ok())
    };
    Ok(Figures {
        tps: number("tps").context("no tps in pgbench's output")?,
        latency_ms: number("latency average").unwrap_or(f64::NAN),
    })
}
