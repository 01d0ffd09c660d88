//! What each process remembers of signed-in players, so a request does not
//! read its session and its player from the database every time: session
//! records and player accounts, each for at most the code cache's bound.
//! A session saved or ended anywhere is announced on `promo_sessions` (in
//! the statement that writes it), a changed or deleted player on
//! `promo_players` (by a trigger), and every instance drops it at once.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use promo_core::announced::AnnouncedCache;
use promo_core::auth::PlayerAccount;
use promo_core::browser_sessions;
use promo_core::notices::Follower;
use promo_core::session_loader::SessionLoader;
use sqlx::PgPool;
use tower_sessions::cookie::time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

/// The two caches; cheap to clone. `notices::follow` keeps them current.
#[derive(Clone)]
pub struct SignedIn {
    inner: Arc<Caches>,
}

struct Caches {
    sessions: AnnouncedCache<Id, Record>,
    players: AnnouncedCache<i64, PlayerAccount>,
}

impl std::fmt::Debug for SignedIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedIn")
            .field("live", &self.inner.sessions.is_live())
            .finish_non_exhaustive()
    }
}

impl SignedIn {
    pub fn new(bound: Duration, capacity: u64) -> Self {
        Self {
            inner: Arc::new(Caches {
                sessions: AnnouncedCache::new(bound, capacity),
                players: AnnouncedCache::new(bound, capacity),
            }),
        }
    }

    /// The account with this id, from memory when it may be.
    pub async fn player(
        &self,
        pool: &PgPool,
        id: i64,
    ) -> promo_core::Result<Option<PlayerAccount>> {
        self.inner
            .players
            .get_or_load(id, |_| true, promo_core::auth::find_player(pool, id))
            .await
    }
}

impl Follower for SignedIn {
    fn channels(&self) -> &'static [&'static str] {
        &["promo_sessions", "promo_players"]
    }

    fn heard(&self, channel: &str, payload: &str) {
        match channel {
            "promo_sessions" => {
                if let Ok(id) = payload.parse::<Id>() {
                    self.inner.sessions.forget(&id);
                }
            }
            _ => {
                if let Ok(id) = payload.parse::<i64>() {
                    self.inner.players.forget(&id);
                }
            }
        }
    }

    fn set_live(&self, live: bool) {
        self.inner.sessions.set_live(live);
        self.inner.players.set_live(live);
    }
}

/// The key of the session's record under which axum-login keeps who is
/// signed in (its default, set explicitly where the layer is built).
pub const PLAYER_DATA_KEY: &str = "axum-login.data";

/// The session store: the core's `browser_sessions` behind `SignedIn`.
/// Loading a session reads its player in the same statement, with the
/// sessions other requests load at that moment (`SessionLoader`), and
/// offers the player to the players' cache, where `get_user` finds it;
/// every save and delete is announced by `browser_sessions` in the same
/// statement, so no instance keeps a session that changed or ended.
#[derive(Clone, Debug)]
pub struct SessionTable {
    pool: PgPool,
    cache: SignedIn,
    loads: SessionLoader,
}

impl SessionTable {
    /// Starts the table's session loader on the current runtime.
    pub fn new(pool: PgPool, cache: SignedIn) -> Self {
        let loads = SessionLoader::start(&pool);
        Self { pool, cache, loads }
    }

    async fn read(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let players = &self.cache.inner.players;
        let stamp = players.stamp();
        let Some(loaded) = self.loads.load(id.to_string()).await.map_err(backend)? else {
            return Ok(None);
        };
        if let Some(player) = loaded.player {
            players.offer(player.id, player, &stamp);
        }
        let data = serde_json::from_value(loaded.record)
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let expiry_date = OffsetDateTime::from_unix_timestamp(loaded.expires_at.timestamp())
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date,
        }))
    }
}

fn backend(error: promo_core::Error) -> session_store::Error {
    session_store::Error::Backend(error.to_string())
}

/// What a record is stored as: its data, who it signs in, when it ends (the
/// id is the row's key; it does not fit a JSON number).
fn stored(
    record: &Record,
) -> session_store::Result<(serde_json::Value, Option<i64>, DateTime<Utc>)> {
    let json = serde_json::to_value(&record.data)
        .map_err(|e| session_store::Error::Encode(e.to_string()))?;
    let player = record
        .data
        .get(PLAYER_DATA_KEY)
        .and_then(|data| data.get("user_id"))
        .and_then(|id| id.as_i64());
    let expires_at = DateTime::from_timestamp(record.expiry_date.unix_timestamp(), 0)
        .ok_or_else(|| session_store::Error::Encode("expiry out of range".into()))?;
    Ok((json, player, expires_at))
}

#[async_trait::async_trait]
impl SessionStore for SessionTable {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // A new id: nobody else can have it cached, and this process keeps
        // it, so the signed-in player's next request (a redeem, perhaps in
        // the second a code is read out) reads nothing before its claim.
        let sessions = &self.cache.inner.sessions;
        loop {
            let stamp = sessions.stamp();
            let (json, player, expires_at) = stored(record)?;
            let id = record.id.to_string();
            if browser_sessions::insert_new(&self.pool, &id, &json, player, expires_at)
                .await
                .map_err(backend)?
            {
                sessions.offer(record.id, record.clone(), &stamp);
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let (json, player, expires_at) = stored(record)?;
        browser_sessions::save(
            &self.pool,
            &record.id.to_string(),
            &json,
            player,
            expires_at,
        )
        .await
        .map_err(backend)?;
        self.cache.inner.sessions.forget(&record.id);
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let now = OffsetDateTime::now_utc();
        self.cache
            .inner
            .sessions
            .get_or_load(*id, |record| record.expiry_date > now, self.read(id))
            .await
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        browser_sessions::delete(&self.pool, &id.to_string())
            .await
            .map_err(backend)?;
        self.cache.inner.sessions.forget(id);
        Ok(())
    }
}
