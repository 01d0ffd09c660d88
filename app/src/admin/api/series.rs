//! The dashboard's series server functions: starting one (its job runs in
//! the background), following jobs, cancelling one, its printable sheet.

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

/// A page of the series' printable sheet: each code with its prefilled
/// redeem link and that link's QR code (None: no such series).
#[server(endpoint = "admin/series_sheet")]
pub async fn series_sheet(id: i64, page: i64) -> Result<Option<SheetPage>, ServerFnError> {
    let request = ssr::AdminRequest::load().await?;
    request.reader()?;
    let Some((name, codes, has_next)) =
        crate::core::series::sheet(&request.pool, id, page, SHEET_CARDS)
            .await
            .map_err(ssr::fail)?
    else {
        return Ok(None);
    };
    let base = use_context::<crate::settings::Settings>()
        .map(|s| s.public_url.clone())
        .unwrap_or_default();
    let cards = codes
        .into_iter()
        .map(|c| {
            let link = format!(
                "{base}/redeem?{}",
                serde_urlencoded::to_string([("code", c.name.as_str())]).unwrap_or_default()
            );
            SheetCard {
                qr_svg: qr_svg(&link),
                code: c.name,
                reward: c.reward,
                currency: c.currency,
                ends_at: c.ends_at,
                link,
            }
        })
        .collect();
    Ok(Some(SheetPage {
        series_id: id,
        name,
        cards,
        page: model::page_number(page),
        has_next,
    }))
}

/// The link as a QR code in SVG (empty if it cannot be one: links are far
/// below a QR code's capacity).
#[cfg(feature = "ssr")]
fn qr_svg(link: &str) -> String {
    use qrcode::render::svg;
    qrcode::QrCode::with_error_correction_level(link.as_bytes(), qrcode::EcLevel::M)
        .map(|code| {
            code.render::<svg::Color>()
                .min_dimensions(132, 132)
                .quiet_zone(true)
                .build()
        })
        // Inline in HTML: the <svg> element without the XML declaration.
        .map(|svg| {
            svg.find("<svg")
                .map(|at| svg[at..].to_owned())
                .unwrap_or_default()
        })
        .unwrap_or_default()
}
