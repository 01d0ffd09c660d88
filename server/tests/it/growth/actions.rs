//! Rewards for platform actions and personal codes: an action pays exactly
//! once per player (or per report) however many requests race or replay;
//! an issued personal code exists for its owner only (everyone else is
//! answered as for an unknown code, on every path); the player's list of
//! their codes; the dashboard's page and form; the refusals.

use crate::common;

use std::sync::Arc;

use app::core::actions::{self, ActionReward, Gives};
use app::core::api_keys::Scope;
use app::core::audit::Actor;
use app::core::ActivationError;
use axum::http::StatusCode;
use common::api_client::{api, key, problem_type, Api};
use serde_json::{json, Value};
use server::throttle::ThrottleConfig;
use sqlx::PgPool;

async fn reward(pool: &PgPool, action: &str, gives: Gives, amount: i64, once: bool) {
    let admin = common::admin(pool, &format!("admin-{action}")).await;
    actions::save(
        pool,
        Actor::Admin(admin),
        &ActionReward {
            action: action.into(),
            gives,
            reward: amount,
            currency: "COINS".into(),
            once,
            code_days: 7,
            enabled: true,
        },
    )
    .await
    .unwrap();
}

async fn report(
    api: &Api,
    key: &str,
    player: &str,
    action: &str,
    report: &str,
) -> (StatusCode, Value) {
    let reply = api
        .call(
            "POST",
            &format!("/api/v1/players/{player}/actions"),
            Some(key),
            None,
            Some(json!({"action": action, "key": report})),
        )
        .await;
    (reply.status, reply.body)
}

async fn balance(pool: &PgPool, player_id: i64) -> i64 {
    sqlx::query_scalar("SELECT coalesce(sum(amount), 0)::bigint FROM balances WHERE player_id = $1")
        .bind(player_id)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn player(api: &Api, key: &str, external_id: &str) -> i64 {
    let reply = api
        .call(
            "PUT",
            &format!("/api/v1/players/{external_id}"),
            Some(key),
            None,
            None,
        )
        .await;
    reply.body["id"].as_i64().unwrap()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn an_action_pays_once_per_player_or_per_report_under_racing_requests(pool: PgPool) {
    let pool = common::wide_pool((*pool.connect_options()).clone()).await;
    let api = Arc::new(api(&pool, ThrottleConfig::default()).await);
    let key = key(&pool, &[Scope::Players, Scope::Redeem]).await;
    reward(&pool, "first_purchase", Gives::Grant, 100, true).await;
    reward(&pool, "streak_day", Gives::Grant, 5, false).await;
    let buyer = player(&api, &key, "buyer").await;

    // 24 reports of a first purchase at once, each with its own order id:
    // one grant, and every answer names that one.
    let racing = (0..24).map(|i| {
        let (api, key) = (api.clone(), key.clone());
        tokio::spawn(async move {
            report(&api, &key, "buyer", "first_purchase", &format!("order-{i}")).await
        })
    });
    let answers: Vec<(StatusCode, Value)> = futures::future::join_all(racing)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert!(
        answers.iter().all(|(s, _)| *s == StatusCode::OK),
        "{answers:?}"
    );
    let firsts = answers.iter().filter(|(_, b)| b["first"] == true).count();
    assert_eq!(firsts, 1, "{answers:?}");
    let activation = &answers[0].1["activation_id"];
    assert!(activation.is_i64());
    assert!(answers
        .iter()
        .all(|(_, b)| &b["activation_id"] == activation && b["reward"] == 100));
    assert_eq!(balance(&pool, buyer).await, 100);

    // A streak day: once per report. Three days, each reported eight times at once.
    let racing = (0..24).map(|i| {
        let (api, key) = (api.clone(), key.clone());
        tokio::spawn(async move {
            report(
                &api,
                &key,
                "buyer",
                "streak_day",
                &format!("2026-12-0{}", 1 + i % 3),
            )
            .await
        })
    });
    let answers: Vec<(StatusCode, Value)> = futures::future::join_all(racing)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        answers.iter().filter(|(_, b)| b["first"] == true).count(),
        3
    );
    assert_eq!(balance(&pool, buyer).await, 115);
    // A replay later: the same answer, nothing more.
    let (_, again) = report(&api, &key, "buyer", "streak_day", "2026-12-01").await;
    assert_eq!(again["first"], false);
    assert_eq!(balance(&pool, buyer).await, 115);
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM player_actions")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(rows, 4);
    let events: i64 =
        sqlx::query_scalar("SELECT count(*) FROM outbox_events WHERE topic = 'action.rewarded'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(events, 4);
    common::assert_books_balance(&pool).await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_personal_code_exists_for_its_owner_only(pool: PgPool) {
    let api = api(&pool, ThrottleConfig::default()).await;
    let key = key(&pool, &[Scope::Players, Scope::Redeem]).await;
    reward(&pool, "tutorial.done", Gives::Code, 250, true).await;
    let owner = player(&api, &key, "owner").await;
    player(&api, &key, "stranger").await;

    let (status, issued) = report(&api, &key, "owner", "tutorial.done", "t-1").await;
    assert_eq!(status, StatusCode::OK, "{issued}");
    assert_eq!(
        (issued["gives"].as_str(), issued["first"].as_bool()),
        (Some("code"), Some(true))
    );
    assert!(issued["activation_id"].is_null());
    assert!(issued["code_ends_at"].is_string());
    let code = issued["code"].as_str().unwrap().to_owned();
    assert_eq!(balance(&pool, owner).await, 0, "a code is not a grant");
    let notice: String = sqlx::query_scalar(
        "SELECT params->>'code' FROM notifications WHERE player_id = $1 AND kind = 'code_issued'",
    )
    .bind(owner)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(notice, code);

    // Anyone else: "no such code", on validate and on redeem, through the
    // API (pipeline and the idempotent one-claim path) and the core.
    for (path, idempotency) in [
        ("validate", None),
        ("redeem", None),
        ("redeem", Some("s-1")),
    ] {
        let reply = api
            .call(
                "POST",
                &format!("/api/v1/players/stranger/{path}"),
                Some(&key),
                idempotency,
                Some(json!({"code": code})),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::NOT_FOUND,
            "{path}: {}",
            reply.body
        );
        assert!(problem_type(&reply).ends_with("#problem-unknown-code"));
    }
    let stranger = common::player(&pool).await;
    let refused = common::redeem(&pool, stranger, &code).await;
    assert!(
        matches!(refused, Err(ActivationError::Unknown)),
        "{refused:?}"
    );
    // The database refuses it too, whatever asked.
    let eligible: bool = sqlx::query_scalar(
        "SELECT promo_player_eligible(c, p) FROM promo_codes c, players p WHERE c.name = $1 AND p.id = $2",
    )
    .bind(&code)
    .bind(stranger)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(!eligible);

    // The owner redeems it once, typed however.
    let lower = code.to_lowercase().replace('-', " ");
    let granted = api
        .call(
            "POST",
            "/api/v1/players/owner/redeem",
            Some(&key),
            None,
            Some(json!({"code": lower})),
        )
        .await;
    assert_eq!(granted.status, StatusCode::CREATED, "{}", granted.body);
    assert_eq!(balance(&pool, owner).await, 250);
    let twice = common::redeem(&pool, owner, &code).await;
    assert!(
        matches!(twice, Err(ActivationError::AlreadyActivated)),
        "{twice:?}"
    );
    let listed = app::core::personal::owned(&pool, owner, 1).await.unwrap();
    assert_eq!(listed.lines.len(), 1);
    assert_eq!(
        (
            listed.lines[0].code.as_str(),
            listed.lines[0].state.as_str()
        ),
        (code.as_str(), "redeemed")
    );
    assert!(app::core::personal::owned(&pool, stranger, 1)
        .await
        .unwrap()
        .lines
        .is_empty());
    let issued_events: i64 =
        sqlx::query_scalar("SELECT count(*) FROM outbox_events WHERE topic = 'code.issued'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(issued_events, 1);
    common::assert_books_balance(&pool).await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn reports_and_rewards_are_checked(pool: PgPool) {
    let api = api(&pool, ThrottleConfig::default()).await;
    let key = key(&pool, &[Scope::Players, Scope::Redeem]).await;
    let players_only = common::api_client::key(&pool, &[Scope::Players]).await;
    player(&api, &key, "p").await;

    // No reward set: reported, nothing given.
    let (status, none) = report(&api, &key, "p", "login", "x").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (none["rewarded"].as_bool(), none["first"].as_bool()),
        (Some(false), Some(false))
    );
    // Bad keys: 422 naming each field; an unknown player 404; no scope 403.
    let bad = api
        .call(
            "POST",
            "/api/v1/players/p/actions",
            Some(&key),
            None,
            Some(json!({"action": "Not Valid!", "key": ""})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    let fields: Vec<&str> = bad.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["action", "key"]);
    assert_eq!(
        report(&api, &key, "nobody", "login", "x").await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        report(&api, &players_only, "p", "login", "x").await.0,
        StatusCode::FORBIDDEN
    );

    // The admin's rules: every problem at once; a switched-off reward gives nothing.
    let admin = common::admin(&pool, "rules").await;
    let refused = actions::save(
        &pool,
        Actor::Admin(admin),
        &ActionReward {
            action: "Bad Key".into(),
            gives: Gives::Grant,
            reward: 0,
            currency: "COINS".into(),
            once: true,
            code_days: 0,
            enabled: true,
        },
    )
    .await;
    let Err(app::core::Error::Invalid(problems)) = refused else {
        panic!("{refused:?}");
    };
    assert_eq!(problems.len(), 3, "{problems:?}");
    let unknown_currency = actions::save(
        &pool,
        Actor::Admin(admin),
        &ActionReward {
            action: "ok".into(),
            gives: Gives::Grant,
            reward: 5,
            currency: "NOPE".into(),
            once: true,
            code_days: 1,
            enabled: true,
        },
    )
    .await;
    assert!(matches!(
        unknown_currency,
        Err(app::core::Error::Invalid(_))
    ));
    reward(&pool, "login", Gives::Grant, 3, false).await;
    actions::save(
        &pool,
        Actor::Admin(admin),
        &ActionReward {
            action: "login".into(),
            gives: Gives::Grant,
            reward: 3,
            currency: "COINS".into(),
            once: false,
            code_days: 1,
            enabled: false,
        },
    )
    .await
    .unwrap();
    assert_eq!(
        report(&api, &key, "p", "login", "y").await.1["rewarded"],
        false
    );
    let listed = actions::list(&pool).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(!listed[0].enabled);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_dashboard_sets_rewards_with_and_without_javascript(pool: PgPool) {
    let app = common::app(&pool).await;
    app::core::admins::create(
        &pool,
        "boss",
        "boss-password",
        app::admin::models::Role::Admin,
        false,
    )
    .await
    .unwrap();
    let (cookie, csrf) = common::admin_sign_in(&app, "boss", "boss-password").await;
    let form = |reward: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("action", "daily.bonus".to_owned()),
            ("gives", "code".to_owned()),
            ("reward", reward.to_owned()),
            ("currency", "GEMS".to_owned()),
            ("code_days", "14".to_owned()),
            ("enabled", "on".to_owned()),
        ]
    };
    let post = |fields: Vec<(&'static str, String)>, plain: bool| {
        let app = app.clone();
        let cookie = cookie.clone();
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            common::post_form(
                &app,
                "/api/admin/save_action_reward",
                Some(&cookie),
                &fields,
                plain,
            )
            .await
        }
    };
    let saved = post(form("40"), false).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let listed = actions::list(&pool).await.unwrap();
    assert_eq!(
        (
            listed[0].action.as_str(),
            listed[0].gives.as_str(),
            listed[0].reward,
            listed[0].once
        ),
        ("daily.bonus", "code", 40, false)
    );
    // A plain post with a bad reward goes back to the page and changes nothing.
    let bad = post(form("lots"), true).await;
    assert!(bad.status.is_redirection(), "{}", bad.status);
    assert_eq!(actions::list(&pool).await.unwrap()[0].reward, 40);
    // A plain post that saves lands on the page saying so.
    let plain = post(form("45"), true).await;
    assert_eq!(plain.location, "/admin/actions?saved=1");
    for (lang, heading) in [
        ("en", "Rewards for platform actions"),
        ("ru", "Награды за действия на платформе"),
    ] {
        let page = common::get_page(
            &app,
            "/admin/actions",
            Some(&format!("{cookie}; promocodes-lang={lang}")),
        )
        .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains(heading), "{lang}");
        assert!(page.body.contains("daily.bonus") && page.body.contains("id=\"action-form\""));
    }
}
