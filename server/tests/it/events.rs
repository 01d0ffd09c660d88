//! The outbox holds an event for every change other modules hear about, in
//! the change's own transaction: code.created / updated / deleted from the
//! dashboard's commands, promo.activated and promo.refused (on both paths,
//! kind only), block.created and block.lifted, series.finished.

use crate::common;

use std::time::Duration;

use app::core::abuse::{Guard, Policy};
use app::core::audit::Actor;
use app::core::codes::CodeTexts;
use app::core::{code_admin, ActivationRequest, Channel, CodeRef, PromoCodeText};
use serde_json::Value;
use sqlx::PgPool;

async fn admin(pool: &PgPool) -> i64 {
    app::core::admins::create(
        pool,
        "events",
        "events-password",
        app::admin::models::Role::Admin,
        false,
    )
    .await
    .unwrap()
}

/// The events of a topic, oldest first.
async fn of(pool: &PgPool, topic: &str) -> Vec<Value> {
    sqlx::query_scalar("SELECT payload FROM outbox_events WHERE topic = $1 ORDER BY id")
        .bind(topic)
        .fetch_all(pool)
        .await
        .unwrap()
}

fn typed(player: i64, text: &str) -> ActivationRequest {
    ActivationRequest {
        player_id: player,
        code: CodeRef::Text(PromoCodeText::parse(text).unwrap()),
        channel: Channel::Form,
    }
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn dashboard_changes_of_codes_are_events(pool: PgPool) {
    let admin = admin(&pool).await;
    let id = code_admin::create(
        &pool,
        Actor::Admin(admin),
        &common::fixed("NEWS", 40),
        &CodeTexts::default(),
    )
    .await
    .unwrap();
    code_admin::set_enabled(&pool, Actor::Admin(admin), id, false)
        .await
        .unwrap();
    let copy = code_admin::clone(&pool, Actor::Admin(admin), id, "NEWS2")
        .await
        .unwrap();
    code_admin::delete(&pool, Actor::Admin(admin), copy)
        .await
        .unwrap();

    let created = of(&pool, "code.created").await;
    assert_eq!(created.len(), 2, "the code and its clone");
    assert_eq!(created[0]["action"], "create");
    assert_eq!(created[0]["admin_id"], admin);
    assert_eq!(created[0]["code"]["code_id"], id);
    assert_eq!(created[0]["code"]["name"], "NEWS");
    assert_eq!(created[0]["code"]["initial_reward"], 40);
    assert_eq!(created[0]["code"]["enabled"], true);
    assert_eq!(created[1]["action"], "clone");
    let updated = of(&pool, "code.updated").await;
    assert_eq!(updated.len(), 1);
    assert_eq!(updated[0]["action"], "disable");
    assert_eq!(updated[0]["code"]["enabled"], false);
    let deleted = of(&pool, "code.deleted").await;
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0]["code"]["code_id"], copy);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn activations_and_refusals_on_both_paths_are_events(pool: PgPool) {
    let guard = Guard::new(Policy::default());
    let mut limited = common::fixed("ONCE", 10);
    limited.activation_limit = Some(1);
    common::code(&pool, limited).await;
    let mut later = common::fixed("LATER", 10);
    later.starts_at = Some(chrono::Utc::now() + chrono::Duration::days(1));
    let later_id = common::code(&pool, later).await;
    let (first, second) = (common::player(&pool).await, common::player(&pool).await);

    // The pipeline: a grant, then "already activated" and "used up".
    guard
        .activate(&pool, &typed(first, "ONCE"), None)
        .await
        .unwrap();
    assert!(guard
        .activate(&pool, &typed(first, "ONCE"), None)
        .await
        .is_err());
    assert!(guard
        .activate(&pool, &typed(second, "ONCE"), None)
        .await
        .is_err());
    // The one-claim path: not started, and a guess.
    assert!(guard
        .activate(&pool, &typed(second, "LATER"), None)
        .await
        .is_err());
    assert!(guard
        .activate(&pool, &typed(second, "SECRET-GUESS"), None)
        .await
        .is_err());

    let activated = of(&pool, "promo.activated").await;
    assert_eq!(activated.len(), 1);
    assert_eq!(activated[0]["player_id"], first);
    let refused = of(&pool, "promo.refused").await;
    let kinds: Vec<&str> = refused
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["already_activated", "exhausted", "not_started", "unknown"]
    );
    assert_eq!(refused[2]["code_id"], later_id);
    assert_eq!(refused[3]["code_id"], Value::Null, "a guess names no code");
    assert_eq!(refused[3]["player_id"], second);
    assert_eq!(refused[3]["channel"], "form");
    for event in &refused {
        let text = event.to_string();
        assert!(!text.contains("GUESS") && !text.contains("ONCE"), "{text}");
    }
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn blocks_made_and_lifted_are_events(pool: PgPool) {
    let admin = admin(&pool).await;
    let guard = Guard::new(Policy {
        player_failures: 2,
        ..Policy::default()
    });
    let player = common::player(&pool).await;
    for guess in ["NOPE1", "NOPE2"] {
        let _ = guard.activate(&pool, &typed(player, guess), None).await;
    }
    let created = of(&pool, "block.created").await;
    assert_eq!(created.len(), 1);
    assert_eq!(created[0]["scope"], "player");
    assert_eq!(created[0]["subject"], player.to_string());
    assert_eq!(created[0]["reason"], "failures");
    let block = created[0]["block_id"].as_i64().unwrap();
    assert!(app::core::abuse::lift_block(&pool, admin, block)
        .await
        .unwrap());
    let lifted = of(&pool, "block.lifted").await;
    assert_eq!(lifted.len(), 1);
    assert_eq!(lifted[0]["block_id"], block);
    assert_eq!(lifted[0]["lifted_by"], admin);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_finished_series_is_an_event(pool: PgPool) {
    let admin = admin(&pool).await;
    let spec = app::core::series::SeriesSpec {
        name: "Spring".into(),
        count: 50,
        shape: app::core::series::SeriesShape::Random {
            prefix: "SP".into(),
            length: 8,
            suffix: String::new(),
        },
        alphabet: String::new(),
        currency: "COINS".into(),
        reward: 5,
        activation_limit: None,
        starts_at: None,
        ends_at: None,
        campaign_id: None,
        partner_id: None,
    };
    let job = app::core::series::start(&pool, Some(Actor::Admin(admin)), &spec)
        .await
        .unwrap();
    tokio::time::timeout(Duration::from_secs(30), app::core::series::run(&pool, job))
        .await
        .unwrap()
        .unwrap();
    let finished = of(&pool, "series.finished").await;
    assert_eq!(finished.len(), 1);
    assert_eq!(finished[0]["series_id"], job);
    assert_eq!(finished[0]["codes"], 50);
    assert_eq!(finished[0]["admin_id"], admin);
    assert!(finished[0]["group_id"].is_i64());
    assert!(
        of(&pool, "code.created").await.is_empty(),
        "a series is one event, not one a code"
    );
}
