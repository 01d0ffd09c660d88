//! The statistics server functions: a code's report and who activated it,
//! a group's, campaign's or partner's report, campaigns side by side, the
//! whole service, and retention. Each takes the range as the page's query
//! gives it (`from`, `to`: `YYYY-MM-DD`), checked again here.

use leptos::prelude::*;
use leptos::server_fn::ServerFnError;

#[cfg(feature = "ssr")]
use super::ssr;
use crate::admin::models::*;

/// Activations per page in a code's list of players.
pub const PLAYERS_PAGE_SIZE: i64 = 50;

#[cfg(feature = "ssr")]
fn range(from: &str, to: &str) -> Result<DateRange, ServerFnError> {
    DateRange::parse(from, to, chrono::Utc::now().date_naive())
        .map_err(|e| ssr::refuse(http::StatusCode::BAD_REQUEST, e.message_id()))
}

#[server(endpoint = "admin/code_stats")]
pub async fn load_code_stats(
    id: i64,
    from: String,
    to: String,
) -> Result<CodeStats, ServerFnError> {
    let request = ssr::AdminRequest::load().await?;
    request.reader()?;
    crate::core::stats::code::report(&request.pool, id, range(&from, &to)?)
        .await
        .map_err(ssr::fail)
}

#[server(endpoint = "admin/code_players")]
pub async fn load_code_players(id: i64, page: i64) -> Result<CodePlayers, ServerFnError> {
    use crate::core::paging::Page;
    let request = ssr::AdminRequest::load().await?;
    request.reader()?;
    crate::core::stats::code::players(&request.pool, id, Page::new(page, PLAYERS_PAGE_SIZE))
        .await
        .map_err(ssr::fail)
}

#[server(endpoint = "admin/scope_stats")]
pub async fn load_scope_stats(
    scope: Scope,
    id: i64,
    from: String,
    to: String,
) -> Result<ScopeStats, ServerFnError> {
    let request = ssr::AdminRequest::load().await?;
    request.reader()?;
    crate::core::stats::scope::report(&request.pool, scope, id, range(&from, &to)?)
        .await
        .map_err(ssr::fail)
}

#[server(endpoint = "admin/campaign_stats")]
pub async fn load_campaign_stats(
    from: String,
    to: String,
) -> Result<CampaignComparison, ServerFnError> {
    let request = ssr::AdminRequest::load().await?;
    request.reader()?;
    crate::core::stats::scope::campaigns(&request.pool, range(&from, &to)?)
        .await
        .map_err(ssr::fail)
}

#[server(endpoint = "admin/service_stats")]
pub async fn load_service_stats(from: String, to: String) -> Result<ServiceStats, ServerFnError> {
    let request = ssr::AdminRequest::load().await?;
    request.reader()?;
    crate::core::stats::service::report(&request.pool, range(&from, &to)?)
        .await
        .map_err(ssr::fail)
}

#[server(endpoint = "admin/retention_stats")]
pub async fn load_retention_stats(
    from: String,
    to: String,
) -> Result<RetentionStats, ServerFnError> {
    let request = ssr::AdminRequest::load().await?;
    request.reader()?;
    crate::core::stats::retention::report(&request.pool, range(&from, &to)?)
        .await
        .map_err(ssr::fail)
}
