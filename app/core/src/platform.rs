//! Players as the host platform knows them: by its own id (`external_id`),
//! created or updated in one statement with locale, tier and tags, and read
//! back with their balances. The platform API's player endpoints call this.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use sqlx::PgConnection;

use crate::error::{Error, Problem, Result};

/// What the platform says about a player; None leaves a field as it is
/// (or at its default for a new player).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PlayerUpsert {
    pub username: Option<String>,
    pub locale: Option<String>,
    pub tier: Option<String>,
    pub tags: Option<Vec<String>>,
    /// Whether they hear about new codes.
    pub announcements: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlatformPlayer {
    pub id: i64,
    pub external_id: String,
    pub username: String,
    pub locale: String,
    pub tier: String,
    pub tags: Vec<String>,
    pub announcements: bool,
    pub created_at: DateTime<Utc>,
    /// (currency, amount), by currency.
    pub balances: Vec<(String, i64)>,
}

/// The platform's id: 1 to 128 characters, none of them control characters.
pub fn check_external_id(external_id: &str) -> Result<()> {
    let length = external_id.chars().count();
    if (1..=128).contains(&length) && !external_id.chars().any(char::is_control) {
        Ok(())
    } else {
        Err(Error::invalid(Problem::ExternalId))
    }
}

fn label_ok(label: &str) -> bool {
    (1..=32).contains(&label.len())
        && label
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

impl PlayerUpsert {
    fn checked(&self) -> Result<()> {
        let mut problems = Vec::new();
        if let Some(username) = &self.username {
            if crate::credentials::check_username(username).is_err() {
                problems.push(Problem::Username);
            }
        }
        if let Some(locale) = &self.locale {
            if !crate::locale::Locale::ALL
                .iter()
                .any(|l| l.as_str() == locale)
            {
                problems.push(Problem::UnknownLocale);
            }
        }
        if self.tier.as_deref().is_some_and(|tier| !label_ok(tier)) {
            problems.push(Problem::BadTiers);
        }
        if let Some(tags) = &self.tags {
            if tags.len() > 32 || !tags.iter().all(|t| label_ok(t)) {
                problems.push(Problem::BadTags);
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid(problems))
        }
    }
}

/// A new player's username when the platform gives none: derived from its
/// id, so the same id always gets the same name.
fn default_username(external_id: &str) -> String {
    let digest = hex::encode(Sha256::digest(external_id.as_bytes()));
    format!("player-{}", &digest[..12])
}

/// Creates or updates the player with this platform id; answers it and
/// whether it was created. Joins the caller's transaction, if any.
pub async fn upsert(
    conn: &mut PgConnection,
    external_id: &str,
    upsert: &PlayerUpsert,
) -> Result<(PlatformPlayer, bool)> {
    check_external_id(external_id)?;
    upsert.checked()?;
    let mut tags = upsert.tags.clone();
    if let Some(tags) = &mut tags {
        tags.sort();
        tags.dedup();
    }
    let row = sqlx::query!(
        r#"
        INSERT INTO players (username, external_id, locale, tier, tags, announcements)
        VALUES (coalesce($2, $6), $1, coalesce($3, 'en'), coalesce($4, 'standard'),
                coalesce($5, '{}'::text[]), coalesce($7, true))
        ON CONFLICT (external_id) DO UPDATE
           SET username = coalesce($2, players.username),
               locale = coalesce($3, players.locale),
               tier = coalesce($4, players.tier),
               tags = coalesce($5, players.tags),
               announcements = coalesce($7, players.announcements)
        RETURNING id, (xmax = 0) AS "created!"
        "#,
        external_id,
        upsert.username.as_deref().map(str::trim),
        upsert.locale.as_deref(),
        upsert.tier.as_deref(),
        tags.as_deref(),
        default_username(external_id),
        upsert.announcements,
    )
    .fetch_one(&mut *conn)
    .await?;
    let player = read(conn, row.id).await?.ok_or(Error::NotFound)?;
    Ok((player, row.created))
}

/// The player with this platform id, if any.
pub async fn find(conn: &mut PgConnection, external_id: &str) -> Result<Option<PlatformPlayer>> {
    check_external_id(external_id)?;
    let id = sqlx::query_scalar!("SELECT id FROM players WHERE external_id = $1", external_id)
        .fetch_optional(&mut *conn)
        .await?;
    match id {
        Some(id) => read(conn, id).await,
        None => Ok(None),
    }
}

async fn read(conn: &mut PgConnection, id: i64) -> Result<Option<PlatformPlayer>> {
    let row = sqlx::query!(
        r#"
        SELECT p.id, p.external_id AS "external_id!", p.username, p.locale, p.tier, p.tags,
               p.announcements, p.created_at AS "created_at: DateTime<Utc>",
               coalesce((SELECT array_agg(b.currency ORDER BY b.currency) FROM balances b
                          WHERE b.player_id = p.id), '{}') AS "currencies!",
               coalesce((SELECT array_agg(b.amount ORDER BY b.currency) FROM balances b
                          WHERE b.player_id = p.id), '{}') AS "amounts!"
          FROM players p WHERE p.id = $1
        "#,
        id
    )
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|r| PlatformPlayer {
        id: r.id,
        external_id: r.external_id,
        username: r.username,
        locale: r.locale,
        tier: r.tier,
        tags: r.tags,
        announcements: r.announcements,
        created_at: r.created_at,
        balances: r.currencies.into_iter().zip(r.amounts).collect(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_ids_and_labels_are_checked() {
        assert!(check_external_id("user-42").is_ok());
        assert!(check_external_id("").is_err());
        assert!(check_external_id("a\nb").is_err());
        assert!(check_external_id(&"x".repeat(129)).is_err());
        assert!(label_ok("vip") && label_ok("beta_testers"));
        assert!(!label_ok("") && !label_ok("no spaces") && !label_ok(&"x".repeat(33)));
        assert_eq!(default_username("42"), default_username("42"));
        assert_ne!(default_username("42"), default_username("43"));
    }
}
