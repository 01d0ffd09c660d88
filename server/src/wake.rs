//! Waking a worker when PostgreSQL says there is work: `LISTEN` on a channel,
//! reconnecting after a lost connection (and waking then too, since notices
//! may have been missed meanwhile). Workers still poll now and then, so a
//! lost notice only delays.

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
