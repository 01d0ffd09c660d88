//! The dashboard's server functions. Each checks the admin session on the
//! server (reading needs any role, changing needs `admin`), every
//! state-changing one checks the session's CSRF token, and each calls one
//! core function. A plain form post (no JavaScript) is answered with a
//! redirect that carries the outcome.

use leptos::prelude::*;
use leptos::server_fn::ServerFnError;

use super::models::*;
use crate::models::FormError;

mod actions;
mod catalog;
mod codes;
mod growth;
mod keys;
mod reports;
mod series;
mod stats;
mod webhooks;

pub use actions::*;
pub use catalog::*;
pub use codes::*;
pub use growth::*;
pub use keys::*;
pub use reports::*;
pub use series::*;
pub use stats::*;
pub use webhooks::*;

#[cfg(feature = "ssr")]
#[path = "request.rs"]
pub(crate) mod ssr;

/// The signed-in admin, for the dashboard's header and forms.
#[server(endpoint = "admin/whoami")]
pub async fn admin_whoami() -> Result<Option<AdminMe>, ServerFnError> {
    let request = ssr::AdminRequest::load().await?;
    let draft = match &request.admin {
        Some(_) => request.take_draft().await?,
        None => None,
    };
    Ok(request.admin.map(|(admin, csrf)| AdminMe {
        username: admin.username,
        role: admin.role,
        csrf,
        draft,
    }))
}

#[server(endpoint = "admin/admin_sign_in")]
pub async fn admin_sign_in(
    username: String,
    password: String,
    next: String,
) -> Result<Option<FormError>, ServerFnError> {
    use crate::core::{admins, Error};
    let request = ssr::AdminRequest::load().await?;
    let next = crate::navigation::safe_admin_next(&next).to_owned();
    let policy = use_context::<crate::core::abuse::Guard>()
        .ok_or_else(|| ServerFnError::new("no abuse guard in context"))?
        .policy()
        .sign_in
        .clone();
    let error = match admins::authenticate(&request.pool, &policy, &username, &password).await {
        Ok(admin) => {
            crate::admin::session::sign_in_session(&request.session, &admin)
                .await
                .map_err(ssr::internal)?;
            leptos_axum::redirect(&next);
            return Ok(None);
        }
        Err(Error::WrongCredentials) => FormError::new("admin-signin-error"),
        Err(Error::SignInWait { until }) => FormError::wait(
            "admin-signin-error-wait",
            crate::core::sign_in_limit::seconds_until(until),
        ),
        Err(e) => return Err(ssr::fail(e)),
    };
    if request.no_js {
        let query = error.to_query(&[("next", &next)]);
        leptos_axum::redirect(&format!("/admin/signin?{query}"));
    }
    Ok(Some(error))
}

#[server(endpoint = "admin/admin_sign_out")]
pub async fn admin_sign_out(csrf: String) -> Result<(), ServerFnError> {
    let request = ssr::AdminRequest::load().await?;
    if let Some((_, token)) = &request.admin {
        if !crate::admin::session::csrf_matches(token, &csrf) {
            return Err(ssr::refuse(http::StatusCode::FORBIDDEN, "csrf"));
        }
        crate::admin::session::sign_out_session(&request.session)
            .await
            .map_err(ssr::internal)?;
    }
    leptos_axum::redirect("/admin/signin");
    Ok(())
}
