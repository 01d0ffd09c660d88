//! Groups, campaigns and partners: typed, validated, stored with an audit
//! record (created when `id` is `None`, else updated), and listed with how
//! many codes each has; and the choices the code form's selects offer.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::audit::{self, Entity};
use crate::code_text::is_plain_text;
use crate::error::{Error, Problem, Result};
use model::admin::{Choice, Choices, CHANNELS};

/// Names of groups, campaigns and partners: 1 to 120 characters.
const MAX_NAME_CHARS: usize = 120;
const MAX_NOTES_CHARS: usize = 2000;
const MAX_CONTACT_CHARS: usize = 500;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Group {
    pub id: Option<i64>,
    pub name: String,
    pub description: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Campaign {
    pub id: Option<i64>,
    pub name: String,
    /// One of `model::admin::CHANNELS`.
    pub channel: String,
    pub partner_id: Option<i64>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub notes: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Partner {
    pub id: Option<i64>,
    pub name: String,
    pub contact: String,
    pub payout_per_activation: i64,
    pub payout_currency: String,
    pub notes: String,
}

/// The problems of an entry's name and of its free texts, each text with its
/// length limit and the problem it is when too long or not plain text.
fn name_and_text_problems<const N: usize>(
    name: &str,
    texts: [(&str, usize, Problem); N],
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let count = name.trim().chars().count();
    if count == 0 || count > MAX_NAME_CHARS {
        problems.push(Problem::NameRequired);
    } else if !is_plain_text(name, false) {
        problems.push(Problem::NameChars);
    }
    for (text, max, problem) in texts {
        if text.chars().count() > max || !is_plain_text(text, true) {
            problems.push(problem);
        }
    }
    problems
}

fn checked(problems: Vec<Problem>) -> Result<()> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(problems))
    }
}

impl Group {
    pub fn problems(&self) -> Vec<Problem> {
        let description = (
            &*self.description,
            MAX_NOTES_CHARS,
            Problem::DescriptionTooLong,
        );
        name_and_text_problems(&self.name, [description])
    }
}

impl Campaign {
    pub fn problems(&self) -> Vec<Problem> {
        let notes = (&*self.notes, MAX_NOTES_CHARS, Problem::NotesTooLong);
        let mut problems = name_and_text_problems(&self.name, [notes]);
        if !CHANNELS.contains(&self.channel.as_str()) {
            problems.push(Problem::UnknownChannel);
        }
        if let (Some(s), Some(e)) = (self.starts_at, self.ends_at) {
            if e <= s {
                problems.push(Problem::EndBeforeStart);
            }
        }
        problems
    }
}

impl Partner {
    pub fn problems(&self) -> Vec<Problem> {
        let contact = (&*self.contact, MAX_CONTACT_CHARS, Problem::ContactTooLong);
        let notes = (&*self.notes, MAX_NOTES_CHARS, Problem::NotesTooLong);
        let mut problems = name_and_text_problems(&self.name, [contact, notes]);
        if self.payout_per_activation < 0 {
            problems.push(Problem::PayoutNegative);
        }
        if !crate::codes::is_currency_code(&self.payout_currency) {
            problems.push(Problem::UnknownCurrency);
        }
        problems
    }
}

/// Writes `entity`'s row (`write` answers its id) with the audit entry.
async fn audited(
    pool: &PgPool,
    admin_id: i64,
    entity: Entity,
    id: Option<i64>,
    write: impl AsyncFnOnce(&mut sqlx::PgConnection) -> Result<i64>,
) -> Result<i64> {
    let mut tx = pool.begin().await?;
    let before = match id {
        Some(id) => Some(
            audit::snapshot(&mut tx, entity, id)
                .await?
                .ok_or(Error::NotFound)?,
        ),
        None => None,
    };
    let id = write(&mut tx).await?;
    let after = audit::snapshot(&mut tx, entity, id).await?;
    let action = if before.is_some() { "update" } else { "create" };
    audit::record(
        &mut tx,
        audit::Actor::Admin(admin_id),
        action,
        entity,
        Some(id),
        before,
        after,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Creates or updates a group; audited.
/// Whether a currency with this code exists (every reward names one).
pub async fn currency_known(conn: &mut sqlx::PgConnection, code: &str) -> Result<bool> {
    Ok(sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM currencies WHERE code = $1) AS "known!""#,
        code
    )
    .fetch_one(conn)
    .await?)
}

/// Refuses a currency nobody defined (`UnknownCurrency`).
pub async fn require_currency(conn: &mut sqlx::PgConnection, code: &str) -> Result<()> {
    match currency_known(conn, code).await? {
        true => Ok(()),
        false => Err(Error::invalid(Problem::UnknownCurrency)),
    }
}

pub async fn save_group(pool: &PgPool, admin_id: i64, group: &Group) -> Result<i64> {
    checked(group.problems())?;
    let (name, description) = (group.name.trim(), group.description.trim());
    audited(pool, admin_id, Entity::Group, group.id, async |tx| {
        Ok(match group.id {
            Some(id) => {
                sqlx::query!(
                    "UPDATE code_groups SET name = $2, description = $3 WHERE id = $1",
                    id,
                    name,
                    description
                )
                .execute(&mut *tx)
                .await?;
                id
            }
            None => {
                sqlx::query_scalar!(
                    "INSERT INTO code_groups (name, description) VALUES ($1, $2) RETURNING id",
                    name,
                    description
                )
                .fetch_one(&mut *tx)
                .await?
            }
        })
    })
    .await
}

/// Creates or updates a campaign; audited.
pub async fn save_campaign(pool: &PgPool, admin_id: i64, campaign: &Campaign) -> Result<i64> {
    checked(campaign.problems())?;
    let c = campaign;
    let (name, notes) = (c.name.trim(), c.notes.trim());
    audited(pool, admin_id, Entity::Campaign, c.id, async |tx| {
        Ok(match c.id {
            Some(id) => {
                sqlx::query!(
                    "UPDATE campaigns SET name = $2, channel = $3, partner_id = $4, starts_at = $5, ends_at = $6, notes = $7 WHERE id = $1",
                    id, name, c.channel, c.partner_id, c.starts_at as _, c.ends_at as _, notes
                )
                .execute(&mut *tx)
                .await?;
                id
            }
            None => sqlx::query_scalar!(
                "INSERT INTO campaigns (name, channel, partner_id, starts_at, ends_at, notes) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                name, c.channel, c.partner_id, c.starts_at as _, c.ends_at as _, notes
            )
            .fetch_one(&mut *tx)
            .await?,
        })
    })
    .await
}

/// Creates or updates a partner; audited.
pub async fn save_partner(pool: &PgPool, admin_id: i64, partner: &Partner) -> Result<i64> {
    checked(partner.problems())?;
    let p = partner;
    let (name, contact, notes) = (p.name.trim(), p.contact.trim(), p.notes.trim());
    audited(pool, admin_id, Entity::Partner, p.id, async |tx| {
        Ok(match p.id {
            Some(id) => {
                sqlx::query!(
                    "UPDATE partners SET name = $2, contact = $3, payout_per_activation = $4, payout_currency = $5, notes = $6 WHERE id = $1",
                    id, name, contact, p.payout_per_activation, p.payout_currency, notes
                )
                .execute(&mut *tx)
                .await?;
                id
            }
            None => sqlx::query_scalar!(
                "INSERT INTO partners (name, contact, payout_per_activation, payout_currency, notes) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                name, contact, p.payout_per_activation, p.payout_currency, notes
            )
            .fetch_one(&mut *tx)
            .await?,
        })
    })
    .await
}

/// Every group (with its kind: a group or a series), campaign and partner,
/// newest first, each with its number of codes.
#[derive(Clone, Debug, Default)]
pub struct Entries {
    pub groups: Vec<(Group, String, i64)>,
    pub campaigns: Vec<(Campaign, i64)>,
    pub partners: Vec<(Partner, i64)>,
}

pub async fn entries(pool: &PgPool) -> Result<Entries> {
    let groups = sqlx::query!(
        r#"SELECT g.id, g.name, g.kind, g.description,
                  (SELECT count(*) FROM promo_codes c WHERE c.group_id = g.id) AS "codes!"
             FROM code_groups g ORDER BY g.created_at DESC, g.id DESC"#
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| {
        let group = Group {
            id: Some(r.id),
            name: r.name,
            description: r.description,
        };
        (group, r.kind, r.codes)
    })
    .collect();
    let campaigns = sqlx::query!(
        r#"SELECT m.id, m.name, m.channel, m.partner_id, m.notes,
                  m.starts_at AS "starts_at: DateTime<Utc>", m.ends_at AS "ends_at: DateTime<Utc>",
                  (SELECT count(*) FROM promo_codes c WHERE c.campaign_id = m.id) AS "codes!"
             FROM campaigns m ORDER BY m.created_at DESC, m.id DESC"#
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| {
        let campaign = Campaign {
            id: Some(r.id),
            name: r.name,
            channel: r.channel,
            partner_id: r.partner_id,
            starts_at: r.starts_at,
            ends_at: r.ends_at,
            notes: r.notes,
        };
        (campaign, r.codes)
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
        let partner = Partner {
            id: Some(r.id),
            name: r.name,
            contact: r.contact,
            payout_per_activation: r.payout_per_activation,
            payout_currency: r.payout_currency,
            notes: r.notes,
        };
        (partner, r.codes)
    })
    .collect();
    Ok(Entries {
        groups,
        campaigns,
        partners,
    })
}

/// What the code form's selects offer.
pub async fn choices(pool: &PgPool) -> Result<Choices> {
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
