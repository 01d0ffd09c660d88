//! The activation feed: reads committed activations in id order, a batch at
//! a time, and advances what they feed: quest progress, referral
//! conversions (a friend's first redeem), loyalty codes every N redeems.
//! One feeder at a time (the state row's lock), and the batch's work and the
//! feed's new mark commit together, so each activation is fed once; the
//! credits' own keys make a batch read twice count once anyway.

use std::time::Duration;

use sqlx::PgPool;

use crate::error::Result;

/// Activations per batch.
pub const CHUNK: i64 = 5_000;

/// What one step fed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Fed {
    pub activations: i64,
    pub quest_credits: u64,
    pub quests_completed: u64,
    pub loyalty_codes: u64,
}

/// Feeds the next batch up to the statistics' settled mark (below it every
/// activation has committed, so none is passed over). `None` when another
/// feeder holds the feed.
pub async fn step(pool: &PgPool, chunk: i64) -> Result<Option<Fed>> {
    let mut tx = pool.begin().await?;
    let state = match sqlx::query!(
        "SELECT f.fed_to, s.rolled_to FROM activation_feed_state f, stats_rollup_state s
            FOR UPDATE OF f NOWAIT"
    )
    .fetch_one(&mut *tx)
    .await
    {
        Ok(state) => state,
        // lock_not_available: another feeder is at it.
        Err(e) if e.as_database_error().and_then(|d| d.code()).as_deref() == Some("55P03") => {
            return Ok(None)
        }
        Err(e) => return Err(e.into()),
    };
    let from = state.fed_to;
    if state.rolled_to <= from {
        return Ok(Some(Fed::default()));
    }
    // The batch's upper id: `chunk` activations on, or the mark.
    let to = sqlx::query_scalar!(
        r#"SELECT coalesce(max(id), $2) AS "to!" FROM
             (SELECT id FROM activations WHERE id > $1 AND id <= $2 ORDER BY id LIMIT $3) b"#,
        from,
        state.rolled_to,
        chunk
    )
    .fetch_one(&mut *tx)
    .await?;
    let activations = sqlx::query!(
        r#"SELECT count(*) AS "n!", coalesce(array_agg(DISTINCT player_id) FILTER (WHERE channel <> 'job'), '{}')
                  AS "players!" FROM activations WHERE id > $1 AND id <= $2"#,
        from,
        to
    )
    .fetch_one(&mut *tx)
    .await?;
    let advanced = crate::quests::progress::advance(&mut tx, from, to).await?;
    crate::referrals::converted(&mut tx, &activations.players).await?;
    let loyalty_codes = crate::loyalty::every_n(&mut tx, from, to).await?;
    sqlx::query!(
        "UPDATE activation_feed_state SET fed_to = $1, fed_at = now()",
        to
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Some(Fed {
        activations: activations.n,
        quest_credits: advanced.credits,
        quests_completed: advanced.completed,
        loyalty_codes,
    }))
}

/// Folds the statistics and feeds everything settled by now (tests, and the
/// worker after a pause); answers how many activations were fed.
pub async fn catch_up(pool: &PgPool) -> Result<i64> {
    crate::stats::rollup::catch_up(pool).await?;
    let mut total = 0;
    loop {
        match step(pool, CHUNK).await? {
            Some(fed) if fed.activations == 0 => return Ok(total),
            Some(fed) => total += fed.activations,
            None => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
}
