//! Engagement: the platform's reports of player activity (stored per player,
//! day and kind), and the retention figures computed from them every few
//! minutes: weekly cohorts of redeemers beside players who redeemed nothing,
//! and each campaign's redeemers before and after their first redeem in it.

use chrono::{DateTime, Duration, Utc};
use sqlx::{PgConnection, PgPool};

use crate::error::Result;
use model::admin::{week_start, CampaignImpact, Cohort, DateRange, RetentionStats};

/// One thing a player did on the platform.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActivityEvent {
    /// The platform's id for the player.
    pub player: String,
    /// What they did: lower-case letters, digits and `_ . : -`, up to 40.
    pub kind: String,
    pub at: DateTime<Utc>,
}

/// Why an event was not recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActivityRefusal {
    UnknownPlayer,
    BadKind,
    /// Older than `ACTIVITY_PAST` or later than `ACTIVITY_FUTURE` from now.
    OutOfRange,
}

impl ActivityRefusal {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::UnknownPlayer => "unknown_player",
            Self::BadKind => "bad_kind",
            Self::OutOfRange => "out_of_range",
        }
    }
}

/// How far back activity may be reported.
pub const ACTIVITY_PAST: Duration = Duration::days(400);
/// How far ahead (clock skew).
pub const ACTIVITY_FUTURE: Duration = Duration::minutes(5);

/// Records `events` (each counted once per call); answers how many were
/// recorded and, by position, those that were not and why.
pub async fn record(
    conn: &mut PgConnection,
    events: &[ActivityEvent],
) -> Result<(usize, Vec<(usize, ActivityRefusal)>)> {
    let now = Utc::now();
    let mut refused = Vec::new();
    let mut keep = Vec::new();
    for (i, e) in events.iter().enumerate() {
        if !crate::input::platform_key(&e.kind) {
            refused.push((i, ActivityRefusal::BadKind));
        } else if e.at < now - ACTIVITY_PAST || e.at > now + ACTIVITY_FUTURE {
            refused.push((i, ActivityRefusal::OutOfRange));
        } else {
            keep.push(i);
        }
    }
    let players: Vec<String> = keep.iter().map(|&i| events[i].player.clone()).collect();
    let kinds: Vec<String> = keep.iter().map(|&i| events[i].kind.clone()).collect();
    let times: Vec<DateTime<Utc>> = keep.iter().map(|&i| events[i].at).collect();
    let unknown = sqlx::query_scalar!(
        r#"SELECT DISTINCT x.ext AS "ext!" FROM unnest($1::text[]) x (ext)
            WHERE NOT EXISTS (SELECT 1 FROM players p WHERE p.external_id = x.ext)"#,
        &players
    )
    .fetch_all(&mut *conn)
    .await?;
    sqlx::query!(
        r#"INSERT INTO player_activity_days AS t (player_id, day, kind, events)
           SELECT p.id, (e.at AT TIME ZONE 'UTC')::date, e.kind, count(*)
             FROM unnest($1::text[], $2::text[], $3::timestamptz[]) e (ext, kind, at)
             JOIN players p ON p.external_id = e.ext
            GROUP BY 1, 2, 3
            ORDER BY 1, 2, 3
           ON CONFLICT (player_id, day, kind) DO UPDATE SET events = t.events + EXCLUDED.events"#,
        &players,
        &kinds,
        &times as _
    )
    .execute(&mut *conn)
    .await?;
    let mut recorded = keep.len();
    for &i in &keep {
        if unknown.contains(&events[i].player) {
            refused.push((i, ActivityRefusal::UnknownPlayer));
            recorded -= 1;
        }
    }
    refused.sort_by_key(|r| r.0);
    Ok((recorded, refused))
}

/// Cohorts whose week overlaps `range`, and every campaign's impact.
pub async fn report(pool: &PgPool, range: DateRange) -> Result<RetentionStats> {
    let (_, as_of) = super::rollup::freshness(pool).await?;
    let cohorts = sqlx::query!(
        r#"SELECT cohort, week AS "week: chrono::NaiveDate", players, active FROM stats_cohorts
            WHERE week BETWEEN $1 AND $2 ORDER BY week"#,
        week_start(range.from) as _,
        range.to as _
    )
    .fetch_all(pool)
    .await?;
    let (mut redeemers, mut others) = (Vec::new(), Vec::new());
    for c in cohorts {
        let cohort = Cohort {
            week: c.week,
            players: i64::from(c.players),
            active: c.active.into_iter().map(i64::from).collect(),
        };
        if c.cohort == "redeemers" {
            redeemers.push(cohort);
        } else {
            others.push(cohort);
        }
    }
    let campaigns = sqlx::query!(
        r#"SELECT i.campaign_id, c.name, i.players, i.active, i.events
             FROM stats_campaign_impact i JOIN campaigns c ON c.id = i.campaign_id
            ORDER BY i.players DESC, c.name"#
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|c| CampaignImpact {
        campaign_id: c.campaign_id,
        name: c.name,
        players: i64::from(c.players),
        active: c.active.into_iter().map(i64::from).collect(),
        events: c.events,
    })
    .collect();
    Ok(RetentionStats {
        as_of,
        range,
        redeemers,
        others,
        campaigns,
    })
}
