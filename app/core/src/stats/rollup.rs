//! Folding new activations into the statistics rollups, and computing the
//! retention figures. One worker at a time does each (a row lock and an
//! advisory lock decide); the statistics migration explains why the rollups
//! are exact up to their mark.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::error::Result;

/// What one step folded, and the mark after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rolled {
    pub folded: i64,
    pub rolled_to: i64,
}

/// How long settling waits for activations in flight: new activations queue
/// behind the lock meanwhile, so it stays short and the step tries again later.
const SETTLE_WAIT: &str = "200ms";

/// Folds up to `chunk` activations that have settled. `None` when
/// activations in flight kept the settling lock out for `SETTLE_WAIT`.
pub async fn step(pool: &PgPool, chunk: i32) -> Result<Option<Rolled>> {
    let state = sqlx::query!(
        r#"SELECT s.rolled_to,
                  coalesce(pg_sequence_last_value(pg_get_serial_sequence('activations', 'id')::regclass), 0) AS "last!"
             FROM stats_rollup_state s"#
    )
    .fetch_one(pool)
    .await?;
    // Nothing new: no lock, no write.
    if state.last <= state.rolled_to {
        return Ok(Some(Rolled {
            folded: 0,
            rolled_to: state.rolled_to,
        }));
    }
    let mut tx = pool.begin().await?;
    sqlx::query(&format!("SET LOCAL lock_timeout = '{SETTLE_WAIT}'"))
        .execute(&mut *tx)
        .await?;
    let settled = match sqlx::query_scalar!(r#"SELECT promo_stats_settled() AS "settled!""#)
        .fetch_one(&mut *tx)
        .await
    {
        Ok(settled) => settled,
        // lock_not_available
        Err(e) if e.as_database_error().and_then(|d| d.code()).as_deref() == Some("55P03") => {
            return Ok(None)
        }
        Err(e) => return Err(e.into()),
    };
    tx.commit().await?;
    let rolled = sqlx::query!(
        r#"SELECT folded AS "folded!", rolled_to AS "rolled_to!" FROM promo_stats_roll($1, $2)"#,
        settled,
        chunk
    )
    .fetch_one(pool)
    .await?;
    Ok(Some(Rolled {
        folded: i64::from(rolled.folded),
        rolled_to: rolled.rolled_to,
    }))
}

/// Activations folded per step.
pub const CHUNK: i32 = 20_000;

/// Folds everything that has settled by now (tests, the benchmark's fixture,
/// and the worker after a pause); answers how many were folded.
pub async fn catch_up(pool: &PgPool) -> Result<i64> {
    let mut total = 0;
    loop {
        match step(pool, CHUNK).await? {
            Some(rolled) => {
                total += rolled.folded;
                if rolled.folded < i64::from(CHUNK) {
                    return Ok(total);
                }
            }
            None => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
}

/// Weeks of cohorts the retention figures cover.
pub const RETENTION_WEEKS: i32 = 26;

/// Computes the cohorts and campaign impact afresh (unless another instance
/// is at it), from rollups brought up to date first: the cohorts start
/// from every player's first redeem.
pub async fn refresh_retention(pool: &PgPool) -> Result<()> {
    catch_up(pool).await?;
    sqlx::query!("SELECT promo_stats_retention($1)", RETENTION_WEEKS)
        .execute(pool)
        .await?;
    Ok(())
}

/// The time the rollups are exact for (now, when nothing waits to be
/// folded), and when the retention figures were computed.
pub async fn freshness(pool: &PgPool) -> Result<(DateTime<Utc>, Option<DateTime<Utc>>)> {
    let row = sqlx::query!(
        r#"SELECT CASE WHEN coalesce(pg_sequence_last_value(pg_get_serial_sequence('activations', 'id')::regclass), 0)
                            <= s.rolled_to THEN now() ELSE s.rolled_at END AS "as_of!: chrono::DateTime<chrono::Utc>",
                  s.retention_at AS "retention_at: chrono::DateTime<chrono::Utc>"
             FROM stats_rollup_state s"#
    )
    .fetch_one(pool)
    .await?;
    Ok((row.as_of, row.retention_at))
}
