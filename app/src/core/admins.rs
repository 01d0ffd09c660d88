//! Admin accounts: argon2 passwords (password-auth), two roles, and the admin
//! part of a browser session (who, a CSRF token, when last seen) with its
//! inactivity expiry. Kept apart from players: an admin signs in separately.

use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use tower_sessions::Session;

pub use crate::admin::models::Role;

/// The signed-in admin as the dashboard needs them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdminUser {
    pub id: i64,
    pub username: String,
    pub role: Role,
    pub locale: String,
}

/// What the session keeps for a signed-in admin.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AdminSessionData {
    pub admin_id: i64,
    /// Sent back by every state-changing admin form; compared in constant time.
    pub csrf: String,
    /// Unix seconds of the last admin request; older than the idle limit signs out.
    pub last_seen: i64,
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
    let Some(admin) = find(pool, data.admin_id).await? else {
        session.remove::<AdminSessionData>(SESSION_KEY).await?;
        return Ok(None);
    };
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
    admin: &AdminUser,
) -> Result<(), AdminSessionError> {
    session.cycle_id().await?;
    let data = AdminSessionData {
        admin_id: admin.id,
        csrf: hex::encode(rand::random::<[u8; 32]>()),
        last_seen: chrono::Utc::now().timestamp(),
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

pub async fn find(pool: &PgPool, id: i64) -> Result<Option<AdminUser>, sqlx::Error> {
    let row = sqlx::query!(
        "SELECT id, username, role, locale FROM admins WHERE id = $1",
        id
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| AdminUser {
        id: r.id,
        username: r.username,
        role: Role::parse(&r.role),
        locale: r.locale,
    }))
}

/// Checks a username and password; unknown names take as long as wrong passwords.
pub async fn authenticate(
    pool: &PgPool,
    username: &str,
    password: &str,
) -> Result<Option<AdminUser>, sqlx::Error> {
    let row = sqlx::query!(
        "SELECT id, username, role, locale, password_hash FROM admins WHERE lower(username) = lower($1)",
        username.trim()
    )
    .fetch_optional(pool)
    .await?;
    let hash = row.as_ref().map_or_else(
        || super::auth::DUMMY_HASH.clone(),
        |r| r.password_hash.clone(),
    );
    let password = password.to_owned();
    let ok = tokio::task::spawn_blocking(move || {
        password_auth::verify_password(password, &hash).is_ok()
    })
    .await
    .unwrap_or(false);
    Ok(row.filter(|_| ok).map(|r| AdminUser {
        id: r.id,
        username: r.username,
        role: Role::parse(&r.role),
        locale: r.locale,
    }))
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
    if password.chars().count() < 10 || password.len() > 1024 {
        return Err(CreateAdminError::ShortPassword);
    }
    let password = password.to_owned();
    let hash = tokio::task::spawn_blocking(move || password_auth::generate_hash(password))
        .await
        .map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
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
