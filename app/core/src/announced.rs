//! A cache of what the database announces changes to (see `notices`): an
//! entry lives at most `ttl`, an announcement drops it at once, and while
//! its follower is not listening the cache is not used at all, so no answer
//! is staler than `ttl`. The code cache and the signed-in players' caches
//! are built on it.

use std::future::Future;
use std::hash::{BuildHasher, Hash, RandomState};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use moka::sync::Cache;

pub struct AnnouncedCache<K, V> {
    entries: Cache<K, V>,
    /// Whether announcements are being heard (else the cache is bypassed).
    live: AtomicBool,
    /// Drops counted per stripe of keys (a key's stripe is its hash's),
    /// so a read that raced a change to its key does not store what it
    /// read before the change, while changes to other keys (sessions saved
    /// by the thousand under load) mostly leave it alone.
    generations: [AtomicU64; STRIPES],
    stripe_of: RandomState,
}

const STRIPES: usize = 64;

/// Where every stripe's drops stood at one moment: taken before reading
/// the database, it tells `offer` whether what was read may be kept.
pub struct Stamp([u64; STRIPES]);

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
            generations: std::array::from_fn(|_| AtomicU64::new(0)),
            stripe_of: RandomState::new(),
        }
    }

    /// The stripe `key` belongs to.
    fn stripe(&self, key: &K) -> usize {
        // The remainder is below STRIPES, so the cast cannot truncate.
        (self.stripe_of.hash_one(key) % STRIPES as u64) as usize
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
        let stripe = &self.generations[self.stripe(&key)];
        let generation = stripe.load(Ordering::Acquire);
        let value = load.await?;
        if let Some(value) = &value {
            if live && stripe.load(Ordering::Acquire) == generation {
                self.entries.insert(key, value.clone());
            }
        }
        Ok(value)
    }

    /// Where the drops stand now: taken before reading the database for
    /// `offer` (when the key is not known before the read).
    pub fn stamp(&self) -> Stamp {
        Stamp(std::array::from_fn(|n| {
            self.generations[n].load(Ordering::Acquire)
        }))
    }

    /// Keeps a value read (or written) elsewhere, unless its key's stripe
    /// dropped something since `stamp` or nobody listens.
    pub fn offer(&self, key: K, value: V, stamp: &Stamp) {
        let n = self.stripe(&key);
        if self.live.load(Ordering::Acquire)
            && self.generations[n].load(Ordering::Acquire) == stamp.0[n]
        {
            self.entries.insert(key, value);
        }
    }

    /// Drops one entry (announced changed, or changed here).
    pub fn forget(&self, key: &K) {
        self.generations[self.stripe(key)].fetch_add(1, Ordering::AcqRel);
        self.entries.invalidate(key);
    }

    /// Drops every entry.
    pub fn forget_all(&self) {
        for stripe in &self.generations {
            stripe.fetch_add(1, Ordering::AcqRel);
        }
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

    /// Changes to other keys (sessions saved by the thousand) leave a read
    /// kept, unless they share its stripe; an offer is refused once its
    /// key's stripe dropped something after the stamp.
    #[tokio::test]
    async fn only_changes_in_a_keys_stripe_spoil_its_read() {
        let cache = AnnouncedCache::<i64, i32>::new(Duration::from_secs(60), 1000);
        cache.set_live(true);
        let others: Vec<i64> = (2..1000)
            .filter(|k| cache.stripe(k) != cache.stripe(&1))
            .collect();
        assert!(others.len() > 900);
        let racing = async {
            for other in &others {
                cache.forget(other);
            }
            Ok::<_, ()>(Some(1))
        };
        assert_eq!(cache.get_or_load(1, |_| true, racing).await, Ok(Some(1)));
        assert_eq!(cache.get_or_load(1, |_| true, found(2)).await, Ok(Some(1)));

        let stamp = cache.stamp();
        cache.forget(&others[0]);
        cache.offer(others[1], 10, &stamp);
        let kept = cache.stripe(&others[1]) != cache.stripe(&others[0]);
        let expected = if kept { 10 } else { 11 };
        assert_eq!(
            cache.get_or_load(others[1], |_| true, found(11)).await,
            Ok(Some(expected))
        );
        let stamp = cache.stamp();
        cache.forget(&5);
        cache.offer(5, 50, &stamp);
        assert_eq!(
            cache.get_or_load(5, |_| true, found(51)).await,
            Ok(Some(51))
        );
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
