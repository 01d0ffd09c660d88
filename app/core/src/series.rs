//! Code series: N unique codes from a pattern, sharing every other parameter,
//! stored as a group of their own by a background job. The job works in one
//! transaction (a cancelled or failed series leaves nothing behind), inserts
//! in chunks through `unnest` with `ON CONFLICT DO NOTHING` (a collision with
//! any existing code is replaced by a fresh one), and reports progress on
//! its job row from a second connection.

use std::collections::HashSet;

use rand::{Rng, SeedableRng};
use sqlx::PgPool;

use super::audit::{self, Entity};
use super::code_text::MAX_CODE_LEN;
use super::manage::{parse_reference, parse_time_field};
use super::reward::RewardSchedule;
use model::admin::*;

/// The most codes one series may hold.
pub const MAX_SERIES: u32 = 5_000_000;
/// Codes per insert statement (and per progress step).
const CHUNK: usize = 50_000;

#[derive(Clone, Debug, PartialEq)]
enum Segment {
    /// Already folded (upper case, no separators) and as typed.
    Literal {
        typed: String,
        folded: String,
    },
    Random,
}

/// A validated series request.
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesPlan {
    pub name: String,
    pub count: u32,
    segments: Vec<Segment>,
    alphabet: Vec<u8>,
    pub bits: f64,
    pub currency: String,
    pub reward: i64,
    pub activation_limit: Option<i32>,
    pub starts_at: Option<chrono::DateTime<chrono::Utc>>,
    pub ends_at: Option<chrono::DateTime<chrono::Utc>>,
    pub campaign_id: Option<i64>,
    pub partner_id: Option<i64>,
}

/// An alphabet with fewer than two letters or digits, or anything else in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("an alphabet needs two or more letters or digits and nothing else")]
pub struct BadAlphabet;

/// The alphabet of a form: its own letters and digits (upper-cased, once
/// each), or the default one without look-alikes.
pub fn alphabet_of(typed: &str) -> Result<Vec<u8>, BadAlphabet> {
    if typed.trim().is_empty() {
        return Ok(SAFE_ALPHABET.as_bytes().to_vec());
    }
    let mut seen = Vec::new();
    for c in typed.chars().filter(|c| !c.is_whitespace()) {
        let c = c.to_ascii_uppercase();
        if !c.is_ascii_alphanumeric() {
            return Err(BadAlphabet);
        }
        if !seen.contains(&(c as u8)) {
            seen.push(c as u8);
        }
    }
    if seen.len() < 2 {
        return Err(BadAlphabet);
    }
    Ok(seen)
}

/// How many random characters a form's pattern holds (for the entropy shown as one types).
pub fn random_chars(form: &SeriesForm) -> usize {
    if form.pattern.trim().is_empty() {
        form.length.trim().parse().unwrap_or(0)
    } else {
        form.pattern.chars().filter(|c| *c == '#').count()
    }
}

fn literal(typed: &str) -> Result<Option<Segment>, ()> {
    if typed.is_empty() {
        return Ok(None);
    }
    // Separators are allowed (they are dropped when folding); anything else must be a letter or digit.
    let folded: String = typed
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | ' '))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if !folded.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(());
    }
    Ok(Some(Segment::Literal {
        typed: typed.to_owned(),
        folded,
    }))
}

/// Validates a series form; every problem is reported on its field.
pub fn plan(form: &SeriesForm) -> Result<SeriesPlan, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = form.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 120 {
        errors.push(FieldError::new("name", "admin-error-required"));
    } else if !super::code_text::is_plain_text(&name, false) {
        errors.push(FieldError::new("name", "admin-error-text-chars"));
    }
    let currency = form.currency.trim().to_uppercase();
    if !super::codes::is_currency_code(&currency) {
        errors.push(FieldError::new("currency", "admin-error-currency"));
    }
    let count = match form.count.trim().parse::<u32>() {
        Ok(n) if (1..=MAX_SERIES).contains(&n) => n,
        _ => {
            errors.push(FieldError::new("count", "admin-error-series-count"));
            1
        }
    };
    let alphabet = alphabet_of(&form.alphabet).unwrap_or_else(|_| {
        errors.push(FieldError::new("alphabet", "admin-error-alphabet"));
        SAFE_ALPHABET.as_bytes().to_vec()
    });
    let mut segments = Vec::new();
    let pattern = form.pattern.trim();
    if pattern.is_empty() {
        let length = match form.length.trim().parse::<usize>() {
            Ok(n) if (1..=MAX_CODE_LEN).contains(&n) => n,
            _ => {
                errors.push(FieldError::new("length", "admin-error-series-length"));
                0
            }
        };
        match literal(form.prefix.trim()) {
            Ok(s) => segments.extend(s),
            Err(()) => errors.push(FieldError::new("prefix", "admin-error-name-chars")),
        }
        segments.extend(std::iter::repeat_n(Segment::Random, length));
        match literal(form.suffix.trim()) {
            Ok(s) => segments.extend(s),
            Err(()) => errors.push(FieldError::new("suffix", "admin-error-name-chars")),
        }
    } else {
        let mut text = String::new();
        for c in pattern.chars() {
            if c == '#' {
                if let Ok(Some(s)) = literal(&std::mem::take(&mut text)) {
                    segments.push(s);
                }
                segments.push(Segment::Random);
            } else {
                text.push(c);
            }
        }
        for part in pattern.split('#') {
            if literal(part).is_err() {
                errors.push(FieldError::new("pattern", "admin-error-name-chars"));
                break;
            }
        }
        if let Ok(Some(s)) = literal(&text) {
            segments.push(s);
        }
    }
    let random = segments.iter().filter(|s| **s == Segment::Random).count();
    let folded_len: usize = segments
        .iter()
        .map(|s| match s {
            Segment::Literal { folded, .. } => folded.len(),
            Segment::Random => 1,
        })
        .sum();
    if folded_len > MAX_CODE_LEN {
        errors.push(FieldError::new(
            if pattern.is_empty() {
                "length"
            } else {
                "pattern"
            },
            "admin-error-name-long",
        ));
    }
    let bits = entropy_bits(random, alphabet.len());
    if random == 0 || !pattern_fits(bits, u64::from(count)) {
        errors.push(FieldError::new(
            if pattern.is_empty() {
                "length"
            } else {
                "pattern"
            },
            "admin-error-series-entropy",
        ));
    }
    let reward = match form.reward.trim().parse::<i64>() {
        Ok(r) if RewardSchedule::fixed(r).is_ok() => r,
        _ => {
            errors.push(FieldError::new("reward", "admin-error-positive"));
            1
        }
    };
    let activation_limit = match form.activation_limit.trim() {
        "" => None,
        v => match v.parse::<i32>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                errors.push(FieldError::new("activation_limit", "admin-error-positive"));
                None
            }
        },
    };
    let starts_at = parse_time_field(&form.starts_at, "starts_at", &mut errors);
    let ends_at = parse_time_field(&form.ends_at, "ends_at", &mut errors);
    if let (Some(s), Some(e)) = (starts_at, ends_at) {
        if e <= s {
            errors.push(FieldError::new("ends_at", "admin-error-end-before-start"));
        }
    }
    let campaign_id = parse_reference(&form.campaign_id, "campaign_id", &mut errors);
    let partner_id = parse_reference(&form.partner_id, "partner_id", &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(SeriesPlan {
        name,
        count,
        segments,
        alphabet,
        bits,
        currency,
        reward,
        activation_limit,
        starts_at,
        ends_at,
        campaign_id,
        partner_id,
    })
}

impl SeriesPlan {
    /// One random code: (as displayed, folded). The folded form is what
    /// `PromoCodeText::parse` gives for the displayed one.
    pub fn sample(&self, rng: &mut impl Rng) -> (String, String) {
        let mut typed = String::with_capacity(MAX_CODE_LEN + 8);
        let mut folded = String::with_capacity(MAX_CODE_LEN);
        for segment in &self.segments {
            match segment {
                Segment::Literal {
                    typed: t,
                    folded: f,
                } => {
                    typed.push_str(t);
                    folded.push_str(f);
                }
                Segment::Random => {
                    let c = self.alphabet[rng.random_range(0..self.alphabet.len())] as char;
                    typed.push(c);
                    folded.push(c);
                }
            }
        }
        (typed, folded)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SeriesError {
    #[error("invalid form")]
    Invalid(Vec<FieldError>),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// Validates the form and records a job for it; `run` does the work.
pub async fn start(
    pool: &PgPool,
    admin_id: Option<i64>,
    form: &SeriesForm,
) -> Result<i64, SeriesError> {
    let plan = plan(form).map_err(SeriesError::Invalid)?;
    let mut errors = Vec::new();
    // One start at a time (across instances), so the cap below is exact;
    // key 0 is no job's (their ids start at 1).
    let mut tx = pool.begin().await?;
    sqlx::query!("SELECT pg_advisory_xact_lock($1, 0)", LOCK_CLASS)
        .execute(&mut *tx)
        .await?;
    let running =
        sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM series_jobs WHERE status = 'running'"#)
            .fetch_one(&mut *tx)
            .await?;
    if running >= MAX_RUNNING_SERIES {
        return Err(SeriesError::Invalid(vec![FieldError::new(
            "",
            "admin-error-series-busy",
        )]));
    }
    let taken = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM code_groups WHERE lower(name) = lower($1))
               OR EXISTS (SELECT 1 FROM series_jobs WHERE lower(name) = lower($1) AND status = 'running') AS "taken!""#,
        plan.name
    )
    .fetch_one(&mut *tx)
    .await?;
    if taken {
        errors.push(FieldError::new("name", "admin-error-duplicate-group"));
    }
    let currency_known = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM currencies WHERE code = $1) AS "known!""#,
        plan.currency
    )
    .fetch_one(&mut *tx)
    .await?;
    if !currency_known {
        errors.push(FieldError::new("currency", "admin-error-currency"));
    }
    if !errors.is_empty() {
        return Err(SeriesError::Invalid(errors));
    }
    let mut params = form.clone();
    params.csrf.clear();
    let params = serde_json::to_value(&params).map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
    let id = sqlx::query_scalar!(
        "INSERT INTO series_jobs (name, requested, params, created_by) VALUES ($1, $2, $3, $4) RETURNING id",
        plan.name,
        plan.count as i32,
        params,
        admin_id
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

/// Generates and stores a job's series. Returns its final status.
pub async fn run(pool: &PgPool, job_id: i64) -> Result<JobStatus, sqlx::Error> {
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

async fn generate(pool: &PgPool, job_id: i64) -> Result<JobStatus, sqlx::Error> {
    let job = sqlx::query!(
        "SELECT params, created_by FROM series_jobs WHERE id = $1 AND status = 'running'",
        job_id
    )
    .fetch_optional(pool)
    .await?;
    let Some(job) = job else {
        return Ok(JobStatus::Failed);
    };
    let form: SeriesForm = serde_json::from_value(job.params)
        .map_err(|e| sqlx::Error::Protocol(format!("job params: {e}")))?;
    let plan = plan(&form).map_err(|e| sqlx::Error::Protocol(format!("job params: {e:?}")))?;

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
            .map_err(|e| sqlx::Error::Protocol(format!("drawing codes: {e}")))?;
        // The next chunk is drawn on a blocking thread while the database
        // stores this one, as if all of it goes in; codes that collide with
        // existing ones are made up for in a later round (after an empty one).
        let ahead = (target - stored).saturating_sub(names.len()).min(CHUNK);
        drawing = draw(plan.clone(), seen, rng, ahead);
        if names.is_empty() {
            continue;
        }
        let inserted = sqlx::query!(
            r#"
            INSERT INTO promo_codes (name, normalized, group_id, campaign_id, partner_id, currency,
                                     initial_reward, current_reward, min_reward, activation_limit,
                                     starts_at, ends_at, created_by)
            SELECT n, z, $3, $4, $5, $6, $7, $7, $7, $8, $9, $10, $11
              FROM unnest($1::text[], $2::text[]) AS t(n, z)
            ON CONFLICT (normalized) DO NOTHING
            "#,
            &names,
            &folded,
            group_id,
            plan.campaign_id,
            plan.partner_id,
            plan.currency,
            plan.reward,
            plan.activation_limit,
            plan.starts_at as _,
            plan.ends_at as _,
            job.created_by,
        )
        .execute(&mut *tx)
        .await?
        .rows_affected() as usize;
        stored += inserted;
        attempts_without_progress = if inserted == 0 {
            attempts_without_progress + 1
        } else {
            0
        };
        if attempts_without_progress > 20 {
            return Err(sqlx::Error::Protocol(
                "the pattern's codes are all taken".into(),
            ));
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
    }
    sqlx::query!(
        "UPDATE series_jobs SET status = 'done', done = $2, group_id = $3, finished_at = clock_timestamp() WHERE id = $1",
        job_id,
        stored as i32,
        group_id
    )
    .execute(&mut *tx)
    .await?;
    if let Some(admin_id) = job.created_by {
        let after = audit::snapshot(&mut tx, Entity::Series, job_id).await?;
        audit::record(
            &mut tx,
            admin_id,
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

/// A million codes would fire five foreign-key triggers each (currency,
/// group, campaign, partner, creator): more than half the job's time. Instead
/// the job locks and checks each referenced row once, as those triggers would
/// (`FOR KEY SHARE`, held to commit, so none can vanish), and, where the
/// database role may (a superuser: the private cluster's), turns row triggers off for its inserts (`session_replication_role =
/// replica`, local to the transaction). promo_codes has no other triggers;
/// unique keys and CHECKs still apply. Elsewhere it runs with the triggers.
/// Returns whether they are off.
async fn skip_row_triggers(
    tx: &mut sqlx::PgConnection,
    plan: &SeriesPlan,
    created_by: Option<i64>,
) -> Result<bool, sqlx::Error> {
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
        return Err(sqlx::Error::Protocol(
            "a currency, campaign, partner or admin of the series is gone".into(),
        ));
    }
    let allowed: bool = sqlx::query_scalar("SELECT current_setting('is_superuser') = 'on'")
        .fetch_one(&mut *tx)
        .await?;
    if allowed {
        sqlx::query("SET LOCAL session_replication_role = replica")
            .execute(&mut *tx)
            .await?;
    } else {
        tracing::info!("series: the role may not skip row triggers; inserting with them");
    }
    Ok(allowed)
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
pub async fn cancel(pool: &PgPool, admin_id: i64, job_id: i64) -> Result<bool, sqlx::Error> {
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
            admin_id,
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
pub async fn recover_interrupted(pool: &PgPool) -> Result<u64, sqlx::Error> {
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
pub async fn jobs(pool: &PgPool, only: Option<i64>) -> Result<Vec<SeriesJob>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT id, name, requested, done, status, cancel_requested, group_id, params,
                  created_at AS "created_at: chrono::DateTime<chrono::Utc>",
                  finished_at AS "finished_at: chrono::DateTime<chrono::Utc>"
             FROM series_jobs WHERE $1::bigint IS NULL OR id = $1
            ORDER BY created_at DESC, id DESC LIMIT 50"#,
        only
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let form: SeriesForm = serde_json::from_value(r.params).unwrap_or_default();
            let bits = plan(&form).map(|p| p.bits).unwrap_or(0.0);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PromoCodeText;
    use proptest::prelude::*;

    proptest! {
        /// The pattern and alphabet of a series are typed by an admin: any
        /// text is refused or planned, never a panic, and a plan keeps its
        /// promises (folded codes of the pattern's shape, enough entropy).
        #[test]
        fn any_series_form_is_planned_or_refused(
            pattern in "\\PC{0,90}",
            alphabet in prop_oneof![Just(String::new()), "\\PC{0,40}"],
            count in prop_oneof![Just("1".to_owned()), Just("1000".to_owned()), "\\PC{0,12}"],
            prefix in "\\PC{0,12}",
        ) {
            let form = SeriesForm {
                name: "Fuzz".into(),
                count,
                pattern: pattern.clone(),
                alphabet,
                prefix,
                ..SeriesForm::defaults()
            };
            if let Ok(plan) = plan(&form) {
                prop_assert!(pattern_fits(plan.bits, u64::from(plan.count)));
                let mut rng = rand::rng();
                for _ in 0..5 {
                    let (typed, folded) = plan.sample(&mut rng);
                    let parsed = PromoCodeText::parse(&typed).map(|t| t.into_inner());
                    prop_assert_eq!(parsed.as_deref(), Ok(folded.as_str()));
                }
            }
        }
    }

    fn form(pattern: &str, count: &str) -> SeriesForm {
        SeriesForm {
            name: "Spring".into(),
            count: count.into(),
            pattern: pattern.into(),
            ..SeriesForm::defaults()
        }
    }

    #[test]
    fn samples_fold_like_redemption() {
        let mut rng = rand::rng();
        for f in [
            form("", "10"),
            SeriesForm {
                prefix: "spring-".into(),
                suffix: "_x".into(),
                ..form("", "10")
            },
            form("GIFT-####-####-##", "10"),
        ] {
            let plan = plan(&f).unwrap();
            for _ in 0..100 {
                let (typed, folded) = plan.sample(&mut rng);
                assert_eq!(
                    PromoCodeText::parse(&typed).unwrap().as_str(),
                    folded,
                    "{typed}"
                );
            }
        }
    }

    #[test]
    fn entropy_decides_what_fits() {
        // 10 characters of 25: 46.4 bits, room for a million codes.
        let p = plan(&form("", "1000000")).unwrap();
        assert!((p.bits - 10.0 * 25f64.log2()).abs() < 1e-9);
        // 4 random characters cannot hold a thousand codes a million times over.
        let errors = plan(&form("AB-####", "1000")).unwrap_err();
        assert!(errors
            .iter()
            .any(|e| e.field == "pattern" && e.message == "admin-error-series-entropy"));
        assert!(plan(&form("NO-RANDOM", "1")).is_err());
        assert!(plan(&form("BAD!###########", "1")).is_err());
    }

    #[test]
    fn alphabets_are_checked() {
        assert_eq!(alphabet_of("abcA").unwrap(), b"ABC");
        assert!(alphabet_of("a").is_err());
        assert!(alphabet_of("ab$").is_err());
        assert!(!SAFE_ALPHABET.contains(['0', 'O', '1', 'I', 'L']));
    }
}
