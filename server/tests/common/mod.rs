//! Shared fixtures for the integration tests: a roomy pool on the per-test
//! database, players, codes, and the bookkeeping invariant every test ends with.
#![allow(dead_code)]

pub mod api_client;
pub mod receiver;
pub mod served;
pub mod stats_fixture;

use std::sync::atomic::{AtomicU64, Ordering};

use app::core::abuse::{Guard, Policy};
use app::core::{
    activate, codes, Activation, ActivationError, ActivationRequest, Channel, CodeRef, NewCode,
    PromoCodeText,
};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use leptos::prelude::LeptosOptions;
use server::router::{router, AppState};
use server::throttle::{Throttle, ThrottleConfig};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;
use tower::ServiceExt;

/// The real router on this database, with the default limits.
pub async fn app(pool: &PgPool) -> Router {
    app_with(
        pool,
        Guard::new(Policy::default()),
        ThrottleConfig::default(),
    )
    .await
}

/// The real router with the given lockout guard and request limits.
pub async fn app_with(pool: &PgPool, guard: Guard, limits: ThrottleConfig) -> Router {
    app_with_metrics(pool, guard, limits, None).await
}

/// The same, serving `/metrics` to a bearer of `metrics_token`.
pub async fn app_with_metrics(
    pool: &PgPool,
    guard: Guard,
    limits: ThrottleConfig,
    metrics_token: Option<&str>,
) -> Router {
    let token = metrics_token.map(|t| secrecy::SecretString::from(t.to_owned()));
    let options = LeptosOptions::builder().output_name("promocodes").build();
    let secret = app::core::auth::link_secret(pool).await.unwrap();
    let settings = app::settings::Settings::new(
        "http://127.0.0.1:3000",
        std::time::Duration::from_secs(30 * 60),
        secret,
    );
    router(AppState {
        leptos_options: options,
        pool: pool.clone(),
        guard,
        throttle: Throttle::new(limits),
        settings,
        metrics: server::metrics::MetricsAccess::new(
            server::metrics::handle().unwrap(),
            token.as_ref(),
        ),
    })
}

/// What a request through the router came to.
pub struct Response {
    pub status: StatusCode,
    pub location: String,
    /// The session cookie it set, as `promocodes.sid=…`.
    pub cookie: Option<String>,
    pub retry_after: Option<u64>,
    pub body: String,
}

/// Sends a request through the router and reads the whole answer.
pub async fn send(app: &Router, request: Request<Body>) -> Response {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let location = response
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let cookie = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("promocodes.sid="))
        .map(|c| c.split(';').next().unwrap().to_owned());
    let retry_after = response
        .headers()
        .get(header::RETRY_AFTER)
        .map(|v| v.to_str().unwrap().parse().unwrap());
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    Response {
        status,
        location,
        cookie,
        retry_after,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// `#[sqlx::test]` pools allow 5 connections; concurrency tests want real parallelism.
pub async fn wide_pool(connect: PgConnectOptions) -> PgPool {
    PgPoolOptions::new()
        .max_connections(32)
        .connect_with(connect)
        .await
        .expect("connecting to the test database")
}

/// An admin (for what is audited), named `name`.
pub async fn admin(pool: &PgPool, name: &str) -> i64 {
    app::core::admins::create(
        pool,
        name,
        "an-admin-password",
        app::admin::models::Role::Admin,
        false,
    )
    .await
    .unwrap()
}

pub async fn player(pool: &PgPool) -> i64 {
    player_with(pool, "standard", &[]).await
}

pub async fn player_with(pool: &PgPool, tier: &str, tags: &[&str]) -> i64 {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let tags: Vec<String> = tags.iter().map(|t| t.to_string()).collect();
    sqlx::query_scalar!(
        "INSERT INTO players (username, tier, tags) VALUES ($1, $2, $3) RETURNING id",
        format!("player{n}-{}", std::process::id()),
        tier,
        &tags
    )
    .fetch_one(pool)
    .await
    .unwrap()
}

/// Inserts `count` players in one statement.
pub async fn players(pool: &PgPool, count: i64) -> Vec<i64> {
    static BATCH: AtomicU64 = AtomicU64::new(0);
    let batch = BATCH.fetch_add(1, Ordering::Relaxed);
    sqlx::query_scalar!(
        "INSERT INTO players (username) SELECT 'bulk' || $1::text || '-' || g FROM generate_series(1, $2::bigint) g RETURNING id",
        batch.to_string(),
        count
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

pub async fn code(pool: &PgPool, new: NewCode) -> i64 {
    codes::create(&mut pool.acquire().await.unwrap(), &new)
        .await
        .expect("creating a code")
}

pub fn fixed(name: &str, reward: i64) -> NewCode {
    NewCode {
        name: name.into(),
        initial_reward: reward,
        min_reward: reward,
        ..NewCode::default()
    }
}

pub async fn redeem(
    pool: &PgPool,
    player_id: i64,
    text: &str,
) -> Result<Activation, ActivationError> {
    let code = CodeRef::Text(PromoCodeText::parse(text)?);
    activate(
        &mut *pool.acquire().await?,
        &ActivationRequest {
            player_id,
            code,
            channel: Channel::Form,
        },
    )
    .await
}

pub async fn redeem_egg(
    pool: &PgPool,
    player_id: i64,
    slug: &str,
) -> Result<Activation, ActivationError> {
    let code = CodeRef::EggSlug(slug.into());
    activate(
        &mut *pool.acquire().await?,
        &ActivationRequest {
            player_id,
            code,
            channel: Channel::Egg,
        },
    )
    .await
}

/// Per currency, the ledger, the activations and the balances agree, every
/// activation has exactly one ledger entry, one notification and one event,
/// and each code's counter equals its activations.
pub async fn assert_books_balance(pool: &PgPool) {
    let mismatched = sqlx::query!(
        r#"
        WITH a AS (SELECT currency, sum(reward)::bigint AS total, count(*) AS n FROM activations GROUP BY currency),
             l AS (SELECT currency, sum(amount)::bigint AS total, count(*) AS n FROM ledger_entries WHERE source = 'promo_activation' GROUP BY currency),
             b AS (SELECT currency, sum(amount)::bigint AS total FROM balances GROUP BY currency)
        SELECT COALESCE(a.currency, l.currency, b.currency) AS currency, a.total AS activations, l.total AS ledger, b.total AS balances
          FROM a FULL JOIN l USING (currency) FULL JOIN b USING (currency)
         WHERE a.total IS DISTINCT FROM l.total OR a.total IS DISTINCT FROM b.total OR a.n IS DISTINCT FROM l.n
        "#
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert!(
        mismatched.is_empty(),
        "books do not balance: {:?}",
        mismatched
            .iter()
            .map(|r| (&r.currency, r.activations, r.ledger, r.balances))
            .collect::<Vec<_>>()
    );

    let counts = sqlx::query!(
        r#"
        SELECT (SELECT count(*) FROM activations) AS "activations!",
               (SELECT count(*) FROM ledger_entries WHERE activation_id IS NOT NULL) AS "ledger!",
               (SELECT count(*) FROM notifications WHERE kind = 'activation') AS "notifications!",
               (SELECT count(*) FROM outbox_events WHERE topic = 'promo.activated') AS "events!",
               (SELECT count(*) FROM promo_codes c
                 WHERE c.activation_count <> (SELECT count(*) FROM activations a WHERE a.code_id = c.id)) AS "bad_counters!"
        "#
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(
        counts.ledger, counts.activations,
        "one ledger entry per activation"
    );
    assert_eq!(
        counts.notifications, counts.activations,
        "one notification per activation"
    );
    assert_eq!(
        counts.events, counts.activations,
        "one outbox event per activation"
    );
    assert_eq!(
        counts.bad_counters, 0,
        "code counters match their activations"
    );
}

/// A server-function call: `path` is the function's `PATH`, `cookie` the
/// session; `plain` posts as a browser without JavaScript does (an HTML
/// answer, so a redirect), else as the hydrated page does (JSON back).
pub async fn post_form(
    app: &Router,
    path: &str,
    cookie: Option<&str>,
    form: &[(&str, &str)],
    plain: bool,
) -> Response {
    let accept = if plain {
        "text/html"
    } else {
        "application/json"
    };
    let mut request = Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, accept);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    let body = serde_urlencoded::to_string(form).unwrap();
    send(app, request.body(Body::from(body)).unwrap()).await
}

/// A page as a browser asks for it.
pub async fn get_page(app: &Router, path: &str, cookie: Option<&str>) -> Response {
    let mut request = Request::get(path).header(header::ACCEPT, "text/html");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    send(app, request.body(Body::empty()).unwrap()).await
}

/// A player who can sign in with `password`; returns the id.
pub async fn player_with_password(pool: &PgPool, username: &str, password: &str) -> i64 {
    app::core::auth::sign_up(pool, username, password, password, "en", None)
        .await
        .expect("signing up")
        .0
        .id
}

/// Signs a player in through the sign-in server function, optionally on an
/// existing session; returns the answer (its cookie is the session's).
pub async fn player_sign_in(
    app: &Router,
    cookie: Option<&str>,
    username: &str,
    password: &str,
) -> Response {
    use leptos::server_fn::ServerFn;
    post_form(
        app,
        app::api::SignIn::PATH,
        cookie,
        &[
            ("username", username),
            ("password", password),
            ("next", "/redeem"),
        ],
        false,
    )
    .await
}

/// Who the header says is signed in on this session, if anyone.
pub async fn signed_in_as(app: &Router, cookie: &str) -> Option<String> {
    use leptos::server_fn::ServerFn;
    let r = post_form(app, app::api::CurrentPlayer::PATH, Some(cookie), &[], false).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let summary: Option<app::models::PlayerSummary> = serde_json::from_str(&r.body).unwrap();
    summary.map(|s| s.username)
}

/// Signs an admin in through the dashboard's server function; returns the
/// session cookie and the CSRF token.
pub async fn admin_sign_in(app: &Router, username: &str, password: &str) -> (String, String) {
    let response = post_form(
        app,
        "/api/admin/admin_sign_in",
        None,
        &[
            ("username", username),
            ("password", password),
            ("next", "/admin"),
        ],
        false,
    )
    .await;
    assert!(
        response.status.is_success() || response.status.is_redirection(),
        "{}",
        response.body
    );
    let cookie = response.cookie.expect("a session cookie");
    let me = post_form(app, "/api/admin/whoami", Some(&cookie), &[], false).await;
    let me: Option<app::admin::models::AdminMe> = serde_json::from_str(&me.body).unwrap();
    (cookie, me.expect("signed in").csrf)
}
