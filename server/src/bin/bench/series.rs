//! The series benchmark: one job of N codes through the dashboard's own
//! series job, timed from the request to the commit.

use std::time::Instant;

use anyhow::{bail, Result};
use sqlx::PgPool;

/// One series job of `count` codes (10 random characters of the default
/// alphabet behind a prefix, single use), timed from the request to the commit.
pub async fn run(count: u32, pool: &PgPool) -> Result<()> {
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
