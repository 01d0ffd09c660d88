//! The dashboard's webhook server functions: endpoints listed, added,
//! turned on or off and deleted, and deliveries sent again.

use leptos::prelude::*;
use leptos::server_fn::ServerFnError;

#[cfg(feature = "ssr")]
use super::ssr;
use crate::admin::models::*;

#[cfg(feature = "ssr")]
const PAGE: &str = "/admin/webhooks";

/// The endpoints and the latest deliveries (`endpoint`: of that one;
/// `state`: `pending`, `delivered` or `dead` only).
#[server(endpoint = "admin/load_webhooks")]
pub async fn load_webhooks(endpoint: String, state: String) -> Result<WebhooksPage, ServerFnError> {
    let request = ssr::AdminRequest::load().await?;
    let admin = request.reader()?;
    let with_secrets = admin.role.can_write();
    let endpoint = endpoint.trim().parse::<i64>().ok();
    let state = Some(state).filter(|s| ["pending", "delivered", "dead"].contains(&s.as_str()));
    let pool = &request.pool;
    let endpoints = crate::core::delivery::endpoints::list(pool, with_secrets)
        .await
        .map_err(ssr::fail)?;
    let deliveries = crate::core::delivery::endpoints::deliveries(pool, endpoint, state.as_deref())
        .await
        .map_err(ssr::fail)?;
    Ok(WebhooksPage {
        endpoints,
        deliveries,
        topics: crate::core::events::Topic::ALL
            .iter()
            .map(|t| t.as_str().to_owned())
            .collect(),
    })
}

/// Registers an endpoint (its secret is made here and shown on the page).
#[server(endpoint = "admin/save_webhook")]
pub async fn save_webhook(#[server(flatten)] form: WebhookForm) -> Result<Saved, ServerFnError> {
    let request = ssr::AdminRequest::load().await?;
    let admin = request.writer(&form.csrf)?;
    let endpoint = crate::core::delivery::endpoints::NewEndpoint {
        url: form.url.clone(),
        description: form.description.clone(),
        topics: form
            .topics
            .split([',', ' ', '\n', '\t'])
            .map(str::to_owned)
            .collect(),
    };
    match crate::core::delivery::endpoints::create(&request.pool, admin.id, endpoint).await {
        Ok((id, _secret)) => {
            leptos_axum::redirect(&format!("{PAGE}?saved={id}"));
            Ok(Saved::Ok(id))
        }
        Err(crate::core::Error::Invalid(problems)) => {
            let errors = crate::admin::forms::webhook_errors(&problems);
            request.back_with(PAGE, &form, &errors).await?;
            Ok(Saved::Invalid(errors))
        }
        Err(e) => Err(ssr::fail(e)),
    }
}

/// Turns an endpoint on or off. Answers whether it exists.
#[server(endpoint = "admin/enable_webhook")]
pub async fn enable_webhook(csrf: String, id: i64, enabled: bool) -> Result<bool, ServerFnError> {
    let request = ssr::AdminRequest::load().await?;
    let admin = request.writer(&csrf)?;
    let done = crate::core::delivery::endpoints::set_enabled(&request.pool, admin.id, id, enabled)
        .await
        .map_err(ssr::fail)?;
    if request.no_js {
        leptos_axum::redirect(PAGE);
    }
    Ok(done)
}

/// Deletes an endpoint and its deliveries. Answers whether it existed.
#[server(endpoint = "admin/delete_webhook")]
pub async fn delete_webhook(csrf: String, id: i64) -> Result<bool, ServerFnError> {
    let request = ssr::AdminRequest::load().await?;
    let admin = request.writer(&csrf)?;
    let done = crate::core::delivery::endpoints::delete(&request.pool, admin.id, id)
        .await
        .map_err(ssr::fail)?;
    if request.no_js {
        leptos_axum::redirect(PAGE);
    }
    Ok(done)
}

/// Sends a delivery again from now. Answers whether it exists.
#[server(endpoint = "admin/redeliver")]
pub async fn redeliver(csrf: String, id: i64) -> Result<bool, ServerFnError> {
    let request = ssr::AdminRequest::load().await?;
    let admin = request.writer(&csrf)?;
    let done = crate::core::delivery::endpoints::redeliver(&request.pool, admin.id, id)
        .await
        .map_err(ssr::fail)?;
    if request.no_js {
        leptos_axum::redirect(&format!("{PAGE}?redelivered={}", u8::from(done)));
    }
    Ok(done)
}
