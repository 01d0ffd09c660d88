//! Growth for the platform (scope `players`): a player's quests with their
//! progress, and their invite link with what it brought. Invites are taken
//! when the platform creates a player (`invite` in `PUT /players/{id}`).

use axum::extract::{Path, State};
use axum::Json;

use app::core::api_keys::Scope;
use app::core::locale::Locale;
use model::growth::{InviteSummary, QuestView};

use super::caller::Caller;
use super::players::player_id;
use super::problem::{Problem, ProblemDetails};
use super::ApiState;

/// The player's quests: those open now and those they completed, each step
/// with the player's progress, in the player's language.
#[utoipa::path(get, path = "/api/v1/players/{external_id}/quests", tag = "players",
    params(("external_id" = String, Path, description = "The platform's id for the player")),
    responses(
        (status = 200, body = Vec<QuestView>),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Not a valid platform id", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("api_key" = ["players"])))]
pub async fn quests(
    State(state): State<ApiState>,
    caller: Caller,
    Path(external_id): Path<String>,
) -> Result<Json<Vec<QuestView>>, Problem> {
    caller.require(Scope::Players)?;
    let player = player_id(&state, &external_id).await?;
    let locale = app::core::preferences::locale(&state.pool, player).await?;
    Ok(Json(
        app::core::quests::for_player(&state.pool, player, Locale::of(&locale)).await?,
    ))
}

/// The player's invite code (link `/r/{code}`), the friends who joined with
/// it, those who redeemed, and what the player earned.
#[utoipa::path(get, path = "/api/v1/players/{external_id}/invite", tag = "players",
    params(("external_id" = String, Path, description = "The platform's id for the player")),
    responses(
        (status = 200, body = InviteSummary),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Not a valid platform id", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("api_key" = ["players"])))]
pub async fn invite(
    State(state): State<ApiState>,
    caller: Caller,
    Path(external_id): Path<String>,
) -> Result<Json<InviteSummary>, Problem> {
    caller.require(Scope::Players)?;
    let player = player_id(&state, &external_id).await?;
    Ok(Json(
        app::core::referrals::summary(&state.pool, player).await?,
    ))
}
