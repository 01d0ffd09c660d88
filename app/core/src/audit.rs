//! The audit log: every admin change, with who, when, and the row before and
//! after as JSON, written in the same transaction as the change itself.

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
        other => format!("SELECT to_jsonb(t) FROM {} t WHERE t.id = $1", other.table()),
    };
    sqlx::query_scalar::<_, Value>(&sql)
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// Records one change. `before`/`after` are None for a creation/deletion.
pub async fn record(
    conn: &mut PgConnection,
    admin_id: i64,
    action: &str,
    entity: Entity,
    entity_id: Option<i64>,
    before: Option<Value>,
    after: Option<Value>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO audit_log (admin_id, action, entity, entity_id, before, after)
         VALUES ($1, $2, $3, $4, $5, $6)",
        admin_id,
        action,
        entity.as_str(),
        entity_id,
        before,
        after
    )
    .execute(conn)
    .await?;
    Ok(())
}
