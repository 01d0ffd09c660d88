//! The dashboard's server functions. Each one checks the admin session on the
//! server (reading needs any role, changing needs `admin`), and every
//! state-changing one checks the session's CSRF token. A plain form post
//! (no JavaScript) is answered with a redirect that carries the outcome.

use leptos::prelude::*;
use leptos::server_fn::ServerFnError;

use super::models::*;
use crate::models::FormError;

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use leptos::prelude::*;
    use leptos::server_fn::ServerFnError;
    use serde::Serialize;
    use sqlx::PgPool;
    use tower_sessions::Session;

    use crate::admin::models::{FieldError, Role};
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
            let extra =
                serde_urlencoded::to_string([("errors", errors.join(","))]).unwrap_or_default();
            let query = query
                .split('&')
                .filter(|pair| !pair.starts_with("csrf="))
                .chain([extra.as_str()])
                .collect::<Vec<_>>()
                .join("&");
            self.back_with_query(path, query).await
        }

        /// `back_with` for an outcome already shaped as a query string.
        pub async fn back_with_query(
            &self,
            path: &str,
            query: String,
        ) -> Result<(), ServerFnError> {
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
}

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
    use crate::core::admins::{self, AdminSignIn};
    let request = ssr::AdminRequest::load().await?;
    let next = crate::navigation::safe_admin_next(&next).to_owned();
    let policy = use_context::<crate::core::abuse::Guard>()
        .ok_or_else(|| ServerFnError::new("no abuse guard in context"))?
        .policy()
        .sign_in
        .clone();
    let error = match admins::authenticate(&request.pool, &policy, &username, &password)
        .await
        .map_err(ssr::internal)?
    {
        AdminSignIn::SignedIn(admin) => {
            crate::admin::session::sign_in_session(&request.session, &admin)
                .await
                .map_err(ssr::internal)?;
            leptos_axum::redirect(&next);
            return Ok(None);
        }
        AdminSignIn::Wrong => FormError::new("admin-signin-error"),
        AdminSignIn::Wait(until) => FormError::wait(
            "admin-signin-error-wait",
            crate::core::sign_in_limit::seconds_until(until),
        ),
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

#[server(endpoint = "admin/dashboard")]
pub async fn load_dashboard() -> Result<DashboardStats, ServerFnError> {
    let request = ssr::AdminRequest::load().await?;
    request.reader()?;
    crate::core::admin_views::dashboard(&request.pool)
        .await
        .map_err(ssr::internal)
}

/// Blocks of code input in force, and with `recent` those of the last day.
#[server(endpoint = "admin/blocks")]
pub async fn list_blocks(recent: bool) -> Result<Vec<BlockLine>, ServerFnError> {
    let request = ssr::AdminRequest::load().await?;
    request.reader()?;
    crate::core::abuse::list_blocks(&request.pool, recent)
        .await
        .map_err(ssr::internal)
}

/// Lifts a block (audited, and every instance hears of it). Lifting one that
/// has already ended changes nothing.
#[server(endpoint = "admin/lift_block")]
pub async fn lift_block(csrf: String, id: i64) -> Result<bool, ServerFnError> {
    let request = ssr::AdminRequest::load().await?;
    let admin = request.writer(&csrf)?;
    let lifted = crate::core::abuse::lift_block(&request.pool, admin.id, id)
        .await
        .map_err(ssr::internal)?;
    if request.no_js {
        leptos_axum::redirect(&format!("/admin/blocks?lifted={}", u8::from(lifted)));
    }
    Ok(lifted)
}

/// Codes per page in the admin list.
pub const ADMIN_PAGE_SIZE: i64 = 25;

#[server(endpoint = "admin/list_codes")]
pub async fn list_codes(#[server(flatten)] filter: CodeFilter) -> Result<CodeList, ServerFnError> {
    let request = ssr::AdminRequest::load().await?;
    request.reader()?;
    crate::core::manage::list(&request.pool, &filter, ADMIN_PAGE_SIZE)
        .await
        .map_err(ssr::internal)
}

#[server(endpoint = "admin/code_choices")]
pub async fn code_choices() -> Result<Choices, ServerFnError> {
    let request = ssr::AdminRequest::load().await?;
    request.reader()?;
    crate::core::catalog::choices(&request.pool)
        .await
        .map_err(ssr::internal)
}

#[server(endpoint = "admin/load_code")]
pub async fn load_code(id: i64) -> Result<Option<CodeDetail>, ServerFnError> {
    let request = ssr::AdminRequest::load().await?;
    request.reader()?;
    crate::core::manage::load_form(&request.pool, id)
        .await
        .map_err(ssr::internal)
}

/// Creates a code (empty `id`) or changes one.
#[server(endpoint = "admin/save_code")]
pub async fn save_code(#[server(flatten)] form: CodeForm) -> Result<Saved, ServerFnError> {
    use crate::core::manage::{self, ManageError};
    let request = ssr::AdminRequest::load().await?;
    let admin = request.writer(&form.csrf)?;
    let id = form.id.trim().parse::<i64>().ok();
    let result = match id {
        Some(id) => manage::update(&request.pool, admin.id, id, &form)
            .await
            .map(|()| id),
        None => manage::create(&request.pool, admin.id, &form).await,
    };
    match result {
        Ok(id) => {
            leptos_axum::redirect(&format!("/admin/codes/{id}?saved=1"));
            Ok(Saved::Ok(id))
        }
        Err(ManageError::Invalid(errors)) => {
            let path = id.map_or("/admin/codes/new".to_owned(), |id| {
                format!("/admin/codes/{id}")
            });
            request.back_with(&path, &form, &errors).await?;
            Ok(Saved::Invalid(errors))
        }
        Err(ManageError::NotFound) => Err(ssr::refuse(http::StatusCode::NOT_FOUND, "not found")),
        Err(ManageError::Database(e)) => Err(ssr::internal(e)),
    }
}

#[server(endpoint = "admin/set_code_enabled")]
pub async fn set_code_enabled(csrf: String, id: i64, enabled: bool) -> Result<(), ServerFnError> {
    use crate::core::manage::{self, ManageError};
    let request = ssr::AdminRequest::load().await?;
    let admin = request.writer(&csrf)?;
    match manage::set_enabled(&request.pool, admin.id, id, enabled).await {
        Ok(()) => {
            if request.no_js {
                leptos_axum::redirect(&format!("/admin/codes/{id}"));
            }
            Ok(())
        }
        Err(ManageError::NotFound) => Err(ssr::refuse(http::StatusCode::NOT_FOUND, "not found")),
        Err(e) => Err(ssr::internal(e)),
    }
}

/// Deletes a never-activated code; otherwise says why not (a Fluent id).
#[server(endpoint = "admin/delete_code")]
pub async fn delete_code(csrf: String, id: i64) -> Result<Option<String>, ServerFnError> {
    use crate::core::manage::{self, DeleteError};
    let request = ssr::AdminRequest::load().await?;
    let admin = request.writer(&csrf)?;
    match manage::delete(&request.pool, admin.id, id).await {
        Ok(()) => {
            leptos_axum::redirect("/admin/codes?deleted=1");
            Ok(None)
        }
        Err(DeleteError::Activated) => {
            if request.no_js {
                leptos_axum::redirect(&format!(
                    "/admin/codes/{id}?error=admin-error-delete-activated"
                ));
            }
            Ok(Some("admin-error-delete-activated".into()))
        }
        Err(DeleteError::NotFound) => Err(ssr::refuse(http::StatusCode::NOT_FOUND, "not found")),
        Err(DeleteError::Database(e)) => Err(ssr::internal(e)),
    }
}

#[server(endpoint = "admin/clone_code")]
pub async fn clone_code(csrf: String, id: i64, name: String) -> Result<Saved, ServerFnError> {
    use crate::core::manage::{self, ManageError};
    let request = ssr::AdminRequest::load().await?;
    let admin = request.writer(&csrf)?;
    match manage::clone(&request.pool, admin.id, id, &name).await {
        Ok(new_id) => {
            leptos_axum::redirect(&format!("/admin/codes/{new_id}?cloned=1"));
            Ok(Saved::Ok(new_id))
        }
        Err(ManageError::Invalid(errors)) => {
            if request.no_js {
                let query = serde_urlencoded::to_string([
                    ("clone_name", name.as_str()),
                    (
                        "clone_error",
                        errors.first().map_or("", |e| e.message.as_str()),
                    ),
                ])
                .unwrap_or_default();
                leptos_axum::redirect(&format!("/admin/codes/{id}?{query}"));
            }
            Ok(Saved::Invalid(errors))
        }
        Err(ManageError::NotFound) => Err(ssr::refuse(http::StatusCode::NOT_FOUND, "not found")),
        Err(ManageError::Database(e)) => Err(ssr::internal(e)),
    }
}

/// Starts generating a series in the background; the id is the job's.
#[server(endpoint = "admin/start_series")]
pub async fn start_series(#[server(flatten)] form: SeriesForm) -> Result<Saved, ServerFnError> {
    use crate::core::series::{self, SeriesError};
    let request = ssr::AdminRequest::load().await?;
    let admin = request.writer(&form.csrf)?;
    match series::start(&request.pool, Some(admin.id), &form).await {
        Ok(job_id) => {
            let pool = request.pool.clone();
            tokio::spawn(async move {
                if let Err(e) = series::run(&pool, job_id).await {
                    tracing::error!(job_id, error = %e, "series job could not record its end");
                }
            });
            leptos_axum::redirect(&format!("/admin/series/{job_id}"));
            Ok(Saved::Ok(job_id))
        }
        Err(SeriesError::Invalid(errors)) => {
            request.back_with("/admin/series", &form, &errors).await?;
            Ok(Saved::Invalid(errors))
        }
        Err(SeriesError::Database(e)) => Err(ssr::internal(e)),
    }
}

/// Recent series jobs, or one.
#[server(endpoint = "admin/series_jobs")]
pub async fn series_jobs(id: Option<i64>) -> Result<Vec<SeriesJob>, ServerFnError> {
    let request = ssr::AdminRequest::load().await?;
    request.reader()?;
    crate::core::series::jobs(&request.pool, id)
        .await
        .map_err(ssr::internal)
}

#[server(endpoint = "admin/cancel_series")]
pub async fn cancel_series(csrf: String, id: i64) -> Result<(), ServerFnError> {
    let request = ssr::AdminRequest::load().await?;
    let admin = request.writer(&csrf)?;
    crate::core::series::cancel(&request.pool, admin.id, id)
        .await
        .map_err(ssr::internal)?;
    if request.no_js {
        leptos_axum::redirect(&format!("/admin/series/{id}"));
    }
    Ok(())
}

#[server(endpoint = "admin/load_catalog")]
pub async fn load_catalog() -> Result<Catalog, ServerFnError> {
    let request = ssr::AdminRequest::load().await?;
    request.reader()?;
    crate::core::catalog::catalog(&request.pool)
        .await
        .map_err(ssr::internal)
}

#[cfg(feature = "ssr")]
async fn catalog_result<T: serde::Serialize>(
    request: &ssr::AdminRequest,
    path: &str,
    form: &T,
    result: Result<i64, crate::core::catalog::CatalogError>,
) -> Result<Saved, ServerFnError> {
    use crate::core::catalog::CatalogError;
    match result {
        Ok(id) => {
            leptos_axum::redirect(&format!("{path}?saved={id}"));
            Ok(Saved::Ok(id))
        }
        Err(CatalogError::Invalid(errors)) => {
            request.back_with(path, form, &errors).await?;
            Ok(Saved::Invalid(errors))
        }
        Err(CatalogError::NotFound) => Err(ssr::refuse(http::StatusCode::NOT_FOUND, "not found")),
        Err(CatalogError::Database(e)) => Err(ssr::internal(e)),
    }
}

#[server(endpoint = "admin/save_group")]
pub async fn save_group(#[server(flatten)] form: GroupForm) -> Result<Saved, ServerFnError> {
    let request = ssr::AdminRequest::load().await?;
    let admin = request.writer(&form.csrf)?;
    let result = crate::core::catalog::save_group(&request.pool, admin.id, &form).await;
    catalog_result(&request, "/admin/groups", &form, result).await
}

#[server(endpoint = "admin/save_campaign")]
pub async fn save_campaign(#[server(flatten)] form: CampaignForm) -> Result<Saved, ServerFnError> {
    let request = ssr::AdminRequest::load().await?;
    let admin = request.writer(&form.csrf)?;
    let result = crate::core::catalog::save_campaign(&request.pool, admin.id, &form).await;
    catalog_result(&request, "/admin/campaigns", &form, result).await
}

#[server(endpoint = "admin/save_partner")]
pub async fn save_partner(#[server(flatten)] form: PartnerForm) -> Result<Saved, ServerFnError> {
    let request = ssr::AdminRequest::load().await?;
    let admin = request.writer(&form.csrf)?;
    let result = crate::core::catalog::save_partner(&request.pool, admin.id, &form).await;
    catalog_result(&request, "/admin/partners", &form, result).await
}

/// Imports manual codes from CSV text, all or nothing.
#[server(endpoint = "admin/import_codes")]
pub async fn import_codes(csrf: String, csv: String) -> Result<ImportOutcome, ServerFnError> {
    let request = ssr::AdminRequest::load().await?;
    let admin = request.writer(&csrf)?;
    let outcome = crate::core::csv_io::import(&request.pool, admin.id, &csv)
        .await
        .map_err(ssr::internal)?;
    match &outcome {
        ImportOutcome::Imported(n) => {
            if request.no_js {
                leptos_axum::redirect(&format!("/admin/import?imported={n}"));
            }
        }
        ImportOutcome::Refused(errors) => {
            // The first lines' errors, enough to fix them; kept in the session
            // like any refused form (the values may be secret messages).
            let list: Vec<String> = errors
                .iter()
                .take(50)
                .map(|(line, id, value)| format!("{line}|{id}|{value}"))
                .collect();
            let query =
                serde_urlencoded::to_string([("lines", list.join("\n"))]).unwrap_or_default();
            request.back_with_query("/admin/import", query).await?;
        }
    }
    Ok(outcome)
}

#[server(endpoint = "admin/audit_log")]
pub async fn audit_log(page: i64, entity: String) -> Result<AuditPage, ServerFnError> {
    let request = ssr::AdminRequest::load().await?;
    request.reader()?;
    let entity = Some(entity).filter(|e| !e.is_empty());
    crate::core::audit::page(&request.pool, page, entity.as_deref())
        .await
        .map_err(ssr::internal)
}
