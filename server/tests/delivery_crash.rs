//! A delivery worker killed with SIGKILL while its webhook requests are in
//! flight loses no event: the real server binary delivers to a slow
//! receiver, dies mid-delivery, and a new one delivers everything once the
//! dead one's leases run out.

mod common;

use std::time::{Duration, Instant};

use app::core::abuse::{Guard, Policy};
use app::core::delivery::endpoints::{self, NewEndpoint};
use app::core::{ActivationRequest, Channel, CodeRef, PromoCodeText};
use common::receiver::Receiver;
use common::served::{database_url, free_addr, start_server, wait_ready};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_worker_killed_mid_delivery_loses_no_event(_: PgPoolOptions, connect: PgConnectOptions) {
    let pool = common::wide_pool(connect.clone()).await;
    let url = database_url(&connect);
    let admin = app::core::admins::create(
        &pool,
        "crash",
        "crash-password",
        app::admin::models::Role::Admin,
        false,
    )
    .await
    .unwrap();
    let receiver = Receiver::start().await;
    receiver.delay(Duration::from_millis(1500));
    let (_, secret) = endpoints::create(
        &pool,
        admin,
        NewEndpoint {
            url: receiver.url(),
            description: String::new(),
            topics: vec!["promo.activated".into()],
        },
    )
    .await
    .unwrap();
    receiver.set_secret(&secret);
    common::code(&pool, common::fixed("KILLED", 3)).await;
    let guard = Guard::new(Policy::default());
    for player in common::players(&pool, 40).await {
        let request = ActivationRequest {
            player_id: player,
            code: CodeRef::Text(PromoCodeText::parse("KILLED").unwrap()),
            channel: Channel::Api,
        };
        guard.activate(&pool, &request, None).await.unwrap();
    }
    let settings = [
        ("PROMOCODES_WEBHOOK_TIMEOUT_MS", "3000"),
        ("PROMOCODES_DELIVERY_RETRY_BASE_MS", "100"),
    ];

    let addr = free_addr();
    let mut first = start_server(&url, addr, &settings);
    wait_ready(addr).await;
    // Wait until attempts are in flight (leased, the receiver holding them).
    let start = Instant::now();
    while count(
        &pool,
        "SELECT count(*) FROM event_deliveries WHERE leased_until > now() AND state = 'pending'",
    )
    .await
        == 0
    {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "no delivery started"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    first.kill().unwrap();
    first.wait().unwrap();
    let in_flight = count(
        &pool,
        "SELECT count(*) FROM event_deliveries WHERE leased_until > now() AND state = 'pending'",
    )
    .await;
    assert!(
        in_flight > 0,
        "the kill left attempts without an answer recorded"
    );
    receiver.delay(Duration::ZERO);

    let addr = free_addr();
    let mut second = start_server(&url, addr, &settings);
    wait_ready(addr).await;
    let start = Instant::now();
    while count(
        &pool,
        "SELECT count(*) FROM event_deliveries WHERE state <> 'delivered'",
    )
    .await
        > 0
    {
        assert!(
            start.elapsed() < Duration::from_secs(40),
            "the killed worker's deliveries were never made"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    second.kill().unwrap();
    second.wait().unwrap();

    let events: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM outbox_events WHERE topic = 'promo.activated'")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(events.len(), 40);
    let accepted = receiver.accepted();
    for id in events {
        assert!(
            accepted.contains_key(&format!("evt_{id}")),
            "event {id} never reached the receiver"
        );
    }
    assert!(receiver.requests().iter().all(|r| r.signed));
    pool.close().await;
}
