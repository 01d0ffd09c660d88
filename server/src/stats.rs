//! The statistics worker: folds new activations into the rollups every
//! period and computes the retention figures now and then; behind the folded
//! mark, the activation feed (quests, referral conversions, loyalty every N)
//! and the loyalty sweep (tiers, tags). Every instance runs it; the database
//! lets one at a time do each (`app::core::stats`, `activation_feed`).

use std::time::Duration;

use app::core::stats::rollup;
use sqlx::PgPool;

/// How often this process works the statistics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StatsConfig {
    /// Between two folds of new activations: how far the reports may lag.
    pub period: Duration,
    /// Between two computations of the retention figures.
    pub retention_period: Duration,
}

impl Default for StatsConfig {
    fn default() -> Self {
        Self {
            period: Duration::from_secs(1),
            retention_period: Duration::from_secs(600),
        }
    }
}

/// Runs both loops until the pool closes.
pub fn spawn(pool: &PgPool, config: StatsConfig) -> Vec<tokio::task::JoinHandle<()>> {
    vec![
        tokio::spawn(fold(pool.clone(), config.period)),
        tokio::spawn(retention(pool.clone(), config.retention_period)),
        tokio::spawn(feed(pool.clone(), config.period)),
        tokio::spawn(loyalty(pool.clone(), LOYALTY_PERIOD)),
    ]
}

/// Between two loyalty sweeps (a full batch goes on at once).
const LOYALTY_PERIOD: Duration = Duration::from_secs(60);

async fn feed(pool: PgPool, period: Duration) {
    use app::core::activation_feed;
    while !pool.is_closed() {
        match activation_feed::step(&pool, activation_feed::CHUNK).await {
            Ok(Some(fed)) if fed.activations > 0 => {
                metrics::counter!("promo_activations_fed_total").increment(fed.activations as u64);
                metrics::counter!("promo_quests_completed_total").increment(fed.quests_completed);
                continue;
            }
            Ok(_) => {}
            Err(e) if pool.is_closed() => tracing::debug!(error = %e, "activation feed stop"),
            Err(e) => {
                tracing::warn!(error = %e, "feeding activations to quests and referrals failed")
            }
        }
        tokio::time::sleep(period).await;
    }
}

async fn loyalty(pool: PgPool, period: Duration) {
    while !pool.is_closed() {
        match app::core::loyalty::sweep(&pool).await {
            Ok(issued) if issued > 0 => {
                metrics::counter!("promo_loyalty_codes_total").increment(issued);
                continue;
            }
            Ok(_) => {}
            Err(e) if pool.is_closed() => tracing::debug!(error = %e, "loyalty sweep stop"),
            Err(e) => tracing::warn!(error = %e, "issuing loyalty codes failed"),
        }
        tokio::time::sleep(period).await;
    }
}

async fn fold(pool: PgPool, period: Duration) {
    while !pool.is_closed() {
        match rollup::step(&pool, rollup::CHUNK).await {
            // A full chunk: more is waiting, go on at once.
            Ok(Some(r)) if r.folded >= i64::from(rollup::CHUNK) => {
                metrics::counter!("promo_stats_folded_total").increment(r.folded as u64);
                continue;
            }
            Ok(Some(r)) => metrics::counter!("promo_stats_folded_total").increment(r.folded as u64),
            Ok(None) => tracing::debug!("statistics: activations in flight, folding later"),
            Err(e) if pool.is_closed() => tracing::debug!(error = %e, "statistics stop"),
            Err(e) => tracing::warn!(error = %e, "folding activations into statistics failed"),
        }
        tokio::time::sleep(period).await;
    }
}

async fn retention(pool: PgPool, period: Duration) {
    while !pool.is_closed() {
        if let Err(e) = rollup::refresh_retention(&pool).await {
            if pool.is_closed() {
                return;
            }
            tracing::warn!(error = %e, "computing the retention figures failed");
        }
        tokio::time::sleep(period).await;
    }
}
