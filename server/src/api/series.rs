//! Series for the platform: start one (scope `codes:write`; its codes are
//! generated in the background, as from the dashboard) and follow its
//! progress (scope `codes:read`).

use std::sync::{Arc, OnceLock};

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use app::core::api_keys::Scope;
use app::core::audit::Actor;
use app::core::series::{self, SeriesShape, SeriesSpec};
use model::admin::SeriesJob;

use super::caller::Caller;
use super::extract::ApiPath;
use super::idempotent::{Answer, Idempotent};
use super::problem::{Problem, ProblemDetails};
use super::ApiState;

/// A series: `count` codes from a pattern, sharing every other parameter,
/// in a group of their own named `name`.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeriesInput {
    pub name: String,
    #[schema(minimum = 1, maximum = 1000000)]
    pub count: u32,
    /// `#` marks one random character (`GIFT-####-####`); without one, the
    /// codes are `prefix`, `length` random characters, `suffix`.
    #[serde(default)]
    pub pattern: Option<String>,
    #[serde(default)]
    pub prefix: String,
    /// Random characters (default 10), when there is no pattern.
    #[serde(default)]
    pub length: Option<u32>,
    #[serde(default)]
    pub suffix: String,
    /// Letters and digits to draw from (default: without look-alikes).
    #[serde(default)]
    pub alphabet: String,
    /// Default `COINS`.
    #[serde(default)]
    pub currency: Option<String>,
    pub reward: i64,
    /// Activations per code (default 1: single use; none: unlimited).
    #[serde(default = "single_use")]
    pub activation_limit: Option<i32>,
    #[serde(default)]
    pub starts_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub ends_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub campaign_id: Option<i64>,
    #[serde(default)]
    pub partner_id: Option<i64>,
}

fn single_use() -> Option<i32> {
    Some(1)
}

impl SeriesInput {
    fn spec(&self) -> SeriesSpec {
        let shape = match self.pattern.as_deref().filter(|p| !p.trim().is_empty()) {
            Some(pattern) => SeriesShape::Pattern(pattern.to_owned()),
            None => SeriesShape::Random {
                prefix: self.prefix.clone(),
                length: self.length.unwrap_or(10) as usize,
                suffix: self.suffix.clone(),
            },
        };
        SeriesSpec {
            name: self.name.clone(),
            count: self.count,
            shape,
            alphabet: self.alphabet.clone(),
            currency: self.currency.clone().unwrap_or_else(|| "COINS".into()),
            reward: self.reward,
            activation_limit: self.activation_limit,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            campaign_id: self.campaign_id,
            partner_id: self.partner_id,
        }
    }
}

/// Starts a series: 202 with its job, whose `done` grows to `requested`
/// and whose `status` ends `done` (or `failed`, `cancelled`).
#[utoipa::path(post, path = "/api/v1/series", tag = "codes", request_body = SeriesInput,
    responses(
        (status = 202, description = "Started", body = SeriesJob),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("api_key" = ["codes:write"])))]
pub async fn start(
    State(state): State<ApiState>,
    caller: Caller,
    idempotent: Idempotent<SeriesInput>,
) -> Answer {
    let actor = Actor::ApiKey(caller.require(Scope::CodesWrite)?.id);
    // The job runs once its row is committed, which `run` does last.
    let started = Arc::new(OnceLock::new());
    let job_id = started.clone();
    let answer = idempotent
        .run(&state, &caller, move |conn, input| {
            Box::pin(async move {
                let id = series::start(&mut *conn, Some(actor), &input.spec()).await?;
                let _ = job_id.set(id);
                let job = series::jobs(&mut *conn, Some(id)).await?.pop();
                Ok((
                    StatusCode::ACCEPTED,
                    serde_json::to_value(job).unwrap_or_default(),
                ))
            })
        })
        .await;
    if let (Ok(_), Some(&id)) = (&answer, started.get()) {
        series::run_in_background(state.pool.clone(), id);
    }
    answer
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SeriesList {
    /// The 50 most recent, newest first.
    pub items: Vec<SeriesJob>,
}

/// Recent series jobs, newest first.
#[utoipa::path(get, path = "/api/v1/series", tag = "codes",
    responses((status = 200, body = SeriesList)),
    security(("api_key" = ["codes:read"])))]
pub async fn list(
    State(state): State<ApiState>,
    caller: Caller,
) -> Result<Json<SeriesList>, Problem> {
    caller.require(Scope::CodesRead)?;
    let items = series::jobs(&state.pool, None).await?;
    Ok(Json(SeriesList { items }))
}

/// One series job and its progress.
#[utoipa::path(get, path = "/api/v1/series/{id}", tag = "codes",
    params(("id" = i64, Path, description = "The series job's id")),
    responses(
        (status = 200, body = SeriesJob),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("api_key" = ["codes:read"])))]
pub async fn read(
    State(state): State<ApiState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<SeriesJob>, Problem> {
    caller.require(Scope::CodesRead)?;
    series::jobs(&state.pool, Some(id))
        .await?
        .pop()
        .map(Json)
        .ok_or_else(|| Problem::not_found("no series job with this id"))
}
