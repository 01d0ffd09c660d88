//! The statistics the dashboard shows, as JSON (scope `stats`): the service
//! at a glance, and every report of the statistics pages over a date range.

use axum::extract::State;
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use app::core::api_keys::Scope;
use app::core::paging::Page;
use app::core::stats;
use model::admin::{
    CampaignComparison, CodePlayerLine, CodeStats, DateRange, RangeError, RetentionStats,
    Scope as StatsScope, ScopeStats, ServiceStats,
};

use super::caller::Caller;
use super::extract::{ApiPath, ApiQuery};
use super::players::Balance;
use super::problem::{Problem, ProblemDetails};
use super::ApiState;

/// Activations per page of a code's list.
const PLAYERS_PAGE_SIZE: i64 = 50;

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

/// A report's days (UTC, both ends included): by default the 30 days up to
/// `to`, and `to` is today; at most 3,660 days.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RangeQuery {
    /// The first day, `YYYY-MM-DD`.
    pub from: Option<NaiveDate>,
    /// The last day, `YYYY-MM-DD`.
    pub to: Option<NaiveDate>,
}

impl RangeQuery {
    fn range(&self) -> Result<DateRange, Problem> {
        DateRange::between(self.from, self.to, Utc::now().date_naive()).map_err(|e| {
            Problem::bad_request(match e {
                RangeError::Date => "dates are YYYY-MM-DD with years 1970 to 9999",
                RangeError::Order => "from comes after to",
                RangeError::TooLong => "a range is at most 3660 days",
            })
        })
    }
}

#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// From 1.
    #[param(minimum = 1)]
    pub page: Option<i64>,
}

/// Who activated a code, newest first, 50 to a page.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CodeActivationList {
    pub items: Vec<CodePlayerLine>,
    pub page: i64,
    pub has_next: bool,
}

/// A code's report: live counters, activations over the range by channel,
/// and time from release to activation.
#[utoipa::path(get, path = "/api/v1/stats/codes/{id}", tag = "stats",
    params(("id" = i64, Path, description = "The code's id"), RangeQuery),
    responses(
        (status = 200, body = CodeStats),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("api_key" = ["stats"])))]
pub async fn code(
    State(state): State<ApiState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<RangeQuery>,
) -> Result<Json<CodeStats>, Problem> {
    caller.require(Scope::Stats)?;
    let range = query.range()?;
    Ok(Json(stats::code::report(&state.pool, id, range).await?))
}

/// Who activated a code: each activation with its player, reward and channel.
#[utoipa::path(get, path = "/api/v1/stats/codes/{id}/activations", tag = "stats",
    params(("id" = i64, Path, description = "The code's id"), PageQuery),
    responses(
        (status = 200, body = CodeActivationList),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("api_key" = ["stats"])))]
pub async fn code_activations(
    State(state): State<ApiState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<CodeActivationList>, Problem> {
    caller.require(Scope::Stats)?;
    if app::core::code_admin::stored(&state.pool, id)
        .await?
        .is_none()
    {
        return Err(Problem::not_found("no code with this id"));
    }
    let page = Page::new(query.page.unwrap_or(1), PLAYERS_PAGE_SIZE);
    let list = stats::code::players(&state.pool, id, page).await?;
    Ok(Json(CodeActivationList {
        items: list.lines,
        page: list.page,
        has_next: list.has_next,
    }))
}

async fn scope_report(
    state: &ApiState,
    caller: &Caller,
    scope: StatsScope,
    id: i64,
    query: &RangeQuery,
) -> Result<Json<ScopeStats>, Problem> {
    caller.require(Scope::Stats)?;
    let range = query.range()?;
    Ok(Json(
        stats::scope::report(&state.pool, scope, id, range).await?,
    ))
}

/// A group's (or series') report: activations, unique players, rewards per
/// currency, codes used.
#[utoipa::path(get, path = "/api/v1/stats/groups/{id}", tag = "stats",
    params(("id" = i64, Path, description = "The group's id"), RangeQuery),
    responses(
        (status = 200, body = ScopeStats),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("api_key" = ["stats"])))]
pub async fn group(
    State(state): State<ApiState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<RangeQuery>,
) -> Result<Json<ScopeStats>, Problem> {
    scope_report(&state, &caller, StatsScope::Group, id, &query).await
}

/// A campaign's report.
#[utoipa::path(get, path = "/api/v1/stats/campaigns/{id}", tag = "stats",
    params(("id" = i64, Path, description = "The campaign's id"), RangeQuery),
    responses(
        (status = 200, body = ScopeStats),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("api_key" = ["stats"])))]
pub async fn campaign(
    State(state): State<ApiState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<RangeQuery>,
) -> Result<Json<ScopeStats>, Problem> {
    scope_report(&state, &caller, StatsScope::Campaign, id, &query).await
}

/// A partner's report, with the payout owed per month of the range.
#[utoipa::path(get, path = "/api/v1/stats/partners/{id}", tag = "stats",
    params(("id" = i64, Path, description = "The partner's id"), RangeQuery),
    responses(
        (status = 200, body = ScopeStats),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("api_key" = ["stats"])))]
pub async fn partner(
    State(state): State<ApiState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<RangeQuery>,
) -> Result<Json<ScopeStats>, Problem> {
    scope_report(&state, &caller, StatsScope::Partner, id, &query).await
}

/// Campaigns side by side, by activation channel, and their marketing
/// channels summed.
#[utoipa::path(get, path = "/api/v1/stats/campaigns", tag = "stats", params(RangeQuery),
    responses((status = 200, body = CampaignComparison)),
    security(("api_key" = ["stats"])))]
pub async fn campaigns(
    State(state): State<ApiState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<RangeQuery>,
) -> Result<Json<CampaignComparison>, Problem> {
    caller.require(Scope::Stats)?;
    let range = query.range()?;
    Ok(Json(stats::scope::campaigns(&state.pool, range).await?))
}

/// The whole service: activations by kind of code, new and returning
/// redeemers, the most active players, wrong codes and blocks.
#[utoipa::path(get, path = "/api/v1/stats/service", tag = "stats", params(RangeQuery),
    responses((status = 200, body = ServiceStats)),
    security(("api_key" = ["stats"])))]
pub async fn service(
    State(state): State<ApiState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<RangeQuery>,
) -> Result<Json<ServiceStats>, Problem> {
    caller.require(Scope::Stats)?;
    let range = query.range()?;
    Ok(Json(stats::service::report(&state.pool, range).await?))
}

/// Weekly cohorts of redeemers and of players who redeemed nothing, and the
/// activity of campaigns' redeemers before and after (from POST /api/v1/activity).
#[utoipa::path(get, path = "/api/v1/stats/retention", tag = "stats", params(RangeQuery),
    responses((status = 200, body = RetentionStats)),
    security(("api_key" = ["stats"])))]
pub async fn retention(
    State(state): State<ApiState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<RangeQuery>,
) -> Result<Json<RetentionStats>, Problem> {
    caller.require(Scope::Stats)?;
    let range = query.range()?;
    Ok(Json(stats::retention::report(&state.pool, range).await?))
}
