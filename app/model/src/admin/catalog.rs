//! Groups, campaigns and partners: their forms and the catalog page.

use serde::{Deserialize, Serialize};

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
