//! The code cache: what each process remembers of codes for the checks that
//! need no lock (unknown, disabled, not started, expired), keyed by a typed
//! code's normalized text or an easter egg's slug. Every change is announced
//! on `LISTEN promo_codes` (see the trigger `promo_codes_announce`) and drops
//! the keys it names (`Guard::follow` listens); the rules of `announced`
//! hold: an entry lives at most `ttl` whatever happens, and while nobody
//! listens the cache is not used at all, so no answer is ever staler than
//! `ttl`. It also keeps codes' texts (the description and secret message a
//! grant shows), keyed by code and locale, announced by
//! `promo_code_texts_announce` as `t:ID`.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::activation::CodeRef;
use crate::announced::AnnouncedCache;
use crate::error::{Error, Result};

/// What the cache knows of a code: enough to refuse without the database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeFacts {
    pub id: i64,
    pub enabled: bool,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    /// The one player a personal code is for (never changes once issued).
    pub owner_id: Option<i64>,
}

impl CodeFacts {
    /// Whether `player_id` may know the code exists: anyone, unless it is
    /// someone else's personal code.
    pub fn visible_to(&self, player_id: i64) -> bool {
        self.owner_id.is_none_or(|owner| owner == player_id)
    }

    /// The refusal these facts give at `now`, if any. Unknown and disabled
    /// are guesses (the abuse guard counts them); not started and expired are not.
    pub fn refusal(&self, now: DateTime<Utc>) -> Option<Error> {
        if !self.enabled {
            return Some(Error::Disabled);
        }
        if let Some(starts_at) = self.starts_at.filter(|s| *s > now) {
            return Some(Error::NotStarted { starts_at });
        }
        if let Some(ended_at) = self.ends_at.filter(|e| *e <= now) {
            return Some(Error::Expired { ended_at });
        }
        None
    }
}

/// The cache of one process; cheap to clone.
#[derive(Clone)]
pub struct CodeCache {
    inner: Arc<Inner>,
}

struct Inner {
    /// `None` remembers that no such code exists.
    facts: AnnouncedCache<String, Option<CodeFacts>>,
    /// `t:ID:LOCALE` -> (description, secret message).
    texts: AnnouncedCache<String, Arc<(String, String)>>,
    ttl: Duration,
}

fn key(code: &CodeRef) -> String {
    match code {
        CodeRef::Text(text) => format!("n:{}", text.as_str()),
        CodeRef::EggSlug(slug) => format!("e:{slug}"),
    }
}

impl CodeCache {
    pub fn new(ttl: Duration, capacity: u64) -> Self {
        Self {
            inner: Arc::new(Inner {
                facts: AnnouncedCache::new(ttl, capacity),
                texts: AnnouncedCache::new(ttl, capacity),
                ttl,
            }),
        }
    }

    /// Whether announcements are heard, so the cache is in use.
    pub fn is_live(&self) -> bool {
        self.inner.facts.is_live()
    }

    /// The longest an answer can be stale.
    pub fn bound(&self) -> Duration {
        self.inner.ttl
    }

    /// The facts of a code (`None`: there is no such code), from memory
    /// when they are there and trustworthy, else from the database.
    pub async fn facts(&self, pool: &PgPool, code: &CodeRef) -> Result<Option<CodeFacts>> {
        let mut missed = false;
        let facts = self
            .inner
            .facts
            .get_or_load(key(code), |_| true, async {
                missed = true;
                read(pool, code).await.map(Some)
            })
            .await?
            .flatten();
        let result = if missed { "miss" } else { "hit" };
        metrics::counter!("promo_code_cache_total", "result" => result).increment(1);
        Ok(facts)
    }

    /// A code's description and secret message in `locale` (English where
    /// that locale has none), from memory like `facts`.
    pub async fn texts(
        &self,
        pool: &PgPool,
        code_id: i64,
        locale: &str,
    ) -> Result<Arc<(String, String)>> {
        let texts = self
            .inner
            .texts
            .get_or_load(format!("t:{code_id}:{locale}"), |_| true, async {
                let texts = crate::player_views::texts(pool, code_id, locale).await?;
                Ok::<_, Error>(Some(Arc::new(texts)))
            })
            .await?;
        // The load above always finds something (empty texts when the code
        // has none); the cache's `Option` is for loads that may not.
        Ok(texts.unwrap_or_default())
    }

    /// Drops what one announcement names (`*`: everything).
    pub fn apply(&self, payload: &str) {
        metrics::counter!("promo_code_cache_invalidations_total").increment(1);
        if payload.trim() == "*" {
            self.inner.facts.forget_all();
            self.inner.texts.forget_all();
            return;
        }
        for key in payload.lines().filter(|k| !k.is_empty()) {
            match key.strip_prefix("t:") {
                Some(id) => {
                    for locale in crate::locale::Locale::ALL {
                        self.inner
                            .texts
                            .forget(&format!("t:{id}:{}", locale.as_str()));
                    }
                }
                None => self.inner.facts.forget(&key.to_owned()),
            }
        }
    }

    /// Whether announcements are heard now; either way, what was cached is
    /// dropped. `Guard::follow` drives this with its listening connection.
    pub fn set_live(&self, live: bool) {
        self.inner.facts.set_live(live);
        self.inner.texts.set_live(live);
    }
}

async fn read(pool: &PgPool, code: &CodeRef) -> Result<Option<CodeFacts>, Error> {
    // Easter-egg codes are reached only through their link, never by typing
    // their name (the same rule as `activation::code_state`).
    let (normalized, slug) = match code {
        CodeRef::Text(text) => (Some(text.as_str()), None),
        CodeRef::EggSlug(slug) => (None, Some(slug.as_str())),
    };
    Ok(sqlx::query_as!(
        CodeFacts,
        r#"
        SELECT id, enabled,
               starts_at AS "starts_at: DateTime<Utc>",
               ends_at AS "ends_at: DateTime<Utc>",
               owner_id
          FROM promo_codes
         WHERE ($1::text IS NOT NULL AND normalized = $1 AND egg_slug IS NULL)
            OR ($2::text IS NOT NULL AND egg_slug = $2)
        "#,
        normalized,
        slug,
    )
    .fetch_optional(pool)
    .await?)
}
