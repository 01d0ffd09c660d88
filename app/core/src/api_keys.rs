//! API keys of the platform API: made here (192 random bits, shown once),
//! stored as SHA-256, each with scopes; checked on every request; revoked by
//! an admin. Creations and revocations are audited.

use base64::Engine;
use chrono::{DateTime, Utc};
use model::admin::ApiKeyLine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::PgPool;

use crate::audit::{self, Entity};
use crate::error::{Error, Problem, Result};

/// What a key may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Scope {
    /// Redeem and validate codes for players.
    #[serde(rename = "redeem")]
    Redeem,
    /// Create and read players, sign-in links, activations and balances.
    #[serde(rename = "players")]
    Players,
    #[serde(rename = "codes:read")]
    CodesRead,
    /// Create, change, clone codes; start series.
    #[serde(rename = "codes:write")]
    CodesWrite,
    #[serde(rename = "stats")]
    Stats,
}

impl Scope {
    pub const ALL: [Scope; 5] = [
        Self::Redeem,
        Self::Players,
        Self::CodesRead,
        Self::CodesWrite,
        Self::Stats,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Redeem => "redeem",
            Self::Players => "players",
            Self::CodesRead => "codes:read",
            Self::CodesWrite => "codes:write",
            Self::Stats => "stats",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// A key that authenticated a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiKey {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub scopes: Vec<Scope>,
}

impl ApiKey {
    pub fn allows(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }
}

fn hash(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// A new key: `pk_` and 32 characters of URL-safe base64.
fn new_key() -> String {
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    format!(
        "pk_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// Makes a key; answers its id and the key, which is shown this once.
pub async fn create(
    pool: &PgPool,
    admin_id: Option<i64>,
    name: &str,
    scopes: &[Scope],
) -> Result<(i64, String)> {
    let name = name.trim();
    let mut problems = Vec::new();
    if name.is_empty() || name.chars().count() > 80 {
        problems.push(Problem::NameRequired);
    } else if name.chars().any(char::is_control) {
        problems.push(Problem::NameChars);
    }
    if scopes.is_empty() {
        problems.push(Problem::NoScopes);
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let key = new_key();
    let mut scopes: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
    scopes.sort_unstable();
    scopes.dedup();
    let mut tx = pool.begin().await?;
    let id = sqlx::query_scalar!(
        "INSERT INTO api_keys (name, prefix, hash, scopes, created_by)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
        name,
        &key[..11],
        hash(&key),
        &scopes as &[&str],
        admin_id
    )
    .fetch_one(&mut *tx)
    .await?;
    if let Some(admin_id) = admin_id {
        let after = audit::snapshot(&mut tx, Entity::ApiKey, id).await?;
        audit::record(
            &mut tx,
            audit::Actor::Admin(admin_id),
            "create",
            Entity::ApiKey,
            Some(id),
            None,
            after,
        )
        .await?;
    }
    tx.commit().await?;
    Ok((id, key))
}

/// The key a request presented, if it is one and not revoked. Notes when it
/// was last used (at most once a minute, so a busy key costs no write a request).
pub async fn authenticate(pool: &PgPool, key: &str) -> Result<Option<ApiKey>> {
    if !key.starts_with("pk_") || key.len() > 64 {
        return Ok(None);
    }
    let found = sqlx::query!(
        r#"
        WITH k AS (
            SELECT id, name, prefix, scopes, last_used_at FROM api_keys
             WHERE hash = $1 AND revoked_at IS NULL
        ), touched AS (
            UPDATE api_keys a SET last_used_at = now() FROM k
             WHERE a.id = k.id
               AND (k.last_used_at IS NULL OR k.last_used_at < now() - interval '1 minute')
        )
        SELECT id AS "id!", name AS "name!", prefix AS "prefix!", scopes AS "scopes!" FROM k
        "#,
        hash(key)
    )
    .fetch_optional(pool)
    .await?;
    Ok(found.map(|r| ApiKey {
        id: r.id,
        name: r.name,
        prefix: r.prefix,
        scopes: r.scopes.iter().filter_map(|s| Scope::parse(s)).collect(),
    }))
}

/// Revokes a key at once. Answers whether it was in use.
pub async fn revoke(pool: &PgPool, admin_id: i64, id: i64) -> Result<bool> {
    let mut tx = pool.begin().await?;
    let before = audit::snapshot(&mut tx, Entity::ApiKey, id).await?;
    let revoked = sqlx::query!(
        "UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL",
        id
    )
    .execute(&mut *tx)
    .await?
    .rows_affected()
        > 0;
    if revoked {
        let after = audit::snapshot(&mut tx, Entity::ApiKey, id).await?;
        audit::record(
            &mut tx,
            audit::Actor::Admin(admin_id),
            "revoke",
            Entity::ApiKey,
            Some(id),
            before,
            after,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(revoked)
}

/// Every key, newest first.
pub async fn list(pool: &PgPool) -> Result<Vec<ApiKeyLine>> {
    Ok(sqlx::query_as!(
        ApiKeyLine,
        r#"SELECT id, name, prefix, scopes,
                  created_at AS "created_at: DateTime<Utc>",
                  last_used_at AS "last_used_at: DateTime<Utc>",
                  revoked_at AS "revoked_at: DateTime<Utc>"
             FROM api_keys ORDER BY revoked_at IS NOT NULL, id DESC"#
    )
    .fetch_all(pool)
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_long_random_and_url_safe() {
        let key = new_key();
        assert!(key.starts_with("pk_"));
        assert_eq!(key.len(), 35);
        assert!(key[3..]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_ne!(key, new_key());
        assert_eq!(hash(&key).len(), 64);
    }

    #[test]
    fn scopes_read_back_from_their_names() {
        for scope in Scope::ALL {
            assert_eq!(Scope::parse(scope.as_str()), Some(scope));
        }
        assert_eq!(Scope::parse("admin"), None);
    }
}
