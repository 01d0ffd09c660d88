//! Server functions: thin adapters that read the request (session, language,
//! whether JavaScript made it), call the core, and shape the answer. A plain
//! form post (no JavaScript) gets a redirect whose address carries the outcome.

use leptos::prelude::*;
use leptos::server_fn::ServerFnError;

use crate::models::*;

mod account;
mod egg;
pub use account::*;
pub use egg::*;

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

/// LIMIT and OFFSET for `page` (from 1): one row more than a page, to know whether another follows.
#[cfg(feature = "ssr")]
fn page_window(page: i64) -> (i64, i64) {
    (PAGE_SIZE + 1, (page - 1) * PAGE_SIZE)
}

/// Cuts the extra row `page_window` fetched; true when there is a next page.
#[cfg(feature = "ssr")]
fn has_next_page<T>(rows: &mut Vec<T>) -> bool {
    let more = rows.len() as i64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    more
}

/// The header's view of the session.
#[server]
pub async fn current_player() -> Result<Option<PlayerSummary>, ServerFnError> {
    let request = ssr::Request::load().await?;
    let Some(player) = request.player() else {
        return Ok(None);
    };
    let unread = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM notifications WHERE player_id = $1 AND read_at IS NULL"#,
        player.id
    )
    .fetch_one(&request.pool)
    .await
    .map_err(ssr::internal)?;
    Ok(Some(PlayerSummary {
        username: player.username.clone(),
        unread,
    }))
}

/// Redeems a typed code for the signed-in player.
#[server]
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
                    granted_existing(
                        &request.pool,
                        activation.activation_id,
                        player.id,
                        request.locale,
                        false,
                    )
                    .await?,
                ),
                Err(ActivationError::Database(e)) => return Err(ssr::internal(e)),
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
#[server]
pub async fn activation_outcome(activation_id: i64) -> Result<Option<Granted>, ServerFnError> {
    let request = ssr::Request::load().await?;
    let player = request.require_player("/redeem")?;
    granted(
        &request.pool,
        activation_id,
        player.id,
        request.locale,
        false,
    )
    .await
}

/// Loads what the success view shows, in the request's language.
#[cfg(feature = "ssr")]
async fn granted(
    pool: &sqlx::PgPool,
    activation_id: i64,
    player_id: i64,
    locale: &str,
    earlier: bool,
) -> Result<Option<Granted>, ServerFnError> {
    let row = sqlx::query!(
        r#"
        SELECT a.id, c.name, a.reward, a.currency,
               (SELECT l.balance_after FROM ledger_entries l WHERE l.activation_id = a.id) AS "balance_after!",
               COALESCE(t.description, en.description, '') AS "description!",
               COALESCE(t.secret_message, en.secret_message, '') AS "secret_message!"
          FROM activations a
          JOIN promo_codes c ON c.id = a.code_id
          LEFT JOIN promo_code_texts t ON t.code_id = c.id AND t.locale = $3
          LEFT JOIN promo_code_texts en ON en.code_id = c.id AND en.locale = 'en'
         WHERE a.id = $1 AND a.player_id = $2
        "#,
        activation_id,
        player_id,
        locale
    )
    .fetch_optional(pool)
    .await
    .map_err(ssr::internal)?;
    Ok(row.map(|r| Granted {
        activation_id: r.id,
        code: r.name,
        reward: r.reward,
        currency: r.currency,
        balance_after: r.balance_after,
        description: r.description,
        secret_message: r.secret_message,
        earlier,
    }))
}

/// `granted` for an activation that must exist (just made, or just found).
#[cfg(feature = "ssr")]
async fn granted_existing(
    pool: &sqlx::PgPool,
    activation_id: i64,
    player_id: i64,
    locale: &str,
    earlier: bool,
) -> Result<Granted, ServerFnError> {
    granted(pool, activation_id, player_id, locale, earlier)
        .await?
        .ok_or_else(|| ssr::internal("an activation vanished"))
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

#[server]
pub async fn load_wallet(page: i64) -> Result<Wallet, ServerFnError> {
    let request = ssr::Request::load().await?;
    let player = request.require_player("/wallet")?;
    let page = page_number(page);
    let (limit, offset) = page_window(page);
    let balances = sqlx::query_as!(
        Balance,
        "SELECT currency, amount FROM balances WHERE player_id = $1 ORDER BY currency",
        player.id
    )
    .fetch_all(&request.pool)
    .await
    .map_err(ssr::internal)?;
    let mut lines = sqlx::query_as!(
        LedgerLine,
        r#"
        SELECT l.created_at AS "at: chrono::DateTime<chrono::Utc>", l.amount, l.currency, l.balance_after, c.name AS "code?"
          FROM ledger_entries l
          LEFT JOIN activations a ON a.id = l.activation_id
          LEFT JOIN promo_codes c ON c.id = a.code_id
         WHERE l.player_id = $1
         ORDER BY l.id DESC
         LIMIT $2 OFFSET $3
        "#,
        player.id,
        limit,
        offset
    )
    .fetch_all(&request.pool)
    .await
    .map_err(ssr::internal)?;
    let has_next = has_next_page(&mut lines);
    Ok(Wallet {
        balances,
        lines,
        page,
        has_next,
    })
}

#[server]
pub async fn my_activations(page: i64) -> Result<ActivationPage, ServerFnError> {
    let request = ssr::Request::load().await?;
    let player = request.require_player("/activations")?;
    let page = page_number(page);
    let (limit, offset) = page_window(page);
    let mut lines = sqlx::query_as!(
        ActivationLine,
        r#"
        SELECT c.name AS code, a.reward, a.currency, a.channel, a.created_at AS "at: chrono::DateTime<chrono::Utc>"
          FROM activations a JOIN promo_codes c ON c.id = a.code_id
         WHERE a.player_id = $1
         ORDER BY a.created_at DESC, a.id DESC
         LIMIT $2 OFFSET $3
        "#,
        player.id,
        limit,
        offset
    )
    .fetch_all(&request.pool)
    .await
    .map_err(ssr::internal)?;
    let has_next = has_next_page(&mut lines);
    Ok(ActivationPage {
        lines,
        page,
        has_next,
    })
}

#[server]
pub async fn notifications(page: i64) -> Result<NotificationPage, ServerFnError> {
    let request = ssr::Request::load().await?;
    let player = request.require_player("/notifications")?;
    let page = page_number(page);
    let (limit, offset) = page_window(page);
    let mut lines = sqlx::query_as!(
        NotificationLine,
        r#"
        SELECT id, kind,
               COALESCE(params->>'code', '') AS "code!",
               COALESCE((params->>'reward')::bigint, 0) AS "reward!",
               COALESCE(params->>'currency', '') AS "currency!",
               created_at AS "at: chrono::DateTime<chrono::Utc>",
               read_at IS NOT NULL AS "read!"
          FROM notifications
         WHERE player_id = $1
         ORDER BY id DESC
         LIMIT $2 OFFSET $3
        "#,
        player.id,
        limit,
        offset
    )
    .fetch_all(&request.pool)
    .await
    .map_err(ssr::internal)?;
    let has_next = has_next_page(&mut lines);
    Ok(NotificationPage {
        lines,
        page,
        has_next,
    })
}

/// Marks one notification read, or all of them when `id` is absent.
#[server]
pub async fn mark_read(id: Option<i64>) -> Result<(), ServerFnError> {
    let request = ssr::Request::load().await?;
    let Some(player) = request.player() else {
        return Err(ssr::unauthorized());
    };
    sqlx::query!(
        "UPDATE notifications SET read_at = now() WHERE player_id = $1 AND read_at IS NULL AND ($2::bigint IS NULL OR id = $2)",
        player.id,
        id
    )
    .execute(&request.pool)
    .await
    .map_err(ssr::internal)?;
    if request.no_js {
        leptos_axum::redirect("/notifications");
    }
    Ok(())
}
