//! Side-effect jobs against PostgreSQL: an announcement fanned out in
//! batches to exactly the players a code is for, once each, by several
//! workers at once and through retries; a scheduled one waiting for its
//! code to start; a failing job retried with backoff, then dead, without
//! holding up the others; a lost lease changing nothing; and the server's
//! worker, woken by LISTEN, doing it all on its own.

use crate::common;

use std::time::Duration;

use app::core::audit::Actor;
use app::core::jobs::{self, announce, Step};
use app::core::{Error, NewCode};
use common::*;
use sqlx::PgPool;

const LEASE: Duration = Duration::from_secs(30);

/// Works every due job until none is left, as one worker would.
async fn drain(pool: &PgPool) -> usize {
    let mut done = 0;
    loop {
        let leased = jobs::lease(pool, 4, LEASE).await.unwrap();
        if leased.is_empty() {
            return done;
        }
        for job in leased {
            match jobs::run(pool, &job).await {
                Ok(_) => done += 1,
                Err(e) => {
                    jobs::fail(pool, &job, &e.to_string()).await.unwrap();
                }
            }
        }
    }
}

/// The admin who announces (made the first time).
async fn by(pool: &PgPool) -> Actor {
    let known: Option<i64> = sqlx::query_scalar("SELECT id FROM admins WHERE username = 'jobs'")
        .fetch_optional(pool)
        .await
        .unwrap();
    Actor::Admin(match known {
        Some(id) => id,
        None => admin(pool, "jobs").await,
    })
}

async fn told(pool: &PgPool, code_id: i64) -> Vec<i64> {
    sqlx::query_scalar(
        "SELECT player_id FROM notifications WHERE kind = 'new_code' AND (params->>'code_id')::bigint = $1 ORDER BY player_id",
    )
    .bind(code_id)
    .fetch_all(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn an_announcement_reaches_each_player_it_is_for_once(pool: PgPool) {
    let pool = wide_pool(pool.connect_options().as_ref().clone()).await;
    let many = players(&pool, announce::BATCH * 2 + 37).await;
    let gold = player_with(&pool, "gold", &[]).await;
    let code = common::code(
        &pool,
        NewCode {
            eligible_tiers: vec!["standard".into()],
            ..fixed("WELCOME", 50)
        },
    )
    .await;
    // One who already redeemed it is not told about it, nor one who turned
    // announcements off (and turned them on again later: told next time).
    redeem(&pool, many[0], "WELCOME").await.unwrap();
    let quiet = many[1];
    app::core::preferences::set_announcements(&pool, quiet, false)
        .await
        .unwrap();
    assert!(!app::core::preferences::announcements(&pool, quiet)
        .await
        .unwrap());

    announce::schedule(&pool, by(&pool).await, code)
        .await
        .unwrap();
    // Four workers at once, each taking what the others have not.
    let workers = (0..4).map(|_| {
        let pool = pool.clone();
        tokio::spawn(async move { drain(&pool).await })
    });
    let batches: usize = futures::future::join_all(workers)
        .await
        .into_iter()
        .map(Result::unwrap)
        .sum();
    assert_eq!(
        batches,
        3,
        "{} players, batches of {}",
        many.len(),
        announce::BATCH
    );
    let expected: Vec<i64> = many[2..].to_vec();
    assert_eq!(told(&pool, code).await, expected);
    assert!(!told(&pool, code).await.contains(&gold));

    // Announced again: a new player hears of it, and the one who turned
    // announcements back on; nobody twice.
    let late = player(&pool).await;
    app::core::preferences::set_announcements(&pool, quiet, true)
        .await
        .unwrap();
    announce::schedule(&pool, by(&pool).await, code)
        .await
        .unwrap();
    drain(&pool).await;
    let mut again = expected.clone();
    again.push(late);
    again.push(quiet);
    again.sort();
    assert_eq!(told(&pool, code).await, again);
    let message: serde_json::Value = sqlx::query_scalar(
        "SELECT params FROM notifications WHERE kind = 'new_code' AND player_id = $1",
    )
    .bind(late)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(message["code"], "WELCOME");
    assert_eq!(message["reward"], 50);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn only_codes_players_can_redeem_are_announced(pool: PgPool) {
    let egg = common::code(
        &pool,
        NewCode {
            egg_slug: Some("hidden".into()),
            ..fixed("EGG1", 5)
        },
    )
    .await;
    let off = common::code(
        &pool,
        NewCode {
            enabled: false,
            ..fixed("OFF1", 5)
        },
    )
    .await;
    for id in [egg, off] {
        assert!(matches!(
            announce::schedule(&pool, by(&pool).await, id).await,
            Err(Error::Invalid(_))
        ));
    }
    assert!(matches!(
        announce::schedule(&pool, by(&pool).await, 999_999).await,
        Err(Error::NotFound)
    ));
    let queued: i64 = sqlx::query_scalar("SELECT count(*) FROM jobs")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(queued, 0);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_scheduled_code_is_announced_when_it_starts(pool: PgPool) {
    let starts = chrono::Utc::now() + chrono::Duration::hours(2);
    let code = common::code(
        &pool,
        NewCode {
            starts_at: Some(starts),
            ..fixed("LATER", 5)
        },
    )
    .await;
    player(&pool).await;
    let at = announce::schedule(&pool, by(&pool).await, code)
        .await
        .unwrap();
    assert!((at - starts).num_seconds().abs() < 1);
    assert_eq!(drain(&pool).await, 0, "not due before the code starts");
    // Its start moved earlier and the job fell due: it waits for the code.
    let soon = chrono::Utc::now() + chrono::Duration::minutes(5);
    sqlx::query("UPDATE promo_codes SET starts_at = $1")
        .bind(soon)
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE jobs SET run_at = now()")
        .execute(&pool)
        .await
        .unwrap();
    let job = jobs::lease(&pool, 1, LEASE).await.unwrap().remove(0);
    assert_eq!(
        jobs::run(&pool, &job).await.unwrap(),
        Step::Later(soon.trunc_subsecs_micros())
    );
    assert!(told(&pool, code).await.is_empty());
    // Started: it goes out.
    sqlx::query("UPDATE promo_codes SET starts_at = now() - interval '1 minute'")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE jobs SET run_at = now()")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(drain(&pool).await, 1);
    assert_eq!(told(&pool, code).await.len(), 1);
}

trait Micros {
    fn trunc_subsecs_micros(self) -> Self;
}

impl Micros for chrono::DateTime<chrono::Utc> {
    fn trunc_subsecs_micros(self) -> Self {
        use chrono::SubsecRound;
        self.trunc_subsecs(6)
    }
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_failing_job_is_retried_then_dead_and_blocks_nothing(pool: PgPool) {
    player(&pool).await;
    let code = common::code(&pool, fixed("FINE", 5)).await;
    // A damaged job (its payload unreadable) beside a good one.
    sqlx::query(
        "INSERT INTO jobs (kind, key, payload, max_attempts) VALUES ('announce', 'broken', '{\"x\": 1}', 2)",
    )
    .execute(&pool)
    .await
    .unwrap();
    announce::schedule(&pool, by(&pool).await, code)
        .await
        .unwrap();
    assert_eq!(drain(&pool).await, 1, "the good job ran");
    assert_eq!(told(&pool, code).await.len(), 1);
    let (state, attempts, error, later): (String, i32, Option<String>, bool) = sqlx::query_as(
        "SELECT state, attempts, last_error, run_at > now() FROM jobs WHERE key = 'broken'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((state.as_str(), attempts, later), ("queued", 1, true));
    assert!(error.unwrap().contains("payload"));
    // Its backoff over, it fails once more: its last attempt.
    sqlx::query("UPDATE jobs SET run_at = now() WHERE key = 'broken'")
        .execute(&pool)
        .await
        .unwrap();
    let job = jobs::lease(&pool, 4, LEASE).await.unwrap().remove(0);
    assert_eq!(job.attempt, 2);
    let error = jobs::run(&pool, &job).await.unwrap_err();
    assert!(jobs::fail(&pool, &job, &error.to_string()).await.unwrap());
    let state: String = sqlx::query_scalar("SELECT state FROM jobs WHERE key = 'broken'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(state, "dead");
    assert_eq!(drain(&pool).await, 0);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn an_attempt_whose_lease_passed_on_changes_nothing(pool: PgPool) {
    player(&pool).await;
    let code = common::code(&pool, fixed("SLOW", 5)).await;
    announce::schedule(&pool, by(&pool).await, code)
        .await
        .unwrap();
    let first = jobs::lease(&pool, 1, Duration::from_millis(1))
        .await
        .unwrap()
        .remove(0);
    tokio::time::sleep(Duration::from_millis(20)).await;
    // The first worker looked dead; a second took the job over.
    let second = jobs::lease(&pool, 1, LEASE).await.unwrap().remove(0);
    assert_eq!((second.id, second.attempt), (first.id, 2));
    assert!(jobs::run(&pool, &first).await.is_err());
    assert!(told(&pool, code).await.is_empty(), "rolled back");
    jobs::run(&pool, &second).await.unwrap();
    assert_eq!(told(&pool, code).await.len(), 1);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_server_worker_announces_on_its_own(pool: PgPool) {
    let everyone = players(&pool, 3).await;
    let code = common::code(&pool, fixed("HEARD", 5)).await;
    let workers = server::jobs::spawn(&pool, server::jobs::JobsConfig::default());
    // Let the listener start, then queue: LISTEN wakes the worker.
    tokio::time::sleep(Duration::from_millis(200)).await;
    announce::schedule(&pool, by(&pool).await, code)
        .await
        .unwrap();
    let mut heard = Vec::new();
    for _ in 0..100 {
        heard = told(&pool, code).await;
        if heard.len() == everyone.len() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(heard, everyone);
    for worker in workers {
        worker.abort();
    }
}
