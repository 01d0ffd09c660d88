//! What admins do to codes, as typed commands: create, update, enable or
//! disable, clone, delete (only when never activated), and read one back for
//! editing. Every change is audited in the same transaction; every rule is
//! checked by `NewCode` and, again, by the schema.

use chrono::{DateTime, Utc};
use sqlx::{Acquire, PgConnection, PgExecutor, Postgres};

use crate::audit::{self, Actor, Entity};
use crate::codes::{self, CodeTexts, LocalizedText, NewCode};
use crate::error::{Error, Problem, Result};
use crate::PromoCodeText;
use model::admin::CodeStatus;

/// A code as stored, with what it has done so far.
#[derive(Clone, Debug)]
pub struct StoredCode {
    pub id: i64,
    pub code: NewCode,
    pub texts: CodeTexts,
    pub status: CodeStatus,
    pub activation_count: i32,
    pub current_reward: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The name and slug other codes already have (so that the admin sees a
/// duplicate together with every other problem, not after fixing them).
pub async fn taken(
    db: impl PgExecutor<'_>,
    name: &str,
    egg_slug: Option<&str>,
    except: i64,
) -> Result<Vec<Problem>> {
    let folded = PromoCodeText::parse(name).ok();
    let slug = egg_slug.filter(|s| crate::code_text::is_plain_text(s, false));
    let taken = sqlx::query!(
        r#"SELECT EXISTS (SELECT 1 FROM promo_codes WHERE normalized = $1 AND id <> $3) AS "name!",
                  EXISTS (SELECT 1 FROM promo_codes WHERE egg_slug = $2 AND id <> $3) AS "slug!""#,
        folded.as_ref().map(|f| f.as_str()),
        slug,
        except
    )
    .fetch_one(db)
    .await?;
    let mut problems = Vec::new();
    if taken.name {
        problems.push(Problem::DuplicateName);
    }
    if taken.slug {
        problems.push(Problem::DuplicateSlug);
    }
    Ok(problems)
}

/// Every problem of a command: its own rules and the names it would duplicate.
async fn refusal(
    conn: &mut PgConnection,
    code: &NewCode,
    texts: &CodeTexts,
    except: i64,
) -> Result<Option<Error>> {
    let mut problems: Vec<Problem> = code
        .problems()
        .into_iter()
        .chain(texts.problems())
        .collect();
    if problems.is_empty() {
        return Ok(None);
    }
    for duplicate in taken(conn, &code.name, code.egg_slug.as_deref(), except).await? {
        if !problems.contains(&duplicate) {
            problems.push(duplicate);
        }
    }
    Ok(Some(Error::Invalid(problems)))
}

/// Creates a code in the caller's transaction: the row with its creator
/// (an admin; none through the API), its texts, and the audit entry (`action`; `before` is what the
/// log shows before it, e.g. the code it was cloned from). Every way an admin
/// adds codes (form, clone, CSV import) goes through here.
pub(crate) async fn insert_audited(
    conn: &mut PgConnection,
    actor: Actor,
    code: &NewCode,
    texts: &CodeTexts,
    action: &str,
    before: Option<serde_json::Value>,
) -> Result<i64> {
    let id = codes::create(conn, code).await?;
    sqlx::query!(
        "UPDATE promo_codes SET created_by = $2 WHERE id = $1",
        id,
        actor.admin_id()
    )
    .execute(&mut *conn)
    .await?;
    codes::store_texts(conn, id, texts).await?;
    let after = audit::snapshot(conn, Entity::Code, id).await?;
    audit::record(conn, actor, action, Entity::Code, Some(id), before, after).await?;
    Ok(id)
}

/// Creates a code; audited. `db` is a pool or the caller's transaction
/// (the API's idempotency key holds one).
pub async fn create<'a>(
    db: impl Acquire<'a, Database = Postgres>,
    actor: Actor,
    code: &NewCode,
    texts: &CodeTexts,
) -> Result<i64> {
    let mut tx = db.begin().await?;
    if let Some(refused) = refusal(&mut tx, code, texts, 0).await? {
        return Err(refused);
    }
    let id = insert_audited(&mut tx, actor, code, texts, "create", None).await?;
    tx.commit().await?;
    Ok(id)
}

/// Changes every parameter of a code. Its counter stays; the next reward is
/// recomputed from the new schedule; a limit below the activations so far is refused.
pub async fn update<'a>(
    db: impl Acquire<'a, Database = Postgres>,
    actor: Actor,
    id: i64,
    code: &NewCode,
    texts: &CodeTexts,
) -> Result<()> {
    let mut tx = db.begin().await?;
    if let Some(refused) = refusal(&mut tx, code, texts, id).await? {
        return Err(refused);
    }
    // The row lock orders this edit with concurrent activations.
    let count = sqlx::query_scalar!(
        "SELECT activation_count FROM promo_codes WHERE id = $1 FOR UPDATE",
        id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(Error::NotFound)?;
    if code.activation_limit.is_some_and(|l| l < count) {
        return Err(Error::invalid(Problem::LimitBelowCount));
    }
    let before = audit::snapshot(&mut tx, Entity::Code, id).await?;
    codes::write(&mut tx, Some(id), code).await?;
    codes::store_texts(&mut tx, id, texts).await?;
    let after = audit::snapshot(&mut tx, Entity::Code, id).await?;
    audit::record(
        &mut tx,
        actor,
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
pub async fn set_enabled<'a>(
    db: impl Acquire<'a, Database = Postgres>,
    actor: Actor,
    id: i64,
    enabled: bool,
) -> Result<()> {
    let mut tx = db.begin().await?;
    let before = audit::snapshot(&mut tx, Entity::Code, id)
        .await?
        .ok_or(Error::NotFound)?;
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
        actor,
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

/// Deletes a code that was never activated; one that was stays in the books
/// (`InUse`: disable it instead).
pub async fn delete<'a>(
    db: impl Acquire<'a, Database = Postgres>,
    actor: Actor,
    id: i64,
) -> Result<()> {
    let mut tx = db.begin().await?;
    let count = sqlx::query_scalar!(
        "SELECT activation_count FROM promo_codes WHERE id = $1 FOR UPDATE",
        id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(Error::NotFound)?;
    let activated = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM activations WHERE code_id = $1) AS "e!""#,
        id
    )
    .fetch_one(&mut *tx)
    .await?;
    if count > 0 || activated {
        return Err(Error::InUse);
    }
    let before = audit::snapshot(&mut tx, Entity::Code, id).await?;
    sqlx::query!("DELETE FROM promo_codes WHERE id = $1", id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        actor,
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
pub async fn clone<'a>(
    db: impl Acquire<'a, Database = Postgres>,
    actor: Actor,
    id: i64,
    name: &str,
) -> Result<i64> {
    let mut tx = db.begin().await?;
    let source = stored(&mut *tx, id).await?.ok_or(Error::NotFound)?;
    let code = NewCode {
        name: name.trim().to_owned(),
        egg_slug: None,
        ..source.code
    };
    if let Some(refused) = refusal(&mut tx, &code, &source.texts, 0).await? {
        return Err(refused);
    }
    let from = serde_json::json!({ "cloned_from": id });
    let new_id = insert_audited(&mut tx, actor, &code, &source.texts, "clone", Some(from)).await?;
    tx.commit().await?;
    Ok(new_id)
}

/// A code as stored, for the edit page and clones.
pub async fn stored(db: impl PgExecutor<'_>, id: i64) -> Result<Option<StoredCode>> {
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
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| StoredCode {
        id: r.id,
        code: NewCode {
            name: r.name,
            currency: r.currency,
            initial_reward: r.initial_reward,
            min_reward: r.min_reward,
            decrease_step: r.decrease_step,
            activation_limit: r.activation_limit,
            starts_at: r.starts_at,
            ends_at: r.ends_at,
            egg_slug: r.egg_slug,
            enabled: r.enabled,
            priority: r.priority,
            group_id: r.group_id,
            campaign_id: r.campaign_id,
            partner_id: r.partner_id,
            eligible_tiers: r.eligible_tiers,
            eligible_tags: r.eligible_tags,
            new_player_days: r.new_player_days,
        },
        texts: CodeTexts {
            en: LocalizedText {
                description: r.description_en,
                secret_message: r.secret_en,
            },
            ru: LocalizedText {
                description: r.description_ru,
                secret_message: r.secret_ru,
            },
        },
        status: CodeStatus::parse(&r.status).unwrap_or(CodeStatus::Active),
        activation_count: r.activation_count,
        current_reward: r.current_reward,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }))
}
