//! Series jobs: a request recorded as a job, then generated and stored in
//! the background in one transaction (a cancelled or failed series leaves
//! nothing behind), in chunks (`store`: COPY; a collision with any existing
//! code is replaced by a fresh one), with its progress on the job row from a
//! second connection. At most
//! `MAX_RUNNING_SERIES` run at once across instances.

use std::collections::HashSet;

use rand::SeedableRng;
use sqlx::{Acquire, PgPool, Postgres};

use super::plan::{plan, Segment, SeriesPlan, SeriesSpec};
use super::store::store;
use crate::audit::{self, Actor, Entity};
use crate::error::{Error, Problem, Result};
use model::admin::{JobStatus, SeriesJob};

/// Codes per insert statement (and per progress step).
const CHUNK: usize = 50_000;

/// Checks the request and records a job for it; `run` does the work, once
/// the job is committed. `db` is a pool or the caller's transaction.
pub async fn start<'a>(
    db: impl Acquire<'a, Database = Postgres>,
    by: Option<Actor>,
    spec: &SeriesSpec,
) -> Result<i64> {
    let plan = plan(spec)?;
    let mut problems = Vec::new();
    // One start at a time (across instances), so the cap below is exact;
    // key 0 is no job's (their ids start at 1).
    let mut tx = db.begin().await?;
    sqlx::query!("SELECT pg_advisory_xact_lock($1, 0)", LOCK_CLASS)
        .execute(&mut *tx)
        .await?;
    let running =
        sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM series_jobs WHERE status = 'running'"#)
            .fetch_one(&mut *tx)
            .await?;
    if running >= MAX_RUNNING_SERIES {
        return Err(Error::invalid(Problem::TooManySeriesRunning));
    }
    let taken = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM code_groups WHERE lower(name) = lower($1))
               OR EXISTS (SELECT 1 FROM series_jobs WHERE lower(name) = lower($1) AND status = 'running') AS "taken!""#,
        plan.name
    )
    .fetch_one(&mut *tx)
    .await?;
    if taken {
        problems.push(Problem::DuplicateCatalogName);
    }
    if !crate::catalog::currency_known(&mut tx, &plan.currency).await? {
        problems.push(Problem::UnknownCurrency);
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let params = serde_json::to_value(spec).map_err(|e| Error::Broken(e.to_string()))?;
    let id = sqlx::query_scalar!(
        "INSERT INTO series_jobs (name, requested, params, created_by, api_key_id)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
        plan.name,
        plan.count as i32,
        params,
        by.and_then(Actor::admin_id),
        by.and_then(Actor::api_key_id)
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Series generated at once, across instances: each takes a connection and
/// most of a core while it runs.
pub const MAX_RUNNING_SERIES: i64 = 2;

/// Advisory-lock namespace of series jobs (any constant; "SERI").
const LOCK_CLASS: i32 = 0x5345_5249;

/// `run` on a task of its own, for a job just committed (the dashboard and
/// the API answer at once and the job's row shows its progress).
pub fn run_in_background(pool: PgPool, job_id: i64) {
    tokio::spawn(async move {
        if let Err(e) = run(&pool, job_id).await {
            tracing::error!(job_id, error = %e, "series job could not record its end");
        }
    });
}

/// Generates and stores a job's series. Returns its final status.
pub async fn run(pool: &PgPool, job_id: i64) -> Result<JobStatus> {
    let outcome = generate(pool, job_id).await;
    let (status, error) = match &outcome {
        Ok(status) => (*status, None),
        Err(e) => {
            tracing::error!(job_id, error = %e, "series job failed");
            (JobStatus::Failed, Some(e.to_string()))
        }
    };
    if status != JobStatus::Done {
        sqlx::query!(
            "UPDATE series_jobs SET status = $2, error = $3, done = 0, finished_at = clock_timestamp() WHERE id = $1",
            job_id,
            status.as_str(),
            error
        )
        .execute(pool)
        .await?;
    }
    Ok(status)
}

async fn generate(pool: &PgPool, job_id: i64) -> Result<JobStatus> {
    let job = sqlx::query!(
        "SELECT params, created_by, api_key_id FROM series_jobs WHERE id = $1 AND status = 'running'",
        job_id
    )
    .fetch_optional(pool)
    .await?;
    let Some(job) = job else {
        return Ok(JobStatus::Failed);
    };
    let spec: SeriesSpec = serde_json::from_value(job.params)
        .map_err(|e| Error::Broken(format!("job params: {e}")))?;
    let plan = plan(&spec).map_err(|e| Error::Broken(format!("job params: {e}")))?;

    let mut tx = pool.begin().await?;
    // Held until commit: a restarted server knows the job is still alive.
    sqlx::query!(
        "SELECT pg_advisory_xact_lock($1, $2)",
        LOCK_CLASS,
        job_id as i32
    )
    .execute(&mut *tx)
    .await?;
    let group_id = sqlx::query_scalar!(
        "INSERT INTO code_groups (name, kind, description) VALUES ($1, 'series', $2) RETURNING id",
        plan.name,
        format!("{} × {}", plan.count, describe(&plan))
    )
    .fetch_one(&mut *tx)
    .await?;

    let fast = skip_row_triggers(&mut tx, &plan, job.created_by).await?;

    // Sendable (the job runs on any worker thread), seeded from the OS.
    let rng = rand::rngs::StdRng::from_os_rng();
    let seen: HashSet<String> = HashSet::with_capacity(plan.count as usize);
    let plan = std::sync::Arc::new(plan);
    let mut stored: usize = 0;
    let target = plan.count as usize;
    let mut attempts_without_progress = 0;
    let mut drawing = draw(plan.clone(), seen, rng, target.min(CHUNK));
    while stored < target {
        let (seen, rng, names, folded) = drawing
            .await
            .map_err(|e| Error::Broken(format!("drawing codes: {e}")))?;
        // The next chunk is drawn on a blocking thread while the database
        // stores this one, as if all of it goes in; codes that collide with
        // existing ones are made up for in a later round (after an empty one).
        let ahead = (target - stored).saturating_sub(names.len()).min(CHUNK);
        drawing = draw(plan.clone(), seen, rng, ahead);
        if names.is_empty() {
            continue;
        }
        let inserted = store(&mut tx, &plan, group_id, job.created_by, &names, &folded).await?;
        stored += inserted;
        attempts_without_progress = if inserted == 0 {
            attempts_without_progress + 1
        } else {
            0
        };
        if attempts_without_progress > 20 {
            return Err(Error::invalid(Problem::TooFewPossibleCodes));
        }
        let cancel = sqlx::query_scalar!(
            "UPDATE series_jobs SET done = $2 WHERE id = $1 RETURNING cancel_requested",
            job_id,
            stored as i32
        )
        .fetch_one(pool)
        .await?;
        if cancel {
            tx.rollback().await?;
            return Ok(JobStatus::Cancelled);
        }
    }
    // A chance to cancel at the last moment too.
    let cancel = sqlx::query_scalar!(
        "SELECT cancel_requested FROM series_jobs WHERE id = $1",
        job_id
    )
    .fetch_one(pool)
    .await?;
    if cancel {
        tx.rollback().await?;
        return Ok(JobStatus::Cancelled);
    }
    if fast {
        // Everything after the codes checks its references row by row again.
        sqlx::query("SET LOCAL session_replication_role = origin")
            .execute(&mut *tx)
            .await?;
        // The triggers were off, the code cache's announcement with them:
        // every instance drops what it cached (texts typed before the series
        // existed are remembered as unknown).
        sqlx::query("SELECT pg_notify('promo_codes', '*')")
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query!(
        "UPDATE series_jobs SET status = 'done', done = $2, group_id = $3, finished_at = clock_timestamp() WHERE id = $1",
        job_id,
        stored as i32,
        group_id
    )
    .execute(&mut *tx)
    .await?;
    crate::events::publish(
        &mut tx,
        crate::events::Topic::SeriesFinished,
        serde_json::json!({
            "series_id": job_id,
            "group_id": group_id,
            "codes": stored,
            "admin_id": job.created_by,
            "api_key_id": job.api_key_id,
            "finished_at": chrono::Utc::now(),
        }),
    )
    .await?;
    let actor = job
        .created_by
        .map(Actor::Admin)
        .or(job.api_key_id.map(Actor::ApiKey));
    if let Some(actor) = actor {
        let after = audit::snapshot(&mut tx, Entity::Series, job_id).await?;
        audit::record(
            &mut tx,
            actor,
            "generate",
            Entity::Series,
            Some(job_id),
            None,
            after,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(JobStatus::Done)
}

type Drawn = (
    HashSet<String>,
    rand::rngs::StdRng,
    Vec<String>,
    Vec<String>,
);

/// Draws `want` codes not drawn before, sorted by their folded form (the
/// unique index then fills in order: far fewer page splits), on a blocking
/// thread. The plan's space is at least 10^6 times the count, so this ends.
fn draw(
    plan: std::sync::Arc<SeriesPlan>,
    mut seen: HashSet<String>,
    mut rng: rand::rngs::StdRng,
    want: usize,
) -> tokio::task::JoinHandle<Drawn> {
    tokio::task::spawn_blocking(move || {
        let mut batch: Vec<(String, String)> = Vec::with_capacity(want);
        while batch.len() < want {
            let (typed, fold) = plan.sample(&mut rng);
            if seen.insert(fold.clone()) {
                batch.push((typed, fold));
            }
        }
        batch.sort_unstable_by(|a, b| a.1.cmp(&b.1));
        let (names, folded) = batch.into_iter().unzip();
        (seen, rng, names, folded)
    })
}

/// A statement's new codes have their references checked together, by a
/// statement trigger (migration `20261204000009`), about an eighth of a
/// million codes' time. Where the database role may (a superuser, such as
/// the private cluster's, or a role granted that setting) the job skips even
/// that: it locks and checks each referenced row once itself, as the trigger
/// would (`FOR KEY SHARE`, held to commit, so none can vanish), and turns
/// triggers off for its inserts (`session_replication_role = replica`, local
/// to the transaction). That also silences the code cache's announcement,
/// which the job then makes itself; unique keys and CHECKs still apply.
/// Returns whether they are off.
async fn skip_row_triggers(
    tx: &mut sqlx::PgConnection,
    plan: &SeriesPlan,
    created_by: Option<i64>,
) -> Result<bool> {
    let present: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM currencies WHERE code = $1 FOR KEY SHARE)
            AND ($2::bigint IS NULL OR EXISTS (SELECT 1 FROM campaigns WHERE id = $2 FOR KEY SHARE))
            AND ($3::bigint IS NULL OR EXISTS (SELECT 1 FROM partners WHERE id = $3 FOR KEY SHARE))
            AND ($4::bigint IS NULL OR EXISTS (SELECT 1 FROM admins WHERE id = $4 FOR KEY SHARE))",
    )
    .bind(&plan.currency)
    .bind(plan.campaign_id)
    .bind(plan.partner_id)
    .bind(created_by)
    .fetch_one(&mut *tx)
    .await?;
    if !present {
        return Err(Error::Broken(
            "a currency, campaign, partner or admin of the series is gone".into(),
        ));
    }
    // A superuser may; since PostgreSQL 15 so may a role granted
    // `SET ON PARAMETER session_replication_role` (the README says how).
    let allowed: bool = sqlx::query_scalar("SELECT current_setting('is_superuser') = 'on'")
        .fetch_one(&mut *tx)
        .await?
        || may_set_replication_role(&mut *tx).await?;
    if allowed {
        sqlx::query("SET LOCAL session_replication_role = replica")
            .execute(&mut *tx)
            .await?;
    } else {
        tracing::info!(
            "series: the role may not turn triggers off; its codes are checked per statement"
        );
    }
    Ok(allowed)
}

/// Whether this role was granted `SET` on `session_replication_role`
/// (PostgreSQL 15 and later; earlier servers have no such grant).
async fn may_set_replication_role(tx: &mut sqlx::PgConnection) -> Result<bool> {
    let version: i32 = sqlx::query_scalar("SELECT current_setting('server_version_num')::int")
        .fetch_one(&mut *tx)
        .await?;
    if version < 150_000 {
        return Ok(false);
    }
    Ok(
        sqlx::query_scalar("SELECT has_parameter_privilege('session_replication_role', 'SET')")
            .fetch_one(&mut *tx)
            .await?,
    )
}

/// "ABC-##########" for the group's description.
fn describe(plan: &SeriesPlan) -> String {
    plan.segments
        .iter()
        .map(|s| match s {
            Segment::Literal { typed, .. } => typed.as_str(),
            Segment::Random => "#",
        })
        .collect()
}

/// Asks a running job to stop; it rolls back at its next chunk.
pub async fn cancel(pool: &PgPool, admin_id: i64, job_id: i64) -> Result<bool> {
    let mut tx = pool.begin().await?;
    let before = audit::snapshot(&mut tx, Entity::Series, job_id).await?;
    let changed = sqlx::query!(
        "UPDATE series_jobs SET cancel_requested = true WHERE id = $1 AND status = 'running'",
        job_id
    )
    .execute(&mut *tx)
    .await?
    .rows_affected()
        > 0;
    if changed {
        let after = audit::snapshot(&mut tx, Entity::Series, job_id).await?;
        audit::record(
            &mut tx,
            Actor::Admin(admin_id),
            "cancel",
            Entity::Series,
            Some(job_id),
            before,
            after,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(changed)
}

/// Marks jobs whose worker is gone (a restart) as failed. A job still
/// running on another instance holds its advisory lock and is left alone.
pub async fn recover_interrupted(pool: &PgPool) -> Result<u64> {
    let mut tx = pool.begin().await?;
    let n = sqlx::query!(
        "UPDATE series_jobs SET status = 'failed', error = 'interrupted', done = 0, finished_at = clock_timestamp()
          WHERE status = 'running' AND created_at < now() - interval '5 seconds'
            AND pg_try_advisory_xact_lock($1, id::int)",
        LOCK_CLASS
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    Ok(n)
}

/// Recent jobs, newest first.
pub async fn jobs(db: impl sqlx::PgExecutor<'_>, only: Option<i64>) -> Result<Vec<SeriesJob>> {
    let rows = sqlx::query!(
        r#"SELECT id, name, requested, done, status, cancel_requested, group_id, params,
                  created_at AS "created_at: chrono::DateTime<chrono::Utc>",
                  finished_at AS "finished_at: chrono::DateTime<chrono::Utc>"
             FROM series_jobs WHERE $1::bigint IS NULL OR id = $1
            ORDER BY created_at DESC, id DESC LIMIT 50"#,
        only
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let bits = serde_json::from_value::<SeriesSpec>(r.params)
                .ok()
                .and_then(|spec| plan(&spec).ok())
                .map_or(0.0, |p| p.bits);
            SeriesJob {
                id: r.id,
                name: r.name,
                requested: r.requested,
                done: r.done,
                status: JobStatus::parse(&r.status),
                cancel_requested: r.cancel_requested,
                group_id: r.group_id,
                entropy_bits: bits,
                created_at: r.created_at,
                finished_at: r.finished_at,
            }
        })
        .collect())
}
