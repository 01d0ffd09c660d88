//! The activation core against a real PostgreSQL: every code type, every
//! refusal, and what one activation writes.

use crate::common;

use app::core::{ActivationError, NewCode};
use chrono::{Duration, Utc};
use common::*;
use sqlx::PgPool;

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn standard_code_credits_once_with_ledger_notification_and_event(pool: PgPool) {
    let code_id = code(&pool, fixed("WELCOME-100", 100)).await;
    let alice = player(&pool).await;

    let got = redeem(&pool, alice, "  welcome 100 ").await.unwrap();
    assert_eq!(
        (
            got.code_id,
            got.ordinal,
            got.reward,
            got.currency.as_str(),
            got.balance_after
        ),
        (code_id, 0, 100, "COINS", 100)
    );

    let entry = sqlx::query!(
        "SELECT amount, balance_after, source, activation_id FROM ledger_entries WHERE id = $1",
        got.ledger_entry_id
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        (
            entry.amount,
            entry.balance_after,
            entry.source.as_str(),
            entry.activation_id
        ),
        (100, 100, "promo_activation", Some(got.activation_id))
    );

    let notice = sqlx::query!(
        "SELECT kind, params FROM notifications WHERE player_id = $1",
        alice
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(notice.kind, "activation");
    assert_eq!(notice.params["reward"], 100);
    assert_eq!(notice.params["code"], "WELCOME-100");

    let event = sqlx::query!("SELECT topic, payload FROM outbox_events")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(event.topic, "promo.activated");
    assert_eq!(event.payload["player_id"], alice);
    assert_eq!(event.payload["channel"], "form");
    assert_eq!(event.payload["activation_id"], got.activation_id);

    // Case and separator tricks reach the same code and the same refusal.
    for variant in [
        "WELCOME100",
        "welcome-100",
        "Welcome_100",
        "ＷＥＬＣＯＭＥ１００",
    ] {
        assert!(
            matches!(
                redeem(&pool, alice, variant).await,
                Err(ActivationError::AlreadyActivated)
            ),
            "{variant}"
        );
    }
    let bob = player(&pool).await;
    assert_eq!(
        redeem(&pool, bob, "WELCOME100")
            .await
            .unwrap()
            .balance_after,
        100
    );
    assert_books_balance(&pool).await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn decreasing_code_follows_the_formula_down_to_the_floor(pool: PgPool) {
    code(
        &pool,
        NewCode {
            name: "DROP".into(),
            initial_reward: 100,
            min_reward: 30,
            decrease_step: 25,
            ..NewCode::default()
        },
    )
    .await;
    let mut rewards = Vec::new();
    for _ in 0..5 {
        let p = player(&pool).await;
        rewards.push(redeem(&pool, p, "drop").await.unwrap().reward);
    }
    assert_eq!(rewards, [100, 75, 50, 30, 30]);
    let current =
        sqlx::query_scalar!("SELECT current_reward FROM promo_codes WHERE normalized = 'DROP'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(current, 30);
    assert_books_balance(&pool).await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn limited_code_stops_at_its_limit(pool: PgPool) {
    code(
        &pool,
        NewCode {
            activation_limit: Some(2),
            ..fixed("TWICE", 10)
        },
    )
    .await;
    for _ in 0..2 {
        let p = player(&pool).await;
        redeem(&pool, p, "TWICE").await.unwrap();
    }
    let late = player(&pool).await;
    assert!(matches!(
        redeem(&pool, late, "TWICE").await,
        Err(ActivationError::Exhausted)
    ));
    assert_books_balance(&pool).await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn temporary_code_works_only_inside_its_period(pool: PgPool) {
    let now = Utc::now();
    let starts = now + Duration::days(2);
    code(
        &pool,
        NewCode {
            starts_at: Some(starts),
            ends_at: Some(now + Duration::days(5)),
            ..fixed("LATER", 5)
        },
    )
    .await;
    code(
        &pool,
        NewCode {
            starts_at: Some(now - Duration::days(5)),
            ends_at: Some(now - Duration::days(1)),
            ..fixed("OLD", 5)
        },
    )
    .await;
    code(
        &pool,
        NewCode {
            starts_at: Some(now - Duration::hours(1)),
            ends_at: Some(now + Duration::hours(1)),
            ..fixed("NOW", 5)
        },
    )
    .await;
    let p = player(&pool).await;

    match redeem(&pool, p, "LATER").await {
        Err(ActivationError::NotStarted { starts_at }) => {
            assert_eq!(starts_at.timestamp_micros(), starts.timestamp_micros())
        }
        other => panic!("expected NotStarted, got {other:?}"),
    }
    assert!(matches!(
        redeem(&pool, p, "OLD").await,
        Err(ActivationError::Expired { .. })
    ));
    assert_eq!(redeem(&pool, p, "NOW").await.unwrap().reward, 5);
    assert_books_balance(&pool).await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn easter_egg_is_reached_only_through_its_link(pool: PgPool) {
    code(
        &pool,
        NewCode {
            egg_slug: Some("golden-lantern".into()),
            ..fixed("EGG-LANTERN", 300)
        },
    )
    .await;
    let p = player(&pool).await;

    assert!(
        matches!(
            redeem(&pool, p, "EGG-LANTERN").await,
            Err(ActivationError::Unknown)
        ),
        "typing an egg's name finds nothing"
    );
    assert!(matches!(
        redeem_egg(&pool, p, "no-such-egg").await,
        Err(ActivationError::Unknown)
    ));
    let got = redeem_egg(&pool, p, "golden-lantern").await.unwrap();
    assert_eq!(got.reward, 300);
    assert!(matches!(
        redeem_egg(&pool, p, "golden-lantern").await,
        Err(ActivationError::AlreadyActivated)
    ));
    let channel = sqlx::query_scalar!(
        "SELECT channel FROM activations WHERE id = $1",
        got.activation_id
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(channel, "egg");
    assert_books_balance(&pool).await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn every_refusal_is_its_own_error_and_changes_nothing(pool: PgPool) {
    code(
        &pool,
        NewCode {
            enabled: false,
            ..fixed("OFF", 5)
        },
    )
    .await;
    code(
        &pool,
        NewCode {
            eligible_tiers: vec!["vip".into()],
            ..fixed("VIP", 5)
        },
    )
    .await;
    code(
        &pool,
        NewCode {
            eligible_tags: vec!["beta".into(), "press".into()],
            ..fixed("TAGGED", 5)
        },
    )
    .await;
    code(
        &pool,
        NewCode {
            new_player_days: Some(7),
            ..fixed("NEWBIE", 5)
        },
    )
    .await;
    let p = player(&pool).await;
    let vip = player_with(&pool, "vip", &["press"]).await;
    let veteran = player(&pool).await;
    sqlx::query!(
        "UPDATE players SET created_at = now() - interval '30 days' WHERE id = $1",
        veteran
    )
    .execute(&pool)
    .await
    .unwrap();

    assert!(matches!(
        redeem(&pool, p, "NOPE").await,
        Err(ActivationError::Unknown)
    ));
    assert!(matches!(
        redeem(&pool, p, "OFF").await,
        Err(ActivationError::Disabled)
    ));
    assert!(matches!(
        redeem(&pool, p, "VIP").await,
        Err(ActivationError::NotEligible)
    ));
    assert!(matches!(
        redeem(&pool, p, "TAGGED").await,
        Err(ActivationError::NotEligible)
    ));
    assert!(matches!(
        redeem(&pool, veteran, "NEWBIE").await,
        Err(ActivationError::NotEligible)
    ));
    assert!(matches!(
        redeem(&pool, p, "bad*code").await,
        Err(ActivationError::Malformed(_))
    ));
    assert!(matches!(
        redeem(&pool, p, "   ").await,
        Err(ActivationError::Malformed(_))
    ));
    assert!(matches!(
        redeem(&pool, i64::MAX, "VIP").await,
        Err(ActivationError::UnknownPlayer)
    ));
    let untouched = sqlx::query_scalar!(r#"SELECT (SELECT count(*) FROM activations) + (SELECT count(*) FROM ledger_entries) + (SELECT count(*) FROM notifications) + (SELECT count(*) FROM outbox_events) + (SELECT sum(activation_count) FROM promo_codes) AS "n!""#)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(untouched, 0, "refusals write nothing");

    assert_eq!(redeem(&pool, vip, "VIP").await.unwrap().reward, 5);
    assert_eq!(redeem(&pool, vip, "TAGGED").await.unwrap().reward, 5);
    assert_eq!(redeem(&pool, p, "NEWBIE").await.unwrap().reward, 5);
    assert_books_balance(&pool).await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_code_disabled_between_check_and_claim_is_refused(pool: PgPool) {
    // The claiming UPDATE re-checks under the row lock: flipping `enabled`
    // inside an open transaction that holds the lock must win.
    code(&pool, fixed("FLIP", 5)).await;
    let p = player(&pool).await;
    let mut admin = pool.begin().await.unwrap();
    sqlx::query!("UPDATE promo_codes SET enabled = false WHERE normalized = 'FLIP'")
        .execute(&mut *admin)
        .await
        .unwrap();
    let pending = tokio::spawn({
        let pool = pool.clone();
        async move { redeem(&pool, p, "FLIP").await }
    });
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    admin.commit().await.unwrap();
    assert!(matches!(
        pending.await.unwrap(),
        Err(ActivationError::Disabled)
    ));
    assert_books_balance(&pool).await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn balances_add_up_across_codes_and_currencies(pool: PgPool) {
    code(&pool, fixed("A", 10)).await;
    code(&pool, fixed("B", 15)).await;
    code(
        &pool,
        NewCode {
            currency: "GEMS".into(),
            ..fixed("C", 2)
        },
    )
    .await;
    let p = player(&pool).await;
    assert_eq!(redeem(&pool, p, "A").await.unwrap().balance_after, 10);
    assert_eq!(redeem(&pool, p, "B").await.unwrap().balance_after, 25);
    assert_eq!(redeem(&pool, p, "C").await.unwrap().balance_after, 2);
    let balances = sqlx::query!(
        "SELECT currency, amount FROM balances WHERE player_id = $1 ORDER BY currency",
        p
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        balances
            .iter()
            .map(|b| (b.currency.as_str(), b.amount))
            .collect::<Vec<_>>(),
        [("COINS", 25), ("GEMS", 2)]
    );
    assert_books_balance(&pool).await;
}
