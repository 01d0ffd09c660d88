//! A series' printable sheet: its codes a page at a time, in the order they
//! were stored, for cards handed out at events and in printed materials.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::error::Result;
use crate::paging::Page;

/// A code on the sheet (the adapter adds its link and QR code).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SheetCode {
    pub name: String,
    pub reward: i64,
    pub currency: String,
    pub ends_at: Option<DateTime<Utc>>,
}

/// The series' name and a page of `per_page` of its codes, with whether
/// another follows (None: no such series).
pub async fn sheet(
    pool: &PgPool,
    series_id: i64,
    page: i64,
    per_page: i64,
) -> Result<Option<(String, Vec<SheetCode>, bool)>> {
    let Some(series) = sqlx::query!(
        "SELECT name, group_id FROM series_jobs WHERE id = $1",
        series_id
    )
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    let page = Page::new(page, per_page);
    let codes = sqlx::query_as!(
        SheetCode,
        r#"SELECT name, initial_reward AS reward, currency, ends_at AS "ends_at: DateTime<Utc>"
             FROM promo_codes WHERE group_id = $1 ORDER BY id LIMIT $2 OFFSET $3"#,
        series.group_id,
        page.limit(),
        page.offset()
    )
    .fetch_all(pool)
    .await?;
    let rows = page.rows(codes);
    Ok(Some((series.name, rows.lines, rows.has_next)))
}
