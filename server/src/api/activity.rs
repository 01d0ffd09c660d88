//! Player activity from the platform (`POST /api/v1/activity`, scope
//! `players`): what the retention report compares redeemers by.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use app::core::api_keys::Scope;
use app::core::stats::retention::{self, ActivityEvent};

use super::caller::Caller;
use super::idempotent::{Answer, Idempotent};
use super::problem::{Problem, ProblemDetails};
use super::ApiState;

/// Events one request may carry.
pub const MAX_EVENTS: usize = 1000;

#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityInput {
    /// 1 to 1000 events.
    #[schema(min_items = 1, max_items = 1000)]
    pub events: Vec<ActivityItem>,
}

#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityItem {
    /// The platform's id for the player (made with PUT /api/v1/players/{external_id}).
    pub player: String,
    /// What they did: lower-case letters, digits and `_ . : -`, up to 40
    /// characters, e.g. `login`, `match.won`.
    pub kind: String,
    /// When: within the last 400 days (and not more than 5 minutes ahead).
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ActivityRecorded {
    /// Events recorded.
    pub recorded: usize,
    /// Events not recorded, by their position in the request.
    pub refused: Vec<RefusedEvent>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RefusedEvent {
    pub index: usize,
    /// `unknown_player`, `bad_kind` or `out_of_range`.
    pub reason: String,
}

/// Records what players did on the platform, in batches. Events that cannot
/// be recorded are listed; the others are kept. Send an `Idempotency-Key`
/// so that a retried batch is not counted twice.
#[utoipa::path(post, path = "/api/v1/activity", tag = "players",
    request_body = ActivityInput,
    responses(
        (status = 200, body = ActivityRecorded),
        (status = 422, description = "No events, or more than 1000", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("api_key" = ["players"])))]
pub async fn record(
    State(state): State<ApiState>,
    caller: Caller,
    idempotent: Idempotent<ActivityInput>,
) -> Answer {
    caller.require(Scope::Players)?;
    idempotent
        .run(&state, &caller, |conn, input| {
            Box::pin(async move {
                if input.events.is_empty() || input.events.len() > MAX_EVENTS {
                    return Err(Problem::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "invalid",
                        "A batch holds 1 to 1000 events",
                    ));
                }
                let events: Vec<ActivityEvent> = input
                    .events
                    .into_iter()
                    .map(|e| ActivityEvent {
                        player: e.player,
                        kind: e.kind,
                        at: e.at,
                    })
                    .collect();
                let (recorded, refused) = retention::record(conn, &events).await?;
                let answer = ActivityRecorded {
                    recorded,
                    refused: refused
                        .into_iter()
                        .map(|(index, why)| RefusedEvent {
                            index,
                            reason: why.as_str().to_owned(),
                        })
                        .collect(),
                };
                Ok((
                    StatusCode::OK,
                    serde_json::to_value(answer).unwrap_or_default(),
                ))
            })
        })
        .await
}
