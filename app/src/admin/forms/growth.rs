//! The growth forms (referral program, quests, loyalty rules) read into the
//! core's commands, and the core's problems put on their fields.

use promo_core::input;
use promo_core::loyalty::{Rule, RuleKind};
use promo_core::quests::{QuestDraft, QuestText, StepDraft};
use promo_core::referrals::{PayOn, Program};
use promo_core::Problem;

use super::{field_errors, read};
use crate::admin::models::*;
use crate::models::growth::{LoyaltyRuleForm, QuestForm, ReferralProgramForm, QUEST_FORM_STEPS};

/// A required whole number: its value, or an error on its field.
fn number<T: std::str::FromStr>(
    value: &str,
    field: &str,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    let n = read(input::whole::<T>(value), field, errors);
    if n.is_none() && !errors.iter().any(|e| e.field == field) {
        errors.push(FieldError::new(field, "admin-error-required"));
    }
    n
}

pub fn referral_program(form: &ReferralProgramForm) -> Result<Program, Vec<FieldError>> {
    let mut errors = Vec::new();
    let referee_reward = number::<i64>(&form.referee_reward, "referee_reward", &mut errors);
    let referrer_reward = number::<i64>(&form.referrer_reward, "referrer_reward", &mut errors);
    let cap = read(input::whole::<i32>(&form.cap), "cap", &mut errors);
    let cap_days = number::<i32>(&form.cap_days, "cap_days", &mut errors);
    let threshold = number::<i32>(&form.review_threshold, "review_threshold", &mut errors);
    let pay_on = PayOn::parse(&form.pay_referrer_on);
    if pay_on.is_none() {
        errors.push(FieldError::new("pay_referrer_on", "admin-error-required"));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Program {
        enabled: form.enabled.is_some(),
        referee_reward: referee_reward.unwrap_or_default(),
        referee_currency: form.referee_currency.trim().to_owned(),
        referrer_reward: referrer_reward.unwrap_or_default(),
        referrer_currency: form.referrer_currency.trim().to_owned(),
        pay_referrer_on: pay_on.unwrap_or(PayOn::FirstRedeem),
        cap,
        cap_days: cap_days.unwrap_or(30),
        review_threshold: threshold.unwrap_or(3),
    })
}

pub fn referral_program_errors(problems: &[Problem]) -> Vec<FieldError> {
    field_errors(problems, |problem| match problem {
        Problem::PayoutNegative | Problem::RewardTooLarge => "referee_reward",
        Problem::UnknownCurrency => "referee_currency",
        Problem::CapNotPositive => "cap",
        Problem::DaysNotPositive | Problem::TooManyDays => "cap_days",
        _ => "",
    })
}

/// The form as the program stands (or a first program's defaults).
pub fn referral_program_form(program: Option<&Program>) -> ReferralProgramForm {
    match program {
        Some(p) => ReferralProgramForm {
            csrf: String::new(),
            enabled: p.enabled.then(|| "on".into()),
            referee_reward: p.referee_reward.to_string(),
            referee_currency: p.referee_currency.clone(),
            referrer_reward: p.referrer_reward.to_string(),
            referrer_currency: p.referrer_currency.clone(),
            pay_referrer_on: p.pay_referrer_on.as_str().into(),
            cap: p.cap.map(|c| c.to_string()).unwrap_or_default(),
            cap_days: p.cap_days.to_string(),
            review_threshold: p.review_threshold.to_string(),
        },
        None => ReferralProgramForm {
            csrf: String::new(),
            enabled: Some("on".into()),
            referee_reward: "100".into(),
            referee_currency: "COINS".into(),
            referrer_reward: "50".into(),
            referrer_currency: "COINS".into(),
            pay_referrer_on: "first_redeem".into(),
            cap: "10".into(),
            cap_days: "30".into(),
            review_threshold: "3".into(),
        },
    }
}

pub fn quest(form: &QuestForm) -> Result<QuestDraft, Vec<FieldError>> {
    let mut errors = Vec::new();
    let reward = number::<i64>(&form.reward, "reward", &mut errors);
    let starts_at = read(input::time(&form.starts_at), "starts_at", &mut errors);
    let ends_at = read(input::time(&form.ends_at), "ends_at", &mut errors);
    let mut steps = Vec::new();
    for n in 1..=QUEST_FORM_STEPS {
        let (kind, subject, target) = form.step(n);
        if kind.trim().is_empty() {
            continue;
        }
        let field = match n {
            1 => "step1_target",
            2 => "step2_target",
            _ => "step3_target",
        };
        let target = if target.trim().is_empty() {
            Some(1)
        } else {
            read(input::whole::<i32>(target), field, &mut errors)
        };
        steps.push(StepDraft {
            kind: kind.trim().to_owned(),
            subject: subject.trim().to_owned(),
            target: target.unwrap_or(1),
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(QuestDraft {
        slug: form.slug.trim().to_owned(),
        en: QuestText {
            title: form.title_en.trim().to_owned(),
            story: form.story_en.trim().to_owned(),
        },
        ru: QuestText {
            title: form.title_ru.trim().to_owned(),
            story: form.story_ru.trim().to_owned(),
        },
        reward: reward.unwrap_or_default(),
        currency: form.currency.trim().to_owned(),
        starts_at,
        ends_at,
        enabled: form.enabled.is_some(),
        steps,
    })
}

pub fn quest_errors(problems: &[Problem]) -> Vec<FieldError> {
    field_errors(problems, |problem| match problem {
        Problem::QuestSlug => "slug",
        Problem::NameRequired => "title_en",
        Problem::DescriptionTooLong | Problem::TextChars(_) => "story_en",
        Problem::Reward(_) | Problem::RewardTooLarge => "reward",
        Problem::UnknownCurrency => "currency",
        Problem::EndBeforeStart => "ends_at",
        Problem::NoSteps | Problem::StepSubject | Problem::QuestInProgress => "step1_kind",
        Problem::StepTarget => "step1_target",
        _ => "",
    })
}

pub fn loyalty_rule(form: &LoyaltyRuleForm) -> Result<Rule, Vec<FieldError>> {
    let mut errors = Vec::new();
    let reward = number::<i64>(&form.reward, "reward", &mut errors);
    let code_days = number::<i32>(&form.code_days, "code_days", &mut errors);
    let value = form.value.trim();
    let kind = match form.kind.as_str() {
        "every_n" => number::<i32>(value, "value", &mut errors).map(RuleKind::EveryN),
        "monthly_tier" => Some(RuleKind::MonthlyTier(value.to_owned())),
        "tagged" => Some(RuleKind::Tagged(value.to_owned())),
        _ => {
            errors.push(FieldError::new("kind", "admin-error-required"));
            None
        }
    };
    let (Some(kind), true) = (kind, errors.is_empty()) else {
        return Err(errors);
    };
    Ok(Rule {
        name: form.name.trim().to_owned(),
        kind,
        reward: reward.unwrap_or_default(),
        currency: form.currency.trim().to_owned(),
        code_days: code_days.unwrap_or(30),
        enabled: form.enabled.is_some(),
    })
}

pub fn loyalty_rule_errors(problems: &[Problem]) -> Vec<FieldError> {
    field_errors(problems, |problem| match problem {
        Problem::NameRequired | Problem::NameChars => "name",
        Problem::RuleValue => "value",
        Problem::Reward(_) | Problem::RewardTooLarge => "reward",
        Problem::UnknownCurrency => "currency",
        Problem::DaysNotPositive | Problem::TooManyDays => "code_days",
        _ => "",
    })
}
