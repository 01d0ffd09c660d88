//! What admins do to codes: the form parsed into a validated `NewCode` with
//! per-field errors, create, update, enable/disable, clone, delete (only when
//! never activated), and the filtered list. Every change is audited in the
//! same transaction.

use chrono::{DateTime, NaiveDateTime, Utc};
use sqlx::{PgConnection, PgPool};

use super::audit::{self, Entity};
use super::code_text::CodeTextError;
use super::codes::{self, CodeError, NewCode};
use super::reward::RewardScheduleError;
use model::admin::*;

/// The localized texts of a code: (locale, description, secret message).
pub type Texts = Vec<(&'static str, String, String)>;

fn parse_int<T: std::str::FromStr>(
    value: &str,
    field: &str,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    match value.parse::<T>() {
        Ok(v) => Some(v),
        Err(_) => {
            errors.push(FieldError::new(field, "admin-error-number"));
            None
        }
    }
}

/// A time the form could not read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not a date and time")]
pub struct BadTime;

/// A `datetime-local` value (UTC), or RFC 3339, or a plain date.
pub fn parse_time(value: &str) -> Result<Option<DateTime<Utc>>, BadTime> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(value) {
        return Ok(Some(at.with_timezone(&Utc)));
    }
    for format in ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(at) = NaiveDateTime::parse_from_str(value, format) {
            return Ok(Some(at.and_utc()));
        }
    }
    if let Ok(day) = chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        return Ok(day.and_hms_opt(0, 0, 0).map(|t| t.and_utc()));
    }
    Err(BadTime)
}

pub(crate) fn parse_time_field(
    value: &str,
    field: &str,
    errors: &mut Vec<FieldError>,
) -> Option<DateTime<Utc>> {
    parse_time(value).unwrap_or_else(|_| {
        errors.push(FieldError::new(field, "admin-error-time"));
        None
    })
}

fn parse_id(value: &str, field: &str, errors: &mut Vec<FieldError>) -> Option<i64> {
    parse_int::<i64>(value, field, errors)
}

/// An optional reference (a campaign's or a partner's id, as the form sent it).
pub(crate) fn parse_reference(
    value: &str,
    field: &str,
    errors: &mut Vec<FieldError>,
) -> Option<i64> {
    match value.trim() {
        "" => None,
        v => v.parse::<i64>().ok().or_else(|| {
            errors.push(FieldError::new(field, "admin-error-reference"));
            None
        }),
    }
}

fn parse_list(value: &str) -> Vec<String> {
    let mut items: Vec<String> = value
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    items.sort();
    items.dedup();
    items
}

/// The field and message for a core validation error.
pub fn field_error(error: &CodeError) -> FieldError {
    match error {
        CodeError::Name(CodeTextError::Empty) => FieldError::new("name", "admin-error-name-empty"),
        CodeError::Name(CodeTextError::TooLong) => FieldError::new("name", "admin-error-name-long"),
        CodeError::Name(CodeTextError::InvalidCharacter) => {
            FieldError::new("name", "admin-error-name-chars")
        }
        CodeError::Reward(RewardScheduleError::InitialNotPositive) => {
            FieldError::new("initial_reward", "admin-error-positive")
        }
        CodeError::Reward(RewardScheduleError::MinimumNotPositive) => {
            FieldError::new("min_reward", "admin-error-positive")
        }
        CodeError::Reward(RewardScheduleError::MinimumAboveInitial) => {
            FieldError::new("min_reward", "admin-error-min-above-initial")
        }
        CodeError::Reward(RewardScheduleError::StepOutOfRange) => {
            FieldError::new("decrease_step", "admin-error-step")
        }
        CodeError::EndBeforeStart => FieldError::new("ends_at", "admin-error-end-before-start"),
        CodeError::LimitNotPositive => FieldError::new("activation_limit", "admin-error-positive"),
        CodeError::BadSlug => FieldError::new("egg_slug", "admin-error-slug"),
        CodeError::DuplicateName => FieldError::new("name", "admin-error-duplicate-name"),
        CodeError::DuplicateSlug => FieldError::new("egg_slug", "admin-error-duplicate-slug"),
        CodeError::UnknownCurrency => FieldError::new("currency", "admin-error-currency"),
        CodeError::NameTooLong => FieldError::new("name", "admin-error-name-display-long"),
        CodeError::RewardTooLarge => FieldError::new("initial_reward", "admin-error-reward-max"),
        CodeError::TooManyDays => FieldError::new("new_player_days", "admin-error-days-max"),
        CodeError::BadTiers => FieldError::new("eligible_tiers", "admin-error-list"),
        CodeError::BadTags => FieldError::new("eligible_tags", "admin-error-list"),
        CodeError::Database(_) => FieldError::new("", "error-internal"),
    }
}

/// The form as a validated code and its texts, or every field's problem.
pub fn parse_form(form: &CodeForm) -> Result<(NewCode, Texts), Vec<FieldError>> {
    let mut errors = Vec::new();
    let initial = parse_int::<i64>(&form.initial_reward, "initial_reward", &mut errors);
    if initial.is_none() && form.initial_reward.trim().is_empty() {
        errors.push(FieldError::new("initial_reward", "admin-error-required"));
    }
    let initial = initial.unwrap_or(1);
    let step = parse_int::<i64>(&form.decrease_step, "decrease_step", &mut errors).unwrap_or(0);
    // Without a minimum, a fixed code pays its reward; a decreasing one goes down to 1.
    let min = parse_int::<i64>(&form.min_reward, "min_reward", &mut errors)
        .unwrap_or(if step > 0 { 1 } else { initial });
    let code = NewCode {
        name: form.name.trim().to_owned(),
        currency: form.currency.trim().to_uppercase(),
        initial_reward: initial,
        min_reward: min,
        decrease_step: step,
        activation_limit: parse_int(&form.activation_limit, "activation_limit", &mut errors),
        starts_at: parse_time_field(&form.starts_at, "starts_at", &mut errors),
        ends_at: parse_time_field(&form.ends_at, "ends_at", &mut errors),
        egg_slug: Some(form.egg_slug.trim().to_lowercase()).filter(|s| !s.is_empty()),
        enabled: form
            .enabled
            .as_deref()
            .is_some_and(|v| !v.is_empty() && v != "off"),
        priority: parse_int(&form.priority, "priority", &mut errors).unwrap_or(0),
        group_id: parse_id(&form.group_id, "group_id", &mut errors),
        campaign_id: parse_id(&form.campaign_id, "campaign_id", &mut errors),
        partner_id: parse_id(&form.partner_id, "partner_id", &mut errors),
        eligible_tiers: parse_list(&form.eligible_tiers),
        eligible_tags: parse_list(&form.eligible_tags),
        new_player_days: parse_int(&form.new_player_days, "new_player_days", &mut errors),
    };
    if code.new_player_days.is_some_and(|d| d <= 0) {
        errors.push(FieldError::new("new_player_days", "admin-error-positive"));
    }
    // Every rule the core checks, each reported on its own field.
    errors.extend(code.problems().iter().map(field_error));
    let texts: Texts = vec![
        (
            "en",
            form.description_en.trim().to_owned(),
            form.secret_en.trim().to_owned(),
        ),
        (
            "ru",
            form.description_ru.trim().to_owned(),
            form.secret_ru.trim().to_owned(),
        ),
    ];
    for (locale, description, secret) in &texts {
        for (field, text) in [("description", description), ("secret", secret)] {
            if !super::code_text::is_plain_text(text, true) {
                errors.push(FieldError::new(
                    &format!("{field}_{locale}"),
                    "admin-error-text-chars",
                ));
            }
        }
        if description.chars().count() > 2000 {
            errors.push(FieldError::new(
                &format!("description_{locale}"),
                "admin-error-text-long",
            ));
        }
        if secret.chars().count() > 2000 {
            errors.push(FieldError::new(
                &format!("secret_{locale}"),
                "admin-error-text-long",
            ));
        }
    }
    dedup_fields(&mut errors);
    if errors.is_empty() {
        Ok((code, texts))
    } else {
        Err(errors)
    }
}

/// One message per field: the first found.
fn dedup_fields(errors: &mut Vec<FieldError>) {
    let mut seen = std::collections::HashSet::new();
    errors.retain(|e| seen.insert(e.field.clone()));
}

#[derive(Debug, thiserror::Error)]
pub enum ManageError {
    #[error("invalid form")]
    Invalid(Vec<FieldError>),
    #[error("not found")]
    NotFound,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl From<CodeError> for ManageError {
    fn from(e: CodeError) -> Self {
        match e {
            CodeError::Database(e) => Self::Database(e),
            other => Self::Invalid(vec![field_error(&other)]),
        }
    }
}

/// References to a group, campaign or partner that does not exist become field errors.
fn map_reference(e: sqlx::Error) -> ManageError {
    if let sqlx::Error::Database(db) = &e {
        let field = match db.constraint() {
            Some("promo_codes_group_id_fkey") => Some("group_id"),
            Some("promo_codes_campaign_id_fkey") => Some("campaign_id"),
            Some("promo_codes_partner_id_fkey") => Some("partner_id"),
            Some("promo_codes_count_within_limit") => Some("activation_limit"),
            _ => None,
        };
        if let Some(field) = field {
            return ManageError::Invalid(vec![FieldError::new(field, "admin-error-reference")]);
        }
    }
    ManageError::Database(e)
}

async fn store_texts(conn: &mut PgConnection, id: i64, texts: &Texts) -> Result<(), sqlx::Error> {
    for (locale, description, secret) in texts {
        codes::set_text(conn, id, locale, description, secret).await?;
    }
    Ok(())
}

/// The form's problems, including a name or slug another code has (so that
/// the admin sees every problem at once, not the duplicate after the rest).
async fn refuse_with_duplicates(
    pool: &PgPool,
    form: &CodeForm,
    exclude: i64,
    mut errors: Vec<FieldError>,
) -> ManageError {
    let folded = super::PromoCodeText::parse(&form.name).ok();
    let slug = Some(form.egg_slug.trim().to_lowercase()).filter(|s| !s.is_empty());
    let taken = sqlx::query!(
        r#"SELECT EXISTS (SELECT 1 FROM promo_codes WHERE normalized = $1 AND id <> $3) AS "name!",
                  EXISTS (SELECT 1 FROM promo_codes WHERE egg_slug = $2 AND id <> $3) AS "slug!""#,
        folded.as_ref().map(|f| f.as_str()),
        slug,
        exclude
    )
    .fetch_one(pool)
    .await;
    match taken {
        Ok(t) => {
            if t.name && !errors.iter().any(|e| e.field == "name") {
                errors.push(FieldError::new("name", "admin-error-duplicate-name"));
            }
            if t.slug && !errors.iter().any(|e| e.field == "egg_slug") {
                errors.push(FieldError::new("egg_slug", "admin-error-duplicate-slug"));
            }
            ManageError::Invalid(errors)
        }
        Err(e) => ManageError::Database(e),
    }
}

/// Creates a code for an admin in the caller's transaction: the row with its
/// creator, its non-empty texts, and the audit entry (`action`; `before` is
/// what the log shows before it, e.g. the code it was cloned from). Every
/// way an admin adds codes (form, clone, CSV import) goes through here.
pub(crate) async fn insert_audited(
    conn: &mut PgConnection,
    admin_id: i64,
    code: &NewCode,
    texts: &Texts,
    action: &str,
    before: Option<serde_json::Value>,
) -> Result<i64, CodeError> {
    let id = codes::create(conn, code).await?;
    sqlx::query!(
        "UPDATE promo_codes SET created_by = $2 WHERE id = $1",
        id,
        admin_id
    )
    .execute(&mut *conn)
    .await?;
    for (locale, description, secret) in texts {
        if !description.is_empty() || !secret.is_empty() {
            codes::set_text(conn, id, locale, description, secret).await?;
        }
    }
    let after = audit::snapshot(conn, Entity::Code, id).await?;
    audit::record(
        conn,
        admin_id,
        action,
        Entity::Code,
        Some(id),
        before,
        after,
    )
    .await?;
    Ok(id)
}

/// Creates a code from the form; audited.
pub async fn create(pool: &PgPool, admin_id: i64, form: &CodeForm) -> Result<i64, ManageError> {
    let (code, texts) = match parse_form(form) {
        Ok(parsed) => parsed,
        Err(errors) => return Err(refuse_with_duplicates(pool, form, 0, errors).await),
    };
    let mut tx = pool.begin().await?;
    let id = match insert_audited(&mut tx, admin_id, &code, &texts, "create", None).await {
        Ok(id) => id,
        Err(CodeError::Database(e)) => return Err(map_reference(e)),
        Err(e) => return Err(e.into()),
    };
    tx.commit().await?;
    Ok(id)
}

/// Changes every parameter of a code. Its counter stays; the next reward is
/// recomputed from the new schedule; a limit below the activations so far is refused.
pub async fn update(
    pool: &PgPool,
    admin_id: i64,
    id: i64,
    form: &CodeForm,
) -> Result<(), ManageError> {
    let (code, texts) = match parse_form(form) {
        Ok(parsed) => parsed,
        Err(errors) => return Err(refuse_with_duplicates(pool, form, id, errors).await),
    };
    let text = super::PromoCodeText::parse(&code.name).map_err(CodeError::from)?;
    let mut tx = pool.begin().await?;
    // The row lock orders this edit with concurrent activations.
    let count = sqlx::query_scalar!(
        "SELECT activation_count FROM promo_codes WHERE id = $1 FOR UPDATE",
        id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(ManageError::NotFound)?;
    if code.activation_limit.is_some_and(|l| l < count) {
        return Err(ManageError::Invalid(vec![FieldError::new(
            "activation_limit",
            "admin-error-limit-below-count",
        )]));
    }
    let before = audit::snapshot(&mut tx, Entity::Code, id).await?;
    let result = sqlx::query!(
        r#"
        UPDATE promo_codes SET
            name = $2, normalized = $3, currency = $4, initial_reward = $5, min_reward = $6,
            decrease_step = $7,
            current_reward = GREATEST($6::bigint, $5::bigint - activation_count::bigint * $7::bigint),
            activation_limit = $8, starts_at = $9, ends_at = $10, egg_slug = $11, enabled = $12,
            priority = $13, group_id = $14, campaign_id = $15, partner_id = $16,
            eligible_tiers = $17, eligible_tags = $18, new_player_days = $19, updated_at = now()
        WHERE id = $1
        "#,
        id,
        code.name,
        text.as_str(),
        code.currency,
        code.initial_reward,
        code.min_reward,
        code.decrease_step,
        code.activation_limit,
        code.starts_at as _,
        code.ends_at as _,
        code.egg_slug,
        code.enabled,
        code.priority,
        code.group_id,
        code.campaign_id,
        code.partner_id,
        &code.eligible_tiers,
        &code.eligible_tags,
        code.new_player_days,
    )
    .execute(&mut *tx)
    .await;
    if let Err(e) = result {
        return Err(match codes::classify(e) {
            CodeError::Database(e) => map_reference(e),
            other => other.into(),
        });
    }
    store_texts(&mut tx, id, &texts).await?;
    let after = audit::snapshot(&mut tx, Entity::Code, id).await?;
    audit::record(
        &mut tx,
        admin_id,
        "update",
        Entity::Code,
        Some(id),
        before,
        after,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Turns a code on or off; audited.
pub async fn set_enabled(
    pool: &PgPool,
    admin_id: i64,
    id: i64,
    enabled: bool,
) -> Result<(), ManageError> {
    let mut tx = pool.begin().await?;
    let before = audit::snapshot(&mut tx, Entity::Code, id)
        .await?
        .ok_or(ManageError::NotFound)?;
    sqlx::query!(
        "UPDATE promo_codes SET enabled = $2, updated_at = now() WHERE id = $1",
        id,
        enabled
    )
    .execute(&mut *tx)
    .await?;
    let after = audit::snapshot(&mut tx, Entity::Code, id).await?;
    let action = if enabled { "enable" } else { "disable" };
    audit::record(
        &mut tx,
        admin_id,
        action,
        Entity::Code,
        Some(id),
        Some(before),
        after,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum DeleteError {
    #[error("the code has been activated")]
    Activated,
    #[error("not found")]
    NotFound,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// Deletes a code that was never activated; one that was stays (disable it instead).
pub async fn delete(pool: &PgPool, admin_id: i64, id: i64) -> Result<(), DeleteError> {
    let mut tx = pool.begin().await?;
    let count = sqlx::query_scalar!(
        "SELECT activation_count FROM promo_codes WHERE id = $1 FOR UPDATE",
        id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(DeleteError::NotFound)?;
    let activated = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM activations WHERE code_id = $1) AS "e!""#,
        id
    )
    .fetch_one(&mut *tx)
    .await?;
    if count > 0 || activated {
        return Err(DeleteError::Activated);
    }
    let before = audit::snapshot(&mut tx, Entity::Code, id).await?;
    sqlx::query!("DELETE FROM promo_codes WHERE id = $1", id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        admin_id,
        "delete",
        Entity::Code,
        Some(id),
        before,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A new code with `name` and every parameter and text of `id` (a fresh
/// counter; an easter egg's slug must be unique, so the clone has none).
pub async fn clone(pool: &PgPool, admin_id: i64, id: i64, name: &str) -> Result<i64, ManageError> {
    let mut form = load_form(pool, id)
        .await?
        .ok_or(ManageError::NotFound)?
        .form;
    form.name = name.to_owned();
    form.egg_slug = String::new();
    let (code, texts) = parse_form(&form).map_err(ManageError::Invalid)?;
    let mut tx = pool.begin().await?;
    let source = serde_json::json!({ "cloned_from": id });
    let new_id = match insert_audited(&mut tx, admin_id, &code, &texts, "clone", Some(source)).await
    {
        Ok(id) => id,
        Err(CodeError::Database(e)) => return Err(map_reference(e)),
        Err(e) => return Err(e.into()),
    };
    tx.commit().await?;
    Ok(new_id)
}

const STATUS_SQL: &str = "promo_code_status(c)";

/// A code's form as stored, for the edit page.
pub async fn load_form(pool: &PgPool, id: i64) -> Result<Option<CodeDetail>, sqlx::Error> {
    let row = sqlx::query!(
        r#"
        SELECT c.id, c.name, c.currency, c.initial_reward, c.min_reward, c.decrease_step,
               c.activation_limit, c.starts_at AS "starts_at: DateTime<Utc>",
               c.ends_at AS "ends_at: DateTime<Utc>", c.egg_slug, c.enabled, c.priority,
               c.group_id, c.campaign_id, c.partner_id, c.eligible_tiers, c.eligible_tags,
               c.new_player_days, c.activation_count, c.current_reward,
               c.created_at AS "created_at: DateTime<Utc>", c.updated_at AS "updated_at: DateTime<Utc>",
               promo_code_status(c) AS "status!",
               coalesce(en.description, '') AS "description_en!", coalesce(en.secret_message, '') AS "secret_en!",
               coalesce(ru.description, '') AS "description_ru!", coalesce(ru.secret_message, '') AS "secret_ru!"
          FROM promo_codes c
          LEFT JOIN promo_code_texts en ON en.code_id = c.id AND en.locale = 'en'
          LEFT JOIN promo_code_texts ru ON ru.code_id = c.id AND ru.locale = 'ru'
         WHERE c.id = $1
        "#,
        id
    )
    .fetch_optional(pool)
    .await?;
    let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    Ok(row.map(|r| CodeDetail {
        form: CodeForm {
            csrf: String::new(),
            id: r.id.to_string(),
            name: r.name,
            currency: r.currency,
            initial_reward: r.initial_reward.to_string(),
            min_reward: r.min_reward.to_string(),
            decrease_step: r.decrease_step.to_string(),
            activation_limit: opt(r.activation_limit.map(i64::from)),
            starts_at: r.starts_at.map(datetime_input).unwrap_or_default(),
            ends_at: r.ends_at.map(datetime_input).unwrap_or_default(),
            egg_slug: r.egg_slug.unwrap_or_default(),
            enabled: r.enabled.then(|| "on".to_owned()),
            priority: r.priority.to_string(),
            group_id: opt(r.group_id),
            campaign_id: opt(r.campaign_id),
            partner_id: opt(r.partner_id),
            eligible_tiers: r.eligible_tiers.join(", "),
            eligible_tags: r.eligible_tags.join(", "),
            new_player_days: opt(r.new_player_days.map(i64::from)),
            description_en: r.description_en,
            secret_en: r.secret_en,
            description_ru: r.description_ru,
            secret_ru: r.secret_ru,
        },
        status: CodeStatus::parse(&r.status).unwrap_or(CodeStatus::Active),
        activation_count: r.activation_count,
        current_reward: r.current_reward,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }))
}

/// The WHERE clause and ORDER BY of a filtered code list, with its binds, for
/// the list page and the CSV export alike.
pub fn filter_sql(filter: &CodeFilter) -> (String, String, Vec<FilterBind>) {
    let mut conditions: Vec<String> = Vec::new();
    let mut binds = Vec::new();
    let mut bind = |value: FilterBind, conditions: &mut Vec<String>, sql: &str| {
        binds.push(value);
        conditions.push(sql.replace('?', &format!("${}", binds.len())));
    };
    let q = filter.q.trim();
    if !q.is_empty() {
        // The same folding as redemption, but partial input may not parse: fall back to plain upper case.
        // Control characters (NUL cannot even be sent to PostgreSQL) match nothing anyway.
        let folded = super::PromoCodeText::parse(q)
            .map(|t| t.into_inner())
            .unwrap_or_else(|_| {
                q.chars()
                    .filter(|c| !c.is_control())
                    .collect::<String>()
                    .to_uppercase()
            });
        let pattern = format!(
            "%{}%",
            folded
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        bind(
            FilterBind::Text(pattern),
            &mut conditions,
            "c.normalized LIKE ?",
        );
    }
    for (value, column) in [
        (&filter.group, "c.group_id"),
        (&filter.campaign, "c.campaign_id"),
        (&filter.partner, "c.partner_id"),
    ] {
        if let Ok(id) = value.trim().parse::<i64>() {
            bind(
                FilterBind::Int(id),
                &mut conditions,
                &format!("{column} = ?"),
            );
        }
    }
    match filter.kind.as_str() {
        "decreasing" => conditions.push("c.decrease_step > 0".into()),
        "limited" => conditions.push("c.activation_limit IS NOT NULL".into()),
        "temporary" => conditions.push("(c.starts_at IS NOT NULL OR c.ends_at IS NOT NULL)".into()),
        "egg" => conditions.push("c.egg_slug IS NOT NULL".into()),
        "standard" => conditions.push(
            "(c.decrease_step = 0 AND c.activation_limit IS NULL AND c.starts_at IS NULL \
             AND c.ends_at IS NULL AND c.egg_slug IS NULL)"
                .into(),
        ),
        _ => {}
    }
    if let Some(status) = CodeStatus::parse(&filter.status) {
        conditions.push(format!("({STATUS_SQL}) = '{}'", status.as_str()));
    }
    let where_sql = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    let (sort, direction) = match filter.sort.strip_prefix('-') {
        Some(s) => (s, "ASC"),
        None => (filter.sort.as_str(), "DESC"),
    };
    let order = match sort {
        "priority" => format!("c.priority {direction}, c.id {direction}"),
        "activations" => format!("c.activation_count {direction}, c.id {direction}"),
        "name" => format!(
            "c.normalized {}",
            if direction == "DESC" { "ASC" } else { "DESC" }
        ),
        _ => format!("c.created_at {direction}, c.id {direction}"),
    };
    (where_sql, order, binds)
}

pub enum FilterBind {
    Text(String),
    Int(i64),
}

/// The columns of a code row in the list and the export.
pub const ROW_SQL: &str = "SELECT c.id, c.name, c.normalized, c.currency, c.initial_reward, c.min_reward, \
    c.decrease_step, c.current_reward, c.activation_count, c.activation_limit, c.priority, c.starts_at, \
    c.ends_at, c.egg_slug, c.enabled, c.created_at, g.name AS group_name, m.name AS campaign_name, \
    p.name AS partner_name, STATUS AS status \
    FROM promo_codes c LEFT JOIN code_groups g ON g.id = c.group_id \
    LEFT JOIN campaigns m ON m.id = c.campaign_id LEFT JOIN partners p ON p.id = c.partner_id";

pub fn select_sql(filter: &CodeFilter, tail: &str) -> (String, Vec<FilterBind>) {
    let (where_sql, order, binds) = filter_sql(filter);
    (
        format!(
            "{} {where_sql} ORDER BY {order} {tail}",
            ROW_SQL.replace("STATUS", STATUS_SQL)
        ),
        binds,
    )
}

pub fn bind_all<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>,
    binds: &'q [FilterBind],
) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
    for b in binds {
        query = match b {
            FilterBind::Text(t) => query.bind(t.as_str()),
            FilterBind::Int(i) => query.bind(*i),
        };
    }
    query
}

pub fn row_from(row: &sqlx::postgres::PgRow) -> Result<CodeRow, sqlx::Error> {
    use sqlx::Row;
    let mut kinds = Vec::new();
    if row.try_get::<i64, _>("decrease_step")? > 0 {
        kinds.push("decreasing".to_owned());
    }
    if row.try_get::<Option<i32>, _>("activation_limit")?.is_some() {
        kinds.push("limited".to_owned());
    }
    if row
        .try_get::<Option<DateTime<Utc>>, _>("starts_at")?
        .is_some()
        || row
            .try_get::<Option<DateTime<Utc>>, _>("ends_at")?
            .is_some()
    {
        kinds.push("temporary".to_owned());
    }
    if row.try_get::<Option<String>, _>("egg_slug")?.is_some() {
        kinds.push("egg".to_owned());
    }
    if kinds.is_empty() {
        kinds.push("standard".to_owned());
    }
    Ok(CodeRow {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        status: CodeStatus::parse(row.try_get::<&str, _>("status")?).unwrap_or(CodeStatus::Active),
        kinds,
        currency: row.try_get("currency")?,
        current_reward: row.try_get("current_reward")?,
        activation_count: row.try_get("activation_count")?,
        activation_limit: row.try_get("activation_limit")?,
        priority: row.try_get("priority")?,
        group: row.try_get("group_name")?,
        campaign: row.try_get("campaign_name")?,
        partner: row.try_get("partner_name")?,
        created_at: row.try_get("created_at")?,
    })
}

/// One page of the filtered list, with the total count.
pub async fn list(
    pool: &PgPool,
    filter: &CodeFilter,
    page_size: i64,
) -> Result<CodeList, sqlx::Error> {
    let page = filter.page();
    let (sql, binds) = select_sql(
        filter,
        &format!("LIMIT {} OFFSET {}", page_size + 1, (page - 1) * page_size),
    );
    let rows = bind_all(sqlx::query(&sql), &binds).fetch_all(pool).await?;
    let mut rows = rows.iter().map(row_from).collect::<Result<Vec<_>, _>>()?;
    let has_next = rows.len() as i64 > page_size;
    rows.truncate(page_size as usize);
    let (where_sql, _, binds) = filter_sql(filter);
    let count_sql = format!("SELECT count(*) FROM promo_codes c {where_sql}");
    let total: i64 = {
        use sqlx::Row;
        bind_all(sqlx::query(&count_sql), &binds)
            .fetch_one(pool)
            .await?
            .try_get(0)?
    };
    Ok(CodeList {
        rows,
        total,
        page,
        has_next,
    })
}
