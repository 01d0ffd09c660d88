//! What the guard hears from every instance: `promo_blocks` (blocks made or
//! lifted) into its memory of player blocks, and `promo_codes` (code changes)
//! into its code cache, over one listening connection.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use sqlx::PgPool;

use super::Guard;
use crate::notices::Follower;

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
        crate::notices::follow(pool, self).await
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

impl Follower for Guard {
    fn channels(&self) -> &'static [&'static str] {
        &["promo_blocks", "promo_codes"]
    }

    fn heard(&self, channel: &str, payload: &str) {
        match channel {
            "promo_codes" => self.inner.cache.apply(payload),
            _ => self.apply(payload),
        }
    }

    fn set_live(&self, live: bool) {
        self.blocks().clear();
        self.inner.cache.set_live(live);
    }
}
