//! Players by the platform's id: upsert, read (with balances), a sign-in
//! link, activations. Scope `players`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use app::core::api_keys::Scope;
use app::core::platform::{self, PlatformPlayer, PlayerUpsert};

use super::caller::Caller;
use super::extract::ApiQuery;
use super::idempotent::{Answer, Idempotent};
use super::problem::{Problem, ProblemDetails};
use super::ApiState;

/// A player as the API shows it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Player {
    /// The platform's id for the player.
    pub external_id: String,
    /// This service's id (what events carry as `player_id`).
    pub id: i64,
    pub username: String,
    /// `en` or `ru`.
    pub locale: String,
    pub tier: String,
    pub tags: Vec<String>,
    /// Whether the player hears about new codes (their own choice on the
    /// account page, or the platform's).
    pub announcements: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub balances: Vec<Balance>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Balance {
    pub currency: String,
    pub amount: i64,
}

impl From<PlatformPlayer> for Player {
    fn from(p: PlatformPlayer) -> Self {
        Self {
            external_id: p.external_id,
            id: p.id,
            username: p.username,
            locale: p.locale,
            tier: p.tier,
            tags: p.tags,
            announcements: p.announcements,
            created_at: p.created_at,
            balances: p
                .balances
                .into_iter()
                .map(|(currency, amount)| Balance { currency, amount })
                .collect(),
        }
    }
}

/// What the platform sends about a player; a field left out keeps its value.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlayerInput {
    /// 3 to 40 characters; default for a new player: derived from its id.
    #[schema(min_length = 3, max_length = 40)]
    pub username: Option<String>,
    /// `en` (default) or `ru`.
    pub locale: Option<String>,
    /// Letters, digits, `-` and `_`, up to 32 (default `standard`).
    pub tier: Option<String>,
    /// Up to 32 tags like the tier.
    pub tags: Option<Vec<String>>,
    /// Whether the player hears about new codes (default: yes).
    pub announcements: Option<bool>,
    /// The invite code the player came with (`/r/{code}` on the platform's
    /// side): taken only by the request that creates the player, whose
    /// answer says what came of it in `referral`.
    #[schema(max_length = 16)]
    pub invite: Option<String>,
}

/// Creates the player with this platform id, or updates it.
#[utoipa::path(put, path = "/api/v1/players/{external_id}", tag = "players",
    params(("external_id" = String, Path, description = "The platform's id for the player")),
    request_body(content = Option<PlayerInput>, description = "May be empty: a new player with the defaults"),
    responses(
        (status = 200, description = "Updated", body = Player),
        (status = 201, description = "Created", body = Player),
        (status = 422, description = "Invalid", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("api_key" = ["players"])))]
pub async fn upsert(
    State(state): State<ApiState>,
    caller: Caller,
    Path(external_id): Path<String>,
    idempotent: Idempotent<PlayerInput>,
) -> Answer {
    caller.require(Scope::Players)?;
    idempotent
        .run(&state, &caller, |conn, input| {
            Box::pin(async move {
                let upsert = PlayerUpsert {
                    username: input.username,
                    locale: input.locale,
                    tier: input.tier,
                    tags: input.tags,
                    announcements: input.announcements,
                };
                let (player, created) = platform::upsert(conn, &external_id, &upsert).await?;
                // Only a new account is invited (an existing one cannot be).
                let referral = match (created, input.invite.as_deref()) {
                    (true, Some(invite)) => {
                        Some(app::core::referrals::join(conn, player.id, invite, None).await?)
                    }
                    _ => None,
                };
                let status = if created {
                    StatusCode::CREATED
                } else {
                    StatusCode::OK
                };
                let mut body = serde_json::to_value(Player::from(player)).unwrap_or_default();
                if let Some(referral) = referral {
                    body["referral"] = referral.as_str().into();
                }
                Ok((status, body))
            })
        })
        .await
}

/// Reads a player with its balances.
#[utoipa::path(get, path = "/api/v1/players/{external_id}", tag = "players",
    params(("external_id" = String, Path, description = "The platform's id for the player")),
    responses(
        (status = 200, body = Player),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Not a valid platform id", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("api_key" = ["players"])))]
pub async fn read(
    State(state): State<ApiState>,
    caller: Caller,
    Path(external_id): Path<String>,
) -> Result<Json<Player>, Problem> {
    caller.require(Scope::Players)?;
    let mut conn = state.pool.acquire().await.map_err(app::core::Error::from)?;
    platform::find(&mut conn, &external_id)
        .await?
        .map(|p| Json(p.into()))
        .ok_or_else(|| Problem::not_found("no player with this id"))
}

/// The player's internal id, or 404.
pub async fn player_id(state: &ApiState, external_id: &str) -> Result<i64, Problem> {
    let mut conn = state.pool.acquire().await.map_err(app::core::Error::from)?;
    platform::find(&mut conn, external_id)
        .await?
        .map(|p| p.id)
        .ok_or_else(|| {
            Problem::new(StatusCode::NOT_FOUND, "unknown-player", "No such player")
                .detail("create it first with PUT /api/v1/players/{external_id}")
        })
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkInput {
    /// Where the player lands (a path of this site; default `/redeem`).
    pub next: Option<String>,
    /// Seconds the link stays valid: 60 to 86400 (default 900).
    #[schema(minimum = 60, maximum = 86400)]
    pub ttl_seconds: Option<i64>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SignInLink {
    /// Open it in the player's browser: it signs them in and goes to `next`.
    pub url: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// A signed sign-in link for the player (what the platform puts behind its
/// "promo codes" button).
#[utoipa::path(post, path = "/api/v1/players/{external_id}/sign-in-link", tag = "players",
    params(("external_id" = String, Path, description = "The platform's id for the player")),
    request_body(content = Option<LinkInput>, description = "May be empty: the defaults"),
    responses(
        (status = 200, body = SignInLink),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("api_key" = ["players"])))]
pub async fn sign_in_link(
    State(state): State<ApiState>,
    caller: Caller,
    Path(external_id): Path<String>,
    idempotent: Idempotent<LinkInput>,
) -> Answer {
    caller.require(Scope::Players)?;
    let player = player_id(&state, &external_id).await?;
    let settings = state.settings.clone();
    idempotent
        .run(&state, &caller, move |_conn, input| {
            Box::pin(async move {
                let ttl = input.ttl_seconds.unwrap_or(900);
                if !(60..=86_400).contains(&ttl) {
                    return Err(Problem::bad_request("ttl_seconds must be from 60 to 86400"));
                }
                let next = app::navigation::safe_next(
                    input
                        .next
                        .as_deref()
                        .unwrap_or(app::navigation::PLAYER_HOME),
                    app::navigation::PLAYER_HOME,
                );
                let expires = chrono::Utc::now().timestamp() + ttl;
                let query = app::core::auth::sign_link(settings.link_secret(), player, expires);
                let next = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
                let link = SignInLink {
                    url: format!(
                        "{}/auth/link?{query}&{next}",
                        settings.public_url.trim_end_matches('/')
                    ),
                    expires_at: chrono::DateTime::from_timestamp(expires, 0).unwrap_or_default(),
                };
                Ok((
                    StatusCode::OK,
                    serde_json::to_value(link).unwrap_or_default(),
                ))
            })
        })
        .await
}

#[derive(Clone, Debug, Deserialize, IntoParams)]
pub struct PageQuery {
    /// From 1.
    pub page: Option<i64>,
}

/// One activation of a player.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ActivationItem {
    pub code: String,
    pub reward: i64,
    pub currency: String,
    /// `form`, `egg`, `api` or `job`.
    pub channel: String,
    pub activated_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ActivationList {
    pub items: Vec<ActivationItem>,
    pub page: i64,
    pub has_next: bool,
}

/// The player's activations, newest first.
#[utoipa::path(get, path = "/api/v1/players/{external_id}/activations", tag = "players",
    params(("external_id" = String, Path, description = "The platform's id for the player"), PageQuery),
    responses(
        (status = 200, body = ActivationList),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Not a valid platform id", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("api_key" = ["players"])))]
pub async fn activations(
    State(state): State<ApiState>,
    caller: Caller,
    Path(external_id): Path<String>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<ActivationList>, Problem> {
    caller.require(Scope::Players)?;
    let player = player_id(&state, &external_id).await?;
    let page = query.page.unwrap_or(1).clamp(1, 1_000_000);
    let list = app::core::player_views::activations(&state.pool, player, page).await?;
    Ok(Json(ActivationList {
        items: list
            .lines
            .into_iter()
            .map(|a| ActivationItem {
                code: a.code,
                reward: a.reward,
                currency: a.currency,
                channel: a.channel,
                activated_at: a.at,
            })
            .collect(),
        page: list.page,
        has_next: list.has_next,
    }))
}
