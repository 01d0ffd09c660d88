//! The HTTP benchmark: signed-in players race the real redeem endpoint of the
//! router (served in this process on a local port, as `server` runs it), each
//! request a new player from its own address, on one hot decreasing code.
//! The players sign in through platform links before the clock starts.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use app::core::{codes, NewCode};
use sqlx::PgPool;

use super::core_load::{gather, histogram, Measured};
use super::served::{connect, redeem, send, sign_in_all, Served};

/// The address of the n-th player: 10.x.y.z, a new one for each.
pub fn address(n: usize) -> String {
    format!(
        "10.{}.{}.{}",
        1 + (n / 62_500) % 200,
        (n / 250) % 250,
        n % 250 + 1
    )
}

pub async fn run(
    concurrency: usize,
    seconds: u64,
    players: i64,
    pool: &PgPool,
) -> Result<Measured> {
    codes::create(
        &mut *pool.acquire().await?,
        &NewCode {
            name: "HTTP-HOT".into(),
            initial_reward: 1_000_000,
            min_reward: 1,
            decrease_step: 1,
            ..NewCode::default()
        },
    )
    .await?;
    let ids: Vec<i64> = sqlx::query_scalar(
        "INSERT INTO players (username) SELECT 'http' || g FROM generate_series(1, $1::bigint) g RETURNING id",
    )
    .bind(players)
    .fetch_all(pool)
    .await?;
    let served = Served::start(pool).await?;
    let addr = served.addr;
    let sessions = Arc::new(sign_in_all(addr, &served.secret, &ids, 8, address).await?);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let (sessions, next) = (sessions.clone(), next.clone());
            tokio::spawn(async move {
                let mut client = connect(addr).await?;
                let mut latencies = histogram();
                let mut refused = 0u64;
                while Instant::now() < deadline {
                    let Some((cookie, ip)) = sessions.get(next.fetch_add(1, Ordering::Relaxed))
                    else {
                        break;
                    };
                    let t0 = Instant::now();
                    let (status, body) = send(&mut client, redeem(cookie, ip, "HTTP-HOT")).await?;
                    if status == 200 && body.contains("\"Granted\"") {
                        latencies.record(t0.elapsed().as_micros() as u64).ok();
                    } else {
                        refused += 1;
                    }
                }
                Ok::<_, anyhow::Error>((latencies, refused))
            })
        })
        .collect();
    let measured = gather(tasks, started).await?;
    served.stop();
    if next.load(Ordering::Relaxed) >= sessions.len() {
        println!("  (HTTP: ran out of signed-in players; raise --http-players for a full run)");
    }
    let stored: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM activations a JOIN promo_codes c ON c.id = a.code_id WHERE c.name = 'HTTP-HOT'",
    )
    .fetch_one(pool)
    .await?;
    if stored != measured.granted as i64 {
        bail!(
            "HTTP: {stored} activations stored, {} answered granted",
            measured.granted
        );
    }
    Ok(measured)
}
