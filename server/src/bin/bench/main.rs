//! `bench`: drives the activation core directly with C concurrent tasks for T
//! seconds and prints activations/s with p50/p99 latency, for two scenarios:
//! `hot` (one decreasing code, every activation by a new player) and `many`
//! (activations spread over many codes). With `--pgbench` it then runs pgbench
//! on the same database (a one-row UPDATE) for comparison.
//!
//! `--series N` times one series job instead; `--flood` runs the flood
//! benchmark (see `flood.rs`).
//!
//! Uses DATABASE_URL when set, else a throw-away private cluster; either way it
//! works in its own fresh database `promocodes_bench`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use app::core::abuse::{Guard, Policy};
use app::core::{
    activate, codes, ActivationError, ActivationRequest, Channel, CodeRef, NewCode, PromoCodeText,
};
use clap::{Parser, ValueEnum};
use hdrhistogram::Histogram;
use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, PgConnection, PgPool};

use localpg::ThrowAwayCluster;
use server::db::{connect_options, MIGRATOR};

mod flood;

#[derive(Parser)]
#[command(about = "Benchmark the activation core")]
struct Args {
    /// Concurrent tasks (and database connections).
    #[arg(short, long, default_value_t = 64)]
    concurrency: usize,
    /// Seconds per scenario.
    #[arg(short = 't', long, default_value_t = 10)]
    seconds: u64,
    #[arg(short, long, value_enum, default_value_t = Scenario::Both)]
    scenario: Scenario,
    /// Which activation path: the one-claim core call, the pipeline (queue
    /// with group commit and code cache, what the server uses), or both side
    /// by side.
    #[arg(long, value_enum, default_value_t = PathArg::Both)]
    path: PathArg,
    /// Codes in the `many` scenario.
    #[arg(long, default_value_t = 1000)]
    codes: usize,
    /// Players created up front; each activation uses a new one.
    #[arg(long, default_value_t = 300_000)]
    players: i64,
    /// Also run `pgbench -c C -j 2 -T T` (one-row UPDATE) on the same database.
    #[arg(long)]
    pgbench: bool,
    /// Instead of the activation scenarios: generate and store a series of
    /// this many codes through the dashboard's job and report the time.
    #[arg(long, default_value_t = 0)]
    series: u32,
    /// Instead of the activation scenarios: the flood benchmark. The real
    /// router serves on a local port; C connections send wrong codes as fast
    /// as they can while honest players redeem beside them.
    #[arg(long)]
    flood: bool,
    /// Flood: attacker accounts, each from its own address.
    #[arg(long, default_value_t = 100)]
    attackers: usize,
    /// Flood: connections of honest players, each redeeming a real code.
    #[arg(long, default_value_t = 8)]
    honest: usize,
    /// Flood: honest players, signed in before the flood; each redeems once.
    #[arg(long, default_value_t = 20_000)]
    honest_players: usize,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum PathArg {
    Alone,
    Queue,
    Both,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Scenario {
    Hot,
    Many,
    Both,
}

const BENCH_DB: &str = "promocodes_bench";

fn main() -> Result<()> {
    // sqlx warns of every slow statement with its whole SQL: that would bury the figures.
    tracing_subscriber::fmt()
        .with_env_filter("warn,sqlx=error")
        .init();
    let args = Args::parse();
    let mut cluster = None;
    let base_url = match std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty()) {
        Some(url) => url,
        None => {
            let local = ThrowAwayCluster::start("bench")?;
            let url = local.url("postgres");
            cluster = Some(local);
            url
        }
    };
    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run(&args, &base_url));
    if let Some(local) = cluster {
        local.finish()?;
    }
    result
}

/// One series job of `count` codes (10 random characters of the default
/// alphabet behind a prefix, single use), timed from the request to the commit.
async fn series(count: u32, pool: &PgPool) -> Result<()> {
    use app::admin::models::{JobStatus, SeriesForm};
    use app::core::series;
    // Existing codes make the unique index realistic.
    sqlx::query!(
        "INSERT INTO promo_codes (name, normalized, currency, initial_reward, current_reward, min_reward)
         SELECT 'OLD' || g, 'OLD' || g, 'COINS', 10, 10, 10 FROM generate_series(1, 100000) g"
    )
    .execute(pool)
    .await?;
    let form = SeriesForm {
        name: "Bench series".into(),
        count: count.to_string(),
        prefix: "BENCH-".into(),
        ..SeriesForm::defaults()
    };
    // The same reading of the form as the dashboard's Generate button.
    let spec = app::admin::forms::series_spec(&form).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let started = Instant::now();
    let job = series::start(pool, None, &spec)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let status = series::run(pool, job).await?;
    let elapsed = started.elapsed();
    if status != JobStatus::Done {
        bail!("the series job ended {status:?}");
    }
    let stored: i64 = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM promo_codes c JOIN series_jobs j ON j.group_id = c.group_id WHERE j.id = $1"#,
        job
    )
    .fetch_one(pool)
    .await?;
    println!(
        "series: {stored} unique codes generated and stored in {:.2} s ({:.0} codes/s), beside 100,000 existing codes",
        elapsed.as_secs_f64(),
        stored as f64 / elapsed.as_secs_f64()
    );
    if stored != i64::from(count) {
        bail!("stored {stored} codes, expected {count}");
    }
    Ok(())
}

async fn run(args: &Args, base_url: &str) -> Result<()> {
    let base = connect_options(base_url)?;
    let mut admin = PgConnection::connect_with(&base)
        .await
        .context("connecting")?;
    sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)"))
        .execute(&mut admin)
        .await?;
    sqlx::raw_sql(&format!("CREATE DATABASE {BENCH_DB}"))
        .execute(&mut admin)
        .await?;
    admin.close().await?;
    let options = base.clone().database(BENCH_DB);
    // The flood's server keeps a server-sized pool; the core scenarios one per task.
    let pool_size = if args.flood {
        32
    } else {
        args.concurrency as u32
    };
    let pool = PgPoolOptions::new()
        .max_connections(pool_size)
        .min_connections(pool_size)
        .connect_with(options)
        .await?;
    MIGRATOR.run(&pool).await?;
    if args.series > 0 {
        return series(args.series, &pool).await;
    }
    if args.flood {
        return flood::run(args, &pool).await;
    }

    let players: Vec<i64> = sqlx::query_scalar!(
        "INSERT INTO players (username) SELECT 'bench' || g FROM generate_series(1, $1::bigint) g RETURNING id",
        args.players
    )
    .fetch_all(&pool)
    .await?;
    let players = Arc::new(players);
    let next_player = Arc::new(AtomicUsize::new(0));
    println!(
        "activation core benchmark: C={} T={}s, PostgreSQL {}",
        args.concurrency,
        args.seconds,
        sqlx::query_scalar!("SELECT current_setting('server_version') AS \"v!\"")
            .fetch_one(&pool)
            .await?
    );

    let mut rates = Vec::new();
    if matches!(args.scenario, Scenario::Hot | Scenario::Both) {
        let mut conn = pool.acquire().await?;
        codes::create(
            &mut conn,
            &NewCode {
                name: "HOT".into(),
                initial_reward: 1_000_000,
                min_reward: 1,
                decrease_step: 1,
                ..NewCode::default()
            },
        )
        .await?;
        drop(conn);
        let hot = vec![PromoCodeText::parse("HOT")?];
        for guard in paths(args, &pool).await {
            let rate = scenario(
                "hot (1 decreasing code)",
                args,
                &pool,
                guard.as_ref(),
                hot.clone(),
                &players,
                &next_player,
            )
            .await?;
            rates.push(("hot", guard.is_some(), rate));
        }
    }
    if matches!(args.scenario, Scenario::Many | Scenario::Both) {
        let mut conn = pool.acquire().await?;
        let mut texts = Vec::with_capacity(args.codes);
        for i in 0..args.codes {
            let name = format!("MANY{i}");
            codes::create(
                &mut conn,
                &NewCode {
                    name: name.clone(),
                    initial_reward: 10,
                    min_reward: 10,
                    ..NewCode::default()
                },
            )
            .await?;
            texts.push(PromoCodeText::parse(&name)?);
        }
        drop(conn);
        for guard in paths(args, &pool).await {
            let rate = scenario(
                &format!("many ({} codes)", args.codes),
                args,
                &pool,
                guard.as_ref(),
                texts.clone(),
                &players,
                &next_player,
            )
            .await?;
            rates.push(("many", guard.is_some(), rate));
        }
    }
    for name in ["hot", "many"] {
        let rate = |queued| {
            rates
                .iter()
                .find(|(n, q, _)| *n == name && *q == queued)
                .map(|r| r.2)
        };
        if let (Some(alone), Some(queued)) = (rate(false), rate(true)) {
            println!("{name}: pipeline / one-claim = {:.1}x", queued / alone);
        }
    }

    let unbalanced: i64 = sqlx::query_scalar!(
        r#"SELECT (SELECT COALESCE(sum(reward), 0) FROM activations)::bigint - (SELECT COALESCE(sum(amount), 0) FROM ledger_entries)::bigint AS "d!""#
    )
    .fetch_one(&pool)
    .await?;
    if unbalanced != 0 {
        bail!("ledger and activations differ by {unbalanced}");
    }
    pool.close().await;

    if args.pgbench {
        pgbench(args, &base.database(BENCH_DB), base_url).await?;
    }
    Ok(())
}

/// The paths to run, in order: `None` is the one-claim core call, a guard
/// the pipeline (listening, so its code cache is in use).
async fn paths(args: &Args, pool: &PgPool) -> Vec<Option<Guard>> {
    let queue = || async {
        let guard = Guard::new(Policy::default());
        tokio::spawn(guard.clone().follow(pool.clone()));
        while !guard.cache().is_live() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        Some(guard)
    };
    match args.path {
        PathArg::Alone => vec![None],
        PathArg::Queue => vec![queue().await],
        PathArg::Both => vec![None, queue().await],
    }
}

/// Runs one scenario on one path; answers activations per second.
async fn scenario(
    label: &str,
    args: &Args,
    pool: &PgPool,
    guard: Option<&Guard>,
    codes: Vec<PromoCodeText>,
    players: &Arc<Vec<i64>>,
    next_player: &Arc<AtomicUsize>,
) -> Result<f64> {
    let label = format!(
        "{label}, {}",
        if guard.is_some() {
            "pipeline"
        } else {
            "one-claim"
        }
    );
    let codes = Arc::new(codes);
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let started = Instant::now();
    let tasks: Vec<_> = (0..args.concurrency)
        .map(|task| {
            let (pool, guard, codes, players, next_player) = (
                pool.clone(),
                guard.cloned(),
                codes.clone(),
                players.clone(),
                next_player.clone(),
            );
            tokio::spawn(async move {
                let mut latencies =
                    Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("histogram bounds");
                let mut refused = 0u64;
                let mut i = task;
                while Instant::now() < deadline {
                    let Some(&player_id) = players.get(next_player.fetch_add(1, Ordering::Relaxed))
                    else {
                        break;
                    };
                    let code = CodeRef::Text(codes[i % codes.len()].clone());
                    i = i.wrapping_add(7919);
                    let request = ActivationRequest {
                        player_id,
                        code,
                        channel: Channel::Job,
                    };
                    let t0 = Instant::now();
                    let outcome = match &guard {
                        Some(guard) => guard.activate(&pool, &request, None).await,
                        None => activate(&mut *pool.acquire().await?, &request).await,
                    };
                    match outcome {
                        Ok(_) => {
                            latencies.record(t0.elapsed().as_micros() as u64).ok();
                        }
                        Err(ActivationError::Database(e)) => return Err(anyhow::Error::from(e)),
                        Err(_) => refused += 1,
                    }
                }
                Ok::<_, anyhow::Error>((latencies, refused))
            })
        })
        .collect();
    let mut all = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
    let mut refused = 0;
    for task in futures::future::join_all(tasks).await {
        let (latencies, r) = task??;
        all.add(latencies)?;
        refused += r;
    }
    let elapsed = started.elapsed().as_secs_f64();
    if next_player.load(Ordering::Relaxed) >= players.len() {
        println!("  (ran out of players; raise --players for a full run)");
    }
    println!(
        "{label:<36} {:>8} activations in {elapsed:.1}s = {:>8.0}/s   p50 {:>6.2} ms   p99 {:>6.2} ms   max {:>7.2} ms   refused {refused}",
        all.len(),
        all.len() as f64 / elapsed,
        all.value_at_quantile(0.50) as f64 / 1000.0,
        all.value_at_quantile(0.99) as f64 / 1000.0,
        all.max() as f64 / 1000.0,
    );
    Ok(all.len() as f64 / elapsed)
}

/// pgbench on the same database: `UPDATE` of a single row, C clients, 2 threads.
async fn pgbench(
    args: &Args,
    options: &sqlx::postgres::PgConnectOptions,
    base_url: &str,
) -> Result<()> {
    let mut conn = PgConnection::connect_with(options).await?;
    sqlx::raw_sql("CREATE TABLE IF NOT EXISTS pgbench_one (id int PRIMARY KEY, n bigint NOT NULL); INSERT INTO pgbench_one VALUES (1, 0) ON CONFLICT DO NOTHING")
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    let script =
        std::env::temp_dir().join(format!("promocodes-pgbench-{}.sql", std::process::id()));
    std::fs::write(&script, "UPDATE pgbench_one SET n = n + 1 WHERE id = 1;\n")?;
    let bin = localpg::find_bin_dir()
        .map(|d| d.join("pgbench"))
        .unwrap_or_else(|_| "pgbench".into());
    // libpq understands the same URL, with the bench database swapped in.
    let url = match base_url.split_once('?') {
        Some((head, query)) => format!(
            "{}/{BENCH_DB}?{query}",
            head.rsplit_once('/').map_or(head, |(h, _)| h)
        ),
        None => format!(
            "{}/{BENCH_DB}",
            base_url.rsplit_once('/').map_or(base_url, |(h, _)| h)
        ),
    };
    let output = std::process::Command::new(bin)
        .args(["-n", "-f"])
        .arg(&script)
        .args([
            "-c",
            &args.concurrency.to_string(),
            "-j",
            "2",
            "-T",
            &args.seconds.to_string(),
            &url,
        ])
        .output()
        .context("running pgbench")?;
    let _ = std::fs::remove_file(&script);
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        bail!(
            "pgbench failed: {}{}",
            text,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    println!(
        "pgbench one-row UPDATE, -c {} -j 2 -T {}:",
        args.concurrency, args.seconds
    );
    for line in text.lines().filter(|l| {
        l.starts_with("latency average")
            || l.starts_with("tps")
            || l.starts_with("number of transactions actually")
    }) {
        println!("  {line}");
    }
    Ok(())
}
