//! Platform actions (scope `redeem`): the platform reports what a player did
//! (`POST /api/v1/players/{external_id}/actions`) and the core pays the
//! reward an admin set for that action key, once per player or per report.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use app::core::actions::{self, Gives};
use app::core::api_keys::Scope;

use super::caller::Caller;
use super::idempotent::{Answer, Idempotent};
use super::players::player_id;
use super::problem::ProblemDetails;
use super::ApiState;

#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionInput {
    /// The action key an admin gave a reward: lower-case letters, digits and
    /// `_ . : -`, up to 40 (`first_purchase`, `streak_day`, `tutorial.done`).
    #[schema(min_length = 1, max_length = 40)]
    pub action: String,
    /// The platform's id for this occurrence (an order id, `2026-12-04`):
    /// the same key is the same report, rewarded once. 1 to 200 characters.
    #[schema(min_length = 1, max_length = 200)]
    pub key: String,
}

/// What the report earned.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ActionReply {
    pub action: String,
    pub key: String,
    /// Whether the action earns anything (an admin set a reward and it is on).
    pub rewarded: bool,
    /// False when this report, or for a once-per-player action an earlier
    /// one, was rewarded before: the reward shown is that one, not a second.
    pub first: bool,
    /// `grant` (credited now) or `code` (a personal code to redeem).
    pub gives: Option<String>,
    pub reward: Option<i64>,
    pub currency: Option<String>,
    /// The personal code (only the player can redeem it).
    pub code: Option<String>,
    pub code_ends_at: Option<DateTime<Utc>>,
    /// The grant's activation, for `grant`.
    pub activation_id: Option<i64>,
}

/// Reports an action of the player. When an admin mapped the action key to
/// a reward, the player gets it once (per player or per report, as set):
/// credited at once, or as a personal code with a notification. A replay
/// answers the first reward again.
#[utoipa::path(post, path = "/api/v1/players/{external_id}/actions", tag = "redeem",
    params(("external_id" = String, Path, description = "The platform's id for the player"),
           ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key answers the same")),
    request_body = ActionInput,
    responses(
        (status = 200, description = "Reported (and rewarded, when it earns anything)", body = ActionReply),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("api_key" = ["redeem"])))]
pub async fn report(
    State(state): State<ApiState>,
    caller: Caller,
    Path(external_id): Path<String>,
    idempotent: Idempotent<ActionInput>,
) -> Answer {
    caller.require(Scope::Redeem)?;
    let player = player_id(&state, &external_id).await?;
    idempotent
        .run(&state, &caller, move |conn, input| {
            Box::pin(async move {
                let outcome = actions::report(conn, player, &input.action, &input.key).await?;
                let reply = match outcome {
                    None => ActionReply {
                        action: input.action,
                        key: input.key,
                        rewarded: false,
                        first: false,
                        gives: None,
                        reward: None,
                        currency: None,
                        code: None,
                        code_ends_at: None,
                        activation_id: None,
                    },
                    Some(o) => ActionReply {
                        action: input.action,
                        key: input.key,
                        rewarded: true,
                        first: o.fresh,
                        gives: Some(o.gives.as_str().to_owned()),
                        reward: Some(o.reward),
                        currency: Some(o.currency),
                        code: Some(o.code),
                        code_ends_at: (o.gives == Gives::Code).then_some(o.ends_at),
                        activation_id: o.activation_id,
                    },
                };
                Ok((
                    StatusCode::OK,
                    serde_json::to_value(reply).unwrap_or_default(),
                ))
            })
        })
        .await
}
