//! CSV: the code list written out row by row (for streaming), and manual
//! codes read in all or nothing, every problem reported with its line.

use std::collections::{HashMap, HashSet};

use sqlx::PgPool;

use super::codes;
use super::codes::NewCode;
use super::manage::{self, parse_form, Texts};
use model::admin::*;

/// The export's columns.
pub const EXPORT_HEADER: [&str; 19] = [
    "id",
    "name",
    "status",
    "type",
    "currency",
    "initial_reward",
    "min_reward",
    "decrease_step",
    "current_reward",
    "activation_count",
    "activation_limit",
    "priority",
    "starts_at",
    "ends_at",
    "egg_slug",
    "group",
    "campaign",
    "partner",
    "created_at",
];

/// Characters a spreadsheet reads as the start of a formula (or that hide one).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell a spreadsheet shows as text: one that could start a formula gets a
/// leading `'` (OWASP's advice against CSV injection). `import` takes it off.
pub fn neutralise(cell: String) -> String {
    if cell.starts_with(FORMULA_STARTS) {
        format!("'{cell}")
    } else {
        cell
    }
}

/// The cell as it was before `neutralise`.
fn restore(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) => rest,
        _ => cell,
    }
}

/// One code row of the export, in `EXPORT_HEADER` order, every cell neutralised.
fn export_record(row: &sqlx::postgres::PgRow) -> Result<Vec<String>, sqlx::Error> {
    Ok(export_cells(row)?.into_iter().map(neutralise).collect())
}

/// Rows per chunk handed to the client.
const EXPORT_CHUNK_ROWS: usize = 2000;

/// How an export ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Export {
    /// Every row, this many.
    Complete(usize),
    /// `deliver` said stop after this many rows.
    Stopped(usize),
}

/// Writes every code the filter matches as CSV (the header first), read one
/// row at a time, into `sink` in chunks. A sink that fails, or takes no chunk
/// for `stall` (a client that stopped reading), ends the export, so the
/// database connection it holds is given back.
pub async fn export<S>(
    pool: &PgPool,
    filter: &CodeFilter,
    mut sink: S,
    stall: std::time::Duration,
) -> Result<Export, sqlx::Error>
where
    S: futures_util::Sink<Vec<u8>> + Unpin,
{
    use futures_util::{SinkExt, StreamExt};
    let mut deliver = async |chunk: Vec<u8>| {
        matches!(
            tokio::time::timeout(stall, sink.send(chunk)).await,
            Ok(Ok(()))
        )
    };
    let csv_error = |e: csv::Error| sqlx::Error::Encode(Box::new(e));
    let (sql, binds) = manage::select_sql(filter, "");
    let mut rows = manage::bind_all(sqlx::query(&sql), &binds).fetch(pool);
    let mut writer = csv::Writer::from_writer(Vec::with_capacity(64 * 1024));
    writer.write_record(EXPORT_HEADER).map_err(csv_error)?;
    let mut count = 0usize;
    while let Some(row) = rows.next().await {
        writer
            .write_record(export_record(&row?)?)
            .map_err(csv_error)?;
        count += 1;
        if count.is_multiple_of(EXPORT_CHUNK_ROWS) {
            let full = std::mem::replace(&mut writer, csv::Writer::from_writer(Vec::new()));
            if !deliver(full.into_inner().unwrap_or_default()).await {
                return Ok(Export::Stopped(count));
            }
        }
    }
    let rest = writer.into_inner().unwrap_or_default();
    Ok(if deliver(rest).await {
        Export::Complete(count)
    } else {
        Export::Stopped(count)
    })
}

fn export_cells(row: &sqlx::postgres::PgRow) -> Result<Vec<String>, sqlx::Error> {
    use chrono::{DateTime, Utc};
    use sqlx::Row;
    let code = manage::row_from(row)?;
    let time = |name: &str| -> Result<String, sqlx::Error> {
        Ok(row
            .try_get::<Option<DateTime<Utc>>, _>(name)?
            .map(|t| t.to_rfc3339())
            .unwrap_or_default())
    };
    Ok(vec![
        code.id.to_string(),
        code.name,
        code.status.as_str().to_owned(),
        code.kinds.join("+"),
        code.currency,
        row.try_get::<i64, _>("initial_reward")?.to_string(),
        row.try_get::<i64, _>("min_reward")?.to_string(),
        row.try_get::<i64, _>("decrease_step")?.to_string(),
        code.current_reward.to_string(),
        code.activation_count.to_string(),
        code.activation_limit
            .map(|l| l.to_string())
            .unwrap_or_default(),
        code.priority.to_string(),
        time("starts_at")?,
        time("ends_at")?,
        row.try_get::<Option<String>, _>("egg_slug")?
            .unwrap_or_default(),
        code.group.unwrap_or_default(),
        code.campaign.unwrap_or_default(),
        code.partner.unwrap_or_default(),
        code.created_at.to_rfc3339(),
    ])
}

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

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

type LineError = (usize, String, String);

/// The codes a CSV text describes, or every line's problems; all that can be
/// told without the database beyond `choices` (names taken are checked by
/// `import`). Never panics, whatever the text (see the proptest below).
pub fn read_import(text: &str, choices: &Choices) -> ReadImport {
    let mut errors: Vec<LineError> = Vec::new();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|s| s.trim().to_lowercase()).collect(),
        Err(e) => {
            return ReadImport {
                errors: vec![(1, "admin-import-error-csv".into(), e.to_string())],
                ..ReadImport::default()
            }
        }
    };
    for column in &header {
        if !IMPORT_COLUMNS.contains(&column.as_str()) {
            errors.push((1, "admin-import-error-column".into(), column.clone()));
        }
    }
    if !header.iter().any(|c| c == "name")
        || !header
            .iter()
            .any(|c| c == "reward" || c == "initial_reward")
    {
        errors.push((
            1,
            "admin-import-error-required-columns".into(),
            "name, reward".into(),
        ));
    }
    if !errors.is_empty() {
        return ReadImport {
            errors,
            ..ReadImport::default()
        };
    }
    let lookup = |list: &[Choice]| -> HashMap<String, i64> {
        list.iter().map(|c| (c.name.to_lowercase(), c.id)).collect()
    };
    let (groups, campaigns, partners) = (
        lookup(&choices.groups),
        lookup(&choices.campaigns),
        lookup(&choices.partners),
    );

    let mut parsed = Vec::new();
    let mut names: HashMap<String, usize> = HashMap::new();
    let mut slugs: HashSet<String> = HashSet::new();
    for (index, record) in reader.records().enumerate() {
        let line = index + 2;
        if line > MAX_IMPORT_LINES + 1 {
            errors.push((
                line,
                "admin-import-error-too-many".into(),
                MAX_IMPORT_LINES.to_string(),
            ));
            break;
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push((line, "admin-import-error-csv".into(), e.to_string()));
                continue;
            }
        };
        if record.iter().all(|v| v.is_empty()) {
            continue;
        }
        if record.len() != header.len() {
            errors.push((
                line,
                "admin-import-error-fields".into(),
                record.len().to_string(),
            ));
            continue;
        }
        let mut form = CodeForm {
            currency: "COINS".into(),
            enabled: Some("on".into()),
            ..CodeForm::default()
        };
        for (column, value) in header.iter().zip(record.iter()) {
            let value = restore(value).to_owned();
            let mut by_name = |map: &HashMap<String, i64>, value: &str, field: &mut String| {
                if value.is_empty() {
                    return;
                }
                match map.get(&value.to_lowercase()) {
                    Some(id) => *field = id.to_string(),
                    None => errors.push((
                        line,
                        "admin-import-error-reference".into(),
                        value.to_owned(),
                    )),
                }
            };
            match column.as_str() {
                "name" => form.name = value,
                "reward" | "initial_reward" => form.initial_reward = value,
                "currency" if !value.is_empty() => form.currency = value,
                "min_reward" => form.min_reward = value,
                "decrease_step" => form.decrease_step = value,
                "activation_limit" => form.activation_limit = value,
                "starts_at" => form.starts_at = value,
                "ends_at" => form.ends_at = value,
                "egg_slug" => form.egg_slug = value,
                "priority" => form.priority = value,
                "group" => by_name(&groups, &value, &mut form.group_id),
                "campaign" => by_name(&campaigns, &value, &mut form.campaign_id),
                "partner" => by_name(&partners, &value, &mut form.partner_id),
                "description_en" => form.description_en = value,
                "secret_en" => form.secret_en = value,
                "description_ru" => form.description_ru = value,
                "secret_ru" => form.secret_ru = value,
                _ => {}
            }
        }
        if !choices
            .currencies
            .contains(&form.currency.trim().to_uppercase())
        {
            errors.push((line, "admin-error-currency".into(), form.currency.clone()));
        }
        match parse_form(&form) {
            Ok((code, texts)) => {
                let folded = super::PromoCodeText::parse(&code.name)
                    .map(|t| t.into_inner())
                    .unwrap_or_default();
                if let Some(first) = names.insert(folded, line) {
                    errors.push((
                        line,
                        "admin-import-error-repeated".into(),
                        format!("{} ({first})", code.name),
                    ));
                }
                if let Some(slug) = &code.egg_slug {
                    if !slugs.insert(slug.clone()) {
                        errors.push((line, "admin-error-duplicate-slug".into(), slug.clone()));
                    }
                }
                parsed.push((line, code, texts));
            }
            Err(field_errors) => {
                for e in field_errors {
                    let value = field_value(&form, &e.field);
                    errors.push((line, e.message, format!("{}: {value}", e.field)));
                }
            }
        }
    }
    if parsed.is_empty() && errors.is_empty() {
        errors.push((2, "admin-import-error-empty".into(), String::new()));
    }
    ReadImport {
        parsed,
        errors,
        names,
        slugs,
    }
}

/// What `read_import` found.
#[derive(Debug, Default)]
pub struct ReadImport {
    pub parsed: Vec<(usize, NewCode, Texts)>,
    pub errors: Vec<LineError>,
    /// Folded names, with the line each first appeared on.
    names: HashMap<String, usize>,
    slugs: HashSet<String>,
}

/// Reads manual codes from CSV text (a header line first). Either every line
/// is valid and all codes are stored in one transaction, or nothing is
/// stored and every line's problems come back.
pub async fn import(
    pool: &PgPool,
    admin_id: i64,
    text: &str,
) -> Result<ImportOutcome, ImportError> {
    let choices = super::catalog::choices(pool).await?;
    let ReadImport {
        parsed,
        mut errors,
        names,
        slugs,
    } = read_import(text, &choices);
    if parsed.is_empty() {
        errors.sort_by_key(|e| e.0);
        return Ok(ImportOutcome::Refused(errors));
    }
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
        let f = super::PromoCodeText::parse(&code.name)
            .map(|t| t.into_inner())
            .unwrap_or_default();
        if taken.contains(&f) {
            errors.push((
                *line,
                "admin-error-duplicate-name".into(),
                code.name.clone(),
            ));
        }
        if code
            .egg_slug
            .as_ref()
            .is_some_and(|s| taken_slugs.contains(s))
        {
            errors.push((
                *line,
                "admin-error-duplicate-slug".into(),
                code.egg_slug.clone().unwrap_or_default(),
            ));
        }
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.0);
        return Ok(ImportOutcome::Refused(errors));
    }
    let mut tx = pool.begin().await?;
    for (line, code, texts) in &parsed {
        if let Err(e) = manage::insert_audited(&mut tx, admin_id, code, texts, "import", None).await
        {
            // A code created meanwhile by someone else: refuse the whole file.
            tx.rollback().await?;
            let field = manage::field_error(&e);
            if field.message == "error-internal" {
                if let codes::CodeError::Database(db) = e {
                    return Err(db.into());
                }
            }
            return Ok(ImportOutcome::Refused(vec![(
                *line,
                field.message,
                code.name.clone(),
            )]));
        }
    }
    tx.commit().await?;
    Ok(ImportOutcome::Imported(parsed.len()))
}

fn field_value(form: &CodeForm, field: &str) -> String {
    match field {
        "name" => &form.name,
        "initial_reward" => &form.initial_reward,
        "min_reward" => &form.min_reward,
        "decrease_step" => &form.decrease_step,
        "activation_limit" => &form.activation_limit,
        "starts_at" => &form.starts_at,
        "ends_at" => &form.ends_at,
        "egg_slug" => &form.egg_slug,
        "priority" => &form.priority,
        "currency" => &form.currency,
        _ => "",
    }
    .to_owned()
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
        let read = read_import(text, &choices());
        assert!(read.errors.is_empty(), "{:?}", read.errors);
        assert_eq!(read.parsed[0].2[0].1, "=not a formula");
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
            let read = read_import(&text, &choices());
            let last_line = text.lines().count().max(2) + 1;
            prop_assert!(read.parsed.is_empty() || read.parsed.iter().all(|(line, _, _)| *line <= last_line));
            prop_assert!(read.errors.iter().all(|(line, _, _)| *line <= last_line.max(MAX_IMPORT_LINES + 2)));
            prop_assert!(!read.parsed.is_empty() || !read.errors.is_empty(), "silence");
            for (_, code, _) in &read.parsed {
                prop_assert!(code.problems().is_empty(), "{:?}", code.problems());
            }
        }
    }
}
