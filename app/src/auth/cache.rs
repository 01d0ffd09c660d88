//! What each process remembers of signed-in players, so a request does not
//! read its session and its player from the database every time: session
//! records and player accounts, each for at most the code cache's bound.
//! A session saved or ended anywhere is announced on `promo_sessions` (by
//! `CachedStore`), a changed or deleted player on `promo_players` (by a
//! trigger), and every instance drops it at once.

use std::sync::Arc;
use std::time::Duration;

use promo_core::announced::AnnouncedCache;
use promo_core::auth::PlayerAccount;
use promo_core::notices::Follower;
use sqlx::PgPool;
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

/// A session store that answers loads from `SignedIn` and announces every
/// save and delete, so no instance keeps a session that changed or ended.
#[derive(Clone, Debug)]
pub struct CachedStore<S> {
    store: S,
    pool: PgPool,
    cache: SignedIn,
}

impl<S> CachedStore<S> {
    pub fn new(store: S, pool: PgPool, cache: SignedIn) -> Self {
        Self { store, pool, cache }
    }

    async fn changed(&self, id: &Id) -> session_store::Result<()> {
        self.cache.inner.sessions.forget(id);
        promo_core::auth::announce_session_change(&self.pool, &id.to_string())
            .await
            .map_err(|e| session_store::Error::Backend(e.to_string()))
    }
}

#[async_trait::async_trait]
impl<S: SessionStore + Clone> SessionStore for CachedStore<S> {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // A new id: nobody can have it cached.
        self.store.create(record).await
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.store.save(record).await?;
        self.changed(&record.id).await
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let now = tower_sessions::cookie::time::OffsetDateTime::now_utc();
        self.cache
            .inner
            .sessions
            .get_or_load(*id, |record| record.expiry_date > now, self.store.load(id))
            .await
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.store.delete(id).await?;
        self.changed(id).await
    }
}
