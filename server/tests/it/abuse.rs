//! Abuse protection against PostgreSQL: lockout after N wrong codes, release
//! after T, escalation, two instances sharing one database, no cross-player
//! lockout, the spike cooldown, lifting, and exactness under a flood; and over
//! HTTP (the real router): 429 with Retry-After, and no oracle between an
//! unknown and a disabled code.

use crate::common;

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use app::core::abuse::{self, Guard, Policy};
use app::core::{ActivationError, ActivationRequest, Channel, CodeRef, NewCode, PromoCodeText};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use chrono::Utc;
use leptos::server_fn::ServerFn;
use server::throttle::{Limit, ThrottleConfig};
use sqlx::postgres::PgConnectOptions;
use sqlx::PgPool;
use tower::ServiceExt;

fn ip(s: &str) -> Option<IpAddr> {
    Some(s.parse().unwrap())
}

fn typed(player_id: i64, text: &str) -> ActivationRequest {
    ActivationRequest {
        player_id,
        code: CodeRef::Text(PromoCodeText::parse(text).unwrap()),
        channel: Channel::Form,
    }
}

/// Small numbers, so that the tests run in seconds.
fn policy() -> Policy {
    Policy {
        player_failures: 3,
        ip_failures: 100,
        spread_accounts: 100,
        window: Duration::from_secs(60),
        block: Duration::from_secs(2),
        max_block: Duration::from_secs(60),
        ..Policy::default()
    }
}

async fn activations(pool: &PgPool, player: i64) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM activations WHERE player_id = $1")
        .bind(player)
        .fetch_one(pool)
        .await
        .unwrap()
}

fn locked_until(result: Result<app::core::Activation, ActivationError>) -> chrono::DateTime<Utc> {
    match result {
        Err(ActivationError::LockedOut { until }) => until,
        other => panic!("expected a lockout, got {other:?}"),
    }
}

async fn sleep_until(until: chrono::DateTime<Utc>) {
    let wait = (until - Utc::now()).to_std().unwrap_or_default();
    tokio::time::sleep(wait + Duration::from_millis(150)).await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn n_wrong_codes_lock_out_until_t_then_the_slate_is_clean(pool: PgPool) {
    let guard = Guard::new(policy());
    let player = common::player(&pool).await;
    common::code(&pool, common::fixed("GOOD-ONE", 10)).await;
    common::code(&pool, common::fixed("GOOD-TWO", 10)).await;
    let from = ip("192.0.2.10");

    for n in 1..=2 {
        let refused = guard
            .activate(&pool, &typed(player, &format!("WRONG-{n}")), from)
            .await;
        assert!(
            matches!(refused, Err(ActivationError::Unknown)),
            "{refused:?}"
        );
    }
    let before = Utc::now();
    let until = locked_until(guard.activate(&pool, &typed(player, "WRONG-3"), from).await);
    let length = until - before;
    assert!(
        length > chrono::Duration::milliseconds(1500) && length <= chrono::Duration::seconds(3),
        "the first block lasts T: {length}"
    );
    // Even the right code is refused now, here and on an instance that never saw the block.
    locked_until(
        guard
            .activate(&pool, &typed(player, "GOOD-ONE"), from)
            .await,
    );
    locked_until(
        Guard::new(policy())
            .activate(&pool, &typed(player, "GOOD-ONE"), ip("198.51.100.1"))
            .await,
    );
    assert_eq!(activations(&pool, player).await, 0);

    sleep_until(until).await;
    guard
        .activate(&pool, &typed(player, "GOOD-ONE"), from)
        .await
        .expect("released after T");
    // A served block wipes the slate: two more wrong codes do not block again,
    // and successful redeems never counted.
    for n in 4..=5 {
        let refused = guard
            .activate(&pool, &typed(player, &format!("WRONG-{n}")), from)
            .await;
        assert!(
            matches!(refused, Err(ActivationError::Unknown)),
            "{refused:?}"
        );
    }
    guard
        .activate(&pool, &typed(player, "GOOD-TWO"), from)
        .await
        .expect("still free");
    let failures: i64 =
        sqlx::query_scalar("SELECT count(*) FROM code_failures WHERE player_id = $1")
            .bind(player)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(failures, 5);
    common::assert_books_balance(&pool).await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn repeat_offenders_are_blocked_longer_each_time(pool: PgPool) {
    let guard = Guard::new(policy());
    let player = common::player(&pool).await;
    let mut lengths = Vec::new();
    for round in 0..3 {
        let mut result = None;
        for n in 0..3 {
            result = Some(
                guard
                    .activate(&pool, &typed(player, &format!("NOPE-{round}-{n}")), None)
                    .await,
            );
        }
        let until = locked_until(result.unwrap());
        let (strike, created, stored_until): (i32, chrono::DateTime<Utc>, chrono::DateTime<Utc>) =
            sqlx::query_as(
                "SELECT strike, created_at, until FROM input_blocks WHERE scope = 'player' AND subject = $1 ORDER BY id DESC LIMIT 1",
            )
            .bind(player.to_string())
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(stored_until, until);
        assert_eq!(strike, round + 1);
        lengths.push((until - created).num_milliseconds());
        if round < 2 {
            sleep_until(until).await;
        }
    }
    assert_eq!(lengths, vec![2_000, 4_000, 8_000], "T, 2T, 4T");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn two_instances_on_one_database_count_and_enforce_together(
    _: sqlx::postgres::PgPoolOptions,
    connect: PgConnectOptions,
) {
    // Two server processes: each its own pool and its own memory.
    let pool_a = common::wide_pool(connect.clone()).await;
    let pool_b = common::wide_pool(connect).await;
    let a = Guard::new(policy());
    let b = Guard::new(policy());
    let listening = tokio::spawn(b.clone().follow(pool_b.clone()));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let player = common::player(&pool_a).await;
    common::code(&pool_a, common::fixed("SHARED-GOOD", 5)).await;

    // Failures on either instance add up: two on A, the third on B blocks.
    for n in 0..2 {
        let refused = a
            .activate(&pool_a, &typed(player, &format!("BAD-A{n}")), None)
            .await;
        assert!(matches!(refused, Err(ActivationError::Unknown)));
    }
    locked_until(b.activate(&pool_b, &typed(player, "BAD-B"), None).await);
    // A never saw the block being made, yet enforces it (from the database).
    locked_until(
        a.activate(&pool_a, &typed(player, "SHARED-GOOD"), None)
            .await,
    );

    // A block made by A reaches B's memory through the database's notices.
    let other = common::player(&pool_a).await;
    for n in 0..3 {
        let _ = a
            .activate(&pool_a, &typed(other, &format!("BAD-O{n}")), None)
            .await;
    }
    let mut heard = false;
    for _ in 0..50 {
        if b.known_block(other, Utc::now()).is_some() {
            heard = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(heard, "instance B learned of A's block");

    // A restarted instance (empty memory) still enforces it.
    locked_until(
        Guard::new(policy())
            .activate(&pool_b, &typed(other, "SHARED-GOOD"), None)
            .await,
    );

    // An admin lifts it; B forgets it and lets the player in.
    let admin = app::core::admins::create(
        &pool_a,
        "lifter",
        "a long enough password",
        app::admin::models::Role::Admin,
        false,
    )
    .await
    .unwrap();
    let block_id: i64 = sqlx::query_scalar("SELECT id FROM input_blocks WHERE subject = $1")
        .bind(other.to_string())
        .fetch_one(&pool_a)
        .await
        .unwrap();
    assert!(abuse::lift_block(&pool_a, admin, block_id).await.unwrap());
    assert!(
        !abuse::lift_block(&pool_a, admin, block_id).await.unwrap(),
        "lifted once"
    );
    let mut forgotten = false;
    for _ in 0..50 {
        if b.known_block(other, Utc::now()).is_none() {
            forgotten = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(forgotten, "instance B heard of the lift");
    b.activate(&pool_b, &typed(other, "SHARED-GOOD"), None)
        .await
        .expect("free again after the lift");
    let audited: Vec<(Option<i64>, String)> = sqlx::query_as(
        "SELECT admin_id, action FROM audit_log WHERE entity = 'block' AND entity_id = $1 ORDER BY id",
    )
    .bind(block_id)
    .fetch_all(&pool_a)
    .await
    .unwrap();
    assert_eq!(
        audited,
        vec![
            (None, "abuse.block".to_owned()),
            (Some(admin), "abuse.lift".to_owned())
        ]
    );
    listening.abort();
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn nobody_can_lock_out_another_player(pool: PgPool) {
    let guard = Guard::new(Policy {
        player_failures: 5,
        ip_failures: 3,
        spread_accounts: 3,
        ..policy()
    });
    for n in 0..4 {
        common::code(&pool, common::fixed(&format!("FINE-{n}"), 1)).await;
    }
    let shared = ip("203.0.113.5");
    let attacker = common::player(&pool).await;
    let newcomer = common::player(&pool).await;
    let elsewhere = common::player(&pool).await;
    // An established player: two redeems, the first over a day ago.
    let neighbour = common::player(&pool).await;
    for code in ["FINE-2", "FINE-3"] {
        guard
            .activate(&pool, &typed(neighbour, code), shared)
            .await
            .unwrap();
    }
    sqlx::query(
        "UPDATE activations SET created_at = now() - interval '2 days' WHERE player_id = $1",
    )
    .bind(neighbour)
    .execute(&pool)
    .await
    .unwrap();

    // The attacker's three wrong codes block the shared address...
    for n in 0..3 {
        let refused = guard
            .activate(&pool, &typed(attacker, &format!("GUESS-{n}")), shared)
            .await;
        assert!(
            matches!(refused, Err(ActivationError::Unknown)),
            "{refused:?}"
        );
    }
    // ...which holds the attacker's account (it failed from there)...
    locked_until(
        guard
            .activate(&pool, &typed(attacker, "FINE-0"), shared)
            .await,
    );
    // ...and new accounts from there (an attacker's fresh ones would be)...
    locked_until(
        guard
            .activate(&pool, &typed(newcomer, "FINE-0"), shared)
            .await,
    );
    // ...but not an established player who typed no wrong code from there.
    guard
        .activate(&pool, &typed(neighbour, "FINE-0"), shared)
        .await
        .expect("nobody else's block holds an established player");
    // A wrong code of theirs is answered as the block (the address gets no
    // more "unknown" answers), and from then on it holds them too.
    locked_until(
        guard
            .activate(&pool, &typed(neighbour, "FNIE-1"), shared)
            .await,
    );
    locked_until(
        guard
            .activate(&pool, &typed(neighbour, "FINE-1"), shared)
            .await,
    );
    // Nor anyone elsewhere.
    guard
        .activate(&pool, &typed(elsewhere, "FINE-0"), ip("203.0.113.6"))
        .await
        .unwrap();
    let player_blocks: i64 =
        sqlx::query_scalar("SELECT count(*) FROM input_blocks WHERE scope = 'player'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        player_blocks, 0,
        "no account was blocked for another's wrong codes"
    );

    // One address failing for many accounts (one wrong code each) is blocked for spreading.
    let guard = Guard::new(Policy {
        ip_failures: 100,
        spread_accounts: 3,
        ..policy()
    });
    let spread_ip = ip("198.51.100.77");
    let accounts = common::players(&pool, 3).await;
    for (n, account) in accounts.iter().enumerate() {
        let _ = guard
            .activate(&pool, &typed(*account, &format!("SPREAD-{n}")), spread_ip)
            .await;
    }
    let reason: String = sqlx::query_scalar(
        "SELECT reason FROM input_blocks WHERE scope = 'ip' AND subject = '198.51.100.77'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(reason, "spread");

    // The loopback address stands for everyone behind a local proxy: never blocked as a whole.
    let local = common::players(&pool, 4).await;
    for (n, account) in local.iter().enumerate() {
        let _ = guard
            .activate(
                &pool,
                &typed(*account, &format!("LOCAL-{n}")),
                ip("127.0.0.1"),
            )
            .await;
    }
    let local_blocks: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM input_blocks WHERE scope = 'ip' AND subject <> '198.51.100.77'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(local_blocks, 1, "only the attacker's address, not loopback");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn parallel_guesses_of_one_player_take_turns(
    _: sqlx::postgres::PgPoolOptions,
    connect: PgConnectOptions,
) {
    let pool = common::wide_pool(connect).await;
    let guard = Guard::new(policy());
    let player = common::player(&pool).await;
    let tasks: Vec<_> = (0..20)
        .map(|n| {
            let (pool, guard) = (pool.clone(), guard.clone());
            tokio::spawn(async move {
                guard
                    .activate(
                        &pool,
                        &typed(player, &format!("RACE-{n}")),
                        ip("192.0.2.33"),
                    )
                    .await
            })
        })
        .collect();
    let mut unknown = 0;
    let mut locked = 0;
    for task in tasks {
        match task.await.unwrap() {
            Err(ActivationError::Unknown) => unknown += 1,
            Err(ActivationError::LockedOut { .. }) => locked += 1,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(
        (unknown, locked),
        (2, 18),
        "N = 3 answers in all: two unknown, then the block"
    );
    let (failures, blocks): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM code_failures), (SELECT count(*) FROM input_blocks)",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((failures, blocks), (3, 1));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_service_wide_spike_puts_players_without_a_clean_record_on_a_cooldown(pool: PgPool) {
    let guard = Guard::new(Policy {
        player_failures: 100,
        spike_min_per_minute: 20,
        spike_factor: 10.0,
        spike_duration: Duration::from_secs(60),
        spike_cooldown: Duration::from_secs(30),
        ..policy()
    });
    common::code(&pool, common::fixed("CALM", 1)).await;
    assert_eq!(
        guard.detect_spike(&pool).await.unwrap(),
        None,
        "quiet so far"
    );
    let guessers = common::players(&pool, 25).await;
    for (n, player) in guessers.iter().enumerate() {
        let _ = guard
            .activate(
                &pool,
                &typed(*player, &format!("FLOOD-{n}")),
                ip(&format!("10.9.0.{n}")),
            )
            .await;
    }
    let until = guard.detect_spike(&pool).await.unwrap().expect("a spike");
    assert!(abuse::active_spike(&pool)
        .await
        .unwrap()
        .is_some_and(|(u, n)| u == until && n >= 25));
    assert_eq!(
        guard.detect_spike(&pool).await.unwrap(),
        None,
        "one cooldown at a time"
    );

    // A player who just guessed wrong waits; a clean one does not.
    match guard
        .activate(&pool, &typed(guessers[0], "CALM"), ip("10.9.0.0"))
        .await
    {
        Err(ActivationError::Cooldown { until }) => assert!(until > Utc::now()),
        other => panic!("expected a cooldown, got {other:?}"),
    }
    let clean = common::player(&pool).await;
    guard
        .activate(&pool, &typed(clean, "CALM"), ip("10.9.0.0"))
        .await
        .unwrap();
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_books_stay_exact_while_a_flood_of_wrong_codes_runs(
    _: sqlx::postgres::PgPoolOptions,
    connect: PgConnectOptions,
) {
    let pool = common::wide_pool(connect).await;
    let guard = Guard::new(Policy {
        player_failures: 5,
        block: Duration::from_secs(60),
        ..policy()
    });
    let limit = 40;
    common::code(
        &pool,
        NewCode {
            name: "RUSH-HOUR".into(),
            initial_reward: 1000,
            min_reward: 100,
            decrease_step: 10,
            activation_limit: Some(limit),
            ..NewCode::default()
        },
    )
    .await;
    let honest = common::players(&pool, 150).await;
    let flooders = common::players(&pool, 20).await;
    let mut tasks = Vec::new();
    for (n, player) in flooders.into_iter().enumerate() {
        let (pool, guard) = (pool.clone(), guard.clone());
        tasks.push(tokio::spawn(async move {
            let mut answered = 0;
            for k in 0..25 {
                let result = guard
                    .activate(
                        &pool,
                        &typed(player, &format!("GUESS{n}X{k}")),
                        ip(&format!("10.66.0.{n}")),
                    )
                    .await;
                match result {
                    Err(ActivationError::Unknown) => answered += 1,
                    Err(ActivationError::LockedOut { .. }) => {}
                    other => panic!("a guess got {other:?}"),
                }
            }
            (0, answered)
        }));
    }
    for player in honest {
        let (pool, guard) = (pool.clone(), guard.clone());
        tasks.push(tokio::spawn(async move {
            match guard
                .activate(&pool, &typed(player, "rush hour"), ip("10.1.1.1"))
                .await
            {
                Ok(_) => (1, 0),
                Err(ActivationError::Exhausted) => (0, 0),
                Err(e) => panic!("an honest redeem failed: {e:?}"),
            }
        }));
    }
    let mut granted = 0;
    let mut answered = 0;
    for task in tasks {
        let (g, a) = task.await.unwrap();
        granted += g;
        answered += a;
    }
    assert_eq!(granted, limit as i64);
    assert_eq!(
        answered,
        20 * 4,
        "each flooder heard 'unknown' 4 times; the 5th locked them out"
    );
    let rewards: Vec<i64> = sqlx::query_scalar("SELECT reward FROM activations ORDER BY ordinal")
        .fetch_all(&pool)
        .await
        .unwrap();
    let expected: Vec<i64> = (0..limit as i64)
        .map(|k| (1000 - 10 * k).max(100))
        .collect();
    assert_eq!(rewards, expected, "the decreasing sequence, each step once");
    let blocked: i64 =
        sqlx::query_scalar("SELECT count(*) FROM input_blocks WHERE scope = 'player'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(blocked, 20, "every flooder was locked out, once");
    common::assert_books_balance(&pool).await;
}

// ---- over HTTP -------------------------------------------------------------

fn peer(address: &str) -> ConnectInfo<SocketAddr> {
    ConnectInfo(SocketAddr::new(address.parse().unwrap(), 40000))
}

/// A signed-in player's session cookie, through a platform sign-in link.
async fn session_cookie(app: &Router, pool: &PgPool, player: i64) -> String {
    let secret = app::core::auth::link_secret(pool).await.unwrap();
    let link = app::core::auth::sign_link(&secret, player, Utc::now().timestamp() + 60);
    let mut request = Request::get(format!("/auth/link?{link}"))
        .body(Body::empty())
        .unwrap();
    request.extensions_mut().insert(peer("127.0.0.1"));
    common::send(app, request)
        .await
        .cookie
        .expect("a session cookie")
}

async fn post_redeem(
    app: &Router,
    from: &str,
    cookie: &str,
    code: &str,
    accept: &str,
) -> common::Response {
    let mut request = Request::post(app::api::Redeem::PATH)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, accept)
        .header(header::COOKIE, format!("{cookie}; promocodes-lang=ru"))
        .body(Body::from(
            serde_urlencoded::to_string([("code", code)]).unwrap(),
        ))
        .unwrap();
    request.extensions_mut().insert(peer(from));
    common::send(app, request).await
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_burst_gets_429_with_retry_after_per_address_and_per_player(pool: PgPool) {
    let limits = ThrottleConfig {
        redeem_ip: Limit::new(60, 5),
        redeem_player: Limit::new(60, 8),
        ..ThrottleConfig::default()
    };
    let app = common::app_with(&pool, Guard::new(Policy::default()), limits).await;
    common::code(&pool, common::fixed("OK-CODE", 1)).await;
    let players = common::players(&pool, 2).await;
    let cookie = session_cookie(&app, &pool, players[0]).await;

    // Per address: a burst of 5 passes, the sixth waits about a second.
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(post_redeem(&app, "192.0.2.1", &cookie, "OK-CODE", "*/*").await);
    }
    assert!(statuses[..5].iter().all(|a| a.status == StatusCode::OK));
    let throttled = &statuses[5];
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(throttled.retry_after, Some(1));
    assert_eq!(
        throttled.body, "ServerError|throttled:1",
        "what the hydrated form reads"
    );
    // A plain form post gets a page that says so, in the player's language.
    let page = post_redeem(&app, "192.0.2.1", &cookie, "OK-CODE", "text/html").await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.retry_after.is_some());
    assert!(page.body.contains("Слишком много попыток"), "{}", page.body);
    assert!(page.body.contains("http-equiv=\"refresh\""));

    // Per player: the same player from other addresses is held after 8 in all.
    let mut held = None;
    for n in 0..5 {
        let answer = post_redeem(
            &app,
            &format!("192.0.2.{}", 10 + n),
            &cookie,
            "OK-CODE",
            "*/*",
        )
        .await;
        if answer.status == StatusCode::TOO_MANY_REQUESTS {
            held = Some(n);
            break;
        }
    }
    assert_eq!(held, Some(3), "5 + 3 passed, the ninth was held");
    // Another player at a fresh address is not.
    let other = session_cookie(&app, &pool, players[1]).await;
    assert_eq!(
        post_redeem(&app, "192.0.2.99", &other, "OK-CODE", "*/*")
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(activations(&pool, players[0]).await, 1);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn sign_in_and_easter_eggs_are_throttled_too(pool: PgPool) {
    let limits = ThrottleConfig {
        signin_ip: Limit::new(60, 3),
        egg_ip: Limit::new(60, 2),
        ..ThrottleConfig::default()
    };
    let app = common::app_with(&pool, Guard::new(Policy::default()), limits).await;
    let sign_in = |from: &'static str| {
        let app = app.clone();
        async move {
            let mut request = Request::post(app::api::SignIn::PATH)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(
                    "username=nobody&password=wrong-password&next=%2Fredeem",
                ))
                .unwrap();
            request.extensions_mut().insert(peer(from));
            app.oneshot(request).await.unwrap().status()
        }
    };
    for _ in 0..3 {
        assert_eq!(sign_in("192.0.2.50").await, StatusCode::OK);
    }
    assert_eq!(sign_in("192.0.2.50").await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(sign_in("192.0.2.51").await, StatusCode::OK);

    let egg = |slug: &'static str| {
        let app = app.clone();
        async move {
            let mut request = Request::get(format!("/egg/{slug}"))
                .body(Body::empty())
                .unwrap();
            request.extensions_mut().insert(peer("192.0.2.60"));
            app.oneshot(request).await.unwrap().status()
        }
    };
    // Signed out, every egg address sends to sign in, real or not.
    assert!(egg("no-such-egg-1").await.is_redirection());
    assert!(egg("no-such-egg-2").await.is_redirection());
    assert_eq!(egg("no-such-egg-3").await, StatusCode::TOO_MANY_REQUESTS);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_disabled_code_answers_exactly_like_an_unknown_one(pool: PgPool) {
    let app = common::app(&pool).await;
    common::code(
        &pool,
        NewCode {
            enabled: false,
            ..common::fixed("SWITCHED-OFF", 10)
        },
    )
    .await;
    let player = common::player(&pool).await;
    let cookie = session_cookie(&app, &pool, player).await;
    let unknown = post_redeem(&app, "192.0.2.7", &cookie, "NEVER-MADE", "*/*").await;
    let disabled = post_redeem(&app, "192.0.2.7", &cookie, "SWITCHED-OFF", "*/*").await;
    assert_eq!(
        (unknown.status, disabled.status),
        (StatusCode::OK, StatusCode::OK)
    );
    assert_eq!(
        unknown.body.replace("NEVER-MADE", "X"),
        disabled.body.replace("SWITCHED-OFF", "X"),
        "the same answer"
    );
    assert!(
        unknown.body.contains(r#""kind":"unknown""#),
        "{}",
        unknown.body
    );
    // The plain form post's redirect carries the same refusal too.
    let unknown = post_redeem(&app, "192.0.2.7", &cookie, "NEVER-MADE", "text/html").await;
    let disabled = post_redeem(&app, "192.0.2.7", &cookie, "SWITCHED-OFF", "text/html").await;
    assert_eq!(unknown.status, disabled.status);
    assert_eq!(
        unknown.location.replace("NEVER-MADE", "X"),
        disabled.location.replace("SWITCHED-OFF", "X")
    );
    assert!(
        unknown.location.contains("refused=unknown"),
        "{}",
        unknown.location
    );
    // The core still tells them apart for statistics.
    let kinds: Vec<String> = sqlx::query_scalar("SELECT kind FROM code_failures ORDER BY id")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(kinds, ["unknown", "disabled", "unknown", "disabled"]);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn one_address_gets_its_wrong_answers_whatever_the_number_of_accounts(pool: PgPool) {
    let pool = common::wide_pool(pool.connect_options().as_ref().clone()).await;
    let guard = Guard::new(Policy {
        player_failures: 5,
        ip_failures: 20,
        spread_accounts: 5,
        // Longer than the test: one window, one block.
        block: Duration::from_secs(300),
        max_block: Duration::from_secs(600),
        ..policy()
    });
    common::code(&pool, common::fixed("WELCOME-100", 100)).await;
    let from = ip("198.51.100.23");
    // The attacker's accounts each redeem the public code first: one redeem
    // used to make an account "established", out of the address block's reach.
    let accounts = common::players(&pool, 30).await;
    for account in &accounts {
        guard
            .activate(&pool, &typed(*account, "WELCOME-100"), from)
            .await
            .unwrap();
    }
    // Then they rotate wrong guesses across the accounts.
    let mut unknown = 0;
    for round in 0..10 {
        for (n, account) in accounts.iter().enumerate() {
            match guard
                .activate(&pool, &typed(*account, &format!("GUESS-{round}-{n}")), from)
                .await
            {
                Err(ActivationError::Unknown) => unknown += 1,
                Err(ActivationError::LockedOut { .. }) => {}
                other => panic!("{other:?}"),
            }
        }
    }
    assert!(
        unknown <= 20,
        "the address got {unknown} wrong-code answers, more than its limit of 20"
    );
    // Fresh accounts from there are held too.
    let fresh = common::player(&pool).await;
    locked_until(
        guard
            .activate(&pool, &typed(fresh, "GUESS-FRESH"), from)
            .await,
    );
}
