//! The dashboard's API key server functions: listed, created (the key is
//! answered once, or kept in the session for the page a plain post goes
//! back to) and revoked.

use leptos::prelude::*;
use leptos::server_fn::ServerFnError;

#[cfg(feature = "ssr")]
use super::ssr;
use crate::admin::models::*;

#[cfg(feature = "ssr")]
const PAGE: &str = "/admin/api-keys";
#[cfg(feature = "ssr")]
const NEW_KEY: &str = "promocodes.admin.new_api_key";

/// The keys; and the key just made by a plain post, taken out of the
/// session (it is shown once).
#[server(endpoint = "admin/load_api_keys")]
pub async fn load_api_keys() -> Result<ApiKeysPage, ServerFnError> {
    let request = ssr::AdminRequest::load().await?;
    request.reader()?;
    let keys = crate::core::api_keys::list(&request.pool)
        .await
        .map_err(ssr::fail)?;
    let new_key = request
        .session
        .remove::<String>(NEW_KEY)
        .await
        .map_err(ssr::internal)?;
    Ok(ApiKeysPage { keys, new_key })
}

/// Makes a key with the ticked scopes.
#[server(endpoint = "admin/create_api_key")]
pub async fn create_api_key(
    #[server(flatten)] form: ApiKeyForm,
) -> Result<CreatedKey, ServerFnError> {
    use crate::core::api_keys::Scope;
    let request = ssr::AdminRequest::load().await?;
    let admin = request.writer(&form.csrf)?;
    let ticked = [
        (&form.scope_redeem, Scope::Redeem),
        (&form.scope_players, Scope::Players),
        (&form.scope_codes_read, Scope::CodesRead),
        (&form.scope_codes_write, Scope::CodesWrite),
        (&form.scope_stats, Scope::Stats),
    ];
    let scopes: Vec<Scope> = ticked
        .into_iter()
        .filter(|(on, _)| on.is_some())
        .map(|(_, scope)| scope)
        .collect();
    match crate::core::api_keys::create(&request.pool, Some(admin.id), &form.name, &scopes).await {
        Ok((_, key)) => {
            if request.no_js {
                request
                    .session
                    .insert(NEW_KEY, &key)
                    .await
                    .map_err(ssr::internal)?;
                leptos_axum::redirect(PAGE);
            }
            Ok(CreatedKey::Key(key))
        }
        Err(crate::core::Error::Invalid(problems)) => {
            let errors = crate::admin::forms::api_key_errors(&problems);
            request.back_with(PAGE, &form, &errors).await?;
            Ok(CreatedKey::Invalid(errors))
        }
        Err(e) => Err(ssr::fail(e)),
    }
}

/// Revokes a key at once. Answers whether it was in use.
#[server(endpoint = "admin/revoke_api_key")]
pub async fn revoke_api_key(csrf: String, id: i64) -> Result<bool, ServerFnError> {
    let request = ssr::AdminRequest::load().await?;
    let admin = request.writer(&csrf)?;
    let done = crate::core::api_keys::revoke(&request.pool, admin.id, id)
        .await
        .map_err(ssr::fail)?;
    if request.no_js {
        leptos_axum::redirect(PAGE);
    }
    Ok(done)
}
