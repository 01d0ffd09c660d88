//! Crash safety: the real server binary under batched load on one hot code is
//! killed with SIGKILL, restarted on the same database, and loaded again.
//! Every grant a client was told about is in the books, nothing was granted
//! twice, the reward sequence has no hole and the books balance.

mod common;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app::core::NewCode;
use axum::body::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{handshake, SendRequest};
use hyper::header;
use hyper_util::rt::TokioIo;
use leptos::server_fn::ServerFn;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

fn start_server(url: &str, addr: SocketAddr) -> Child {
    Command::new(env!("CARGO_BIN_EXE_server"))
        .env("DATABASE_URL", url)
        .env("LEPTOS_SITE_ADDR", addr.to_string())
        .env("LEPTOS_OUTPUT_NAME", "promocodes")
        .env("PROMOCODES_SEED_DEMO", "0")
        // Each client comes from its own forwarded address.
        .env("PROMOCODES_TRUSTED_PROXIES", "127.0.0.1")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("starting the server binary")
}

async fn connect(addr: SocketAddr) -> Option<SendRequest<Full<Bytes>>> {
    let stream = tokio::net::TcpStream::connect(addr).await.ok()?;
    let (sender, connection) = handshake(TokioIo::new(stream)).await.ok()?;
    tokio::spawn(connection);
    Some(sender)
}

/// Sends one request; `None` when the connection failed (the server died).
async fn send(
    client: &mut SendRequest<Full<Bytes>>,
    request: hyper::Request<Full<Bytes>>,
) -> Option<(u16, Vec<String>, String)> {
    client.ready().await.ok()?;
    let response = client.send_request(request).await.ok()?;
    let status = response.status().as_u16();
    let cookies = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect();
    let body = response.into_body().collect().await.ok()?.to_bytes();
    Some((status, cookies, String::from_utf8_lossy(&body).into_owned()))
}

async fn wait_ready(addr: SocketAddr) {
    let started = Instant::now();
    loop {
        if let Some(mut client) = connect(addr).await {
            let request = hyper::Request::get("/readyz")
                .header(header::HOST, "127.0.0.1")
                .body(Full::new(Bytes::new()))
                .unwrap();
            if matches!(send(&mut client, request).await, Some((200, _, _))) {
                return;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the server did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

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
    let (_, cookies, _) = send(&mut client, sign_in).await?;
    let cookie = cookies
        .iter()
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
    let (status, _, body) = send(&mut client, post).await?;
    if status != 200 {
        return Some(None);
    }
    let answer: serde_json::Value = serde_json::from_str(&body).ok()?;
    Some(answer["Granted"]["activation_id"].as_i64())
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_server_killed_mid_load_keeps_every_announced_grant_and_no_other(
    _: PgPoolOptions,
    connect_options: PgConnectOptions,
) {
    let pool = common::wide_pool(connect_options.clone()).await;
    // The test database, as a URL for the server process.
    let base = std::env::var("DATABASE_URL").expect("the tests run with DATABASE_URL");
    let db = connect_options.get_database().expect("a test database");
    let url = match base.split_once('?') {
        Some((head, query)) => format!("{}/{db}?{query}", head.rsplit_once('/').unwrap().0),
        None => format!("{}/{db}", base.rsplit_once('/').unwrap().0),
    };
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
    let addr = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap()
    };

    let mut server = start_server(&url, addr);
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
    let mut server = start_server(&url, addr);
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
