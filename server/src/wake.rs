//! Waking background work: a worker when PostgreSQL says there is work
//! (`LISTEN` on a channel, reconnecting after a lost connection and waking
//! then too, since notices may have been missed meanwhile; workers still
//! poll now and then, so a lost notice only delays), and clean-ups on a
//! period.

use std::future::Future;
use std::time::Duration;

use sqlx::postgres::PgListener;
use sqlx::PgPool;
use tokio::sync::Notify;

/// Wakes `wake` on every notice on `channel` until the pool closes.
pub async fn on_notice(pool: PgPool, channel: &'static str, wake: &Notify) {
    while !pool.is_closed() {
        match PgListener::connect_with(&pool).await {
            Ok(mut listener) => {
                if let Err(e) = listener.listen(channel).await {
                    tracing::warn!(error = %e, channel, "listening for notices");
                } else {
                    wake.notify_one();
                    loop {
                        match listener.try_recv().await {
                            Ok(_) => wake.notify_one(),
                            Err(_) if pool.is_closed() => return,
                            Err(e) => {
                                tracing::warn!(error = %e, channel, "notices interrupted");
                                break;
                            }
                        }
                    }
                }
            }
            Err(_) if pool.is_closed() => return,
            Err(e) => tracing::warn!(error = %e, channel, "connecting for notices"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Runs `prune` every `period` until the pool closes, logging how many
/// `what` it deleted (or why it could not).
pub async fn prune_every<F, Fut>(pool: PgPool, period: Duration, what: &'static str, prune: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = app::core::Result<u64>>,
{
    while !pool.is_closed() {
        match prune().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(deleted = n, what, "pruned"),
            Err(e) if pool.is_closed() => tracing::debug!(error = %e, what, "pruning stops"),
            Err(e) => tracing::warn!(error = %e, what, "pruning failed"),
        }
        tokio::time::sleep(period).await;
    }
}
