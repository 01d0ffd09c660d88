//! Crash safety: the real server binary under batched load on one hot code is
//! killed with SIGKILL, restarted on the same database, and loaded again.
//! Every grant a client was told about is in the books, nothing was granted
//! twice, the reward sequence has no hole and the books balance.

mod common;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use app::core::NewCode;
use axum::body::Bytes;
use common::served::{connect, database_url, free_addr, send, start_server, wait_ready};
use http_body_util::Full;
use hyper::header;
use leptos::server_fn::ServerFn;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

/// One player's redeem over HTTP: signs in through a platform link, posts the
/// code; the activation id when the answer says granted.
async fn redeem(addr: SocketAddr, secret: &[u8], player: i64, ip: &str) -> Option<Option<i64>> {
    let mut client = connect(addr).await?;
    let link = app::core::auth::sign_link(secret, player, chrono::Utc::now().timestamp() + 600);
    let sign_in = hyper::Request::get(format!("/auth/link?{link}"))
        .header(header::HOST, "127.0.0.1")
        .header("x-forwarded-for", ip)
        .body(Full::new(Bytes::new()))
        .unwrap();
    let signed_in = send(&mut client, sign_in).await?;
    let cookie = signed_in
        .cookies()
        .find(|c| c.starts_with("promocodes.sid="))?
        .split(';')
        .next()?
        .to_owned();
    let post = hyper::Request::post(app::api::Redeem::PATH)
        .header(header::HOST, "127.0.0.1")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookie)
        .header("x-forwarded-for", ip)
        .body(Full::new(Bytes::from_static(b"code=HOT")))
        .unwrap();
    let answer = send(&mut client, post).await?;
    if answer.status != 200 {
        return Some(None);
    }
    let answer: serde_json::Value = serde_json::from_str(&answer.body).ok()?;
    Some(answer["Granted"]["activation_id"].as_i64())
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_server_killed_mid_load_keeps_every_announced_grant_and_no_other(
    _: PgPoolOptions,
    connect_options: PgConnectOptions,
) {
    let pool = common::wide_pool(connect_options.clone()).await;
    let url = database_url(&connect_options);
    common::code(
        &pool,
        NewCode {
            name: "HOT".into(),
            initial_reward: 100_000,
            min_reward: 1,
            decrease_step: 1,
            ..NewCode::default()
        },
    )
    .await;
    let players = Arc::new(common::players(&pool, 20_000).await);
    let secret: Arc<[u8]> = app::core::auth::link_secret(&pool).await.unwrap().into();
    let addr = free_addr();

    let mut server = start_server(&url, addr, &[]);
    wait_ready(addr).await;
    let next = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    // activation id -> player, for every answer that said granted.
    let told = Arc::new(Mutex::new(HashMap::<i64, i64>::new()));
    let clients: Vec<_> = (0..32)
        .map(|client| {
            let (players, secret, next, stop, told) = (
                players.clone(),
                secret.clone(),
                next.clone(),
                stop.clone(),
                told.clone(),
            );
            tokio::spawn(async move {
                let ip = format!("10.77.{}.{}", client / 200, client % 200 + 1);
                while !stop.load(Ordering::Relaxed) {
                    let Some(&player) = players.get(next.fetch_add(1, Ordering::Relaxed)) else {
                        return;
                    };
                    match redeem(addr, &secret, player, &ip).await {
                        Some(Some(activation)) => {
                            told.lock().unwrap().insert(activation, player);
                        }
                        Some(None) => {}
                        // The server is down: wait for it.
                        None => tokio::time::sleep(Duration::from_millis(20)).await,
                    }
                }
            })
        })
        .collect();

    // Load, then SIGKILL in the middle of it, then a new process.
    let told_before = loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let n = told.lock().unwrap().len();
        if n >= 300 {
            break n;
        }
    };
    server.kill().expect("SIGKILL");
    server.wait().unwrap();
    let mut server = start_server(&url, addr, &[]);
    wait_ready(addr).await;
    loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if told.lock().unwrap().len() >= told_before + 300 {
            break;
        }
    }
    stop.store(true, Ordering::Relaxed);
    for client in clients {
        client.await.unwrap();
    }
    server.kill().unwrap();
    server.wait().unwrap();

    let told = told.lock().unwrap().clone();
    let stored: HashMap<i64, i64> = sqlx::query!("SELECT id, player_id FROM activations")
        .fetch_all(&pool)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.id, r.player_id))
        .collect();
    for (activation, player) in &told {
        assert_eq!(
            stored.get(activation),
            Some(player),
            "a grant the client was told about is missing"
        );
    }
    // Grants made but not announced (the kill cut their answers) may exist;
    // none twice for a player, and the sequence has no hole.
    let ordinals: Vec<i32> =
        sqlx::query_scalar!("SELECT ordinal FROM activations ORDER BY ordinal")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(ordinals, (0..stored.len() as i32).collect::<Vec<_>>());
    let players_granted: std::collections::HashSet<i64> = stored.values().copied().collect();
    assert_eq!(
        players_granted.len(),
        stored.len(),
        "a player granted twice"
    );
    assert!(told.len() >= told_before + 300);
    common::assert_books_balance(&pool).await;
}
