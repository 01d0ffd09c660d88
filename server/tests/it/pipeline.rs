//! The activation pipeline (queue with group commit, code cache) under load
//! split across two instances: separate pools, guards, queues and caches on
//! one database, as two server processes would have. Exact counts; the
//! database decides.

use crate::common;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use app::core::abuse::{Guard, Policy};
use app::core::{
    Activation, ActivationError, ActivationRequest, Channel, CodeRef, NewCode, PromoCodeText,
    RewardSchedule,
};
use common::*;
use futures::future::join_all;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;

/// One instance: its pool and its guard (queue and cache), listening for
/// code changes and blocks as a server does.
#[derive(Clone)]
struct Instance {
    pool: PgPool,
    guard: Guard,
}

async fn instance(connect: &PgConnectOptions) -> Instance {
    // Small pools: the queue needs few connections, and the five tests'
    // ten instances run at once against one server's connection limit.
    let pool = PgPoolOptions::new()
        .max_connections(8)
        .connect_with(connect.clone())
        .await
        .expect("connecting to the test database");
    let guard = Guard::new(Policy::default());
    tokio::spawn(guard.clone().follow(pool.clone()));
    Instance { pool, guard }
}

async fn two_instances(connect: PgConnectOptions) -> [Instance; 2] {
    let [a, b] = [instance(&connect).await, instance(&connect).await];
    // Both listening before the load starts, so both caches are in use.
    wait_until(|| async { a.guard.cache().is_live() && b.guard.cache().is_live() }).await;
    [a, b]
}

async fn wait_until<F, Fut>(mut done: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while !done().await {
        assert!(start.elapsed() < Duration::from_secs(10), "timed out");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

impl Instance {
    async fn redeem(&self, player_id: i64, text: &str) -> Result<Activation, ActivationError> {
        let request = ActivationRequest {
            player_id,
            code: CodeRef::Text(PromoCodeText::parse(text)?),
            channel: Channel::Form,
        };
        self.guard.activate(&self.pool, &request, None).await
    }
}

/// Every player redeems `text` once, all at once, alternating instances.
async fn everyone_redeems(
    instances: &[Instance; 2],
    players: &[i64],
    text: &'static str,
) -> Vec<Result<Activation, ActivationError>> {
    join_all(players.iter().enumerate().map(|(n, &p)| {
        let instance = instances[n % 2].clone();
        tokio::spawn(async move { instance.redeem(p, text).await })
    }))
    .await
    .into_iter()
    .map(|r| r.unwrap())
    .collect()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_limit_of_100_holds_against_1000_players_on_two_instances(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let instances = two_instances(connect).await;
    let pool = instances[0].pool.clone();
    code(
        &pool,
        NewCode {
            activation_limit: Some(100),
            ..fixed("HUNDRED", 7)
        },
    )
    .await;
    let mut players = players(&pool, 1000).await;
    // Players that do not exist share batches with real ones: each is
    // refused alone and nobody else's claim fails with it.
    players.extend([-1, -2, -3]);

    let mut granted = 0;
    let mut exhausted = 0;
    let mut unknown = 0;
    for outcome in everyone_redeems(&instances, &players, "hundred").await {
        match outcome {
            Ok(a) => {
                assert_eq!(a.reward, 7);
                granted += 1;
            }
            Err(ActivationError::Exhausted) => exhausted += 1,
            Err(ActivationError::UnknownPlayer) => unknown += 1,
            Err(e) => panic!("unexpected refusal: {e:?}"),
        }
    }
    assert_eq!((granted, exhausted, unknown), (100, 900, 3));
    let ordinals: Vec<i32> =
        sqlx::query_scalar!("SELECT ordinal FROM activations ORDER BY ordinal")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(ordinals, (0..100).collect::<Vec<_>>());
    assert_books_balance(&pool).await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_decreasing_code_hands_out_the_formula_across_two_instances(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let instances = two_instances(connect).await;
    let pool = instances[0].pool.clone();
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
    let players = players(&pool, 400).await;
    let mut got: Vec<(i32, i64)> = everyone_redeems(&instances, &players, "falling")
        .await
        .into_iter()
        .map(|r| r.map(|a| (a.ordinal, a.reward)).unwrap())
        .collect();
    got.sort_unstable();
    let expected: Vec<(i32, i64)> = (0..400)
        .map(|k| (k, schedule.reward_at(k as u64)))
        .collect();
    assert_eq!(
        got, expected,
        "the k-th grant gets max(min, initial - k*step)"
    );
    let current = sqlx::query_scalar!("SELECT current_reward FROM promo_codes")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(current, schedule.reward_at(400));
    assert_books_balance(&pool).await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn one_player_at_once_on_two_instances_is_credited_once(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let instances = two_instances(connect).await;
    let pool = instances[0].pool.clone();
    code(&pool, fixed("ONCE", 50)).await;
    let player = player(&pool).await;
    let outcomes = everyone_redeems(&instances, &[player; 60], "once").await;
    let granted = outcomes.iter().filter(|o| o.is_ok()).count();
    let already = outcomes
        .iter()
        .filter(|o| matches!(o, Err(ActivationError::AlreadyActivated)))
        .count();
    let other: Vec<_> = outcomes
        .iter()
        .filter(|o| !matches!(o, Ok(_) | Err(ActivationError::AlreadyActivated)))
        .collect();
    assert_eq!((granted, already), (1, 59), "{other:?}");
    let balance = sqlx::query_scalar!("SELECT amount FROM balances WHERE player_id = $1", player)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(balance, 50);
    assert_books_balance(&pool).await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn many_codes_at_once_keep_every_invariant_across_two_instances(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let instances = two_instances(connect).await;
    let pool = instances[0].pool.clone();
    let names: Vec<String> = (0..20).map(|i| format!("MANY-{i}")).collect();
    for name in &names {
        code(
            &pool,
            NewCode {
                activation_limit: Some(15),
                decrease_step: 3,
                ..fixed(name, 60)
            },
        )
        .await;
    }
    let players = players(&pool, 60).await;
    // Every player tries every code, some twice.
    let tasks = players.iter().flat_map(|&p| {
        names
            .iter()
            .cloned()
            .chain(names.iter().take(3).cloned())
            .enumerate()
            .map(move |(n, name)| (n, p, name))
    });
    let outcomes = join_all(tasks.map(|(n, p, name)| {
        let instance = instances[(n + p as usize) % 2].clone();
        tokio::spawn(async move { (p, name.clone(), instance.redeem(p, &name).await) })
    }))
    .await;
    let mut seen = HashSet::new();
    for outcome in outcomes {
        let (player, name, outcome) = outcome.unwrap();
        match outcome {
            Ok(_) => assert!(seen.insert((player, name)), "granted twice"),
            Err(ActivationError::Exhausted | ActivationError::AlreadyActivated) => {}
            Err(e) => panic!("unexpected refusal: {e:?}"),
        }
    }
    assert_eq!(seen.len(), 20 * 15, "every code used up exactly");
    assert_books_balance(&pool).await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn every_instance_sees_an_edit_within_the_cache_bound(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let [a, b] = two_instances(connect).await;
    let id = code(&a.pool, fixed("EDITED", 5)).await;
    let text = CodeRef::Text(PromoCodeText::parse("edited").unwrap());
    let seen = |instance: Instance| {
        let text = text.clone();
        async move {
            instance
                .guard
                .cache()
                .facts(&instance.pool, &text)
                .await
                .unwrap()
        }
    };
    // Both cache the code, then one instance's admin disables it.
    assert!(seen(a.clone()).await.unwrap().enabled);
    assert!(seen(b.clone()).await.unwrap().enabled);
    let admin = sqlx::query_scalar!(
        "INSERT INTO admins (username, password_hash, role) VALUES ('edit', 'x', 'admin') RETURNING id"
    )
    .fetch_one(&a.pool)
    .await
    .unwrap();
    let disabled = Instant::now();
    app::core::code_admin::set_enabled(&a.pool, app::core::audit::Actor::Admin(admin), id, false)
        .await
        .unwrap();
    let bound = b.guard.cache().bound();
    wait_until(|| {
        let b = b.clone();
        let seen = &seen;
        async move { !seen(b).await.unwrap().enabled }
    })
    .await;
    assert!(
        disabled.elapsed() < bound,
        "seen after {:?}",
        disabled.elapsed()
    );
    let refused = b.redeem(player(&b.pool).await, "edited").await;
    assert!(
        matches!(refused, Err(ActivationError::Disabled)),
        "{refused:?}"
    );
    // A new code, first typed (and remembered as unknown) before it existed.
    let refused = b.redeem(player(&b.pool).await, "brand-new").await;
    assert!(
        matches!(refused, Err(ActivationError::Unknown)),
        "{refused:?}"
    );
    let fresh = CodeRef::Text(PromoCodeText::parse("brand-new").unwrap());
    let created = Instant::now();
    code(&a.pool, fixed("BRAND-NEW", 9)).await;
    wait_until(|| {
        let b = b.clone();
        let fresh = fresh.clone();
        async move {
            b.guard
                .cache()
                .facts(&b.pool, &fresh)
                .await
                .unwrap()
                .is_some()
        }
    })
    .await;
    assert!(
        created.elapsed() < bound,
        "seen after {:?}",
        created.elapsed()
    );
    let granted = b.redeem(player(&b.pool).await, "brand-new").await;
    assert_eq!(granted.unwrap().reward, 9);
}

/// Each player's ledger entries, in the order they were written, add up to
/// the balance each one records, and the last one is the balance.
async fn assert_ledger_chains(pool: &PgPool) {
    let broken = sqlx::query_scalar!(
        r#"
        WITH chain AS (
            SELECT l.player_id, l.currency, l.balance_after,
                   sum(l.amount) OVER (PARTITION BY l.player_id, l.currency ORDER BY l.id) AS running,
                   row_number() OVER (PARTITION BY l.player_id, l.currency ORDER BY l.id DESC) AS from_end
              FROM ledger_entries l)
        SELECT count(*) AS "n!" FROM chain c
          LEFT JOIN balances b ON b.player_id = c.player_id AND b.currency = c.currency
         WHERE c.balance_after <> c.running
            OR (c.from_end = 1 AND b.amount IS DISTINCT FROM c.balance_after)
        "#
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(broken, 0, "ledger entries that do not chain");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn one_players_grants_of_many_codes_in_shared_batches_chain_their_balances(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let instances = two_instances(connect).await;
    let pool = instances[0].pool.clone();
    // Thirty codes of one currency and ten of another, decreasing, and one
    // code that lets only five players in.
    let mut names = Vec::new();
    for i in 0..40 {
        let name = format!("SHARED-{i}");
        code(
            &pool,
            NewCode {
                currency: if i < 30 { "COINS" } else { "GEMS" }.into(),
                decrease_step: 1,
                min_reward: 1,
                ..fixed(&name, 100 + i)
            },
        )
        .await;
        names.push(name);
    }
    code(
        &pool,
        NewCode {
            activation_limit: Some(5),
            ..fixed("SHARED-FEW", 7)
        },
    )
    .await;
    names.push("SHARED-FEW".into());
    let players = players(&pool, 25).await;
    // Every player redeems every code at once, so batches hold several
    // grants of one player in one currency.
    let instances = &instances;
    let outcomes = join_all(players.iter().flat_map(|&p| {
        names.iter().cloned().enumerate().map(move |(n, name)| {
            let instance = instances[n % 2].clone();
            tokio::spawn(async move { (name.clone(), instance.redeem(p, &name).await) })
        })
    }))
    .await;
    let (mut granted, mut few) = (0, 0);
    for outcome in outcomes {
        let (name, outcome) = outcome.unwrap();
        match (name.as_str(), outcome) {
            ("SHARED-FEW", Ok(_)) => few += 1,
            ("SHARED-FEW", Err(ActivationError::Exhausted)) => {}
            (_, Ok(_)) => granted += 1,
            (name, Err(e)) => panic!("{name}: unexpected refusal {e:?}"),
        }
    }
    assert_eq!(granted, 25 * 40);
    assert_eq!(few, 5, "the limit holds inside shared batches");
    // Each code handed out 100+i, 99+i, ... exactly once each.
    let sequences = sqlx::query!(
        r#"SELECT c.initial_reward AS "initial!", array_agg(a.reward ORDER BY a.ordinal) AS "rewards!"
             FROM promo_codes c JOIN activations a ON a.code_id = c.id
            WHERE c.name LIKE 'SHARED-%' AND c.name <> 'SHARED-FEW' GROUP BY c.id"#
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    for row in sequences {
        let expected: Vec<i64> = (0..25).map(|k| row.initial - k).collect();
        assert_eq!(row.rewards, expected);
    }
    assert_books_balance(&pool).await;
    assert_ledger_chains(&pool).await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn every_instance_sees_changed_texts_long_before_the_cache_bound(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let [a, b] = two_instances(connect).await;
    let id = code(&a.pool, fixed("TOLD", 5)).await;
    sqlx::query!(
        "INSERT INTO promo_code_texts (code_id, locale, description, secret_message) VALUES ($1, 'en', 'Old', 'First')",
        id
    )
    .execute(&a.pool)
    .await
    .unwrap();
    let ru = |b: Instance| async move {
        b.guard
            .cache()
            .texts(&b.pool, id, "ru")
            .await
            .unwrap()
            .as_ref()
            .clone()
    };
    // Russian falls back to English, and is now cached on b.
    assert_eq!(ru(b.clone()).await, ("Old".into(), "First".into()));
    let changed = Instant::now();
    sqlx::query!(
        "INSERT INTO promo_code_texts (code_id, locale, description, secret_message) VALUES ($1, 'ru', 'Новое', 'Тайна')",
        id
    )
    .execute(&a.pool)
    .await
    .unwrap();
    wait_until(|| {
        let b = b.clone();
        async move { ru(b).await.0 == "Новое" }
    })
    .await;
    // Announced, not merely expired.
    let bound = b.guard.cache().bound();
    assert!(
        changed.elapsed() < bound / 2,
        "seen after {:?}",
        changed.elapsed()
    );
    // A redeem on b shows the new texts.
    let granted = b.redeem(player(&b.pool).await, "told").await.unwrap();
    let shown = app::core::player_views::granted(&b.pool, b.guard.cache(), &granted, "ru")
        .await
        .unwrap();
    assert_eq!(shown.secret_message, "Тайна");
}

/// The statistics fold and the activation feed run beside batches of many
/// codes, as the server's worker does. Their foreign-key checks on codes
/// (KEY SHARE) never wait in a circle with a batch's lock on its codes, so
/// no step fails with a deadlock, and every activation is folded once.
#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_statistics_fold_beside_batches_of_many_codes_never_deadlocks(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let instances = two_instances(connect).await;
    let pool = instances[0].pool.clone();
    let names: Vec<String> = (0..120).map(|i| format!("FOLD-{i}")).collect();
    for name in &names {
        code(&pool, fixed(name, 5)).await;
    }
    let players = players(&pool, 30).await;
    let done = Arc::new(AtomicBool::new(false));
    let worker = tokio::spawn({
        let (pool, done) = (pool.clone(), done.clone());
        async move {
            let mut steps = 0;
            while !done.load(Ordering::Relaxed) {
                app::core::stats::rollup::step(&pool, 200)
                    .await
                    .expect("a fold step beside the batches");
                app::core::activation_feed::step(&pool, 200)
                    .await
                    .expect("a feed step beside the batches");
                steps += 1;
            }
            steps
        }
    });
    // Every player redeems every code, in an order of its own, so batches
    // hold many codes at once.
    let tasks = players.iter().enumerate().flat_map(|(k, &p)| {
        let names = names.clone();
        (0..names.len()).map(move |i| (p, names[(i * 7 + k * 13) % names.len()].clone()))
    });
    let outcomes = join_all(tasks.enumerate().map(|(n, (p, name))| {
        let instance = instances[n % 2].clone();
        tokio::spawn(async move { instance.redeem(p, &name).await })
    }))
    .await;
    done.store(true, Ordering::Relaxed);
    assert!(worker.await.expect("the worker ran to the end") > 0);
    let mut granted = 0i64;
    for outcome in outcomes {
        outcome.unwrap().expect("every claim granted");
        granted += 1;
    }
    assert_eq!(granted, 30 * 120);
    app::core::stats::rollup::catch_up(&pool).await.unwrap();
    let folded: i64 =
        sqlx::query_scalar("SELECT coalesce(sum(activations), 0)::bigint FROM stats_code_hours")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(folded, granted, "every activation folded once");
    assert_books_balance(&pool).await;
}
