//! A code as a person typed it, in a dashboard form or a CSV line: every
//! field as text. Reading it gives the typed command (`NewCode` and its
//! texts) or every problem, each on the field it belongs to.

use crate::codes::{CodeTexts, Locale, NewCode};
use crate::error::{Problem, Reference, Text, TextPart};
use crate::input::{self, InputError};

/// The fields of a code, by the names forms and CSV columns give them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CodeDraft {
    pub name: String,
    pub currency: String,
    pub initial_reward: String,
    pub min_reward: String,
    pub decrease_step: String,
    pub activation_limit: String,
    pub starts_at: String,
    pub ends_at: String,
    pub egg_slug: String,
    pub enabled: bool,
    pub priority: String,
    pub group_id: String,
    pub campaign_id: String,
    pub partner_id: String,
    pub eligible_tiers: String,
    pub eligible_tags: String,
    pub new_player_days: String,
    pub texts: CodeTexts,
}

/// Why a field of a draft was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DraftProblem {
    Required,
    Input(InputError),
    Rule(Problem),
}

/// A refused field: its name (as in `CodeDraft`) and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldProblem {
    pub field: &'static str,
    pub problem: DraftProblem,
}

/// The field a rule of `NewCode` (or its texts) is about.
pub fn field_of(problem: &Problem) -> &'static str {
    use crate::reward::RewardScheduleError as R;
    match problem {
        Problem::CodeName(_) | Problem::NameTooLong | Problem::DuplicateName => "name",
        Problem::Reward(R::InitialNotPositive) | Problem::RewardTooLarge => "initial_reward",
        Problem::Reward(R::MinimumNotPositive | R::MinimumAboveInitial) => "min_reward",
        Problem::Reward(R::StepOutOfRange) => "decrease_step",
        Problem::EndBeforeStart => "ends_at",
        Problem::LimitNotPositive | Problem::LimitBelowCount => "activation_limit",
        Problem::BadSlug | Problem::DuplicateSlug => "egg_slug",
        Problem::UnknownCurrency => "currency",
        Problem::Unknown(Reference::Group) => "group_id",
        Problem::Unknown(Reference::Campaign) => "campaign_id",
        Problem::Unknown(Reference::Partner) => "partner_id",
        Problem::DaysNotPositive | Problem::TooManyDays => "new_player_days",
        Problem::BadTiers => "eligible_tiers",
        Problem::BadTags => "eligible_tags",
        Problem::TextTooLong(text) | Problem::TextChars(text) => text_field(*text),
        _ => "",
    }
}

fn text_field(text: Text) -> &'static str {
    match (text.locale, text.part) {
        (Locale::En, TextPart::Description) => "description_en",
        (Locale::En, TextPart::SecretMessage) => "secret_en",
        (Locale::Ru, TextPart::Description) => "description_ru",
        (Locale::Ru, TextPart::SecretMessage) => "secret_ru",
    }
}

impl CodeDraft {
    /// The command, or every field's problem (one per field: the first found).
    pub fn read(&self) -> Result<(NewCode, CodeTexts), Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let mut number = |value: &str, field: &'static str| -> Option<i64> {
            input::whole::<i64>(value).unwrap_or_else(|e| {
                problems.push(FieldProblem {
                    field,
                    problem: DraftProblem::Input(e),
                });
                None
            })
        };
        let initial = number(&self.initial_reward, "initial_reward");
        let step = number(&self.decrease_step, "decrease_step").unwrap_or(0);
        let min = number(&self.min_reward, "min_reward");
        let group_id = number(&self.group_id, "group_id");
        let campaign_id = number(&self.campaign_id, "campaign_id");
        let partner_id = number(&self.partner_id, "partner_id");
        let small =
            |value: &str, field: &'static str, problems: &mut Vec<FieldProblem>| -> Option<i32> {
                input::whole::<i32>(value).unwrap_or_else(|e| {
                    problems.push(FieldProblem {
                        field,
                        problem: DraftProblem::Input(e),
                    });
                    None
                })
            };
        let activation_limit = small(&self.activation_limit, "activation_limit", &mut problems);
        let priority = small(&self.priority, "priority", &mut problems).unwrap_or(0);
        let new_player_days = small(&self.new_player_days, "new_player_days", &mut problems);
        let mut when = |value: &str, field: &'static str| {
            input::time(value).unwrap_or_else(|e| {
                problems.push(FieldProblem {
                    field,
                    problem: DraftProblem::Input(e),
                });
                None
            })
        };
        let starts_at = when(&self.starts_at, "starts_at");
        let ends_at = when(&self.ends_at, "ends_at");
        if initial.is_none() && self.initial_reward.trim().is_empty() {
            problems.push(FieldProblem {
                field: "initial_reward",
                problem: DraftProblem::Required,
            });
        }
        let initial = initial.unwrap_or(1);
        let code = NewCode {
            name: self.name.clone(),
            currency: self.currency.clone(),
            initial_reward: initial,
            min_reward: min.unwrap_or(crate::codes::default_min_reward(initial, step)),
            decrease_step: step,
            activation_limit,
            starts_at,
            ends_at,
            egg_slug: Some(self.egg_slug.clone()),
            enabled: self.enabled,
            priority,
            group_id,
            campaign_id,
            partner_id,
            eligible_tiers: input::list(&self.eligible_tiers),
            eligible_tags: input::list(&self.eligible_tags),
            new_player_days,
        }
        .tidied();
        let texts = self.texts.trimmed();
        let rules = code.problems().into_iter().chain(texts.problems());
        problems.extend(rules.map(|rule| FieldProblem {
            field: field_of(&rule),
            problem: DraftProblem::Rule(rule),
        }));
        // One problem per field: the first found.
        let mut seen = std::collections::HashSet::new();
        problems.retain(|p| seen.insert(p.field));
        if problems.is_empty() {
            Ok((code, texts))
        } else {
            Err(problems)
        }
    }

    /// The draft a stored code would be typed as (for the edit form and clones).
    pub fn of(code: &NewCode, texts: &CodeTexts) -> Self {
        let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
        Self {
            name: code.name.clone(),
            currency: code.currency.clone(),
            initial_reward: code.initial_reward.to_string(),
            min_reward: code.min_reward.to_string(),
            decrease_step: code.decrease_step.to_string(),
            activation_limit: opt(code.activation_limit.map(i64::from)),
            starts_at: code.starts_at.map(input::time_input).unwrap_or_default(),
            ends_at: code.ends_at.map(input::time_input).unwrap_or_default(),
            egg_slug: code.egg_slug.clone().unwrap_or_default(),
            enabled: code.enabled,
            priority: code.priority.to_string(),
            group_id: opt(code.group_id),
            campaign_id: opt(code.campaign_id),
            partner_id: opt(code.partner_id),
            eligible_tiers: code.eligible_tiers.join(", "),
            eligible_tags: code.eligible_tags.join(", "),
            new_player_days: opt(code.new_player_days.map(i64::from)),
            texts: texts.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> CodeDraft {
        CodeDraft {
            name: "SPRING-10".into(),
            currency: "coins".into(),
            initial_reward: "10".into(),
            enabled: true,
            ..CodeDraft::default()
        }
    }

    #[test]
    fn a_good_draft_reads_as_its_command() {
        let (code, _) = draft().read().unwrap();
        assert_eq!(
            (code.currency.as_str(), code.initial_reward, code.min_reward),
            ("COINS", 10, 10)
        );
        let (code, _) = CodeDraft {
            decrease_step: "2".into(),
            ..draft()
        }
        .read()
        .unwrap();
        assert_eq!(
            code.min_reward, 1,
            "a decreasing code goes down to 1 without a minimum"
        );
    }

    #[test]
    fn every_field_says_what_is_wrong_with_it() {
        let bad = CodeDraft {
            initial_reward: "ten".into(),
            starts_at: "soon".into(),
            activation_limit: "0".into(),
            min_reward: "50".into(),
            ..draft()
        };
        let fields: Vec<&str> = bad.read().unwrap_err().iter().map(|p| p.field).collect();
        for field in ["initial_reward", "starts_at", "activation_limit"] {
            assert!(fields.contains(&field), "{field}: {fields:?}");
        }
        let over = CodeDraft {
            min_reward: "50".into(),
            ..draft()
        }
        .read()
        .unwrap_err();
        assert_eq!(over[0].field, "min_reward");
    }
}
