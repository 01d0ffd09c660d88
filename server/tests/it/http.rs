//! The real router over HTTP (tower `oneshot`): platform sign-in links and
//! the language switch.

use crate::common;

use app::core::auth;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use sqlx::PgPool;
use tower::ServiceExt;

async fn get(app: &Router, uri: &str) -> (StatusCode, String, Vec<String>) {
    let response = app
        .clone()
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let location = response
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let cookies = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    (response.status(), location, cookies)
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_signed_link_signs_the_player_in_and_a_forged_or_expired_one_does_not(pool: PgPool) {
    let app = common::app(&pool).await;
    let player = common::player(&pool).await;
    let secret = auth::link_secret(&pool).await.unwrap();
    assert_eq!(
        secret,
        auth::link_secret(&pool).await.unwrap(),
        "the generated secret is kept"
    );
    let now = chrono::Utc::now().timestamp();

    let valid = auth::sign_link(&secret, player, now + 60);
    let (status, location, cookies) = get(&app, &format!("/auth/link?{valid}&next=/wallet")).await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/wallet")
    );
    let session = cookies
        .iter()
        .find(|c| c.starts_with("promocodes.sid="))
        .expect("a session cookie");
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Lax"),
        "{session}"
    );
    assert!(!session.contains("Secure"), "plain HTTP here");

    let expired = auth::sign_link(&secret, player, now - 1);
    let (status, location, cookies) = get(&app, &format!("/auth/link?{expired}")).await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/signin?link=expired")
    );
    assert!(!cookies.iter().any(|c| c.starts_with("promocodes.sid=")));

    let forged = auth::sign_link(b"not the secret, not the secret!!", player, now + 60);
    assert_eq!(
        get(&app, &format!("/auth/link?{forged}")).await.1,
        "/signin?link=invalid"
    );
    let other_player = valid.replace(
        &format!("player={player}"),
        &format!("player={}", player + 1),
    );
    assert_eq!(
        get(&app, &format!("/auth/link?{other_player}")).await.1,
        "/signin?link=invalid"
    );
    assert_eq!(
        get(&app, "/auth/link?player=1").await.1,
        "/signin?link=invalid"
    );
    assert_eq!(
        get(&app, "/auth/link?player=x&expires=%00&sig=%ff").await.1,
        "/signin?link=invalid"
    );

    // An off-site `next` is ignored.
    let (_, location, _) = get(&app, &format!("/auth/link?{valid}&next=//evil.example")).await;
    assert_eq!(location, "/redeem");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_language_switch_sets_a_cookie_and_goes_back(pool: PgPool) {
    let app = common::app(&pool).await;
    let (status, location, cookies) = get(&app, "/lang/ru?next=/wallet%3Fpage%3D2").await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/wallet?page=2")
    );
    assert!(
        cookies.iter().any(|c| c.starts_with("promocodes-lang=ru;")),
        "{cookies:?}"
    );
    assert_eq!(get(&app, "/lang/de").await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        get(&app, "/lang/en?next=https://evil.example").await.1,
        "/redeem"
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn health_endpoints_answer(pool: PgPool) {
    let app = common::app(&pool).await;
    assert_eq!(get(&app, "/healthz").await.0, StatusCode::OK);
    assert_eq!(get(&app, "/readyz").await.0, StatusCode::OK);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn player_pages_send_a_signed_out_visitor_to_sign_in(pool: PgPool) {
    let app = common::app(&pool).await;
    for (path, target) in [
        ("/redeem", "/signin?next=%2Fredeem"),
        ("/wallet?page=2", "/signin?next=%2Fwallet%3Fpage%3D2"),
        ("/notifications", "/signin?next=%2Fnotifications"),
        ("/activations", "/signin?next=%2Factivations"),
    ] {
        let (status, location, _) = get(&app, path).await;
        assert_eq!(
            (status, location.as_str()),
            (StatusCode::SEE_OTHER, target),
            "{path}"
        );
    }
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn metrics_are_served_to_the_token_only_and_count_activations(pool: PgPool) {
    use app::core::abuse::{Guard, Policy};
    use server::throttle::ThrottleConfig;
    let closed = common::app(&pool).await;
    let status = |app: Router, auth: Option<&'static str>| async move {
        let mut request = Request::get("/metrics");
        if let Some(auth) = auth {
            request = request.header(header::AUTHORIZATION, auth);
        }
        let response = app
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, String::from_utf8_lossy(&body).into_owned())
    };
    assert_eq!(
        status(closed, None).await.0,
        StatusCode::NOT_FOUND,
        "no token: not served"
    );
    let app = common::app_with_metrics(
        &pool,
        Guard::new(Policy::default()),
        ThrottleConfig::default(),
        Some("s3cret-token"),
    )
    .await;
    assert_eq!(status(app.clone(), None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        status(app.clone(), Some("Bearer wrong")).await.0,
        StatusCode::UNAUTHORIZED
    );
    common::code(&pool, common::fixed("COUNTED", 3)).await;
    let player = common::player(&pool).await;
    let secret = auth::link_secret(&pool).await.unwrap();
    let link = auth::sign_link(&secret, player, chrono::Utc::now().timestamp() + 60);
    let (_, _, cookies) = get(&app, &format!("/auth/link?{link}")).await;
    let cookie = cookies
        .iter()
        .find(|c| c.starts_with("promocodes.sid="))
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_owned();
    let redeemed = common::post_form(
        &app,
        "/api/redeem",
        Some(&cookie),
        &[("code", "counted")],
        false,
    )
    .await;
    assert_eq!(redeemed.status, StatusCode::OK, "{}", redeemed.body);
    let (status, body) = status(app, Some("Bearer s3cret-token")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("promo_activations_total{outcome=\"granted\",channel=\"form\"}"),
        "{body}"
    );
    assert!(
        body.contains("http_request_duration_seconds_bucket"),
        "{body}"
    );
}

/// Two instances on one database: each remembers sessions and players for a
/// moment (so a request need not read them), and forgets one at once when it
/// is ended or its password changes on the other, or after the bound when
/// nothing was announced at all.
#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn every_instance_forgets_a_session_ended_or_changed_on_another(pool: PgPool) {
    use leptos::server_fn::ServerFn;
    use std::time::{Duration, Instant};
    let bound = app::core::abuse::Guard::new(Default::default())
        .cache()
        .bound();
    let (a, b) = (common::app(&pool).await, common::app(&pool).await);
    common::player_with_password(&pool, "cached", "a long password 1").await;
    let sign_in = || async {
        let r = common::player_sign_in(&a, None, "cached", "a long password 1").await;
        r.cookie.expect("signed in")
    };
    let me = Some("cached".to_owned());

    // Remembered: a session deleted behind the instances' backs (nothing
    // announced) is still served by B once B listens, for at most the bound.
    let deadline = Instant::now() + Duration::from_secs(10);
    let cookie = loop {
        let cookie = sign_in().await;
        assert_eq!(common::signed_in_as(&b, &cookie).await, me);
        sqlx::query("DELETE FROM browser_sessions")
            .execute(&pool)
            .await
            .unwrap();
        if common::signed_in_as(&b, &cookie).await == me {
            break cookie;
        }
        assert!(Instant::now() < deadline, "B never answered from memory");
    };
    let deleted = Instant::now();
    while common::signed_in_as(&b, &cookie).await.is_some() {
        assert!(deleted.elapsed() < bound + Duration::from_millis(500));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Announced: signing out on A ends the session on B at once.
    let cookie = sign_in().await;
    assert_eq!(common::signed_in_as(&b, &cookie).await, me);
    assert_eq!(common::signed_in_as(&b, &cookie).await, me);
    let r = common::post_form(&a, app::api::SignOut::PATH, Some(&cookie), &[], false).await;
    assert!(r.status.is_success(), "{}", r.body);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(common::signed_in_as(&b, &cookie).await, None);

    // A new password (here straight through the core) ends the account's
    // other sessions on every instance at once.
    let cookie = sign_in().await;
    assert_eq!(common::signed_in_as(&b, &cookie).await, me);
    assert_eq!(common::signed_in_as(&a, &cookie).await, me);
    auth::change_password(
        &pool,
        &Default::default(),
        sqlx::query_scalar("SELECT id FROM players WHERE username = 'cached'")
            .fetch_one(&pool)
            .await
            .unwrap(),
        "a long password 1",
        "a long password 2",
        "a long password 2",
    )
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(common::signed_in_as(&b, &cookie).await, None);
    assert_eq!(common::signed_in_as(&a, &cookie).await, None);
}
