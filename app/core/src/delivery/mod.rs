//! Event delivery, the database side: the outbox fanned out into one
//! delivery per (event, destination), deliveries leased to whichever worker
//! takes them (`FOR UPDATE SKIP LOCKED`), each attempt's outcome with its
//! retry time, and old events pruned. The worker that sends (webhooks, NATS)
//! lives in the server; `endpoints` is what admins register.

pub mod endpoints;

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::PgPool;

use crate::error::Result;

/// Where a delivery goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sink {
    Webhook,
    Nats,
}

impl Sink {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Webhook => "webhook",
            Self::Nats => "nats",
        }
    }
}

/// A webhook delivery's target, as signing and sending need it.
#[derive(Clone, Debug)]
pub struct Target {
    pub endpoint_id: i64,
    pub url: String,
    pub secret: String,
}

/// One attempt a worker has taken on: the event and where it goes.
#[derive(Clone, Debug)]
pub struct Lease {
    pub delivery_id: i64,
    pub event_id: i64,
    pub topic: String,
    pub payload: Value,
    pub created_at: DateTime<Utc>,
    /// 1 for the first attempt.
    pub attempt: i32,
    /// None for NATS.
    pub target: Option<Target>,
}

/// When a failed delivery is tried again, and when a webhook gives up.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetryPolicy {
    /// The wait after the first failure; it doubles after each one.
    pub base: Duration,
    /// The longest wait between two webhook attempts.
    pub max_delay: Duration,
    /// A webhook delivery still failing this long after its first attempt is dead.
    pub give_up_after: Duration,
    /// The longest wait between two NATS attempts (NATS is ours: never dead).
    pub nats_max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            base: Duration::from_secs(5),
            max_delay: Duration::from_secs(6 * 3600),
            give_up_after: Duration::from_secs(3 * 24 * 3600),
            nats_max_delay: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The wait after the `attempt`-th failure: exponential, capped, with
    /// jitter (`retry::backoff`).
    pub fn delay(&self, attempt: i32, sink: Sink) -> Duration {
        let cap = match sink {
            Sink::Webhook => self.max_delay,
            Sink::Nats => self.nats_max_delay,
        };
        crate::retry::backoff(self.base, cap, attempt)
    }
}

/// Hands up to `limit` undelivered events to their deliveries: one per
/// enabled endpoint whose topics match, and one for NATS when `nats`.
/// Safe from any number of instances at once. Answers how many events.
pub async fn fan_out(pool: &PgPool, nats: bool, limit: i64) -> Result<u64> {
    let handed = sqlx::query_scalar!(
        r#"
        WITH picked AS (
            SELECT id, topic FROM outbox_events
             WHERE published_at IS NULL
             ORDER BY id LIMIT $1
             FOR UPDATE SKIP LOCKED
        ), hooks AS (
            INSERT INTO event_deliveries (event_id, sink, endpoint_id)
            SELECT p.id, 'webhook', e.id
              FROM picked p
              JOIN webhook_endpoints e
                ON e.enabled AND (cardinality(e.topics) = 0 OR p.topic = ANY (e.topics))
             ORDER BY p.id, e.id
            ON CONFLICT DO NOTHING
        ), stream AS (
            INSERT INTO event_deliveries (event_id, sink)
            SELECT p.id, 'nats' FROM picked p WHERE $2
             ORDER BY p.id
            ON CONFLICT DO NOTHING
        ), handed AS (
            UPDATE outbox_events o SET published_at = now()
              FROM picked p WHERE o.id = p.id
            RETURNING o.id
        )
        SELECT count(*) AS "n!" FROM handed
        "#,
        limit,
        nats
    )
    .fetch_one(pool)
    .await?;
    Ok(handed as u64)
}

/// Takes up to `limit` due deliveries of these sinks for `lease` (the
/// longest an attempt may take), at most `per_endpoint` of one endpoint and
/// none of the endpoints in `busy` (this worker's endpoints already at their
/// share of attempts in flight), so a slow endpoint's backlog never fills a
/// round. Each comes back with its attempt number counted.
pub async fn lease(
    pool: &PgPool,
    sinks: &[Sink],
    busy: &[i64],
    limit: i64,
    per_endpoint: i64,
    lease: Duration,
) -> Result<Vec<Lease>> {
    let sinks: Vec<&str> = sinks.iter().map(|s| s.as_str()).collect();
    let rows = sqlx::query!(
        r#"
        WITH candidates AS (
            SELECT c.id FROM (
                SELECT d.id, d.next_attempt_at,
                       row_number() OVER (PARTITION BY d.endpoint_id
                                          ORDER BY d.next_attempt_at, d.id) AS nth
                  FROM event_deliveries d
                 WHERE d.state = 'pending' AND d.next_attempt_at <= now()
                   AND (d.leased_until IS NULL OR d.leased_until <= now())
                   AND d.sink = ANY ($1)
                   AND (d.endpoint_id IS NULL OR d.endpoint_id <> ALL ($2))
            ) c
             WHERE c.nth <= $5
             ORDER BY c.next_attempt_at, c.id
             LIMIT $3
        ), due AS (
            -- Locked, and checked again: another worker may have taken one.
            SELECT d.id FROM event_deliveries d JOIN candidates c ON c.id = d.id
             WHERE d.state = 'pending'
               AND (d.leased_until IS NULL OR d.leased_until <= now())
             FOR UPDATE OF d SKIP LOCKED
        ), taken AS (
            UPDATE event_deliveries d
               SET attempts = d.attempts + 1,
                   leased_until = now() + make_interval(secs => $4)
              FROM due WHERE d.id = due.id
            RETURNING d.id, d.event_id, d.endpoint_id, d.attempts
        )
        SELECT t.id AS "delivery_id!", t.event_id AS "event_id!", t.attempts AS "attempt!",
               o.topic AS "topic!", o.payload AS "payload!", o.created_at AS "created_at!: DateTime<Utc>",
               t.endpoint_id, e.url AS "url?", e.secret AS "secret?"
          FROM taken t
          JOIN outbox_events o ON o.id = t.event_id
          LEFT JOIN webhook_endpoints e ON e.id = t.endpoint_id
         ORDER BY t.id
        "#,
        &sinks as &[&str],
        busy,
        limit,
        lease.as_secs_f64(),
        per_endpoint
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Lease {
            delivery_id: r.delivery_id,
            event_id: r.event_id,
            topic: r.topic,
            payload: r.payload,
            created_at: r.created_at,
            attempt: r.attempt,
            target: match (r.endpoint_id, r.url, r.secret) {
                (Some(endpoint_id), Some(url), Some(secret)) => Some(Target {
                    endpoint_id,
                    url,
                    secret,
                }),
                _ => None,
            },
        })
        .collect())
}

/// What one attempt came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Attempt {
    Delivered { status: Option<i32> },
    Failed { status: Option<i32>, error: String },
}

/// Records an attempt's outcome: delivered, or the next attempt's time
/// (dead when a webhook's retry period is over). Answers whether the
/// delivery is now dead.
pub async fn record(
    pool: &PgPool,
    lease: &Lease,
    attempt: &Attempt,
    policy: &RetryPolicy,
) -> Result<bool> {
    match attempt {
        Attempt::Delivered { status } => {
            sqlx::query!(
                "UPDATE event_deliveries
                    SET state = 'delivered', delivered_at = now(), leased_until = NULL,
                        last_status = $2, last_error = NULL
                  WHERE id = $1 AND state = 'pending'",
                lease.delivery_id,
                *status
            )
            .execute(pool)
            .await?;
            Ok(false)
        }
        Attempt::Failed { status, error } => {
            let sink = if lease.target.is_some() {
                Sink::Webhook
            } else {
                Sink::Nats
            };
            let delay = policy.delay(lease.attempt, sink);
            let give_up = match sink {
                Sink::Webhook => Some(policy.give_up_after.as_secs_f64()),
                Sink::Nats => None,
            };
            let error: String = error.chars().take(500).collect();
            let dead = sqlx::query_scalar!(
                r#"
                UPDATE event_deliveries
                   SET leased_until = NULL, last_status = $2, last_error = $3,
                       state = CASE WHEN $5::float8 IS NOT NULL
                                     AND now() + make_interval(secs => $4)
                                         > retry_from + make_interval(secs => $5::float8)
                                    THEN 'dead' ELSE 'pending' END,
                       next_attempt_at = now() + make_interval(secs => $4)
                 WHERE id = $1 AND state = 'pending'
                RETURNING state = 'dead' AS "dead!"
                "#,
                lease.delivery_id,
                *status,
                error,
                delay.as_secs_f64(),
                give_up
            )
            .fetch_optional(pool)
            .await?;
            Ok(dead.unwrap_or(false))
        }
    }
}

/// Records a batch of successful attempts (NATS acknowledged them).
pub async fn record_delivered(pool: &PgPool, delivery_ids: &[i64]) -> Result<()> {
    if delivery_ids.is_empty() {
        return Ok(());
    }
    sqlx::query!(
        "UPDATE event_deliveries
            SET state = 'delivered', delivered_at = now(), leased_until = NULL, last_error = NULL
          WHERE id = ANY ($1) AND state = 'pending'",
        delivery_ids
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// When the next pending delivery falls due (None: nothing is pending).
pub async fn next_due(pool: &PgPool) -> Result<Option<DateTime<Utc>>> {
    Ok(sqlx::query_scalar!(
        r#"SELECT min(greatest(next_attempt_at, coalesce(leased_until, next_attempt_at)))
                  AS "due: DateTime<Utc>"
             FROM event_deliveries WHERE state = 'pending'"#
    )
    .fetch_one(pool)
    .await?)
}

/// Deletes events handed out longer than `retention` ago whose deliveries
/// are all over (delivered or dead), with those deliveries. Answers how many.
pub async fn prune(pool: &PgPool, retention: Duration) -> Result<u64> {
    let done = sqlx::query!(
        "DELETE FROM outbox_events o
          WHERE o.published_at < now() - make_interval(secs => $1)
            AND NOT EXISTS (SELECT 1 FROM event_deliveries d
                             WHERE d.event_id = o.id AND d.state = 'pending')",
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
    fn retries_wait_longer_each_time_up_to_the_cap_with_jitter() {
        let policy = RetryPolicy::default();
        for attempt in 1..=40 {
            let full = policy
                .base
                .saturating_mul(1 << (attempt - 1).min(30))
                .min(policy.max_delay);
            let delay = policy.delay(attempt, Sink::Webhook);
            assert!(
                delay >= full / 2 && delay <= full,
                "attempt {attempt}: {delay:?}"
            );
        }
        assert!(policy.delay(40, Sink::Nats) <= policy.nats_max_delay);
        // Sixteen first retries of one outage do not all fall on one instant.
        let spread: std::collections::HashSet<_> =
            (0..16).map(|_| policy.delay(1, Sink::Webhook)).collect();
        assert!(spread.len() > 1);
    }
}
