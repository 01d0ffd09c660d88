//! How a series' chunk of codes goes into `promo_codes`: `COPY` in the text
//! format, with a savepoint and an `ON CONFLICT` fallback for the rare chunk
//! that collides with an existing code.

use super::plan::SeriesPlan;
use crate::error::Result;

/// Stores one chunk: `COPY` straight into `promo_codes` (the fastest way
/// in: one stream, rows written to the heap in batches), inside a savepoint.
/// Codes are drawn from a space a million times the series, so a chunk
/// almost never holds a text some other code already has; if it does, the
/// savepoint is rolled back and that chunk goes in with `ON CONFLICT DO
/// NOTHING`, the collisions made up for in a later chunk. Returns how many
/// codes were stored.
pub(super) async fn store(
    tx: &mut sqlx::PgConnection,
    plan: &SeriesPlan,
    group_id: i64,
    created_by: Option<i64>,
    names: &[String],
    folded: &[String],
) -> Result<usize> {
    let mut savepoint = sqlx::Acquire::begin(&mut *tx).await?;
    match copy_chunk(&mut savepoint, plan, group_id, created_by, names, folded).await {
        Ok(n) => {
            savepoint.commit().await?;
            return Ok(n);
        }
        Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("23505") => {
            savepoint.rollback().await?;
        }
        Err(e) => return Err(e.into()),
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
        names,
        folded,
        group_id,
        plan.campaign_id,
        plan.partner_id,
        plan.currency,
        plan.reward,
        plan.activation_limit,
        plan.starts_at as _,
        plan.ends_at as _,
        created_by,
    )
    .execute(&mut *tx)
    .await?;
    Ok(inserted.rows_affected() as usize)
}

/// `COPY promo_codes FROM STDIN` of one chunk, in the text format.
async fn copy_chunk(
    conn: &mut sqlx::PgConnection,
    plan: &SeriesPlan,
    group_id: i64,
    created_by: Option<i64>,
    names: &[String],
    folded: &[String],
) -> std::result::Result<usize, sqlx::Error> {
    use std::fmt::Write;
    let or_null = |v: Option<String>| v.unwrap_or_else(|| "\\N".into());
    let time = |t: Option<chrono::DateTime<chrono::Utc>>| or_null(t.map(|t| t.to_rfc3339()));
    // Everything after the two texts is the same on every line.
    let tail = format!(
        "\t{group_id}\t{}\t{}\t{}\t{r}\t{r}\t{r}\t{}\t{}\t{}\t{}\n",
        or_null(plan.campaign_id.map(|v| v.to_string())),
        or_null(plan.partner_id.map(|v| v.to_string())),
        copy_text(&plan.currency),
        or_null(plan.activation_limit.map(|v| v.to_string())),
        time(plan.starts_at),
        time(plan.ends_at),
        or_null(created_by.map(|v| v.to_string())),
        r = plan.reward,
    );
    let mut data = String::with_capacity(names.len() * (tail.len() + 48));
    for (name, fold) in names.iter().zip(folded) {
        let _ = write!(data, "{}\t{}{tail}", copy_text(name), copy_text(fold));
    }
    let mut copy = conn
        .copy_in_raw(
            "COPY promo_codes (name, normalized, group_id, campaign_id, partner_id, currency, \
             initial_reward, current_reward, min_reward, activation_limit, starts_at, ends_at, \
             created_by) FROM STDIN",
        )
        .await?;
    if let Err(e) = copy.send(data.into_bytes()).await {
        let _ = copy.abort("sending the chunk failed").await;
        return Err(e);
    }
    Ok(copy.finish().await? as usize)
}

/// A text as `COPY`'s text format writes it (codes hold letters, digits and
/// separators; anything else is escaped all the same).
fn copy_text(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains(['\\', '\t', '\n', '\r']) {
        return text.into();
    }
    text.replace('\\', "\\\\")
        .replace('\t', "\\t")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::series::{plan, SeriesShape, SeriesSpec};
    use sqlx::PgPool;

    fn spec() -> SeriesSpec {
        SeriesSpec {
            name: "Chunk".into(),
            count: 3,
            shape: SeriesShape::Pattern("CH-######".into()),
            alphabet: String::new(),
            currency: "COINS".into(),
            reward: 25,
            activation_limit: Some(1),
            starts_at: None,
            ends_at: Some(chrono::Utc::now() + chrono::Duration::days(7)),
            campaign_id: None,
            partner_id: None,
        }
    }

    async fn group(pool: &PgPool) -> i64 {
        sqlx::query_scalar(
            "INSERT INTO code_groups (name, kind) VALUES ('Chunk', 'series') RETURNING id",
        )
        .fetch_one(pool)
        .await
        .unwrap()
    }

    fn texts(names: &[&str]) -> (Vec<String>, Vec<String>) {
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let folded = names.iter().map(|n| n.replace('-', "")).collect();
        (names, folded)
    }

    #[sqlx::test(migrations = "../../migrations")]
    async fn a_chunk_goes_in_whole_with_every_shared_setting(pool: PgPool) {
        let plan = plan(&spec()).unwrap();
        let group_id = group(&pool).await;
        let (names, folded) = texts(&["CH-AAAAAA", "CH-BBBBBB", "CH-CCCCCC"]);
        let mut tx = pool.begin().await.unwrap();
        let n = store(&mut tx, &plan, group_id, None, &names, &folded)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(n, 3);
        let same: bool = sqlx::query_scalar(
            "SELECT bool_and(group_id = $1 AND currency = 'COINS' AND initial_reward = 25
                             AND current_reward = 25 AND min_reward = 25 AND activation_limit = 1
                             AND starts_at IS NULL AND ends_at > now() AND created_by IS NULL
                             AND normalized = replace(name, '-', ''))
               FROM promo_codes",
        )
        .bind(group_id)
        .fetch_one(&pool)
        .await
        .unwrap();
        assert!(same);
    }

    #[sqlx::test(migrations = "../../migrations")]
    async fn a_chunk_that_collides_goes_in_without_the_taken_text(pool: PgPool) {
        let plan = plan(&spec()).unwrap();
        let group_id = group(&pool).await;
        sqlx::query(
            "INSERT INTO promo_codes (name, normalized, currency, initial_reward, current_reward, min_reward)
             VALUES ('CH-BBBBBB', 'CHBBBBBB', 'COINS', 5, 5, 5)",
        )
        .execute(&pool)
        .await
        .unwrap();
        let (names, folded) = texts(&["CH-AAAAAA", "CH-BBBBBB", "CH-CCCCCC"]);
        let mut tx = pool.begin().await.unwrap();
        let n = store(&mut tx, &plan, group_id, None, &names, &folded)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(n, 2, "the taken text is skipped, the others stored");
        let in_group: i64 =
            sqlx::query_scalar("SELECT count(*) FROM promo_codes WHERE group_id = $1")
                .bind(group_id)
                .fetch_one(&pool)
                .await
                .unwrap();
        assert_eq!(in_group, 2);
        let kept: i64 = sqlx::query_scalar(
            "SELECT initial_reward FROM promo_codes WHERE normalized = 'CHBBBBBB'",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(kept, 5, "the existing code is untouched");
    }

    #[test]
    fn copy_text_escapes_what_the_format_reads_specially() {
        assert_eq!(copy_text("GIFT-1"), "GIFT-1");
        assert_eq!(copy_text("a\tb\\c\nd\re"), "a\\tb\\\\c\\nd\\re");
    }
}
