//! Webhook endpoints and their deliveries, as the dashboard lists them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A registered endpoint with its deliveries counted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
pub struct EndpointLine {
    pub id: i64,
    pub url: String,
    pub description: String,
    /// Empty: every topic.
    pub topics: Vec<String>,
    pub enabled: bool,
    pub created_at: DateTime<Utc>,
    pub pending: i64,
    pub delivered: i64,
    pub dead: i64,
    /// The signing secret, for an admin who may change things (None for a viewer).
    pub secret: Option<String>,
}

/// One delivery of one event to one destination.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
pub struct DeliveryLine {
    pub id: i64,
    pub event_id: i64,
    pub topic: String,
    /// `webhook` or `nats`.
    pub sink: String,
    /// The endpoint's address (None for NATS).
    pub url: Option<String>,
    /// `pending`, `delivered` or `dead`.
    pub state: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// What the webhooks page shows: the endpoints and the latest deliveries
/// (of one endpoint, or of every destination).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhooksPage {
    pub endpoints: Vec<EndpointLine>,
    pub deliveries: Vec<DeliveryLine>,
    /// Every topic an endpoint may filter on.
    pub topics: Vec<String>,
}

/// The new-endpoint form, as typed (topics: names separated by commas or
/// spaces; empty for every topic).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WebhookForm {
    pub csrf: String,
    pub url: String,
    pub description: String,
    pub topics: String,
}

/// A platform API key as the dashboard lists it (never the key itself).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyLine {
    pub id: i64,
    pub name: String,
    /// The key's first characters, to tell keys apart.
    pub prefix: String,
    pub scopes: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// The API keys page: the keys, and a key just made (shown this once).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeysPage {
    pub keys: Vec<ApiKeyLine>,
    pub new_key: Option<String>,
}

/// The new-key form: a name and a checkbox a scope.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ApiKeyForm {
    pub csrf: String,
    pub name: String,
    pub scope_redeem: Option<String>,
    pub scope_players: Option<String>,
    pub scope_codes_read: Option<String>,
    pub scope_codes_write: Option<String>,
    pub scope_stats: Option<String>,
}

/// What creating a key came to: the key (shown once), or why not.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CreatedKey {
    Key(String),
    Invalid(Vec<super::FieldError>),
}
