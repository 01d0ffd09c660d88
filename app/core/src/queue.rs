//! The activation queue (group commit). Claims that arrive while earlier
//! batches are being committed wait and go together into the next batch: one
//! call of `promo_claim_many` (see its migration), one transaction, one
//! commit, every claim still with its own exact answer. Batches run in a few
//! lanes at once; a code is in at most one lane's batch at a time, so a hot
//! code's claims gather behind its lock while other codes' claims share the
//! other lanes' commits. A quiet claim goes at once (a batch of one), so
//! nobody waits for company unless `max_wait` asks for it.

use std::collections::{HashSet, VecDeque};
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
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
    /// as soon as a lane is free).
    pub max_wait: Duration,
    /// How many batches may be in flight at once (each holds one connection).
    pub lanes: usize,
}

impl Default for QueueConfig {
    fn default() -> Self {
        Self {
            max_batch: 256,
            max_wait: Duration::ZERO,
            // Fewer, larger batches: on two cores two lanes claimed 1,000
            // codes 15-30 % faster than four at 16 and 64 players, and as
            // fast at 256 (`bench -s many --lanes N`, side by side).
            lanes: 2,
        }
    }
}

/// One claim waiting in the queue.
struct Claim {
    code_id: i64,
    player_id: i64,
    channel: Channel,
    /// Checked against the input gate (jobs are not).
    gated: bool,
    ip: Option<IpAddr>,
    queued: Instant,
    answer: oneshot::Sender<Result<Activation>>,
}

/// The claims waiting, the codes some lane's batch holds, the lanes running.
#[derive(Default)]
struct State {
    waiting: VecDeque<Claim>,
    in_flight: HashSet<i64>,
    lanes: usize,
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
    state: Mutex<State>,
}

impl Inner {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl ActivationQueue {
    pub fn new(config: QueueConfig, gate: GateSettings) -> Self {
        Self {
            inner: Arc::new(Inner {
                config: QueueConfig {
                    max_batch: config.max_batch.max(1),
                    lanes: config.lanes.max(1),
                    ..config
                },
                gate,
                state: Mutex::new(State::default()),
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
            code_id,
            player_id,
            channel,
            gated: channel != Channel::Job,
            ip,
            queued: Instant::now(),
            answer,
        };
        let start = {
            let mut state = self.inner.state();
            state.waiting.push_back(claim);
            // A claim of a code in flight is picked up by that code's lane
            // when its batch commits; any other needs a free lane.
            let start =
                !state.in_flight.contains(&code_id) && state.lanes < self.inner.config.lanes;
            if start {
                state.lanes += 1;
            }
            start
        };
        if start {
            tokio::spawn(self.clone().lane(pool.clone()));
        }
        answered
            .await
            .map_err(|_| Error::Broken("the activation queue dropped a claim".into()))?
    }

    /// Runs batches until no waiting claim is free to take: each batch takes
    /// the oldest claims whose codes no other lane holds.
    async fn lane(self, pool: PgPool) {
        // However this task ends (a panic included), its codes are released
        // and its lane counted off; claims of a panicked batch hear `Broken`
        // from their dropped senders.
        let mut lane = Lane {
            inner: &self.inner,
            codes: HashSet::new(),
            counted_off: false,
        };
        loop {
            if !self.inner.config.max_wait.is_zero()
                && self.inner.state().waiting.len() < self.inner.config.max_batch
            {
                tokio::time::sleep(self.inner.config.max_wait).await;
            }
            let batch = {
                let mut state = self.inner.state();
                for code in lane.codes.drain() {
                    state.in_flight.remove(&code);
                }
                let batch = take_batch(&mut state, &mut lane.codes, self.inner.config.max_batch);
                if batch.is_empty() {
                    state.lanes -= 1;
                    lane.counted_off = true;
                    return;
                }
                batch
            };
            self.run(&pool, batch).await;
        }
    }

    /// Claims one batch and answers each claim. When the batch as a whole
    /// fails (a balance overflowing between check and credit, a lost
    /// connection), each claim is tried alone, so one bad claim never fails
    /// its batch-mates.
    async fn run(&self, pool: &PgPool, batch: Vec<Claim>) {
        let started = Instant::now();
        let oldest = batch.iter().map(|c| c.queued).min().unwrap_or(started);
        metrics::histogram!("promo_batch_size").record(batch.len() as f64);
        metrics::histogram!("promo_queue_wait_seconds").record((started - oldest).as_secs_f64());
        match claim_many(pool, self.inner.gate, &batch).await {
            Ok(outcomes) => {
                for (claim, outcome) in batch.into_iter().zip(outcomes) {
                    let _ = claim.answer.send(outcome);
                }
            }
            Err(error) if batch.len() > 1 => {
                tracing::warn!(%error, size = batch.len(), "batch failed; claiming one by one");
                for claim in batch {
                    let outcome =
                        match claim_many(pool, self.inner.gate, std::slice::from_ref(&claim)).await
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

/// Takes the oldest waiting claims (at most `max`) whose codes are free or
/// already this lane's, and marks their codes as this lane's.
fn take_batch(state: &mut State, mine: &mut HashSet<i64>, max: usize) -> Vec<Claim> {
    let mut batch = Vec::new();
    let mut kept = VecDeque::with_capacity(state.waiting.len());
    while let Some(claim) = state.waiting.pop_front() {
        if batch.len() >= max {
            kept.push_back(claim);
            kept.append(&mut state.waiting);
            break;
        }
        if mine.contains(&claim.code_id) || state.in_flight.insert(claim.code_id) {
            mine.insert(claim.code_id);
            batch.push(claim);
        } else {
            kept.push_back(claim);
        }
    }
    state.waiting = kept;
    batch
}

/// A running lane's hold on the queue, released however the lane ends.
struct Lane<'a> {
    inner: &'a Inner,
    codes: HashSet<i64>,
    counted_off: bool,
}

impl Drop for Lane<'_> {
    fn drop(&mut self) {
        if self.counted_off && self.codes.is_empty() {
            return;
        }
        let mut state = self.inner.state();
        for code in self.codes.drain() {
            state.in_flight.remove(&code);
        }
        if !self.counted_off {
            state.lanes -= 1;
        }
    }
}

/// One call of `promo_claim_many`: the outcomes in the claims' order.
async fn claim_many(
    pool: &PgPool,
    gate: GateSettings,
    batch: &[Claim],
) -> Result<Vec<Result<Activation>>> {
    let codes: Vec<i64> = batch.iter().map(|c| c.code_id).collect();
    let players: Vec<i64> = batch.iter().map(|c| c.player_id).collect();
    let channels: Vec<&str> = batch.iter().map(|c| c.channel.as_str()).collect();
    let gated: Vec<bool> = batch.iter().map(|c| c.gated).collect();
    let ips: Vec<Option<String>> = batch
        .iter()
        .map(|c| c.ip.map(|ip| ip.to_string()))
        .collect();
    let rows = sqlx::query_as!(
        SlotRow,
        // The refusals' `promo.refused` events go in the same statement, so
        // in the batch's transaction (the kinds as `events::refused` writes
        // them: a guess is `unknown`, without its code).
        r#"
        WITH slots AS (
            SELECT * FROM promo_claim_many($1, $2, $3, $4, $5,
                                           make_interval(secs => $6), make_interval(secs => $7))
        ), refusal AS (
            INSERT INTO outbox_events (topic, payload)
            SELECT 'promo.refused', jsonb_build_object(
                       'kind', CASE WHEN s.outcome IN ('unknown', 'disabled') THEN 'unknown'
                                    ELSE s.outcome END,
                       'player_id', q.player,
                       'code_id', CASE WHEN s.outcome IN ('unknown', 'disabled') THEN NULL
                                       ELSE q.code END,
                       'channel', q.channel, 'refused_at', now())
              FROM slots s
              JOIN unnest($1::bigint[], $2::bigint[], $3::text[]) WITH ORDINALITY
                   AS q(code, player, channel, slot) ON q.slot = s.slot
             WHERE s.outcome NOT IN ('granted', 'locked_out', 'cooldown')
             ORDER BY s.slot
        )
        SELECT outcome AS "outcome!", at AS "at: DateTime<Utc>", activation_id, ordinal,
               reward, balance_after, ledger_entry_id, code_name, currency
          FROM slots
         ORDER BY slot
        "#,
        &codes,
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
            "promo_claim_many answered {} slots for {} claims",
            rows.len(),
            batch.len()
        )));
    }
    Ok(rows
        .into_iter()
        .zip(&codes)
        .map(|(row, &code_id)| row.outcome(code_id))
        .collect())
}

fn error_gone() -> Error {
    Error::Broken("promo_claim_many answered no slot".into())
}

/// One slot of `promo_claim_many`'s answer.
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
