//! A cache of what the database announces changes to (see `notices`): an
//! entry lives at most `ttl`, an announcement drops it at once, and while
//! its follower is not listening the cache is not used at all, so no answer
//! is staler than `ttl`. The code cache and the signed-in players' caches
//! are built on it.

use std::future::Future;
use std::hash::Hash;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use moka::sync::Cache;

pub struct AnnouncedCache<K, V> {
    entries: Cache<K, V>,
    /// Whether announcements are being heard (else the cache is bypassed).
    live: AtomicBool,
    /// Bumped by every drop, so a read that raced a change does not store
    /// what it read before the change.
    generation: AtomicU64,
}

impl<K, V> AnnouncedCache<K, V>
where
    K: Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    pub fn new(ttl: Duration, capacity: u64) -> Self {
        Self {
            entries: Cache::builder()
                .max_capacity(capacity)
                .time_to_live(ttl)
                .build(),
            live: AtomicBool::new(false),
            generation: AtomicU64::new(0),
        }
    }

    /// The value for `key`: from memory when it is there and trustworthy,
    /// else from `load` (kept when it found something). `fresh` says whether
    /// a remembered value still stands (a session past its expiry does not).
    pub async fn get_or_load<E, F>(
        &self,
        key: K,
        fresh: impl Fn(&V) -> bool,
        load: F,
    ) -> Result<Option<V>, E>
    where
        F: Future<Output = Result<Option<V>, E>>,
    {
        let live = self.live.load(Ordering::Acquire);
        if live {
            if let Some(value) = self.entries.get(&key) {
                if fresh(&value) {
                    return Ok(Some(value));
                }
                self.entries.invalidate(&key);
            }
        }
        let generation = self.generation.load(Ordering::Acquire);
        let value = load.await?;
        if let Some(value) = &value {
            if live && self.generation.load(Ordering::Acquire) == generation {
                self.entries.insert(key, value.clone());
            }
        }
        Ok(value)
    }

    /// Where the drops stand now: read before reading the database for
    /// `offer`.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Keeps a value read elsewhere (beside another one), unless something
    /// was dropped since `generation` or nobody listens.
    pub fn offer(&self, key: K, value: V, generation: u64) {
        if self.live.load(Ordering::Acquire) && self.generation() == generation {
            self.entries.insert(key, value);
        }
    }

    /// Drops one entry (announced changed, or changed here).
    pub fn forget(&self, key: &K) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.entries.invalidate(key);
    }

    /// Drops every entry.
    pub fn forget_all(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.entries.invalidate_all();
    }

    /// Whether announcements are heard now; either way, what was kept is
    /// dropped (whatever was missed while not listening is unknown).
    pub fn set_live(&self, live: bool) {
        self.forget_all();
        self.live.store(live, Ordering::Release);
    }

    pub fn is_live(&self) -> bool {
        self.live.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn found(value: i32) -> Result<Option<i32>, ()> {
        Ok(Some(value))
    }

    #[tokio::test]
    async fn remembers_only_while_live_and_forgets_what_is_announced() {
        let cache = AnnouncedCache::<i64, i32>::new(Duration::from_secs(60), 100);
        let always = |_: &i32| true;
        // Not listening: every read goes to the source.
        assert_eq!(cache.get_or_load(1, always, found(1)).await, Ok(Some(1)));
        assert_eq!(cache.get_or_load(1, always, found(2)).await, Ok(Some(2)));
        cache.set_live(true);
        assert_eq!(cache.get_or_load(1, always, found(3)).await, Ok(Some(3)));
        assert_eq!(cache.get_or_load(1, always, found(4)).await, Ok(Some(3)));
        // A remembered value that no longer stands is read again.
        assert_eq!(
            cache.get_or_load(1, |v| *v > 3, found(5)).await,
            Ok(Some(5))
        );
        cache.forget(&1);
        assert_eq!(cache.get_or_load(1, always, found(6)).await, Ok(Some(6)));
        // Losing the connection forgets everything.
        cache.set_live(false);
        cache.set_live(true);
        assert_eq!(cache.get_or_load(1, always, found(7)).await, Ok(Some(7)));
    }

    #[tokio::test]
    async fn a_read_that_raced_a_change_is_not_kept() {
        let cache = AnnouncedCache::<i64, i32>::new(Duration::from_secs(60), 100);
        cache.set_live(true);
        let racing = async {
            cache.forget(&1);
            Ok::<_, ()>(Some(1))
        };
        assert_eq!(cache.get_or_load(1, |_| true, racing).await, Ok(Some(1)));
        assert_eq!(cache.get_or_load(1, |_| true, found(2)).await, Ok(Some(2)));
    }

    #[tokio::test]
    async fn nothing_outlives_its_ttl() {
        let cache = AnnouncedCache::<i64, i32>::new(Duration::from_millis(50), 100);
        cache.set_live(true);
        assert_eq!(cache.get_or_load(1, |_| true, found(1)).await, Ok(Some(1)));
        tokio::time::sleep(Duration::from_millis(120)).await;
        assert_eq!(cache.get_or_load(1, |_| true, found(2)).await, Ok(Some(2)));
    }
}
