//! Browser sessions as the session layer keeps them (their data, which this
//! module does not read, and their expiry) with the signed-in player's id beside, so
//! loading a session reads its player in the same statement; sessions asked
//! for at the same time are read together (`SessionLoader`).

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use tokio::sync::{mpsc, oneshot, Semaphore};

use crate::auth::PlayerAccount;
use crate::error::{Error, Result};

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
/// player, in one statement.
pub async fn load_many(pool: &PgPool, ids: &[String]) -> Result<Vec<(String, LoadedSession)>> {
    let rows = sqlx::query!(
        r#"SELECT s.id, s.record, s.expires_at, p.id AS "player_id?", p.username AS "username?",
                  p.locale AS "locale?", COALESCE(p.password_hash, '') AS "password_hash?"
             FROM browser_sessions s
             LEFT JOIN players p ON p.id = s.player_id
            WHERE s.id = ANY ($1) AND s.expires_at > now()"#,
        ids
    )
    .fetch_all(pool)
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

/// Reads the sessions that requests ask for at the same time in one
/// statement. Every redeem reads its session before it joins the claim
/// batch; read one by one, those reads took a round trip and a statement
/// each, and under load the batches filled less. A load that finds the
/// loader busy waits for the next statement, which takes everything waiting.
#[derive(Clone, Debug)]
pub struct SessionLoader {
    loads: mpsc::UnboundedSender<Load>,
}

type Load = (String, oneshot::Sender<Result<Option<LoadedSession>>>);

/// Statements in flight at once, and sessions in one statement.
const IN_FLIGHT: usize = 2;
const MOST_AT_ONCE: usize = 256;

impl SessionLoader {
    /// Starts the loader's task (on the current runtime); it ends when the
    /// last clone is dropped.
    pub fn start(pool: PgPool) -> Self {
        let (loads, waiting) = mpsc::unbounded_channel();
        tokio::spawn(gather(pool, waiting));
        Self { loads }
    }

    /// The session with this id unless it has expired, with its player.
    pub async fn load(&self, id: String) -> Result<Option<LoadedSession>> {
        let (answer, answered) = oneshot::channel();
        self.loads
            .send((id, answer))
            .map_err(|_| Error::Broken("the session loader has stopped".into()))?;
        answered
            .await
            .map_err(|_| Error::Broken("the session loader dropped a load".into()))?
    }
}

async fn gather(pool: PgPool, mut waiting: mpsc::UnboundedReceiver<Load>) {
    let in_flight = Arc::new(Semaphore::new(IN_FLIGHT));
    while let Some(first) = waiting.recv().await {
        // Taken before the batch is drawn: what arrives while both
        // statements run goes into the next one.
        let Ok(permit) = in_flight.clone().acquire_owned().await else {
            return;
        };
        let mut batch = vec![first];
        while batch.len() < MOST_AT_ONCE {
            match waiting.try_recv() {
                Ok(load) => batch.push(load),
                Err(_) => break,
            }
        }
        let pool = pool.clone();
        tokio::spawn(async move {
            answer(&pool, batch).await;
            drop(permit);
        });
    }
}

async fn answer(pool: &PgPool, batch: Vec<Load>) {
    let ids: Vec<String> = batch.iter().map(|(id, _)| id.clone()).collect();
    match load_many(pool, &ids).await {
        Ok(found) => {
            let found: HashMap<String, LoadedSession> = found.into_iter().collect();
            for (id, answer) in batch {
                let _ = answer.send(Ok(found.get(&id).cloned()));
            }
        }
        Err(error) => {
            let error = error.to_string();
            for (_, answer) in batch {
                let _ = answer.send(Err(Error::Broken(error.clone())));
            }
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Many loads at once, repeated and unknown ids among them: each gets
    /// its own session (or none), never a batch-mate's.
    #[sqlx::test(migrations = "../../migrations")]
    async fn loads_at_once_each_get_their_own_session(pool: PgPool) {
        let players: Vec<i64> = sqlx::query_scalar(
            "INSERT INTO players (username) SELECT 'loader' || g FROM generate_series(1, 20) g RETURNING id",
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        let later = Utc::now() + chrono::Duration::hours(1);
        for (n, player) in players.iter().enumerate() {
            let record = serde_json::json!({ "n": n });
            // Every fifth signs nobody in.
            let player = (n % 5 != 0).then_some(*player);
            assert!(insert_new(&pool, &format!("s{n}"), &record, player, later)
                .await
                .unwrap());
        }
        let earlier = Utc::now() - chrono::Duration::hours(1);
        insert_new(&pool, "gone", &serde_json::json!({}), None, earlier)
            .await
            .unwrap();

        let loader = SessionLoader::start(pool.clone());
        let tasks: Vec<_> = (0..600)
            .map(|i| {
                let loader = loader.clone();
                tokio::spawn(async move {
                    let id = match i % 25 {
                        20 => "gone".to_owned(),
                        21..=24 => format!("unknown{i}"),
                        n => format!("s{n}"),
                    };
                    (i % 25, loader.load(id).await.unwrap())
                })
            })
            .collect();
        for task in tasks {
            let (n, loaded) = task.await.unwrap();
            match n {
                20..=24 => assert!(loaded.is_none(), "{n}"),
                n => {
                    let loaded = loaded.expect("a stored session");
                    assert_eq!(loaded.record["n"], n);
                    let player = loaded.player.map(|p| p.username);
                    let expected = (n % 5 != 0).then(|| format!("loader{}", n + 1));
                    assert_eq!(player, expected);
                }
            }
        }
    }
}
