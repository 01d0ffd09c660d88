//! The axum router: the Leptos pages and server functions (with the pool in
//! their context), sessions and player authentication, the language switch,
//! platform sign-in links, static files, and the health endpoints.

use axum::extract::{FromRef, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use axum_login::{AuthManagerLayerBuilder, AuthnBackend};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use serde::Deserialize;
use sqlx::PgPool;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::metrics::MetricsAccess;
use crate::throttle::{self, Throttle};
use std::sync::Arc;

use app::auth::{PlayerBackend, PlayerSession, SessionTable, SignedIn, PLAYER_DATA_KEY};
use app::core::abuse::Guard;
use app::core::auth;
use app::navigation::{safe_next, sign_in_path, PLAYER_HOME};
use app::settings::Settings;
use app::{shell, App};

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub pool: PgPool,
    /// Wrong-code lockouts (shared through the database).
    pub guard: Guard,
    /// Request rate limits (per process).
    pub throttle: Arc<Throttle>,
    /// What handlers and server functions need of the configuration.
    pub settings: Settings,
    /// Who may read `/metrics` here (see `metrics`).
    pub metrics: MetricsAccess,
}

/// A report's range in the address (both may be empty: the default range).
#[derive(Deserialize)]
struct RangeParams {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let pool = state.pool.clone();
    let guard = state.guard.clone();
    let settings = state.settings.clone();
    let options = state.leptos_options.clone();
    let exports = crate::admin::ExportSlots::new(MAX_EXPORTS);
    // Sessions and their players remembered for as long as codes are
    // (`SignedIn`), kept current by announcements from every instance.
    let signed_in = SignedIn::new(state.guard.cache().bound(), SIGNED_IN_CAPACITY);
    tokio::spawn(app::core::notices::follow(
        state.pool.clone(),
        signed_in.clone(),
    ));
    let store = SessionTable::new(state.pool.clone(), signed_in.clone());
    let sessions = SessionManagerLayer::new(store)
        .with_name("promocodes.sid")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.settings.secure_cookies)
        .with_expiry(Expiry::OnInactivity(
            time::Duration::try_from(state.settings.player_idle)
                .unwrap_or(time::Duration::days(30)),
        ));
    let auth = AuthManagerLayerBuilder::new(
        PlayerBackend::new(
            state.pool.clone(),
            state.guard.policy().sign_in.clone(),
            signed_in,
        ),
        sessions,
    )
    .with_data_key(PLAYER_DATA_KEY)
    .build();
    let api = crate::api::router(crate::api::ApiState {
        pool: state.pool.clone(),
        guard: state.guard.clone(),
        settings: state.settings.clone(),
        throttle: state.throttle.clone(),
    })
    .route_layer(axum::middleware::from_fn(crate::metrics::track));
    let in_flight = state.throttle.in_flight();
    let site = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(crate::metrics::guarded))
        .route("/lang/{locale}", get(switch_language))
        .route("/auth/link", get(sign_in_link))
        .route(
            "/admin/export/codes.csv",
            get({
                let exports = exports.clone();
                move |State(pool): State<PgPool>,
                      State(settings): State<Settings>,
                      Query(filter): Query<app::admin::models::CodeFilter>,
                      request: axum::extract::Request| {
                    crate::admin::export_codes(
                        pool,
                        settings.admin_idle,
                        exports.clone(),
                        filter,
                        request,
                    )
                }
            }),
        )
        .route(
            "/admin/codes/{id}/players.csv",
            get({
                let exports = exports.clone();
                move |State(pool): State<PgPool>,
                      State(settings): State<Settings>,
                      Path(id): Path<i64>,
                      request: axum::extract::Request| {
                    crate::admin::export_code_players(
                        pool,
                        settings.admin_idle,
                        exports.clone(),
                        id,
                        request,
                    )
                }
            }),
        )
        .route(
            "/admin/partners/{id}/payouts.csv",
            get(
                move |State(pool): State<PgPool>,
                      State(settings): State<Settings>,
                      Path(id): Path<i64>,
                      Query(range): Query<RangeParams>,
                      request: axum::extract::Request| {
                    crate::admin::export_payouts(
                        pool,
                        settings.admin_idle,
                        exports.clone(),
                        (id, (range.from, range.to)),
                        request,
                    )
                },
            ),
        )
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                provide_context(pool.clone());
                provide_context(guard.clone());
                provide_context(settings.clone());
            },
            move || shell(options.clone()),
        )
        .route_layer(axum::middleware::from_fn(crate::metrics::track))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(axum::middleware::from_fn(require_player))
        .layer(axum::middleware::from_fn_with_state(
            (state.pool.clone(), state.settings.admin_idle),
            crate::admin::require_admin,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.throttle.clone(),
            throttle::by_player,
        ))
        .layer(auth)
        .layer(axum::middleware::from_fn_with_state(
            state.settings.public_url.clone(),
            crate::admin::same_origin,
        ))
        .layer(axum::middleware::from_fn(
            crate::plain_pages::unreadable_calls_are_400,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.throttle.clone(),
            throttle::by_address,
        ))
        .with_state(state);
    // The API has its own authentication, throttle and errors: none of the
    // site's sessions, page throttles or same-origin check. Load shedding
    // covers both.
    Router::new()
        .nest("/api/v1", api)
        .merge(site)
        .layer(axum::middleware::from_fn_with_state(
            in_flight,
            crate::shed::limit,
        ))
}

/// Deletes expired sessions every hour (loading one checks its expiry
/// anyway; this keeps the table small).
pub async fn delete_expired_sessions(pool: PgPool) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        tick.tick().await;
        if let Err(e) = app::core::browser_sessions::delete_expired(&pool).await {
            tracing::warn!(error = %e, "deleting expired sessions");
        }
    }
}

/// Sessions (and as many players) each process remembers at most.
const SIGNED_IN_CAPACITY: u64 = 100_000;

/// CSV exports streaming at once in this process (see `ExportSlots`).
pub const MAX_EXPORTS: usize = 2;

/// The background work of abuse protection: following block notices from
/// every instance, looking for a service-wide spike of wrong codes every 10
/// seconds, pruning stale limiter keys and old wrong-code records.
pub fn spawn_abuse_workers(
    pool: &PgPool,
    guard: &Guard,
    throttle: &Arc<Throttle>,
) -> Vec<tokio::task::JoinHandle<()>> {
    let follow = tokio::spawn(guard.clone().follow(pool.clone()));
    let sweep = tokio::spawn({
        let (pool, guard, throttle) = (pool.clone(), guard.clone(), throttle.clone());
        async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(10));
            for round in 0u64.. {
                tick.tick().await;
                throttle.prune();
                guard.prune();
                if let Err(e) = guard.detect_spike(&pool).await {
                    tracing::warn!(error = %e, "looking for a wrong-code spike");
                }
                if round % 360 == 0 {
                    if let Err(e) = app::core::abuse::prune_failures(&pool).await {
                        tracing::warn!(error = %e, "pruning old wrong-code records");
                    }
                }
            }
        }
    });
    vec![follow, sweep]
}

/// Pages that need a signed-in player.
const PLAYER_PAGES: &[&str] = &[
    "/redeem",
    "/wallet",
    "/notifications",
    "/activations",
    "/my-codes",
    "/account",
];

/// A signed-out visitor asking for a player page is sent to sign in and back.
/// Decided here, before rendering, so it holds with and without JavaScript.
/// Every `/egg/…` address does the same, real or not, so a signed-out visitor
/// cannot tell which ones hide something.
async fn require_player(
    session: PlayerSession,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let path = request.uri().path();
    if session.user.is_none()
        && request.method() == axum::http::Method::GET
        && (PLAYER_PAGES.contains(&path) || path.starts_with("/egg/"))
    {
        let here = request
            .uri()
            .path_and_query()
            .map_or(path, |pq| pq.as_str());
        return Redirect::to(&sign_in_path(here)).into_response();
    }
    next.run(request).await
}

/// Ready when the database answers.
async fn readyz(State(pool): State<PgPool>) -> (StatusCode, &'static str) {
    match app::core::health::database_answers(&pool).await {
        Ok(_) => (StatusCode::OK, "ready"),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

#[derive(Deserialize)]
struct Next {
    next: Option<String>,
}

/// `/lang/{en|ru}?next=/path`: remembers the language in a cookie and, for a
/// signed-in player, in their profile; then goes back. A plain link, so it
/// works without JavaScript.
async fn switch_language(
    Path(locale): Path<String>,
    Query(query): Query<Next>,
    State(pool): State<PgPool>,
    session: PlayerSession,
) -> Response {
    if !app::i18n::LOCALES.contains(&locale.as_str()) {
        return StatusCode::NOT_FOUND.into_response();
    }
    if let Some(player) = &session.user {
        if let Err(e) = auth::set_locale(&pool, player.id, &locale).await {
            tracing::warn!(error = %e, "could not store the player's language");
        }
    }
    let back = safe_next(query.next.as_deref().unwrap_or("/"), PLAYER_HOME).to_owned();
    (
        AppendHeaders([(header::SET_COOKIE, app::i18n::language_cookie(&locale))]),
        Redirect::to(&back),
    )
        .into_response()
}

#[derive(Deserialize)]
struct LinkQuery {
    // Strings, parsed below: a malformed link gets the same clear page as a forged one.
    player: Option<String>,
    expires: Option<String>,
    sig: Option<String>,
    next: Option<String>,
}

/// `/auth/link?player=ID&expires=UNIX&sig=HMAC&next=/redeem`: the host
/// platform signs a player in directly. A forged or expired link lands on the
/// sign-in page, which says so.
async fn sign_in_link(
    Query(query): Query<LinkQuery>,
    State(settings): State<Settings>,
    mut session: PlayerSession,
) -> Response {
    let refuse = |why: &str| Redirect::to(&format!("/signin?link={why}")).into_response();
    let number = |v: &Option<String>| v.as_deref().and_then(|v| v.parse::<i64>().ok());
    let (Some(player_id), Some(expires), Some(sig)) = (
        number(&query.player),
        number(&query.expires),
        query.sig.as_deref(),
    ) else {
        return refuse("invalid");
    };
    match auth::verify_link(
        settings.link_secret(),
        player_id,
        expires,
        sig,
        chrono::Utc::now().timestamp(),
    ) {
        Err(app::core::Error::LinkExpired) => return refuse("expired"),
        Err(_) => return refuse("invalid"),
        Ok(()) => {}
    }
    let user = match session.backend.get_user(&player_id).await {
        Ok(Some(user)) => user,
        Ok(None) => return refuse("invalid"),
        Err(e) => {
            tracing::error!(error = %e, "loading a linked player");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    if let Err(e) = app::auth::start_session(&mut session, user.0.clone()).await {
        tracing::error!(error = %e, "signing in through a link");
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    let next = safe_next(query.next.as_deref().unwrap_or(PLAYER_HOME), PLAYER_HOME).to_owned();
    (
        AppendHeaders([(header::SET_COOKIE, app::i18n::language_cookie(&user.locale))]),
        Redirect::to(&next),
    )
        .into_response()
}
