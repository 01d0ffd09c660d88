//! Reads the sessions that requests ask for at the same moment in one
//! statement, on a connection of its own. Every redeem reads its session
//! before it joins its code's claim batch; read one by one, those reads
//! took a statement and a pool connection each, and under load fewer
//! players waited in each batch.

use std::collections::HashMap;

use sqlx::{Connection, PgConnection, PgPool};
use tokio::sync::{mpsc, oneshot};

use crate::browser_sessions::{load_many, LoadedSession};
use crate::error::{Error, Result};

/// Hands loads to the loader's task; cheap to clone.
#[derive(Clone, Debug)]
pub struct SessionLoader {
    loads: mpsc::UnboundedSender<Load>,
}

type Load = (String, oneshot::Sender<Result<Option<LoadedSession>>>);

/// Sessions read in one statement at most.
const MOST_AT_ONCE: usize = 256;

impl SessionLoader {
    /// Starts the loader's task on the current runtime. It connects with
    /// the pool's options but never waits for the pool (a load must not
    /// queue behind the requests that wait for it), and it ends, closing
    /// its connection, when the pool is closed or the last clone dropped.
    pub fn start(pool: &PgPool) -> Self {
        let (loads, waiting) = mpsc::unbounded_channel();
        tokio::spawn(serve(pool.clone(), waiting));
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

async fn serve(pool: PgPool, mut waiting: mpsc::UnboundedReceiver<Load>) {
    let mut connection: Option<PgConnection> = None;
    loop {
        // One statement at a time: what arrives while it runs waits in the
        // channel and goes into the next one. A closed pool ends the loader
        // before anything waiting is read; those loads are told so.
        let first = tokio::select! {
            biased;
            _ = pool.close_event() => break,
            load = waiting.recv() => match load {
                Some(load) => load,
                None => break,
            },
        };
        let mut batch = vec![first];
        while batch.len() < MOST_AT_ONCE {
            match waiting.try_recv() {
                Ok(load) => batch.push(load),
                Err(_) => break,
            }
        }
        let ids: Vec<String> = batch.iter().map(|(id, _)| id.clone()).collect();
        match read(&pool, &mut connection, &ids).await {
            Ok(found) => {
                let found: HashMap<String, LoadedSession> = found.into_iter().collect();
                for (id, answer) in batch {
                    let _ = answer.send(Ok(found.get(&id).cloned()));
                }
            }
            Err(error) => {
                // A broken connection is opened again for the next batch.
                connection = None;
                let error = error.to_string();
                for (_, answer) in batch {
                    let _ = answer.send(Err(Error::Broken(error.clone())));
                }
            }
        }
    }
    if let Some(connection) = connection {
        let _ = connection.close().await;
    }
}

async fn read(
    pool: &PgPool,
    connection: &mut Option<PgConnection>,
    ids: &[String],
) -> Result<Vec<(String, LoadedSession)>> {
    let connection = match connection {
        Some(connection) => connection,
        None => connection.insert(PgConnection::connect_with(&pool.connect_options()).await?),
    };
    load_many(connection, ids).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::browser_sessions::insert_new;
    use chrono::Utc;

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

        let loader = SessionLoader::start(&pool);
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

    /// The loader's connection is not the pool's: it answers while every
    /// pool connection is held, and it goes when the pool is closed.
    #[sqlx::test(migrations = "../../migrations")]
    async fn loads_do_not_wait_for_the_pool_and_end_with_it(pool: PgPool) {
        let later = Utc::now() + chrono::Duration::hours(1);
        insert_new(&pool, "held", &serde_json::json!({"n": 1}), None, later)
            .await
            .unwrap();
        let loader = SessionLoader::start(&pool);
        let mut held = Vec::new();
        while let Ok(Ok(connection)) =
            tokio::time::timeout(std::time::Duration::from_millis(300), pool.acquire()).await
        {
            held.push(connection);
        }
        assert!(!held.is_empty());
        let loaded = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            loader.load("held".into()),
        )
        .await
        .expect("answered while the pool is exhausted")
        .unwrap();
        assert_eq!(loaded.expect("the session").record["n"], 1);
        drop(held);

        let database: String = sqlx::query_scalar("SELECT current_database()")
            .fetch_one(&pool)
            .await
            .unwrap();
        pool.close().await;
        assert!(loader.load("held".into()).await.is_err());
        // Its connection to the test's database is gone (DROP DATABASE at
        // the test's end needs that).
        let elsewhere = (*pool.connect_options()).clone().database("postgres");
        let mut outside = PgConnection::connect_with(&elsewhere).await.unwrap();
        let mut others = 1i64;
        for _ in 0..50 {
            others = sqlx::query_scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = $1")
                .bind(&database)
                .fetch_one(&mut outside)
                .await
                .unwrap();
            if others == 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(others, 0, "connections left on {database}");
    }
}
