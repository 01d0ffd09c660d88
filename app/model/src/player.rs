//! Types shared by the server and the browser: what crosses a server function
//! boundary. Row types and secrets stay in the server-only core.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The refusal without its payload: what statistics count and what the
/// browser receives (a database failure is `Internal`, its details stay in the log).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalKind {
    Malformed,
    Unknown,
    Disabled,
    NotStarted,
    Expired,
    Exhausted,
    AlreadyActivated,
    NotEligible,
    UnknownPlayer,
    /// Too many wrong codes: input is blocked until `Refusal::until`.
    LockedOut,
    /// A service-wide wave of wrong codes: wait until `Refusal::until`.
    Cooldown,
    /// Too many requests in a short time (HTTP 429): retry at `Refusal::until`.
    Throttled,
    /// The player's balance cannot hold the reward.
    BalanceFull,
    Internal,
}

impl RefusalKind {
    pub const ALL: [RefusalKind; 14] = [
        Self::Malformed,
        Self::Unknown,
        Self::Disabled,
        Self::NotStarted,
        Self::Expired,
        Self::Exhausted,
        Self::AlreadyActivated,
        Self::NotEligible,
        Self::UnknownPlayer,
        Self::LockedOut,
        Self::Cooldown,
        Self::Throttled,
        Self::BalanceFull,
        Self::Internal,
    ];

    /// The Fluent message id shown to the person who made the request.
    pub fn message_id(self) -> &'static str {
        match self {
            Self::Malformed => "redeem-error-malformed",
            Self::Unknown => "redeem-error-unknown",
            Self::Disabled => "redeem-error-disabled",
            Self::NotStarted => "redeem-error-not-started",
            Self::Expired => "redeem-error-expired",
            Self::Exhausted => "redeem-error-exhausted",
            Self::AlreadyActivated => "redeem-error-already-activated",
            Self::NotEligible => "redeem-error-not-eligible",
            Self::UnknownPlayer => "redeem-error-unknown-player",
            Self::LockedOut => "redeem-error-locked-out",
            Self::Cooldown => "redeem-error-cooldown",
            Self::Throttled => "redeem-error-throttled",
            Self::BalanceFull => "redeem-error-balance-full",
            Self::Internal => "error-internal",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Malformed => "malformed",
            Self::Unknown => "unknown",
            Self::Disabled => "disabled",
            Self::NotStarted => "not_started",
            Self::Expired => "expired",
            Self::Exhausted => "exhausted",
            Self::AlreadyActivated => "already_activated",
            Self::NotEligible => "not_eligible",
            Self::UnknownPlayer => "unknown_player",
            Self::LockedOut => "locked_out",
            Self::Cooldown => "cooldown",
            Self::Throttled => "throttled",
            Self::BalanceFull => "balance_full",
            Self::Internal => "internal",
        }
    }
}

/// The signed-in player as the header shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlayerSummary {
    pub username: String,
    pub unread: i64,
}

/// What a redeem (form or easter egg) came to, ready to show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RedeemOutcome {
    Granted(Granted),
    Refused(Refusal),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Granted {
    pub activation_id: i64,
    pub code: String,
    pub reward: i64,
    pub currency: String,
    pub balance_after: i64,
    /// In the language of the request; empty when the code has none.
    pub description: String,
    pub secret_message: String,
    /// True when this player had already found it (an easter egg visited again).
    pub earlier: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    pub kind: RefusalKind,
    pub starts_at: Option<DateTime<Utc>>,
    /// Until when code input is held back (locked out, cooldown, throttled).
    pub until: Option<DateTime<Utc>>,
    /// What the player typed, to put back in the field.
    pub code: String,
}

impl Refusal {
    /// A refusal with nothing more to say than its kind.
    pub fn of(kind: RefusalKind) -> Self {
        Self {
            kind,
            starts_at: None,
            until: None,
            code: String::new(),
        }
    }
}

impl RedeemOutcome {
    /// The outcome in the address a plain form post is redirected to.
    pub fn to_query(&self) -> String {
        let query = match self {
            Self::Granted(g) => RedeemQuery {
                activation: Some(g.activation_id),
                ..RedeemQuery::default()
            },
            Self::Refused(r) => RedeemQuery {
                refused: Some(r.kind),
                starts_at: r.starts_at,
                until: r.until,
                code: Some(r.code.chars().take(100).collect()).filter(|c: &String| !c.is_empty()),
                ..RedeemQuery::default()
            },
        };
        serde_urlencoded::to_string(&query).unwrap_or_default()
    }
}

impl RefusalKind {
    /// What a player may be told: a disabled code is reported as an unknown
    /// one, so refusals do not reveal which codes exist.
    pub fn for_player(self) -> Self {
        match self {
            Self::Disabled => Self::Unknown,
            other => other,
        }
    }
}

/// The redeem page's address after a plain (no-JavaScript) form post: the
/// outcome travels in the query string, since the form reloads the page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedeemQuery {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activation: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refused: Option<RefusalKind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starts_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// A sign-in style form that did not go through: a Fluent message id, and for
/// "try again later", in how many seconds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormError {
    pub id: String,
    pub seconds: Option<i64>,
}

impl FormError {
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            seconds: None,
        }
    }

    pub fn wait(id: impl Into<String>, seconds: i64) -> Self {
        Self {
            id: id.into(),
            seconds: Some(seconds),
        }
    }

    /// The error in a plain post's redirect address: `error=ID[&seconds=N]`,
    /// with whatever else the form puts back.
    pub fn to_query(&self, extra: &[(&str, &str)]) -> String {
        let seconds = self.seconds.map(|s| s.to_string());
        let mut pairs: Vec<(&str, &str)> = vec![("error", self.id.as_str())];
        if let Some(seconds) = &seconds {
            pairs.push(("seconds", seconds));
        }
        pairs.extend_from_slice(extra);
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balance {
    pub currency: String,
    pub amount: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerLine {
    pub at: DateTime<Utc>,
    pub amount: i64,
    pub currency: String,
    pub balance_after: i64,
    /// The code that paid it, for promo credits.
    pub code: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wallet {
    pub balances: Vec<Balance>,
    /// The ledger, newest first.
    pub history: Paged<LedgerLine>,
}

/// One page of a list: its lines, its number (from 1) and whether another follows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paged<T> {
    pub lines: Vec<T>,
    pub page: i64,
    pub has_next: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationLine {
    pub id: i64,
    pub kind: String,
    pub code: String,
    pub reward: i64,
    pub currency: String,
    pub at: DateTime<Utc>,
    pub read: bool,
}

pub type NotificationPage = Paged<NotificationLine>;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivationLine {
    pub code: String,
    pub reward: i64,
    pub currency: String,
    pub channel: String,
    pub at: DateTime<Utc>,
}

pub type ActivationPage = Paged<ActivationLine>;

/// A code issued to the player alone ("your codes").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonalCodeLine {
    pub code: String,
    pub reward: i64,
    pub currency: String,
    pub issued_at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
    /// `open` (redeem it), `redeemed` or `expired`.
    pub state: String,
}

pub type PersonalCodePage = Paged<PersonalCodeLine>;

/// A 429 from the router answers a server function with the error
/// `ServerError|throttled:SECONDS`; the page turns it into a refusal.
pub const THROTTLED_PREFIX: &str = "throttled:";

/// Rows per page in the wallet, inbox and activation lists.
pub const PAGE_SIZE: i64 = 20;

/// The last page any list goes to: far beyond any real list, and far from
/// where `page * size` could overflow.
pub const MAX_PAGE: i64 = 1_000_000;

/// A requested page number as one that exists: 1 to `MAX_PAGE`.
pub fn page_number(page: i64) -> i64 {
    page.clamp(1, MAX_PAGE)
}
