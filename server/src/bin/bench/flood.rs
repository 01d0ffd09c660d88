//! The flood benchmark: the real router (throttling, sessions, lockouts, the
//! activation core) serves on a local port. `-c` connections send wrong codes
//! as fast as they can, rotating over `--attackers` signed-in accounts, each
//! from its own address (sent as `X-Forwarded-For`; the benchmark's server
//! trusts 127.0.0.1 as a proxy). Beside them, `--honest` connections redeem a
//! real code for a new player (from a new address) each time. Reports the
//! rejected requests per second and the honest redeems' latency.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use app::core::{codes, NewCode};
use hdrhistogram::Histogram;
use sqlx::PgPool;

use super::served::{connect, redeem, send, sign_in, sign_in_all, Served};
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

    let served = Served::start(pool).await?;
    let (addr, secret) = (served.addr, served.secret.clone());

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
    let sessions = sign_in_all(addr, &secret, &honest, args.honest.max(1), |n| {
        format!("10.200.{}.{}", (n / 250) % 250, n % 250 + 1)
    })
    .await?;
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
    served.stop();

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
