//! The audit log: every admin change, with who, when, and the row before and
//! after as JSON, written in the same transaction as the change itself (with
//! the event other modules hear, for a code).

use crate::error::Result;
use serde_json::Value;
use sqlx::PgConnection;

/// The tables an admin changes, and the name the log gives them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entity {
    Code,
    Group,
    Campaign,
    Partner,
    Series,
    Admin,
    /// A block of code input (abuse protection).
    Block,
    /// A webhook endpoint (its secret never in the log).
    Webhook,
    /// An API key (only its prefix is stored in the clear anyway).
    ApiKey,
    /// An action key's reward (keyed by the action, so no id).
    ActionReward,
    /// The referral program (one row, no id).
    ReferralProgram,
    Quest,
    LoyaltyRule,
}

impl Entity {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Code => "code",
            Self::Group => "group",
            Self::Campaign => "campaign",
            Self::Partner => "partner",
            Self::Series => "series",
            Self::Admin => "admin",
            Self::Block => "block",
            Self::Webhook => "webhook",
            Self::ApiKey => "api_key",
            Self::ActionReward => "action_reward",
            Self::ReferralProgram => "referral_program",
            Self::Quest => "quest",
            Self::LoyaltyRule => "loyalty_rule",
        }
    }

    fn table(self) -> &'static str {
        match self {
            Self::Code => "promo_codes",
            Self::Group => "code_groups",
            Self::Campaign => "campaigns",
            Self::Partner => "partners",
            Self::Series => "series_jobs",
            Self::Admin => "admins",
            Self::Block => "input_blocks",
            Self::Webhook => "webhook_endpoints",
            Self::ApiKey => "api_keys",
            Self::ActionReward => "action_rewards",
            Self::ReferralProgram => "referral_program",
            Self::Quest => "quests",
            Self::LoyaltyRule => "loyalty_rules",
        }
    }
}

/// The row as JSON (a code with its texts; an admin without the password
/// hash), or None when it does not exist.
pub async fn snapshot(
    conn: &mut PgConnection,
    entity: Entity,
    id: i64,
) -> Result<Option<Value>, sqlx::Error> {
    let sql = match entity {
        Entity::Code => "SELECT to_jsonb(c) || jsonb_build_object('texts', \
                 (SELECT coalesce(jsonb_object_agg(t.locale, jsonb_build_object('description', t.description, 'secret_message', t.secret_message)), '{}'::jsonb) \
                    FROM promo_code_texts t WHERE t.code_id = c.id)) \
                 FROM promo_codes c WHERE c.id = $1"
            .to_owned(),
        Entity::Admin => "SELECT to_jsonb(a) - 'password_hash' FROM admins a WHERE a.id = $1".to_owned(),
        Entity::ApiKey => "SELECT to_jsonb(k) - 'hash' FROM api_keys k WHERE k.id = $1".to_owned(),
        Entity::Webhook => {
            "SELECT to_jsonb(w) - 'secret' FROM webhook_endpoints w WHERE w.id = $1".to_owned()
        }
        other => format!("SELECT to_jsonb(t) FROM {} t WHERE t.id = $1", other.table()),
    };
    sqlx::query_scalar::<_, Value>(&sql)
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// Who made a change: an admin in the dashboard, or the platform through
/// the API with one of its keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Actor {
    Admin(i64),
    ApiKey(i64),
}

impl Actor {
    pub fn admin_id(self) -> Option<i64> {
        match self {
            Self::Admin(id) => Some(id),
            Self::ApiKey(_) => None,
        }
    }

    pub fn api_key_id(self) -> Option<i64> {
        match self {
            Self::ApiKey(id) => Some(id),
            Self::Admin(_) => None,
        }
    }
}

/// Records one change. `before`/`after` are None for a creation/deletion.
pub async fn record(
    conn: &mut PgConnection,
    actor: Actor,
    action: &str,
    entity: Entity,
    entity_id: Option<i64>,
    before: Option<Value>,
    after: Option<Value>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO audit_log (admin_id, api_key_id, action, entity, entity_id, before, after)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        actor.admin_id(),
        actor.api_key_id(),
        action,
        entity.as_str(),
        entity_id,
        before.as_ref(),
        after.as_ref()
    )
    .execute(&mut *conn)
    .await?;
    // Other modules hear of the change in the same transaction.
    if let (Some(topic), Some(row)) = (
        crate::events::topic_of_change(entity, action),
        after.as_ref().or(before.as_ref()),
    ) {
        crate::events::code_changed(conn, topic, action, actor, row).await?;
    }
    Ok(())
}

/// Entries per page of the audit log.
const PAGE_SIZE: i64 = 30;

/// One page of the log, newest first, optionally of one kind of entity;
/// each entry with the fields that changed.
pub async fn page(
    pool: &sqlx::PgPool,
    page: i64,
    entity: Option<&str>,
) -> Result<model::admin::AuditPage> {
    let page = crate::paging::Page::new(page, PAGE_SIZE);
    let mut rows = sqlx::query!(
        r#"SELECT l.id, l.action, l.entity, l.entity_id, l.before, l.after,
                  l.created_at AS "at: chrono::DateTime<chrono::Utc>", a.username AS "admin?",
                  k.name AS "api_key?"
             FROM audit_log l LEFT JOIN admins a ON a.id = l.admin_id
             LEFT JOIN api_keys k ON k.id = l.api_key_id
            WHERE $1::text IS NULL OR l.entity = $1
            ORDER BY l.id DESC LIMIT $2 OFFSET $3"#,
        entity,
        page.limit(),
        page.offset()
    )
    .fetch_all(pool)
    .await?;
    let has_next = page.cut(&mut rows);
    let lines = rows
        .into_iter()
        .map(|r| model::admin::AuditLine {
            id: r.id,
            at: r.at,
            admin: r.admin,
            api_key: r.api_key,
            action: r.action,
            entity: r.entity,
            entity_id: r.entity_id,
            changes: diff(r.before.as_ref(), r.after.as_ref()),
        })
        .collect();
    Ok(model::admin::AuditPage {
        lines,
        page: page.number,
        has_next,
    })
}

/// The fields that differ between two JSON objects: (field, before, after).
pub fn diff(
    before: Option<&serde_json::Value>,
    after: Option<&serde_json::Value>,
) -> Vec<(String, String, String)> {
    use serde_json::Value;
    let empty = serde_json::Map::new();
    let object = |v: Option<&Value>| match v {
        Some(Value::Object(m)) => m.clone(),
        _ => empty.clone(),
    };
    let (b, a) = (object(before), object(after));
    let show = |v: Option<&Value>| match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| !matches!(k.as_str(), "updated_at" | "normalized"))
        .filter(|k| b.get(*k) != a.get(*k))
        .map(|k| (k.clone(), show(b.get(k)), show(a.get(k))))
        .collect()
}
