//! The activation queue (group commit). Claims of one code that arrive while
//! that code's previous batch is being committed wait and go together into
//! the next batch: one call of `promo_claim_batch` (see its migration), one
//! row lock, one commit, every claim still with its own exact answer. A quiet
//! code's claim goes at once (a batch of one), so nobody waits for company
//! unless `max_wait` asks for it.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use tokio::sync::oneshot;

use crate::activation::{Activation, Channel};
use crate::error::{Error, Result};

/// How batches are formed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueConfig {
    /// At most this many claims in one batch.
    pub max_batch: usize,
    /// How long a batch may wait for more claims before it goes (zero: it goes
    /// as soon as the previous batch of its code has committed).
    pub max_wait: Duration,
}

impl Default for QueueConfig {
    fn default() -> Self {
        Self {
            max_batch: 256,
            max_wait: Duration::ZERO,
        }
    }
}

/// One claim waiting in a queue.
struct Claim {
    player_id: i64,
    channel: Channel,
    /// Checked against the input gate (jobs are not).
    gated: bool,
    ip: Option<IpAddr>,
    queued: Instant,
    answer: oneshot::Sender<Result<Activation>>,
}

/// The claims waiting for one code, and whether a task is draining them.
#[derive(Default)]
struct CodeQueue {
    waiting: Vec<Claim>,
    draining: bool,
}

/// The gate's settings the batch checks each claim against (see
/// `promo_input_gate`): the lockout window and the spike cooldown.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GateSettings {
    pub window: Duration,
    pub cooldown: Duration,
}

/// The queue of every code; one per process, cheap to clone.
#[derive(Clone)]
pub struct ActivationQueue {
    inner: Arc<Inner>,
}

struct Inner {
    config: QueueConfig,
    gate: GateSettings,
    codes: Mutex<HashMap<i64, CodeQueue>>,
}

/// What one batch came to, for metrics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatchStats {
    pub size: usize,
    pub granted: usize,
}

impl ActivationQueue {
    pub fn new(config: QueueConfig, gate: GateSettings) -> Self {
        Self {
            inner: Arc::new(Inner {
                config: QueueConfig {
                    max_batch: config.max_batch.max(1),
                    ..config
                },
                gate,
                codes: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// Claims code `code_id` for a player: waits for the batch it joins to
    /// commit and answers this claim's own outcome. The claim is carried out
    /// even when the caller stops waiting (a grant is then in the books and
    /// the player's wallet, only unannounced).
    pub async fn claim(
        &self,
        pool: &PgPool,
        code_id: i64,
        player_id: i64,
        channel: Channel,
        ip: Option<IpAddr>,
    ) -> Result<Activation> {
        let (answer, answered) = oneshot::channel();
        let claim = Claim {
            player_id,
            channel,
            gated: channel != Channel::Job,
            ip,
            queued: Instant::now(),
            answer,
        };
        let start = {
            let mut codes = self
                .inner
                .codes
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let queue = codes.entry(code_id).or_default();
            queue.waiting.push(claim);
            !std::mem::replace(&mut queue.draining, true)
        };
        if start {
            tokio::spawn(self.clone().drain(pool.clone(), code_id));
        }
        answered
            .await
            .map_err(|_| Error::Broken("the activation queue dropped a claim".into()))?
    }

    /// Runs the batches of one code until its queue is empty.
    async fn drain(self, pool: PgPool, code_id: i64) {
        // Should this task panic, the code's queue is dropped so the next
        // claim starts a new one; claims still waiting then hear `Broken`
        // from their dropped senders. A normal end leaves the queue alone:
        // by then a new claim may already have started the next task.
        let mut on_panic = DropQueueOnPanic {
            inner: &self.inner,
            code_id,
            armed: true,
        };
        loop {
            if !self.inner.config.max_wait.is_zero()
                && self.waiting(code_id) < self.inner.config.max_batch
            {
                tokio::time::sleep(self.inner.config.max_wait).await;
            }
            let batch = {
                let mut codes = self
                    .inner
                    .codes
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                let Some(queue) = codes.get_mut(&code_id) else {
                    on_panic.armed = false;
                    return;
                };
                if queue.waiting.is_empty() {
                    codes.remove(&code_id);
                    on_panic.armed = false;
                    return;
                }
                let n = queue.waiting.len().min(self.inner.config.max_batch);
                queue.waiting.drain(..n).collect::<Vec<_>>()
            };
            self.run(&pool, code_id, batch).await;
        }
    }

    fn waiting(&self, code_id: i64) -> usize {
        let codes = self
            .inner
            .codes
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        codes.get(&code_id).map_or(0, |q| q.waiting.len())
    }

    /// Claims one batch and answers each claim. When the batch as a whole
    /// fails (a balance overflowing between check and credit, a lost
    /// connection), each claim is tried alone, so one bad claim never fails
    /// its batch-mates.
    async fn run(&self, pool: &PgPool, code_id: i64, batch: Vec<Claim>) {
        let started = Instant::now();
        let oldest = batch.iter().map(|c| c.queued).min().unwrap_or(started);
        metrics::histogram!("promo_batch_size").record(batch.len() as f64);
        metrics::histogram!("promo_queue_wait_seconds").record((started - oldest).as_secs_f64());
        match claim_batch(pool, self.inner.gate, code_id, &batch).await {
            Ok(outcomes) => {
                for (claim, outcome) in batch.into_iter().zip(outcomes) {
                    let _ = claim.answer.send(outcome);
                }
            }
            Err(error) if batch.len() > 1 => {
                tracing::warn!(%error, size = batch.len(), code_id, "batch failed; claiming one by one");
                for claim in batch {
                    let outcome = match claim_batch(
                        pool,
                        self.inner.gate,
                        code_id,
                        std::slice::from_ref(&claim),
                    )
                    .await
                    {
                        Ok(mut outcomes) => outcomes.pop().unwrap_or(Err(error_gone())),
                        Err(e) => Err(e),
                    };
                    let _ = claim.answer.send(outcome);
                }
            }
            Err(error) => {
                if let Some(claim) = batch.into_iter().next() {
                    let _ = claim.answer.send(Err(error));
                }
            }
        }
    }
}

/// One call of `promo_claim_batch`: the outcomes in the claims' order.
async fn claim_batch(
    pool: &PgPool,
    gate: GateSettings,
    code_id: i64,
    batch: &[Claim],
) -> Result<Vec<Result<Activation>>> {
    let players: Vec<i64> = batch.iter().map(|c| c.player_id).collect();
    let channels: Vec<&str> = batch.iter().map(|c| c.channel.as_str()).collect();
    let gated: Vec<bool> = batch.iter().map(|c| c.gated).collect();
    let ips: Vec<Option<String>> = batch
        .iter()
        .map(|c| c.ip.map(|ip| ip.to_string()))
        .collect();
    let rows = sqlx::query_as!(
        SlotRow,
        r#"
        SELECT outcome AS "outcome!", at AS "at: DateTime<Utc>", activation_id, ordinal,
               reward, balance_after, ledger_entry_id, code_name, currency
          FROM promo_claim_batch($1, $2, $3, $4, $5,
                                 make_interval(secs => $6), make_interval(secs => $7))
         ORDER BY slot
        "#,
        code_id,
        &players,
        &channels as &[&str],
        &gated,
        &ips as &[Option<String>],
        gate.window.as_secs_f64(),
        gate.cooldown.as_secs_f64(),
    )
    .fetch_all(pool)
    .await?;
    if rows.len() != batch.len() {
        return Err(Error::Broken(format!(
            "promo_claim_batch answered {} slots for {} claims",
            rows.len(),
            batch.len()
        )));
    }
    Ok(rows.into_iter().map(|row| row.outcome(code_id)).collect())
}

fn error_gone() -> Error {
    Error::Broken("promo_claim_batch answered no slot".into())
}

struct DropQueueOnPanic<'a> {
    inner: &'a Inner,
    code_id: i64,
    armed: bool,
}

impl Drop for DropQueueOnPanic<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.inner
                .codes
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(&self.code_id);
        }
    }
}

/// One slot of `promo_claim_batch`'s answer.
struct SlotRow {
    outcome: String,
    at: Option<DateTime<Utc>>,
    activation_id: Option<i64>,
    ordinal: Option<i32>,
    reward: Option<i64>,
    balance_after: Option<i64>,
    ledger_entry_id: Option<i64>,
    code_name: Option<String>,
    currency: Option<String>,
}

impl SlotRow {
    fn outcome(self, code_id: i64) -> Result<Activation> {
        let at = || {
            self.at
                .ok_or_else(|| Error::Broken(format!("{} without a time", self.outcome)))
        };
        Err(match self.outcome.as_str() {
            "granted" => {
                return match (
                    self.activation_id,
                    self.ordinal,
                    self.reward,
                    self.balance_after,
                    self.ledger_entry_id,
                    self.at,
                ) {
                    (
                        Some(activation_id),
                        Some(ordinal),
                        Some(reward),
                        Some(balance_after),
                        Some(ledger_entry_id),
                        Some(activated_at),
                    ) => Ok(Activation {
                        activation_id,
                        code_id,
                        code_name: self.code_name.unwrap_or_default(),
                        ordinal,
                        reward,
                        currency: self.currency.unwrap_or_default(),
                        balance_after,
                        ledger_entry_id,
                        activated_at,
                    }),
                    _ => Err(Error::Broken("a grant without its rows".into())),
                }
            }
            "unknown" => Error::Unknown,
            "disabled" => Error::Disabled,
            "not_started" => Error::NotStarted { starts_at: at()? },
            "expired" => Error::Expired { ended_at: at()? },
            "already_activated" => Error::AlreadyActivated,
            "not_eligible" => Error::NotEligible,
            "unknown_player" => Error::UnknownPlayer,
            "exhausted" => Error::Exhausted,
            "balance_full" => Error::BalanceFull,
            "locked_out" => Error::LockedOut { until: at()? },
            "cooldown" => Error::Cooldown { until: at()? },
            other => Error::Broken(format!("unknown batch outcome {other}")),
        })
    }
}
