//! Codes, series and statistics through the platform API on the real
//! router: scopes, the dashboard's rules and answers, idempotent creates,
//! the audit log naming the key, the events other modules hear, and a
//! series generated to the end.

use crate::common;

use std::time::Duration;

use app::core::api_keys::Scope;
use axum::http::StatusCode;
use common::api_client::{api, key, problem_type};
use serde_json::json;
use server::throttle::ThrottleConfig;
use sqlx::PgPool;

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn codes_need_their_scopes(pool: PgPool) {
    let api = api(&pool, ThrottleConfig::default()).await;
    let reader = key(&pool, &[Scope::CodesRead]).await;
    let writer = key(&pool, &[Scope::CodesWrite]).await;
    let players = key(&pool, &[Scope::Players]).await;
    let body = json!({ "name": "SCOPED", "initial_reward": 10 });

    let refused = api
        .call(
            "POST",
            "/api/v1/codes",
            Some(&reader),
            None,
            Some(body.clone()),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(problem_type(&refused).ends_with("#problem-forbidden"));
    let made = api
        .call("POST", "/api/v1/codes", Some(&writer), None, Some(body))
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{:?}", made.body);
    let id = made.body["id"].as_i64().unwrap();
    let path = format!("/api/v1/codes/{id}");
    assert_eq!(
        api.call("GET", &path, Some(&writer), None, None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        api.call("GET", "/api/v1/codes", Some(&players), None, None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        api.call("GET", "/api/v1/stats", Some(&reader), None, None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let read = api.call("GET", &path, Some(&reader), None, None).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.body["name"], "SCOPED");
    let bad_id = api
        .call("GET", "/api/v1/codes/abc", Some(&reader), None, None)
        .await;
    assert_eq!(bad_id.status, StatusCode::BAD_REQUEST);
    assert!(problem_type(&bad_id).ends_with("#problem-bad-request"));
    let bad_query = api
        .call(
            "GET",
            "/api/v1/codes?type=nothing",
            Some(&reader),
            None,
            None,
        )
        .await;
    assert_eq!(bad_query.status, StatusCode::BAD_REQUEST);
    assert!(problem_type(&bad_query).ends_with("#problem-bad-request"));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn codes_are_managed_like_in_the_dashboard(pool: PgPool) {
    let api = api(&pool, ThrottleConfig::default()).await;
    let all = key(
        &pool,
        &[
            Scope::CodesRead,
            Scope::CodesWrite,
            Scope::Players,
            Scope::Redeem,
        ],
    )
    .await;
    let k = Some(all.as_str());

    // Every broken rule at once, by field, and nothing stored.
    let refused = api
        .call(
            "POST",
            "/api/v1/codes",
            k,
            None,
            Some(
                json!({ "name": "no spaces!", "initial_reward": 0, "currency": "NOPE",
                         "ends_at": "2020-01-01T00:00:00Z", "starts_at": "2021-01-01T00:00:00Z" }),
            ),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = refused.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for field in ["name", "initial_reward", "ends_at"] {
        assert!(fields.contains(&field), "{fields:?}");
    }
    let unknown_field = api
        .call(
            "POST",
            "/api/v1/codes",
            k,
            None,
            Some(json!({ "name": "X1", "initial_reward": 1, "colour": "red" })),
        )
        .await;
    assert_eq!(unknown_field.status, StatusCode::BAD_REQUEST);
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM promo_codes")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(count, 0);

    // A decreasing code with texts; its counters and status read back.
    let made = api
        .call(
            "POST",
            "/api/v1/codes",
            k,
            None,
            Some(json!({
                "name": "stream-42", "initial_reward": 500, "min_reward": 100, "decrease_step": 100,
                "activation_limit": 10, "priority": 3, "eligible_tiers": ["gold", " "],
                "texts": { "en": { "description": "Live" }, "ru": { "description": "Эфир" } }
            })),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{:?}", made.body);
    let id = made.body["id"].as_i64().unwrap();
    assert_eq!(made.body["status"], "active");
    assert_eq!(made.body["current_reward"], 500);
    assert_eq!(made.body["eligible_tiers"], json!(["gold"]));
    assert_eq!(made.body["texts"]["ru"]["description"], "Эфир");
    let duplicate = api
        .call(
            "POST",
            "/api/v1/codes",
            k,
            None,
            Some(json!({ "name": "STREAM42", "initial_reward": 5 })),
        )
        .await;
    assert_eq!(duplicate.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(duplicate.body["errors"][0]["field"], "name");

    // The list filters like the dashboard's.
    let other = api
        .call(
            "POST",
            "/api/v1/codes",
            k,
            None,
            Some(json!({ "name": "PLAIN", "initial_reward": 5 })),
        )
        .await;
    let plain = other.body["id"].as_i64().unwrap();
    let decreasing = api
        .call("GET", "/api/v1/codes?type=decreasing", k, None, None)
        .await;
    assert_eq!(decreasing.body["total"], 1);
    assert_eq!(decreasing.body["items"][0]["id"], id);
    let by_name = api
        .call(
            "GET",
            "/api/v1/codes?sort=name&order=asc&per_page=1",
            k,
            None,
            None,
        )
        .await;
    assert_eq!(by_name.body["items"][0]["name"], "PLAIN");
    assert_eq!(by_name.body["has_next"], true);
    assert_eq!(
        api.call("GET", "/api/v1/codes?per_page=1000", k, None, None)
            .await
            .status,
        StatusCode::BAD_REQUEST
    );

    // Replace: every parameter; a limit below the count is refused.
    let path = format!("/api/v1/codes/{id}");
    api.call(
        "PUT",
        "/api/v1/players/p1",
        k,
        None,
        Some(json!({ "tier": "gold" })),
    )
    .await;
    let redeemed = api
        .call(
            "POST",
            "/api/v1/players/p1/redeem",
            k,
            None,
            Some(json!({ "code": "STREAM-42" })),
        )
        .await;
    assert_eq!(redeemed.status, StatusCode::CREATED, "{:?}", redeemed.body);
    let replaced = api
        .call(
            "PUT",
            &path,
            k,
            None,
            Some(
                json!({ "name": "STREAM-42", "initial_reward": 300, "min_reward": 100,
                         "decrease_step": 50, "activation_limit": 5 }),
            ),
        )
        .await;
    assert_eq!(replaced.status, StatusCode::OK, "{:?}", replaced.body);
    assert_eq!(replaced.body["activation_count"], 1);
    assert_eq!(replaced.body["current_reward"], 250);
    assert_eq!(replaced.body["eligible_tiers"], json!([]));
    let below = api
        .call(
            "PUT",
            &path,
            k,
            None,
            Some(json!({ "name": "STREAM-42", "initial_reward": 300, "activation_limit": 0 })),
        )
        .await;
    assert_eq!(below.status, StatusCode::UNPROCESSABLE_ENTITY);
    let missing = api
        .call(
            "PUT",
            "/api/v1/codes/999999",
            k,
            None,
            Some(json!({ "name": "GHOST", "initial_reward": 1 })),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    // Disabled, it answers as unknown; enabled, it works again.
    let off = api
        .call("POST", &format!("{path}/disable"), k, None, None)
        .await;
    assert_eq!(off.status, StatusCode::OK);
    assert_eq!(off.body["status"], "disabled");
    let hidden = api
        .call(
            "POST",
            "/api/v1/players/p1/validate",
            k,
            None,
            Some(json!({ "code": "STREAM-42" })),
        )
        .await;
    assert!(problem_type(&hidden).ends_with("#problem-unknown-code"));
    let on = api
        .call("POST", &format!("{path}/enable"), k, None, Some(json!({})))
        .await;
    assert_eq!(on.body["status"], "active");

    // Clone: everything but the name and the counter; delete: only unused.
    let copy = api
        .call(
            "POST",
            &format!("{path}/clone"),
            k,
            None,
            Some(json!({ "name": "STREAM-43" })),
        )
        .await;
    assert_eq!(copy.status, StatusCode::CREATED, "{:?}", copy.body);
    assert_eq!(copy.body["decrease_step"], 50);
    assert_eq!(copy.body["activation_count"], 0);
    let in_use = api.call("DELETE", &path, k, None, None).await;
    assert_eq!(in_use.status, StatusCode::CONFLICT);
    assert!(problem_type(&in_use).ends_with("#problem-in-use"));
    let gone = api
        .call("DELETE", &format!("/api/v1/codes/{plain}"), k, None, None)
        .await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);

    // The audit log names the key, and the events say who did it.
    let key_id: i64 = sqlx::query_scalar("SELECT id FROM api_keys")
        .fetch_one(&pool)
        .await
        .unwrap();
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE entity = 'code' AND entity_id = $1 AND api_key_id = $2 AND admin_id IS NULL ORDER BY id",
    )
    .bind(id)
    .bind(key_id)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(actions, ["create", "update", "disable", "enable"]);
    let events: Vec<(String, Option<i64>)> = sqlx::query_as(
        "SELECT topic, (payload->>'api_key_id')::bigint FROM outbox_events WHERE topic LIKE 'code.%' ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(events.len(), 7, "{events:?}");
    assert!(events.iter().all(|(_, by)| *by == Some(key_id)));
    assert_eq!(events.last().unwrap().0, "code.deleted");
    common::assert_books_balance(&pool).await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_create_with_an_idempotency_key_makes_one_code(pool: PgPool) {
    let api = std::sync::Arc::new(api(&pool, ThrottleConfig::default()).await);
    let writer = key(&pool, &[Scope::CodesWrite]).await;
    let body = json!({ "name": "ONCE", "initial_reward": 7 });
    let racing = (0..8).map(|_| {
        let (api, writer, body) = (api.clone(), writer.clone(), body.clone());
        tokio::spawn(async move {
            api.call(
                "POST",
                "/api/v1/codes",
                Some(&writer),
                Some("make-once"),
                Some(body),
            )
            .await
        })
    });
    let replies: Vec<_> = futures::future::join_all(racing)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let ids: std::collections::HashSet<i64> = replies
        .iter()
        .map(|r| {
            assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
            r.body["id"].as_i64().unwrap()
        })
        .collect();
    assert_eq!(ids.len(), 1, "every reply names the one code");
    assert_eq!(replies.iter().filter(|r| !r.replayed).count(), 1);
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM promo_codes")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(count, 1);
    let other = api
        .call(
            "POST",
            "/api/v1/codes",
            Some(&writer),
            Some("make-once"),
            Some(json!({ "name": "TWICE", "initial_reward": 7 })),
        )
        .await;
    assert_eq!(other.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(problem_type(&other).ends_with("#problem-idempotency-mismatch"));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_series_runs_to_the_end_and_stats_count_it(pool: PgPool) {
    let api = api(&pool, ThrottleConfig::default()).await;
    let all = key(&pool, &[Scope::CodesRead, Scope::CodesWrite, Scope::Stats]).await;
    let k = Some(all.as_str());
    let refused = api
        .call(
            "POST",
            "/api/v1/series",
            k,
            None,
            Some(json!({ "name": "Tiny", "count": 0, "reward": 10 })),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let started = api
        .call(
            "POST",
            "/api/v1/series",
            k,
            Some("series-1"),
            Some(
                json!({ "name": "Flyers", "count": 250, "pattern": "FLY-####-####", "reward": 10 }),
            ),
        )
        .await;
    assert_eq!(started.status, StatusCode::ACCEPTED, "{:?}", started.body);
    let id = started.body["id"].as_i64().unwrap();
    assert_eq!(started.body["requested"], 250);
    // A replay is the same job, not a second series.
    let again = api
        .call(
            "POST",
            "/api/v1/series",
            k,
            Some("series-1"),
            Some(
                json!({ "name": "Flyers", "count": 250, "pattern": "FLY-####-####", "reward": 10 }),
            ),
        )
        .await;
    assert!(again.replayed);
    assert_eq!(again.body["id"], id);
    let path = format!("/api/v1/series/{id}");
    let mut job = api.call("GET", &path, k, None, None).await;
    for _ in 0..200 {
        if job.body["status"] != "running" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        job = api.call("GET", &path, k, None, None).await;
    }
    assert_eq!(job.body["status"], "done", "{:?}", job.body);
    assert_eq!(job.body["done"], 250);
    let listed = api.call("GET", "/api/v1/series", k, None, None).await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
    let group = job.body["group_id"].as_i64().unwrap();
    let codes = api
        .call(
            "GET",
            &format!("/api/v1/codes?group={group}"),
            k,
            None,
            None,
        )
        .await;
    assert_eq!(codes.body["total"], 250);
    let finished: Option<i64> = sqlx::query_scalar(
        "SELECT (payload->>'api_key_id')::bigint FROM outbox_events WHERE topic = 'series.finished'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(finished.is_some());
    let stats = api.call("GET", "/api/v1/stats", k, None, None).await;
    assert_eq!(stats.status, StatusCode::OK);
    assert_eq!(stats.body["active_codes"], 250);
    assert_eq!(stats.body["activations_today"], 0);
    assert_eq!(
        api.call("GET", "/api/v1/series/424242", k, None, None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}
