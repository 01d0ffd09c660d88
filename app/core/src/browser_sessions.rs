//! Browser sessions as the session layer keeps them (their data, which this
//! module does not read, and their expiry) with the signed-in player's id beside, so
//! loading a session reads its player in the same statement.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::auth::PlayerAccount;
use crate::error::Result;

/// A stored session and, when it signs a player in, that player's account.
pub struct LoadedSession {
    pub record: serde_json::Value,
    pub expires_at: DateTime<Utc>,
    pub player: Option<PlayerAccount>,
}

/// Stores a session under a new id; `false` when the id is taken (the
/// caller draws another). Not announced: nobody can remember a new id.
pub async fn insert_new(
    pool: &PgPool,
    id: &str,
    record: &serde_json::Value,
    player_id: Option<i64>,
    expires_at: DateTime<Utc>,
) -> Result<bool> {
    let inserted = sqlx::query!(
        "INSERT INTO browser_sessions (id, record, player_id, expires_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO NOTHING",
        id,
        record,
        player_id,
        expires_at
    )
    .execute(pool)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// Stores a changed session and announces it on `promo_sessions` in the
/// same statement, so no instance answers from what it remembered of it.
pub async fn save(
    pool: &PgPool,
    id: &str,
    record: &serde_json::Value,
    player_id: Option<i64>,
    expires_at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query!(
        r#"WITH saved AS (
               INSERT INTO browser_sessions (id, record, player_id, expires_at) VALUES ($1, $2, $3, $4)
               ON CONFLICT (id) DO UPDATE
                  SET record = excluded.record, player_id = excluded.player_id,
                      expires_at = excluded.expires_at)
           SELECT pg_notify('promo_sessions', $1)::text AS "announced!""#,
        id,
        record,
        player_id,
        expires_at
    )
    .fetch_one(pool)
    .await?;
    Ok(())
}

/// The session with this id unless it has expired, with its player.
pub async fn load(pool: &PgPool, id: &str) -> Result<Option<LoadedSession>> {
    let row = sqlx::query!(
        r#"SELECT s.record, s.expires_at, p.id AS "player_id?", p.username AS "username?", p.locale AS "locale?",
                  COALESCE(p.password_hash, '') AS "password_hash?"
             FROM browser_sessions s
             LEFT JOIN players p ON p.id = s.player_id
            WHERE s.id = $1 AND s.expires_at > now()"#,
        id
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|row| LoadedSession {
        record: row.record,
        expires_at: row.expires_at,
        player: match (row.player_id, row.username, row.locale) {
            (Some(id), Some(username), Some(locale)) => Some(PlayerAccount::stored(
                id,
                username,
                locale,
                row.password_hash.unwrap_or_default(),
            )),
            _ => None,
        },
    }))
}

/// Ends a session and announces it, like `save`.
pub async fn delete(pool: &PgPool, id: &str) -> Result<()> {
    sqlx::query!(
        r#"WITH ended AS (DELETE FROM browser_sessions WHERE id = $1)
           SELECT pg_notify('promo_sessions', $1)::text AS "announced!""#,
        id
    )
    .fetch_one(pool)
    .await?;
    Ok(())
}

/// Deletes expired sessions; how many.
pub async fn delete_expired(pool: &PgPool) -> Result<u64> {
    let deleted = sqlx::query!("DELETE FROM browser_sessions WHERE expires_at <= now()")
        .execute(pool)
        .await?;
    Ok(deleted.rows_affected())
}
