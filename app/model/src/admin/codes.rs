//! The code form, the code list's filter and rows, and the edit page's detail.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
