//! Exactness under concurrency: many real tasks on many connections against
//! one database, with exact counts. The database decides; these tests fail
//! if any limit, uniqueness or reward step is decided in Rust.

use crate::common;

use std::collections::HashMap;

use app::core::{ActivationError, NewCode, RewardSchedule};
use common::*;
use futures::future::join_all;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_limit_of_100_holds_against_1000_concurrent_players(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let pool = wide_pool(connect).await;
    code(
        &pool,
        NewCode {
            activation_limit: Some(100),
            ..fixed("HUNDRED", 7)
        },
    )
    .await;
    let players = players(&pool, 1000).await;

    let results = join_all(players.into_iter().map(|p| {
        let pool = pool.clone();
        tokio::spawn(async move { redeem(&pool, p, "hundred").await })
    }))
    .await;

    let mut granted = 0;
    let mut exhausted = 0;
    for result in results {
        match result.unwrap() {
            Ok(a) => {
                assert_eq!(a.reward, 7);
                granted += 1;
            }
            Err(ActivationError::Exhausted) => exhausted += 1,
            Err(e) => panic!("unexpected refusal: {e:?}"),
        }
    }
    assert_eq!((granted, exhausted), (100, 900));
    let ordinals: Vec<i32> =
        sqlx::query_scalar!("SELECT ordinal FROM activations ORDER BY ordinal")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(ordinals, (0..100).collect::<Vec<_>>());
    assert_books_balance(&pool).await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn one_player_submitting_50_times_at_once_is_credited_once(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let pool = wide_pool(connect).await;
    code(&pool, fixed("ONCE", 40)).await;
    code(
        &pool,
        NewCode {
            name: "ONCE-DROP".into(),
            initial_reward: 40,
            min_reward: 1,
            decrease_step: 1,
            activation_limit: Some(10),
            ..NewCode::default()
        },
    )
    .await;
    let p = player(&pool).await;

    for text in ["ONCE", "ONCE-DROP"] {
        let results = join_all((0..50).map(|i| {
            let pool = pool.clone();
            // The same code, typed fifty different ways.
            let typed = if i % 2 == 0 {
                text.to_lowercase()
            } else {
                format!(" {text} ")
            };
            tokio::spawn(async move { redeem(&pool, p, &typed).await })
        }))
        .await;
        let (ok, already): (Vec<_>, Vec<_>) = results
            .into_iter()
            .map(|r| r.unwrap())
            .partition(|r| r.is_ok());
        assert_eq!(ok.len(), 1, "{text}");
        assert!(
            already
                .iter()
                .all(|r| matches!(r, Err(ActivationError::AlreadyActivated))),
            "{text}: {already:?}"
        );
    }
    let balance = sqlx::query_scalar!("SELECT amount FROM balances WHERE player_id = $1", p)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(balance, 80);
    let counts = sqlx::query_scalar!("SELECT activation_count FROM promo_codes ORDER BY id")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(counts, [1, 1]);
    assert_books_balance(&pool).await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_decreasing_code_hands_out_exactly_the_formula_to_300_concurrent_players(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let pool = wide_pool(connect).await;
    let schedule = RewardSchedule::new(1000, 100, 5).unwrap();
    code(
        &pool,
        NewCode {
            name: "FALLING".into(),
            initial_reward: 1000,
            min_reward: 100,
            decrease_step: 5,
            ..NewCode::default()
        },
    )
    .await;
    let players = players(&pool, 300).await;

    let results = join_all(players.into_iter().map(|p| {
        let pool = pool.clone();
        tokio::spawn(async move { redeem(&pool, p, "falling").await })
    }))
    .await;

    let mut got: Vec<(i32, i64)> = results
        .into_iter()
        .map(|r| r.unwrap().map(|a| (a.ordinal, a.reward)).unwrap())
        .collect();
    got.sort_unstable();
    let expected: Vec<(i32, i64)> = (0..300)
        .map(|k| (k, schedule.reward_at(k as u64)))
        .collect();
    assert_eq!(
        got, expected,
        "the k-th activation gets max(min, initial - k*step)"
    );
    // The multiset reaches the floor: k >= 180 all get the minimum.
    assert_eq!(got.iter().filter(|(_, r)| *r == 100).count(), 120);
    let current = sqlx::query_scalar!("SELECT current_reward FROM promo_codes")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(current, schedule.reward_at(300));
    assert_books_balance(&pool).await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn mixed_traffic_on_many_codes_keeps_every_invariant(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    // 40 players race over 10 codes (limited, decreasing, fixed), each player
    // trying each code twice, plus wrong codes; afterwards every count is exact.
    let pool = wide_pool(connect).await;
    for i in 0..10 {
        code(
            &pool,
            NewCode {
                name: format!("MIX-{i}"),
                initial_reward: 50,
                min_reward: 10,
                decrease_step: i,
                activation_limit: (i % 3 == 0).then_some(15),
                ..NewCode::default()
            },
        )
        .await;
    }
    let players = players(&pool, 40).await;
    let mut tasks = Vec::new();
    for &p in &players {
        for i in 0..10 {
            for attempt in 0..2 {
                let pool = pool.clone();
                let text = if attempt == 0 {
                    format!("mix{i}")
                } else {
                    format!("MIX-{i}")
                };
                tasks.push(tokio::spawn(
                    async move { (i, redeem(&pool, p, &text).await) },
                ));
            }
            let pool = pool.clone();
            tasks.push(tokio::spawn(async move {
                (-1, redeem(&pool, p, &format!("WRONG{i}")).await)
            }));
        }
    }
    let mut granted: HashMap<i64, i64> = HashMap::new();
    for task in join_all(tasks).await {
        let (i, result) = task.unwrap();
        match result {
            Ok(_) => *granted.entry(i).or_default() += 1,
            Err(ActivationError::AlreadyActivated | ActivationError::Exhausted) => assert!(i >= 0),
            Err(ActivationError::Unknown) => assert_eq!(i, -1),
            Err(e) => panic!("unexpected: {e:?}"),
        }
    }
    for i in 0..10 {
        let expected = if i % 3 == 0 { 15 } else { 40 };
        assert_eq!(
            granted.get(&i).copied().unwrap_or(0),
            expected,
            "code MIX-{i}"
        );
    }
    assert_books_balance(&pool).await;
}
