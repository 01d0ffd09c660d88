//! Player accounts: argon2 passwords (password-auth) counted against failed
//! sign-ins, sign-up, password changes, the account's language, and
//! HMAC-SHA256 sign-in links for the host platform. Password hashes never
//! leave `PlayerAccount`.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use sqlx::PgPool;

use super::sign_in_limit::{self, Attempt, Realm, SignInPolicy};

/// A player's account as sessions keep it. Not `Serialize`: it holds the hash.
#[derive(Clone)]
pub struct PlayerAccount {
    pub id: i64,
    pub username: String,
    pub locale: String,
    password_hash: String,
}

impl PlayerAccount {
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
pub async fn find_player(pool: &PgPool, id: i64) -> Result<Option<PlayerAccount>, sqlx::Error> {
    sqlx::query_as!(
        PlayerAccount,
        r#"SELECT id, username, locale, COALESCE(password_hash, '') AS "password_hash!" FROM players WHERE id = $1"#,
        id
    )
    .fetch_optional(pool)
    .await
}

/// How a sign-in with a password came out.
#[derive(Debug)]
pub enum PasswordSignIn {
    SignedIn(PlayerAccount),
    /// Wrong name or password (the answer does not say which).
    Wrong,
    /// Too many failures for this account: refused, unchecked, until then.
    Wait(DateTime<Utc>),
}

/// Checks a player's name and password, counted against the account's
/// failed sign-ins. Unknown names take as long as wrong passwords.
pub async fn check_password(
    pool: &PgPool,
    policy: &SignInPolicy,
    username: &str,
    password: &str,
) -> Result<PasswordSignIn, sqlx::Error> {
    let Some(key) = sign_in_limit::account_key(username) else {
        return Ok(PasswordSignIn::Wrong);
    };
    if let Attempt::Wait(until) = sign_in_limit::begin(pool, policy, Realm::Player, &key).await? {
        return Ok(PasswordSignIn::Wait(until));
    }
    let user = find_by_username(pool, &key).await?;
    // Verify even when the name is unknown, against a fixed hash, so the
    // time taken does not tell which names exist.
    let hash = user
        .as_ref()
        .map_or_else(|| DUMMY_HASH.clone(), |u| u.password_hash.clone());
    let ok = verify_password(password, hash).await;
    match user.filter(|u| ok && !u.password_hash.is_empty()) {
        Some(user) => {
            sign_in_limit::forgive(pool, Realm::Player, &key).await?;
            Ok(PasswordSignIn::SignedIn(user))
        }
        None => Ok(PasswordSignIn::Wrong),
    }
}

/// argon2 off the async threads; a password no hash can hold never matches.
pub(crate) async fn verify_password(password: &str, hash: String) -> bool {
    if password.len() > MAX_PASSWORD_BYTES {
        return false;
    }
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || password_auth::verify_password(password, &hash).is_ok())
        .await
        .unwrap_or(false)
}

/// Longer passwords are refused before hashing (argon2 takes any length, the
/// time to hash a megabyte is a gift to an attacker).
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// A real argon2 hash that no password matches, for refusing unknown names in
/// the same time as wrong passwords.
pub(crate) static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| password_auth::generate_hash(rand::random::<[u8; 16]>()));

async fn find_by_username(
    pool: &PgPool,
    username: &str,
) -> Result<Option<PlayerAccount>, sqlx::Error> {
    sqlx::query_as!(
        PlayerAccount,
        r#"SELECT id, username, locale, COALESCE(password_hash, '') AS "password_hash!"
             FROM players WHERE lower(username) = lower($1)"#,
        username.trim()
    )
    .fetch_optional(pool)
    .await
}

#[derive(Debug, thiserror::Error)]
pub enum SignUpError {
    #[error("a username has 3 to 40 letters, digits, dots, dashes or underscores")]
    BadUsername,
    #[error("a password has at least 8 characters")]
    ShortPassword,
    #[error("the passwords differ")]
    PasswordsDiffer,
    #[error("the username is taken")]
    UsernameTaken,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl SignUpError {
    pub fn message_id(&self) -> &'static str {
        match self {
            Self::BadUsername => "signup-error-username",
            Self::ShortPassword => "signup-error-password",
            Self::PasswordsDiffer => "signup-error-confirm",
            Self::UsernameTaken => "signup-error-taken",
            Self::Database(_) => "error-internal",
        }
    }
}

/// Creates a player with a password; returns the new account.
pub async fn sign_up(
    pool: &PgPool,
    username: &str,
    password: &str,
    confirm: &str,
    locale: &str,
) -> Result<PlayerAccount, SignUpError> {
    let username = username.trim();
    let valid_name = (3..=40).contains(&username.chars().count())
        && username
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if !valid_name {
        return Err(SignUpError::BadUsername);
    }
    if password.chars().count() < 8 || password.len() > MAX_PASSWORD_BYTES {
        return Err(SignUpError::ShortPassword);
    }
    if password != confirm {
        return Err(SignUpError::PasswordsDiffer);
    }
    let hash = hash_password(password).await?;
    let locale = if locale == "ru" { "ru" } else { "en" };
    sqlx::query_as!(
        PlayerAccount,
        r#"INSERT INTO players (username, password_hash, locale) VALUES ($1, $2, $3)
           RETURNING id, username, locale, COALESCE(password_hash, '') AS "password_hash!""#,
        username,
        hash,
        locale
    )
    .fetch_one(pool)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(db) if db.constraint() == Some("players_username_key") => {
            SignUpError::UsernameTaken
        }
        _ => SignUpError::Database(e),
    })
}

#[derive(Debug, thiserror::Error)]
pub enum PasswordChangeError {
    #[error("the current password is wrong")]
    WrongCurrent,
    #[error("a password has at least 8 characters")]
    ShortPassword,
    #[error("the passwords differ")]
    PasswordsDiffer,
    #[error("too many failed attempts; wait until {0}")]
    Wait(DateTime<Utc>),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl PasswordChangeError {
    pub fn message_id(&self) -> &'static str {
        match self {
            Self::WrongCurrent => "account-error-current",
            Self::ShortPassword => "signup-error-password",
            Self::PasswordsDiffer => "signup-error-confirm",
            Self::Wait(_) => "signin-error-wait",
            Self::Database(_) => "error-internal",
        }
    }
}

/// Changes a player's password after checking the current one (counted like
/// a sign-in). Sessions hold the password hash (`session_auth_hash`), so
/// every session of the account but the caller's, which signs in again with
/// the returned user, ends at its next request.
pub async fn change_password(
    pool: &PgPool,
    policy: &SignInPolicy,
    player_id: i64,
    current: &str,
    password: &str,
    confirm: &str,
) -> Result<PlayerAccount, PasswordChangeError> {
    if password.chars().count() < 8 || password.len() > MAX_PASSWORD_BYTES {
        return Err(PasswordChangeError::ShortPassword);
    }
    if password != confirm {
        return Err(PasswordChangeError::PasswordsDiffer);
    }
    let user = find_player(pool, player_id)
        .await?
        .ok_or(PasswordChangeError::WrongCurrent)?;
    let key =
        sign_in_limit::account_key(&user.username).ok_or(PasswordChangeError::WrongCurrent)?;
    if let Attempt::Wait(until) = sign_in_limit::begin(pool, policy, Realm::Player, &key).await? {
        return Err(PasswordChangeError::Wait(until));
    }
    if user.password_hash.is_empty() || !verify_password(current, user.password_hash.clone()).await
    {
        return Err(PasswordChangeError::WrongCurrent);
    }
    sign_in_limit::forgive(pool, Realm::Player, &key).await?;
    let hash = hash_password(password).await?;
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

/// An argon2 hash of `password`, made off the async threads.
pub(crate) async fn hash_password(password: &str) -> Result<String, sqlx::Error> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || password_auth::generate_hash(password))
        .await
        .map_err(|e| sqlx::Error::Protocol(format!("hashing a password: {e}")))
}

/// Records the player's chosen language in their profile.
pub async fn set_locale(pool: &PgPool, player_id: i64, locale: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE players SET locale = $2 WHERE id = $1",
        player_id,
        locale
    )
    .execute(pool)
    .await?;
    Ok(())
}

type HmacSha256 = Hmac<Sha256>;

/// The HMAC key for sign-in links when none is configured: generated once
/// and kept in the database, so every instance agrees. Read once at start.
pub async fn link_secret(pool: &PgPool) -> Result<Vec<u8>, sqlx::Error> {
    let fresh: [u8; 32] = rand::random();
    sqlx::query!(
        "INSERT INTO app_secrets (name, value) VALUES ('sign_in_link', $1) ON CONFLICT DO NOTHING",
        &fresh[..]
    )
    .execute(pool)
    .await?;
    sqlx::query_scalar!("SELECT value FROM app_secrets WHERE name = 'sign_in_link'")
        .fetch_one(pool)
        .await
}

/// The query string of a sign-in link: `player=ID&expires=UNIX&sig=HEX`.
pub fn sign_link(secret: &[u8], player_id: i64, expires_unix: i64) -> String {
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(format!("{player_id}.{expires_unix}").as_bytes());
    format!(
        "player={player_id}&expires={expires_unix}&sig={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("the link has expired")]
    Expired,
    #[error("the link is not valid")]
    Invalid,
}

/// Checks a sign-in link's signature (in constant time) and expiry.
pub fn verify_link(
    secret: &[u8],
    player_id: i64,
    expires_unix: i64,
    sig_hex: &str,
    now_unix: i64,
) -> Result<(), LinkError> {
    let sig = hex::decode(sig_hex).map_err(|_| LinkError::Invalid)?;
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(format!("{player_id}.{expires_unix}").as_bytes());
    mac.verify_slice(&sig).map_err(|_| LinkError::Invalid)?;
    if expires_unix < now_unix {
        return Err(LinkError::Expired);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_verify_and_refuse_forgery_and_expiry() {
        let secret = b"0123456789abcdef0123456789abcdef";
        let query = sign_link(secret, 7, 1_000);
        let sig = query.rsplit_once("sig=").unwrap().1;
        assert_eq!(verify_link(secret, 7, 1_000, sig, 999), Ok(()));
        assert_eq!(
            verify_link(secret, 7, 1_000, sig, 1_001),
            Err(LinkError::Expired)
        );
        assert_eq!(
            verify_link(secret, 8, 1_000, sig, 999),
            Err(LinkError::Invalid)
        );
        assert_eq!(
            verify_link(secret, 7, 2_000, sig, 999),
            Err(LinkError::Invalid)
        );
        assert_eq!(
            verify_link(b"another secret another secret!!!", 7, 1_000, sig, 999),
            Err(LinkError::Invalid)
        );
        assert_eq!(
            verify_link(secret, 7, 1_000, "zz", 999),
            Err(LinkError::Invalid)
        );
    }

    #[test]
    fn the_dummy_hash_parses_and_matches_nothing() {
        assert!(matches!(
            password_auth::verify_password("", DUMMY_HASH.as_str()),
            Err(password_auth::VerifyError::PasswordInvalid)
        ));
    }
}
