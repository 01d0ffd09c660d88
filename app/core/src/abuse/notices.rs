//! What the guard hears from every instance: `promo_blocks` (blocks made or
//! lifted) into its memory of player blocks, and `promo_codes` (code changes)
//! into its code cache, over one listening connection.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use sqlx::postgres::PgListener;
use sqlx::PgPool;

use super::Guard;

/// What `promo_blocks` notifications carry.
#[derive(Deserialize)]
struct Notice {
    op: String,
    scope: String,
    subject: String,
    until: Option<DateTime<Utc>>,
}

impl Guard {
    /// Follows `promo_blocks` so blocks made or lifted by any instance reach
    /// this one's memory, and `promo_codes` so its code cache drops what
    /// changed. Runs until the process ends; after a lost connection it
    /// forgets everything and bypasses the cache until it listens again
    /// (the database stays the authority).
    pub async fn follow(self, pool: PgPool) {
        let cache = self.inner.cache.clone();
        // Until the pool is closed (the process is shutting down).
        while !pool.is_closed() {
            match PgListener::connect_with(&pool).await {
                Ok(mut listener) => {
                    if let Err(e) = listener.listen_all(["promo_blocks", "promo_codes"]).await {
                        tracing::warn!(error = %e, "listening for blocks and code changes");
                    } else {
                        self.blocks().clear();
                        cache.set_live(true);
                        loop {
                            match listener.try_recv().await {
                                Ok(Some(notice)) if notice.channel() == "promo_codes" => {
                                    cache.apply(notice.payload())
                                }
                                Ok(Some(notice)) => self.apply(notice.payload()),
                                Ok(None) => {
                                    // Reconnected: notices may have been missed.
                                    self.blocks().clear();
                                    cache.set_live(false);
                                    break;
                                }
                                Err(_) if pool.is_closed() => break,
                                Err(e) => {
                                    tracing::warn!(error = %e, "block and code notices interrupted");
                                    break;
                                }
                            }
                        }
                    }
                }
                Err(_) if pool.is_closed() => break,
                Err(e) => tracing::warn!(error = %e, "connecting for block and code notices"),
            }
            self.blocks().clear();
            cache.set_live(false);
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }

    pub(super) fn apply(&self, payload: &str) {
        let Ok(notice) = serde_json::from_str::<Notice>(payload) else {
            tracing::warn!(payload, "unreadable block notice");
            return;
        };
        if notice.scope != "player" {
            return;
        }
        let Ok(player_id) = notice.subject.parse::<i64>() else {
            return;
        };
        match (notice.op.as_str(), notice.until) {
            ("block", Some(until)) => self.remember(player_id, until),
            ("lift", _) => self.forget(player_id),
            _ => {}
        }
    }
}
