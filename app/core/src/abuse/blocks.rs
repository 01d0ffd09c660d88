//! The blocks as the dashboard sees them: those in force and of the last day,
//! the service cooldown, and an admin lifting one (audited, heard by every
//! instance through `promo_blocks`).

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::audit::{self, Entity};
use crate::error::Result;
use model::admin::BlockLine;

/// Blocks in force (newest first), then, when `recent`, those of the last
/// day that ran out or were lifted.
pub async fn list_blocks(pool: &PgPool, recent: bool) -> Result<Vec<BlockLine>> {
    Ok(sqlx::query_as(
        "SELECT b.id, b.scope, b.subject, p.username, b.reason, b.strike, b.failures,
                b.created_at, b.until, b.lifted_at, a.username AS lifted_by,
                (b.lifted_at IS NULL AND b.until > now()) AS active
           FROM input_blocks b
           LEFT JOIN players p ON b.scope = 'player' AND p.id::text = b.subject
           LEFT JOIN admins a ON a.id = b.lifted_by
          WHERE (b.lifted_at IS NULL AND b.until > now())
             OR ($1 AND b.created_at > now() - interval '24 hours')
          ORDER BY (b.lifted_at IS NULL AND b.until > now()) DESC, b.created_at DESC
          LIMIT 200",
    )
    .bind(recent)
    .fetch_all(pool)
    .await?)
}

/// How many blocks are in force.
pub async fn count_active(pool: &PgPool) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM input_blocks WHERE lifted_at IS NULL AND until > now()",
    )
    .fetch_one(pool)
    .await?)
}

/// The service-wide cooldown in force, if any: until when, and the wrong
/// codes in the minute that started it.
pub async fn active_spike(pool: &PgPool) -> Result<Option<(DateTime<Utc>, i32)>> {
    Ok(sqlx::query_as(
        "SELECT until, failures FROM input_blocks
          WHERE scope = 'service' AND lifted_at IS NULL AND until > now()
          ORDER BY until DESC LIMIT 1",
    )
    .fetch_optional(pool)
    .await?)
}

/// Lifts a block in force, audited, and tells every instance. False when
/// there is no such block or it is no longer in force.
pub async fn lift_block(pool: &PgPool, admin_id: i64, block_id: i64) -> Result<bool> {
    let mut tx = pool.begin().await?;
    let before = audit::snapshot(&mut tx, Entity::Block, block_id).await?;
    let lifted: Option<(String, String)> = sqlx::query_as(
        "UPDATE input_blocks SET lifted_at = now(), lifted_by = $2
          WHERE id = $1 AND lifted_at IS NULL AND until > now()
         RETURNING scope, subject",
    )
    .bind(block_id)
    .bind(admin_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((scope, subject)) = lifted else {
        return Ok(false);
    };
    let after = audit::snapshot(&mut tx, Entity::Block, block_id).await?;
    audit::record(
        &mut tx,
        audit::Actor::Admin(admin_id),
        "abuse.lift",
        Entity::Block,
        Some(block_id),
        before,
        after,
    )
    .await?;
    sqlx::query("SELECT pg_notify('promo_blocks', json_build_object('op', 'lift', 'scope', $1::text, 'subject', $2::text)::text)")
        .bind(&scope)
        .bind(&subject)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(true)
}
