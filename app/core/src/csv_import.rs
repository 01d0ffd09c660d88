//! Manual codes from CSV text, all or nothing: a header names the columns,
//! each line is read as a code draft, and either every line is valid and all
//! codes are stored in one transaction, or nothing is and every line's
//! problems come back.

use std::collections::{HashMap, HashSet};

use sqlx::PgPool;

use crate::code_draft::{CodeDraft, FieldProblem};
use crate::codes::{CodeTexts, NewCode};
use crate::csv_export::FORMULA_STARTS;
use crate::error::{Error, Problem, Result};
use crate::PromoCodeText;
use model::admin::{Choice, Choices};

/// Columns an import may have; `name` and `reward` (or `initial_reward`) are required.
pub const IMPORT_COLUMNS: [&str; 18] = [
    "name",
    "reward",
    "initial_reward",
    "currency",
    "min_reward",
    "decrease_step",
    "activation_limit",
    "starts_at",
    "ends_at",
    "egg_slug",
    "priority",
    "group",
    "campaign",
    "partner",
    "description_en",
    "secret_en",
    "description_ru",
    "secret_ru",
];

/// The most lines one import may hold.
pub const MAX_IMPORT_LINES: usize = 50_000;

/// What is wrong with a line (line 1 is the header).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LineProblem {
    /// Not valid CSV (the reader's words).
    Csv(String),
    UnknownColumn(String),
    RequiredColumns,
    /// A different number of fields than the header (this many).
    FieldCount(usize),
    /// No group, campaign or partner has this name.
    UnknownName(String),
    /// The code appears again; first on that line.
    Repeated {
        name: String,
        first: usize,
    },
    DuplicateSlugInFile(String),
    TooManyLines,
    Empty,
    /// A field of the code, with the value it had.
    Field(FieldProblem, String),
    /// A name or slug another code already has.
    Taken(Problem, String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportProblem {
    pub line: usize,
    pub problem: LineProblem,
}

/// How an import came out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Imported {
    Stored(usize),
    Refused(Vec<ImportProblem>),
}

/// The cell as it was before the export neutralised it.
fn restore(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) => rest,
        _ => cell,
    }
}

/// What `read` found.
#[derive(Debug, Default)]
pub struct ReadImport {
    pub parsed: Vec<(usize, NewCode, CodeTexts)>,
    pub problems: Vec<ImportProblem>,
    /// Folded names, with the line each first appeared on.
    names: HashMap<String, usize>,
    slugs: HashSet<String>,
}

/// The codes a CSV text describes, or every line's problems: all that can be
/// told without the database beyond `choices` (names taken are checked by
/// `import`). Never panics, whatever the text (see the proptest below).
pub fn read(text: &str, choices: &Choices) -> ReadImport {
    let mut read = ReadImport::default();
    fn refuse(read: &mut ReadImport, line: usize, problem: LineProblem) {
        read.problems.push(ImportProblem { line, problem });
    }
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|s| s.trim().to_lowercase()).collect(),
        Err(e) => {
            refuse(&mut read, 1, LineProblem::Csv(e.to_string()));
            return read;
        }
    };
    for column in &header {
        if !IMPORT_COLUMNS.contains(&column.as_str()) {
            refuse(&mut read, 1, LineProblem::UnknownColumn(column.clone()));
        }
    }
    let has = |name: &str| header.iter().any(|c| c == name);
    if !has("name") || !(has("reward") || has("initial_reward")) {
        refuse(&mut read, 1, LineProblem::RequiredColumns);
    }
    if !read.problems.is_empty() {
        return read;
    }
    let lookup = |list: &[Choice]| -> HashMap<String, i64> {
        list.iter().map(|c| (c.name.to_lowercase(), c.id)).collect()
    };
    let (groups, campaigns, partners) = (
        lookup(&choices.groups),
        lookup(&choices.campaigns),
        lookup(&choices.partners),
    );
    for (index, record) in reader.records().enumerate() {
        let line = index + 2;
        if line > MAX_IMPORT_LINES + 1 {
            refuse(&mut read, line, LineProblem::TooManyLines);
            break;
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                refuse(&mut read, line, LineProblem::Csv(e.to_string()));
                continue;
            }
        };
        if record.iter().all(|v| v.is_empty()) {
            continue;
        }
        if record.len() != header.len() {
            refuse(&mut read, line, LineProblem::FieldCount(record.len()));
            continue;
        }
        let mut draft = CodeDraft {
            currency: "COINS".into(),
            enabled: true,
            ..CodeDraft::default()
        };
        for (column, value) in header.iter().zip(record.iter()) {
            let value = restore(value).to_owned();
            let mut by_name = |map: &HashMap<String, i64>, field: &mut String| {
                if value.is_empty() {
                    return;
                }
                match map.get(&value.to_lowercase()) {
                    Some(id) => *field = id.to_string(),
                    None => refuse(&mut read, line, LineProblem::UnknownName(value.clone())),
                }
            };
            match column.as_str() {
                "group" => by_name(&groups, &mut draft.group_id),
                "campaign" => by_name(&campaigns, &mut draft.campaign_id),
                "partner" => by_name(&partners, &mut draft.partner_id),
                "name" => draft.name = value,
                "reward" | "initial_reward" => draft.initial_reward = value,
                "currency" if !value.is_empty() => draft.currency = value,
                "min_reward" => draft.min_reward = value,
                "decrease_step" => draft.decrease_step = value,
                "activation_limit" => draft.activation_limit = value,
                "starts_at" => draft.starts_at = value,
                "ends_at" => draft.ends_at = value,
                "egg_slug" => draft.egg_slug = value,
                "priority" => draft.priority = value,
                "description_en" => draft.texts.en.description = value,
                "secret_en" => draft.texts.en.secret_message = value,
                "description_ru" => draft.texts.ru.description = value,
                "secret_ru" => draft.texts.ru.secret_message = value,
                _ => {}
            }
        }
        if !choices
            .currencies
            .contains(&draft.currency.trim().to_uppercase())
        {
            refuse(
                &mut read,
                line,
                LineProblem::Field(
                    FieldProblem {
                        field: "currency",
                        problem: crate::code_draft::DraftProblem::Rule(Problem::UnknownCurrency),
                    },
                    draft.currency.clone(),
                ),
            );
        }
        match draft.read() {
            Ok((code, texts)) => {
                let folded = PromoCodeText::parse(&code.name)
                    .map(PromoCodeText::into_inner)
                    .unwrap_or_default();
                if let Some(first) = read.names.insert(folded, line) {
                    let name = code.name.clone();
                    refuse(&mut read, line, LineProblem::Repeated { name, first });
                }
                if let Some(slug) = &code.egg_slug {
                    if !read.slugs.insert(slug.clone()) {
                        refuse(
                            &mut read,
                            line,
                            LineProblem::DuplicateSlugInFile(slug.clone()),
                        );
                    }
                }
                read.parsed.push((line, code, texts));
            }
            Err(problems) => {
                for problem in problems {
                    let value = draft_value(&draft, problem.field);
                    refuse(&mut read, line, LineProblem::Field(problem, value));
                }
            }
        }
    }
    if read.parsed.is_empty() && read.problems.is_empty() {
        refuse(&mut read, 2, LineProblem::Empty);
    }
    read
}

/// What a draft field held, to show with its problem.
fn draft_value(draft: &CodeDraft, field: &str) -> String {
    match field {
        "name" => &draft.name,
        "initial_reward" => &draft.initial_reward,
        "min_reward" => &draft.min_reward,
        "decrease_step" => &draft.decrease_step,
        "activation_limit" => &draft.activation_limit,
        "starts_at" => &draft.starts_at,
        "ends_at" => &draft.ends_at,
        "egg_slug" => &draft.egg_slug,
        "priority" => &draft.priority,
        "currency" => &draft.currency,
        _ => "",
    }
    .to_owned()
}

/// Reads manual codes from CSV text (a header line first) and stores them
/// all, audited, or none.
pub async fn import(pool: &PgPool, admin_id: i64, text: &str) -> Result<Imported> {
    let choices = crate::catalog::choices(pool).await?;
    let ReadImport {
        parsed,
        mut problems,
        names,
        slugs,
    } = read(text, &choices);
    if !parsed.is_empty() {
        // Names and slugs already taken, all at once.
        let folded: Vec<String> = names.keys().cloned().collect();
        let taken: HashSet<String> = sqlx::query_scalar!(
            "SELECT normalized FROM promo_codes WHERE normalized = ANY($1)",
            &folded
        )
        .fetch_all(pool)
        .await?
        .into_iter()
        .collect();
        let slug_list: Vec<String> = slugs.into_iter().collect();
        let taken_slugs: HashSet<String> = sqlx::query_scalar!(
            r#"SELECT egg_slug AS "s!" FROM promo_codes WHERE egg_slug = ANY($1)"#,
            &slug_list
        )
        .fetch_all(pool)
        .await?
        .into_iter()
        .collect();
        for (line, code, _) in &parsed {
            let folded = PromoCodeText::parse(&code.name)
                .map(PromoCodeText::into_inner)
                .unwrap_or_default();
            if taken.contains(&folded) {
                let problem = LineProblem::Taken(Problem::DuplicateName, code.name.clone());
                problems.push(ImportProblem {
                    line: *line,
                    problem,
                });
            }
            if let Some(slug) = code.egg_slug.as_ref().filter(|s| taken_slugs.contains(*s)) {
                let problem = LineProblem::Taken(Problem::DuplicateSlug, slug.clone());
                problems.push(ImportProblem {
                    line: *line,
                    problem,
                });
            }
        }
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| p.line);
        return Ok(Imported::Refused(problems));
    }
    let mut tx = pool.begin().await?;
    for (line, code, texts) in &parsed {
        match crate::code_admin::insert_audited(
            &mut tx,
            crate::audit::Actor::Admin(admin_id),
            code,
            texts,
            "import",
            None,
        )
        .await
        {
            Ok(_) => {}
            // A code created meanwhile by someone else: refuse the whole file.
            Err(Error::Invalid(found)) => {
                tx.rollback().await?;
                let refused = found
                    .into_iter()
                    .map(|problem| ImportProblem {
                        line: *line,
                        problem: LineProblem::Taken(problem, code.name.clone()),
                    })
                    .collect();
                return Ok(Imported::Refused(refused));
            }
            Err(e) => return Err(e),
        }
    }
    tx.commit().await?;
    Ok(Imported::Stored(parsed.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn choices() -> Choices {
        Choices {
            currencies: vec!["COINS".into(), "GEMS".into()],
            ..Choices::default()
        }
    }

    #[test]
    fn cells_that_could_start_a_formula_are_neutralised_and_read_back() {
        use crate::csv_export::neutralise;
        for cell in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            let safe = neutralise(cell.to_owned());
            assert_eq!(safe, format!("'{cell}"));
            assert_eq!(restore(&safe), cell);
        }
        for cell in ["plain", "'quoted", "1-2", ""] {
            assert_eq!(neutralise(cell.to_owned()), cell);
            assert_eq!(restore(cell), cell);
        }
    }

    #[test]
    fn an_exported_file_reads_back_as_it_was() {
        let text = "name,reward,description_en\nSHEET-1,5,'=not a formula\n";
        let read = read(text, &choices());
        assert!(read.problems.is_empty(), "{:?}", read.problems);
        assert_eq!(read.parsed[0].2.en.description, "=not a formula");
    }

    proptest! {
        /// Whatever an admin pastes, the importer answers with codes or
        /// numbered problems: no panic, no line outside the text.
        #[test]
        fn any_text_is_read_or_refused_line_by_line(
            header in prop_oneof![
                Just("name,reward".to_owned()),
                Just("name,reward,currency,egg_slug,starts_at,ends_at,description_en,secret_ru".to_owned()),
                "\\PC{0,60}",
            ],
            lines in proptest::collection::vec("[\\PC\n,\"']{0,80}", 0..20),
        ) {
            let text = format!("{header}\n{}", lines.join("\n"));
            let read = read(&text, &choices());
            let last_line = text.lines().count().max(2) + 1;
            prop_assert!(read.parsed.iter().all(|(line, _, _)| *line <= last_line));
            prop_assert!(read.problems.iter().all(|p| p.line <= last_line.max(MAX_IMPORT_LINES + 2)));
            prop_assert!(!read.parsed.is_empty() || !read.problems.is_empty(), "silence");
            for (_, code, texts) in &read.parsed {
                prop_assert!(code.problems().is_empty(), "{:?}", code.problems());
                prop_assert!(texts.problems().is_empty());
            }
        }
    }
}
