//! Easter eggs: opening `/egg/{slug}` only shows what is there (the secret of
//! an egg this player found before, else a button); claiming is a POST. Every
//! slug looks the same until it is claimed, and a wrong slug counts as a wrong
//! code, so the links cannot be used to search for eggs.

use leptos::prelude::*;
use leptos::server_fn::ServerFnError;

#[cfg(feature = "ssr")]
use super::ssr;
use crate::models::*;

/// What `/egg/{slug}` shows before anything is claimed.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum EggView {
    /// A button to open it: the same for every slug, real or not.
    Closed,
    /// This player found it before: its reward and secret again.
    Found(Granted),
}

/// The slug as the database can hold it, or `None` for one no egg can have
/// (still a wrong guess, but never sent to a query).
#[cfg(feature = "ssr")]
fn egg_slug(slug: &str) -> Option<&str> {
    let valid = (1..=64).contains(&slug.len())
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    valid.then_some(slug)
}

/// The page's state for the signed-in player; reads only.
#[server(endpoint = "load_egg")]
pub async fn load_egg(slug: String) -> Result<EggView, ServerFnError> {
    let request = ssr::Request::load().await?;
    let player = request.require_player(&format!("/egg/{}", egg_slug(&slug).unwrap_or("")))?;
    let Some(slug) = egg_slug(&slug) else {
        return Ok(EggView::Closed);
    };
    use crate::core::player_views;
    let earlier = player_views::found_egg(&request.pool, slug, player.id)
        .await
        .map_err(ssr::internal)?;
    let shown = match earlier {
        Some(id) => player_views::past_grant(&request.pool, id, player.id, request.locale, true)
            .await
            .map_err(ssr::internal)?,
        None => None,
    };
    Ok(shown.map_or(EggView::Closed, EggView::Found))
}

/// Claims an easter egg for the signed-in player, through the lockout guard
/// like a typed code. A plain form post comes back to `/egg/{slug}` with the
/// outcome in the address.
#[server(endpoint = "claim_egg")]
pub async fn claim_egg(slug: String) -> Result<RedeemOutcome, ServerFnError> {
    use crate::core::{ActivationError, ActivationRequest, Channel, CodeRef};
    let request = ssr::Request::load().await?;
    let Some(player) = request.player() else {
        return Ok(RedeemOutcome::Refused(Refusal::of(
            RefusalKind::UnknownPlayer,
        )));
    };
    let known_shape = egg_slug(&slug);
    let egg = ActivationRequest {
        player_id: player.id,
        // A slug no egg can have is looked up as the empty one: never found.
        code: CodeRef::EggSlug(known_shape.unwrap_or("").to_owned()),
        channel: Channel::Egg,
    };
    let outcome = match request
        .guard
        .activate(&request.pool, &egg, request.ip)
        .await
    {
        Ok(activation) => RedeemOutcome::Granted(
            crate::core::player_views::granted(
                &request.pool,
                request.guard.cache(),
                &activation,
                request.locale,
            )
            .await
            .map_err(ssr::internal)?,
        ),
        Err(ActivationError::AlreadyActivated) => match load_egg(slug.clone()).await? {
            EggView::Found(granted) => RedeemOutcome::Granted(granted),
            EggView::Closed => return Err(ssr::internal("an activated egg has no activation")),
        },
        Err(e) if e.kind() == RefusalKind::Internal => return Err(ssr::internal(e)),
        Err(refusal) => RedeemOutcome::Refused(super::refusal_of(&refusal, String::new())),
    };
    if request.no_js {
        let back = format!("/egg/{}", known_shape.unwrap_or("unknown"));
        leptos_axum::redirect(&format!("{back}?{}", outcome.to_query()));
    }
    Ok(outcome)
}
