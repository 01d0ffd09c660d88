//! Following the database's announcements (`LISTEN`/`NOTIFY`): one
//! listening connection per follower, reconnected after a loss. A follower
//! is told what it hears and whether it is live, so what it keeps in memory
//! is used only while no announcement can have been missed.

use std::time::Duration;

use sqlx::postgres::PgListener;
use sqlx::PgPool;

/// Something that keeps in memory what the database announces.
pub trait Follower: Send + Sync + 'static {
    /// What it follows (also named in warnings).
    fn channels(&self) -> &'static [&'static str];
    /// One announcement on one of its channels.
    fn heard(&self, channel: &str, payload: &str);
    /// Listening (`true`) or not (`false`); either way announcements may
    /// have been missed, so what was kept is forgotten.
    fn set_live(&self, live: bool);
}

/// Runs until the pool is closed (the process is shutting down).
pub async fn follow(pool: PgPool, follower: impl Follower) {
    let channels = follower.channels();
    while !pool.is_closed() {
        match PgListener::connect_with(&pool).await {
            Ok(mut listener) => match listener.listen_all(channels.iter().copied()).await {
                Err(e) => tracing::warn!(error = %e, ?channels, "listening for notices"),
                Ok(()) => {
                    follower.set_live(true);
                    loop {
                        match listener.try_recv().await {
                            Ok(Some(notice)) => follower.heard(notice.channel(), notice.payload()),
                            // Reconnected by sqlx: notices may have been missed.
                            Ok(None) => break,
                            Err(_) if pool.is_closed() => break,
                            Err(e) => {
                                tracing::warn!(error = %e, ?channels, "notices interrupted");
                                break;
                            }
                        }
                    }
                }
            },
            Err(_) if pool.is_closed() => break,
            Err(e) => tracing::warn!(error = %e, ?channels, "connecting for notices"),
        }
        follower.set_live(false);
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
