//! Whether the database answers (the readiness probe).

use crate::error::Result;
use sqlx::PgPool;

pub async fn database_answers(pool: &PgPool) -> Result<()> {
    sqlx::query_scalar!("SELECT 1 AS \"one!\"")
        .fetch_one(pool)
        .await?;
    Ok(())
}
