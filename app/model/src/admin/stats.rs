//! What the statistics pages show: a report's date range and time buckets,
//! and the figures of a code, a scope (group, series, campaign, partner), the
//! whole service and retention. Days are UTC; ranges are whole days.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::Paged;

/// A report's days, both ends included.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DateRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// Why a range was refused (a Fluent message id each).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RangeError {
    /// Not a `YYYY-MM-DD` date.
    Date,
    /// The end comes before the start.
    Order,
    /// Longer than `DateRange::MAX_DAYS`.
    TooLong,
}

impl RangeError {
    pub fn message_id(self) -> &'static str {
        match self {
            Self::Date => "stats-error-date",
            Self::Order => "stats-error-order",
            Self::TooLong => "stats-error-too-long",
        }
    }
}

/// How long a period the charts bucket by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Bucket {
    Hour,
    Day,
    Week,
}

impl Bucket {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hour => "hour",
            Self::Day => "day",
            Self::Week => "week",
        }
    }

    /// The start of the bucket holding `at`.
    pub fn start(self, at: DateTime<Utc>) -> DateTime<Utc> {
        let day = at.date_naive();
        match self {
            Self::Hour => at - Duration::seconds(at.timestamp().rem_euclid(3600)),
            Self::Day => midnight(day),
            Self::Week => midnight(week_start(day)),
        }
    }

    pub fn step(self) -> Duration {
        match self {
            Self::Hour => Duration::hours(1),
            Self::Day => Duration::days(1),
            Self::Week => Duration::weeks(1),
        }
    }
}

/// 00:00 UTC of `day`.
pub fn midnight(day: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default())
}

/// The Monday of `day`'s week.
pub fn week_start(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

impl DateRange {
    /// The longest range a report covers (ten years).
    pub const MAX_DAYS: i64 = 3660;
    /// The range of a report opened without one: the last 30 days.
    pub const DEFAULT_DAYS: i64 = 30;

    /// The last `days` days up to `today`.
    pub fn last(days: i64, today: NaiveDate) -> Self {
        Self {
            from: today - Duration::days(days.clamp(1, Self::MAX_DAYS) - 1),
            to: today,
        }
    }

    /// A range from the query's `from` and `to` (`YYYY-MM-DD`); a missing
    /// end is today, a missing start 30 days before the end.
    pub fn parse(from: &str, to: &str, today: NaiveDate) -> Result<Self, RangeError> {
        let date = |s: &str| match s.trim() {
            "" => Ok(None),
            s => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| RangeError::Date),
        };
        Self::between(date(from)?, date(to)?, today)
    }

    /// A range from its ends as dates, with the same defaults as `parse`.
    pub fn between(
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Result<Self, RangeError> {
        // Far-off years are refused before any arithmetic can overflow on them.
        let sane = |d: NaiveDate| (1970..=9999).contains(&d.year());
        if !from.into_iter().chain(to).all(sane) {
            return Err(RangeError::Date);
        }
        let to = to.unwrap_or(today);
        let from = from.unwrap_or(to - Duration::days(Self::DEFAULT_DAYS - 1));
        if to < from {
            return Err(RangeError::Order);
        }
        if (to - from).num_days() + 1 > Self::MAX_DAYS {
            return Err(RangeError::TooLong);
        }
        Ok(Self { from, to })
    }

    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// 00:00 UTC of the first day.
    pub fn start(&self) -> DateTime<Utc> {
        midnight(self.from)
    }

    /// 00:00 UTC of the day after the last (the range is up to, not including, it).
    pub fn end(&self) -> DateTime<Utc> {
        midnight(self.to) + Duration::days(1)
    }

    /// Hours up to two days, days up to 120, weeks beyond: about 48 to 120 bars.
    pub fn bucket(&self) -> Bucket {
        match self.days() {
            ..=2 => Bucket::Hour,
            3..=120 => Bucket::Day,
            _ => Bucket::Week,
        }
    }

    /// The bucket for reports that count by day at the finest.
    pub fn day_bucket(&self) -> Bucket {
        match self.bucket() {
            Bucket::Hour => Bucket::Day,
            other => other,
        }
    }

    /// The start of every bucket of the range, in order (a week bucket may
    /// begin before the range: its figures count only days in the range).
    pub fn buckets(&self, bucket: Bucket) -> Vec<DateTime<Utc>> {
        let mut at = bucket.start(self.start());
        let end = self.end();
        let mut all = Vec::new();
        while at < end {
            all.push(at);
            at += bucket.step();
        }
        all
    }

    /// `from=…&to=…`, for links that keep the range.
    pub fn query(&self) -> String {
        format!("from={}&to={}", self.from, self.to)
    }
}

/// Figures over time: for each bucket of the range, one value per key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimeSeries {
    pub bucket: Bucket,
    /// What each value counts (channels, kinds, ...), in display order.
    pub keys: Vec<String>,
    /// Every bucket of the range, empty ones included: (start, values by key).
    pub points: Vec<(DateTime<Utc>, Vec<i64>)>,
}

impl TimeSeries {
    /// Buckets of `range` with zeros, then `rows` of (time, key, value)
    /// added into the bucket holding their time; keys not in `keys` are dropped.
    pub fn fill(
        range: &DateRange,
        bucket: Bucket,
        keys: Vec<String>,
        rows: impl IntoIterator<Item = (DateTime<Utc>, String, i64)>,
    ) -> Self {
        let starts = range.buckets(bucket);
        let mut points: Vec<(DateTime<Utc>, Vec<i64>)> =
            starts.iter().map(|s| (*s, vec![0; keys.len()])).collect();
        for (at, key, value) in rows {
            let Some(k) = keys.iter().position(|x| *x == key) else {
                continue;
            };
            let start = bucket.start(at);
            if let Ok(i) = starts.binary_search(&start) {
                points[i].1[k] += value;
            }
        }
        Self {
            bucket,
            keys,
            points,
        }
    }

    /// The sum per key over the whole range.
    pub fn totals(&self) -> Vec<i64> {
        let mut totals = vec![0; self.keys.len()];
        for (_, values) in &self.points {
            for (t, v) in totals.iter_mut().zip(values) {
                *t += v;
            }
        }
        totals
    }
}

/// An amount of one currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Money {
    pub currency: String,
    pub amount: i64,
}

/// The activation channels, in display order.
pub const ACTIVATION_CHANNELS: [&str; 4] = ["form", "egg", "api", "job"];
/// The kinds of code statistics count by (a code's one kind: see README).
pub const KINDS: [&str; 5] = ["standard", "decreasing", "limited", "temporary", "egg"];
/// The buckets of time from a code's release to an activation.
pub const DELAY_BUCKETS: [&str; 7] = ["1h", "6h", "1d", "3d", "7d", "30d", "later"];

/// A code's report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CodeStats {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub currency: String,
    pub enabled: bool,
    /// Its release: `starts_at`, else when it was created.
    pub released_at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
    /// Live from the code: activations so far, what is left, the next reward.
    pub activations: i64,
    pub remaining: Option<i64>,
    pub current_reward: i64,
    pub decreasing: bool,
    /// The rollups' figures, as of `as_of`.
    pub as_of: DateTime<Utc>,
    pub today: i64,
    pub last_7_days: i64,
    pub last_30_days: i64,
    pub rewards_total: i64,
    pub range: DateRange,
    pub in_range: i64,
    pub rewards_in_range: i64,
    /// Activations by channel over the range.
    pub over_time: TimeSeries,
    /// Activations by time from release (all time), one per `DELAY_BUCKETS`.
    pub delays: Vec<i64>,
}

/// One activation of a code, for the list of who activated it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
pub struct CodePlayerLine {
    /// The k-th activation, counted from 1.
    pub number: i64,
    pub player_id: i64,
    pub username: String,
    pub external_id: Option<String>,
    pub reward: i64,
    pub channel: String,
    pub at: DateTime<Utc>,
}

pub type CodePlayers = Paged<CodePlayerLine>;

/// What a scope report is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Group,
    Campaign,
    Partner,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Self::Group, Self::Campaign, Self::Partner];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Group => "group",
            Self::Campaign => "campaign",
            Self::Partner => "partner",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A group's, series', campaign's or partner's report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScopeStats {
    pub scope: Scope,
    pub id: i64,
    pub name: String,
    /// A group that is a generated series.
    pub series: bool,
    pub as_of: DateTime<Utc>,
    pub range: DateRange,
    pub activations: i64,
    /// Distinct players who redeemed any of its codes in the range.
    pub players: i64,
    pub rewards: Vec<Money>,
    pub over_time: TimeSeries,
    /// Its codes, and those activated at least once (all time).
    pub codes: i64,
    pub codes_used: i64,
    /// Its most activated codes (all time): (id, name, activations).
    pub top_codes: Vec<(i64, String, i64)>,
    /// A partner's payout for the range.
    pub payout: Option<Payout>,
}

/// What a partner is owed: activations of its codes times its payout per
/// activation, per calendar month of the range.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Payout {
    pub currency: String,
    pub per_activation: i64,
    /// (first day of the month, or of the range; activations, amount owed).
    pub months: Vec<(NaiveDate, i64, i64)>,
    pub activations: i64,
    pub owed: i64,
}

/// One campaign in the comparison.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignLine {
    pub id: i64,
    pub name: String,
    /// Its marketing channel (email, social, print, ...).
    pub channel: String,
    pub partner: Option<String>,
    pub activations: i64,
    pub players: i64,
    pub rewards: Vec<Money>,
    /// Activations by activation channel, one per `ACTIVATION_CHANNELS`.
    pub by_channel: Vec<i64>,
}

/// Campaigns side by side, and their marketing channels summed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignComparison {
    pub as_of: DateTime<Utc>,
    pub range: DateRange,
    pub campaigns: Vec<CampaignLine>,
    /// (marketing channel, campaigns, activations).
    pub channels: Vec<(String, i64, i64)>,
}

/// A player among the most active of a range.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TopPlayer {
    pub player_id: i64,
    pub username: String,
    pub activations: i64,
    pub rewards: Vec<Money>,
}

/// The whole service.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceStats {
    pub as_of: DateTime<Utc>,
    pub range: DateRange,
    /// Activations by kind of code.
    pub kinds: TimeSeries,
    /// Rewards handed out, per kind (one row per `KINDS`) and currency.
    pub kind_rewards: Vec<(String, Vec<Money>)>,
    /// Per day: players redeeming for the first time ever, and the others.
    pub redeemers: TimeSeries,
    pub top_players: Vec<TopPlayer>,
    /// Wrong codes typed and blocks of code input started.
    pub abuse: TimeSeries,
    /// Blocks started in the range by reason (failures, spread, spike).
    pub block_reasons: Vec<(String, i64)>,
}

/// A weekly cohort and how many of it were active in the weeks after.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Cohort {
    pub week: NaiveDate,
    pub players: i64,
    /// Active in week k after the cohort's week (k = 0..7).
    pub active: Vec<i64>,
}

/// A campaign's redeemers before and after their first redeem in it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignImpact {
    pub campaign_id: i64,
    pub name: String,
    pub players: i64,
    /// Weeks -4..-1 and 0..3 around the first redeem: active players, events.
    pub active: Vec<i64>,
    pub events: Vec<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetentionStats {
    /// When the figures were computed (every few minutes), if ever.
    pub as_of: Option<DateTime<Utc>>,
    pub range: DateRange,
    /// Players by the week they first redeemed.
    pub redeemers: Vec<Cohort>,
    /// Players by the week they signed up, who have redeemed nothing.
    pub others: Vec<Cohort>,
    pub campaigns: Vec<CampaignImpact>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn ranges_default_to_thirty_days_and_refuse_nonsense() {
        let today = day("2026-12-04");
        let r = DateRange::parse("", "", today).unwrap();
        assert_eq!((r.from, r.to, r.days()), (day("2026-11-05"), today, 30));
        assert_eq!(
            DateRange::parse("2026-12-05", "2026-12-04", today),
            Err(RangeError::Order)
        );
        assert_eq!(
            DateRange::parse("yesterday", "", today),
            Err(RangeError::Date)
        );
        assert_eq!(
            DateRange::parse("1980-01-01", "", today),
            Err(RangeError::TooLong)
        );
        for far in ["+262142-12-31", "-262143-01-01", "1900-01-01"] {
            assert_eq!(DateRange::parse(far, "", today), Err(RangeError::Date));
            assert_eq!(DateRange::parse("", far, today), Err(RangeError::Date));
        }
        let one = DateRange::parse("2026-12-04", "2026-12-04", today).unwrap();
        assert_eq!(one.days(), 1);
        assert_eq!(one.end() - one.start(), Duration::days(1));
    }

    #[test]
    fn buckets_cover_the_range_and_follow_its_length() {
        let today = day("2026-12-04");
        let two = DateRange::parse("2026-12-03", "2026-12-04", today).unwrap();
        assert_eq!(two.bucket(), Bucket::Hour);
        assert_eq!(two.buckets(Bucket::Hour).len(), 48);
        assert_eq!(DateRange::last(30, today).bucket(), Bucket::Day);
        let long = DateRange::last(200, today);
        assert_eq!(long.bucket(), Bucket::Week);
        let weeks = long.buckets(Bucket::Week);
        // 2026-12-04 is a Friday; the first week starts on the Monday before the range.
        assert_eq!(weeks[0].date_naive(), week_start(long.from));
        assert!(weeks.last().unwrap().date_naive() <= today);
    }

    #[test]
    fn a_series_puts_each_row_in_its_bucket_and_drops_the_rest() {
        let range = DateRange::parse("2026-12-03", "2026-12-04", day("2026-12-04")).unwrap();
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let series = TimeSeries::fill(
            &range,
            Bucket::Day,
            vec!["form".into(), "egg".into()],
            [
                (at("2026-12-03T23:59:59Z"), "form".into(), 2),
                (at("2026-12-04T00:00:00Z"), "form".into(), 3),
                (at("2026-12-04T12:00:00Z"), "egg".into(), 1),
                (at("2026-12-05T00:00:00Z"), "form".into(), 100),
                (at("2026-12-04T00:00:00Z"), "other".into(), 100),
            ],
        );
        assert_eq!(series.points.len(), 2);
        assert_eq!(series.points[0].1, vec![2, 0]);
        assert_eq!(series.points[1].1, vec![3, 1]);
        assert_eq!(series.totals(), vec![5, 1]);
    }
}
