//! Player accounts: sign-up, passwords checked against failed sign-ins,
//! password changes, the account's language, and the sign-in link secret.
//! Password hashes never leave `PlayerAccount`.

use sqlx::PgPool;

use crate::credentials::{self, DUMMY_HASH, PLAYER_PASSWORD_CHARS};
use crate::error::{Error, Result};
use crate::sign_in_limit::{self, Attempt, Realm, SignInPolicy};

pub use crate::links::{sign_link, verify_link};

/// A player's account as sessions keep it. Not `Serialize`: it holds the hash.
#[derive(Clone)]
pub struct PlayerAccount {
    pub id: i64,
    pub username: String,
    pub locale: String,
    password_hash: String,
}

impl PlayerAccount {
    /// An account as a query read it (`browser_sessions` reads it beside a session).
    pub(crate) fn stored(id: i64, username: String, locale: String, password_hash: String) -> Self {
        Self {
            id,
            username,
            locale,
            password_hash,
        }
    }

    /// What a session compares to stay valid: it changes with the password,
    /// so a new password ends the account's other sessions.
    pub fn credential(&self) -> &[u8] {
        self.password_hash.as_bytes()
    }
}

impl std::fmt::Debug for PlayerAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlayerAccount")
            .field("id", &self.id)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// The account with this id, if any.
pub async fn find_player(pool: &PgPool, id: i64) -> Result<Option<PlayerAccount>> {
    Ok(sqlx::query_as!(
        PlayerAccount,
        r#"SELECT id, username, locale, COALESCE(password_hash, '') AS "password_hash!" FROM players WHERE id = $1"#,
        id
    )
    .fetch_optional(pool)
    .await?)
}

async fn find_by_username(pool: &PgPool, username: &str) -> Result<Option<PlayerAccount>> {
    Ok(sqlx::query_as!(
        PlayerAccount,
        r#"SELECT id, username, locale, COALESCE(password_hash, '') AS "password_hash!"
             FROM players WHERE lower(username) = lower($1)"#,
        username.trim()
    )
    .fetch_optional(pool)
    .await?)
}

/// Checks a player's name and password, counted against the account's
/// failed sign-ins: `WrongCredentials` (never saying which of the two) or
/// `SignInWait`. Unknown names take as long as wrong passwords.
pub async fn check_password(
    pool: &PgPool,
    policy: &SignInPolicy,
    username: &str,
    password: &str,
) -> Result<PlayerAccount> {
    let key = sign_in_limit::account_key(username).ok_or(Error::WrongCredentials)?;
    if let Attempt::Wait(until) = sign_in_limit::begin(pool, policy, Realm::Player, &key).await? {
        return Err(Error::SignInWait { until });
    }
    let user = find_by_username(pool, &key).await?;
    let hash = user
        .as_ref()
        .map_or_else(|| DUMMY_HASH.clone(), |u| u.password_hash.clone());
    let ok = credentials::verify(password, hash).await;
    let user = user
        .filter(|u| ok && !u.password_hash.is_empty())
        .ok_or(Error::WrongCredentials)?;
    sign_in_limit::forgive(pool, Realm::Player, &key).await?;
    Ok(user)
}

/// An invite a new player signs up with: the code and the address they
/// came from (for the referral program's review threshold).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignUpInvite {
    pub code: String,
    pub address: Option<std::net::IpAddr>,
}

/// Creates a player with a password, and their referral when they came
/// with an invite (in the same transaction: the friend's reward is paid
/// exactly when the account exists); returns the new account.
pub async fn sign_up(
    pool: &PgPool,
    username: &str,
    password: &str,
    confirm: &str,
    locale: &str,
    invite: Option<&SignUpInvite>,
) -> Result<(PlayerAccount, Option<crate::referrals::Joined>)> {
    let username = username.trim();
    credentials::check_username(username).map_err(Error::invalid)?;
    credentials::check_new_password(password, confirm, PLAYER_PASSWORD_CHARS)
        .map_err(Error::invalid)?;
    let hash = credentials::hash(password).await?;
    let locale = if locale == "ru" { "ru" } else { "en" };
    let mut tx = pool.begin().await?;
    let account = sqlx::query_as!(
        PlayerAccount,
        r#"INSERT INTO players (username, password_hash, locale) VALUES ($1, $2, $3)
           RETURNING id, username, locale, COALESCE(password_hash, '') AS "password_hash!""#,
        username,
        hash,
        locale
    )
    .fetch_one(&mut *tx)
    .await?;
    let joined = match invite.filter(|i| !i.code.trim().is_empty()) {
        Some(invite) => {
            Some(crate::referrals::join(&mut tx, account.id, &invite.code, invite.address).await?)
        }
        None => None,
    };
    tx.commit().await?;
    Ok((account, joined))
}

/// Changes a player's password after checking the current one (counted like
/// a sign-in: `WrongCredentials` or `SignInWait`). Sessions hold the
/// password hash, so every session of the account but the caller's, which
/// signs in again with the returned account, ends at its next request.
pub async fn change_password(
    pool: &PgPool,
    policy: &SignInPolicy,
    player_id: i64,
    current: &str,
    password: &str,
    confirm: &str,
) -> Result<PlayerAccount> {
    credentials::check_new_password(password, confirm, PLAYER_PASSWORD_CHARS)
        .map_err(Error::invalid)?;
    let user = find_player(pool, player_id)
        .await?
        .ok_or(Error::WrongCredentials)?;
    let key = sign_in_limit::account_key(&user.username).ok_or(Error::WrongCredentials)?;
    if let Attempt::Wait(until) = sign_in_limit::begin(pool, policy, Realm::Player, &key).await? {
        return Err(Error::SignInWait { until });
    }
    if user.password_hash.is_empty()
        || !credentials::verify(current, user.password_hash.clone()).await
    {
        return Err(Error::WrongCredentials);
    }
    sign_in_limit::forgive(pool, Realm::Player, &key).await?;
    let hash = credentials::hash(password).await?;
    Ok(sqlx::query_as!(
        PlayerAccount,
        r#"UPDATE players SET password_hash = $2 WHERE id = $1
           RETURNING id, username, locale, COALESCE(password_hash, '') AS "password_hash!""#,
        player_id,
        hash
    )
    .fetch_one(pool)
    .await?)
}

/// Records the player's chosen language in their profile (a language we do
/// not ship is ignored).
pub async fn set_locale(pool: &PgPool, player_id: i64, locale: &str) -> Result<()> {
    if !matches!(locale, "en" | "ru") {
        return Ok(());
    }
    sqlx::query!(
        "UPDATE players SET locale = $2 WHERE id = $1",
        player_id,
        locale
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// The HMAC key for sign-in links when none is configured: generated once
/// and kept in the database, so every instance agrees. Read once at start.
pub async fn link_secret(pool: &PgPool) -> Result<Vec<u8>> {
    let fresh: [u8; 32] = rand::random();
    sqlx::query!(
        "INSERT INTO app_secrets (name, value) VALUES ('sign_in_link', $1) ON CONFLICT DO NOTHING",
        &fresh[..]
    )
    .execute(pool)
    .await?;
    Ok(
        sqlx::query_scalar!("SELECT value FROM app_secrets WHERE name = 'sign_in_link'")
            .fetch_one(pool)
            .await?,
    )
}
