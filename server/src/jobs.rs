//! The job worker: takes due jobs (`FOR UPDATE SKIP LOCKED`, so any number
//! of instances run it at once), each on its own task up to a limit, and
//! records a failure for a retry after a backoff. Woken by `LISTEN
//! promo_jobs`; a retry or a scheduled job falls due on its own time. The
//! core (`app::core::jobs`) holds the SQL and what each kind of job does.

use std::sync::Arc;
use std::time::Duration;

use app::core::jobs::{self, LeasedJob};
use sqlx::PgPool;
use tokio::sync::{Notify, Semaphore};

/// How this process works jobs.
#[derive(Clone, Debug, PartialEq)]
pub struct JobsConfig {
    /// Jobs running at once in this process.
    pub concurrency: usize,
    /// The longest one attempt may take before another worker may take it.
    pub lease: Duration,
    /// How long ended jobs are kept.
    pub retention: Duration,
}

impl Default for JobsConfig {
    fn default() -> Self {
        Self {
            concurrency: 4,
            lease: Duration::from_secs(120),
            retention: Duration::from_secs(7 * 24 * 3600),
        }
    }
}

/// The longest the worker sleeps with nothing announced.
const IDLE: Duration = Duration::from_secs(2);

struct Worker {
    pool: PgPool,
    config: JobsConfig,
    wake: Notify,
    slots: Arc<Semaphore>,
}

/// Runs the worker until the pool closes: the listener, the loop, the pruning.
pub fn spawn(pool: &PgPool, config: JobsConfig) -> Vec<tokio::task::JoinHandle<()>> {
    let worker = Arc::new(Worker {
        pool: pool.clone(),
        slots: Arc::new(Semaphore::new(config.concurrency.max(1))),
        config,
        wake: Notify::new(),
    });
    let listener = worker.clone();
    vec![
        tokio::spawn(async move {
            crate::wake::on_notice(listener.pool.clone(), "promo_jobs", &listener.wake).await
        }),
        tokio::spawn(worker.clone().run()),
        tokio::spawn(worker.prune()),
    ]
}

impl Worker {
    async fn run(self: Arc<Self>) {
        while !self.pool.is_closed() {
            let filled = match self.take().await {
                Ok(filled) => filled,
                Err(e) if self.pool.is_closed() => {
                    tracing::debug!(error = %e, "jobs stop");
                    return;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "taking jobs failed");
                    false
                }
            };
            if filled {
                // Every slot busy: wait for one to free up.
                let _ = self.slots.clone().acquire_owned().await;
                continue;
            }
            let wait = match jobs::next_due(&self.pool).await {
                Ok(Some(at)) => (at - chrono::Utc::now())
                    .to_std()
                    .unwrap_or(Duration::ZERO)
                    .clamp(Duration::from_millis(50), IDLE),
                _ => IDLE,
            };
            let _ = tokio::time::timeout(wait, self.wake.notified()).await;
        }
    }

    /// Leases jobs for the free slots and starts each on its own task.
    /// Answers whether it filled every slot.
    async fn take(self: &Arc<Self>) -> app::core::Result<bool> {
        let free = self.slots.available_permits();
        if free == 0 {
            return Ok(true);
        }
        let leased = jobs::lease(&self.pool, free as i64, self.config.lease).await?;
        let filled = leased.len() >= free;
        for job in leased {
            let Ok(permit) = self.slots.clone().try_acquire_owned() else {
                break;
            };
            let worker = self.clone();
            tokio::spawn(async move {
                worker.work(job).await;
                drop(permit);
                worker.wake.notify_one();
            });
        }
        Ok(filled)
    }

    async fn work(&self, job: LeasedJob) {
        let outcome = tokio::time::timeout(self.config.lease, jobs::run(&self.pool, &job)).await;
        let count = |outcome: &'static str| {
            metrics::counter!("promo_jobs_total", "kind" => job.kind.clone(), "outcome" => outcome)
                .increment(1);
        };
        let error = match outcome {
            Ok(Ok(step)) => {
                tracing::debug!(job = job.id, kind = %job.kind, ?step, "job done");
                count(match step {
                    jobs::Step::Done => "done",
                    jobs::Step::Later(_) => "later",
                });
                return;
            }
            Ok(Err(e)) => e.to_string(),
            Err(_) => format!("took longer than {:?}", self.config.lease),
        };
        let dead = jobs::fail(&self.pool, &job, &error).await;
        count(if matches!(dead, Ok(true)) {
            "dead"
        } else {
            "failed"
        });
        match dead {
            Ok(true) => tracing::error!(job = job.id, kind = %job.kind, key = %job.key,
                attempts = job.attempt, %error, "job failed for the last time"),
            Ok(false) => tracing::warn!(job = job.id, kind = %job.kind, key = %job.key,
                attempt = job.attempt, %error, "job failed; it will be retried"),
            Err(e) => tracing::warn!(job = job.id, error = %e, "recording a failed job"),
        }
    }

    async fn prune(self: Arc<Self>) {
        let retention = self.config.retention;
        let pool = self.pool.clone();
        crate::wake::prune_every(
            self.pool.clone(),
            Duration::from_secs(600),
            "ended jobs",
            || jobs::prune(&pool, retention),
        )
        .await;
    }
}
