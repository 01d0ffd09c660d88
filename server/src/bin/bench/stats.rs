//! The statistics benchmark: builds the fixture (`stats_fixture.sql`),
//! folds it into the rollups and computes retention, timing both, then
//! times every report the dashboard shows, each on the range of the last 30
//! days and of a year, and prints one table. Also the statistics worker the
//! activation scenarios run beside the pipeline (`WITH_WORKER`).

use std::time::{Duration, Instant};

use anyhow::{anyhow, Result};
use app::admin::models::{DateRange, Scope};
use app::core::paging::Page;
use app::core::stats::{code, retention, rollup, scope, service};
use sqlx::PgPool;

/// The activation path measured with the statistics worker folding beside it.
pub const WITH_WORKER: &str = "pipeline + statistics";

/// Runs of each report; the table shows the median and the slowest.
const RUNS: usize = 7;

/// The statistics worker as a server runs it (a fold every second, then the
/// activation feed), started after folding what earlier scenarios left, so a
/// run pays only for its own.
pub struct Worker {
    stop: tokio::sync::watch::Sender<bool>,
    task: tokio::task::JoinHandle<Result<()>>,
}

impl Worker {
    pub async fn start(pool: &PgPool) -> Result<Self> {
        app::core::activation_feed::catch_up(pool).await?;
        let (stop, mut stopped) = tokio::sync::watch::channel(false);
        let pool = pool.clone();
        let task = tokio::spawn(async move {
            loop {
                rollup::step(&pool, rollup::CHUNK).await?;
                // Behind the fold, the activation feed (quests, referrals,
                // loyalty), as the server's worker runs it.
                while let Some(fed) =
                    app::core::activation_feed::step(&pool, app::core::activation_feed::CHUNK)
                        .await?
                {
                    if fed.activations < app::core::activation_feed::CHUNK {
                        break;
                    }
                }
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                    _ = stopped.changed() => return Ok(()),
                }
            }
        });
        Ok(Self { stop, task })
    }

    pub async fn stop(self) -> Result<()> {
        let _ = self.stop.send(true);
        self.task.await?
    }
}

fn err(e: app::core::Error) -> anyhow::Error {
    anyhow!("{e}")
}

pub async fn run(pool: &PgPool) -> Result<()> {
    println!("statistics benchmark: building the fixture (100,000 codes, 1,000,000 activations, 200,000 players)");
    let started = Instant::now();
    sqlx::raw_sql(include_str!("stats_fixture.sql"))
        .execute(pool)
        .await?;
    println!("  fixture: {:.1} s", started.elapsed().as_secs_f64());
    let started = Instant::now();
    let folded = rollup::catch_up(pool).await.map_err(err)?;
    let fold = started.elapsed();
    println!(
        "  folded {folded} activations into the rollups in {:.1} s ({:.0}/s)",
        fold.as_secs_f64(),
        folded as f64 / fold.as_secs_f64()
    );
    let started = Instant::now();
    rollup::refresh_retention(pool).await.map_err(err)?;
    println!(
        "  retention figures: {:.1} s",
        started.elapsed().as_secs_f64()
    );
    sqlx::raw_sql("VACUUM ANALYZE").execute(pool).await?;

    let today = chrono::Utc::now().date_naive();
    let ranges = [
        ("30 days", DateRange::last(30, today)),
        ("a year", DateRange::last(365, today)),
    ];
    let busiest: i64 = sqlx::query_scalar!(
        r#"SELECT id AS "id!" FROM promo_codes ORDER BY activation_count DESC LIMIT 1"#
    )
    .fetch_one(pool)
    .await?;
    let ids = sqlx::query!(
        r#"SELECT (SELECT max(id) FROM code_groups WHERE kind = 'series') AS "series!",
                  (SELECT min(id) FROM campaigns) AS "campaign!",
                  (SELECT min(id) FROM partners) AS "partner!""#
    )
    .fetch_one(pool)
    .await?;
    let ids = Ids {
        code: busiest,
        series: ids.series,
        campaign: ids.campaign,
        partner: ids.partner,
    };
    let mut rows: Vec<(&str, &str, Vec<Duration>)> = Vec::new();
    for (label, range) in ranges {
        for report in REPORTS {
            report.once(pool, ids, range).await.map_err(err)?;
            let mut runs = Vec::with_capacity(RUNS);
            for _ in 0..RUNS {
                let t = Instant::now();
                report.once(pool, ids, range).await.map_err(err)?;
                runs.push(t.elapsed());
            }
            runs.sort();
            rows.push((report.name(), label, runs));
        }
    }
    println!();
    println!("| report | range | median ms | slowest ms |");
    println!("|---|---|---|---|");
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mut slowest = Duration::ZERO;
    for (name, range, runs) in &rows {
        let worst = *runs.last().unwrap_or(&Duration::ZERO);
        slowest = slowest.max(worst);
        println!(
            "| {name} | {range} | {:.1} | {:.1} |",
            ms(runs[runs.len() / 2]),
            ms(worst)
        );
    }
    println!();
    println!(
        "slowest report run: {:.1} ms (target: under 200 ms)",
        ms(slowest)
    );
    Ok(())
}

#[derive(Clone, Copy)]
struct Ids {
    code: i64,
    series: i64,
    campaign: i64,
    partner: i64,
}

#[derive(Clone, Copy)]
enum Report {
    Code,
    CodePlayers,
    Series,
    Campaign,
    Partner,
    Campaigns,
    Service,
    Retention,
}

const REPORTS: [Report; 8] = [
    Report::Code,
    Report::CodePlayers,
    Report::Series,
    Report::Campaign,
    Report::Partner,
    Report::Campaigns,
    Report::Service,
    Report::Retention,
];

impl Report {
    fn name(self) -> &'static str {
        match self {
            Self::Code => "code (the busiest)",
            Self::CodePlayers => "code: who activated it, page 1",
            Self::Series => "series (20,000 codes)",
            Self::Campaign => "campaign",
            Self::Partner => "partner with payout",
            Self::Campaigns => "campaigns compared",
            Self::Service => "service (kinds, redeemers, top players, abuse)",
            Self::Retention => "retention",
        }
    }

    async fn once(self, pool: &PgPool, ids: Ids, range: DateRange) -> app::core::Result<()> {
        match self {
            Self::Code => code::report(pool, ids.code, range).await.map(drop),
            Self::CodePlayers => code::players(pool, ids.code, Page::new(1, 50))
                .await
                .map(drop),
            Self::Series => scope::report(pool, Scope::Group, ids.series, range)
                .await
                .map(drop),
            Self::Campaign => scope::report(pool, Scope::Campaign, ids.campaign, range)
                .await
                .map(drop),
            Self::Partner => scope::report(pool, Scope::Partner, ids.partner, range)
                .await
                .map(drop),
            Self::Campaigns => scope::campaigns(pool, range).await.map(drop),
            Self::Service => service::report(pool, range).await.map(drop),
            Self::Retention => retention::report(pool, range).await.map(drop),
        }
    }
}
