//! The referral program's figures for the dashboard: friends who joined and
//! redeemed, what each side was paid, the top referrers and the referrals
//! held for review.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::error::Result;
use model::growth::{Earned, HeldReferral, ReferralReport, TopReferrer};

/// Referrers the ranking shows, and held referrals the review list shows.
const TOP: i64 = 10;
const HELD_SHOWN: i64 = 50;

pub async fn report(pool: &PgPool) -> Result<ReferralReport> {
    let counts = sqlx::query!(
        r#"SELECT (SELECT count(*) FROM referral_invites) AS "inviters!",
                  count(*) FILTER (WHERE state = 'accepted') AS "joined!",
                  count(*) FILTER (WHERE state = 'accepted' AND converted_at IS NOT NULL) AS "converted!",
                  count(*) FILTER (WHERE state = 'held') AS "held!",
                  count(*) FILTER (WHERE state = 'rejected') AS "rejected!",
                  count(*) FILTER (WHERE referrer_state = 'capped') AS "capped!"
             FROM referrals"#
    )
    .fetch_one(pool)
    .await?;
    let referee_rewards = sqlx::query_as!(
        Earned,
        r#"SELECT a.currency, sum(a.reward)::bigint AS "amount!"
             FROM referrals r JOIN activations a ON a.id = r.referee_activation_id
            GROUP BY a.currency ORDER BY a.currency"#
    )
    .fetch_all(pool)
    .await?;
    let referrer_rewards = sqlx::query_as!(
        Earned,
        r#"SELECT a.currency, sum(a.reward)::bigint AS "amount!"
             FROM referrals r JOIN activations a ON a.id = r.referrer_activation_id
            GROUP BY a.currency ORDER BY a.currency"#
    )
    .fetch_all(pool)
    .await?;
    let top = sqlx::query_as!(
        TopReferrer,
        r#"SELECT r.referrer_id AS player_id, p.username,
                  count(*) FILTER (WHERE r.state = 'accepted') AS "joined!",
                  count(*) FILTER (WHERE r.state = 'accepted' AND r.converted_at IS NOT NULL) AS "converted!",
                  count(*) FILTER (WHERE r.referrer_state = 'paid') AS "paid!"
             FROM referrals r JOIN players p ON p.id = r.referrer_id
            GROUP BY r.referrer_id, p.username
            ORDER BY 3 DESC, 4 DESC, p.username
            LIMIT $1"#,
        TOP
    )
    .fetch_all(pool)
    .await?;
    let held_list = sqlx::query_as!(
        HeldReferral,
        r#"SELECT r.referee_id, e.username AS referee, f.username AS referrer,
                  host(r.address) AS address, r.created_at AS "created_at: DateTime<Utc>"
             FROM referrals r JOIN players e ON e.id = r.referee_id JOIN players f ON f.id = r.referrer_id
            WHERE r.state = 'held'
            ORDER BY r.created_at, r.referee_id
            LIMIT $1"#,
        HELD_SHOWN
    )
    .fetch_all(pool)
    .await?;
    Ok(ReferralReport {
        inviters: counts.inviters,
        joined: counts.joined,
        converted: counts.converted,
        held: counts.held,
        rejected: counts.rejected,
        capped: counts.capped,
        referee_rewards,
        referrer_rewards,
        top,
        held_list,
    })
}
