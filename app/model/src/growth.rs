//! What players and admins see of the growth mechanics: invites and their
//! friends, quests with their steps' progress, loyalty rules and the codes
//! they issued. Forms carry strings as typed.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// An invite code as typed or linked: upper-cased, 4 to 16 letters and
/// digits (None: it cannot be one). The sign-up page and the core agree.
pub fn normalize_invite(text: &str) -> Option<String> {
    let code = text.trim().to_ascii_uppercase();
    ((4..=16).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then_some(code)
}

/// An amount of one currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Earned {
    pub currency: String,
    pub amount: i64,
}

/// The player's invite link and what it brought them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InviteSummary {
    /// The invite code (`/r/{code}`).
    pub code: String,
    /// Friends who signed up with it.
    pub joined: i64,
    /// Of them, those who have redeemed a code.
    pub converted: i64,
    /// Held for review (too many sign-ups from one address).
    pub held: i64,
    /// Paid to the player for their friends, per currency.
    pub earned: Vec<Earned>,
    /// What a friend gets and what the player gets (None: no program).
    pub offer: Option<ReferralOffer>,
}

/// The program's rewards as players are told them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReferralOffer {
    pub referee_reward: i64,
    pub referee_currency: String,
    pub referrer_reward: i64,
    pub referrer_currency: String,
    /// `sign_up` or `first_redeem`.
    pub pay_referrer_on: String,
}

/// Who invites, on the invite's landing page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteLanding {
    pub code: String,
    pub inviter: String,
    pub offer: Option<ReferralOffer>,
}

/// One step of a quest, with the player's progress.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuestStepView {
    /// `code`, `group`, `campaign`, `codes` or `eggs`.
    pub kind: String,
    /// The code's, group's or campaign's name (for those kinds).
    pub subject: Option<String>,
    pub target: i32,
    pub done: i32,
}

/// A quest as a player sees it (or an admin, with `players`/`completed`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuestView {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub story: String,
    pub reward: i64,
    pub currency: String,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub enabled: bool,
    pub steps: Vec<QuestStepView>,
    /// When this player completed it (and was paid).
    pub completed_at: Option<DateTime<Utc>>,
    /// Players who completed it (admin view).
    pub completions: i64,
}

/// A referrer in the dashboard's ranking.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TopReferrer {
    pub player_id: i64,
    pub username: String,
    pub joined: i64,
    pub converted: i64,
    pub paid: i64,
}

/// A referral held for review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HeldReferral {
    pub referee_id: i64,
    pub referee: String,
    pub referrer: String,
    pub address: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// The program's figures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReferralReport {
    /// Players with an invite link.
    pub inviters: i64,
    /// Friends who signed up with one.
    pub joined: i64,
    pub converted: i64,
    pub held: i64,
    pub rejected: i64,
    /// Referrers over their cap when a reward was due.
    pub capped: i64,
    /// Paid to friends and to referrers, per currency.
    pub referee_rewards: Vec<Earned>,
    pub referrer_rewards: Vec<Earned>,
    pub top: Vec<TopReferrer>,
    pub held_list: Vec<HeldReferral>,
}

/// The referral program form, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReferralProgramForm {
    pub csrf: String,
    pub enabled: Option<String>,
    pub referee_reward: String,
    pub referee_currency: String,
    pub referrer_reward: String,
    pub referrer_currency: String,
    pub pay_referrer_on: String,
    /// Empty: no cap.
    pub cap: String,
    pub cap_days: String,
    pub review_threshold: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralsPage {
    pub form: ReferralProgramForm,
    pub report: ReferralReport,
    pub currencies: Vec<String>,
}

/// A quest form, as typed: up to `QUEST_FORM_STEPS` steps, one per line of
/// fields (a step with an empty kind is no step).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct QuestForm {
    pub csrf: String,
    pub slug: String,
    pub title_en: String,
    pub story_en: String,
    pub title_ru: String,
    pub story_ru: String,
    pub reward: String,
    pub currency: String,
    pub starts_at: String,
    pub ends_at: String,
    pub enabled: Option<String>,
    pub step1_kind: String,
    pub step1_subject: String,
    pub step1_target: String,
    pub step2_kind: String,
    pub step2_subject: String,
    pub step2_target: String,
    pub step3_kind: String,
    pub step3_subject: String,
    pub step3_target: String,
}

/// Steps the dashboard's form offers (the API takes any number).
pub const QUEST_FORM_STEPS: usize = 3;

impl QuestForm {
    pub fn blank() -> Self {
        Self {
            currency: "COINS".into(),
            enabled: Some("on".into()),
            step1_target: "1".into(),
            step2_target: "1".into(),
            step3_target: "1".into(),
            ..Self::default()
        }
    }

    /// (kind, subject, target) of step `n` (1-based).
    pub fn step(&self, n: usize) -> (&str, &str, &str) {
        match n {
            1 => (&self.step1_kind, &self.step1_subject, &self.step1_target),
            2 => (&self.step2_kind, &self.step2_subject, &self.step2_target),
            _ => (&self.step3_kind, &self.step3_subject, &self.step3_target),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestsAdminPage {
    pub quests: Vec<QuestView>,
    pub currencies: Vec<String>,
}

/// A loyalty rule with the codes it issued and how many were redeemed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoyaltyRuleLine {
    pub id: i64,
    pub name: String,
    /// `every_n`, `monthly_tier` or `tagged`.
    pub kind: String,
    pub every_n: Option<i32>,
    pub tier: Option<String>,
    pub tag: Option<String>,
    pub reward: i64,
    pub currency: String,
    pub code_days: i32,
    pub enabled: bool,
    pub issued: i64,
    pub redeemed: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoyaltyRuleForm {
    pub csrf: String,
    pub name: String,
    pub kind: String,
    /// N, the tier or the tag, as the kind needs.
    pub value: String,
    pub reward: String,
    pub currency: String,
    pub code_days: String,
    pub enabled: Option<String>,
}

impl LoyaltyRuleForm {
    pub fn blank() -> Self {
        Self {
            kind: "every_n".into(),
            currency: "COINS".into(),
            code_days: "30".into(),
            enabled: Some("on".into()),
            ..Self::default()
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoyaltyPage {
    pub rules: Vec<LoyaltyRuleLine>,
    pub currencies: Vec<String>,
}

/// Something that wants the player's attention (see the core's `attention`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForYou {
    /// 1 announced, 2 personal, 3 quest: the order they are shown in.
    pub rank: i32,
    /// `announced`, `personal` or `quest`.
    pub kind: String,
    /// The code's name, or the quest's title.
    pub subject: String,
    pub reward: i64,
    pub currency: String,
    pub ends_at: Option<DateTime<Utc>>,
    /// A quest's steps done and asked, summed.
    pub done: i32,
    pub target: i32,
}
