//! The benchmark's one table: every run as a row (the rounds of a scenario
//! merged), pgbench's figures beside, then the ratios the targets name.

use super::core_load::Measured;
use super::{pgbench, stats};

/// A line of the final table.
pub struct Row {
    /// `hot`, `many`, `form`, `http` or `page`, for the ratios.
    pub key: &'static str,
    pub scenario: String,
    pub path: &'static str,
    pub concurrency: usize,
    pub measured: Measured,
}

impl Row {
    /// Says what one run measured as soon as it ends (the table comes last).
    pub fn announced(self) -> Self {
        println!(
            "  {}, {}, C={}: {:.0}/s, p99 {:.1} ms",
            self.scenario,
            self.path,
            self.concurrency,
            self.measured.per_second,
            self.measured.p99_ms
        );
        self
    }
}

/// The rounds of each scenario and path as one row: their mean rate,
/// mean p50 and highest p99.
fn merge_rounds(rows: &[Row]) -> Vec<Row> {
    let mut merged: Vec<(Row, usize)> = Vec::new();
    for row in rows {
        let same = merged.iter_mut().find(|(m, _)| {
            m.key == row.key && m.path == row.path && m.concurrency == row.concurrency
        });
        match same {
            Some((m, n)) => {
                let (a, b) = (&mut m.measured, row.measured);
                a.granted += b.granted;
                a.refused += b.refused;
                a.per_second += b.per_second;
                a.p50_ms += b.p50_ms;
                a.p99_ms = a.p99_ms.max(b.p99_ms);
                *n += 1;
            }
            None => merged.push((
                Row {
                    key: row.key,
                    scenario: row.scenario.clone(),
                    path: row.path,
                    concurrency: row.concurrency,
                    measured: row.measured,
                },
                1,
            )),
        }
    }
    merged
        .into_iter()
        .map(|(mut row, n)| {
            row.measured.per_second /= n as f64;
            row.measured.p50_ms /= n as f64;
            row
        })
        .collect()
}

pub fn print_table(rows: &[Row], pg_rows: &[(pgbench::Kind, usize, pgbench::Figures)]) {
    let rows = &merge_rounds(rows);
    println!();
    println!("| scenario | path | C | per second | p50 ms | p99 ms | refused |");
    println!("|---|---|---|---|---|---|---|");
    for row in rows {
        let m = row.measured;
        println!(
            "| {} | {} | {} | {:.0} | {:.1} | {:.1} | {} |",
            row.scenario, row.path, row.concurrency, m.per_second, m.p50_ms, m.p99_ms, m.refused
        );
    }
    for (kind, concurrency, figures) in pg_rows {
        println!(
            "| {} | | {concurrency} | {:.0} tps | {:.1} (average) | | |",
            kind.label(),
            figures.tps,
            figures.latency_ms
        );
    }
    let rate = |key: &str, path: &str, c: usize| {
        rows.iter()
            .find(|r| r.key == key && r.path == path && r.concurrency == c)
            .map(|r| r.measured.per_second)
    };
    println!();
    for c in rows
        .iter()
        .map(|r| r.concurrency)
        .collect::<std::collections::BTreeSet<_>>()
    {
        if let (Some(alone), Some(queued)) =
            (rate("hot", "one-claim", c), rate("hot", "pipeline", c))
        {
            println!("C={c}: hot, pipeline / one-claim = {:.1}x", queued / alone);
        }
        if let (Some(alone), Some(queued)) =
            (rate("many", "one-claim", c), rate("many", "pipeline", c))
        {
            println!("C={c}: many, pipeline / one-claim = {:.1}x", queued / alone);
        }
        for key in ["hot", "many"] {
            if let (Some(plain), Some(with)) =
                (rate(key, "pipeline", c), rate(key, stats::WITH_WORKER, c))
            {
                println!(
                    "C={c}: {key}, with the statistics worker / without = {:.2}",
                    with / plain
                );
            }
        }
        let tpcb = pg_rows
            .iter()
            .find(|(k, pc, _)| *k == pgbench::Kind::TpcbLike && *pc == c)
            .map(|(_, _, f)| f.tps);
        if let (Some(many), Some(tpcb)) = (rate("many", "pipeline", c), tpcb) {
            println!(
                "C={c}: many on the pipeline / pgbench tpcb-like = {:.1}x",
                many / tpcb
            );
        }
        if let (Some(http), Some(core)) = (rate("http", "pipeline", c), rate("hot", "pipeline", c))
        {
            println!(
                "C={c}: hot over HTTP / hot on the pipeline in the core = {:.2}",
                http / core
            );
        }
        if let (Some(http), Some(form)) = (rate("http", "pipeline", c), rate("form", "pipeline", c))
        {
            println!(
                "C={c}: hot over HTTP / the same form claims in the core = {:.2}",
                http / form
            );
        }
    }
}
