//! What the dashboard home shows: active codes, activations today and this
//! week, rewards per currency, running series, blocks and a spike in force.

use crate::error::Result;
use sqlx::PgPool;

use model::admin::DashboardStats;

pub async fn dashboard(pool: &PgPool) -> Result<DashboardStats> {
    let counts = sqlx::query!(
        r#"SELECT
             (SELECT count(*) FROM promo_codes c WHERE promo_code_active(c)) AS "active!",
             (SELECT count(*) FROM activations WHERE created_at >= date_trunc('day', now())) AS "today!",
             (SELECT count(*) FROM activations WHERE created_at >= now() - interval '7 days') AS "week!",
             (SELECT count(*) FROM series_jobs WHERE status = 'running') AS "jobs!""#
    )
    .fetch_one(pool)
    .await?;
    let rewards = sqlx::query!(
        r#"SELECT currency,
                  coalesce(sum(reward) FILTER (WHERE created_at >= now() - interval '7 days'), 0)::bigint AS "week!",
                  coalesce(sum(reward), 0)::bigint AS "total!"
             FROM activations GROUP BY currency ORDER BY currency"#
    )
    .fetch_all(pool)
    .await?;
    Ok(DashboardStats {
        active_codes: counts.active,
        activations_today: counts.today,
        activations_week: counts.week,
        rewards_week: rewards
            .iter()
            .map(|r| (r.currency.clone(), r.week))
            .collect(),
        rewards_total: rewards
            .iter()
            .map(|r| (r.currency.clone(), r.total))
            .collect(),
        running_jobs: counts.jobs,
        active_blocks: crate::abuse::count_active(pool).await?,
        spike: crate::abuse::active_spike(pool).await?,
    })
}
