//! Announcing a code: every player it is for (who has not turned
//! announcements off) gets a "new code" notification
//! (in their own language when they open the inbox), when the code starts.
//! Fanned out by jobs of `BATCH` players each, in player order, each batch
//! queueing the next; a unique index keeps it to one per player and code
//! however often a batch runs again.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{Acquire, PgConnection, Postgres};

use super::{JobKind, Step};
use crate::audit::{self, Actor, Entity};
use crate::error::{Error, Problem, Result};

/// Players a batch notifies.
pub const BATCH: i64 = 500;

/// A batch's work: the players after `after` (by id).
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
struct Batch {
    code_id: i64,
    after: i64,
}

/// Queues a code's announcement; it goes out when the code starts (now, if
/// it has). Answers when. Refused for a code players cannot redeem (off,
/// used up, ended) and for an easter egg (hidden on purpose). Audited.
pub async fn schedule<'a>(
    db: impl Acquire<'a, Database = Postgres>,
    actor: Actor,
    code_id: i64,
) -> Result<DateTime<Utc>> {
    let mut tx = db.begin().await?;
    let code = sqlx::query!(
        r#"SELECT promo_code_status(c) AS "status!", c.egg_slug,
                  greatest(now(), coalesce(c.starts_at, now())) AS "at!: DateTime<Utc>"
             FROM promo_codes c WHERE c.id = $1 FOR UPDATE"#,
        code_id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(Error::NotFound)?;
    if code.egg_slug.is_some() || !matches!(code.status.as_str(), "active" | "scheduled") {
        return Err(Error::invalid(Problem::CannotAnnounce));
    }
    let first = Batch { code_id, after: 0 };
    super::enqueue(
        &mut tx,
        JobKind::Announce,
        &key(first),
        &serde_json::to_value(first).map_err(|e| Error::Broken(e.to_string()))?,
        Some(code.at),
    )
    .await?;
    let note = serde_json::json!({ "announce_at": code.at });
    audit::record(
        &mut tx,
        actor,
        "announce",
        Entity::Code,
        Some(code_id),
        None,
        Some(note),
    )
    .await?;
    tx.commit().await?;
    Ok(code.at)
}

fn key(batch: Batch) -> String {
    format!("code:{}:after:{}", batch.code_id, batch.after)
}

/// One batch, in the job's transaction: notifies the next players the code
/// is for (eligible, not yet redeemed it) and queues the batch after.
pub(super) async fn batch(conn: &mut PgConnection, payload: &serde_json::Value) -> Result<Step> {
    let batch: Batch = serde_json::from_value(payload.clone())
        .map_err(|e| Error::Broken(format!("announce payload: {e}")))?;
    let code = sqlx::query!(
        r#"SELECT promo_code_status(c) AS "status!",
                  c.starts_at AS "starts_at: DateTime<Utc>" FROM promo_codes c WHERE c.id = $1"#,
        batch.code_id
    )
    .fetch_optional(&mut *conn)
    .await?;
    match code {
        // Gone, switched off or over since: nothing left to announce.
        None => return Ok(Step::Done),
        Some(c) if c.status == "scheduled" => {
            return Ok(c.starts_at.map_or(Step::Done, Step::Later));
        }
        Some(c) if c.status != "active" => return Ok(Step::Done),
        Some(_) => {}
    }
    let done = sqlx::query!(
        r#"
        WITH code AS (SELECT * FROM promo_codes WHERE id = $1),
        players_for AS (
            SELECT p.id FROM players p, code c
             WHERE p.id > $2 AND p.announcements AND promo_player_eligible(c, p)
               AND NOT EXISTS (SELECT 1 FROM activations a WHERE a.code_id = c.id AND a.player_id = p.id)
             ORDER BY p.id LIMIT $3
        ), told AS (
            INSERT INTO notifications (player_id, kind, params)
            SELECT f.id, 'new_code', jsonb_build_object('code_id', c.id, 'code', c.name,
                                                        'reward', c.current_reward, 'currency', c.currency)
              FROM players_for f, code c
            ON CONFLICT (player_id, ((params->>'code_id')::bigint)) WHERE kind = 'new_code' DO NOTHING
        )
        SELECT count(*) AS "players!", max(id) AS "last" FROM players_for
        "#,
        batch.code_id,
        batch.after,
        BATCH
    )
    .fetch_one(&mut *conn)
    .await?;
    if let (true, Some(last)) = (done.players == BATCH, done.last) {
        let next = Batch {
            code_id: batch.code_id,
            after: last,
        };
        let payload = serde_json::to_value(next).map_err(|e| Error::Broken(e.to_string()))?;
        super::enqueue(conn, JobKind::Announce, &key(next), &payload, None).await?;
    }
    Ok(Step::Done)
}
