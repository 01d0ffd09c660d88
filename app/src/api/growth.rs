//! The player's side of referrals and quests: their invite link and what it
//! brought, an invite's landing page, and their quests with progress.

use leptos::prelude::*;
use leptos::server_fn::ServerFnError;

#[cfg(feature = "ssr")]
use super::ssr;
use model::growth::{InviteLanding, InviteSummary, QuestView};

#[server(endpoint = "my_invite")]
pub async fn my_invite() -> Result<InviteSummary, ServerFnError> {
    let request = ssr::Request::load().await?;
    let player = request.require_player("/invite")?;
    crate::core::referrals::summary(&request.pool, player.id)
        .await
        .map_err(ssr::internal)
}

/// Who invites with `code` (None: no one does).
#[server(endpoint = "invite")]
pub async fn invite(code: String) -> Result<Option<InviteLanding>, ServerFnError> {
    let request = ssr::Request::load().await?;
    let Some((_, inviter)) = crate::core::referrals::inviter(&request.pool, &code)
        .await
        .map_err(ssr::internal)?
    else {
        return Ok(None);
    };
    let offer = crate::core::referrals::offer(&request.pool)
        .await
        .map_err(ssr::internal)?;
    Ok(Some(InviteLanding {
        code: crate::core::referrals::normalize_invite(&code).unwrap_or_default(),
        inviter,
        offer,
    }))
}

#[server(endpoint = "my_quests")]
pub async fn my_quests() -> Result<Vec<QuestView>, ServerFnError> {
    use crate::core::locale::Locale;
    let request = ssr::Request::load().await?;
    let player = request.require_player("/quests")?;
    crate::core::quests::for_player(&request.pool, player.id, Locale::of(request.locale))
        .await
        .map_err(ssr::internal)
}

/// What wants the player's attention, in priority order.
#[server(endpoint = "attention")]
pub async fn attention() -> Result<Vec<model::growth::ForYou>, ServerFnError> {
    use crate::core::locale::Locale;
    let request = ssr::Request::load().await?;
    let player = request.require_player("/redeem")?;
    crate::core::attention::for_you(&request.pool, player.id, Locale::of(request.locale))
        .await
        .map_err(ssr::internal)
}
