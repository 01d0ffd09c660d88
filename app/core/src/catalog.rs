//! Groups, campaigns and partners: validated from their forms, stored with
//! an audit record, and listed with how many codes each has.

use sqlx::PgPool;

use super::audit::{self, Entity};
use super::manage::{parse_reference, parse_time_field};
use model::admin::*;

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("invalid form")]
    Invalid(Vec<FieldError>),
    #[error("not found")]
    NotFound,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

fn name_of(name: &str, errors: &mut Vec<FieldError>) -> String {
    let name = name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 120 {
        errors.push(FieldError::new("name", "admin-error-required"));
    }
    name
}

fn id_of(value: &str) -> Option<i64> {
    value.trim().parse().ok()
}

fn duplicate(e: sqlx::Error) -> CatalogError {
    if let sqlx::Error::Database(db) = &e {
        match db.constraint() {
            Some(c) if c.ends_with("_name_key") => {
                return CatalogError::Invalid(vec![FieldError::new(
                    "name",
                    "admin-error-duplicate-name",
                )])
            }
            Some(c) if c.ends_with("_fkey") => {
                let field = if c.contains("partner") {
                    "partner_id"
                } else {
                    "currency"
                };
                return CatalogError::Invalid(vec![FieldError::new(
                    field,
                    "admin-error-reference",
                )]);
            }
            _ => {}
        }
    }
    CatalogError::Database(e)
}

/// Creates (empty id) or updates a group; audited.
pub async fn save_group(
    pool: &PgPool,
    admin_id: i64,
    form: &GroupForm,
) -> Result<i64, CatalogError> {
    let mut errors = Vec::new();
    let name = name_of(&form.name, &mut errors);
    let description = form.description.trim();
    if description.chars().count() > 2000 {
        errors.push(FieldError::new("description", "admin-error-text-long"));
    }
    if !errors.is_empty() {
        return Err(CatalogError::Invalid(errors));
    }
    let mut tx = pool.begin().await?;
    let (id, before, action) = match id_of(&form.id) {
        Some(id) => {
            let before = audit::snapshot(&mut tx, Entity::Group, id)
                .await?
                .ok_or(CatalogError::NotFound)?;
            sqlx::query!(
                "UPDATE code_groups SET name = $2, description = $3 WHERE id = $1",
                id,
                name,
                description
            )
            .execute(&mut *tx)
            .await
            .map_err(duplicate)?;
            (id, Some(before), "update")
        }
        None => {
            let id = sqlx::query_scalar!(
                "INSERT INTO code_groups (name, description) VALUES ($1, $2) RETURNING id",
                name,
                description
            )
            .fetch_one(&mut *tx)
            .await
            .map_err(duplicate)?;
            (id, None, "create")
        }
    };
    let after = audit::snapshot(&mut tx, Entity::Group, id).await?;
    audit::record(
        &mut tx,
        admin_id,
        action,
        Entity::Group,
        Some(id),
        before,
        after,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Creates or updates a campaign; audited.
pub async fn save_campaign(
    pool: &PgPool,
    admin_id: i64,
    form: &CampaignForm,
) -> Result<i64, CatalogError> {
    let mut errors = Vec::new();
    let name = name_of(&form.name, &mut errors);
    let channel = form.channel.trim();
    if !CHANNELS.contains(&channel) {
        errors.push(FieldError::new("channel", "admin-error-required"));
    }
    let partner_id = parse_reference(&form.partner_id, "partner_id", &mut errors);
    let starts_at = parse_time_field(&form.starts_at, "starts_at", &mut errors);
    let ends_at = parse_time_field(&form.ends_at, "ends_at", &mut errors);
    if let (Some(s), Some(e)) = (starts_at, ends_at) {
        if e <= s {
            errors.push(FieldError::new("ends_at", "admin-error-end-before-start"));
        }
    }
    let notes = form.notes.trim();
    if notes.chars().count() > 2000 {
        errors.push(FieldError::new("notes", "admin-error-text-long"));
    }
    if !errors.is_empty() {
        return Err(CatalogError::Invalid(errors));
    }
    let mut tx = pool.begin().await?;
    let (id, before, action) = match id_of(&form.id) {
        Some(id) => {
            let before = audit::snapshot(&mut tx, Entity::Campaign, id)
                .await?
                .ok_or(CatalogError::NotFound)?;
            sqlx::query!(
                "UPDATE campaigns SET name = $2, channel = $3, partner_id = $4, starts_at = $5, ends_at = $6, notes = $7 WHERE id = $1",
                id, name, channel, partner_id, starts_at as _, ends_at as _, notes
            )
            .execute(&mut *tx)
            .await
            .map_err(duplicate)?;
            (id, Some(before), "update")
        }
        None => {
            let id = sqlx::query_scalar!(
                "INSERT INTO campaigns (name, channel, partner_id, starts_at, ends_at, notes) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                name, channel, partner_id, starts_at as _, ends_at as _, notes
            )
            .fetch_one(&mut *tx)
            .await
            .map_err(duplicate)?;
            (id, None, "create")
        }
    };
    let after = audit::snapshot(&mut tx, Entity::Campaign, id).await?;
    audit::record(
        &mut tx,
        admin_id,
        action,
        Entity::Campaign,
        Some(id),
        before,
        after,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Creates or updates a partner; audited.
pub async fn save_partner(
    pool: &PgPool,
    admin_id: i64,
    form: &PartnerForm,
) -> Result<i64, CatalogError> {
    let mut errors = Vec::new();
    let name = name_of(&form.name, &mut errors);
    let contact = form.contact.trim();
    if contact.chars().count() > 500 {
        errors.push(FieldError::new("contact", "admin-error-text-long"));
    }
    let payout = match form.payout.trim() {
        "" => 0,
        v => v
            .parse::<i64>()
            .ok()
            .filter(|p| *p >= 0)
            .unwrap_or_else(|| {
                errors.push(FieldError::new("payout", "admin-error-number"));
                0
            }),
    };
    let currency = form.currency.trim().to_uppercase();
    let notes = form.notes.trim();
    if notes.chars().count() > 2000 {
        errors.push(FieldError::new("notes", "admin-error-text-long"));
    }
    if !errors.is_empty() {
        return Err(CatalogError::Invalid(errors));
    }
    let mut tx = pool.begin().await?;
    let (id, before, action) = match id_of(&form.id) {
        Some(id) => {
            let before = audit::snapshot(&mut tx, Entity::Partner, id)
                .await?
                .ok_or(CatalogError::NotFound)?;
            sqlx::query!(
                "UPDATE partners SET name = $2, contact = $3, payout_per_activation = $4, payout_currency = $5, notes = $6 WHERE id = $1",
                id, name, contact, payout, currency, notes
            )
            .execute(&mut *tx)
            .await
            .map_err(duplicate)?;
            (id, Some(before), "update")
        }
        None => {
            let id = sqlx::query_scalar!(
                "INSERT INTO partners (name, contact, payout_per_activation, payout_currency, notes) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                name, contact, payout, currency, notes
            )
            .fetch_one(&mut *tx)
            .await
            .map_err(duplicate)?;
            (id, None, "create")
        }
    };
    let after = audit::snapshot(&mut tx, Entity::Partner, id).await?;
    audit::record(
        &mut tx,
        admin_id,
        action,
        Entity::Partner,
        Some(id),
        before,
        after,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

fn time_input(at: Option<chrono::DateTime<chrono::Utc>>) -> String {
    at.map(datetime_input).unwrap_or_default()
}

/// Every group, campaign and partner with its number of codes.
pub async fn catalog(pool: &PgPool) -> Result<Catalog, sqlx::Error> {
    let groups = sqlx::query!(
        r#"SELECT g.id, g.name, g.kind, g.description,
                  (SELECT count(*) FROM promo_codes c WHERE c.group_id = g.id) AS "codes!"
             FROM code_groups g ORDER BY g.created_at DESC, g.id DESC"#
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| {
        (
            GroupForm {
                csrf: String::new(),
                id: r.id.to_string(),
                name: r.name,
                description: r.description,
            },
            r.kind,
            r.codes,
        )
    })
    .collect();
    let campaigns = sqlx::query!(
        r#"SELECT m.id, m.name, m.channel, m.partner_id, m.notes,
                  m.starts_at AS "starts_at: chrono::DateTime<chrono::Utc>",
                  m.ends_at AS "ends_at: chrono::DateTime<chrono::Utc>",
                  (SELECT count(*) FROM promo_codes c WHERE c.campaign_id = m.id) AS "codes!"
             FROM campaigns m ORDER BY m.created_at DESC, m.id DESC"#
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| {
        (
            CampaignForm {
                csrf: String::new(),
                id: r.id.to_string(),
                name: r.name,
                channel: r.channel,
                partner_id: r.partner_id.map(|p| p.to_string()).unwrap_or_default(),
                starts_at: time_input(r.starts_at),
                ends_at: time_input(r.ends_at),
                notes: r.notes,
            },
            r.codes,
        )
    })
    .collect();
    let partners = sqlx::query!(
        r#"SELECT p.id, p.name, p.contact, p.payout_per_activation, p.payout_currency, p.notes,
                  (SELECT count(*) FROM promo_codes c WHERE c.partner_id = p.id) AS "codes!"
             FROM partners p ORDER BY p.created_at DESC, p.id DESC"#
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| {
        (
            PartnerForm {
                csrf: String::new(),
                id: r.id.to_string(),
                name: r.name,
                contact: r.contact,
                payout: r.payout_per_activation.to_string(),
                currency: r.payout_currency,
                notes: r.notes,
            },
            r.codes,
        )
    })
    .collect();
    Ok(Catalog {
        groups,
        campaigns,
        partners,
    })
}

/// What the code form's selects offer.
pub async fn choices(pool: &PgPool) -> Result<Choices, sqlx::Error> {
    let groups = sqlx::query_as!(
        Choice,
        "SELECT id, name FROM code_groups ORDER BY lower(name)"
    )
    .fetch_all(pool)
    .await?;
    let campaigns = sqlx::query_as!(
        Choice,
        "SELECT id, name FROM campaigns ORDER BY lower(name)"
    )
    .fetch_all(pool)
    .await?;
    let partners = sqlx::query_as!(Choice, "SELECT id, name FROM partners ORDER BY lower(name)")
        .fetch_all(pool)
        .await?;
    let currencies = sqlx::query_scalar!("SELECT code FROM currencies ORDER BY code")
        .fetch_all(pool)
        .await?;
    Ok(Choices {
        groups,
        campaigns,
        partners,
        currencies,
    })
}
