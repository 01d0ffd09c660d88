//! What a player chose about being told things: whether they hear about new
//! codes (the announcement fan-out skips those who turned it off), and the
//! language they are told in.

use sqlx::PgPool;

use crate::error::Result;

/// Whether the player hears about new codes (unknown players: no).
pub async fn announcements(pool: &PgPool, player_id: i64) -> Result<bool> {
    Ok(
        sqlx::query_scalar!("SELECT announcements FROM players WHERE id = $1", player_id)
            .fetch_optional(pool)
            .await?
            .unwrap_or(false),
    )
}

/// Turns announcements of new codes on or off for the player. Takes effect
/// for every batch not yet sent, including one of a fan-out under way.
pub async fn set_announcements(pool: &PgPool, player_id: i64, on: bool) -> Result<()> {
    sqlx::query!(
        "UPDATE players SET announcements = $2 WHERE id = $1",
        player_id,
        on
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// The player's language, `en` or `ru` (unknown players: `en`).
pub async fn locale(pool: &PgPool, player_id: i64) -> Result<String> {
    Ok(
        sqlx::query_scalar!("SELECT locale FROM players WHERE id = $1", player_id)
            .fetch_optional(pool)
            .await?
            .unwrap_or_else(|| "en".into()),
    )
}
