//! What every account shares, players and admins alike: the username rule,
//! password lengths, argon2 hashing (password-auth) off the async threads,
//! and a fixed hash so that an unknown name takes as long as a wrong password.

use crate::error::{Error, Problem, Result};

/// Longer passwords are refused before hashing (argon2 takes any length;
/// the time to hash a megabyte is a gift to an attacker).
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// Players choose at least 8 characters.
pub const PLAYER_PASSWORD_CHARS: usize = 8;
/// Admins at least 10.
pub const ADMIN_PASSWORD_CHARS: usize = 10;

/// A username: 3 to 40 letters, digits, dots, dashes or underscores.
pub fn check_username(username: &str) -> Result<(), Problem> {
    let valid = (3..=40).contains(&username.chars().count())
        && username
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if valid {
        Ok(())
    } else {
        Err(Problem::Username)
    }
}

/// A new password of at least `min_chars`, typed twice alike.
pub fn check_new_password(password: &str, confirm: &str, min_chars: usize) -> Result<(), Problem> {
    if password.chars().count() < min_chars || password.len() > MAX_PASSWORD_BYTES {
        return Err(Problem::ShortPassword);
    }
    if password != confirm {
        return Err(Problem::PasswordsDiffer);
    }
    Ok(())
}

/// An argon2 hash of `password`.
pub(crate) async fn hash(password: &str) -> Result<String> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || password_auth::generate_hash(password))
        .await
        .map_err(|e| Error::Broken(format!("hashing a password: {e}")))
}

/// Whether `password` matches `hash`; a password no hash can hold never does.
pub(crate) async fn verify(password: &str, hash: String) -> bool {
    if password.len() > MAX_PASSWORD_BYTES {
        return false;
    }
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || password_auth::verify_password(password, &hash).is_ok())
        .await
        .unwrap_or(false)
}

/// A real argon2 hash that no password matches, for refusing unknown names in
/// the same time as wrong passwords.
pub(crate) static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| password_auth::generate_hash(rand::random::<[u8; 16]>()));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rules_are_the_same_for_everyone() {
        assert!(check_username("demo.player_1").is_ok());
        for bad in ["ab", "a b c", "x\0yz", &"a".repeat(41)] {
            assert_eq!(check_username(bad), Err(Problem::Username), "{bad:?}");
        }
        assert_eq!(
            check_new_password("short", "short", 8),
            Err(Problem::ShortPassword)
        );
        assert_eq!(
            check_new_password("long enough", "long enuogh", 8),
            Err(Problem::PasswordsDiffer)
        );
        assert!(check_new_password("long enough", "long enough", 8).is_ok());
    }

    #[test]
    fn the_dummy_hash_parses_and_matches_nothing() {
        assert!(matches!(
            password_auth::verify_password("", DUMMY_HASH.as_str()),
            Err(password_auth::VerifyError::PasswordInvalid)
        ));
    }
}
