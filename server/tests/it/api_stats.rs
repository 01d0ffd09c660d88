//! The statistics as JSON (`/api/v1/stats/...`, scope `stats`): each report
//! of the dashboard with its figures on the statistics fixture, the range's
//! refusals, unknown ids, and every route named in the OpenAPI document.

use crate::common;

use app::core::api_keys::Scope;
use axum::http::StatusCode;
use chrono::Duration;
use common::api_client::{api, key, problem_type};
use common::stats_fixture::fixture;
use serde_json::Value;
use server::throttle::ThrottleConfig;
use sqlx::PgPool;

fn figures(body: &Value, fields: &[&str]) -> Vec<i64> {
    fields
        .iter()
        .map(|f| body[*f].as_i64().unwrap_or_else(|| panic!("{f} in {body}")))
        .collect()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn every_report_is_served_as_json_with_its_figures(pool: PgPool) {
    let f = fixture(&pool).await;
    let api = api(&pool, ThrottleConfig::default()).await;
    let stats = key(&pool, &[Scope::Stats]).await;
    let codes_only = key(&pool, &[Scope::CodesRead]).await;
    let get = |path: String| {
        let api = &api;
        let stats = stats.clone();
        async move { api.call("GET", &path, Some(&stats), None, None).await }
    };
    let (day, last) = (f.day, f.day + Duration::days(2));
    let before = day - Duration::days(1);

    // A code over the fixture's day: p2 at 00:00 and p3 at 06:00, not p1 at 23:59:59 before.
    let a = get(format!("/api/v1/stats/codes/{}?from={day}&to={day}", f.a)).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(
        figures(&a.body, &["in_range", "rewards_in_range", "activations"]),
        [2, 200, 3]
    );
    assert_eq!(a.body["over_time"]["bucket"], "hour");
    assert_eq!(a.body["over_time"]["points"].as_array().unwrap().len(), 24);
    assert_eq!(a.body["range"]["from"], day.to_string());
    assert_eq!(a.body["delays"], serde_json::json!([1, 1, 1, 0, 0, 0, 0]));

    // Who activated it, newest first.
    let who = get(format!("/api/v1/stats/codes/{}/activations", f.a)).await;
    assert_eq!(who.status, StatusCode::OK, "{}", who.body);
    let players: Vec<i64> = who.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["player_id"].as_i64().unwrap())
        .collect();
    assert_eq!(players, [f.p3, f.p2, f.p1]);
    assert_eq!(who.body["has_next"], false);

    // The group, the campaign and the partner (7 coins per activation of A).
    let range = format!("from={before}&to={last}");
    let group = get(format!("/api/v1/stats/groups/{}?{range}", f.group)).await;
    assert_eq!(
        figures(
            &group.body,
            &["activations", "players", "codes", "codes_used"]
        ),
        [3, 3, 1, 1]
    );
    let campaign = get(format!("/api/v1/stats/campaigns/{}?{range}", f.campaign)).await;
    assert_eq!(figures(&campaign.body, &["activations", "players"]), [5, 3]);
    assert_eq!(
        campaign.body["rewards"],
        serde_json::json!([{"currency": "COINS", "amount": 300}, {"currency": "GEMS", "amount": 90}])
    );
    let partner = get(format!("/api/v1/stats/partners/{}?{range}", f.partner)).await;
    assert_eq!(
        figures(&partner.body["payout"], &["activations", "owed"]),
        [3, 21]
    );

    // Campaigns compared, the service, retention.
    let compared = get(format!("/api/v1/stats/campaigns?{range}")).await;
    let line = &compared.body["campaigns"][0];
    assert_eq!(line["id"].as_i64(), Some(f.campaign));
    assert_eq!(line["by_channel"], serde_json::json!([3, 1, 1, 0]));
    let service = get(format!("/api/v1/stats/service?{range}")).await;
    assert_eq!(service.status, StatusCode::OK, "{}", service.body);
    let kinds = &service.body["kinds"];
    assert_eq!(
        kinds["keys"],
        serde_json::json!(["standard", "decreasing", "limited", "temporary", "egg"])
    );
    let per_kind = kinds["points"]
        .as_array()
        .unwrap()
        .iter()
        .fold(vec![0; 5], |mut sum, p| {
            for (s, v) in sum.iter_mut().zip(p[1].as_array().unwrap()) {
                *s += v.as_i64().unwrap();
            }
            sum
        });
    assert_eq!(per_kind, [3, 2, 0, 0, 1]);
    assert_eq!(service.body["top_players"].as_array().unwrap().len(), 3);
    let retention = get(format!("/api/v1/stats/retention?{range}")).await;
    assert_eq!(retention.status, StatusCode::OK, "{}", retention.body);
    assert!(retention.body["redeemers"].is_array());

    // Refusals: a bad range, an unknown id, a key without the scope.
    for bad in [
        "from=yesterday",
        "from=2026-02-30",
        &format!("from={last}&to={before}"),
        "from=1000-01-01&to=2026-01-01",
        "from=1980-01-01&to=2026-01-01",
        "to=%2B262142-12-31",
    ] {
        let reply = get(format!("/api/v1/stats/service?{bad}")).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{bad}: {}",
            reply.body
        );
        assert!(
            problem_type(&reply).ends_with("#problem-bad-request"),
            "{bad}"
        );
    }
    for path in [
        "/api/v1/stats/codes/999999".to_owned(),
        "/api/v1/stats/codes/999999/activations".to_owned(),
        "/api/v1/stats/groups/999999".to_owned(),
        "/api/v1/stats/campaigns/999999".to_owned(),
        "/api/v1/stats/partners/999999".to_owned(),
    ] {
        let reply = get(path.clone()).await;
        assert_eq!(
            reply.status,
            StatusCode::NOT_FOUND,
            "{path}: {}",
            reply.body
        );
        assert!(problem_type(&reply).ends_with("#problem-not-found"));
    }
    let refused = api
        .call(
            "GET",
            "/api/v1/stats/service",
            Some(&codes_only),
            None,
            None,
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // Every route is in the OpenAPI document.
    let doc = api
        .call("GET", "/api/v1/openapi.json", None, None, None)
        .await;
    for path in [
        "/api/v1/stats/codes/{id}",
        "/api/v1/stats/codes/{id}/activations",
        "/api/v1/stats/groups/{id}",
        "/api/v1/stats/campaigns",
        "/api/v1/stats/campaigns/{id}",
        "/api/v1/stats/partners/{id}",
        "/api/v1/stats/service",
        "/api/v1/stats/retention",
    ] {
        assert!(doc.body["paths"][path]["get"].is_object(), "{path}");
    }
    assert!(doc.body["components"]["schemas"]["CodeStats"].is_object());
}
