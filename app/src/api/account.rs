//! Player accounts: sign in (password, counted against the account's failed
//! sign-ins), sign up, sign out, and changing one's password, which ends
//! every other session of the account; whether the player hears about new
//! codes.

use leptos::prelude::*;
use leptos::server_fn::ServerFnError;

#[cfg(feature = "ssr")]
use super::ssr;
use crate::models::FormError;
#[cfg(feature = "ssr")]
use crate::navigation::{safe_next, PLAYER_HOME};

/// After a refused plain post: back to `page` with the error and `extra`.
#[cfg(feature = "ssr")]
fn back_with(request: &ssr::Request, page: &str, error: &FormError, extra: &[(&str, &str)]) {
    if request.no_js {
        leptos_axum::redirect(&format!("{page}?{}", error.to_query(extra)));
    }
}

#[server(endpoint = "sign_in")]
pub async fn sign_in(
    username: String,
    password: String,
    next: String,
) -> Result<Option<FormError>, ServerFnError> {
    use crate::core::{auth, Error};
    let mut request = ssr::Request::load().await?;
    let next = safe_next(&next, PLAYER_HOME).to_owned();
    let policy = request.guard.policy().sign_in.clone();
    let error = match auth::check_password(&request.pool, &policy, &username, &password).await {
        Ok(user) => {
            remember_language(&user.locale);
            crate::auth::start_session(&mut request.session, user)
                .await
                .map_err(ssr::internal)?;
            leptos_axum::redirect(&next);
            return Ok(None);
        }
        Err(Error::WrongCredentials) => FormError::new("signin-error-credentials"),
        Err(Error::SignInWait { until }) => FormError::wait(
            "signin-error-wait",
            crate::core::sign_in_limit::seconds_until(until),
        ),
        Err(e) => return Err(ssr::internal(e)),
    };
    back_with(&request, "/signin", &error, &[("next", &next)]);
    Ok(Some(error))
}

#[server(endpoint = "sign_up")]
pub async fn sign_up(
    username: String,
    password: String,
    confirm: String,
    next: String,
    /// The invite the player came with (`/r/{code}`), if any.
    #[server(default)]
    invite: Option<String>,
) -> Result<Option<FormError>, ServerFnError> {
    use crate::core::{auth, Error};
    let mut request = ssr::Request::load().await?;
    let next = safe_next(&next, PLAYER_HOME).to_owned();
    let invite = invite.map(|code| auth::SignUpInvite {
        code,
        address: request.ip,
    });
    match auth::sign_up(
        &request.pool,
        &username,
        &password,
        &confirm,
        request.locale,
        invite.as_ref(),
    )
    .await
    {
        Ok((user, _)) => {
            crate::auth::start_session(&mut request.session, user)
                .await
                .map_err(ssr::internal)?;
            leptos_axum::redirect(&next);
            Ok(None)
        }
        Err(Error::Invalid(problems)) => {
            let error = FormError::new(account_message(problems.first()));
            let typed: String = username
                .chars()
                .filter(|c| !c.is_control())
                .take(40)
                .collect();
            back_with(
                &request,
                "/signup",
                &error,
                &[
                    ("username", &typed),
                    ("next", &next),
                    (
                        "invite",
                        &invite
                            .as_ref()
                            .and_then(|i| crate::core::referrals::normalize_invite(&i.code))
                            .unwrap_or_default(),
                    ),
                ],
            );
            Ok(Some(error))
        }
        Err(e) => Err(ssr::internal(e)),
    }
}

#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), ServerFnError> {
    let mut request = ssr::Request::load().await?;
    request.session.logout().await.map_err(ssr::internal)?;
    leptos_axum::redirect("/");
    Ok(())
}

/// Changes the signed-in player's password. Every other session of the
/// account ends (axum-login checks the password hash on each request); this
/// one continues under a fresh session id.
#[server(endpoint = "change_password")]
pub async fn change_password(
    current: String,
    password: String,
    confirm: String,
) -> Result<Option<FormError>, ServerFnError> {
    use crate::core::{auth, Error};
    let mut request = ssr::Request::load().await?;
    let Some(player) = request.player().cloned() else {
        return Err(ssr::unauthorized());
    };
    let policy = request.guard.policy().sign_in.clone();
    let result = auth::change_password(
        &request.pool,
        &policy,
        player.id,
        &current,
        &password,
        &confirm,
    )
    .await;
    let error = match result {
        Ok(user) => {
            crate::auth::start_session(&mut request.session, user)
                .await
                .map_err(ssr::internal)?;
            if request.no_js {
                leptos_axum::redirect("/account?changed=1");
            }
            return Ok(None);
        }
        Err(Error::WrongCredentials) => FormError::new("account-error-current"),
        Err(Error::SignInWait { until }) => FormError::wait(
            "signin-error-wait",
            crate::core::sign_in_limit::seconds_until(until),
        ),
        Err(Error::Invalid(problems)) => FormError::new(account_message(problems.first())),
        Err(e) => return Err(ssr::internal(e)),
    };
    back_with(&request, "/account", &error, &[]);
    Ok(Some(error))
}

/// Whether the signed-in player hears about new codes.
#[server(endpoint = "announcements")]
pub async fn announcements() -> Result<bool, ServerFnError> {
    let request = ssr::Request::load().await?;
    let player = request.require_player("/account")?;
    crate::core::preferences::announcements(&request.pool, player.id)
        .await
        .map_err(ssr::internal)
}

/// Turns announcements of new codes on or off for the signed-in player.
#[server(endpoint = "set_announcements")]
pub async fn set_announcements(on: bool) -> Result<(), ServerFnError> {
    let request = ssr::Request::load().await?;
    let Some(player) = request.player() else {
        return Err(ssr::unauthorized());
    };
    crate::core::preferences::set_announcements(&request.pool, player.id, on)
        .await
        .map_err(ssr::internal)?;
    if request.no_js {
        leptos_axum::redirect("/account");
    }
    Ok(())
}

/// The message of an account's problem (the sign-up form's words).
#[cfg(feature = "ssr")]
fn account_message(problem: Option<&crate::core::Problem>) -> &'static str {
    use crate::core::Problem;
    match problem {
        Some(Problem::Username) => "signup-error-username",
        Some(Problem::ShortPassword) => "signup-error-password",
        Some(Problem::PasswordsDiffer) => "signup-error-confirm",
        Some(Problem::UsernameTaken) => "signup-error-taken",
        _ => "error-internal",
    }
}

/// Sets the language cookie to the account's language at sign-in.
#[cfg(feature = "ssr")]
fn remember_language(locale: &str) {
    if let (Some(response), Ok(cookie)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(&crate::i18n::language_cookie(locale)),
    ) {
        response.append_header(http::header::SET_COOKIE, cookie);
    }
}
