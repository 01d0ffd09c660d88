//! Quests as read: a player's (open ones and those they completed, each
//! step with their progress) and the dashboard's (every quest, with how
//! many completed it).

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::error::Result;
use crate::locale::Locale;
use model::growth::{QuestStepView, QuestView};

struct QuestRow {
    id: i64,
    slug: String,
    title: String,
    story: String,
    reward: i64,
    currency: String,
    starts_at: Option<DateTime<Utc>>,
    ends_at: Option<DateTime<Utc>>,
    enabled: bool,
    completed_at: Option<DateTime<Utc>>,
    completions: i64,
}

/// The quests a player can see: started, switched on and not ended, and
/// any they completed; with their progress in each step.
pub async fn for_player(pool: &PgPool, player_id: i64, locale: Locale) -> Result<Vec<QuestView>> {
    let rows = sqlx::query_as!(
        QuestRow,
        r#"SELECT q.id, q.slug,
                  coalesce(t.title, e.title, q.slug) AS "title!",
                  coalesce(CASE WHEN t.title IS NOT NULL THEN t.story END, e.story, '') AS "story!",
                  q.reward, q.currency,
                  q.starts_at AS "starts_at: DateTime<Utc>", q.ends_at AS "ends_at: DateTime<Utc>",
                  q.enabled, c.completed_at AS "completed_at?: DateTime<Utc>", 0::bigint AS "completions!"
             FROM quests q
             LEFT JOIN quest_texts t ON t.quest_id = q.id AND t.locale = $2
             LEFT JOIN quest_texts e ON e.quest_id = q.id AND e.locale = 'en'
             LEFT JOIN quest_completions c ON c.quest_id = q.id AND c.player_id = $1
            WHERE c.completed_at IS NOT NULL
               OR (q.enabled AND (q.starts_at IS NULL OR q.starts_at <= now())
                   AND (q.ends_at IS NULL OR q.ends_at > now()))
            ORDER BY (c.completed_at IS NULL) DESC, q.position, q.id"#,
        player_id,
        locale.as_str()
    )
    .fetch_all(pool)
    .await?;
    with_steps(pool, rows, Some(player_id)).await
}

/// Every quest, for the dashboard, in the admin's language.
pub async fn admin_list(pool: &PgPool, locale: Locale) -> Result<Vec<QuestView>> {
    let rows = sqlx::query_as!(
        QuestRow,
        r#"SELECT q.id, q.slug,
                  coalesce(t.title, e.title, q.slug) AS "title!",
                  coalesce(CASE WHEN t.title IS NOT NULL THEN t.story END, e.story, '') AS "story!",
                  q.reward, q.currency,
                  q.starts_at AS "starts_at: DateTime<Utc>", q.ends_at AS "ends_at: DateTime<Utc>",
                  q.enabled, NULL::timestamptz AS "completed_at?: DateTime<Utc>",
                  (SELECT count(*) FROM quest_completions c WHERE c.quest_id = q.id) AS "completions!"
             FROM quests q
             LEFT JOIN quest_texts t ON t.quest_id = q.id AND t.locale = $1
             LEFT JOIN quest_texts e ON e.quest_id = q.id AND e.locale = 'en'
            ORDER BY q.position, q.id"#,
        locale.as_str()
    )
    .fetch_all(pool)
    .await?;
    with_steps(pool, rows, None).await
}

async fn with_steps(
    pool: &PgPool,
    rows: Vec<QuestRow>,
    player_id: Option<i64>,
) -> Result<Vec<QuestView>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let steps = sqlx::query!(
        r#"SELECT s.quest_id, s.kind, s.target,
                  coalesce(c.name, g.name, m.name,
                           (SELECT string_agg(e.egg_slug, ', ' ORDER BY e.id) FROM promo_codes e
                             WHERE e.id = ANY(s.egg_code_ids))) AS subject,
                  least(s.target, (SELECT count(*) FROM quest_credits k
                                    WHERE k.step_id = s.id AND k.player_id = $2))::int AS "done!"
             FROM quest_steps s
             LEFT JOIN promo_codes c ON c.id = s.code_id
             LEFT JOIN code_groups g ON g.id = s.group_id
             LEFT JOIN campaigns m ON m.id = s.campaign_id
            WHERE s.quest_id = ANY($1)
            ORDER BY s.quest_id, s.position"#,
        &ids,
        player_id
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|q| QuestView {
            steps: steps
                .iter()
                .filter(|s| s.quest_id == q.id)
                .map(|s| QuestStepView {
                    kind: s.kind.clone(),
                    // An egg list stays a secret to players.
                    subject: s
                        .subject
                        .clone()
                        .filter(|_| s.kind != "eggs" || player_id.is_none()),
                    target: s.target,
                    done: if q.completed_at.is_some() {
                        s.target
                    } else {
                        s.done
                    },
                })
                .collect(),
            id: q.id,
            slug: q.slug,
            title: q.title,
            story: q.story,
            reward: q.reward,
            currency: q.currency,
            starts_at: q.starts_at,
            ends_at: q.ends_at,
            enabled: q.enabled,
            completed_at: q.completed_at,
            completions: q.completions,
        })
        .collect())
}
