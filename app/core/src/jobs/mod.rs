//! Side effects as jobs: a queue in PostgreSQL that any number of workers
//! take from (`FOR UPDATE SKIP LOCKED`, with leases), retried with backoff
//! until they give up. A job's own writes and its completion commit in one
//! transaction, so a job is done exactly once however often it is tried;
//! one job failing never holds up another. The worker loop is the server's.

pub mod announce;

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::{PgConnection, PgPool};

use crate::error::{Error, Result};

/// What a job does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobKind {
    /// Tells the players a code is for that it is there, a batch at a time.
    Announce,
}

impl JobKind {
    pub const ALL: [JobKind; 1] = [Self::Announce];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Announce => "announce",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A job a worker has taken on, for its lease.
#[derive(Clone, Debug)]
pub struct LeasedJob {
    pub id: i64,
    pub kind: String,
    pub key: String,
    pub payload: Value,
    /// 1 for the first attempt.
    pub attempt: i32,
    pub max_attempts: i32,
}

/// How a job's work ended, when it did not fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Done,
    /// Not yet: run again then (a code announced before it starts).
    Later(DateTime<Utc>),
}

/// Queues a job, or queues again one of the same kind and key that ended;
/// one still queued stays as it is. Runs at `run_at` (default: now).
/// In the caller's transaction, so the job exists if and only if the
/// change that asked for it commits.
pub async fn enqueue(
    conn: &mut PgConnection,
    kind: JobKind,
    key: &str,
    payload: &Value,
    run_at: Option<DateTime<Utc>>,
) -> Result<()> {
    sqlx::query!(
        "INSERT INTO jobs (kind, key, payload, run_at) VALUES ($1, $2, $3, coalesce($4, now()))
         ON CONFLICT (kind, key) DO UPDATE
            SET state = 'queued', payload = EXCLUDED.payload, run_at = EXCLUDED.run_at,
                attempts = 0, leased_until = NULL, last_error = NULL, finished_at = NULL
          WHERE jobs.state <> 'queued'",
        kind.as_str(),
        key,
        payload,
        run_at as _
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Takes up to `limit` due jobs for `lease` (the longest one may take;
/// after it, another worker may take the job again).
pub async fn lease(pool: &PgPool, limit: i64, lease: Duration) -> Result<Vec<LeasedJob>> {
    let rows = sqlx::query_as!(
        LeasedJob,
        r#"
        WITH due AS (
            SELECT id FROM jobs
             WHERE state = 'queued' AND run_at <= now()
               AND (leased_until IS NULL OR leased_until <= now())
             ORDER BY run_at, id LIMIT $1
             FOR UPDATE SKIP LOCKED
        )
        UPDATE jobs j SET attempts = j.attempts + 1,
                          leased_until = now() + make_interval(secs => $2)
          FROM due WHERE j.id = due.id
        RETURNING j.id, j.kind, j.key, j.payload, j.attempts AS attempt, j.max_attempts
        "#,
        limit,
        lease.as_secs_f64()
    )
    .fetch_all(pool)
    .await?;
    Ok(rows)
}

/// Does one job: its work and its completion in one transaction (an
/// attempt whose lease was lost to another worker changes nothing).
pub async fn run(pool: &PgPool, job: &LeasedJob) -> Result<Step> {
    let kind = JobKind::parse(&job.kind)
        .ok_or_else(|| Error::Broken(format!("unknown job kind {:?}", job.kind)))?;
    let mut tx = pool.begin().await?;
    let step = match kind {
        JobKind::Announce => announce::batch(&mut tx, &job.payload).await?,
    };
    let (state, run_at) = match step {
        Step::Done => ("done", None),
        Step::Later(at) => ("queued", Some(at)),
    };
    let ours = sqlx::query!(
        "UPDATE jobs SET state = $3, leased_until = NULL, last_error = NULL,
                         run_at = coalesce($4, run_at),
                         attempts = CASE WHEN $4::timestamptz IS NULL THEN attempts ELSE 0 END,
                         finished_at = CASE WHEN $3 = 'done' THEN now() END
          WHERE id = $1 AND attempts = $2 AND state = 'queued'",
        job.id,
        job.attempt,
        state,
        run_at as _
    )
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if !ours {
        return Err(Error::Broken(
            "the job's lease passed to another worker".into(),
        ));
    }
    tx.commit().await?;
    Ok(step)
}

/// Records a failed attempt: tried again after a backoff, or dead after its
/// last attempt. Answers whether it is dead.
pub async fn fail(pool: &PgPool, job: &LeasedJob, error: &str) -> Result<bool> {
    let delay = crate::retry::backoff(RETRY_BASE, RETRY_CAP, job.attempt);
    let error: String = error.chars().take(500).collect();
    let dead = sqlx::query_scalar!(
        r#"UPDATE jobs
              SET leased_until = NULL, last_error = $3,
                  state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'queued' END,
                  finished_at = CASE WHEN attempts >= max_attempts THEN now() END,
                  run_at = now() + make_interval(secs => $4)
            WHERE id = $1 AND attempts = $2 AND state = 'queued'
          RETURNING state = 'dead' AS "dead!""#,
        job.id,
        job.attempt,
        error,
        delay.as_secs_f64()
    )
    .fetch_optional(pool)
    .await?;
    Ok(dead.unwrap_or(false))
}

/// The first wait after a failure; it doubles each time, up to the cap.
const RETRY_BASE: Duration = Duration::from_secs(2);
const RETRY_CAP: Duration = Duration::from_secs(3600);

/// When the next queued job falls due (None: none is queued).
pub async fn next_due(pool: &PgPool) -> Result<Option<DateTime<Utc>>> {
    Ok(sqlx::query_scalar!(
        r#"SELECT min(greatest(run_at, coalesce(leased_until, run_at))) AS "due: DateTime<Utc>"
             FROM jobs WHERE state = 'queued'"#
    )
    .fetch_one(pool)
    .await?)
}

/// Deletes jobs that ended (done or dead) longer than `retention` ago.
pub async fn prune(pool: &PgPool, retention: Duration) -> Result<u64> {
    let done = sqlx::query!(
        "DELETE FROM jobs WHERE state <> 'queued' AND finished_at < now() - make_interval(secs => $1)",
        retention.as_secs_f64()
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_from_its_name() {
        for kind in JobKind::ALL {
            assert_eq!(JobKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(JobKind::parse("nothing"), None);
    }
}
