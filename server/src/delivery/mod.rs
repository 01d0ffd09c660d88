//! The event delivery worker: hands new outbox events to their deliveries,
//! takes due ones (`FOR UPDATE SKIP LOCKED`, so any number of instances run
//! it at once) and sends them, webhooks each on its own task with a share
//! per endpoint, NATS in batches. Woken by `LISTEN promo_outbox`; a retry
//! falls due on its own time. The core (`app::core::delivery`) holds the SQL.

mod nats;
mod webhook;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use app::core::delivery::{self, Attempt, Lease, RetryPolicy, Sink};
use sqlx::PgPool;
use tokio::sync::{Notify, Semaphore};

pub use nats::NatsConfig;

/// How this process delivers.
#[derive(Clone, Debug, PartialEq)]
pub struct DeliveryConfig {
    pub nats: Option<NatsConfig>,
    /// The longest one webhook request may take.
    pub webhook_timeout: Duration,
    pub retry: RetryPolicy,
    /// Webhook requests in flight at once.
    pub concurrency: usize,
    /// Of those, at most this many to one endpoint, so a slow one never
    /// takes every slot.
    pub per_endpoint: usize,
    /// Events handed to their deliveries in one statement, and NATS
    /// deliveries sent in one batch.
    pub batch: i64,
    /// How long delivered events are kept.
    pub retention: Duration,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        Self {
            nats: None,
            webhook_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            concurrency: 64,
            per_endpoint: 8,
            batch: 500,
            retention: Duration::from_secs(168 * 3600),
        }
    }
}

/// The longest the worker sleeps with nothing announced (a lost
/// notification costs at most this much delay).
const IDLE: Duration = Duration::from_secs(2);

struct Worker {
    pool: PgPool,
    config: DeliveryConfig,
    client: reqwest::Client,
    nats: Option<nats::Publisher>,
    wake: Notify,
    slots: Arc<Semaphore>,
    /// Webhook attempts in flight, by endpoint.
    in_flight: Mutex<HashMap<i64, usize>>,
}

/// Runs the worker until the pool closes. Several tasks: the listener, the
/// loop, the pruning.
pub fn spawn(
    pool: &PgPool,
    config: DeliveryConfig,
) -> anyhow::Result<Vec<tokio::task::JoinHandle<()>>> {
    // rustls on ring for webhooks over https (already chosen: fine).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = webhook::client(config.webhook_timeout)?;
    let nats = config.nats.clone().map(nats::Publisher::start);
    let worker = Arc::new(Worker {
        pool: pool.clone(),
        slots: Arc::new(Semaphore::new(config.concurrency)),
        config,
        client,
        nats,
        wake: Notify::new(),
        in_flight: Mutex::new(HashMap::new()),
    });
    Ok(vec![
        tokio::spawn(worker.clone().listen()),
        tokio::spawn(worker.clone().run()),
        tokio::spawn(worker.prune()),
    ])
}

impl Worker {
    fn in_flight(&self) -> std::sync::MutexGuard<'_, HashMap<i64, usize>> {
        self.in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Wakes the loop on every `promo_outbox` notification.
    async fn listen(self: Arc<Self>) {
        crate::wake::on_notice(self.pool.clone(), "promo_outbox", &self.wake).await;
    }

    async fn run(self: Arc<Self>) {
        while !self.pool.is_closed() {
            let busy = match self.round().await {
                Ok(busy) => busy,
                Err(e) if self.pool.is_closed() => {
                    tracing::debug!(error = %e, "delivery stops");
                    return;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "event delivery round failed");
                    false
                }
            };
            if busy {
                continue;
            }
            let wait = match delivery::next_due(&self.pool).await {
                Ok(Some(at)) => (at - chrono::Utc::now())
                    .to_std()
                    .unwrap_or(Duration::ZERO)
                    .min(IDLE),
                _ => IDLE,
            };
            if wait > Duration::ZERO {
                let _ = tokio::time::timeout(wait, self.wake.notified()).await;
            } else {
                // Due now but nothing could be taken (every slot busy, or
                // leased elsewhere): wait for a slot or a moment.
                let _ = tokio::time::timeout(Duration::from_millis(50), self.wake.notified()).await;
            }
        }
    }

    /// One round: new events to their deliveries, then what is due. Answers
    /// whether there may be more to do right away.
    async fn round(self: &Arc<Self>) -> app::core::Result<bool> {
        let nats_live = self.nats.as_ref().is_some_and(nats::Publisher::is_live);
        let handed = delivery::fan_out(&self.pool, self.nats.is_some(), self.config.batch).await?;
        let mut more = handed as i64 >= self.config.batch;
        if nats_live {
            more |= self.send_nats_batch().await?;
        }
        more |= self.take_webhooks().await?;
        Ok(more)
    }

    /// Leases webhook deliveries for the free slots and starts each on its
    /// own task. Answers whether it filled every free slot.
    async fn take_webhooks(self: &Arc<Self>) -> app::core::Result<bool> {
        let free = self.slots.available_permits();
        if free == 0 {
            return Ok(false);
        }
        let busy: Vec<i64> = self
            .in_flight()
            .iter()
            .filter(|(_, n)| **n >= self.config.per_endpoint)
            .map(|(id, _)| *id)
            .collect();
        let leases = delivery::lease(
            &self.pool,
            &[Sink::Webhook],
            &busy,
            free.min(self.config.per_endpoint * 4) as i64,
            self.config.per_endpoint as i64,
            self.config.webhook_timeout + Duration::from_secs(5),
        )
        .await?;
        let filled = !leases.is_empty() && leases.len() >= free;
        for lease in leases {
            let Some(endpoint) = lease.target.as_ref().map(|t| t.endpoint_id) else {
                continue;
            };
            let Ok(permit) = self.slots.clone().try_acquire_owned() else {
                break;
            };
            *self.in_flight().entry(endpoint).or_default() += 1;
            let worker = self.clone();
            tokio::spawn(async move {
                let attempt = webhook::send(&worker.client, &lease).await;
                worker.finish(&lease, attempt).await;
                let mut in_flight = worker.in_flight();
                if let Some(n) = in_flight.get_mut(&endpoint) {
                    *n -= 1;
                    if *n == 0 {
                        in_flight.remove(&endpoint);
                    }
                }
                drop(in_flight);
                drop(permit);
                worker.wake.notify_one();
            });
        }
        Ok(filled)
    }

    /// Leases a batch of NATS deliveries, publishes them all and records
    /// the outcomes. Answers whether the batch was full.
    async fn send_nats_batch(&self) -> app::core::Result<bool> {
        let Some(publisher) = &self.nats else {
            return Ok(false);
        };
        let leases = delivery::lease(
            &self.pool,
            &[Sink::Nats],
            &[],
            self.config.batch,
            self.config.batch,
            publisher.ack_timeout() + Duration::from_secs(5),
        )
        .await?;
        let full = leases.len() as i64 >= self.config.batch;
        if leases.is_empty() {
            return Ok(false);
        }
        let outcomes = publisher.publish_all(&leases).await;
        let delivered: Vec<i64> = leases
            .iter()
            .zip(&outcomes)
            .filter(|(_, outcome)| matches!(outcome, Attempt::Delivered { .. }))
            .map(|(lease, _)| lease.delivery_id)
            .collect();
        delivery::record_delivered(&self.pool, &delivered).await?;
        for (lease, outcome) in leases.iter().zip(outcomes) {
            if let Attempt::Failed { .. } = outcome {
                self.finish(lease, outcome).await;
            }
        }
        Ok(full)
    }

    /// Records an attempt (a failure to record leaves the lease to run out,
    /// so the delivery is simply tried again).
    async fn finish(&self, lease: &Lease, attempt: Attempt) {
        if let Attempt::Failed { error, .. } = &attempt {
            tracing::info!(
                delivery = lease.delivery_id,
                event = lease.event_id,
                attempt = lease.attempt,
                error = %error,
                "delivery failed"
            );
        }
        metrics::counter!(
            "promo_deliveries_total",
            "sink" => if lease.target.is_some() { "webhook" } else { "nats" },
            "outcome" => if matches!(attempt, Attempt::Delivered { .. }) { "delivered" } else { "failed" },
        )
        .increment(1);
        match delivery::record(&self.pool, lease, &attempt, &self.config.retry).await {
            Ok(true) => tracing::warn!(
                delivery = lease.delivery_id,
                event = lease.event_id,
                "webhook delivery gave up: dead (redeliver it from the dashboard)"
            ),
            Ok(false) => {}
            Err(e) => {
                tracing::warn!(error = %e, delivery = lease.delivery_id, "recording a delivery")
            }
        }
    }

    /// Deletes old delivered events now and then.
    async fn prune(self: Arc<Self>) {
        let retention = self.config.retention;
        let pool = self.pool.clone();
        crate::wake::prune_every(
            self.pool.clone(),
            Duration::from_secs(600),
            "delivered events",
            || delivery::prune(&pool, retention),
        )
        .await;
    }
}
