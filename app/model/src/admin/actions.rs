//! The dashboard's page of rewards for platform actions: each action key
//! with what it gives, and the form that adds or changes one.

use serde::{Deserialize, Serialize};

/// An action key's reward, with how many reports it has rewarded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionRewardLine {
    pub action: String,
    /// `grant` or `code`.
    pub gives: String,
    pub reward: i64,
    pub currency: String,
    pub once: bool,
    pub code_days: i32,
    pub enabled: bool,
    pub rewarded: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionRewardsPage {
    pub rewards: Vec<ActionRewardLine>,
    pub currencies: Vec<String>,
}

/// The form, as typed: fields are strings so a refused form comes back as
/// sent. A box left unticked is absent from the post, hence `None` by default.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ActionRewardForm {
    pub csrf: String,
    pub action: String,
    pub gives: String,
    pub reward: String,
    pub currency: String,
    /// A ticked box sends `on`.
    pub once: Option<String>,
    pub code_days: String,
    pub enabled: Option<String>,
}

impl ActionRewardForm {
    /// The form as a new reward starts: a grant once per player, switched on.
    pub fn blank() -> Self {
        Self {
            csrf: String::new(),
            action: String::new(),
            gives: "grant".into(),
            reward: String::new(),
            currency: "COINS".into(),
            once: Some("on".into()),
            code_days: "30".into(),
            enabled: Some("on".into()),
        }
    }
}
