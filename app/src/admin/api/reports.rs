//! What the dashboard reads: the home figures, the blocks of code input (and
//! lifting one), and the audit log.

use leptos::prelude::*;
use leptos::server_fn::ServerFnError;

#[cfg(feature = "ssr")]
use super::ssr;
use crate::admin::models::*;

#[server(endpoint = "admin/dashboard")]
pub async fn load_dashboard() -> Result<DashboardStats, ServerFnError> {
    let request = ssr::AdminRequest::load().await?;
    request.reader()?;
    crate::core::admin_views::dashboard(&request.pool)
        .await
        .map_err(ssr::fail)
}

/// Blocks of code input in force, and with `recent` those of the last day.
#[server(endpoint = "admin/blocks")]
pub async fn list_blocks(recent: bool) -> Result<Vec<BlockLine>, ServerFnError> {
    let request = ssr::AdminRequest::load().await?;
    request.reader()?;
    crate::core::abuse::list_blocks(&request.pool, recent)
        .await
        .map_err(ssr::fail)
}

/// Lifts a block (audited, and every instance hears of it). Lifting one that
/// has already ended changes nothing.
#[server(endpoint = "admin/lift_block")]
pub async fn lift_block(csrf: String, id: i64) -> Result<bool, ServerFnError> {
    let request = ssr::AdminRequest::load().await?;
    let admin = request.writer(&csrf)?;
    let lifted = crate::core::abuse::lift_block(&request.pool, admin.id, id)
        .await
        .map_err(ssr::fail)?;
    if request.no_js {
        leptos_axum::redirect(&format!("/admin/blocks?lifted={}", u8::from(lifted)));
    }
    Ok(lifted)
}

#[server(endpoint = "admin/audit_log")]
pub async fn audit_log(page: i64, entity: String) -> Result<AuditPage, ServerFnError> {
    let request = ssr::AdminRequest::load().await?;
    request.reader()?;
    let entity = Some(entity).filter(|e| !e.is_empty());
    crate::core::audit::page(&request.pool, page, entity.as_deref())
        .await
        .map_err(ssr::fail)
}
