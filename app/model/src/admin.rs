//! Types the admin dashboard's server functions and pages share. Forms carry
//! strings as typed, so that a refused form comes back exactly as it was sent.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything.
    Admin,
    /// Reads only.
    Viewer,
}

impl Role {
    pub fn parse(s: &str) -> Self {
        if s == "admin" {
            Self::Admin
        } else {
            Self::Viewer
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Viewer => "viewer",
        }
    }

    pub fn can_write(self) -> bool {
        self == Self::Admin
    }
}

/// The signed-in admin, with the token every state-changing form sends back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminMe {
    pub username: String,
    pub role: Role,
    pub csrf: String,
    /// A refused plain post of this page's form, as a query string: what was
    /// typed and why it was refused (see `AdminRequest::back_with`).
    pub draft: Option<String>,
}

/// One value of a draft's query string.
pub fn draft_value(draft: &str, name: &str) -> Option<String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(draft)
        .ok()?
        .into_iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value)
}

/// A form field the server refused: the field's name and a Fluent message id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: &str) -> Self {
        Self {
            field: field.to_owned(),
            message: message.to_owned(),
        }
    }
}

/// What a create or edit form came to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Saved {
    /// Stored; the id of the row.
    Ok(i64),
    /// Refused; nothing changed.
    Invalid(Vec<FieldError>),
}

/// Every parameter of a code, as the form sends it. Empty means "none".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CodeForm {
    pub csrf: String,
    /// Empty for a new code.
    pub id: String,
    pub name: String,
    pub currency: String,
    pub initial_reward: String,
    pub min_reward: String,
    pub decrease_step: String,
    pub activation_limit: String,
    /// `YYYY-MM-DDTHH:MM` in UTC (a `datetime-local` input).
    pub starts_at: String,
    pub ends_at: String,
    pub egg_slug: String,
    /// A checkbox: "on" when ticked, absent otherwise.
    pub enabled: Option<String>,
    pub priority: String,
    pub group_id: String,
    pub campaign_id: String,
    pub partner_id: String,
    /// Comma-separated.
    pub eligible_tiers: String,
    pub eligible_tags: String,
    pub new_player_days: String,
    pub description_en: String,
    pub secret_en: String,
    pub description_ru: String,
    pub secret_ru: String,
}

/// The five presets of the create form; any of them can be combined.
pub const PRESETS: [&str; 5] = ["standard", "decreasing", "limited", "temporary", "egg"];

impl CodeForm {
    /// A new code's form with the given presets applied on top of the standard one.
    pub fn with_presets(presets: &[&str], now: DateTime<Utc>) -> Self {
        let mut form = Self {
            currency: "COINS".into(),
            initial_reward: "100".into(),
            enabled: Some("on".into()),
            priority: "0".into(),
            ..Self::default()
        };
        for preset in presets {
            match *preset {
                "decreasing" => {
                    form.initial_reward = "500".into();
                    form.min_reward = "50".into();
                    form.decrease_step = "50".into();
                }
                "limited" => form.activation_limit = "100".into(),
                "temporary" => {
                    form.starts_at = datetime_input(now);
                    form.ends_at = datetime_input(now + chrono::Duration::days(7));
                }
                "egg" => form.egg_slug = "new-egg".into(),
                _ => {}
            }
        }
        form
    }
}

/// A time as a `datetime-local` input's value (UTC, minutes).
pub fn datetime_input(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M").to_string()
}

/// Where a code stands now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodeStatus {
    Active,
    Scheduled,
    Expired,
    Exhausted,
    Disabled,
}

impl CodeStatus {
    pub const ALL: [CodeStatus; 5] = [
        Self::Active,
        Self::Scheduled,
        Self::Expired,
        Self::Exhausted,
        Self::Disabled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Scheduled => "scheduled",
            Self::Expired => "expired",
            Self::Exhausted => "exhausted",
            Self::Disabled => "disabled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// The code list's filters, sort and page, as its address carries them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CodeFilter {
    /// Part of the name (case and separators do not matter).
    pub q: String,
    pub group: String,
    pub campaign: String,
    pub partner: String,
    /// standard | decreasing | limited | temporary | egg
    #[serde(rename = "type")]
    pub kind: String,
    pub status: String,
    /// created | priority | activations (descending), or with a leading `-` ascending
    pub sort: String,
    pub page: String,
}

impl CodeFilter {
    pub fn page(&self) -> i64 {
        crate::player::page_number(self.page.trim().parse().unwrap_or(1))
    }

    /// The query string for this filter (empty values left out).
    pub fn to_query(&self) -> String {
        let pairs: Vec<(&str, &str)> = [
            ("q", self.q.as_str()),
            ("group", self.group.as_str()),
            ("campaign", self.campaign.as_str()),
            ("partner", self.partner.as_str()),
            ("type", self.kind.as_str()),
            ("status", self.status.as_str()),
            ("sort", self.sort.as_str()),
            ("page", self.page.as_str()),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect();
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeRow {
    pub id: i64,
    pub name: String,
    pub status: CodeStatus,
    pub kinds: Vec<String>,
    pub currency: String,
    pub current_reward: i64,
    pub activation_count: i32,
    pub activation_limit: Option<i32>,
    pub priority: i32,
    pub group: Option<String>,
    pub campaign: Option<String>,
    pub partner: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeList {
    pub rows: Vec<CodeRow>,
    pub total: i64,
    pub page: i64,
    pub has_next: bool,
}

/// A choice in a select: id and label.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub id: i64,
    pub name: String,
}

/// What the code form's selects offer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choices {
    pub groups: Vec<Choice>,
    pub campaigns: Vec<Choice>,
    pub partners: Vec<Choice>,
    pub currencies: Vec<String>,
}

/// A code as the edit page shows it: its form and what it has done so far.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeDetail {
    pub form: CodeForm,
    pub status: CodeStatus,
    pub activation_count: i32,
    pub current_reward: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A series: N codes from a pattern, sharing every other parameter.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SeriesForm {
    pub csrf: String,
    /// The series' group name.
    pub name: String,
    pub count: String,
    /// `#` marks one random character; empty means prefix + length + suffix.
    pub pattern: String,
    pub prefix: String,
    pub suffix: String,
    pub length: String,
    /// Empty means the default alphabet without look-alike characters.
    pub alphabet: String,
    pub currency: String,
    pub reward: String,
    /// Activations per code (1 = single use).
    pub activation_limit: String,
    pub starts_at: String,
    pub ends_at: String,
    pub campaign_id: String,
    pub partner_id: String,
}

impl SeriesForm {
    pub fn defaults() -> Self {
        Self {
            count: "1000".into(),
            length: "10".into(),
            currency: "COINS".into(),
            reward: "100".into(),
            activation_limit: "1".into(),
            ..Self::default()
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    Running,
    Done,
    Cancelled,
    Failed,
}

impl JobStatus {
    pub fn parse(s: &str) -> Self {
        match s {
            "running" => Self::Running,
            "done" => Self::Done,
            "cancelled" => Self::Cancelled,
            _ => Self::Failed,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Done => "done",
            Self::Cancelled => "cancelled",
            Self::Failed => "failed",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeriesJob {
    pub id: i64,
    pub name: String,
    pub requested: i32,
    pub done: i32,
    pub status: JobStatus,
    pub cancel_requested: bool,
    pub group_id: Option<i64>,
    pub entropy_bits: f64,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeriesJobList {
    pub jobs: Vec<SeriesJob>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupForm {
    pub csrf: String,
    pub id: String,
    pub name: String,
    pub description: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CampaignForm {
    pub csrf: String,
    pub id: String,
    pub name: String,
    pub channel: String,
    pub partner_id: String,
    pub starts_at: String,
    pub ends_at: String,
    pub notes: String,
}

pub const CHANNELS: [&str; 7] = [
    "email",
    "social",
    "print",
    "event",
    "broadcast",
    "partner",
    "internal",
];

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PartnerForm {
    pub csrf: String,
    pub id: String,
    pub name: String,
    pub contact: String,
    pub payout: String,
    pub currency: String,
    pub notes: String,
}

/// Groups, campaigns and partners with how many codes each has.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    pub groups: Vec<(GroupForm, String, i64)>,
    pub campaigns: Vec<(CampaignForm, i64)>,
    pub partners: Vec<(PartnerForm, i64)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLine {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub admin: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    /// (field, before, after) for each field that changed.
    pub changes: Vec<(String, String, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub lines: Vec<AuditLine>,
    pub page: i64,
    pub has_next: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardStats {
    pub active_codes: i64,
    pub activations_today: i64,
    pub activations_week: i64,
    /// (currency, amount) handed out in the last 7 days and in all.
    pub rewards_week: Vec<(String, i64)>,
    pub rewards_total: Vec<(String, i64)>,
    pub running_jobs: i64,
    /// Blocks of code input in force (players, addresses, the service).
    pub active_blocks: i64,
    /// A service-wide wrong-code spike: its cooldown ends then, and the
    /// wrong codes in the minute that started it.
    pub spike: Option<(DateTime<Utc>, i32)>,
}

/// A block of code input, as the dashboard lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
pub struct BlockLine {
    pub id: i64,
    /// `player`, `ip` or `service`.
    pub scope: String,
    /// The player's id, the address, or `*`.
    pub subject: String,
    pub username: Option<String>,
    /// `failures`, `spread` or `spike`.
    pub reason: String,
    pub strike: i32,
    pub failures: i32,
    pub created_at: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub lifted_at: Option<DateTime<Utc>>,
    pub lifted_by: Option<String>,
    /// Still in force (not lifted, not run out) when listed.
    pub active: bool,
}

/// A CSV import: how many codes were stored, or every line's problems.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImportOutcome {
    Imported(usize),
    /// (line number, Fluent message id, the offending value); nothing was stored.
    Refused(Vec<(usize, String, String)>),
}

/// The entropy, in bits, of one code from `pattern` (with `#` for a random
/// character) or `length` random characters, over `alphabet_len` characters.
pub fn entropy_bits(random_chars: usize, alphabet_len: usize) -> f64 {
    if alphabet_len < 2 {
        return 0.0;
    }
    random_chars as f64 * (alphabet_len as f64).log2()
}

/// The default alphabet: upper-case letters and digits without look-alikes (0/O, 1/I/L, 2/Z, 5/S, 8/B).
pub const SAFE_ALPHABET: &str = "ACDEFGHJKMNPQRTUVWXY34679";

/// A pattern must offer at least this many times more codes than the series
/// holds, so that guessing stays hopeless and generation rarely collides.
pub const SPACE_FACTOR: f64 = 1_000_000.0;

/// Whether a pattern of this entropy is big enough for `count` codes.
pub fn pattern_fits(bits: f64, count: u64) -> bool {
    bits >= (count.max(1) as f64 * SPACE_FACTOR).log2()
}

/// The entropy of a series form as typed (the form shows it live).
pub fn series_entropy(pattern: &str, length: &str, alphabet: &str) -> f64 {
    let random = if pattern.trim().is_empty() {
        length.trim().parse().unwrap_or(0)
    } else {
        pattern.chars().filter(|c| *c == '#').count()
    };
    let letters = if alphabet.trim().is_empty() {
        SAFE_ALPHABET.len()
    } else {
        let mut seen: Vec<char> = alphabet
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        seen.sort_unstable();
        seen.dedup();
        seen.len()
    };
    entropy_bits(random, letters)
}

/// Field errors as a plain post carries them in the address: `field:message,…`.
pub fn errors_from_query(value: &str) -> Vec<FieldError> {
    value
        .split(',')
        .filter_map(|pair| pair.split_once(':'))
        .filter(|(_, message)| message.starts_with("admin-error-") || *message == "error-internal")
        .map(|(field, message)| FieldError::new(field, message))
        .collect()
}
