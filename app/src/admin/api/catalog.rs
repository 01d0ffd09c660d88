//! The dashboard's catalog server functions: groups, campaigns and partners,
//! listed and saved.

use leptos::prelude::*;
use leptos::server_fn::ServerFnError;

#[cfg(feature = "ssr")]
use super::ssr;
use crate::admin::models::*;

#[server(endpoint = "admin/load_catalog")]
pub async fn load_catalog() -> Result<Catalog, ServerFnError> {
    let request = ssr::AdminRequest::load().await?;
    request.reader()?;
    let entries = crate::core::catalog::entries(&request.pool)
        .await
        .map_err(ssr::fail)?;
    Ok(crate::admin::forms::catalog(entries))
}

/// A save's answer: the redirect to the list, or the form again with why.
#[cfg(feature = "ssr")]
async fn saved<T: serde::Serialize>(
    request: &ssr::AdminRequest,
    path: &str,
    form: &T,
    result: Result<crate::core::Result<i64>, Vec<FieldError>>,
) -> Result<Saved, ServerFnError> {
    let errors = match result {
        Ok(Ok(id)) => {
            leptos_axum::redirect(&format!("{path}?saved={id}"));
            return Ok(Saved::Ok(id));
        }
        Ok(Err(crate::core::Error::Invalid(problems))) => {
            crate::admin::forms::catalog_errors(&problems)
        }
        Ok(Err(e)) => return Err(ssr::fail(e)),
        Err(errors) => errors,
    };
    request.back_with(path, form, &errors).await?;
    Ok(Saved::Invalid(errors))
}

#[server(endpoint = "admin/save_group")]
pub async fn save_group(#[server(flatten)] form: GroupForm) -> Result<Saved, ServerFnError> {
    let request = ssr::AdminRequest::load().await?;
    let admin = request.writer(&form.csrf)?;
    let group = crate::admin::forms::group(&form);
    let result = crate::core::catalog::save_group(&request.pool, admin.id, &group).await;
    saved(&request, "/admin/groups", &form, Ok(result)).await
}

#[server(endpoint = "admin/save_campaign")]
pub async fn save_campaign(#[server(flatten)] form: CampaignForm) -> Result<Saved, ServerFnError> {
    let request = ssr::AdminRequest::load().await?;
    let admin = request.writer(&form.csrf)?;
    let result = match crate::admin::forms::campaign(&form) {
        Ok(campaign) => {
            Ok(crate::core::catalog::save_campaign(&request.pool, admin.id, &campaign).await)
        }
        Err(errors) => Err(errors),
    };
    saved(&request, "/admin/campaigns", &form, result).await
}

#[server(endpoint = "admin/save_partner")]
pub async fn save_partner(#[server(flatten)] form: PartnerForm) -> Result<Saved, ServerFnError> {
    let request = ssr::AdminRequest::load().await?;
    let admin = request.writer(&form.csrf)?;
    let result = match crate::admin::forms::partner(&form) {
        Ok(partner) => {
            Ok(crate::core::catalog::save_partner(&request.pool, admin.id, &partner).await)
        }
        Err(errors) => Err(errors),
    };
    saved(&request, "/admin/partners", &form, result).await
}
