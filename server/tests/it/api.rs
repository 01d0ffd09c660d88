//! The platform API on the real router: keys and scopes, players by the
//! platform's id, redeem and validate with their problems, idempotent
//! replays (also racing) and mismatched bodies, the per-key throttle, and
//! the OpenAPI document with its reference page.

use crate::common;

use app::core::api_keys::{self, Scope};
use axum::http::StatusCode;
use common::api_client::{api, key, problem_type};
use serde_json::json;
use server::throttle::ThrottleConfig;
use sqlx::PgPool;

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn every_request_needs_a_live_key_with_the_scope(pool: PgPool) {
    let api = api(&pool, ThrottleConfig::default()).await;
    let players = key(&pool, &[Scope::Players]).await;
    let redeem_only = key(&pool, &[Scope::Redeem]).await;
    let path = "/api/v1/players/u1";

    let none = api.call("GET", path, None, None, None).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    assert!(problem_type(&none).ends_with("#problem-unauthorized"));
    let forged = api
        .call("GET", path, Some("pk_not-a-real-key"), None, None)
        .await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED);
    let wrong_scope = api.call("GET", path, Some(&redeem_only), None, None).await;
    assert_eq!(wrong_scope.status, StatusCode::FORBIDDEN);
    assert!(problem_type(&wrong_scope).ends_with("#problem-forbidden"));
    assert_eq!(
        api.call("GET", path, Some(&players), None, None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Revoked: refused at once.
    let admin = app::core::admins::create(
        &pool,
        "keys",
        "keys-password",
        app::admin::models::Role::Admin,
        false,
    )
    .await
    .unwrap();
    let id = api_keys::list(&pool)
        .await
        .unwrap()
        .into_iter()
        .find(|k| players.starts_with(&k.prefix))
        .unwrap()
        .id;
    assert!(api_keys::revoke(&pool, admin, id).await.unwrap());
    assert_eq!(
        api.call("GET", path, Some(&players), None, None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let listed = api_keys::list(&pool).await.unwrap();
    assert!(listed
        .iter()
        .any(|k| k.id == id && k.revoked_at.is_some() && k.last_used_at.is_some()));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn players_are_upserted_by_the_platform_id(pool: PgPool) {
    let api = api(&pool, ThrottleConfig::default()).await;
    let key = key(&pool, &[Scope::Players]).await;
    let path = "/api/v1/players/platform-77";
    let created = api
        .call(
            "PUT",
            path,
            Some(&key),
            None,
            Some(json!({"locale": "ru", "tier": "vip", "tags": ["beta"]})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    assert_eq!(created.body["external_id"], "platform-77");
    assert_eq!(created.body["locale"], "ru");
    assert_eq!(created.body["tags"], json!(["beta"]));
    assert_eq!(created.body["announcements"], true);
    let updated = api
        .call(
            "PUT",
            path,
            Some(&key),
            None,
            Some(json!({"tier": "standard", "announcements": false})),
        )
        .await;
    assert_eq!(updated.body["announcements"], false);
    assert_eq!(updated.status, StatusCode::OK);
    assert_eq!(updated.body["id"], created.body["id"]);
    assert_eq!(updated.body["tier"], "standard");
    assert_eq!(
        updated.body["locale"], "ru",
        "a field left out keeps its value"
    );

    let invalid = api
        .call(
            "PUT",
            path,
            Some(&key),
            None,
            Some(json!({"locale": "fr", "tags": ["no spaces"]})),
        )
        .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = invalid.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["locale", "tags"]);
    let unreadable = api
        .call("PUT", path, Some(&key), None, Some(json!({"tier": 5})))
        .await;
    assert_eq!(unreadable.status, StatusCode::BAD_REQUEST);
    let unknown_field = api
        .call("PUT", path, Some(&key), None, Some(json!({"balance": 100})))
        .await;
    assert_eq!(unknown_field.status, StatusCode::BAD_REQUEST);
    let read = api.call("GET", path, Some(&key), None, None).await;
    assert_eq!(read.body["tier"], "standard");
    assert_eq!(read.body["announcements"], false);

    let link = api
        .call(
            "POST",
            &format!("{path}/sign-in-link"),
            Some(&key),
            None,
            Some(json!({"next": "/wallet"})),
        )
        .await;
    assert_eq!(link.status, StatusCode::OK, "{:?}", link.body);
    let url = link.body["url"].as_str().unwrap();
    assert!(
        url.starts_with("http://127.0.0.1:3000/auth/link?") && url.contains("next=%2Fwallet"),
        "{url}"
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn redeem_and_validate_answer_like_the_form(pool: PgPool) {
    let api = api(&pool, ThrottleConfig::default()).await;
    let key = key(&pool, &[Scope::Players, Scope::Redeem]).await;
    let mut decreasing = common::fixed("FALLING", 100);
    decreasing.min_reward = 10;
    decreasing.decrease_step = 30;
    common::code(&pool, decreasing).await;
    let mut off = common::fixed("SWITCHEDOFF", 5);
    off.enabled = false;
    common::code(&pool, off).await;
    for id in ["a", "b"] {
        api.call(
            "PUT",
            &format!("/api/v1/players/{id}"),
            Some(&key),
            None,
            None,
        )
        .await;
    }

    let quote = api
        .call(
            "POST",
            "/api/v1/players/a/validate",
            Some(&key),
            None,
            Some(json!({"code": "fall-ing"})),
        )
        .await;
    assert_eq!(quote.status, StatusCode::OK, "{:?}", quote.body);
    assert_eq!(quote.body["reward"], 100);
    let granted = api
        .call(
            "POST",
            "/api/v1/players/a/redeem",
            Some(&key),
            None,
            Some(json!({"code": "falling"})),
        )
        .await;
    assert_eq!(granted.status, StatusCode::CREATED, "{:?}", granted.body);
    assert_eq!(granted.body["reward"], 100);
    assert_eq!(granted.body["balance_after"], 100);
    let again = api
        .call(
            "POST",
            "/api/v1/players/a/redeem",
            Some(&key),
            None,
            Some(json!({"code": "FALLING"})),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(problem_type(&again).ends_with("#problem-already-activated"));
    let next = api
        .call(
            "POST",
            "/api/v1/players/b/validate",
            Some(&key),
            None,
            Some(json!({"code": "FALLING"})),
        )
        .await;
    assert_eq!(next.body["reward"], 70, "the next activation gets less");
    assert_eq!(next.body["ordinal"], 1);

    let unknown = api
        .call(
            "POST",
            "/api/v1/players/b/redeem",
            Some(&key),
            None,
            Some(json!({"code": "NOSUCH"})),
        )
        .await;
    let disabled = api
        .call(
            "POST",
            "/api/v1/players/b/redeem",
            Some(&key),
            None,
            Some(json!({"code": "SWITCHEDOFF"})),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(
        unknown.body, disabled.body,
        "no oracle for switched-off codes"
    );
    let none = api
        .call(
            "POST",
            "/api/v1/players/b/redeem",
            Some(&key),
            None,
            Some(json!({})),
        )
        .await;
    assert_eq!(none.status, StatusCode::BAD_REQUEST);
    let nobody = api
        .call(
            "POST",
            "/api/v1/players/nobody/redeem",
            Some(&key),
            None,
            Some(json!({"code": "FALLING"})),
        )
        .await;
    assert!(problem_type(&nobody).ends_with("#problem-unknown-player"));

    let activations: i64 = sqlx::query_scalar("SELECT count(*) FROM activations")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(activations, 1, "validations wrote nothing");
    let list = api
        .call(
            "GET",
            "/api/v1/players/a/activations",
            Some(&key),
            None,
            None,
        )
        .await;
    assert_eq!(list.body["items"][0]["code"], "FALLING");
    assert_eq!(list.body["items"][0]["channel"], "api");
    let player = api
        .call("GET", "/api/v1/players/a", Some(&key), None, None)
        .await;
    assert_eq!(
        player.body["balances"],
        json!([{"currency": "COINS", "amount": 100}])
    );
    common::assert_books_balance(&pool).await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn an_idempotency_key_replays_its_answer_even_when_racing(pool: PgPool) {
    let pool = common::wide_pool((*pool.connect_options()).clone()).await;
    let api = std::sync::Arc::new(api(&pool, ThrottleConfig::default()).await);
    let key = key(&pool, &[Scope::Players, Scope::Redeem]).await;
    common::code(&pool, common::fixed("ONCEONLY", 50)).await;
    api.call("PUT", "/api/v1/players/p", Some(&key), None, None)
        .await;
    let body = json!({"code": "ONCEONLY"});

    let first = api
        .call(
            "POST",
            "/api/v1/players/p/redeem",
            Some(&key),
            Some("k-1"),
            Some(body.clone()),
        )
        .await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert!(!first.replayed);
    let replay = api
        .call(
            "POST",
            "/api/v1/players/p/redeem",
            Some(&key),
            Some("k-1"),
            Some(body.clone()),
        )
        .await;
    assert_eq!(
        replay.status,
        StatusCode::CREATED,
        "the stored answer, not 'already activated'"
    );
    assert!(replay.replayed);
    assert_eq!(replay.body, first.body);
    let other_body = api
        .call(
            "POST",
            "/api/v1/players/p/redeem",
            Some(&key),
            Some("k-1"),
            Some(json!({"code": "OTHER"})),
        )
        .await;
    assert_eq!(other_body.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(problem_type(&other_body).ends_with("#problem-idempotency-mismatch"));

    // Twenty racing requests with one new key: one grant, twenty equal answers.
    let upserts = (0..20).map(|_| {
        let api = api.clone();
        let key = key.clone();
        tokio::spawn(async move {
            let reply = api
                .call(
                    "PUT",
                    "/api/v1/players/racer",
                    Some(&key),
                    Some("race"),
                    Some(json!({"tier": "gold"})),
                )
                .await;
            (reply.status, reply.body)
        })
    });
    let answers: Vec<_> = futures::future::join_all(upserts)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert!(answers.iter().all(|a| a == &answers[0]), "{answers:?}");
    assert_eq!(answers[0].0, StatusCode::CREATED);
    common::code(&pool, common::fixed("RACED", 5)).await;
    let redeems = (0..20).map(|_| {
        let api = api.clone();
        let key = key.clone();
        tokio::spawn(async move {
            let reply = api
                .call(
                    "POST",
                    "/api/v1/players/racer/redeem",
                    Some(&key),
                    Some("race-redeem"),
                    Some(json!({"code": "RACED"})),
                )
                .await;
            (reply.status, reply.body)
        })
    });
    let answers: Vec<_> = futures::future::join_all(redeems)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert!(answers.iter().all(|a| a == &answers[0]), "{answers:?}");
    assert_eq!(answers[0].0, StatusCode::CREATED);
    let grants: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM activations a JOIN promo_codes c ON c.id = a.code_id WHERE c.name = 'RACED'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(grants, 1);
    common::assert_books_balance(&pool).await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn each_key_is_throttled_on_its_own(pool: PgPool) {
    let limits = ThrottleConfig {
        api_key: server::throttle::Limit::new(60, 3),
        ..ThrottleConfig::default()
    };
    let api = api(&pool, limits).await;
    let busy = key(&pool, &[Scope::Players]).await;
    let quiet = key(&pool, &[Scope::Players]).await;
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(
            api.call("GET", "/api/v1/players/x", Some(&busy), None, None)
                .await,
        );
    }
    let throttled = statuses.last().unwrap();
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(problem_type(throttled).ends_with("#problem-throttled"));
    assert!(
        throttled
            .retry_after
            .as_deref()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    assert_eq!(
        api.call("GET", "/api/v1/players/x", Some(&quiet), None, None)
            .await
            .status,
        StatusCode::NOT_FOUND,
        "another key is not held back"
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_openapi_document_and_its_reference_page_are_served(pool: PgPool) {
    let api = api(&pool, ThrottleConfig::default()).await;
    let doc = api
        .call("GET", "/api/v1/openapi.json", None, None, None)
        .await;
    assert_eq!(doc.status, StatusCode::OK);
    assert_eq!(doc.body["openapi"], "3.1.0");
    assert!(doc.body["paths"]["/api/v1/players/{external_id}/redeem"]["post"].is_object());
    assert!(doc.body["components"]["securitySchemes"]["api_key"].is_object());
    let app = common::app(&pool).await;
    let page = common::get_page(&app, "/api/v1/docs", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("id=\"problem-unknown-code\""));
    assert!(!page.body.contains("<script"), "no script, nothing fetched");
    let missing = api
        .call("GET", "/api/v1/nothing-here", None, None, None)
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(problem_type(&missing).ends_with("#problem-not-found"));
}
