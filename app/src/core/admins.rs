//! Admin accounts: argon2 passwords (password-auth), two roles, and the admin
//! part of a browser session (who, a CSRF token, when last seen) with its
//! inactivity expiry. Kept apart from players: an admin signs in separately.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use tower_sessions::Session;

use super::auth::{hash_password, verify_password, DUMMY_HASH, MAX_PASSWORD_BYTES};
use super::sign_in_limit::{self, Attempt, Realm, SignInPolicy};

pub use crate::admin::models::Role;

/// The signed-in admin as the dashboard needs them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdminUser {
    pub id: i64,
    pub username: String,
    pub role: Role,
}

/// What the session keeps for a signed-in admin.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AdminSessionData {
    pub admin_id: i64,
    /// Sent back by every state-changing admin form; compared in constant time.
    pub csrf: String,
    /// Unix seconds of the last admin request; older than the idle limit signs out.
    pub last_seen: i64,
    /// A fingerprint of the password this session signed in with: a new
    /// password (`create-admin --replace`) ends the session.
    #[serde(default)]
    pub credential: String,
}

/// What a session remembers of a password hash (not the hash itself).
fn credential_of(password_hash: &str) -> String {
    hex::encode(&Sha256::digest(password_hash.as_bytes())[..16])
}

pub const SESSION_KEY: &str = "promocodes.admin";

/// How long an admin may stay idle before signing in again:
/// `PROMOCODES_ADMIN_IDLE_MINUTES`, default 30.
pub fn idle_limit() -> chrono::Duration {
    let minutes = std::env::var("PROMOCODES_ADMIN_IDLE_MINUTES")
        .ok()
        .and_then(|m| m.parse::<i64>().ok())
        .filter(|m| *m > 0)
        .unwrap_or(30);
    chrono::Duration::minutes(minutes)
}

#[derive(Debug, thiserror::Error)]
pub enum AdminSessionError {
    #[error("session store: {0}")]
    Session(#[from] tower_sessions::session::Error),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

/// The admin of this session, if signed in and not idle too long. Each call
/// counts as activity. An expired or deleted admin is signed out.
pub async fn current(
    pool: &PgPool,
    session: &Session,
) -> Result<Option<(AdminUser, String)>, AdminSessionError> {
    let Some(mut data) = session.get::<AdminSessionData>(SESSION_KEY).await? else {
        return Ok(None);
    };
    let now = chrono::Utc::now().timestamp();
    if now - data.last_seen > idle_limit().num_seconds() {
        session.remove::<AdminSessionData>(SESSION_KEY).await?;
        return Ok(None);
    }
    let Some((admin, hash)) = find_with_hash(pool, data.admin_id).await? else {
        session.remove::<AdminSessionData>(SESSION_KEY).await?;
        return Ok(None);
    };
    if !csrf_matches(&credential_of(&hash), &data.credential) {
        // The password changed since this session signed in.
        session.remove::<AdminSessionData>(SESSION_KEY).await?;
        return Ok(None);
    }
    // Writing the session on every request would be wasteful; a minute's precision is enough.
    if now - data.last_seen >= 60 {
        data.last_seen = now;
        session.insert(SESSION_KEY, &data).await?;
    }
    Ok(Some((admin, data.csrf)))
}

/// Starts an admin session (a fresh session id, a fresh CSRF token).
pub async fn sign_in_session(
    session: &Session,
    admin: &SignedInAdmin,
) -> Result<(), AdminSessionError> {
    session.cycle_id().await?;
    let data = AdminSessionData {
        admin_id: admin.admin.id,
        csrf: hex::encode(rand::random::<[u8; 32]>()),
        last_seen: chrono::Utc::now().timestamp(),
        credential: admin.credential.clone(),
    };
    session.insert(SESSION_KEY, &data).await?;
    Ok(())
}

pub async fn sign_out_session(session: &Session) -> Result<(), AdminSessionError> {
    session.remove::<AdminSessionData>(SESSION_KEY).await?;
    session.cycle_id().await?;
    Ok(())
}

/// Constant-time comparison of a submitted CSRF token with the session's.
pub fn csrf_matches(expected: &str, given: &str) -> bool {
    let (a, b) = (expected.as_bytes(), given.as_bytes());
    if a.len() != b.len() || a.is_empty() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn find_with_hash(
    pool: &PgPool,
    id: i64,
) -> Result<Option<(AdminUser, String)>, sqlx::Error> {
    let row = sqlx::query!(
        "SELECT id, username, role, password_hash FROM admins WHERE id = $1",
        id
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| {
        (
            AdminUser {
                id: r.id,
                username: r.username,
                role: Role::parse(&r.role),
            },
            r.password_hash,
        )
    }))
}

pub async fn find(pool: &PgPool, id: i64) -> Result<Option<AdminUser>, sqlx::Error> {
    Ok(find_with_hash(pool, id).await?.map(|(admin, _)| admin))
}

/// An admin whose password was just checked, with what their session keeps of it.
#[derive(Clone, Debug)]
pub struct SignedInAdmin {
    pub admin: AdminUser,
    credential: String,
}

/// How an admin sign-in came out.
#[derive(Debug)]
pub enum AdminSignIn {
    SignedIn(SignedInAdmin),
    Wrong,
    Wait(DateTime<Utc>),
}

/// Checks a username and password, counted against the account's failed
/// sign-ins; unknown names take as long as wrong passwords.
pub async fn authenticate(
    pool: &PgPool,
    policy: &SignInPolicy,
    username: &str,
    password: &str,
) -> Result<AdminSignIn, sqlx::Error> {
    let Some(key) = sign_in_limit::account_key(username) else {
        return Ok(AdminSignIn::Wrong);
    };
    if let Attempt::Wait(until) = sign_in_limit::begin(pool, policy, Realm::Admin, &key).await? {
        return Ok(AdminSignIn::Wait(until));
    }
    let row = sqlx::query!(
        "SELECT id, username, role, password_hash FROM admins WHERE lower(username) = lower($1)",
        key
    )
    .fetch_optional(pool)
    .await?;
    let hash = row
        .as_ref()
        .map_or_else(|| DUMMY_HASH.clone(), |r| r.password_hash.clone());
    if !verify_password(password, hash).await {
        return Ok(AdminSignIn::Wrong);
    }
    let Some(r) = row else {
        return Ok(AdminSignIn::Wrong);
    };
    sign_in_limit::forgive(pool, Realm::Admin, &key).await?;
    Ok(AdminSignIn::SignedIn(SignedInAdmin {
        credential: credential_of(&r.password_hash),
        admin: AdminUser {
            id: r.id,
            username: r.username,
            role: Role::parse(&r.role),
        },
    }))
}

/// Whether `username`'s password is `password` (for the demo's published
/// passwords; not counted as a sign-in).
pub async fn has_password(
    pool: &PgPool,
    username: &str,
    password: &str,
) -> Result<bool, sqlx::Error> {
    let hash = sqlx::query_scalar!(
        "SELECT password_hash FROM admins WHERE lower(username) = lower($1)",
        username
    )
    .fetch_optional(pool)
    .await?;
    Ok(match hash {
        Some(hash) => verify_password(password, hash).await,
        None => false,
    })
}

#[derive(Debug, thiserror::Error)]
pub enum CreateAdminError {
    #[error("a username has 3 to 40 letters, digits, dots, dashes or underscores")]
    BadUsername,
    #[error("a password has at least 10 characters")]
    ShortPassword,
    #[error("this username is taken")]
    Taken,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// Creates an admin (or, with `replace`, resets an existing one's password and role).
pub async fn create(
    pool: &PgPool,
    username: &str,
    password: &str,
    role: Role,
    replace: bool,
) -> Result<i64, CreateAdminError> {
    let username = username.trim();
    let valid = (3..=40).contains(&username.chars().count())
        && username
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if !valid {
        return Err(CreateAdminError::BadUsername);
    }
    if password.chars().count() < 10 || password.len() > MAX_PASSWORD_BYTES {
        return Err(CreateAdminError::ShortPassword);
    }
    let hash = hash_password(password).await?;
    let mut tx = pool.begin().await?;
    let existing = sqlx::query_scalar!(
        "SELECT id FROM admins WHERE lower(username) = lower($1) FOR UPDATE",
        username
    )
    .fetch_optional(&mut *tx)
    .await?;
    let id = match existing {
        Some(_) if !replace => return Err(CreateAdminError::Taken),
        Some(id) => {
            sqlx::query!(
                "UPDATE admins SET password_hash = $2, role = $3 WHERE id = $1",
                id,
                hash,
                role.as_str()
            )
            .execute(&mut *tx)
            .await?;
            id
        }
        None => {
            sqlx::query_scalar!(
            "INSERT INTO admins (username, password_hash, role) VALUES ($1, $2, $3) RETURNING id",
            username,
            hash,
            role.as_str()
        )
            .fetch_one(&mut *tx)
            .await?
        }
    };
    tx.commit().await?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csrf_tokens_compare_exactly() {
        assert!(csrf_matches("abc123", "abc123"));
        assert!(!csrf_matches("abc123", "abc124"));
        assert!(!csrf_matches("abc123", "abc12"));
        assert!(!csrf_matches("", ""));
    }
}
