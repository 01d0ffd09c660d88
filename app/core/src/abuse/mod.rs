//! Guessing protection around the activation core. Every wrong code a player
//! types is recorded with the client's address; enough of them in a window
//! block code input for a while (per player and per address, longer for
//! repeat offenders), and a service-wide spike puts everyone without a clean
//! record on a cooldown. The records and blocks live in PostgreSQL (see the
//! `abuse` migration), so they hold across restarts and every instance on the
//! same database enforces them. Each instance keeps the player blocks it has
//! seen in memory, kept current through `LISTEN promo_blocks`, so a locked-out
//! flood costs no database round trip.

mod blocks;
mod notices;
mod quote;

pub use blocks::*;

use crate::error::Result;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::{Acquire, PgConnection, PgPool};

use super::activation::{activate, Activation, ActivationRequest, Channel};
use super::error::ActivationError;
use super::sign_in_limit::SignInPolicy;
use crate::code_cache::CodeCache;
use crate::queue::{ActivationQueue, GateSettings, QueueConfig};

/// The client's address as the router found it (the peer, or the forwarded
/// address when the peer is a trusted proxy); a request extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

/// The limits (the server reads them from its configuration; see the README).
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    /// Wrong codes by one player within `window` before a block.
    pub player_failures: i32,
    /// Wrong codes from one address within `window` before a block.
    pub ip_failures: i32,
    /// Different accounts failing from one address within `window` before a block.
    pub spread_accounts: i32,
    pub window: Duration,
    /// The first block's length; each further block within a day doubles it.
    pub block: Duration,
    pub max_block: Duration,
    /// A spike: more wrong codes in a minute than this...
    pub spike_min_per_minute: i32,
    /// ...and more than this many times the day's average minute.
    pub spike_factor: f64,
    /// How long the service-wide cooldown lasts once a spike is seen.
    pub spike_duration: Duration,
    /// During a spike, the wait after a wrong code for players without a clean record.
    pub spike_cooldown: Duration,
    /// Failed sign-ins per account.
    pub sign_in: SignInPolicy,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            player_failures: 5,
            ip_failures: 20,
            spread_accounts: 5,
            window: Duration::from_secs(10 * 60),
            block: Duration::from_secs(5 * 60),
            max_block: Duration::from_secs(24 * 60 * 60),
            spike_min_per_minute: 300,
            spike_factor: 10.0,
            spike_duration: Duration::from_secs(5 * 60),
            spike_cooldown: Duration::from_secs(10),
            sign_in: SignInPolicy::default(),
        }
    }
}

/// The blocks this instance knows to be in force for players, by player id.
type BlockMap = HashMap<i64, DateTime<Utc>>;

/// The guard every typed code goes through. Cheap to clone; one per process.
#[derive(Clone)]
pub struct Guard {
    inner: Arc<Inner>,
}

struct Inner {
    policy: Policy,
    blocked: Mutex<BlockMap>,
    cache: CodeCache,
    queue: ActivationQueue,
}

/// How the activation pipeline behind the guard runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PipelineConfig {
    pub queue: QueueConfig,
    /// The longest a cached code may be used without the database.
    pub cache_ttl: Duration,
    /// Codes (and unknown texts) the cache holds at most.
    pub cache_capacity: u64,
}

impl Default for PipelineConfig {
    fn default() -> Self {
        Self {
            queue: QueueConfig::default(),
            cache_ttl: Duration::from_secs(2),
            cache_capacity: 100_000,
        }
    }
}

/// Wrong codes: the ones that count towards a block. Unknown and disabled
/// codes count alike, so a block tells nothing about which codes exist.
fn is_guess(error: &ActivationError) -> bool {
    matches!(error, ActivationError::Unknown | ActivationError::Disabled)
}

/// Counts an activation's outcome for `/metrics`, by kind and channel.
fn count(channel: Channel, outcome: &Result<Activation, ActivationError>) {
    let kind = match outcome {
        Ok(_) => "granted",
        Err(error) => error.kind().as_str(),
    };
    metrics::counter!("promo_activations_total", "outcome" => kind, "channel" => channel.as_str())
        .increment(1);
}

/// `promo.refused` for a refusal that is an event, in the caller's transaction.
async fn refusal_event(
    conn: &mut PgConnection,
    error: &ActivationError,
    request: &ActivationRequest,
    code_id: Option<i64>,
) -> Result<()> {
    let kind = error.kind();
    if crate::events::is_refusal_event(kind) {
        crate::events::refused(conn, kind, request.player_id, code_id, request.channel).await?;
    }
    Ok(())
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

impl Guard {
    pub fn new(policy: Policy) -> Self {
        Self::with_pipeline(policy, PipelineConfig::default())
    }

    pub fn with_pipeline(policy: Policy, pipeline: PipelineConfig) -> Self {
        let gate = GateSettings {
            window: policy.window,
            cooldown: policy.spike_cooldown,
        };
        Self {
            inner: Arc::new(Inner {
                policy,
                blocked: Mutex::new(HashMap::new()),
                cache: CodeCache::new(pipeline.cache_ttl, pipeline.cache_capacity),
                queue: ActivationQueue::new(pipeline.queue, gate),
            }),
        }
    }

    /// This instance's code cache.
    pub fn cache(&self) -> &CodeCache {
        &self.inner.cache
    }

    pub fn policy(&self) -> &Policy {
        &self.inner.policy
    }

    fn blocks(&self) -> std::sync::MutexGuard<'_, BlockMap> {
        self.inner
            .blocked
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// A block of this player this instance already knows about.
    pub fn known_block(&self, player_id: i64, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.blocks()
            .get(&player_id)
            .copied()
            .filter(|until| *until > now)
    }

    fn remember(&self, player_id: i64, until: DateTime<Utc>) {
        let mut blocks = self.blocks();
        let slot = blocks.entry(player_id).or_insert(until);
        *slot = (*slot).max(until);
    }

    fn forget(&self, player_id: i64) {
        self.blocks().remove(&player_id);
    }

    /// Drops blocks that have run out; run now and then.
    pub fn prune(&self) {
        let now = Utc::now();
        self.blocks().retain(|_, until| *until > now);
    }

    /// Activates a typed code, an easter egg or an API call unless this
    /// player may not enter codes now, and records a wrong code (a wrong egg
    /// slug counts the same). Jobs are not typed by anyone and skip the gate.
    ///
    /// A code the cache knows to be enabled and running goes through the
    /// activation queue (group commit; the batch checks the gate and every
    /// rule again under the code's lock). Anything else (a guess, a code not
    /// started or expired) takes the one-claim path below, which answers it
    /// exactly as before and records a guess.
    #[tracing::instrument(skip_all, fields(player = request.player_id), err(level = "debug"))]
    pub async fn activate(
        &self,
        pool: &PgPool,
        request: &ActivationRequest,
        ip: Option<IpAddr>,
    ) -> Result<Activation, ActivationError> {
        if request.channel != Channel::Job {
            if let Some(until) = self.known_block(request.player_id, Utc::now()) {
                return Err(ActivationError::LockedOut { until });
            }
        }
        // A loopback peer is whoever is behind a local proxy (configure
        // PROMOCODES_TRUSTED_PROXIES for the real address): never blocked as a whole.
        let ip = ip.filter(|ip| !ip.is_loopback() && !ip.is_unspecified());
        let facts = self
            .inner
            .cache
            .facts(pool, &request.code)
            .await?
            .filter(|facts| facts.visible_to(request.player_id));
        match facts {
            Some(facts) if facts.refusal(Utc::now()).is_none() => {
                let outcome = self
                    .inner
                    .queue
                    .claim(pool, facts.id, request.player_id, request.channel, ip)
                    .await;
                count(request.channel, &outcome);
                outcome
            }
            _ => {
                let code_id = facts.filter(|facts| facts.enabled).map(|facts| facts.id);
                let outcome = self
                    .activate_alone(&mut *pool.acquire().await?, request, ip, code_id)
                    .await;
                count(request.channel, &outcome);
                outcome
            }
        }
    }

    /// `activate` on the one-claim path in the caller's connection: in its
    /// own transaction, or in a savepoint of the caller's, which then commits
    /// the grant (or the refusal's records) with whatever else it holds (the
    /// API's idempotent requests store their answer so).
    pub async fn activate_on(
        &self,
        pool: &PgPool,
        conn: &mut PgConnection,
        request: &ActivationRequest,
        ip: Option<IpAddr>,
    ) -> Result<Activation, ActivationError> {
        if request.channel != Channel::Job {
            if let Some(until) = self.known_block(request.player_id, Utc::now()) {
                return Err(ActivationError::LockedOut { until });
            }
        }
        let ip = ip.filter(|ip| !ip.is_loopback() && !ip.is_unspecified());
        let code_id = self
            .inner
            .cache
            .facts(pool, &request.code)
            .await?
            .filter(|facts| facts.enabled && facts.visible_to(request.player_id))
            .map(|facts| facts.id);
        let outcome = self.activate_alone(conn, request, ip, code_id).await;
        count(request.channel, &outcome);
        outcome
    }

    /// The one-claim path: the gate, the activation and a guess's record in
    /// one transaction under the player's advisory lock, with the refusal's
    /// event (`code_id`: the code, when it exists and is enabled).
    async fn activate_alone(
        &self,
        conn: &mut PgConnection,
        request: &ActivationRequest,
        ip: Option<IpAddr>,
        code_id: Option<i64>,
    ) -> Result<Activation, ActivationError> {
        if request.channel == Channel::Job {
            let mut tx = conn.begin().await?;
            let outcome = activate(&mut tx, request).await;
            if let Err(error) = &outcome {
                refusal_event(&mut tx, error, request, code_id).await?;
            }
            tx.commit().await?;
            return outcome;
        }
        // One transaction, holding the player's lock from the gate to the
        // failure record: parallel requests of one player take turns, so
        // exactly N wrong codes get an answer before the block.
        let mut tx = conn.begin().await?;
        sqlx::query(
            "SELECT pg_advisory_xact_lock(hashtext('promo_block'), hashtext('player:' || $1::text))",
        )
        .bind(request.player_id)
        .execute(&mut *tx)
        .await?;
        let exempt_until = self.check_gate(&mut tx, request.player_id, ip).await?;
        match activate(&mut tx, request).await {
            Ok(activation) => {
                tx.commit().await?;
                Ok(activation)
            }
            Err(error) if is_guess(&error) => {
                tracing::info!(
                    player = request.player_id,
                    kind = error.kind().as_str(),
                    "wrong code"
                );
                let until = self
                    .record_failure(&mut tx, request.player_id, ip, error.kind().as_str())
                    .await?;
                refusal_event(&mut tx, &error, request, code_id).await?;
                tx.commit().await?;
                // From a blocked address even an exempt player's wrong code
                // is answered as the block, so that address gets no more
                // "unknown" answers, however many accounts it uses.
                Err(match until.or(exempt_until) {
                    Some(until) => ActivationError::LockedOut { until },
                    None => error,
                })
            }
            // Any other refusal writes only its event, committed
            // asynchronously like a guess's record (it changed nothing else).
            Err(error) => {
                if crate::events::is_refusal_event(error.kind()) {
                    sqlx::query("SET LOCAL synchronous_commit = off")
                        .execute(&mut *tx)
                        .await?;
                    refusal_event(&mut tx, &error, request, code_id).await?;
                    tx.commit().await?;
                }
                Err(error)
            }
        }
    }

    /// Refuses when a block or a cooldown holds this player from this address.
    /// Answers until when this player's address is blocked when the block does
    /// not hold them (an established player who typed no wrong code from it).
    async fn check_gate(
        &self,
        conn: &mut PgConnection,
        player_id: i64,
        ip: Option<IpAddr>,
    ) -> Result<Option<DateTime<Utc>>, ActivationError> {
        let policy = self.policy();
        let gate: Option<(String, DateTime<Utc>)> = sqlx::query_as(
            "SELECT gate, gate_until FROM promo_input_gate($1, $2::inet, \
             make_interval(secs => $3), make_interval(secs => $4))",
        )
        .bind(player_id)
        .bind(ip.map(|ip| ip.to_string()))
        .bind(secs(policy.window))
        .bind(secs(policy.spike_cooldown))
        .fetch_optional(&mut *conn)
        .await?;
        match gate {
            None => Ok(None),
            Some((gate, until)) if gate == "exempt" => Ok(Some(until)),
            Some((gate, until)) if gate == "cooldown" => Err(ActivationError::Cooldown { until }),
            Some((_, until)) => Err(ActivationError::LockedOut { until }),
        }
    }

    /// Records a wrong code in the caller's transaction; returns until when
    /// this player's own account is now blocked, if it is (an address block
    /// shows at the next attempt, for the players it holds). The transaction
    /// commits asynchronously: a flood of wrong codes must not queue on
    /// fsync, and a crash can lose at most the last fraction of a second of
    /// them. This instance learns of a new block through `follow`, like
    /// every other instance.
    async fn record_failure(
        &self,
        conn: &mut PgConnection,
        player_id: i64,
        ip: Option<IpAddr>,
        kind: &str,
    ) -> Result<Option<DateTime<Utc>>> {
        let policy = self.policy();
        sqlx::query("SET LOCAL synchronous_commit = off")
            .execute(&mut *conn)
            .await?;
        let blocks: Vec<(String, String, DateTime<Utc>)> = sqlx::query_as(
            "SELECT block_scope, block_subject, block_until FROM promo_record_failure(\
             $1, $2::inet, $3, make_interval(secs => $4), $5, $6, $7, \
             make_interval(secs => $8), make_interval(secs => $9))",
        )
        .bind(player_id)
        .bind(ip.map(|ip| ip.to_string()))
        .bind(kind)
        .bind(secs(policy.window))
        .bind(policy.player_failures)
        .bind(policy.ip_failures)
        .bind(policy.spread_accounts)
        .bind(secs(policy.block))
        .bind(secs(policy.max_block))
        .fetch_all(&mut *conn)
        .await?;
        Ok(blocks
            .into_iter()
            .filter(|(scope, _, _)| scope == "player")
            .map(|(_, _, until)| until)
            .max())
    }

    /// Looks for a service-wide spike of wrong codes and, if there is one and
    /// no cooldown is in force yet, starts one. Returns when it ends.
    pub async fn detect_spike(&self, pool: &PgPool) -> Result<Option<DateTime<Utc>>> {
        let policy = self.policy();
        let until: Option<DateTime<Utc>> = sqlx::query_scalar(
            "SELECT block_until FROM promo_detect_spike($1, $2, make_interval(secs => $3))",
        )
        .bind(policy.spike_min_per_minute)
        .bind(policy.spike_factor)
        .bind(secs(policy.spike_duration))
        .fetch_optional(pool)
        .await?;
        if let Some(until) = until {
            tracing::warn!(%until, "wrong-code spike: cooldown for players without a clean record");
        }
        Ok(until)
    }
}

/// Deletes wrong-code records older than two days (blocks count a day back).
pub async fn prune_failures(pool: &PgPool) -> Result<u64> {
    let done =
        sqlx::query("DELETE FROM code_failures WHERE created_at < now() - interval '2 days'")
            .execute(pool)
            .await?;
    Ok(done.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_update_the_memory_of_player_blocks() {
        let guard = Guard::new(Policy::default());
        let now = Utc::now();
        let until = now + chrono::Duration::minutes(5);
        guard.apply(&format!(
            r#"{{"op":"block","scope":"player","subject":"42","until":"{}"}}"#,
            until.to_rfc3339()
        ));
        guard.apply(r#"{"op":"block","scope":"ip","subject":"10.0.0.1","until":null}"#);
        guard.apply("not json");
        assert_eq!(guard.known_block(42, now), Some(until));
        assert_eq!(guard.known_block(42, until), None);
        guard.apply(r#"{"op":"lift","scope":"player","subject":"42"}"#);
        assert_eq!(guard.known_block(42, now), None);
    }
}
