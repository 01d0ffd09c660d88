//! What the dashboard reports: the audit log, the home page's figures, input
//! blocks and a CSV import's outcome.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLine {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub admin: Option<String>,
    /// The API key's name, for a change made through the platform API.
    pub api_key: Option<String>,
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
