//! Load on the activation core: C tasks activate codes for new players for T
//! seconds, on the one-claim path (`activate` on a connection) or the
//! pipeline (`Guard::activate`: code cache, queue, group commit), and the
//! rate and latency they saw.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use app::core::abuse::{Guard, PipelineConfig, Policy};
use app::core::{activate, ActivationError, ActivationRequest, Channel, CodeRef, PromoCodeText};
use hdrhistogram::Histogram;
use sqlx::PgPool;

/// What one run measured.
#[derive(Clone, Copy, Debug)]
pub struct Measured {
    pub granted: u64,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub refused: u64,
}

impl Measured {
    pub fn of(latencies: &Histogram<u64>, elapsed: Duration, refused: u64) -> Self {
        Self {
            granted: latencies.len(),
            per_second: latencies.len() as f64 / elapsed.as_secs_f64(),
            p50_ms: latencies.value_at_quantile(0.50) as f64 / 1000.0,
            p99_ms: latencies.value_at_quantile(0.99) as f64 / 1000.0,
            refused,
        }
    }
}

pub fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 60_000_000, 3).expect("histogram bounds")
}

/// What a task of a load run saw: latencies of the grants, refusals.
pub type TaskResult = Result<(Histogram<u64>, u64)>;

/// Waits for every task of a run and adds up what they saw.
pub async fn gather(
    tasks: Vec<tokio::task::JoinHandle<TaskResult>>,
    started: Instant,
) -> Result<Measured> {
    let mut all = histogram();
    let mut refused = 0;
    for task in futures::future::join_all(tasks).await {
        let (latencies, r) = task??;
        all.add(latencies)?;
        refused += r;
    }
    Ok(Measured::of(&all, started.elapsed(), refused))
}

/// The pipeline as the server runs it: a guard listening, so its code cache
/// is in use; `lanes` batches in flight at once.
pub async fn pipeline(pool: &PgPool, lanes: usize) -> Guard {
    let mut config = PipelineConfig::default();
    config.queue.lanes = lanes;
    let guard = Guard::with_pipeline(Policy::default(), config);
    tokio::spawn(guard.clone().follow(pool.clone()));
    while !guard.cache().is_live() {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    guard
}

/// Where the players come from: each activation takes the next one.
pub struct Players {
    pub ids: Arc<Vec<i64>>,
    pub next: Arc<AtomicUsize>,
}

impl Players {
    pub fn exhausted(&self) -> bool {
        self.next.load(Ordering::Relaxed) >= self.ids.len()
    }
}

/// `concurrency` tasks activate `codes` in turn for `seconds`, on the
/// pipeline when `guard` is given, else on the one-claim path. `Job` claims
/// skip the input gate; `Form` claims pass it as the redeem form's do, each
/// player from its own address (as in the HTTP benchmark).
pub async fn run(
    concurrency: usize,
    seconds: u64,
    pool: &PgPool,
    guard: Option<&Guard>,
    codes: &[PromoCodeText],
    players: &Players,
    channel: Channel,
) -> Result<Measured> {
    let codes = Arc::new(codes.to_vec());
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..concurrency)
        .map(|task| {
            let (pool, guard, codes) = (pool.clone(), guard.cloned(), codes.clone());
            let (ids, next) = (players.ids.clone(), players.next.clone());
            tokio::spawn(async move {
                let mut latencies = histogram();
                let mut refused = 0u64;
                let mut i = task;
                while Instant::now() < deadline {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&player_id) = ids.get(n) else {
                        break;
                    };
                    let request = ActivationRequest {
                        player_id,
                        code: CodeRef::Text(codes[i % codes.len()].clone()),
                        channel,
                    };
                    let ip = match channel {
                        Channel::Job => None,
                        _ => super::http_load::address(n).parse().ok(),
                    };
                    i = i.wrapping_add(7919);
                    let t0 = Instant::now();
                    let outcome = match &guard {
                        Some(guard) => guard.activate(&pool, &request, ip).await,
                        None => activate(&mut *pool.acquire().await?, &request).await,
                    };
                    match outcome {
                        Ok(_) => {
                            latencies.record(t0.elapsed().as_micros() as u64).ok();
                        }
                        Err(ActivationError::Database(e)) => return Err(anyhow::Error::from(e)),
                        Err(_) => refused += 1,
                    }
                }
                Ok::<_, anyhow::Error>((latencies, refused))
            })
        })
        .collect();
    gather(tasks, started).await
}
