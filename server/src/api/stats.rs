//! The statistics the dashboard shows, as JSON (scope `stats`).

use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use app::core::api_keys::Scope;

use super::caller::Caller;
use super::players::Balance;
use super::problem::Problem;
use super::ApiState;

/// The service at a glance: what the dashboard home shows.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Overview {
    /// Codes a player could activate now.
    pub active_codes: i64,
    /// Since midnight UTC.
    pub activations_today: i64,
    /// In the last 7 days.
    pub activations_week: i64,
    /// Rewards handed out in the last 7 days, per currency.
    pub rewards_week: Vec<Balance>,
    /// Rewards handed out in all, per currency.
    pub rewards_total: Vec<Balance>,
    /// Series being generated.
    pub running_series: i64,
    /// Blocks of code input in force (players, addresses, the service).
    pub active_blocks: i64,
    /// When a service-wide cooldown after a wave of wrong codes ends, if
    /// one is in force.
    pub cooldown_until: Option<DateTime<Utc>>,
}

/// The service at a glance.
#[utoipa::path(get, path = "/api/v1/stats", tag = "stats",
    responses((status = 200, body = Overview)),
    security(("api_key" = ["stats"])))]
pub async fn overview(
    State(state): State<ApiState>,
    caller: Caller,
) -> Result<Json<Overview>, Problem> {
    caller.require(Scope::Stats)?;
    let stats = app::core::admin_views::dashboard(&state.pool).await?;
    let balances = |list: Vec<(String, i64)>| {
        list.into_iter()
            .map(|(currency, amount)| Balance { currency, amount })
            .collect()
    };
    Ok(Json(Overview {
        active_codes: stats.active_codes,
        activations_today: stats.activations_today,
        activations_week: stats.activations_week,
        rewards_week: balances(stats.rewards_week),
        rewards_total: balances(stats.rewards_total),
        running_series: stats.running_jobs,
        active_blocks: stats.active_blocks,
        cooldown_until: stats.spike.map(|(until, _)| until),
    }))
}
