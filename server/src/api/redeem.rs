//! Redeem and validate for a player (scope `redeem`). Redeem goes through
//! the same core as the form (`Guard`): the pipeline without an
//! Idempotency-Key, the one-claim path in the key's transaction with one.
//! Validate answers what a redeem would, writing nothing.

use std::net::IpAddr;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use app::core::api_keys::Scope;
use app::core::{Activation, ActivationRequest, Channel, CodeRef, PromoCodeText};

use super::caller::Caller;
use super::idempotent::{Answer, Idempotent};
use super::players::player_id;
use super::problem::{Problem, ProblemDetails};
use super::ApiState;

/// A code as the player typed it, or an easter egg's slug (one of the two).
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RedeemInput {
    /// The code as typed: case, spaces and dashes do not matter.
    pub code: Option<String>,
    /// An easter egg's slug (its link's last part).
    pub egg: Option<String>,
    /// The player's address, so that wrong codes count against it as on
    /// the site.
    pub player_ip: Option<String>,
}

impl RedeemInput {
    fn request(&self, player_id: i64) -> Result<(ActivationRequest, Option<IpAddr>), Problem> {
        let code = match (&self.code, &self.egg) {
            (Some(text), None) => {
                CodeRef::Text(PromoCodeText::parse(text).map_err(app::core::Error::from)?)
            }
            (None, Some(slug)) if !slug.is_empty() && slug.len() <= 64 => {
                CodeRef::EggSlug(slug.clone())
            }
            _ => {
                return Err(Problem::bad_request(
                    "send exactly one of `code` (up to 64 characters) and `egg`",
                ))
            }
        };
        let ip = match &self.player_ip {
            None => None,
            Some(ip) => Some(
                ip.trim()
                    .parse::<IpAddr>()
                    .map_err(|_| Problem::bad_request("player_ip is not an IP address"))?,
            ),
        };
        Ok((
            ActivationRequest {
                player_id,
                code,
                channel: Channel::Api,
            },
            ip,
        ))
    }
}

/// A granted activation.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Grant {
    pub activation_id: i64,
    pub code_id: i64,
    /// The code's display name.
    pub code: String,
    /// k, from 0: the code's k-th activation.
    pub ordinal: i32,
    pub reward: i64,
    pub currency: String,
    /// The player's balance in that currency right after.
    pub balance_after: i64,
    pub activated_at: chrono::DateTime<chrono::Utc>,
}

impl From<Activation> for Grant {
    fn from(a: Activation) -> Self {
        Self {
            activation_id: a.activation_id,
            code_id: a.code_id,
            code: a.code_name,
            ordinal: a.ordinal,
            reward: a.reward,
            currency: a.currency,
            balance_after: a.balance_after,
            activated_at: a.activated_at,
        }
    }
}

/// Redeems a code or an egg for the player: 201 with the grant, or a
/// problem (`unknown-code` for a code that does not exist or is off,
/// `already-activated`, `exhausted`, `expired`, `not-started`,
/// `not-eligible`, `locked-out`, …).
#[utoipa::path(post, path = "/api/v1/players/{external_id}/redeem", tag = "redeem",
    params(("external_id" = String, Path, description = "The platform's id for the player"),
           ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key answers the same")),
    request_body = RedeemInput,
    responses(
        (status = 201, description = "Granted", body = Grant),
        (status = 400, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 410, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 429, body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("api_key" = ["redeem"])))]
pub async fn redeem(
    State(state): State<ApiState>,
    caller: Caller,
    Path(external_id): Path<String>,
    idempotent: Idempotent<RedeemInput>,
) -> Answer {
    caller.require(Scope::Redeem)?;
    let player = player_id(&state, &external_id).await?;
    if !idempotent.has_key() {
        let (request, ip) = idempotent.input.request(player)?;
        let grant = state.guard.activate(&state.pool, &request, ip).await?;
        return Ok((StatusCode::CREATED, Json(Grant::from(grant))).into_response());
    }
    let guard = state.guard.clone();
    let pool = state.pool.clone();
    idempotent
        .run(&state, &caller, move |conn, input| {
            Box::pin(async move {
                let (request, ip) = input.request(player)?;
                let grant = guard.activate_on(&pool, conn, &request, ip).await?;
                Ok((
                    StatusCode::CREATED,
                    serde_json::to_value(Grant::from(grant)).unwrap_or_default(),
                ))
            })
        })
        .await
}

/// What a redeem would come to now.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Validation {
    pub code_id: i64,
    pub code: String,
    /// What the next activation gets (a decreasing code gives less later).
    pub reward: i64,
    pub currency: String,
    /// k of the next activation, from 0.
    pub ordinal: i32,
}

/// Would a redeem succeed now, and for how much? Writes nothing (and does
/// not count as a wrong code); answers the same problems a redeem would.
#[utoipa::path(post, path = "/api/v1/players/{external_id}/validate", tag = "redeem",
    params(("external_id" = String, Path, description = "The platform's id for the player")),
    request_body = RedeemInput,
    responses(
        (status = 200, description = "It would be granted", body = Validation),
        (status = 400, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 410, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("api_key" = ["redeem"])))]
pub async fn validate(
    State(state): State<ApiState>,
    caller: Caller,
    Path(external_id): Path<String>,
    body: Idempotent<RedeemInput>,
) -> Result<Json<Validation>, Problem> {
    caller.require(Scope::Redeem)?;
    let player = player_id(&state, &external_id).await?;
    // Nothing is written, so an Idempotency-Key changes nothing here.
    let (request, ip) = body.input.request(player)?;
    let quote = state.guard.quote(&state.pool, &request, ip).await?;
    Ok(Json(Validation {
        code_id: quote.code_id,
        code: quote.code_name,
        reward: quote.reward,
        currency: quote.currency,
        ordinal: quote.ordinal,
    }))
}
