//! Browser sessions as the session layer keeps them (their data, which this
//! module does not read, and their expiry) with the signed-in player's id beside, so
//! loading a session reads its player in the same statement; sessions
//! asked for at the same moment are read together (`session_loader`).

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::auth::PlayerAccount;
use crate::error::Result;

/// A stored session and, when it signs a player in, that player's account.
#[derive(Clone)]
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

/// Those of these sessions that exist and have not expired, each with its
/// player, in one statement (`SessionLoader` gathers the ids).
pub async fn load_many(
    db: impl sqlx::PgExecutor<'_>,
    ids: &[String],
) -> Result<Vec<(String, LoadedSession)>> {
    let rows = sqlx::query!(
        r#"SELECT s.id, s.record, s.expires_at, p.id AS "player_id?", p.username AS "username?",
                  p.locale AS "locale?", COALESCE(p.password_hash, '') AS "password_hash?"
             FROM browser_sessions s
             LEFT JOIN players p ON p.id = s.player_id
            WHERE s.id = ANY ($1) AND s.expires_at > now()"#,
        ids
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let player = match (row.player_id, row.username, row.locale) {
                (Some(id), Some(username), Some(locale)) => Some(PlayerAccount::stored(
                    id,
                    username,
                    locale,
                    row.password_hash.unwrap_or_default(),
                )),
                _ => None,
            };
            let session = LoadedSession {
                record: row.record,
                expires_at: row.expires_at,
                player,
            };
            (row.id, session)
        })
        .collect())
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
