//! The dashboard's code server functions: the list, one code, saving (new
//! or changed), enabling, deleting, cloning, and the CSV import. Forms are
//! read into the core's commands by `admin::forms`.

use leptos::prelude::*;
use leptos::server_fn::ServerFnError;

#[cfg(feature = "ssr")]
use super::ssr;
use crate::admin::models::*;
#[cfg(feature = "ssr")]
use crate::core::audit::Actor;

/// Codes per page in the admin list.
pub const ADMIN_PAGE_SIZE: i64 = 25;

#[server(endpoint = "admin/list_codes")]
pub async fn list_codes(#[server(flatten)] filter: CodeFilter) -> Result<CodeList, ServerFnError> {
    use crate::core::{code_list, paging::Page};
    let request = ssr::AdminRequest::load().await?;
    request.reader()?;
    let query = crate::admin::forms::code_query(&filter);
    code_list::list(
        &request.pool,
        &query,
        Page::new(filter.page(), ADMIN_PAGE_SIZE),
    )
    .await
    .map_err(ssr::fail)
}

#[server(endpoint = "admin/code_choices")]
pub async fn code_choices() -> Result<Choices, ServerFnError> {
    let request = ssr::AdminRequest::load().await?;
    request.reader()?;
    crate::core::catalog::choices(&request.pool)
        .await
        .map_err(ssr::fail)
}

#[server(endpoint = "admin/load_code")]
pub async fn load_code(id: i64) -> Result<Option<CodeDetail>, ServerFnError> {
    let request = ssr::AdminRequest::load().await?;
    request.reader()?;
    let stored = crate::core::code_admin::stored(&request.pool, id)
        .await
        .map_err(ssr::fail)?;
    Ok(stored.map(crate::admin::forms::code_detail))
}

/// Creates a code (empty `id`) or changes one.
#[server(endpoint = "admin/save_code")]
pub async fn save_code(#[server(flatten)] form: CodeForm) -> Result<Saved, ServerFnError> {
    use crate::admin::forms;
    use crate::core::{code_admin, Error};
    let request = ssr::AdminRequest::load().await?;
    let admin = request.writer(&form.csrf)?;
    let id = form.id.trim().parse::<i64>().ok();
    let refused = match forms::code_draft(&form).read() {
        Ok((code, texts)) => {
            let saved = match id {
                Some(id) => {
                    code_admin::update(&request.pool, Actor::Admin(admin.id), id, &code, &texts)
                        .await
                        .map(|()| id)
                }
                None => {
                    code_admin::create(&request.pool, Actor::Admin(admin.id), &code, &texts).await
                }
            };
            match saved {
                Ok(id) => {
                    leptos_axum::redirect(&format!("/admin/codes/{id}?saved=1"));
                    return Ok(Saved::Ok(id));
                }
                Err(Error::Invalid(problems)) => forms::code_errors(&problems),
                Err(e) => return Err(ssr::fail(e)),
            }
        }
        Err(problems) => {
            // A name or slug already taken shows with the other problems.
            let mut errors = forms::draft_errors(&problems);
            let slug = Some(form.egg_slug.trim().to_lowercase()).filter(|s| !s.is_empty());
            let taken =
                code_admin::taken(&request.pool, &form.name, slug.as_deref(), id.unwrap_or(0))
                    .await
                    .map_err(ssr::fail)?;
            for error in forms::code_errors(&taken) {
                if !errors.iter().any(|e| e.field == error.field) {
                    errors.push(error);
                }
            }
            errors
        }
    };
    let path = id.map_or("/admin/codes/new".to_owned(), |id| {
        format!("/admin/codes/{id}")
    });
    request.back_with(&path, &form, &refused).await?;
    Ok(Saved::Invalid(refused))
}

#[server(endpoint = "admin/set_code_enabled")]
pub async fn set_code_enabled(csrf: String, id: i64, enabled: bool) -> Result<(), ServerFnError> {
    let request = ssr::AdminRequest::load().await?;
    let admin = request.writer(&csrf)?;
    crate::core::code_admin::set_enabled(&request.pool, Actor::Admin(admin.id), id, enabled)
        .await
        .map_err(ssr::fail)?;
    if request.no_js {
        leptos_axum::redirect(&format!("/admin/codes/{id}"));
    }
    Ok(())
}

/// Deletes a never-activated code; otherwise says why not (a Fluent id).
#[server(endpoint = "admin/delete_code")]
pub async fn delete_code(csrf: String, id: i64) -> Result<Option<String>, ServerFnError> {
    let request = ssr::AdminRequest::load().await?;
    let admin = request.writer(&csrf)?;
    match crate::core::code_admin::delete(&request.pool, Actor::Admin(admin.id), id).await {
        Ok(()) => {
            leptos_axum::redirect("/admin/codes?deleted=1");
            Ok(None)
        }
        Err(crate::core::Error::InUse) => {
            if request.no_js {
                leptos_axum::redirect(&format!(
                    "/admin/codes/{id}?error=admin-error-delete-activated"
                ));
            }
            Ok(Some("admin-error-delete-activated".into()))
        }
        Err(e) => Err(ssr::fail(e)),
    }
}

/// Announces a code to the players it is for (when it starts); otherwise
/// says why not (a Fluent id).
#[server(endpoint = "admin/announce_code")]
pub async fn announce_code(csrf: String, id: i64) -> Result<Option<String>, ServerFnError> {
    let request = ssr::AdminRequest::load().await?;
    let admin = request.writer(&csrf)?;
    let refused = match crate::core::jobs::announce::schedule(
        &request.pool,
        Actor::Admin(admin.id),
        id,
    )
    .await
    {
        Ok(_) => None,
        Err(crate::core::Error::Invalid(_)) => Some("admin-error-announce".to_owned()),
        Err(e) => return Err(ssr::fail(e)),
    };
    if request.no_js {
        let query = refused
            .as_deref()
            .map_or("announced=1".to_owned(), |e| format!("announce_error={e}"));
        leptos_axum::redirect(&format!("/admin/codes/{id}?{query}"));
    }
    Ok(refused)
}

#[server(endpoint = "admin/clone_code")]
pub async fn clone_code(csrf: String, id: i64, name: String) -> Result<Saved, ServerFnError> {
    use crate::core::Error;
    let request = ssr::AdminRequest::load().await?;
    let admin = request.writer(&csrf)?;
    match crate::core::code_admin::clone(&request.pool, Actor::Admin(admin.id), id, &name).await {
        Ok(new_id) => {
            leptos_axum::redirect(&format!("/admin/codes/{new_id}?cloned=1"));
            Ok(Saved::Ok(new_id))
        }
        Err(Error::Invalid(problems)) => {
            let errors = crate::admin::forms::code_errors(&problems);
            if request.no_js {
                let first = errors.first().map_or("", |e| e.message.as_str());
                let query = serde_urlencoded::to_string([
                    ("clone_name", name.as_str()),
                    ("clone_error", first),
                ])
                .unwrap_or_default();
                leptos_axum::redirect(&format!("/admin/codes/{id}?{query}"));
            }
            Ok(Saved::Invalid(errors))
        }
        Err(e) => Err(ssr::fail(e)),
    }
}

/// Imports manual codes from CSV text, all or nothing.
#[server(endpoint = "admin/import_codes")]
pub async fn import_codes(csrf: String, csv: String) -> Result<ImportOutcome, ServerFnError> {
    use crate::core::csv_import::{self, Imported};
    let request = ssr::AdminRequest::load().await?;
    let admin = request.writer(&csrf)?;
    let outcome = match csv_import::import(&request.pool, admin.id, &csv)
        .await
        .map_err(ssr::fail)?
    {
        Imported::Stored(n) => ImportOutcome::Imported(n),
        Imported::Refused(problems) => {
            ImportOutcome::Refused(crate::admin::forms::import_problems(problems))
        }
    };
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
