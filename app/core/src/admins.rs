//! Admin accounts: argon2 passwords (password-auth) counted against failed
//! sign-ins, two roles, and the credential fingerprint sessions keep. Kept
//! apart from players: an admin signs in separately.

use sha2::{Digest, Sha256};
use sqlx::PgPool;

use crate::credentials::{self, ADMIN_PASSWORD_CHARS, DUMMY_HASH};
use crate::error::{Error, Problem, Result};
use crate::sign_in_limit::{self, Attempt, Realm, SignInPolicy};

pub use model::admin::Role;

/// The signed-in admin as the dashboard needs them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdminUser {
    pub id: i64,
    pub username: String,
    pub role: Role,
}

/// What a session remembers of an admin's password hash (not the hash
/// itself): it changes with the password, so a new password can end the
/// admin's sessions.
fn credential_of(password_hash: &str) -> String {
    hex::encode(&Sha256::digest(password_hash.as_bytes())[..16])
}

/// The admin with this id and the credential their sessions must carry.
pub async fn find_with_credential(pool: &PgPool, id: i64) -> Result<Option<(AdminUser, String)>> {
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
            credential_of(&r.password_hash),
        )
    }))
}

pub async fn find(pool: &PgPool, id: i64) -> Result<Option<AdminUser>> {
    Ok(find_with_credential(pool, id)
        .await?
        .map(|(admin, _)| admin))
}

/// An admin whose password was just checked, with what their session keeps of it.
#[derive(Clone, Debug)]
pub struct SignedInAdmin {
    pub admin: AdminUser,
    /// What the session keeps (see `find_with_credential`).
    pub credential: String,
}

/// Checks a username and password, counted against the account's failed
/// sign-ins (`WrongCredentials` or `SignInWait`); unknown names take as long
/// as wrong passwords.
pub async fn authenticate(
    pool: &PgPool,
    policy: &SignInPolicy,
    username: &str,
    password: &str,
) -> Result<SignedInAdmin> {
    let key = sign_in_limit::account_key(username).ok_or(Error::WrongCredentials)?;
    if let Attempt::Wait(until) = sign_in_limit::begin(pool, policy, Realm::Admin, &key).await? {
        return Err(Error::SignInWait { until });
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
    if !credentials::verify(password, hash).await {
        return Err(Error::WrongCredentials);
    }
    let r = row.ok_or(Error::WrongCredentials)?;
    sign_in_limit::forgive(pool, Realm::Admin, &key).await?;
    Ok(SignedInAdmin {
        credential: credential_of(&r.password_hash),
        admin: AdminUser {
            id: r.id,
            username: r.username,
            role: Role::parse(&r.role),
        },
    })
}

/// Whether `username`'s password is `password` (for the demo's published
/// passwords; not counted as a sign-in).
pub async fn has_password(pool: &PgPool, username: &str, password: &str) -> Result<bool> {
    let hash = sqlx::query_scalar!(
        "SELECT password_hash FROM admins WHERE lower(username) = lower($1)",
        username
    )
    .fetch_optional(pool)
    .await?;
    Ok(match hash {
        Some(hash) => credentials::verify(password, hash).await,
        None => false,
    })
}

/// Creates an admin (or, with `replace`, resets an existing one's password and role).
pub async fn create(
    pool: &PgPool,
    username: &str,
    password: &str,
    role: Role,
    replace: bool,
) -> Result<i64> {
    let username = username.trim();
    credentials::check_username(username).map_err(Error::invalid)?;
    credentials::check_new_password(password, password, ADMIN_PASSWORD_CHARS)
        .map_err(Error::invalid)?;
    let hash = credentials::hash(password).await?;
    let mut tx = pool.begin().await?;
    let existing = sqlx::query_scalar!(
        "SELECT id FROM admins WHERE lower(username) = lower($1) FOR UPDATE",
        username
    )
    .fetch_optional(&mut *tx)
    .await?;
    let id = match existing {
        Some(_) if !replace => return Err(Error::invalid(Problem::UsernameTaken)),
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
