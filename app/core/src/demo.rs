//! The demo seeded into a private database: players, admins and one code of
//! each type (listed in the README), and once a past of activations and
//! activity for the statistics to show. Idempotent: safe to run at every start.
//! The demo admins' well-known passwords are for a server only this machine
//! can reach: served on any other address, they are replaced by random ones.

use sqlx::PgPool;

use crate::admins;
use crate::error::{Error, Problem, Result};
use crate::{activate, ActivationRequest, Channel, CodeRef, PromoCodeText};
use model::admin::Role;

const DEMO_SQL: &str = include_str!("demo.sql");
const HISTORY_SQL: &str = include_str!("demo_history.sql");

/// (username, password, tier) of the seeded players.
pub const DEMO_PLAYERS: &[(&str, &str, &str)] = &[
    ("demo", "demo-player", "standard"),
    ("vip", "vip-player", "vip"),
    ("earlybird", "earlybird-player", "standard"),
];
/// (username, password, role) of the seeded admins.
pub const DEMO_ADMINS: &[(&str, &str, &str)] = &[
    ("admin", "demo-admin", "admin"),
    ("viewer", "demo-viewer", "viewer"),
];

/// Where the server that seeds the demo can be reached from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exposure {
    /// Only from this machine (a loopback address): the README's passwords.
    Loopback,
    /// From elsewhere: no admin keeps a published password.
    Network,
}

/// Seeds the demo; on a `Network` exposure answers the demo admins that got
/// a random password instead of the published one: (name, password), to be
/// shown once.
pub async fn seed(pool: &PgPool, exposure: Exposure) -> Result<Vec<(String, String)>> {
    sqlx::raw_sql(DEMO_SQL).execute(pool).await?;
    for &(username, password, tier) in DEMO_PLAYERS {
        let exists = sqlx::query_scalar!(
            "SELECT id FROM players WHERE lower(username) = lower($1)",
            username
        )
        .fetch_optional(pool)
        .await?;
        if exists.is_none() {
            let hash = password_auth::generate_hash(password);
            sqlx::query!(
                "INSERT INTO players (username, password_hash, tier) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                username,
                hash,
                tier
            )
            .execute(pool)
            .await?;
        }
    }
    let mut replaced = Vec::new();
    for &(username, password, role) in DEMO_ADMINS {
        let role = Role::parse(role);
        match admins::create(pool, username, password, role, false).await {
            Ok(_) => {}
            Err(Error::Invalid(problems)) if problems == [Problem::UsernameTaken] => {}
            Err(e) => return Err(e),
        }
        if exposure == Exposure::Network && admins::has_password(pool, username, password).await? {
            let fresh = random_password();
            admins::create(pool, username, &fresh, role, true).await?;
            replaced.push((username.to_owned(), fresh));
        }
    }
    // SOLD-OUT is a one-time code: the early bird has already taken it,
    // through the same core as everyone else.
    let early_bird = sqlx::query_scalar!("SELECT id FROM players WHERE username = 'earlybird'")
        .fetch_one(pool)
        .await?;
    let request = ActivationRequest {
        player_id: early_bird,
        code: CodeRef::Text(PromoCodeText::parse("SOLD-OUT")?),
        channel: Channel::Job,
    };
    match activate(&mut *pool.acquire().await?, &request).await {
        Ok(_) | Err(Error::AlreadyActivated | Error::Exhausted) => {}
        Err(e) => return Err(e),
    }
    history(pool).await?;
    Ok(replaced)
}

/// The demo's past (`demo_history.sql`), once: in one transaction, under a
/// lock, so two servers starting at once write it once.
async fn history(pool: &PgPool) -> Result<()> {
    let mut tx = pool.begin().await?;
    sqlx::query!("SELECT pg_advisory_xact_lock(hashtext('promo_demo'))")
        .execute(&mut *tx)
        .await?;
    let done = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM players WHERE username LIKE 'crowd-%') AS "done!""#
    )
    .fetch_one(&mut *tx)
    .await?;
    if !done {
        sqlx::raw_sql(HISTORY_SQL).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// 20 letters and digits: about 119 bits.
fn random_password() -> String {
    use rand::distr::{Alphanumeric, SampleString};
    Alphanumeric.sample_string(&mut rand::rng(), 20)
}
