//! The dashboard's series server functions: starting one (its job runs in
//! the background), following jobs, cancelling one.

use leptos::prelude::*;
use leptos::server_fn::ServerFnError;

#[cfg(feature = "ssr")]
use super::ssr;
use crate::admin::models::*;

/// Starts generating a series in the background; the id is the job's.
#[server(endpoint = "admin/start_series")]
pub async fn start_series(#[server(flatten)] form: SeriesForm) -> Result<Saved, ServerFnError> {
    use crate::admin::forms;
    use crate::core::{audit::Actor, series, Error};
    let request = ssr::AdminRequest::load().await?;
    let admin = request.writer(&form.csrf)?;
    let errors = match forms::series_spec(&form) {
        Err(errors) => errors,
        Ok(spec) => match series::start(&request.pool, Some(Actor::Admin(admin.id)), &spec).await {
            Ok(job_id) => {
                series::run_in_background(request.pool.clone(), job_id);
                leptos_axum::redirect(&format!("/admin/series/{job_id}"));
                return Ok(Saved::Ok(job_id));
            }
            Err(Error::Invalid(problems)) => forms::series_errors(&form, &problems),
            Err(e) => return Err(ssr::fail(e)),
        },
    };
    request.back_with("/admin/series", &form, &errors).await?;
    Ok(Saved::Invalid(errors))
}

/// Recent series jobs, or one.
#[server(endpoint = "admin/series_jobs")]
pub async fn series_jobs(id: Option<i64>) -> Result<Vec<SeriesJob>, ServerFnError> {
    let request = ssr::AdminRequest::load().await?;
    request.reader()?;
    crate::core::series::jobs(&request.pool, id)
        .await
        .map_err(ssr::fail)
}

#[server(endpoint = "admin/cancel_series")]
pub async fn cancel_series(csrf: String, id: i64) -> Result<(), ServerFnError> {
    let request = ssr::AdminRequest::load().await?;
    let admin = request.writer(&csrf)?;
    crate::core::series::cancel(&request.pool, admin.id, id)
        .await
        .map_err(ssr::fail)?;
    if request.no_js {
        leptos_axum::redirect(&format!("/admin/series/{id}"));
    }
    Ok(())
}
