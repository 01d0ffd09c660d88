//! What competes for a player's attention, in the order it gets it: codes
//! announced to them that they have not redeemed, then their own personal
//! codes still to redeem (the soonest to expire first), then quests they
//! are part-way through (the closest to done first). The redeem page shows
//! the first few.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::error::Result;
use crate::locale::Locale;
use model::growth::ForYou;

/// Items of each kind, and in all.
const PER_KIND: i64 = 3;
const SHOWN: usize = 5;

pub async fn for_you(pool: &PgPool, player_id: i64, locale: Locale) -> Result<Vec<ForYou>> {
    let mut items = sqlx::query_as!(
        ForYou,
        r#"
        (SELECT 1 AS "rank!", 'announced' AS "kind!", c.name AS "subject!", c.current_reward AS "reward!",
                c.currency AS "currency!", c.ends_at AS "ends_at: DateTime<Utc>", 0 AS "done!", 0 AS "target!"
           FROM notifications n JOIN promo_codes c ON c.id = (n.params->>'code_id')::bigint
          WHERE n.player_id = $1 AND n.kind = 'new_code' AND promo_code_active(c)
            AND NOT EXISTS (SELECT 1 FROM activations a WHERE a.code_id = c.id AND a.player_id = $1)
          ORDER BY n.id DESC LIMIT $3)
        UNION ALL
        (SELECT 2, 'personal', c.name, c.initial_reward, c.currency, c.ends_at, 0, 0
           FROM promo_codes c
          WHERE c.owner_id = $1 AND c.activation_count = 0 AND c.enabled
            AND (c.ends_at IS NULL OR c.ends_at > now())
          ORDER BY c.ends_at NULLS LAST, c.id LIMIT $3)
        UNION ALL
        (SELECT 3, 'quest', coalesce(t.title, e.title, q.slug), q.reward, q.currency, q.ends_at,
                p.done::int, p.target::int
           FROM quests q
           LEFT JOIN quest_texts t ON t.quest_id = q.id AND t.locale = $2
           LEFT JOIN quest_texts e ON e.quest_id = q.id AND e.locale = 'en'
           CROSS JOIN LATERAL (
               SELECT sum(least(s.target, (SELECT count(*) FROM quest_credits k
                                            WHERE k.step_id = s.id AND k.player_id = $1))) AS done,
                      sum(s.target) AS target
                 FROM quest_steps s WHERE s.quest_id = q.id) p
          WHERE q.enabled AND (q.starts_at IS NULL OR q.starts_at <= now())
            AND (q.ends_at IS NULL OR q.ends_at > now())
            AND NOT EXISTS (SELECT 1 FROM quest_completions d WHERE d.quest_id = q.id AND d.player_id = $1)
          ORDER BY p.done::float / greatest(p.target, 1) DESC, q.position, q.id LIMIT $3)
        "#,
        player_id,
        locale.as_str(),
        PER_KIND
    )
    .fetch_all(pool)
    .await?;
    // The union keeps each part's order; the parts go in rank order.
    items.sort_by_key(|item| item.rank);
    items.truncate(SHOWN);
    Ok(items)
}
