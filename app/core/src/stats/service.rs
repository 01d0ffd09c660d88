//! The whole service over a range: activations by kind of code, new and
//! returning redeemers, the most active players, wrong codes and blocks.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::error::Result;
use model::admin::{
    midnight, Bucket, DateRange, Money, ServiceStats, TimeSeries, TopPlayer, KINDS,
};

/// Players the list of the most active shows.
pub const TOP_PLAYERS: usize = 20;

pub async fn report(pool: &PgPool, range: DateRange) -> Result<ServiceStats> {
    let (as_of, _) = super::rollup::freshness(pool).await?;
    let kinds = sqlx::query!(
        r#"SELECT k.day AS "day: chrono::NaiveDate", k.kind, k.currency, sum(k.activations)::bigint AS "activations!",
                  sum(k.rewards)::bigint AS "rewards!"
             FROM stats_kind_days k WHERE k.day BETWEEN $1 AND $2
            GROUP BY 1, 2, 3"#,
        range.from as _,
        range.to as _
    )
    .fetch_all(pool)
    .await?;
    let mut kind_rewards: Vec<(String, Vec<Money>)> = Vec::new();
    for kind in KINDS {
        let mut sums = BTreeMap::<&str, i64>::new();
        for k in kinds.iter().filter(|k| k.kind == kind) {
            *sums.entry(&k.currency).or_default() += k.rewards;
        }
        let money = sums
            .into_iter()
            .map(|(currency, amount)| Money {
                currency: currency.to_owned(),
                amount,
            })
            .collect();
        kind_rewards.push((kind.to_owned(), money));
    }
    let kinds = TimeSeries::fill(
        &range,
        range.day_bucket(),
        KINDS.iter().map(|k| k.to_string()).collect(),
        kinds
            .into_iter()
            .map(|k| (midnight(k.day), k.kind, k.activations)),
    );
    let days = sqlx::query!(
        r#"SELECT day AS "day: chrono::NaiveDate", activations, redeemers, new_redeemers
             FROM stats_service_days WHERE day BETWEEN $1 AND $2"#,
        range.from as _,
        range.to as _
    )
    .fetch_all(pool)
    .await?;
    let activations: i64 = days.iter().map(|d| i64::from(d.activations)).sum();
    let redeemers = TimeSeries::fill(
        &range,
        Bucket::Day,
        vec!["new".into(), "returning".into()],
        days.iter().flat_map(|d| {
            [
                (
                    midnight(d.day),
                    "new".to_owned(),
                    i64::from(d.new_redeemers),
                ),
                (
                    midnight(d.day),
                    "returning".to_owned(),
                    i64::from(d.redeemers - d.new_redeemers),
                ),
            ]
        }),
    );
    let top_players = top_players(pool, range, activations).await?;
    let (abuse, block_reasons) = abuse(pool, range).await?;
    Ok(ServiceStats {
        as_of,
        range,
        kinds,
        kind_rewards,
        redeemers,
        top_players,
        abuse,
        block_reasons,
    })
}

/// Up to this many activations in the range, the most active are counted
/// straight from them; beyond, candidates are taken in order of their
/// all-time count (see `top_players`).
const DIRECT_ROWS: i64 = 40_000;
/// Candidates read at a time.
const CANDIDATES: i64 = 400;

/// The most active players of `range` (most activations first, then the
/// lower id), exactly. A short range counts its activations. A long one
/// would read up to a million of them, so it takes players in order of
/// their all-time count, which bounds their count in any range: once the
/// next candidate's all-time count is below the TOP_PLAYERS-th range count
/// found, nobody left can enter the list. Range counts come from the
/// activations (by player and time), so they are live.
async fn top_players(pool: &PgPool, range: DateRange, activations: i64) -> Result<Vec<TopPlayer>> {
    let mut top: Vec<(i64, i64)> = Vec::new();
    if activations <= DIRECT_ROWS {
        top = sqlx::query!(
            r#"SELECT a.player_id, count(*) AS "n!"
                 FROM activations a WHERE a.created_at >= $1 AND a.created_at < $2
                GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT $3"#,
            range.start() as _,
            range.end() as _,
            TOP_PLAYERS as i64
        )
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(|r| (r.player_id, r.n))
        .collect();
    } else {
        let mut after: Option<(i32, i64)> = None;
        loop {
            let (bound, last_id) = after.unwrap_or((i32::MAX, 0));
            let candidates = sqlx::query!(
                r#"SELECT player_id, activations FROM stats_players
                    WHERE activations < $1 OR (activations = $1 AND player_id > $2)
                    ORDER BY activations DESC, player_id LIMIT $3"#,
                bound,
                last_id,
                CANDIDATES
            )
            .fetch_all(pool)
            .await?;
            let Some(last) = candidates.last() else { break };
            after = Some((last.activations, last.player_id));
            let ids: Vec<i64> = candidates.iter().map(|c| c.player_id).collect();
            let counts = sqlx::query!(
                r#"SELECT a.player_id, count(*) AS "n!"
                     FROM activations a
                    WHERE a.player_id = ANY($1) AND a.created_at >= $2 AND a.created_at < $3
                    GROUP BY 1"#,
                &ids,
                range.start() as _,
                range.end() as _
            )
            .fetch_all(pool)
            .await?;
            top.extend(counts.into_iter().map(|c| (c.player_id, c.n)));
            top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            top.truncate(TOP_PLAYERS);
            let full = top.len() == TOP_PLAYERS;
            if (full && i64::from(last.activations) < top[TOP_PLAYERS - 1].1)
                || (candidates.len() as i64) < CANDIDATES
            {
                break;
            }
        }
    }
    let ids: Vec<i64> = top.iter().map(|t| t.0).collect();
    let names = sqlx::query!("SELECT id, username FROM players WHERE id = ANY($1)", &ids)
        .fetch_all(pool)
        .await?;
    let rewards = sqlx::query!(
        r#"SELECT a.player_id, a.currency, sum(a.reward)::bigint AS "amount!"
             FROM activations a
            WHERE a.player_id = ANY($1) AND a.created_at >= $2 AND a.created_at < $3
            GROUP BY 1, 2 ORDER BY 1, 2"#,
        &ids,
        range.start() as _,
        range.end() as _
    )
    .fetch_all(pool)
    .await?;
    Ok(top
        .into_iter()
        .map(|(player_id, activations)| TopPlayer {
            player_id,
            username: names
                .iter()
                .find(|n| n.id == player_id)
                .map(|n| n.username.clone())
                .unwrap_or_default(),
            activations,
            rewards: rewards
                .iter()
                .filter(|r| r.player_id == player_id)
                .map(|r| Money {
                    currency: r.currency.clone(),
                    amount: r.amount,
                })
                .collect(),
        })
        .collect())
}

/// Wrong codes per day (the spike detector's per-minute rollup, plus the
/// failures after its last minute) and blocks started per day and reason.
async fn abuse(pool: &PgPool, range: DateRange) -> Result<(TimeSeries, Vec<(String, i64)>)> {
    let failures = sqlx::query!(
        r#"WITH rolled AS (SELECT max(minute) + interval '1 minute' AS until FROM failure_minutes)
           SELECT date_trunc('day', m.minute, 'UTC') AS "day!: chrono::DateTime<chrono::Utc>", sum(m.failures)::bigint AS "n!"
             FROM failure_minutes m WHERE m.minute >= $1 AND m.minute < $2 GROUP BY 1
           UNION ALL
           SELECT date_trunc('day', f.created_at, 'UTC'), count(*)
             FROM code_failures f, rolled
            WHERE f.created_at >= greatest($1, coalesce(rolled.until, '-infinity')) AND f.created_at < $2
            GROUP BY 1"#,
        range.start() as _,
        range.end() as _
    )
    .fetch_all(pool)
    .await?;
    let blocks = sqlx::query!(
        r#"SELECT date_trunc('day', b.created_at, 'UTC') AS "day!: chrono::DateTime<chrono::Utc>", b.reason, count(*) AS "n!"
             FROM input_blocks b WHERE b.created_at >= $1 AND b.created_at < $2
            GROUP BY 1, 2"#,
        range.start() as _,
        range.end() as _
    )
    .fetch_all(pool)
    .await?;
    let mut reasons = BTreeMap::<String, i64>::new();
    for b in &blocks {
        *reasons.entry(b.reason.clone()).or_default() += b.n;
    }
    let rows: Vec<(DateTime<Utc>, String, i64)> = failures
        .into_iter()
        .map(|f| (f.day, "wrong_codes".to_owned(), f.n))
        .chain(
            blocks
                .into_iter()
                .map(|b| (b.day, "blocks".to_owned(), b.n)),
        )
        .collect();
    let series = TimeSeries::fill(
        &range,
        range.day_bucket(),
        vec!["wrong_codes".into(), "blocks".into()],
        rows,
    );
    Ok((series, reasons.into_iter().collect()))
}
