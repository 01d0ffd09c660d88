//! The dashboard's forms read into the core's typed commands, and the core's
//! answers turned back into forms and field errors (server only): which
//! Fluent message a problem shows, on which field.

mod catalog;
mod codes;
mod growth;
mod series;

pub use catalog::*;
pub use codes::*;
pub use growth::*;
pub use series::*;

use promo_core::code_draft::{DraftProblem, FieldProblem};
use promo_core::input::{self, InputError};
use promo_core::{CodeTextError, Problem};

use crate::admin::models::*;

/// The Fluent message of a problem, wherever it is shown.
pub fn message(problem: &Problem) -> &'static str {
    use promo_core::reward::RewardScheduleError as R;
    match problem {
        Problem::CodeName(CodeTextError::Empty) => "admin-error-name-empty",
        Problem::CodeName(CodeTextError::TooLong) => "admin-error-name-long",
        Problem::CodeName(CodeTextError::InvalidCharacter) => "admin-error-name-chars",
        Problem::NameTooLong => "admin-error-name-display-long",
        Problem::Reward(R::InitialNotPositive | R::MinimumNotPositive) => "admin-error-positive",
        Problem::Reward(R::MinimumAboveInitial) => "admin-error-min-above-initial",
        Problem::Reward(R::StepOutOfRange) => "admin-error-step",
        Problem::RewardTooLarge => "admin-error-reward-max",
        Problem::EndBeforeStart => "admin-error-end-before-start",
        Problem::LimitNotPositive | Problem::DaysNotPositive => "admin-error-positive",
        Problem::LimitBelowCount => "admin-error-limit-below-count",
        Problem::BadSlug => "admin-error-slug",
        Problem::DuplicateName => "admin-error-duplicate-name",
        Problem::DuplicateSlug => "admin-error-duplicate-slug",
        Problem::UnknownCurrency => "admin-error-currency",
        Problem::Unknown(_) => "admin-error-reference",
        Problem::TooManyDays => "admin-error-days-max",
        Problem::BadTiers | Problem::BadTags => "admin-error-list",
        Problem::TextTooLong(_)
        | Problem::DescriptionTooLong
        | Problem::ContactTooLong
        | Problem::NotesTooLong => "admin-error-text-long",
        Problem::TextChars(_) | Problem::NameChars => "admin-error-text-chars",
        Problem::NameRequired | Problem::UnknownChannel => "admin-error-required",
        Problem::DuplicateCatalogName => "admin-error-duplicate-name",
        Problem::PayoutNegative => "admin-error-number",
        Problem::SeriesCount => "admin-error-series-count",
        Problem::SeriesLength => "admin-error-series-length",
        Problem::PatternChars | Problem::PrefixChars | Problem::SuffixChars => {
            "admin-error-name-chars"
        }
        Problem::PatternTooLong => "admin-error-name-long",
        Problem::TooFewPossibleCodes => "admin-error-series-entropy",
        Problem::BadAlphabet => "admin-error-alphabet",
        Problem::TooManySeriesRunning => "admin-error-series-busy",
        Problem::WebhookUrl => "admin-error-webhook-url",
        Problem::UnknownTopic => "admin-error-topic",
        Problem::NoScopes => "admin-error-scopes",
        Problem::CannotAnnounce => "admin-error-announce",
        Problem::ExternalId => "api-error-external-id",
        Problem::UnknownLocale => "api-error-locale",
        Problem::ActionKey => "admin-error-action-key",
        Problem::ReportKey => "api-error-report-key",
        Problem::QuestSlug => "admin-error-action-key",
        Problem::NoSteps => "admin-error-quest-steps",
        Problem::StepSubject => "admin-error-quest-subject",
        Problem::StepTarget => "admin-error-quest-target",
        Problem::QuestInProgress => "admin-error-quest-in-progress",
        Problem::RuleValue => "admin-error-rule-value",
        Problem::CapNotPositive => "admin-error-positive",
        Problem::Username => "signup-error-username",
        Problem::ShortPassword => "signup-error-password",
        Problem::PasswordsDiffer => "signup-error-confirm",
        Problem::UsernameTaken => "signup-error-taken",
    }
}

fn input_message(error: InputError) -> &'static str {
    match error {
        InputError::NotANumber => "admin-error-number",
        InputError::BadTime => "admin-error-time",
    }
}

fn field_error(problem: &FieldProblem) -> FieldError {
    let message = match &problem.problem {
        DraftProblem::Required => "admin-error-required",
        DraftProblem::Input(e) => input_message(*e),
        DraftProblem::Rule(rule) => message(rule),
    };
    FieldError::new(problem.field, message)
}

/// Problems as field errors, each on the field `field_of` names ("" for the
/// form as a whole).
fn field_errors(
    problems: &[Problem],
    field_of: impl Fn(&Problem) -> &'static str,
) -> Vec<FieldError> {
    problems
        .iter()
        .map(|problem| FieldError::new(field_of(problem), message(problem)))
        .collect()
}

/// Reads a text field into `slot`, or notes why not.
fn read<T>(
    value: Result<Option<T>, InputError>,
    field: &str,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    value.unwrap_or_else(|e| {
        errors.push(FieldError::new(field, input_message(e)));
        None
    })
}

/// An optional reference as the form sent it.
fn reference(value: &str, field: &str, errors: &mut Vec<FieldError>) -> Option<i64> {
    input::whole::<i64>(value).unwrap_or_else(|_| {
        errors.push(FieldError::new(field, "admin-error-reference"));
        None
    })
}

/// The field errors of problems the core found in a webhook endpoint.
pub fn webhook_errors(problems: &[Problem]) -> Vec<FieldError> {
    field_errors(problems, |problem| match problem {
        Problem::WebhookUrl => "url",
        Problem::UnknownTopic => "topics",
        Problem::DescriptionTooLong | Problem::NameChars => "description",
        _ => "",
    })
}

/// The field errors of problems the core found in a new API key.
pub fn api_key_errors(problems: &[Problem]) -> Vec<FieldError> {
    field_errors(problems, |problem| match problem {
        Problem::NameRequired | Problem::NameChars => "name",
        Problem::NoScopes => "scopes",
        _ => "",
    })
}

/// The action-reward form read into the core's command, or its field errors.
pub fn action_reward(
    form: &ActionRewardForm,
) -> Result<promo_core::actions::ActionReward, Vec<FieldError>> {
    use promo_core::actions::{ActionReward, Gives};
    let mut errors = Vec::new();
    let reward = read(input::whole::<i64>(&form.reward), "reward", &mut errors);
    let code_days = read(
        input::whole::<i32>(&form.code_days),
        "code_days",
        &mut errors,
    );
    if reward.is_none() && !errors.iter().any(|e| e.field == "reward") {
        errors.push(FieldError::new("reward", "admin-error-required"));
    }
    let Some(gives) = Gives::parse(&form.gives) else {
        errors.push(FieldError::new("gives", "admin-error-required"));
        return Err(errors);
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ActionReward {
        action: form.action.trim().to_owned(),
        gives,
        reward: reward.unwrap_or_default(),
        currency: form.currency.trim().to_owned(),
        once: form.once.is_some(),
        code_days: code_days.unwrap_or(30),
        enabled: form.enabled.is_some(),
    })
}

/// The field errors of problems the core found in an action's reward.
pub fn action_reward_errors(problems: &[Problem]) -> Vec<FieldError> {
    field_errors(problems, |problem| match problem {
        Problem::ActionKey => "action",
        Problem::Reward(_) | Problem::RewardTooLarge => "reward",
        Problem::UnknownCurrency => "currency",
        Problem::DaysNotPositive | Problem::TooManyDays => "code_days",
        _ => "",
    })
}
