//! The flood benchmark: the real router (throttling, sessions, lockouts, the
//! activation core) serves on a local port. `-c` connections send wrong codes
//! as fast as they can, rotating over `--attackers` signed-in accounts, each
//! from its own address (sent as `X-Forwarded-For`; the benchmark's server
//! trusts 127.0.0.1 as a proxy). Beside them, `--honest` connections redeem a
//! real code for a new player (from a new address) each time. Reports the
//! rejected requests per second and the honest redeems' latency.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use app::core::abuse::{Guard, Policy};
use app::core::{codes, NewCode};
use axum::body::Bytes;
use hdrhistogram::Histogram;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{handshake, SendRequest};
use hyper::header;
use hyper_util::rt::TokioIo;
use leptos::prelude::LeptosOptions;
use leptos::server_fn::ServerFn;
use sqlx::PgPool;

use app::settings::Settings;
use server::router::{router, session_store, spawn_abuse_workers, AppState};
use server::throttle::{Throttle, ThrottleConfig};

use super::Args;

const HONEST_CODES: usize = 100;

/// What the flood's answers were.
#[derive(Default)]
struct Tally {
    throttled: AtomicU64,
    locked: AtomicU64,
    cooldown: AtomicU64,
    unknown: AtomicU64,
    other: AtomicU64,
}

pub async fn run(args: &Args, pool: &PgPool) -> Result<()> {
    let honest_players = args.honest_players;
    println!(
        "flood benchmark: {} s, {} flooding connections over {} attacker accounts and addresses, {} honest connections",
        args.seconds, args.concurrency, args.attackers, args.honest
    );
    // Honest players redeem 100 codes in turn: this measures the flood's
    // effect, not one code's row lock (the core benchmark's `hot` does that).
    let mut conn = pool.acquire().await?;
    for n in 0..HONEST_CODES {
        codes::create(
            &mut conn,
            &NewCode {
                name: format!("FLOOD-OK-{n}"),
                initial_reward: 10,
                min_reward: 10,
                ..NewCode::default()
            },
        )
        .await?;
    }
    drop(conn);
    let attackers: Vec<i64> = sqlx::query_scalar(
        "INSERT INTO players (username) SELECT 'attacker' || g FROM generate_series(1, $1::bigint) g RETURNING id",
    )
    .bind(args.attackers as i64)
    .fetch_all(pool)
    .await?;
    let honest: Vec<i64> = sqlx::query_scalar(
        "INSERT INTO players (username) SELECT 'honest' || g FROM generate_series(1, $1::bigint) g RETURNING id",
    )
    .bind(honest_players as i64)
    .fetch_all(pool)
    .await?;

    // The server, as `server` runs it, with the defaults and a trusted local proxy.
    let guard = Guard::new(Policy::default());
    let throttle = Throttle::new(ThrottleConfig {
        trusted_proxies: server::config::proxies("127.0.0.1")
            .map_err(anyhow::Error::msg)?
            .0,
        ..ThrottleConfig::default()
    });
    let secret = app::core::auth::link_secret(pool).await?;
    let workers = spawn_abuse_workers(pool, &guard, &throttle);
    let app = router(
        AppState {
            leptos_options: LeptosOptions::builder().output_name("promocodes").build(),
            pool: pool.clone(),
            guard,
            throttle,
            metrics: server::metrics::MetricsAccess::new(server::metrics::handle()?, None),
            settings: Settings::new(
                "http://127.0.0.1",
                Duration::from_secs(3600),
                secret.clone(),
            ),
        },
        session_store(pool).await?,
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    });

    // Every player signs in through a platform link, as the host would send them.
    let mut client = connect(addr).await?;
    let mut attacker_cookies = Vec::with_capacity(attackers.len());
    for (n, player) in attackers.iter().enumerate() {
        attacker_cookies.push((
            sign_in(&mut client, &secret, *player, &attacker_ip(n)).await?,
            attacker_ip(n),
        ));
    }
    let attacker_cookies = Arc::new(attacker_cookies);
    // Honest players sign in before the clock starts, so the flood meets
    // redeems only.
    let secret = Arc::new(secret);
    let honest = Arc::new(honest);
    let next_honest = Arc::new(AtomicUsize::new(0));
    let signing: Vec<_> = (0..args.honest.max(1))
        .map(|_| {
            let (honest, next_honest, secret) =
                (honest.clone(), next_honest.clone(), secret.clone());
            tokio::spawn(async move {
                let mut client = connect(addr).await?;
                let mut signed = Vec::new();
                loop {
                    let n = next_honest.fetch_add(1, Ordering::Relaxed);
                    let Some(player) = honest.get(n) else { break };
                    let ip = format!("10.200.{}.{}", (n / 250) % 250, n % 250 + 1);
                    signed.push((sign_in(&mut client, &secret, *player, &ip).await?, ip));
                }
                Ok::<_, anyhow::Error>(signed)
            })
        })
        .collect();
    let mut sessions = Vec::with_capacity(honest.len());
    for task in signing {
        sessions.extend(task.await??);
    }
    let sessions = Arc::new(sessions);
    let next_honest = Arc::new(AtomicUsize::new(0));

    let tally = Arc::new(Tally::default());
    let started = Instant::now();
    let deadline = started + Duration::from_secs(args.seconds);
    let mut flooders = Vec::new();
    for task in 0..args.concurrency {
        let (tally, cookies) = (tally.clone(), attacker_cookies.clone());
        flooders.push(tokio::spawn(async move {
            let mut client = connect(addr).await?;
            let mut n = task;
            while Instant::now() < deadline {
                let (cookie, ip) = &cookies[n % cookies.len()];
                let code = format!("GUESS{task}X{n}");
                n = n.wrapping_add(7);
                let (status, body) = send(&mut client, redeem(cookie, ip, &code)).await?;
                let slot = match status {
                    429 => &tally.throttled,
                    200 if body.contains(r#""kind":"locked_out""#) => &tally.locked,
                    200 if body.contains(r#""kind":"cooldown""#) => &tally.cooldown,
                    200 if body.contains(r#""kind":"unknown""#) => &tally.unknown,
                    _ => &tally.other,
                };
                slot.fetch_add(1, Ordering::Relaxed);
            }
            Ok::<_, anyhow::Error>(())
        }));
    }
    let mut honest_tasks = Vec::new();
    for _ in 0..args.honest {
        let (sessions, next_honest) = (sessions.clone(), next_honest.clone());
        honest_tasks.push(tokio::spawn(async move {
            let mut client = connect(addr).await?;
            let mut latencies = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
            let mut refused = 0u64;
            while Instant::now() < deadline {
                let n = next_honest.fetch_add(1, Ordering::Relaxed);
                let Some((cookie, ip)) = sessions.get(n) else {
                    break;
                };
                let t0 = Instant::now();
                let code = format!("flood-ok-{}", n % HONEST_CODES);
                let (status, body) = send(&mut client, redeem(cookie, ip, &code)).await?;
                if status == 200 && body.contains("\"Granted\"") {
                    latencies.record(t0.elapsed().as_micros() as u64).ok();
                } else {
                    refused += 1;
                }
            }
            Ok::<_, anyhow::Error>((latencies, refused))
        }));
    }
    for task in flooders {
        task.await??;
    }
    let flood_elapsed = started.elapsed().as_secs_f64();
    let mut all = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
    let mut refused = 0;
    for task in honest_tasks {
        let (latencies, r) = task.await??;
        all.add(latencies)?;
        refused += r;
    }
    server.abort();
    for worker in workers {
        worker.abort();
    }

    if next_honest.load(Ordering::Relaxed) >= sessions.len() {
        println!("  (the honest players ran out before the end: raise --honest-players)");
    }
    let count = |c: &AtomicU64| c.load(Ordering::Relaxed);
    let rejected = count(&tally.throttled)
        + count(&tally.locked)
        + count(&tally.cooldown)
        + count(&tally.unknown);
    println!(
        "wrong codes rejected: {rejected} in {flood_elapsed:.1} s = {:.0}/s  (429: {}, locked out: {}, cooldown: {}, unknown: {}, other answers: {})",
        rejected as f64 / flood_elapsed,
        count(&tally.throttled),
        count(&tally.locked),
        count(&tally.cooldown),
        count(&tally.unknown),
        count(&tally.other),
    );
    println!(
        "honest redeems beside it: {} granted ({:.0}/s), p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms, refused {refused}",
        all.len(),
        all.len() as f64 / flood_elapsed,
        all.value_at_quantile(0.50) as f64 / 1000.0,
        all.value_at_quantile(0.99) as f64 / 1000.0,
        all.max() as f64 / 1000.0,
    );
    let blocks: i64 =
        sqlx::query_scalar("SELECT count(*) FROM input_blocks WHERE scope = 'player'")
            .fetch_one(pool)
            .await?;
    let activations: i64 = sqlx::query_scalar("SELECT count(*) FROM activations")
        .fetch_one(pool)
        .await?;
    println!("attacker accounts locked out: {blocks}; activations stored: {activations}");
    if activations != all.len() as i64 {
        bail!(
            "{activations} activations stored, {} reported granted",
            all.len()
        );
    }
    if count(&tally.other) > 0 {
        bail!("some flood requests got an unexpected answer");
    }
    Ok(())
}

fn attacker_ip(n: usize) -> String {
    format!("10.100.{}.{}", n / 250, n % 250 + 1)
}

async fn connect(addr: SocketAddr) -> Result<SendRequest<Full<Bytes>>> {
    let stream = tokio::net::TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (sender, connection) = handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    Ok(sender)
}

async fn send(
    client: &mut SendRequest<Full<Bytes>>,
    request: hyper::Request<Full<Bytes>>,
) -> Result<(u16, String)> {
    client.ready().await?;
    let response = client.send_request(request).await?;
    let status = response.status().as_u16();
    let body = response.into_body().collect().await?.to_bytes();
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

fn redeem(cookie: &str, ip: &str, code: &str) -> hyper::Request<Full<Bytes>> {
    hyper::Request::post(app::api::Redeem::PATH)
        .header(header::HOST, "127.0.0.1")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookie)
        .header("x-forwarded-for", ip)
        .body(Full::new(Bytes::from(format!("code={code}"))))
        .expect("a valid request")
}

/// Signs a player in through a platform link; returns the session cookie.
async fn sign_in(
    client: &mut SendRequest<Full<Bytes>>,
    secret: &[u8],
    player: i64,
    ip: &str,
) -> Result<String> {
    let link = app::core::auth::sign_link(secret, player, chrono::Utc::now().timestamp() + 3600);
    let request = hyper::Request::get(format!("/auth/link?{link}"))
        .header(header::HOST, "127.0.0.1")
        .header("x-forwarded-for", ip)
        .body(Full::new(Bytes::new()))?;
    client.ready().await?;
    let response = client.send_request(request).await?;
    let cookie = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("promocodes.sid="))
        .and_then(|c| c.split(';').next())
        .map(str::to_owned)
        .context("no session cookie from the sign-in link")?;
    response.into_body().collect().await?;
    Ok(cookie)
}
