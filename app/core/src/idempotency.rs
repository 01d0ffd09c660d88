//! Idempotency keys, as Stripe defines them: a POST with `Idempotency-Key`
//! runs once; the same key with the same request answers the stored status
//! and body without doing the work again, even when the two race; the same
//! key with another request is refused. The key's row is written in the
//! transaction that does the work, so the work and its stored answer commit
//! together or not at all, and a racing request waits on the row's unique
//! key until the first one commits, then reads its answer.

use std::time::Duration;

use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::{PgPool, Postgres, Transaction};

use crate::error::Result;

/// A request's identity: method, path and body.
pub fn fingerprint(method: &str, path: &str, body: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(method.as_bytes());
    hasher.update([0]);
    hasher.update(path.as_bytes());
    hasher.update([0]);
    hasher.update(body);
    hex::encode(hasher.finalize())
}

/// An answer as stored and replayed.
#[derive(Clone, Debug, PartialEq)]
pub struct Stored {
    pub status: u16,
    pub body: Value,
}

/// What a key comes to.
pub enum Begun {
    /// First use: do the work in this transaction, then `finish`.
    Fresh(Held),
    /// Done before with the same request: answer this again.
    Replay(Stored),
    /// Used before with another request.
    Mismatch,
}

/// A key being used, its row written (not yet committed) in `tx`.
pub struct Held {
    pub tx: Transaction<'static, Postgres>,
    api_key_id: i64,
    key: String,
}

/// Keys are longer than this are refused by the adapter.
pub const MAX_KEY_LENGTH: usize = 255;

/// Claims `key` for this API key and request. A concurrent first use of the
/// same key waits here until that one commits (then it is a replay) or rolls
/// back (then this one is first).
pub async fn begin(pool: &PgPool, api_key_id: i64, key: &str, fingerprint: &str) -> Result<Begun> {
    let mut tx = pool.begin().await?;
    let mine = sqlx::query_scalar!(
        "INSERT INTO idempotency_keys (api_key_id, key, fingerprint, status, response)
         VALUES ($1, $2, $3, 102, 'null'::jsonb)
         ON CONFLICT DO NOTHING
         RETURNING true",
        api_key_id,
        key,
        fingerprint
    )
    .fetch_optional(&mut *tx)
    .await?
    .is_some();
    if mine {
        return Ok(Begun::Fresh(Held {
            tx,
            api_key_id,
            key: key.to_owned(),
        }));
    }
    let stored = sqlx::query!(
        "SELECT fingerprint, status, response FROM idempotency_keys
          WHERE api_key_id = $1 AND key = $2",
        api_key_id,
        key
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.rollback().await?;
    if stored.fingerprint != fingerprint {
        return Ok(Begun::Mismatch);
    }
    Ok(Begun::Replay(Stored {
        status: u16::try_from(stored.status).unwrap_or(500),
        body: stored.response,
    }))
}

impl Held {
    /// Stores the answer and commits it with the work.
    pub async fn finish(mut self, answer: &Stored) -> Result<()> {
        sqlx::query!(
            "UPDATE idempotency_keys SET status = $3, response = $4
              WHERE api_key_id = $1 AND key = $2",
            self.api_key_id,
            self.key,
            i32::from(answer.status),
            answer.body
        )
        .execute(&mut *self.tx)
        .await?;
        self.tx.commit().await?;
        Ok(())
    }
}

/// Deletes keys older than `keep` (at least a day); answers how many.
pub async fn prune(pool: &PgPool, keep: Duration) -> Result<u64> {
    let keep = keep.max(Duration::from_secs(24 * 3600));
    Ok(sqlx::query!(
        "DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(secs => $1)",
        keep.as_secs_f64()
    )
    .execute(pool)
    .await?
    .rows_affected())
}
