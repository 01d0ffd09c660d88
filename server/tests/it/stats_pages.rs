//! The statistics as an admin and the platform reach them: every report page
//! rendered on the server (no JavaScript) in English and Russian, with its
//! chart, figures in the reader's language and a refused range explained;
//! the CSV downloads; the activity API with its scope and idempotency.

use crate::common;

use app::core::api_keys::Scope as KeyScope;
use app::core::stats::rollup;
use app::core::NewCode;
use axum::http::StatusCode;
use common::api_client::{api, key};
use common::*;
use serde_json::json;
use server::throttle::ThrottleConfig;
use sqlx::PgPool;

struct Ids {
    code: i64,
    campaign: i64,
    partner: i64,
    group: i64,
}

/// A partner's campaign with a 1,500-coin code in a group, redeemed by three
/// players through the core.
async fn redeemed(pool: &PgPool) -> Ids {
    let (partner, campaign, group) = common::stats_fixture::catalog(pool, 1200, "social").await;
    let code = code(
        pool,
        NewCode {
            campaign_id: Some(campaign),
            partner_id: Some(partner),
            group_id: Some(group),
            ..fixed("BIG-GIFT", 1500)
        },
    )
    .await;
    for _ in 0..3 {
        let p = player(pool).await;
        redeem(pool, p, "BIG-GIFT").await.unwrap();
    }
    rollup::catch_up(pool).await.unwrap();
    rollup::refresh_retention(pool).await.unwrap();
    Ids {
        code,
        campaign,
        partner,
        group,
    }
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn every_report_renders_without_javascript_in_both_languages(pool: PgPool) {
    let ids = redeemed(&pool).await;
    admin(&pool, "boss").await;
    let app = app(&pool).await;
    let (cookie, _) = admin_sign_in(&app, "boss", "an-admin-password").await;
    let pages = [
        ("/admin/stats".to_owned(), "Statistics", "Статистика"),
        (
            "/admin/stats/campaigns".to_owned(),
            "Campaigns compared",
            "Сравнение кампаний",
        ),
        (
            "/admin/stats/retention".to_owned(),
            "Retention",
            "Удержание",
        ),
        (
            format!("/admin/codes/{}/stats", ids.code),
            "Code BIG-GIFT",
            "Код BIG-GIFT",
        ),
        (
            format!("/admin/campaigns/{}/stats", ids.campaign),
            "Campaign Winter",
            "Кампания Winter",
        ),
        (
            format!("/admin/partners/{}/stats", ids.partner),
            "Partner Acme",
            "Партнёр Acme",
        ),
        (
            format!("/admin/groups/{}/stats", ids.group),
            "Group Gifts",
            "Группа Gifts",
        ),
    ];
    for (path, en, ru) in pages {
        for (lang, heading) in [("en", en), ("ru", ru)] {
            let cookies = format!("{cookie}; promocodes-lang={lang}");
            let page = get_page(&app, &path, Some(&cookies)).await;
            assert_eq!(page.status, StatusCode::OK, "{path} {lang}");
            assert!(page.body.contains(heading), "{path} {lang}: no {heading:?}");
            assert!(
                page.body.contains("id=\"range-form\""),
                "{path}: a range form"
            );
        }
    }
    // Charts: an accessible SVG with its table; figures grouped by language.
    let en = get_page(
        &app,
        &format!("/admin/codes/{}/stats", ids.code),
        Some(&format!("{cookie}; promocodes-lang=en")),
    )
    .await;
    assert!(en.body.contains("role=\"img\""));
    assert!(en.body.contains("<title id=\"chart-activations-title\">"));
    assert!(en.body.contains("<desc id=\"chart-activations-desc\">"));
    assert!(en.body.contains("4,500 coins"), "rewards handed out");
    let ru = get_page(
        &app,
        &format!("/admin/codes/{}/stats", ids.code),
        Some(&format!("{cookie}; promocodes-lang=ru")),
    )
    .await;
    assert!(ru.body.contains("4\u{a0}500 монет"), "rewards in Russian");
    let partner = get_page(
        &app,
        &format!("/admin/partners/{}/stats", ids.partner),
        Some(&format!("{cookie}; promocodes-lang=en")),
    )
    .await;
    assert!(partner.body.contains("id=\"payout-table\""));
    assert!(
        partner.body.contains("3,600 coins"),
        "3 activations at 1,200"
    );

    // A range that makes no sense: said so, and the default range shown.
    let bad = get_page(&app, "/admin/stats?from=2026-13-45&to=", Some(&cookie)).await;
    assert_eq!(bad.status, StatusCode::OK);
    assert!(bad.body.contains("id=\"range-error\""));
    let reversed = get_page(
        &app,
        "/admin/stats?from=2026-12-04&to=2026-12-01",
        Some(&format!("{cookie}; promocodes-lang=ru")),
    )
    .await;
    assert!(reversed.body.contains("Период кончается раньше"));
    // Someone else is sent to sign in; a report of nothing says so.
    let outsider = get_page(&app, "/admin/stats", None).await;
    assert!(outsider.status.is_redirection());
    let nothing = get_page(&app, "/admin/codes/999999/stats", Some(&cookie)).await;
    assert!(nothing.body.contains("There is nothing here to report on."));

    // The codes list counts with digit groups too (and the plural form of
    // the number, not of its grouped text).
    sqlx::query(
        "INSERT INTO promo_codes (name, normalized, currency, initial_reward, current_reward, min_reward)
         SELECT 'BULK-' || g, 'BULK' || g, 'COINS', 10, 10, 10
           FROM generate_series(1, 1234 - (SELECT count(*) FROM promo_codes)) g",
    )
    .execute(&pool)
    .await
    .unwrap();
    for (lang, total) in [("en", "1,234 codes"), ("ru", "1\u{a0}234 кода")] {
        let list = get_page(
            &app,
            "/admin/codes",
            Some(&format!("{cookie}; promocodes-lang={lang}")),
        )
        .await;
        assert!(list.body.contains(total), "{lang}: no {total:?}");
    }
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_players_and_payouts_download_as_csv(pool: PgPool) {
    let ids = redeemed(&pool).await;
    admin(&pool, "boss").await;
    let app = app(&pool).await;
    let (cookie, _) = admin_sign_in(&app, "boss", "an-admin-password").await;
    let csv = get_page(
        &app,
        &format!("/admin/codes/{}/players.csv", ids.code),
        Some(&cookie),
    )
    .await;
    assert_eq!(csv.status, StatusCode::OK);
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(
        lines[0],
        "number,player_id,username,external_id,reward,channel,activated_at"
    );
    assert_eq!(lines.len(), 4);
    assert!(lines[1].starts_with("1,") && lines[3].starts_with("3,"));
    assert!(lines[1].contains(",1500,form,"));
    let today = chrono::Utc::now().date_naive();
    let payouts = get_page(
        &app,
        &format!(
            "/admin/partners/{}/payouts.csv?from={today}&to={today}",
            ids.partner
        ),
        Some(&cookie),
    )
    .await;
    assert_eq!(payouts.status, StatusCode::OK);
    let lines: Vec<&str> = payouts.body.lines().collect();
    assert_eq!(
        lines[0],
        "month,from,to,activations,payout_per_activation,owed"
    );
    assert_eq!(
        lines[1],
        format!(
            "{},{today},{today},3,1200 COINS,3600 COINS",
            today.format("%Y-%m")
        )
    );
    let bad = get_page(
        &app,
        &format!("/admin/partners/{}/payouts.csv?from=nonsense", ids.partner),
        Some(&cookie),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let outsider = get_page(
        &app,
        &format!("/admin/codes/{}/players.csv", ids.code),
        None,
    )
    .await;
    assert!(outsider.status == StatusCode::UNAUTHORIZED || outsider.status.is_redirection());
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_platform_reports_activity_once_per_batch(pool: PgPool) {
    let api = api(&pool, ThrottleConfig::default()).await;
    let players = key(&pool, &[KeyScope::Players]).await;
    let redeem_only = key(&pool, &[KeyScope::Redeem]).await;
    let made = api
        .call("PUT", "/api/v1/players/u-1", Some(&players), None, None)
        .await;
    assert_eq!(made.status, StatusCode::CREATED);
    let now = chrono::Utc::now();
    let batch = json!({"events": [
        {"player": "u-1", "kind": "login", "at": now},
        {"player": "u-1", "kind": "match.won", "at": now},
        {"player": "u-404", "kind": "login", "at": now},
        {"player": "u-1", "kind": "NOPE", "at": now},
        {"player": "u-1", "kind": "login", "at": now - chrono::Duration::days(1000)},
    ]});
    let first = api
        .call(
            "POST",
            "/api/v1/activity",
            Some(&players),
            Some("batch-1"),
            Some(batch.clone()),
        )
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.body["recorded"], 2);
    let reasons: Vec<(u64, String)> = first.body["refused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["index"].as_u64().unwrap(),
                r["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        reasons,
        [
            (2, "unknown_player".into()),
            (3, "bad_kind".into()),
            (4, "out_of_range".into())
        ]
    );
    // The same batch again (a retry): the same answer, nothing counted twice.
    let again = api
        .call(
            "POST",
            "/api/v1/activity",
            Some(&players),
            Some("batch-1"),
            Some(batch),
        )
        .await;
    assert!(again.replayed);
    assert_eq!(again.body, first.body);
    let events =
        sqlx::query_scalar!(r#"SELECT sum(events)::bigint AS "n!" FROM player_activity_days"#)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(events, 2);
    // Scope, an empty batch, an unreadable one.
    let refused = api
        .call(
            "POST",
            "/api/v1/activity",
            Some(&redeem_only),
            None,
            Some(json!({"events": []})),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let empty = api
        .call(
            "POST",
            "/api/v1/activity",
            Some(&players),
            None,
            Some(json!({"events": []})),
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let garbage = api
        .call(
            "POST",
            "/api/v1/activity",
            Some(&players),
            None,
            Some(json!({"events": "x"})),
        )
        .await;
    assert_eq!(garbage.status, StatusCode::BAD_REQUEST);
}
