//! The code form and the code list's filter as the core's draft and query,
//! a stored code back as the edit page's form, and a CSV import's problems.

use promo_core::code_admin::StoredCode;
use promo_core::code_draft::{CodeDraft, FieldProblem};
use promo_core::code_list::{CodeKind, CodeQuery, CodeSort};
use promo_core::csv_import::{ImportProblem, LineProblem};
use promo_core::{CodeTexts, LocalizedText, Problem};

use crate::admin::models::*;

use super::{field_error, field_errors, message};

/// A code form as the draft the core reads.
pub fn code_draft(form: &CodeForm) -> CodeDraft {
    CodeDraft {
        name: form.name.clone(),
        currency: form.currency.clone(),
        initial_reward: form.initial_reward.clone(),
        min_reward: form.min_reward.clone(),
        decrease_step: form.decrease_step.clone(),
        activation_limit: form.activation_limit.clone(),
        starts_at: form.starts_at.clone(),
        ends_at: form.ends_at.clone(),
        egg_slug: form.egg_slug.clone(),
        enabled: form
            .enabled
            .as_deref()
            .is_some_and(|v| !v.is_empty() && v != "off"),
        priority: form.priority.clone(),
        group_id: form.group_id.clone(),
        campaign_id: form.campaign_id.clone(),
        partner_id: form.partner_id.clone(),
        eligible_tiers: form.eligible_tiers.clone(),
        eligible_tags: form.eligible_tags.clone(),
        new_player_days: form.new_player_days.clone(),
        texts: CodeTexts {
            en: LocalizedText {
                description: form.description_en.clone(),
                secret_message: form.secret_en.clone(),
            },
            ru: LocalizedText {
                description: form.description_ru.clone(),
                secret_message: form.secret_ru.clone(),
            },
        },
    }
}

/// The field errors of a draft that did not read.
pub fn draft_errors(problems: &[FieldProblem]) -> Vec<FieldError> {
    problems.iter().map(field_error).collect()
}

/// The field errors of problems the core found in a code.
pub fn code_errors(problems: &[Problem]) -> Vec<FieldError> {
    let mut errors = field_errors(problems, promo_core::code_draft::field_of);
    let mut seen = std::collections::HashSet::new();
    errors.retain(|e| seen.insert(e.field.clone()));
    errors
}

/// A stored code as the edit page's form and figures.
pub fn code_detail(stored: StoredCode) -> CodeDetail {
    let draft = CodeDraft::of(&stored.code, &stored.texts);
    CodeDetail {
        form: CodeForm {
            csrf: String::new(),
            id: stored.id.to_string(),
            name: draft.name,
            currency: draft.currency,
            initial_reward: draft.initial_reward,
            min_reward: draft.min_reward,
            decrease_step: draft.decrease_step,
            activation_limit: draft.activation_limit,
            starts_at: draft.starts_at,
            ends_at: draft.ends_at,
            egg_slug: draft.egg_slug,
            enabled: draft.enabled.then(|| "on".to_owned()),
            priority: draft.priority,
            group_id: draft.group_id,
            campaign_id: draft.campaign_id,
            partner_id: draft.partner_id,
            eligible_tiers: draft.eligible_tiers,
            eligible_tags: draft.eligible_tags,
            new_player_days: draft.new_player_days,
            description_en: draft.texts.en.description,
            secret_en: draft.texts.en.secret_message,
            description_ru: draft.texts.ru.description,
            secret_ru: draft.texts.ru.secret_message,
        },
        status: stored.status,
        activation_count: stored.activation_count,
        current_reward: stored.current_reward,
        created_at: stored.created_at,
        updated_at: stored.updated_at,
    }
}

/// The list's filters as the core's query.
pub fn code_query(filter: &CodeFilter) -> CodeQuery {
    let id = |v: &str| v.trim().parse::<i64>().ok();
    let (sort, ascending) = match filter.sort.strip_prefix('-') {
        Some(sort) => (sort, true),
        None => (filter.sort.as_str(), false),
    };
    CodeQuery {
        search: Some(filter.q.clone()).filter(|q| !q.trim().is_empty()),
        group: id(&filter.group),
        campaign: id(&filter.campaign),
        partner: id(&filter.partner),
        kind: CodeKind::parse(&filter.kind),
        status: CodeStatus::parse(&filter.status),
        sort: match sort {
            "priority" => CodeSort::Priority,
            "activations" => CodeSort::Activations,
            "name" => CodeSort::Name,
            _ => CodeSort::Created,
        },
        ascending,
    }
}

/// An import's problems as the page lists them: (line, Fluent id, value).
pub fn import_problems(problems: Vec<ImportProblem>) -> Vec<(usize, String, String)> {
    problems
        .into_iter()
        .map(|p| {
            let (id, value) = match p.problem {
                LineProblem::Csv(e) => ("admin-import-error-csv", e),
                LineProblem::UnknownColumn(c) => ("admin-import-error-column", c),
                LineProblem::RequiredColumns => {
                    ("admin-import-error-required-columns", "name, reward".into())
                }
                LineProblem::FieldCount(n) => ("admin-import-error-fields", n.to_string()),
                LineProblem::UnknownName(n) => ("admin-import-error-reference", n),
                LineProblem::Repeated { name, first } => {
                    ("admin-import-error-repeated", format!("{name} ({first})"))
                }
                LineProblem::DuplicateSlugInFile(s) => ("admin-error-duplicate-slug", s),
                LineProblem::TooManyLines => (
                    "admin-import-error-too-many",
                    promo_core::csv_import::MAX_IMPORT_LINES.to_string(),
                ),
                LineProblem::Empty => ("admin-import-error-empty", String::new()),
                LineProblem::Field(problem, value) => {
                    let error = field_error(&problem);
                    return (p.line, error.message, format!("{}: {value}", error.field));
                }
                LineProblem::Taken(problem, value) => (message(&problem), value),
            };
            (p.line, id.to_owned(), value)
        })
        .collect()
}
