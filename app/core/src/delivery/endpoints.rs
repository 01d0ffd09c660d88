//! Webhook endpoints as admins register them (address, topics, the signing
//! secret made here), and the dashboard's view of deliveries with its
//! redeliver. Every change is audited, without the secret.

use base64::Engine;
use chrono::{DateTime, Utc};
use model::admin::{DeliveryLine, EndpointLine};
use rand::RngCore;
use sqlx::PgPool;

use crate::audit::{self, Entity};
use crate::error::{Error, Problem, Result};
use crate::events::Topic;

/// An endpoint as an admin asks for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewEndpoint {
    pub url: String,
    pub description: String,
    /// Empty: every topic.
    pub topics: Vec<String>,
}

/// A new signing secret: 32 random bytes, as Standard Webhooks writes them.
pub fn new_secret() -> String {
    let mut key = [0u8; 32];
    rand::rng().fill_bytes(&mut key);
    format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(key)
    )
}

/// An http(s) address with a host and nothing a header or a log could
/// trip on.
fn valid_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    let Some(rest) = rest else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    url.len() <= 2000
        && !host.is_empty()
        && !host.starts_with(':')
        && !host.contains('@')
        && url.chars().all(|c| c.is_ascii_graphic())
}

impl NewEndpoint {
    /// The endpoint, checked: every problem at once.
    pub fn checked(self) -> Result<Self> {
        let mut problems = Vec::new();
        let url = self.url.trim().to_owned();
        if !valid_url(&url) {
            problems.push(Problem::WebhookUrl);
        }
        let description = self.description.trim().to_owned();
        if description.chars().count() > 200 {
            problems.push(Problem::DescriptionTooLong);
        }
        if description.chars().any(char::is_control) {
            problems.push(Problem::NameChars);
        }
        let mut topics: Vec<String> = self
            .topics
            .into_iter()
            .map(|t| t.trim().to_owned())
            .collect();
        topics.retain(|t| !t.is_empty());
        topics.sort();
        topics.dedup();
        if topics.iter().any(|t| Topic::parse(t).is_none()) {
            problems.push(Problem::UnknownTopic);
        }
        if problems.is_empty() {
            Ok(Self {
                url,
                description,
                topics,
            })
        } else {
            Err(Error::Invalid(problems))
        }
    }
}

/// Registers an endpoint; answers its id and its secret (shown once).
pub async fn create(pool: &PgPool, admin_id: i64, endpoint: NewEndpoint) -> Result<(i64, String)> {
    let endpoint = endpoint.checked()?;
    let secret = new_secret();
    let mut tx = pool.begin().await?;
    let id = sqlx::query_scalar!(
        "INSERT INTO webhook_endpoints (url, description, topics, secret, created_by)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
        endpoint.url,
        endpoint.description,
        &endpoint.topics,
        secret,
        admin_id
    )
    .fetch_one(&mut *tx)
    .await?;
    let after = audit::snapshot(&mut tx, Entity::Webhook, id).await?;
    audit::record(
        &mut tx,
        audit::Actor::Admin(admin_id),
        "create",
        Entity::Webhook,
        Some(id),
        None,
        after,
    )
    .await?;
    tx.commit().await?;
    Ok((id, secret))
}

/// Turns an endpoint on or off (off: new events are not sent to it; what
/// is pending still is). Answers whether it exists.
pub async fn set_enabled(pool: &PgPool, admin_id: i64, id: i64, enabled: bool) -> Result<bool> {
    let mut tx = pool.begin().await?;
    let before = audit::snapshot(&mut tx, Entity::Webhook, id).await?;
    if before.is_none() {
        return Ok(false);
    }
    sqlx::query!(
        "UPDATE webhook_endpoints SET enabled = $2, updated_at = now() WHERE id = $1",
        id,
        enabled
    )
    .execute(&mut *tx)
    .await?;
    let after = audit::snapshot(&mut tx, Entity::Webhook, id).await?;
    let action = if enabled { "enable" } else { "disable" };
    audit::record(
        &mut tx,
        audit::Actor::Admin(admin_id),
        action,
        Entity::Webhook,
        Some(id),
        before,
        after,
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Deletes an endpoint with its deliveries. Answers whether it existed.
pub async fn delete(pool: &PgPool, admin_id: i64, id: i64) -> Result<bool> {
    let mut tx = pool.begin().await?;
    let before = audit::snapshot(&mut tx, Entity::Webhook, id).await?;
    if before.is_none() {
        return Ok(false);
    }
    sqlx::query!("DELETE FROM webhook_endpoints WHERE id = $1", id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        audit::Actor::Admin(admin_id),
        "delete",
        Entity::Webhook,
        Some(id),
        before,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Every endpoint, with its deliveries counted by state; with its secret
/// when `with_secrets` (an admin who may change things).
pub async fn list(pool: &PgPool, with_secrets: bool) -> Result<Vec<EndpointLine>> {
    Ok(sqlx::query_as!(
        EndpointLine,
        r#"
        SELECT e.id, e.url, e.description, e.topics, e.enabled,
               e.created_at AS "created_at: DateTime<Utc>",
               count(*) FILTER (WHERE d.state = 'pending') AS "pending!",
               count(*) FILTER (WHERE d.state = 'delivered') AS "delivered!",
               count(*) FILTER (WHERE d.state = 'dead') AS "dead!",
               CASE WHEN $1 THEN e.secret END AS secret
          FROM webhook_endpoints e
          LEFT JOIN event_deliveries d ON d.endpoint_id = e.id
         GROUP BY e.id
         ORDER BY e.id
        "#,
        with_secrets
    )
    .fetch_all(pool)
    .await?)
}

/// The latest deliveries (100), of one endpoint or of every destination,
/// optionally in one state.
pub async fn deliveries(
    pool: &PgPool,
    endpoint_id: Option<i64>,
    state: Option<&str>,
) -> Result<Vec<DeliveryLine>> {
    Ok(sqlx::query_as!(
        DeliveryLine,
        r#"
        SELECT d.id, d.event_id, o.topic, d.sink, e.url AS "url?", d.state, d.attempts,
               d.next_attempt_at AS "next_attempt_at: DateTime<Utc>", d.last_status, d.last_error,
               d.delivered_at AS "delivered_at: DateTime<Utc>", d.created_at AS "created_at: DateTime<Utc>"
          FROM event_deliveries d
          JOIN outbox_events o ON o.id = d.event_id
          LEFT JOIN webhook_endpoints e ON e.id = d.endpoint_id
         WHERE ($1::bigint IS NULL OR d.endpoint_id = $1)
           AND ($2::text IS NULL OR d.state = $2)
         ORDER BY d.id DESC
         LIMIT 100
        "#,
        endpoint_id,
        state
    )
    .fetch_all(pool)
    .await?)
}

/// Sends a delivery again from now on (a dead one gets a new retry period;
/// a delivered one is sent once more, under the same `webhook-id`, which a
/// receiver that de-duplicates drops). Answers whether it exists.
pub async fn redeliver(pool: &PgPool, admin_id: i64, delivery_id: i64) -> Result<bool> {
    let mut tx = pool.begin().await?;
    let endpoint = sqlx::query_scalar!(
        "UPDATE event_deliveries
            SET state = 'pending', delivered_at = NULL, next_attempt_at = now(),
                retry_from = now(), leased_until = NULL
          WHERE id = $1
        RETURNING endpoint_id",
        delivery_id
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(endpoint) = endpoint else {
        return Ok(false);
    };
    audit::record(
        &mut tx,
        audit::Actor::Admin(admin_id),
        "redeliver",
        Entity::Webhook,
        endpoint,
        None,
        Some(serde_json::json!({ "delivery_id": delivery_id })),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_need_a_scheme_and_a_host_and_nothing_odd() {
        assert!(valid_url("https://hooks.example.com/promo"));
        assert!(valid_url("http://127.0.0.1:8080/hook?x=1"));
        for bad in [
            "",
            "ftp://example.com",
            "https://",
            "https:///path",
            "https://user@evil.example/",
            "https://example.com/a b",
            "https://example.com/\r\nX-Injected: 1",
            "javascript:alert(1)",
        ] {
            assert!(!valid_url(bad), "{bad:?}");
        }
    }

    #[test]
    fn an_endpoint_names_every_problem_and_keeps_known_topics_once() {
        let checked = NewEndpoint {
            url: " https://example.com/h ".into(),
            description: "CRM".into(),
            topics: vec![
                "promo.activated".into(),
                "promo.activated".into(),
                " ".into(),
            ],
        }
        .checked()
        .unwrap();
        assert_eq!(checked.url, "https://example.com/h");
        assert_eq!(checked.topics, vec!["promo.activated".to_owned()]);
        let Err(Error::Invalid(problems)) = (NewEndpoint {
            url: "nope".into(),
            description: String::new(),
            topics: vec!["promo.everything".into()],
        })
        .checked() else {
            panic!("accepted");
        };
        assert_eq!(problems, vec![Problem::WebhookUrl, Problem::UnknownTopic]);
    }

    #[test]
    fn secrets_are_standard_webhooks_secrets() {
        let secret = new_secret();
        let key = secret.strip_prefix("whsec_").unwrap();
        assert_eq!(
            base64::engine::general_purpose::STANDARD
                .decode(key)
                .unwrap()
                .len(),
            32
        );
        assert_ne!(secret, new_secret());
    }
}
