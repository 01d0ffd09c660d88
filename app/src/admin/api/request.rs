//! What every dashboard server function starts with (server only): the
//! admin session, roles and the CSRF token, refused plain posts kept as
//! drafts in the session, and the one mapping of core errors to answers.

use leptos::prelude::*;
use leptos::server_fn::ServerFnError;
use serde::Serialize;
use sqlx::PgPool;
use tower_sessions::Session;

use crate::admin::models::{FieldError, Role, Saved};
pub use crate::api::ssr::internal;
use crate::core::admins::AdminUser;

pub struct AdminRequest {
    pub pool: PgPool,
    pub session: Session,
    pub admin: Option<(AdminUser, String)>,
    pub no_js: bool,
    /// The request's path: a page's while it renders on the server.
    pub path: String,
}

/// A refused plain post kept for the page it goes back to.
#[derive(Serialize, serde::Deserialize)]
struct Draft {
    path: String,
    query: String,
}

const DRAFT_KEY: &str = "promocodes.admin.draft";

/// Answers with a status (403 for a missing right or token, 404 for nothing there).
pub fn refuse(status: http::StatusCode, why: &str) -> ServerFnError {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(status);
    }
    ServerFnError::new(why)
}

impl AdminRequest {
    pub async fn load() -> Result<Self, ServerFnError> {
        let pool = use_context::<PgPool>()
            .ok_or_else(|| ServerFnError::new("no database pool in context"))?;
        let parts: http::request::Parts = leptos_axum::extract().await?;
        let session = parts
            .extensions
            .get::<Session>()
            .cloned()
            .ok_or_else(|| ServerFnError::new("no session layer"))?;
        let no_js = parts
            .headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"));
        let settings = use_context::<crate::settings::Settings>()
            .ok_or_else(|| ServerFnError::new("no settings in context"))?;
        let admin = crate::admin::session::current(&pool, &session, settings.admin_idle)
            .await
            .map_err(internal)?;
        Ok(Self {
            pool,
            session,
            admin,
            no_js,
            path: parts.uri.path().to_owned(),
        })
    }

    /// Any signed-in admin (viewers included).
    pub fn reader(&self) -> Result<&AdminUser, ServerFnError> {
        match &self.admin {
            Some((admin, _)) => Ok(admin),
            None => Err(refuse(http::StatusCode::UNAUTHORIZED, "sign in required")),
        }
    }

    /// An admin with the right to change things, who sent this session's CSRF token.
    pub fn writer(&self, csrf: &str) -> Result<&AdminUser, ServerFnError> {
        let Some((admin, token)) = &self.admin else {
            return Err(refuse(http::StatusCode::UNAUTHORIZED, "sign in required"));
        };
        if !crate::admin::session::csrf_matches(token, csrf) {
            tracing::warn!(admin = admin.id, "CSRF token mismatch");
            return Err(refuse(http::StatusCode::FORBIDDEN, "csrf"));
        }
        if admin.role != Role::Admin {
            return Err(refuse(http::StatusCode::FORBIDDEN, "forbidden"));
        }
        Ok(admin)
    }

    /// After a refused plain post: back to the form, which shows what
    /// was typed and why. Both are kept in the session for that page, not
    /// put in the address: a form may hold secret messages, and addresses
    /// end up in logs and browser history.
    pub async fn back_with<T: Serialize>(
        &self,
        path: &str,
        form: &T,
        errors: &[FieldError],
    ) -> Result<(), ServerFnError> {
        let query = serde_urlencoded::to_string(form).unwrap_or_default();
        let errors: Vec<String> = errors
            .iter()
            .map(|e| format!("{}:{}", e.field, e.message))
            .collect();
        let extra = serde_urlencoded::to_string([("errors", errors.join(","))]).unwrap_or_default();
        let query = query
            .split('&')
            .filter(|pair| !pair.starts_with("csrf="))
            .chain([extra.as_str()])
            .collect::<Vec<_>>()
            .join("&");
        self.back_with_query(path, query).await
    }

    /// The end of a server function that saves a form: `Saved::Ok(id)` (a
    /// plain post goes on to `page?saved=1`), or the form's errors (a plain
    /// post goes back to `page` with the form as typed).
    pub async fn saved_or_back<T: Serialize>(
        &self,
        page: &str,
        form: &T,
        outcome: Result<i64, Vec<FieldError>>,
    ) -> Result<Saved, ServerFnError> {
        match outcome {
            Ok(id) => {
                if self.no_js {
                    leptos_axum::redirect(&format!("{page}?saved=1"));
                }
                Ok(Saved::Ok(id))
            }
            Err(errors) => {
                self.back_with(page, form, &errors).await?;
                Ok(Saved::Invalid(errors))
            }
        }
    }

    /// `back_with` for an outcome already shaped as a query string.
    pub async fn back_with_query(&self, path: &str, query: String) -> Result<(), ServerFnError> {
        if self.no_js {
            let draft = Draft {
                path: path.to_owned(),
                query,
            };
            self.session
                .insert(DRAFT_KEY, &draft)
                .await
                .map_err(internal)?;
            leptos_axum::redirect(&format!("{path}?refused=1"));
        }
        Ok(())
    }

    /// The draft kept for the page being rendered, taken out of the
    /// session (it is shown once).
    pub async fn take_draft(&self) -> Result<Option<String>, ServerFnError> {
        let Some(draft) = self
            .session
            .get::<Draft>(DRAFT_KEY)
            .await
            .map_err(internal)?
        else {
            return Ok(None);
        };
        if draft.path != self.path {
            return Ok(None);
        }
        self.session
            .remove::<Draft>(DRAFT_KEY)
            .await
            .map_err(internal)?;
        Ok(Some(draft.query))
    }
}

/// The one place a core error becomes a server function's answer: nothing
/// there is 404, anything else is logged and shown as a generic failure.
/// (`Invalid` is no failure: each function turns it into field errors.)
pub fn fail(error: crate::core::Error) -> ServerFnError {
    match error {
        crate::core::Error::NotFound => refuse(http::StatusCode::NOT_FOUND, "not found"),
        other => internal(other),
    }
}
