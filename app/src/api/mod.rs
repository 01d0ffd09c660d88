//! Server functions: thin adapters that read the request (session, language,
//! whether JavaScript made it), call the core, and shape the answer. A plain
//! form post (no JavaScript) gets a redirect whose address carries the outcome.

use leptos::prelude::*;
use leptos::server_fn::ServerFnError;

use crate::models::*;

mod account;
mod egg;
mod growth;
pub use account::*;
pub use egg::*;
pub use growth::*;

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use leptos::prelude::*;
    use leptos::server_fn::ServerFnError;
    use sqlx::PgPool;

    use crate::auth::{PlayerSession, PlayerUser};
    use crate::i18n::LANGUAGE_COOKIE;

    /// What every server function needs from the request.
    pub struct Request {
        pub pool: PgPool,
        pub session: PlayerSession,
        pub locale: &'static str,
        /// A plain form post: answer with a redirect, not data.
        pub no_js: bool,
        /// The client's address, as the router's throttling layer found it.
        pub ip: Option<std::net::IpAddr>,
        /// The lockout guard every typed code goes through.
        pub guard: crate::core::abuse::Guard,
    }

    impl Request {
        pub async fn load() -> Result<Self, ServerFnError> {
            let pool = use_context::<PgPool>()
                .ok_or_else(|| ServerFnError::new("no database pool in context"))?;
            let guard = use_context::<crate::core::abuse::Guard>()
                .ok_or_else(|| ServerFnError::new("no abuse guard in context"))?;
            let parts: http::request::Parts = leptos_axum::extract().await?;
            let session = parts
                .extensions
                .get::<PlayerSession>()
                .cloned()
                .ok_or_else(|| ServerFnError::new("no session layer"))?;
            let header = |name: http::HeaderName| {
                parts
                    .headers
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
            };
            let locale = locale_from(
                header(http::header::COOKIE),
                header(http::header::ACCEPT_LANGUAGE),
            );
            let no_js = header(http::header::ACCEPT).contains("text/html");
            let ip = parts
                .extensions
                .get::<crate::core::abuse::ClientIp>()
                .map(|ip| ip.0);
            Ok(Self {
                pool,
                session,
                locale,
                no_js,
                ip,
                guard,
            })
        }

        pub fn player(&self) -> Option<&PlayerUser> {
            self.session.user.as_ref()
        }

        /// The player, or (for a page load) a redirect to sign in and back.
        pub fn require_player(&self, back_to: &str) -> Result<&PlayerUser, ServerFnError> {
            match self.player() {
                Some(player) => Ok(player),
                None => {
                    leptos_axum::redirect(&crate::navigation::sign_in_path(back_to));
                    Err(unauthorized())
                }
            }
        }
    }

    /// The language of this request: the language cookie, else Accept-Language, else English.
    pub fn locale_from(cookie_header: &str, accept_language: &str) -> &'static str {
        let from_cookie = cookie_header
            .split(';')
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == LANGUAGE_COOKIE)
            .map(|(_, value)| value.trim());
        let chosen = from_cookie.or_else(|| {
            accept_language
                .split(',')
                .map(|item| item.split(';').next().unwrap_or("").trim())
                .find(|tag| {
                    let primary = tag.split('-').next().unwrap_or("").to_ascii_lowercase();
                    primary == "en" || primary == "ru"
                })
        });
        match chosen.map(|tag| tag.split('-').next().unwrap_or("").to_ascii_lowercase()) {
            Some(lang) if lang == "ru" => "ru",
            _ => "en",
        }
    }

    /// 401: this needs a signed-in player.
    pub fn unauthorized() -> ServerFnError {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            // A page load already redirected to sign in keeps its redirect.
            if response.0.read().is_ok_and(|parts| parts.status.is_none()) {
                response.set_status(http::StatusCode::UNAUTHORIZED);
            }
        }
        ServerFnError::new("sign in required")
    }

    /// Logs an internal failure and hides its details from the player.
    pub fn internal(error: impl std::fmt::Display) -> ServerFnError {
        tracing::error!(%error, "server function failed");
        ServerFnError::new("internal")
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn the_cookie_wins_then_accept_language() {
            assert_eq!(locale_from("promocodes-lang=ru", "en-US"), "ru");
            assert_eq!(locale_from("a=b; promocodes-lang=en", "ru"), "en");
            assert_eq!(locale_from("", "ru-RU,ru;q=0.9,en;q=0.8"), "ru");
            assert_eq!(locale_from("", "de-DE,en;q=0.5"), "en");
            assert_eq!(locale_from("promocodes-language=ru", "fr"), "en");
        }
    }
}

#[cfg(feature = "ssr")]
pub use ssr::locale_from;

/// The header's view of the session.
#[server(endpoint = "current_player")]
pub async fn current_player() -> Result<Option<PlayerSummary>, ServerFnError> {
    let request = ssr::Request::load().await?;
    let Some(player) = request.player() else {
        return Ok(None);
    };
    let unread = crate::core::player_views::unread_count(&request.pool, player.id)
        .await
        .map_err(ssr::internal)?;
    Ok(Some(PlayerSummary {
        username: player.username.clone(),
        unread,
    }))
}

/// Redeems a typed code for the signed-in player.
#[server(endpoint = "redeem")]
pub async fn redeem(code: String) -> Result<RedeemOutcome, ServerFnError> {
    use crate::core::{ActivationError, ActivationRequest, Channel, CodeRef, PromoCodeText};
    let request = ssr::Request::load().await?;
    let outcome = match request.player() {
        None => RedeemOutcome::Refused(Refusal {
            code: code.clone(),
            ..Refusal::of(RefusalKind::UnknownPlayer)
        }),
        Some(player) => {
            let result = match PromoCodeText::parse(&code) {
                Err(e) => Err(ActivationError::from(e)),
                Ok(text) => {
                    let activation = ActivationRequest {
                        player_id: player.id,
                        code: CodeRef::Text(text),
                        channel: Channel::Form,
                    };
                    request
                        .guard
                        .activate(&request.pool, &activation, request.ip)
                        .await
                }
            };
            match result {
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
                Err(e) if e.kind() == RefusalKind::Internal => return Err(ssr::internal(e)),
                Err(refusal) => {
                    tracing::info!(
                        player = player.id,
                        refusal = refusal.kind().as_str(),
                        "redeem refused"
                    );
                    RedeemOutcome::Refused(refusal_of(&refusal, code.clone()))
                }
            }
        }
    };
    if request.no_js {
        leptos_axum::redirect(&format!("/redeem?{}", outcome.to_query()));
    }
    Ok(outcome)
}

/// A granted activation of the signed-in player, shown after a plain form post.
#[server(endpoint = "activation_outcome")]
pub async fn activation_outcome(activation_id: i64) -> Result<Option<Granted>, ServerFnError> {
    let request = ssr::Request::load().await?;
    let player = request.require_player("/redeem")?;
    crate::core::player_views::past_grant(
        &request.pool,
        activation_id,
        player.id,
        request.locale,
        false,
    )
    .await
    .map_err(ssr::internal)
}

/// What the player is told about a refusal from the core.
#[cfg(feature = "ssr")]
fn refusal_of(error: &crate::core::ActivationError, code: String) -> Refusal {
    use crate::core::ActivationError;
    let starts_at = match error {
        ActivationError::NotStarted { starts_at } => Some(*starts_at),
        _ => None,
    };
    let until = match error {
        ActivationError::LockedOut { until } | ActivationError::Cooldown { until } => Some(*until),
        _ => None,
    };
    Refusal {
        kind: error.kind().for_player(),
        starts_at,
        until,
        code,
    }
}

#[server(endpoint = "load_wallet")]
pub async fn load_wallet(page: i64) -> Result<Wallet, ServerFnError> {
    let request = ssr::Request::load().await?;
    let player = request.require_player("/wallet")?;
    crate::core::player_views::wallet(&request.pool, player.id, page)
        .await
        .map_err(ssr::internal)
}

#[server(endpoint = "my_activations")]
pub async fn my_activations(page: i64) -> Result<ActivationPage, ServerFnError> {
    let request = ssr::Request::load().await?;
    let player = request.require_player("/activations")?;
    crate::core::player_views::activations(&request.pool, player.id, page)
        .await
        .map_err(ssr::internal)
}

/// The codes issued to the signed-in player alone.
#[server(endpoint = "my_codes")]
pub async fn my_codes(page: i64) -> Result<PersonalCodePage, ServerFnError> {
    let request = ssr::Request::load().await?;
    let player = request.require_player("/my-codes")?;
    crate::core::personal::owned(&request.pool, player.id, page)
        .await
        .map_err(ssr::internal)
}

#[server(endpoint = "notifications")]
pub async fn notifications(page: i64) -> Result<NotificationPage, ServerFnError> {
    let request = ssr::Request::load().await?;
    let player = request.require_player("/notifications")?;
    crate::core::player_views::notifications(&request.pool, player.id, page)
        .await
        .map_err(ssr::internal)
}

/// Marks one notification read, or all of them when `id` is absent.
#[server(endpoint = "mark_read")]
pub async fn mark_read(id: Option<i64>) -> Result<(), ServerFnError> {
    let request = ssr::Request::load().await?;
    let Some(player) = request.player() else {
        return Err(ssr::unauthorized());
    };
    crate::core::player_views::mark_read(&request.pool, player.id, id)
        .await
        .map_err(ssr::internal)?;
    if request.no_js {
        leptos_axum::redirect("/notifications");
    }
    Ok(())
}
