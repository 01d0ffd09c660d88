//! `bench`: the activation core under load, side by side in one run. For
//! each concurrency level (`--levels`, default 16, 64, 256): `hot` (one
//! decreasing code, every activation by a new player) and `many` (1,000
//! codes), each on the one-claim path and on the pipeline; with `--http` the
//! hot code through the real redeem endpoint; with `--pages` the
//! server-rendered home page over HTTP; with `--pgbench` pgbench's
//! one-row UPDATE and tpcb-like on the same database. One table at the end,
//! with the ratios.
//!
//! `--series N` times one series job instead; `--flood` runs the flood
//! benchmark (see `flood.rs`).
//!
//! Uses DATABASE_URL when set, else a throw-away private cluster; either way it
//! works in its own fresh database `promocodes_bench`.

use std::sync::atomic::AtomicUsize;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use app::core::{codes, Channel, NewCode, PromoCodeText};
use clap::{Parser, ValueEnum};
use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, PgConnection, PgPool};

use localpg::ThrowAwayCluster;
use server::db::{connect_options, MIGRATOR};

mod core_load;
mod flood;
mod http_load;
mod page_load;
mod pgbench;
mod series;
mod served;
mod stats;
mod table;

use core_load::Players;
use table::{print_table, Row};

#[derive(Parser)]
#[command(about = "Benchmark the activation core")]
struct Args {
    /// Concurrency levels of the activation scenarios and pgbench.
    #[arg(long, value_delimiter = ',', default_values_t = [16, 64, 256])]
    levels: Vec<usize>,
    /// Connections of the HTTP benchmark and the flood.
    #[arg(short, long, default_value_t = 64)]
    concurrency: usize,
    /// Seconds per scenario.
    #[arg(short = 't', long, default_value_t = 10)]
    seconds: u64,
    /// Runs of each scenario, the paths taking turns (one-claim, pipeline,
    /// pipeline + statistics, again...), so that a machine drifting over
    /// the run weighs on every path alike. The table shows their mean.
    #[arg(long, default_value_t = 1)]
    rounds: u32,
    #[arg(short, long, value_enum, default_value_t = Scenario::Both)]
    scenario: Scenario,
    /// Which activation path: the one-claim core call, the pipeline (queue
    /// with group commit and code cache, what the server uses), or both side
    /// by side.
    #[arg(long, value_enum, default_value_t = PathArg::Both)]
    path: PathArg,
    /// Pipeline: batches in flight at once (the server's
    /// PROMOCODES_QUEUE_LANES).
    #[arg(long, default_value_t = app::core::queue::QueueConfig::default().lanes)]
    lanes: usize,
    /// Codes in the `many` scenario.
    #[arg(long, default_value_t = 1000)]
    codes: usize,
    /// Players created up front; each activation of a run uses a new one
    /// (every run has codes of its own and starts from the first player).
    #[arg(long, default_value_t = 300_000)]
    players: i64,
    /// Also run pgbench (one-row UPDATE and tpcb-like, `-j 2`) on the same
    /// database at each level.
    #[arg(long)]
    pgbench: bool,
    /// Also the hot code through the real redeem endpoint over HTTP, at `-c`.
    #[arg(long)]
    http: bool,
    /// Also the server-rendered home page over HTTP at `-c`, signed out (as
    /// `wrk -c C` loads it): pages per second, latency, refusals, requests
    /// cut off.
    #[arg(long)]
    pages: bool,
    /// HTTP: players signed in before the clock starts; each redeems once.
    #[arg(long, default_value_t = 60_000)]
    http_players: i64,
    /// Instead of the activation scenarios: generate and store a series of
    /// this many codes through the dashboard's job and report the time.
    #[arg(long, default_value_t = 0)]
    series: u32,
    /// Instead of the activation scenarios: the statistics benchmark. A
    /// fixture of 100,000 codes, 1,000,000 activations and 200,000 players,
    /// folded into the rollups, then every report timed (see `stats.rs`).
    #[arg(long)]
    stats: bool,
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
    /// The pipeline alone and with the statistics worker folding beside it.
    Stats,
    Both,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Scenario {
    Hot,
    Many,
    Both,
}

// A request allocates and frees many small buffers on whichever worker
// thread it lands; under the HTTP benchmark glibc's allocator took 12 % of
// the machine's CPU, a quarter of what the process (server and clients)
// used (`perf`). mimalloc keeps per-thread heaps.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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

/// The URL libpq understands for the bench database: the given one with the
/// database swapped.
fn bench_url(base_url: &str) -> String {
    let swap = |head: &str| {
        format!(
            "{}/{BENCH_DB}",
            head.rsplit_once('/').map_or(head, |(h, _)| h)
        )
    };
    match base_url.split_once('?') {
        Some((head, query)) => format!("{}?{query}", swap(head)),
        None => swap(base_url),
    }
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
    // The flood's server keeps a server-sized pool; the core scenarios one
    // connection per task (up to what a server allows).
    let pool_size = if args.flood {
        32
    } else {
        args.levels.iter().copied().max().unwrap_or(64).min(250) as u32
    };
    let pool = PgPoolOptions::new()
        .max_connections(pool_size)
        .connect_with(options)
        .await?;
    MIGRATOR.run(&pool).await?;
    if args.series > 0 {
        return series::run(args.series, &pool).await;
    }
    if args.flood {
        return flood::run(args, &pool).await;
    }
    if args.stats {
        return stats::run(&pool).await;
    }

    let ids: Vec<i64> = sqlx::query_scalar!(
        "INSERT INTO players (username) SELECT 'bench' || g FROM generate_series(1, $1::bigint) g RETURNING id",
        args.players
    )
    .fetch_all(&pool)
    .await?;
    // Settle the new rows before the clock runs: no autovacuum of them
    // halfway through the first scenarios.
    for settle in ["VACUUM ANALYZE players", "CHECKPOINT"] {
        sqlx::raw_sql(settle).execute(&pool).await?;
    }
    let players = Players {
        ids: Arc::new(ids),
        next: Arc::new(AtomicUsize::new(0)),
    };
    println!(
        "activation benchmark: levels {:?}, {} s each, PostgreSQL {}",
        args.levels,
        args.seconds,
        sqlx::query_scalar!("SELECT current_setting('server_version') AS \"v!\"")
            .fetch_one(&pool)
            .await?
    );
    let guard = core_load::pipeline(&pool, args.lanes).await;
    let paths: Vec<(&'static str, Option<&app::core::abuse::Guard>)> = match args.path {
        PathArg::Alone => vec![("one-claim", None)],
        PathArg::Queue => vec![("pipeline", Some(&guard))],
        PathArg::Stats => vec![
            ("pipeline", Some(&guard)),
            (stats::WITH_WORKER, Some(&guard)),
        ],
        PathArg::Both => vec![
            ("one-claim", None),
            ("pipeline", Some(&guard)),
            (stats::WITH_WORKER, Some(&guard)),
        ],
    };
    // Each run gets codes of its own, so every run can start from the first
    // player again (nobody has redeemed them yet).
    let mut scenarios: Vec<(&'static str, String, usize)> = Vec::new();
    if matches!(args.scenario, Scenario::Hot | Scenario::Both) {
        scenarios.push(("hot", "hot".into(), 1));
    }
    if matches!(args.scenario, Scenario::Many | Scenario::Both) {
        scenarios.push(("many", format!("many ({} codes)", args.codes), args.codes));
    }
    let mut runs = 0usize;

    let mut rows = Vec::new();
    for &concurrency in &args.levels {
        for (key, scenario, count) in &scenarios {
            // Rounds in turn, ABBA: a path goes first in every other round.
            let turns: Vec<_> = (0..args.rounds.max(1))
                .flat_map(|round| {
                    let mut order = paths.clone();
                    if round % 2 == 1 {
                        order.reverse();
                    }
                    order
                })
                .collect();
            for &(path, guard) in &turns {
                runs += 1;
                let texts = run_codes(&pool, key, runs, *count).await?;
                players.next.store(0, std::sync::atomic::Ordering::Relaxed);
                let worker = match path == stats::WITH_WORKER {
                    true => Some(stats::Worker::start(&pool).await?),
                    false => None,
                };
                let measured = core_load::run(
                    concurrency,
                    args.seconds,
                    &pool,
                    guard,
                    &texts,
                    &players,
                    Channel::Job,
                )
                .await?;
                if let Some(worker) = worker {
                    worker.stop().await?;
                }
                rows.push(
                    Row {
                        key,
                        scenario: scenario.clone(),
                        path,
                        concurrency,
                        measured,
                    }
                    .announced(),
                );
                if players.exhausted() {
                    println!("  (ran out of players; raise --players for a full run)");
                }
            }
        }
    }
    if args.http {
        // The redeem form's claims (through the input gate, from an address
        // each) in the core, beside the same over HTTP: what HTTP costs.
        runs += 1;
        let texts = run_codes(&pool, "hot", runs, 1).await?;
        players.next.store(0, std::sync::atomic::Ordering::Relaxed);
        let measured = core_load::run(
            args.concurrency,
            args.seconds,
            &pool,
            Some(&guard),
            &texts,
            &players,
            Channel::Form,
        )
        .await?;
        rows.push(
            Row {
                key: "form",
                scenario: "hot, form claims (input gate)".into(),
                path: "pipeline",
                concurrency: args.concurrency,
                measured,
            }
            .announced(),
        );
        let measured =
            http_load::run(args.concurrency, args.seconds, args.http_players, &pool).await?;
        rows.push(
            Row {
                key: "http",
                scenario: "hot over HTTP".into(),
                path: "pipeline",
                concurrency: args.concurrency,
                measured,
            }
            .announced(),
        );
    }
    if args.pages {
        let load = page_load::run(args.concurrency, args.seconds, &pool).await?;
        println!(
            "  home page over HTTP, C={}: {:.0}/s, p99 {:.1} ms, {} refused (503), {} cut off, {} other answers",
            args.concurrency,
            load.measured.per_second,
            load.measured.p99_ms,
            load.measured.refused,
            load.cut_off,
            load.other
        );
        rows.push(Row {
            key: "page",
            scenario: "home page over HTTP".into(),
            path: "signed out",
            concurrency: args.concurrency,
            measured: load.measured,
        });
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

    let mut pg_rows = Vec::new();
    if args.pgbench {
        let url = bench_url(base_url);
        pgbench::prepare(&base.database(BENCH_DB), &url).await?;
        for &concurrency in &args.levels {
            for kind in [pgbench::Kind::OneRow, pgbench::Kind::TpcbLike] {
                let figures = pgbench::run(kind, concurrency, args.seconds, &url)?;
                pg_rows.push((kind, concurrency, figures));
            }
        }
    }
    print_table(&rows, &pg_rows);
    Ok(())
}

/// The codes of one run: the hot one (decreasing from a million by one) or
/// `count` fixed ones, named after the run.
async fn run_codes(
    pool: &PgPool,
    key: &str,
    run: usize,
    count: usize,
) -> Result<Vec<PromoCodeText>> {
    let mut conn = pool.acquire().await?;
    let mut texts = Vec::with_capacity(count);
    for i in 0..count {
        let code = match key {
            "hot" => NewCode {
                name: format!("HOT{run}"),
                initial_reward: 1_000_000,
                min_reward: 1,
                decrease_step: 1,
                ..NewCode::default()
            },
            _ => NewCode {
                name: format!("MANY{run}X{i}"),
                initial_reward: 10,
                min_reward: 10,
                ..NewCode::default()
            },
        };
        codes::create(&mut conn, &code).await?;
        texts.push(PromoCodeText::parse(&code.name)?);
    }
    Ok(texts)
}
