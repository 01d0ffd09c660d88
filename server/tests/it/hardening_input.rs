//! The security review's input findings, each shown closed: hostile values
//! that used to end in a panic or a 500, easter eggs claimed by a GET, CSV
//! cells that start formulas, the 429 page echoing the path, and the
//! resources one client could tie up (series jobs, slow exports, the spike
//! detector's scans).

use crate::common;

use std::net::SocketAddr;
use std::time::Duration;

use app::admin::models::{AdminMe, FieldError, Role, Saved, SeriesForm};
use app::core::abuse::{Guard, Policy};
use app::core::{admins, series, ActivationError, NewCode};
use app::models::{RedeemOutcome, RefusalKind};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use common::{get_page, player_sign_in, player_with_password, post_form, send};
use leptos::server_fn::ServerFn;
use sqlx::PgPool;
use tower::ServiceExt;

async fn admin_session(app: &Router, pool: &PgPool) -> (String, String) {
    admins::create(pool, "chief", "chief-password", Role::Admin, false)
        .await
        .unwrap();
    let r = post_form(
        app,
        "/api/admin/admin_sign_in",
        None,
        &[
            ("username", "chief"),
            ("password", "chief-password"),
            ("next", "/admin"),
        ],
        false,
    )
    .await;
    let cookie = r.cookie.unwrap();
    let me = post_form(app, "/api/admin/whoami", Some(&cookie), &[], false).await;
    let me: AdminMe = serde_json::from_str::<Option<AdminMe>>(&me.body)
        .unwrap()
        .unwrap();
    (cookie, me.csrf)
}

fn field_errors(body: &str) -> Vec<FieldError> {
    match serde_json::from_str::<Saved>(body) {
        Ok(Saved::Invalid(errors)) => errors,
        other => panic!("expected a refusal, got {other:?} from {body}"),
    }
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn hostile_values_get_clear_answers_never_a_500(pool: PgPool) {
    let app = common::app(&pool).await;
    player_with_password(&pool, "tester", "tester-password").await;
    let player = player_sign_in(&app, None, "tester", "tester-password")
        .await
        .cookie
        .unwrap();

    // A newline in `next` (a redirect with it used to panic).
    let r = get_page(&app, "/lang/en?next=/a%0Ab", None).await;
    assert_eq!(
        (r.status, r.location.as_str()),
        (StatusCode::SEE_OTHER, "/redeem")
    );

    // A page number near 2^63 (the offset used to overflow).
    for path in [
        app::api::LoadWallet::PATH,
        app::api::Notifications::PATH,
        app::api::MyActivations::PATH,
    ] {
        let r = post_form(
            &app,
            path,
            Some(&player),
            &[("page", "9223372036854775807")],
            false,
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
    }

    // NUL in a username, a slug, a search: refused or not found, never a database error.
    let r = player_sign_in(&app, None, "te\0ster", "tester-password").await;
    assert!(r.body.contains("signin-error-credentials"), "{}", r.body);
    let r = post_form(
        &app,
        app::api::SignUp::PATH,
        None,
        &[
            ("username", "new\0one"),
            ("password", "long-enough"),
            ("confirm", "long-enough"),
            ("next", "/"),
        ],
        false,
    )
    .await;
    assert!(r.body.contains("signup-error-username"), "{}", r.body);
    let r = post_form(
        &app,
        app::api::ClaimEgg::PATH,
        Some(&player),
        &[("slug", "egg\0")],
        false,
    )
    .await;
    let outcome: RedeemOutcome = serde_json::from_str(&r.body).unwrap();
    assert!(matches!(outcome, RedeemOutcome::Refused(r) if r.kind == RefusalKind::Unknown));
    let r = post_form(
        &app,
        app::api::LoadEgg::PATH,
        Some(&player),
        &[("slug", "egg\0")],
        false,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = post_form(
        &app,
        "/api/admin/admin_sign_in",
        None,
        &[("username", "\0"), ("password", "x"), ("next", "/admin")],
        false,
    )
    .await;
    assert!(r.body.contains("admin-signin-error"), "{}", r.body);

    let (admin, csrf) = admin_session(&app, &pool).await;
    let r = post_form(
        &app,
        "/api/admin/list_codes",
        Some(&admin),
        &[("q", "a\0b"), ("page", "99999999999999999999")],
        false,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // Code fields past what the schema holds: named on their fields.
    let long_name = format!("A{}", " -".repeat(110));
    let cases: [(&str, &str, &str, &str); 5] = [
        (
            "name",
            long_name.as_str(),
            "name",
            "admin-error-name-display-long",
        ),
        (
            "new_player_days",
            "2147483647",
            "new_player_days",
            "admin-error-days-max",
        ),
        (
            "initial_reward",
            "9223372036854775807",
            "initial_reward",
            "admin-error-reward-max",
        ),
        (
            "description_en",
            "a\0b",
            "description_en",
            "admin-error-text-chars",
        ),
        (
            "eligible_tags",
            "vip,\0",
            "eligible_tags",
            "admin-error-list",
        ),
    ];
    for (field, value, error_field, message) in cases {
        let mut form = vec![
            ("csrf", csrf.as_str()),
            ("id", ""),
            ("name", "SAFE-NAME"),
            ("currency", "COINS"),
            ("initial_reward", "100"),
        ];
        form.retain(|(name, _)| *name != field);
        form.push((field, value));
        let r = post_form(&app, "/api/admin/save_code", Some(&admin), &form, false).await;
        assert_eq!(r.status, StatusCode::OK, "{field}: {}", r.body);
        let errors = field_errors(&r.body);
        assert!(
            errors
                .iter()
                .any(|e| e.field == error_field && e.message == message),
            "{field}: {errors:?}"
        );
    }
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM promo_codes")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(stored, 0, "nothing refused was stored");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_balance_that_would_overflow_is_a_refusal(pool: PgPool) {
    common::code(&pool, common::fixed("HUGE", 1_000_000_000_000)).await;
    let rich = common::player(&pool).await;
    sqlx::query("INSERT INTO balances (player_id, currency, amount) VALUES ($1, 'COINS', $2)")
        .bind(rich)
        .bind(i64::MAX - 10)
        .execute(&pool)
        .await
        .unwrap();
    let refused = common::redeem(&pool, rich, "HUGE").await;
    assert!(
        matches!(refused, Err(ActivationError::BalanceFull)),
        "{refused:?}"
    );
    let activations: i64 = sqlx::query_scalar("SELECT count(*) FROM activations")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(activations, 0);
    // The schema refuses such a reward whatever writes it.
    let over = sqlx::query(
        "UPDATE promo_codes SET initial_reward = 1000000000001, current_reward = 1000000000001",
    )
    .execute(&pool)
    .await;
    assert!(over.is_err(), "a reward past the cap was stored");
}

/// A page with its per-response nonces blanked out.
fn without_nonces(page: &str) -> String {
    let mut out = String::new();
    let mut rest = page;
    let next = |rest: &str| {
        ["nonce=\"", "crossorigin=\""]
            .iter()
            .filter_map(|attr| rest.find(attr))
            .min()
    };
    while let Some(at) = next(rest) {
        let open = rest[at..].find('"').unwrap() + at + 1;
        let close = rest[open..].find('"').unwrap() + open;
        out.push_str(&rest[..open]);
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

fn from(addr: &str) -> ConnectInfo<SocketAddr> {
    ConnectInfo(addr.parse().unwrap())
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn opening_an_egg_link_changes_nothing_and_tells_nothing(pool: PgPool) {
    let guard = Guard::new(Policy {
        player_failures: 3,
        ..Policy::default()
    });
    let app = common::app_with(&pool, guard, server::throttle::ThrottleConfig::default()).await;
    common::code(
        &pool,
        NewCode {
            egg_slug: Some("hidden-cave".into()),
            ..common::fixed("HIDDEN-CAVE", 70)
        },
    )
    .await;
    // Signed out: a real slug and a made-up one answer the same way.
    let real = get_page(&app, "/egg/hidden-cave", None).await;
    let fake = get_page(&app, "/egg/hidden-cove", None).await;
    assert_eq!(real.status, fake.status);
    assert!(real.status.is_redirection());
    assert_eq!(real.location.replace("cave", "cove"), fake.location);

    // Signed in: opening it shows a button, the same one for any slug, and claims nothing.
    player_with_password(&pool, "finder", "finder-password").await;
    let cookie = player_sign_in(&app, None, "finder", "finder-password")
        .await
        .cookie
        .unwrap();
    let real = get_page(&app, "/egg/hidden-cave", Some(&cookie)).await;
    let fake = get_page(&app, "/egg/hidden-cove", Some(&cookie)).await;
    assert_eq!((real.status, fake.status), (StatusCode::OK, StatusCode::OK));
    assert!(real.body.contains("id=\"egg-claim\""), "{}", real.body);
    assert_eq!(
        without_nonces(&real.body.replace("cave", "cove")),
        without_nonces(&fake.body),
        "nothing tells them apart"
    );
    let activations = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM activations")
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    assert_eq!(activations().await, 0, "a GET claimed nothing");

    // The claim is a POST; without JavaScript it comes back to the egg.
    let r = post_form(
        &app,
        app::api::ClaimEgg::PATH,
        Some(&cookie),
        &[("slug", "hidden-cave")],
        true,
    )
    .await;
    assert!(
        r.location.starts_with("/egg/hidden-cave?activation="),
        "{}",
        r.location
    );
    assert_eq!(activations().await, 1);
    let shown = get_page(&app, &r.location, Some(&cookie)).await;
    assert!(shown.body.contains("HIDDEN-CAVE"), "the reward is shown");

    // Wrong slugs count as wrong codes: the third one blocks.
    let claim = |slug: &'static str| {
        let (app, cookie) = (app.clone(), cookie.clone());
        async move {
            let r = post_form(
                &app,
                app::api::ClaimEgg::PATH,
                Some(&cookie),
                &[("slug", slug)],
                false,
            )
            .await;
            match serde_json::from_str::<RedeemOutcome>(&r.body).unwrap() {
                RedeemOutcome::Refused(refusal) => refusal.kind,
                RedeemOutcome::Granted(_) => panic!("{slug} granted"),
            }
        }
    };
    assert_eq!(claim("no-egg-1").await, RefusalKind::Unknown);
    assert_eq!(claim("no-egg-2").await, RefusalKind::Unknown);
    assert_eq!(claim("no-egg-3").await, RefusalKind::LockedOut);
    assert_eq!(
        claim("hidden-cave").await,
        RefusalKind::LockedOut,
        "the block holds eggs too"
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn exported_cells_cannot_start_a_formula(pool: PgPool) {
    let app = common::app(&pool).await;
    let (admin, _) = admin_session(&app, &pool).await;
    let group: i64 = sqlx::query_scalar(
        "INSERT INTO code_groups (name) VALUES ('=HYPERLINK(\"http://evil.example\")') RETURNING id",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let campaign: i64 = sqlx::query_scalar(
        "INSERT INTO campaigns (name, channel) VALUES ('@SUM(A1)', 'email') RETURNING id",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    common::code(
        &pool,
        NewCode {
            group_id: Some(group),
            campaign_id: Some(campaign),
            ..common::fixed("SHEET", 5)
        },
    )
    .await;
    let r = get_page(&app, "/admin/export/codes.csv", Some(&admin)).await;
    assert_eq!(r.status, StatusCode::OK);
    let mut reader = csv::Reader::from_reader(r.body.as_bytes());
    let row = reader.records().next().unwrap().unwrap();
    let cells: Vec<&str> = row.iter().collect();
    assert!(
        cells.contains(&"'=HYPERLINK(\"http://evil.example\")"),
        "{cells:?}"
    );
    assert!(cells.contains(&"'@SUM(A1)"), "{cells:?}");
    assert!(
        cells
            .iter()
            .all(|c| !c.starts_with(['=', '+', '-', '@', '\t', '\r'])),
        "{cells:?}"
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_429_page_does_not_echo_the_path(pool: PgPool) {
    let limits = server::throttle::ThrottleConfig {
        egg_ip: server::throttle::Limit::new(1, 1),
        ..Default::default()
    };
    let app = common::app_with(&pool, Guard::new(Policy::default()), limits).await;
    let path = "/egg/%3Cscript%3Ealert(1)%3C%2Fscript%3E%22%3E%3Cimg%20src=x%3E";
    let mut last = None;
    for _ in 0..2 {
        let mut request = Request::get(path)
            .header(header::ACCEPT, "text/html")
            .body(Body::empty())
            .unwrap();
        request.extensions_mut().insert(from("192.0.2.9:4000"));
        let response = app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        last = Some((status, String::from_utf8_lossy(&body).into_owned()));
    }
    let (status, body) = last.unwrap();
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    for echoed in ["<script", "<img", "alert(1)", "%3Cscript"] {
        assert!(!body.contains(echoed), "{echoed:?} is on the page: {body}");
    }
    assert!(body.contains("url=/redeem"), "{body}");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn series_jobs_are_capped(pool: PgPool) {
    let form = |name: &str| {
        let form = SeriesForm {
            name: name.into(),
            count: "1000".into(),
            pattern: "CAP-########".into(),
            ..SeriesForm::defaults()
        };
        app::admin::forms::series_spec(&form).unwrap()
    };
    // Started but not run: they stay `running`.
    for n in 0..series::MAX_RUNNING_SERIES {
        series::start(&pool, None, &form(&format!("Batch {n}")))
            .await
            .unwrap();
    }
    match series::start(&pool, None, &form("One too many")).await {
        Err(app::core::Error::Invalid(problems)) => {
            let errors = app::admin::forms::series_errors(&SeriesForm::default(), &problems);
            assert!(
                errors
                    .iter()
                    .any(|e| e.message == "admin-error-series-busy"),
                "{errors:?}"
            )
        }
        other => panic!("a series past the cap started: {other:?}"),
    }
    let jobs: i64 = sqlx::query_scalar("SELECT count(*) FROM series_jobs")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(jobs, series::MAX_RUNNING_SERIES);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn slow_exports_cannot_take_the_pool(pool: PgPool) {
    // A small pool, as a busy server's would feel, and a list too long to buffer.
    let small = sqlx::postgres::PgPoolOptions::new()
        .max_connections(4)
        .acquire_timeout(Duration::from_secs(3))
        .connect_with(pool.connect_options().as_ref().clone())
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO promo_codes (name, normalized, currency, initial_reward, current_reward, min_reward)
         SELECT 'BULK-' || g, 'BULK' || g, 'COINS', 1, 1, 1 FROM generate_series(1, 60000) g",
    )
    .execute(&small)
    .await
    .unwrap();
    let app = common::app(&small).await;
    let (admin, _) = admin_session(&app, &small).await;
    // Four downloads that never read a byte.
    let mut stalled = Vec::new();
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let request = Request::get("/admin/export/codes.csv")
            .header(header::COOKIE, &admin)
            .body(Body::empty())
            .unwrap();
        let response = app.clone().oneshot(request).await.unwrap();
        statuses.push(response.status());
        stalled.push(response);
    }
    let busy = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(busy, 4 - server::router::MAX_EXPORTS, "{statuses:?}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    // Everyone else is still served.
    for _ in 0..3 {
        let r = send(&app, Request::get("/readyz").body(Body::empty()).unwrap()).await;
        assert_eq!(r.status, StatusCode::OK, "the pool is starved");
    }
    drop(stalled);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_spike_detector_reads_a_rollup_not_a_day_of_failures(pool: PgPool) {
    let guard = Guard::new(Policy {
        spike_min_per_minute: 300,
        spike_factor: 10.0,
        ..Policy::default()
    });
    // A quiet day so far: ten wrong codes an hour ago, rolled up by a first run.
    sqlx::query("INSERT INTO code_failures (kind, created_at) SELECT 'unknown', now() - interval '1 hour' FROM generate_series(1, 10)")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(guard.detect_spike(&pool).await.unwrap(), None);
    // Rows written into minutes already rolled up are never read again: a
    // detector that re-counted the whole day would see 400,000 of them and
    // call the next minute normal.
    sqlx::query("INSERT INTO code_failures (kind, created_at) SELECT 'unknown', now() - interval '2 hours' FROM generate_series(1, 400000)")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO code_failures (kind) SELECT 'unknown' FROM generate_series(1, 400)")
        .execute(&pool)
        .await
        .unwrap();
    assert!(
        guard.detect_spike(&pool).await.unwrap().is_some(),
        "400 in a minute against a day of 10 is a spike"
    );
    let rolled: i64 = sqlx::query_scalar("SELECT coalesce(sum(failures), 0) FROM failure_minutes")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(
        rolled < 1_000,
        "the backdated rows were not read again: {rolled}"
    );
}
