//! Password guessing, per account: every sign-in attempt for an account name
//! (player or admin) counts before its password is checked, a success
//! forgives them, and from the N-th failure in a row each further one makes
//! the next attempt wait twice as long (see `promo_sign_in_attempt`).
//! Counted by the name as typed, so an unknown name answers like a known one.

use crate::error::Result;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::PgPool;

/// Whose accounts: players and admins count apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Realm {
    Player,
    Admin,
}

impl Realm {
    fn as_str(self) -> &'static str {
        match self {
            Self::Player => "player",
            Self::Admin => "admin",
        }
    }
}

/// The limits (`PROMOCODES_SIGNIN_*`, see the README).
#[derive(Clone, Debug, PartialEq)]
pub struct SignInPolicy {
    /// Failures in a row before attempts are slowed down.
    pub free_failures: i32,
    /// The first wait; each further failure doubles it.
    pub delay: Duration,
    pub max_delay: Duration,
    /// A failure this long after the last one starts counting afresh.
    pub window: Duration,
}

impl Default for SignInPolicy {
    fn default() -> Self {
        Self {
            free_failures: 5,
            delay: Duration::from_secs(30),
            max_delay: Duration::from_secs(15 * 60),
            window: Duration::from_secs(24 * 60 * 60),
        }
    }
}

/// What an attempt may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attempt {
    /// Check the password (the attempt is already counted as a failure).
    Check,
    /// Refused without a check until then.
    Wait(DateTime<Utc>),
}

/// The key an account name counts under; `None` for a name no account can
/// have (empty, too long, or with characters the database cannot hold): such
/// an attempt fails without touching the database.
pub fn account_key(username: &str) -> Option<String> {
    let key = username.trim().to_lowercase();
    let usable = !key.is_empty() && key.chars().count() <= 64 && !key.chars().any(char::is_control);
    usable.then_some(key)
}

/// Counts an attempt for `key` (from `account_key`).
pub async fn begin(
    pool: &PgPool,
    policy: &SignInPolicy,
    realm: Realm,
    key: &str,
) -> Result<Attempt> {
    let wait: Option<DateTime<Utc>> = sqlx::query_scalar(
        "SELECT promo_sign_in_attempt($1, $2, $3, make_interval(secs => $4), \
         make_interval(secs => $5), make_interval(secs => $6))",
    )
    .bind(realm.as_str())
    .bind(key)
    .bind(policy.free_failures)
    .bind(policy.delay.as_secs_f64())
    .bind(policy.max_delay.as_secs_f64())
    .bind(policy.window.as_secs_f64())
    .fetch_one(pool)
    .await?;
    Ok(wait.map_or(Attempt::Check, Attempt::Wait))
}

/// A right password: the failures in a row are forgiven.
pub async fn forgive(pool: &PgPool, realm: Realm, key: &str) -> Result<()> {
    sqlx::query("DELETE FROM sign_in_failures WHERE realm = $1 AND username = $2")
        .bind(realm.as_str())
        .bind(key)
        .execute(pool)
        .await?;
    Ok(())
}

/// Forgets accounts with no failure for two days; run now and then.
pub async fn prune(pool: &PgPool) -> Result<u64> {
    let done = sqlx::query(
        "DELETE FROM sign_in_failures WHERE last_failure_at < now() - interval '2 days' \
         AND (locked_until IS NULL OR locked_until < now())",
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

/// Seconds from now until `until`, at least one (what a form shows).
pub fn seconds_until(until: DateTime<Utc>) -> i64 {
    (until - Utc::now()).num_seconds().max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_no_account_can_have_never_reach_the_database() {
        assert_eq!(account_key("  Demo "), Some("demo".into()));
        for bad in ["", "   ", "a\u{0}b", "x\ny", &"a".repeat(65)] {
            assert_eq!(account_key(bad), None, "{bad:?}");
        }
    }
}
