//! The series form as the core's series request, and its problems as field
//! errors.

use promo_core::input;
use promo_core::series::{SeriesShape, SeriesSpec};
use promo_core::Problem;

use crate::admin::models::*;

use super::{field_errors, read, reference};

/// A series form as the core's request, or the fields it could not read.
pub fn series_spec(form: &SeriesForm) -> Result<SeriesSpec, Vec<FieldError>> {
    let mut errors = Vec::new();
    let count = input::whole::<u32>(&form.count)
        .ok()
        .flatten()
        .unwrap_or_else(|| {
            errors.push(FieldError::new("count", "admin-error-series-count"));
            0
        });
    let shape = if form.pattern.trim().is_empty() {
        let length = input::whole::<usize>(&form.length)
            .ok()
            .flatten()
            .unwrap_or_else(|| {
                errors.push(FieldError::new("length", "admin-error-series-length"));
                0
            });
        SeriesShape::Random {
            prefix: form.prefix.clone(),
            length,
            suffix: form.suffix.clone(),
        }
    } else {
        SeriesShape::Pattern(form.pattern.clone())
    };
    let reward = match input::whole::<i64>(&form.reward) {
        Ok(Some(reward)) => reward,
        _ => {
            errors.push(FieldError::new("reward", "admin-error-positive"));
            1
        }
    };
    let activation_limit = input::whole::<i32>(&form.activation_limit).unwrap_or_else(|_| {
        errors.push(FieldError::new("activation_limit", "admin-error-positive"));
        None
    });
    let spec = SeriesSpec {
        name: form.name.clone(),
        count,
        shape,
        alphabet: form.alphabet.clone(),
        currency: form.currency.clone(),
        reward,
        activation_limit,
        starts_at: read(input::time(&form.starts_at), "starts_at", &mut errors),
        ends_at: read(input::time(&form.ends_at), "ends_at", &mut errors),
        campaign_id: reference(&form.campaign_id, "campaign_id", &mut errors),
        partner_id: reference(&form.partner_id, "partner_id", &mut errors),
    };
    if errors.is_empty() {
        Ok(spec)
    } else {
        Err(errors)
    }
}

/// The field errors of problems the core found in a series request.
pub fn series_errors(form: &SeriesForm, problems: &[Problem]) -> Vec<FieldError> {
    let shape_field = if form.pattern.trim().is_empty() {
        "length"
    } else {
        "pattern"
    };
    let mut errors = field_errors(problems, |problem| match problem {
        Problem::NameRequired | Problem::NameChars | Problem::DuplicateCatalogName => "name",
        Problem::UnknownCurrency => "currency",
        Problem::SeriesCount => "count",
        Problem::BadAlphabet => "alphabet",
        Problem::PrefixChars => "prefix",
        Problem::SuffixChars => "suffix",
        Problem::SeriesLength
        | Problem::PatternChars
        | Problem::PatternTooLong
        | Problem::TooFewPossibleCodes => shape_field,
        Problem::Reward(_) => "reward",
        Problem::LimitNotPositive => "activation_limit",
        Problem::EndBeforeStart => "ends_at",
        _ => "",
    });
    // A series' name is its group's: a taken one is a taken group name.
    for (error, problem) in errors.iter_mut().zip(problems) {
        if matches!(problem, Problem::DuplicateCatalogName) {
            error.message = "admin-error-duplicate-group".into();
        }
    }
    errors
}
