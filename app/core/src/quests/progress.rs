//! Quest progress from activations, in the activation feed's transaction:
//! each activation credits each step it matches once (the credit's key is
//! the step and the activation, so a batch read twice counts once), and a
//! player whose every step is done completes the quest, paid once (the
//! completion's key is the quest and the player; the reward's code is
//! issued once per completion).

use serde_json::json;
use sqlx::PgConnection;

use crate::error::Result;
use crate::events::{self, Topic};
use crate::personal::{self, Issue};

/// How long a quest reward's code is kept: it is redeemed at once.
const GRANT_DAYS: i32 = 1;

/// What a batch did to quests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Advanced {
    pub credits: u64,
    pub completed: u64,
}

/// Credits the steps activations `(from, to]` match (rewards paid by jobs,
/// channel `job`, never count) and completes the quests that finishes.
pub async fn advance(conn: &mut PgConnection, from: i64, to: i64) -> Result<Advanced> {
    let credited = sqlx::query!(
        r#"
        WITH credited AS (
            INSERT INTO quest_credits (step_id, activation_id, player_id)
            SELECT s.id, a.id, a.player_id
              FROM activations a
              JOIN promo_codes c ON c.id = a.code_id
              JOIN quest_steps s ON CASE s.kind
                       WHEN 'code' THEN s.code_id = a.code_id
                       WHEN 'group' THEN s.group_id = c.group_id
                       WHEN 'campaign' THEN s.campaign_id = c.campaign_id
                       WHEN 'codes' THEN true
                       WHEN 'eggs' THEN c.egg_slug IS NOT NULL
                            AND (cardinality(s.egg_code_ids) = 0 OR a.code_id = ANY (s.egg_code_ids))
                   END
              JOIN quests q ON q.id = s.quest_id
             WHERE a.id > $1 AND a.id <= $2 AND a.channel <> 'job'
               AND q.enabled
               AND (q.starts_at IS NULL OR q.starts_at <= a.created_at)
               AND (q.ends_at IS NULL OR a.created_at < q.ends_at)
               AND NOT EXISTS (SELECT 1 FROM quest_completions d
                                WHERE d.quest_id = q.id AND d.player_id = a.player_id)
            ON CONFLICT DO NOTHING
            RETURNING step_id, player_id, activation_id
        )
        SELECT k.step_id AS "step_id!", k.player_id AS "player_id!",
               array_agg(k.activation_id ORDER BY k.activation_id) AS "activations!",
               s.quest_id, s.position, s.target, q.slug
          FROM credited k JOIN quest_steps s ON s.id = k.step_id JOIN quests q ON q.id = s.quest_id
         GROUP BY k.step_id, k.player_id, s.quest_id, s.position, s.target, q.slug
         ORDER BY s.quest_id, k.player_id, s.position
        "#,
        from,
        to
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut advanced = Advanced::default();
    let mut touched: Vec<(i64, i64)> = Vec::new();
    for step in &credited {
        advanced.credits += step.activations.len() as u64;
        let done = sqlx::query_scalar!(
            r#"SELECT least($3::int, count(*))::int AS "done!" FROM quest_credits
                WHERE step_id = $1 AND player_id = $2"#,
            step.step_id,
            step.player_id,
            step.target
        )
        .fetch_one(&mut *conn)
        .await?;
        events::publish(
            conn,
            Topic::QuestProgressed,
            json!({
                "quest_id": step.quest_id,
                "quest": step.slug,
                "player_id": step.player_id,
                "step": step.position,
                "done": done,
                "target": step.target,
                "activation_ids": step.activations,
            }),
        )
        .await?;
        if touched.last() != Some(&(step.quest_id, step.player_id)) {
            touched.push((step.quest_id, step.player_id));
        }
    }
    for (quest_id, player_id) in touched {
        if complete(conn, quest_id, player_id).await? {
            advanced.completed += 1;
        }
    }
    Ok(advanced)
}

/// Completes the quest for the player if every step is done and it was not
/// completed before: records it, pays the reward through the activation
/// core, tells the player. Answers whether this call completed it.
async fn complete(conn: &mut PgConnection, quest_id: i64, player_id: i64) -> Result<bool> {
    let quest = sqlx::query!(
        r#"SELECT q.slug, q.reward, q.currency,
                  bool_and(n.done >= s.target) AS "all_done!"
             FROM quests q JOIN quest_steps s ON s.quest_id = q.id
            CROSS JOIN LATERAL (SELECT count(*) AS done FROM quest_credits k
                                 WHERE k.step_id = s.id AND k.player_id = $2) n
            WHERE q.id = $1
            GROUP BY q.id"#,
        quest_id,
        player_id
    )
    .fetch_one(&mut *conn)
    .await?;
    if !quest.all_done {
        return Ok(false);
    }
    let inserted = sqlx::query!(
        "INSERT INTO quest_completions (quest_id, player_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        quest_id,
        player_id
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Ok(false);
    }
    let issue = Issue {
        owner: player_id,
        reward: quest.reward,
        currency: quest.currency.clone(),
        ends_at: personal::ends_in(GRANT_DAYS),
        issued_for: format!("quest:{quest_id}:{player_id}"),
        notify: false,
    };
    let activation_id = match personal::grant(conn, &issue).await? {
        Some((_, activation)) => Some(activation.activation_id),
        None => None,
    };
    sqlx::query!(
        "UPDATE quest_completions SET activation_id = $3 WHERE quest_id = $1 AND player_id = $2",
        quest_id,
        player_id,
        activation_id
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "INSERT INTO notifications (player_id, kind, params)
         SELECT $1, 'quest_completed',
                jsonb_build_object('quest_id', $2::bigint, 'quest', $3::text, 'reward', $4::bigint,
                                   'currency', $5::text, 'title', coalesce(t.title, e.title, $3::text))
           FROM players p
           LEFT JOIN quest_texts t ON t.quest_id = $2 AND t.locale = p.locale
           LEFT JOIN quest_texts e ON e.quest_id = $2 AND e.locale = 'en'
          WHERE p.id = $1",
        player_id,
        quest_id,
        quest.slug,
        quest.reward,
        quest.currency
    )
    .execute(&mut *conn)
    .await?;
    events::publish(
        conn,
        Topic::QuestCompleted,
        json!({
            "quest_id": quest_id,
            "quest": quest.slug,
            "player_id": player_id,
            "reward": quest.reward,
            "currency": quest.currency,
            "activation_id": activation_id,
        }),
    )
    .await?;
    Ok(true)
}
