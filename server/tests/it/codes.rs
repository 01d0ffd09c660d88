//! Creating codes: validation and duplicates after normalization.

use crate::common;

use app::core::reward::RewardScheduleError;
use app::core::{CodeTextError, Error, NewCode, Problem, RewardSchedule};

/// Whether the core refused with this problem among others.
fn has(error: &Error, problem: Problem) -> bool {
    matches!(error, Error::Invalid(problems) if problems.contains(&problem))
}
use chrono::{Duration, Utc};
use common::*;
use sqlx::PgPool;

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn names_are_unique_after_normalization(pool: PgPool) {
    code(&pool, fixed("Summer-26", 1)).await;
    let mut conn = pool.acquire().await.unwrap();
    for twin in ["SUMMER26", "summer 26", "ＳＵＭＭＥＲ２６", "sum_mer-26"] {
        let err = app::core::codes::create(&mut conn, &fixed(twin, 1))
            .await
            .unwrap_err();
        assert!(has(&err, Problem::DuplicateName), "{twin}: {err:?}");
    }
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn insane_parameters_are_refused(pool: PgPool) {
    let mut conn = pool.acquire().await.unwrap();
    let now = Utc::now();
    type Expectation = fn(&Error) -> bool;
    let cases: Vec<(NewCode, Expectation)> = vec![
        (
            NewCode {
                min_reward: 200,
                ..fixed("A1", 100)
            },
            |e| has(e, Problem::Reward(RewardScheduleError::MinimumAboveInitial)),
        ),
        (
            NewCode {
                starts_at: Some(now),
                ends_at: Some(now - Duration::hours(1)),
                ..fixed("A2", 1)
            },
            |e| has(e, Problem::EndBeforeStart),
        ),
        (
            NewCode {
                activation_limit: Some(0),
                ..fixed("A3", 1)
            },
            |e| has(e, Problem::LimitNotPositive),
        ),
        (
            NewCode {
                egg_slug: Some("Bad Slug".into()),
                ..fixed("A4", 1)
            },
            |e| has(e, Problem::BadSlug),
        ),
        (
            NewCode {
                currency: "NOPE".into(),
                ..fixed("A5", 1)
            },
            |e| has(e, Problem::UnknownCurrency),
        ),
        (fixed("a*b", 1), |e| {
            has(e, Problem::CodeName(CodeTextError::InvalidCharacter))
        }),
        (fixed("", 1), |e| {
            has(e, Problem::CodeName(CodeTextError::Empty))
        }),
    ];
    for (new, expected) in cases {
        let err = app::core::codes::create(&mut conn, &new).await.unwrap_err();
        assert!(expected(&err), "{}: {err:?}", new.name);
    }
    let count = sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM promo_codes"#)
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(count, 0);
    assert!(RewardSchedule::new(100, 10, 5).is_ok());
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_schema_refuses_what_the_core_would(pool: PgPool) {
    // The CHECK constraints hold even for a writer that bypasses the core.
    for sql in [
        "INSERT INTO promo_codes (name, normalized, currency, initial_reward, current_reward, min_reward) VALUES ('x', 'X', 'COINS', 10, 10, 20)",
        "INSERT INTO promo_codes (name, normalized, currency, initial_reward, current_reward, min_reward, activation_limit, activation_count) VALUES ('x', 'X', 'COINS', 10, 10, 10, 1, 2)",
        "INSERT INTO promo_codes (name, normalized, currency, initial_reward, current_reward, min_reward) VALUES ('x', 'X-Y', 'COINS', 10, 10, 10)",
        "INSERT INTO promo_codes (name, normalized, currency, initial_reward, current_reward, min_reward, starts_at, ends_at) VALUES ('x', 'X', 'COINS', 10, 10, 10, now(), now() - interval '1 day')",
    ] {
        assert!(sqlx::query(sql).execute(&pool).await.is_err(), "{sql}");
    }
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_demo_seed_is_valid_and_idempotent(pool: PgPool) {
    app::core::demo::seed(&pool, app::core::demo::Exposure::Loopback)
        .await
        .unwrap();
    app::core::demo::seed(&pool, app::core::demo::Exposure::Loopback)
        .await
        .unwrap();
    let rows = sqlx::query!("SELECT name, normalized FROM promo_codes")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert!(rows.len() >= 5);
    // The past, written once: its players, activations, and each player's
    // last ledger entry equal to their balance.
    let past = sqlx::query!(
        r#"SELECT (SELECT count(*) FROM players WHERE username LIKE 'crowd-%') AS "crowd!",
                  (SELECT count(*) FROM activations) AS "activations!",
                  (SELECT count(*) FROM balances b
                    WHERE b.amount <> (SELECT l.balance_after FROM ledger_entries l
                                        WHERE l.player_id = b.player_id AND l.currency = b.currency
                                        ORDER BY l.created_at DESC, l.id DESC LIMIT 1)) AS "off!",
                  (SELECT count(*) FROM player_activity_days) AS "activity!""#
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(past.crowd, 180);
    assert!(past.activations > 300, "{}", past.activations);
    assert_eq!(past.off, 0);
    assert!(past.activity > 500, "{}", past.activity);
    for row in rows {
        assert_eq!(
            app::core::PromoCodeText::parse(&row.name).unwrap().as_str(),
            row.normalized
        );
    }
    // SOLD-OUT was taken by the early bird through the core.
    let sold_out = sqlx::query!(
        "SELECT activation_count, activation_limit FROM promo_codes WHERE normalized = 'SOLDOUT'"
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        (sold_out.activation_count, sold_out.activation_limit),
        (1, Some(1))
    );
    let p = player(&pool).await;
    assert!(matches!(
        redeem(&pool, p, "sold-out").await,
        Err(app::core::ActivationError::Exhausted)
    ));
    assert_eq!(redeem(&pool, p, "welcome-100").await.unwrap().reward, 100);
    assert_eq!(
        redeem_egg(&pool, p, "golden-lantern").await.unwrap().reward,
        300
    );
    assert_books_balance(&pool).await;
}
