//! Reports of a group (a series is one), a campaign or a partner, from the
//! rollups: activations, unique players and rewards over the range, its
//! codes' use, a partner's payout per month, and campaigns side by side.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use sqlx::PgPool;

use crate::error::{Error, Result};
use model::admin::{
    midnight, CampaignComparison, CampaignLine, DateRange, Money, Payout, Scope, ScopeStats,
    TimeSeries, ACTIVATION_CHANNELS,
};

/// The report of one group, campaign or partner over `range`.
pub async fn report(pool: &PgPool, scope: Scope, id: i64, range: DateRange) -> Result<ScopeStats> {
    let (name, series, rate) = match scope {
        Scope::Group => {
            let g = sqlx::query!(
                "SELECT name, kind = 'series' AS \"series!\" FROM code_groups WHERE id = $1",
                id
            )
            .fetch_optional(pool)
            .await?
            .ok_or(Error::NotFound)?;
            (g.name, g.series, None)
        }
        Scope::Campaign => {
            let name = sqlx::query_scalar!("SELECT name FROM campaigns WHERE id = $1", id)
                .fetch_optional(pool)
                .await?
                .ok_or(Error::NotFound)?;
            (name, false, None)
        }
        Scope::Partner => {
            let p = sqlx::query!(
                "SELECT name, payout_per_activation, payout_currency FROM partners WHERE id = $1",
                id
            )
            .fetch_optional(pool)
            .await?
            .ok_or(Error::NotFound)?;
            (
                p.name,
                false,
                Some((p.payout_currency, p.payout_per_activation)),
            )
        }
    };
    let (as_of, _) = super::rollup::freshness(pool).await?;
    let days = sqlx::query!(
        r#"SELECT d.day AS "day: chrono::NaiveDate", d.channel, d.currency, sum(d.activations)::bigint AS "activations!",
                  sum(d.rewards)::bigint AS "rewards!"
             FROM stats_scope_days d
            WHERE d.scope = $1 AND d.scope_id = $2 AND d.day BETWEEN $3 AND $4
            GROUP BY 1, 2, 3"#,
        scope.as_str(),
        id,
        range.from as _,
        range.to as _
    )
    .fetch_all(pool)
    .await?;
    let players = unique_players(pool, scope, &[id], range)
        .await?
        .first()
        .map_or(0, |p| p.1);
    let codes = sqlx::query!(
        r#"SELECT count(*) AS "codes!", count(*) FILTER (WHERE c.activation_count > 0) AS "used!"
             FROM promo_codes c
            WHERE ($1 = 'group' AND c.group_id = $2) OR ($1 = 'campaign' AND c.campaign_id = $2)
               OR ($1 = 'partner' AND c.partner_id = $2)"#,
        scope.as_str(),
        id
    )
    .fetch_one(pool)
    .await?;
    let top_codes = sqlx::query!(
        r#"SELECT c.id, c.name, c.activation_count::bigint AS "n!"
             FROM promo_codes c
            WHERE (($1 = 'group' AND c.group_id = $2) OR ($1 = 'campaign' AND c.campaign_id = $2)
               OR ($1 = 'partner' AND c.partner_id = $2)) AND c.activation_count > 0
            ORDER BY c.activation_count DESC, c.id LIMIT 10"#,
        scope.as_str(),
        id
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|c| (c.id, c.name, c.n))
    .collect();
    let payout = match rate {
        Some((currency, per_activation)) => {
            Some(payout(pool, id, range, currency, per_activation).await?)
        }
        None => None,
    };
    let activations = days.iter().map(|d| d.activations).sum();
    let rewards = money(days.iter().map(|d| (d.currency.clone(), d.rewards)));
    let over_time = TimeSeries::fill(
        &range,
        range.day_bucket(),
        ACTIVATION_CHANNELS.iter().map(|c| c.to_string()).collect(),
        days.into_iter()
            .map(|d| (midnight(d.day), d.channel, d.activations)),
    );
    Ok(ScopeStats {
        scope,
        id,
        name,
        series,
        as_of,
        range,
        activations,
        players,
        rewards,
        over_time,
        codes: codes.codes,
        codes_used: codes.used,
        top_codes,
        payout,
    })
}

/// Unique players of each scope in `ids` over `range`: the kept total for
/// a scope all of whose activity lies in the range, else a count of the
/// distinct players of its days in the range. Scopes without activity are
/// left out.
async fn unique_players(
    pool: &PgPool,
    scope: Scope,
    ids: &[i64],
    range: DateRange,
) -> Result<Vec<(i64, i64)>> {
    let totals = sqlx::query!(
        r#"SELECT scope_id, players, first_day AS "first_day: NaiveDate", last_day AS "last_day: NaiveDate"
             FROM stats_scope_totals WHERE scope = $1 AND scope_id = ANY($2)"#,
        scope.as_str(),
        ids
    )
    .fetch_all(pool)
    .await?;
    let (covered, partly): (Vec<_>, Vec<_>) = totals
        .into_iter()
        .partition(|t| range.from <= t.first_day && t.last_day <= range.to);
    let mut players: Vec<(i64, i64)> = covered
        .iter()
        .map(|t| (t.scope_id, i64::from(t.players)))
        .collect();
    let partly: Vec<i64> = partly
        .iter()
        .filter(|t| t.first_day <= range.to && range.from <= t.last_day)
        .map(|t| t.scope_id)
        .collect();
    if !partly.is_empty() {
        let counted = sqlx::query!(
            r#"SELECT d.scope_id AS "scope_id!", count(*) AS "n!"
                 FROM (SELECT DISTINCT p.scope_id, p.player_id FROM stats_scope_players p
                        WHERE p.scope = $1 AND p.scope_id = ANY($2) AND p.day BETWEEN $3 AND $4) d
                GROUP BY 1"#,
            scope.as_str(),
            &partly,
            range.from as _,
            range.to as _
        )
        .fetch_all(pool)
        .await?;
        players.extend(counted.into_iter().map(|c| (c.scope_id, c.n)));
    }
    Ok(players)
}

/// Sums per currency, in currency order.
fn money(rows: impl IntoIterator<Item = (String, i64)>) -> Vec<Money> {
    let mut sums = BTreeMap::<String, i64>::new();
    for (currency, amount) in rows {
        *sums.entry(currency).or_default() += amount;
    }
    sums.into_iter()
        .map(|(currency, amount)| Money { currency, amount })
        .collect()
}

/// Partner `id`'s activations per calendar month of `range` and what they owe.
async fn payout(
    pool: &PgPool,
    id: i64,
    range: DateRange,
    currency: String,
    per_activation: i64,
) -> Result<Payout> {
    let rows = sqlx::query!(
        r#"SELECT date_trunc('month', d.day::timestamp)::date AS "month!: chrono::NaiveDate", sum(d.activations)::bigint AS "n!"
             FROM stats_scope_days d
            WHERE d.scope = 'partner' AND d.scope_id = $1 AND d.day BETWEEN $2 AND $3
            GROUP BY 1 ORDER BY 1"#,
        id,
        range.from as _,
        range.to as _
    )
    .fetch_all(pool)
    .await?;
    let months: Vec<(NaiveDate, i64, i64)> = months_of(range)
        .into_iter()
        .map(|month| {
            let n = rows
                .iter()
                .find(|r| r.month == first_of_month(month))
                .map_or(0, |r| r.n);
            (month, n, n.saturating_mul(per_activation))
        })
        .collect();
    let activations = months.iter().map(|m| m.1).sum();
    Ok(Payout {
        currency,
        per_activation,
        activations,
        owed: months.iter().fold(0i64, |t, m| t.saturating_add(m.2)),
        months,
    })
}

fn first_of_month(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// The start of each calendar month the range touches (the first clamped to the range).
fn months_of(range: DateRange) -> Vec<NaiveDate> {
    let mut months = vec![range.from];
    let mut next = first_of_month(range.from);
    loop {
        next = next
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(range.to);
        if next > range.to {
            return months;
        }
        months.push(next);
    }
}

/// The payout CSV's columns.
pub const PAYOUT_HEADER: [&str; 6] = [
    "month",
    "from",
    "to",
    "activations",
    "payout_per_activation",
    "owed",
];

/// A partner's payout as CSV rows: one a month, each with its days in the range.
pub fn payout_rows(payout: &Payout, range: DateRange) -> Vec<Vec<String>> {
    payout
        .months
        .iter()
        .enumerate()
        .map(|(i, (start, n, owed))| {
            let end = payout
                .months
                .get(i + 1)
                .map_or(range.to, |(next, _, _)| *next - chrono::Duration::days(1));
            vec![
                start.format("%Y-%m").to_string(),
                start.to_string(),
                end.to_string(),
                n.to_string(),
                format!("{} {}", payout.per_activation, payout.currency),
                format!("{owed} {}", payout.currency),
            ]
        })
        .collect()
}

/// Every campaign over `range`, most activated first, and the marketing
/// channels' sums.
pub async fn campaigns(pool: &PgPool, range: DateRange) -> Result<CampaignComparison> {
    let (as_of, _) = super::rollup::freshness(pool).await?;
    let list = sqlx::query!(
        r#"SELECT c.id, c.name, c.channel, p.name AS "partner?"
             FROM campaigns c LEFT JOIN partners p ON p.id = c.partner_id"#
    )
    .fetch_all(pool)
    .await?;
    let days = sqlx::query!(
        r#"SELECT d.scope_id, d.channel, d.currency, sum(d.activations)::bigint AS "activations!",
                  sum(d.rewards)::bigint AS "rewards!"
             FROM stats_scope_days d
            WHERE d.scope = 'campaign' AND d.day BETWEEN $1 AND $2
            GROUP BY 1, 2, 3"#,
        range.from as _,
        range.to as _
    )
    .fetch_all(pool)
    .await?;
    let ids: Vec<i64> = list.iter().map(|c| c.id).collect();
    let players = unique_players(pool, Scope::Campaign, &ids, range).await?;
    let mut campaigns: Vec<CampaignLine> = list
        .into_iter()
        .map(|c| {
            let mine = days.iter().filter(|d| d.scope_id == c.id);
            let by_channel = ACTIVATION_CHANNELS
                .iter()
                .map(|ch| {
                    mine.clone()
                        .filter(|d| d.channel == *ch)
                        .map(|d| d.activations)
                        .sum()
                })
                .collect();
            CampaignLine {
                id: c.id,
                name: c.name,
                channel: c.channel,
                partner: c.partner,
                activations: mine.clone().map(|d| d.activations).sum(),
                players: players.iter().find(|p| p.0 == c.id).map_or(0, |p| p.1),
                rewards: money(mine.map(|d| (d.currency.clone(), d.rewards))),
                by_channel,
            }
        })
        .collect();
    campaigns.sort_by(|a, b| b.activations.cmp(&a.activations).then(a.name.cmp(&b.name)));
    let mut channels = BTreeMap::<String, (i64, i64)>::new();
    for c in &campaigns {
        let entry = channels.entry(c.channel.clone()).or_default();
        entry.0 += 1;
        entry.1 += c.activations;
    }
    Ok(CampaignComparison {
        as_of,
        range,
        campaigns,
        channels: channels
            .into_iter()
            .map(|(ch, (n, a))| (ch, n, a))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_range_splits_into_its_calendar_months() {
        let range = DateRange {
            from: day("2026-10-15"),
            to: day("2026-12-04"),
        };
        assert_eq!(
            months_of(range),
            vec![day("2026-10-15"), day("2026-11-01"), day("2026-12-01")]
        );
        let inside = DateRange {
            from: day("2026-11-03"),
            to: day("2026-11-09"),
        };
        assert_eq!(months_of(inside), vec![day("2026-11-03")]);
        let payout = Payout {
            currency: "COINS".into(),
            per_activation: 5,
            months: vec![
                (day("2026-10-15"), 2, 10),
                (day("2026-11-01"), 1, 5),
                (day("2026-12-01"), 0, 0),
            ],
            activations: 3,
            owed: 15,
        };
        let rows = payout_rows(&payout, range);
        assert_eq!(
            rows[0][1..3],
            ["2026-10-15".to_string(), "2026-10-31".to_string()]
        );
        assert_eq!(
            rows[2][1..3],
            ["2026-12-01".to_string(), "2026-12-04".to_string()]
        );
    }
}
