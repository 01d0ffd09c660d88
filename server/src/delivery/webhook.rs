//! One webhook attempt, as the Standard Webhooks spec has it: the body
//! `{"type", "timestamp", "data"}`, signed with the endpoint's secret in
//! `webhook-id` (the event's id, the same on every retry), `webhook-timestamp`
//! and `webhook-signature` (`v1,` + base64 HMAC-SHA256 of `id.timestamp.body`).

use std::time::Duration;

use app::core::delivery::{Attempt, Lease};

/// The HTTP client every attempt shares: no redirects (a webhook answers
/// where it was registered), the timeout on the whole request.
pub fn client(timeout: Duration) -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(5)))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("Promocodes-Webhooks/", env!("CARGO_PKG_VERSION")))
        .build()?)
}

/// The message id receivers de-duplicate on.
pub fn message_id(event_id: i64) -> String {
    format!("evt_{event_id}")
}

/// The body of an event's delivery.
pub fn body(lease: &Lease) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "type": lease.topic,
        "timestamp": lease.created_at,
        "data": lease.payload,
    }))
    .unwrap_or_default()
}

/// Sends one attempt: 2xx is delivered, anything else (another status, a
/// timeout, no connection) a failure to retry.
pub async fn send(client: &reqwest::Client, lease: &Lease) -> Attempt {
    let Some(target) = &lease.target else {
        return Attempt::Failed {
            status: None,
            error: "no endpoint".into(),
        };
    };
    let id = message_id(lease.event_id);
    let body = body(lease);
    let timestamp = chrono::Utc::now().timestamp();
    let signature = match standardwebhooks::Webhook::new(&target.secret)
        .and_then(|hook| hook.sign(&id, timestamp, &body))
    {
        Ok(signature) => signature,
        Err(e) => {
            return Attempt::Failed {
                status: None,
                error: format!("signing: {e}"),
            }
        }
    };
    let sent = client
        .post(&target.url)
        .header("content-type", "application/json")
        .header("webhook-id", &id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(body)
        .send()
        .await;
    match sent {
        Ok(response) if response.status().is_success() => Attempt::Delivered {
            status: Some(i32::from(response.status().as_u16())),
        },
        Ok(response) => Attempt::Failed {
            status: Some(i32::from(response.status().as_u16())),
            error: format!("answered {}", response.status()),
        },
        Err(e) => Attempt::Failed {
            status: None,
            error: describe(&e),
        },
    }
}

/// A request error in a line: what failed, without the URL's query.
fn describe(e: &reqwest::Error) -> String {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    let mut cause = String::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        cause = s.to_string();
        source = s.source();
    }
    if cause.is_empty() {
        what.to_owned()
    } else {
        format!("{what}: {cause}")
    }
}
