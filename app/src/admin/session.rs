//! The admin part of a browser session (server only): who, a CSRF token,
//! when last seen, and the credential it signed in with; its inactivity
//! expiry, and the constant-time token check.

use promo_core::admins;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use tower_sessions::Session;

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

pub const SESSION_KEY: &str = "promocodes.admin";

#[derive(Debug, thiserror::Error)]
pub enum AdminSessionError {
    #[error("session store: {0}")]
    Session(#[from] tower_sessions::session::Error),
    #[error("{0}")]
    Core(#[from] promo_core::Error),
}

/// The admin of this session, if signed in and not idle too long. Each call
/// counts as activity. An expired or deleted admin is signed out.
pub async fn current(
    pool: &PgPool,
    session: &Session,
    idle_limit: std::time::Duration,
) -> Result<Option<(admins::AdminUser, String)>, AdminSessionError> {
    let Some(mut data) = session.get::<AdminSessionData>(SESSION_KEY).await? else {
        return Ok(None);
    };
    let now = chrono::Utc::now().timestamp();
    if now - data.last_seen > i64::try_from(idle_limit.as_secs()).unwrap_or(i64::MAX) {
        session.remove::<AdminSessionData>(SESSION_KEY).await?;
        return Ok(None);
    }
    let Some((admin, credential)) = admins::find_with_credential(pool, data.admin_id).await? else {
        session.remove::<AdminSessionData>(SESSION_KEY).await?;
        return Ok(None);
    };
    if !csrf_matches(&credential, &data.credential) {
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
    admin: &admins::SignedInAdmin,
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
