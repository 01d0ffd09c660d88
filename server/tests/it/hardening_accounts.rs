//! The security review's account findings, each shown closed over HTTP on the
//! real router or on the core: redirects that leave the site, session
//! fixation, the demo's published admin password, password guessing per
//! account, and sessions that outlive a password change.

use crate::common;

use std::time::Duration;

use app::admin::models::{AdminMe, Role};
use app::core::admins;
use app::core::auth;
use app::core::sign_in_limit::SignInPolicy;
use app::core::Error;
use app::models::FormError;
use axum::http::StatusCode;
use common::{get_page, player_sign_in, player_with_password, post_form, signed_in_as};
use leptos::server_fn::ServerFn;
use sqlx::PgPool;

/// What a browser would do with these: drop tabs and newlines, read `\` as `/`.
const ESCAPES: [&str; 5] = [
    "/\t/evil.example",
    "/\n/evil.example",
    "/\\evil.example",
    "/%09/ok\t/",
    "/\r\n/evil.example",
];

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn next_never_leaves_the_site(pool: PgPool) {
    let app = common::app(&pool).await;
    for next in ESCAPES {
        let query = serde_urlencoded::to_string([("next", next)]).unwrap();
        let r = get_page(&app, &format!("/lang/en?{query}"), None).await;
        assert!(r.status.is_redirection(), "{next:?}: {:?}", r.status);
        assert_eq!(r.location, "/redeem", "the language switch, {next:?}");
    }

    // After a real sign-in (a plain form post follows the redirect).
    player_with_password(&pool, "traveller", "traveller-password").await;
    for next in ESCAPES {
        let r = post_form(
            &app,
            app::api::SignIn::PATH,
            None,
            &[
                ("username", "traveller"),
                ("password", "traveller-password"),
                ("next", next),
            ],
            true,
        )
        .await;
        assert!(r.status.is_redirection(), "{next:?}: {}", r.body);
        assert_eq!(r.location, "/redeem", "after sign-in, {next:?}");
    }

    // Through a platform sign-in link.
    let player =
        sqlx::query_scalar::<_, i64>("SELECT id FROM players WHERE username = 'traveller'")
            .fetch_one(&pool)
            .await
            .unwrap();
    let secret = auth::link_secret(&pool).await.unwrap();
    let link = auth::sign_link(&secret, player, chrono::Utc::now().timestamp() + 60);
    for next in ESCAPES {
        let query = serde_urlencoded::to_string([("next", next)]).unwrap();
        let r = get_page(&app, &format!("/auth/link?{link}&{query}"), None).await;
        assert!(r.status.is_redirection(), "{next:?}: {:?}", r.status);
        assert_eq!(r.location, "/redeem", "a sign-in link, {next:?}");
    }
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn every_player_sign_in_starts_a_fresh_session_id(pool: PgPool) {
    let app = common::app(&pool).await;
    player_with_password(&pool, "mallory", "mallory-password").await;
    let victim = player_with_password(&pool, "victim", "victim-password").await;
    // The attacker signs in as themselves and plants that cookie in the victim's browser.
    let planted = player_sign_in(&app, None, "mallory", "mallory-password")
        .await
        .cookie
        .expect("a session cookie");
    let r = player_sign_in(&app, Some(&planted), "victim", "victim-password").await;
    let fresh = r.cookie.expect("signing in sets the cookie again");
    assert_ne!(
        fresh, planted,
        "the password sign-in renewed the session id"
    );
    assert_eq!(signed_in_as(&app, &fresh).await.as_deref(), Some("victim"));
    assert_eq!(
        signed_in_as(&app, &planted).await,
        None,
        "the planted id no longer opens anything"
    );

    // The same through a platform sign-in link.
    let planted = player_sign_in(&app, None, "mallory", "mallory-password")
        .await
        .cookie
        .unwrap();
    let secret = auth::link_secret(&pool).await.unwrap();
    let link = auth::sign_link(&secret, victim, chrono::Utc::now().timestamp() + 60);
    let r = get_page(&app, &format!("/auth/link?{link}"), Some(&planted)).await;
    let fresh = r.cookie.expect("a link sign-in sets the cookie again");
    assert_ne!(fresh, planted, "the link sign-in renewed the session id");
    assert_eq!(signed_in_as(&app, &fresh).await.as_deref(), Some("victim"));
    assert_eq!(signed_in_as(&app, &planted).await, None);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_published_demo_admin_password_is_only_for_loopback(pool: PgPool) {
    use app::core::demo::{seed, Exposure, DEMO_ADMINS};
    seed(&pool, Exposure::Loopback).await.unwrap();
    for (name, password, _) in DEMO_ADMINS {
        assert!(
            admins::has_password(&pool, name, password).await.unwrap(),
            "{name} on loopback"
        );
    }
    // The same data, now served on the network: no published password is left.
    seed(&pool, Exposure::Network).await.unwrap();
    for (name, password, _) in DEMO_ADMINS {
        assert!(
            !admins::has_password(&pool, name, password).await.unwrap(),
            "{name} keeps the README's password on a network address"
        );
    }
    // And a later loopback start does not put it back.
    seed(&pool, Exposure::Loopback).await.unwrap();
    assert!(!admins::has_password(&pool, "admin", "demo-admin")
        .await
        .unwrap());
}

fn quick_policy() -> SignInPolicy {
    SignInPolicy {
        free_failures: 5,
        delay: Duration::from_secs(1),
        max_delay: Duration::from_secs(4),
        window: Duration::from_secs(3600),
    }
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn failed_sign_ins_slow_one_account_down_exactly(pool: PgPool) {
    let pool = common::wide_pool(pool.connect_options().as_ref().clone()).await;
    player_with_password(&pool, "target", "target-password").await;
    let policy = quick_policy();

    // 20 guesses at once: exactly 5 passwords are checked, the rest wait.
    let guesses: Vec<_> = (0..20)
        .map(|n| {
            let (pool, policy) = (pool.clone(), policy.clone());
            tokio::spawn(async move {
                auth::check_password(&pool, &policy, "Target", &format!("guess-{n}")).await
            })
        })
        .collect();
    let mut checked = 0;
    for guess in guesses {
        match guess.await.unwrap() {
            Err(Error::WrongCredentials) => checked += 1,
            Err(Error::SignInWait { .. }) => {}
            other => panic!("a guess came to {other:?}"),
        }
    }
    assert_eq!(checked, 5, "parallel guesses are counted exactly");

    // Even the right password waits; afterwards it works and is forgiven.
    let Err(Error::SignInWait { until }) =
        auth::check_password(&pool, &policy, "target", "target-password").await
    else {
        panic!("the right password was checked during the wait");
    };
    tokio::time::sleep((until - chrono::Utc::now()).to_std().unwrap_or_default()).await;
    assert!(
        auth::check_password(&pool, &policy, "target", "target-password")
            .await
            .is_ok()
    );
    for n in 0..4 {
        let wrong = auth::check_password(&pool, &policy, "target", &format!("again-{n}")).await;
        assert!(
            matches!(wrong, Err(Error::WrongCredentials)),
            "forgiven after a success"
        );
    }

    // The wait grows: 1 s after the 5th failure in a row, 2 s after the 6th.
    let first = auth::check_password(&pool, &policy, "target", "fifth").await;
    assert!(matches!(first, Err(Error::WrongCredentials)));
    let Err(Error::SignInWait { until: one }) =
        auth::check_password(&pool, &policy, "target", "x").await
    else {
        panic!("no wait after five failures");
    };
    tokio::time::sleep((one - chrono::Utc::now()).to_std().unwrap_or_default()).await;
    let _ = auth::check_password(&pool, &policy, "target", "sixth").await;
    let Err(Error::SignInWait { until: two }) =
        auth::check_password(&pool, &policy, "target", "x").await
    else {
        panic!("no wait after six failures");
    };
    let wait = (two - chrono::Utc::now()).num_milliseconds();
    assert!(
        (1_200..=3_000).contains(&wait),
        "the second wait is about 2 s, not {wait} ms"
    );

    // An unknown name is slowed down the same way: nothing tells it apart.
    for n in 0..5 {
        let r = auth::check_password(&pool, &policy, "nobody-at-all", &format!("g{n}")).await;
        assert!(matches!(r, Err(Error::WrongCredentials)));
    }
    assert!(matches!(
        auth::check_password(&pool, &policy, "nobody-at-all", "g").await,
        Err(Error::SignInWait { .. })
    ));

    // Admins count apart, the same way.
    admins::create(&pool, "chief", "chief-password", Role::Admin, false)
        .await
        .unwrap();
    for n in 0..5 {
        let r = admins::authenticate(&pool, &policy, "chief", &format!("g{n}")).await;
        assert!(matches!(r, Err(Error::WrongCredentials)));
    }
    assert!(matches!(
        admins::authenticate(&pool, &policy, "chief", "chief-password").await,
        Err(Error::SignInWait { .. })
    ));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_sign_in_forms_say_how_long_to_wait(pool: PgPool) {
    let app = common::app(&pool).await;
    player_with_password(&pool, "patient", "patient-password").await;
    for _ in 0..5 {
        let r = player_sign_in(&app, None, "patient", "not-it").await;
        let error: Option<FormError> = serde_json::from_str(&r.body).unwrap();
        assert_eq!(error.unwrap().id, "signin-error-credentials");
    }
    let r = player_sign_in(&app, None, "patient", "patient-password").await;
    let error: FormError = serde_json::from_str::<Option<FormError>>(&r.body)
        .unwrap()
        .unwrap();
    assert_eq!(error.id, "signin-error-wait");
    assert!(
        error.seconds.is_some_and(|s| (1..=30).contains(&s)),
        "{error:?}"
    );
    assert!(r.cookie.is_none(), "no session for a refused sign-in");

    // Without JavaScript: back to the form, which says it in the reader's language.
    let r = post_form(
        &app,
        app::api::SignIn::PATH,
        None,
        &[
            ("username", "patient"),
            ("password", "x"),
            ("next", "/wallet"),
        ],
        true,
    )
    .await;
    assert!(
        r.location
            .starts_with("/signin?error=signin-error-wait&seconds="),
        "{}",
        r.location
    );
    let page = get_page(&app, &r.location, Some("promocodes-lang=ru")).await;
    assert!(
        page.body.contains("Слишком много неудачных попыток входа"),
        "the Russian message is shown"
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_new_password_ends_the_accounts_other_sessions(pool: PgPool) {
    let app = common::app(&pool).await;
    player_with_password(&pool, "owner", "owner-password").await;
    let here = player_sign_in(&app, None, "owner", "owner-password")
        .await
        .cookie
        .unwrap();
    let elsewhere = player_sign_in(&app, None, "owner", "owner-password")
        .await
        .cookie
        .unwrap();
    let change = |cookie: String, current: &'static str| {
        let app = app.clone();
        async move {
            post_form(
                &app,
                app::api::ChangePassword::PATH,
                Some(&cookie),
                &[
                    ("current", current),
                    ("password", "brand-new-secret"),
                    ("confirm", "brand-new-secret"),
                ],
                false,
            )
            .await
        }
    };
    let wrong = change(here.clone(), "not-the-password").await;
    let error: Option<FormError> = serde_json::from_str(&wrong.body).unwrap();
    assert_eq!(error.unwrap().id, "account-error-current");
    assert_eq!(
        signed_in_as(&app, &elsewhere).await.as_deref(),
        Some("owner"),
        "nothing changed"
    );

    let done = change(here.clone(), "owner-password").await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(
        serde_json::from_str::<Option<FormError>>(&done.body).unwrap(),
        None
    );
    let here = done.cookie.expect("this session goes on under a fresh id");
    assert_eq!(signed_in_as(&app, &here).await.as_deref(), Some("owner"));
    assert_eq!(
        signed_in_as(&app, &elsewhere).await,
        None,
        "the other session ended"
    );
    assert!(player_sign_in(&app, None, "owner", "brand-new-secret")
        .await
        .cookie
        .is_some());
    let old: Option<FormError> = serde_json::from_str(
        &player_sign_in(&app, None, "owner", "owner-password")
            .await
            .body,
    )
    .unwrap();
    assert_eq!(old.unwrap().id, "signin-error-credentials");
    // Signed out, the page sends to sign in.
    let r = get_page(&app, "/account", None).await;
    assert!(
        r.location.starts_with("/signin?next=%2Faccount"),
        "{}",
        r.location
    );

    // An admin's password reset (`create-admin --replace`) ends their sessions.
    admins::create(&pool, "chief", "chief-password", Role::Admin, false)
        .await
        .unwrap();
    let signed_in = post_form(
        &app,
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
    let admin_cookie = signed_in.cookie.unwrap();
    let whoami = |cookie: String| {
        let app = app.clone();
        async move {
            let r = post_form(&app, "/api/admin/whoami", Some(&cookie), &[], false).await;
            serde_json::from_str::<Option<AdminMe>>(&r.body).unwrap()
        }
    };
    assert!(whoami(admin_cookie.clone()).await.is_some());
    admins::create(&pool, "chief", "another-password", Role::Admin, true)
        .await
        .unwrap();
    assert!(
        whoami(admin_cookie).await.is_none(),
        "the reset ended the admin's session"
    );
}
