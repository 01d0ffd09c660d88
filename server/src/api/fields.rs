//! Which request field each core problem belongs to, and its stable code
//! (the dashboard's Fluent message id, so both say the same).

use app::core::Problem;

use super::problem::FieldProblem;

fn field_of(problem: &Problem) -> &'static str {
    match problem {
        Problem::ExternalId => "external_id",
        Problem::UnknownLocale => "locale",
        Problem::Username | Problem::UsernameTaken => "username",
        Problem::BadTiers => "tier",
        Problem::BadTags => "tags",
        Problem::ActionKey => "action",
        Problem::ReportKey => "key",
        other => app::core::code_draft::field_of(other),
    }
}

pub fn field_problems(problems: &[Problem]) -> Vec<FieldProblem> {
    problems
        .iter()
        .map(|problem| FieldProblem {
            field: field_of(problem).to_owned(),
            code: app::admin::forms::message(problem).to_owned(),
        })
        .collect()
}
