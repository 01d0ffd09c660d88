//! A code's report: its live counters, its figures from the rollups (today,
//! the last 7 and 30 days, the range by channel over time, time from release
//! to activation), and who activated it, newest first.

use chrono::{Duration, Utc};
use sqlx::PgPool;

use crate::error::{Error, Result};
use crate::paging::Page;
use model::admin::{
    midnight, CodePlayerLine, CodePlayers, CodeStats, DateRange, TimeSeries, ACTIVATION_CHANNELS,
    DELAY_BUCKETS,
};

/// The report of code `id` over `range`.
pub async fn report(pool: &PgPool, id: i64, range: DateRange) -> Result<CodeStats> {
    let code = sqlx::query!(
        r#"SELECT c.id, c.name, promo_code_kind(c) AS "kind!", c.currency, c.enabled,
                  coalesce(c.starts_at, c.created_at) AS "released_at!: chrono::DateTime<chrono::Utc>", c.ends_at AS "ends_at: chrono::DateTime<chrono::Utc>",
                  c.activation_count, c.activation_limit, c.current_reward, c.decrease_step
             FROM promo_codes c WHERE c.id = $1"#,
        id
    )
    .fetch_optional(pool)
    .await?
    .ok_or(Error::NotFound)?;
    let (as_of, _) = super::rollup::freshness(pool).await?;
    let today = midnight(Utc::now().date_naive());
    let totals = sqlx::query!(
        r#"SELECT coalesce(sum(h.activations) FILTER (WHERE h.hour >= $2), 0)::bigint AS "today!",
                  coalesce(sum(h.activations) FILTER (WHERE h.hour >= $3), 0)::bigint AS "week!",
                  coalesce(sum(h.activations) FILTER (WHERE h.hour >= $4), 0)::bigint AS "month!",
                  coalesce(sum(h.rewards), 0)::bigint AS "rewards!",
                  coalesce(sum(h.activations) FILTER (WHERE h.hour >= $5 AND h.hour < $6), 0)::bigint AS "in_range!",
                  coalesce(sum(h.rewards) FILTER (WHERE h.hour >= $5 AND h.hour < $6), 0)::bigint AS "rewards_in_range!"
             FROM stats_code_hours h WHERE h.code_id = $1"#,
        id,
        today as _,
        (today - Duration::days(6)) as _,
        (today - Duration::days(29)) as _,
        range.start() as _,
        range.end() as _
    )
    .fetch_one(pool)
    .await?;
    let bucket = range.bucket();
    let rows = sqlx::query!(
        r#"SELECT date_trunc($2, h.hour, 'UTC') AS "at!: chrono::DateTime<chrono::Utc>", h.channel, sum(h.activations)::bigint AS "n!"
             FROM stats_code_hours h
            WHERE h.code_id = $1 AND h.hour >= $3 AND h.hour < $4
            GROUP BY 1, 2"#,
        id,
        bucket.as_str(),
        range.start() as _,
        range.end() as _
    )
    .fetch_all(pool)
    .await?;
    let over_time = TimeSeries::fill(
        &range,
        bucket,
        ACTIVATION_CHANNELS.iter().map(|c| c.to_string()).collect(),
        rows.into_iter().map(|r| (r.at, r.channel, r.n)),
    );
    let mut delays = vec![0; DELAY_BUCKETS.len()];
    for row in sqlx::query!(
        "SELECT bucket, activations FROM stats_code_delays WHERE code_id = $1",
        id
    )
    .fetch_all(pool)
    .await?
    {
        if let Some(slot) = delays.get_mut(row.bucket as usize) {
            *slot = i64::from(row.activations);
        }
    }
    Ok(CodeStats {
        id: code.id,
        name: code.name,
        kind: code.kind,
        currency: code.currency,
        enabled: code.enabled,
        released_at: code.released_at,
        ends_at: code.ends_at,
        activations: i64::from(code.activation_count),
        remaining: code
            .activation_limit
            .map(|limit| i64::from(limit - code.activation_count)),
        current_reward: code.current_reward,
        decreasing: code.decrease_step > 0,
        as_of,
        today: totals.today,
        last_7_days: totals.week,
        last_30_days: totals.month,
        rewards_total: totals.rewards,
        range,
        in_range: totals.in_range,
        rewards_in_range: totals.rewards_in_range,
        over_time,
        delays,
    })
}

/// Who activated code `id`, newest first, a page at a time (live).
pub async fn players(pool: &PgPool, id: i64, page: Page) -> Result<CodePlayers> {
    let rows = sqlx::query_as!(
        CodePlayerLine,
        r#"SELECT a.ordinal::bigint + 1 AS "number!", a.player_id, p.username, p.external_id,
                  a.reward, a.channel, a.created_at AS "at: chrono::DateTime<chrono::Utc>"
             FROM activations a JOIN players p ON p.id = a.player_id
            WHERE a.code_id = $1
            ORDER BY a.ordinal DESC
            LIMIT $2 OFFSET $3"#,
        id,
        page.limit(),
        page.offset()
    )
    .fetch_all(pool)
    .await?;
    Ok(page.rows(rows))
}

/// The players CSV's columns.
pub const PLAYERS_HEADER: [&str; 7] = [
    "number",
    "player_id",
    "username",
    "external_id",
    "reward",
    "channel",
    "activated_at",
];

/// Every activation of code `id` in `PLAYERS_HEADER` order, oldest first,
/// streamed a row at a time.
pub fn player_rows(
    pool: &PgPool,
    id: i64,
) -> impl futures_util::Stream<Item = Result<Vec<String>>> + Send + '_ {
    use futures_util::StreamExt;
    sqlx::query_as!(
        CodePlayerLine,
        r#"SELECT a.ordinal::bigint + 1 AS "number!", a.player_id, p.username, p.external_id,
                  a.reward, a.channel, a.created_at AS "at: chrono::DateTime<chrono::Utc>"
             FROM activations a JOIN players p ON p.id = a.player_id
            WHERE a.code_id = $1
            ORDER BY a.ordinal"#,
        id
    )
    .fetch(pool)
    .map(|row| {
        let row = row?;
        Ok(vec![
            row.number.to_string(),
            row.player_id.to_string(),
            row.username,
            row.external_id.unwrap_or_default(),
            row.reward.to_string(),
            row.channel,
            row.at.to_rfc3339(),
        ])
    })
}
