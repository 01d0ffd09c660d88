//! What a player's pages show, read from the database: a granted reward with
//! its texts, the wallet, the activations, the inbox and its unread count.

use crate::error::Result;
use sqlx::PgPool;

use crate::activation::Activation;
use crate::paging::Page;
use model::{
    ActivationLine, ActivationPage, Balance, Granted, LedgerLine, NotificationLine,
    NotificationPage, Wallet, PAGE_SIZE,
};

/// Unread notifications of a player (the header's badge).
pub async fn unread_count(pool: &PgPool, player_id: i64) -> Result<i64> {
    Ok(sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM notifications WHERE player_id = $1 AND read_at IS NULL"#,
        player_id
    )
    .fetch_one(pool)
    .await?)
}

/// A code's description and secret message in `locale`, else in English.
pub(crate) async fn texts(
    pool: &PgPool,
    code_id: i64,
    locale: &str,
) -> Result<(String, String), sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT COALESCE(t.description, en.description, '') AS "description!",
                  COALESCE(t.secret_message, en.secret_message, '') AS "secret_message!"
             FROM (SELECT 1) one
             LEFT JOIN promo_code_texts t ON t.code_id = $1 AND t.locale = $2
             LEFT JOIN promo_code_texts en ON en.code_id = $1 AND en.locale = 'en'"#,
        code_id,
        locale
    )
    .fetch_one(pool)
    .await?;
    Ok((row.description, row.secret_message))
}

/// What the success view shows for an activation just made: everything but
/// the texts is in the activation already, and the texts are in the code
/// cache most of the time.
pub async fn granted(
    pool: &PgPool,
    cache: &crate::code_cache::CodeCache,
    activation: &Activation,
    locale: &str,
) -> Result<Granted> {
    let texts = cache.texts(pool, activation.code_id, locale).await?;
    let (description, secret_message) = (texts.0.clone(), texts.1.clone());
    Ok(Granted {
        activation_id: activation.activation_id,
        code: activation.code_name.clone(),
        reward: activation.reward,
        currency: activation.currency.clone(),
        balance_after: activation.balance_after,
        description,
        secret_message,
        earlier: false,
    })
}

/// A past activation of this player, as the success view shows it (after a
/// plain form post, or an easter egg visited again when `earlier`).
pub async fn past_grant(
    pool: &PgPool,
    activation_id: i64,
    player_id: i64,
    locale: &str,
    earlier: bool,
) -> Result<Option<Granted>> {
    let row = sqlx::query!(
        r#"SELECT a.id, a.code_id, c.name, a.reward, a.currency, l.balance_after
             FROM activations a
             JOIN promo_codes c ON c.id = a.code_id
             JOIN ledger_entries l ON l.activation_id = a.id
            WHERE a.id = $1 AND a.player_id = $2"#,
        activation_id,
        player_id
    )
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let (description, secret_message) = texts(pool, row.code_id, locale).await?;
    Ok(Some(Granted {
        activation_id: row.id,
        code: row.name,
        reward: row.reward,
        currency: row.currency,
        balance_after: row.balance_after,
        description,
        secret_message,
        earlier,
    }))
}

/// This player's activation of the easter egg at `slug`, if they found it.
pub async fn found_egg(pool: &PgPool, slug: &str, player_id: i64) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar!(
        "SELECT a.id FROM activations a JOIN promo_codes c ON c.id = a.code_id
          WHERE c.egg_slug = $1 AND a.player_id = $2",
        slug,
        player_id
    )
    .fetch_optional(pool)
    .await?)
}

/// Balances and one page of the ledger, newest first.
pub async fn wallet(pool: &PgPool, player_id: i64, page: i64) -> Result<Wallet> {
    let page = Page::new(page, PAGE_SIZE);
    let balances = sqlx::query_as!(
        Balance,
        "SELECT currency, amount FROM balances WHERE player_id = $1 ORDER BY currency",
        player_id
    )
    .fetch_all(pool)
    .await?;
    let lines = sqlx::query_as!(
        LedgerLine,
        r#"
        SELECT l.created_at AS "at: chrono::DateTime<chrono::Utc>", l.amount, l.currency, l.balance_after, c.name AS "code?"
          FROM ledger_entries l
          LEFT JOIN activations a ON a.id = l.activation_id
          LEFT JOIN promo_codes c ON c.id = a.code_id
         WHERE l.player_id = $1
         ORDER BY l.id DESC
         LIMIT $2 OFFSET $3
        "#,
        player_id,
        page.limit(),
        page.offset()
    )
    .fetch_all(pool)
    .await?;
    Ok(Wallet {
        balances,
        history: page.rows(lines),
    })
}

/// One page of the codes this player redeemed, newest first.
pub async fn activations(pool: &PgPool, player_id: i64, page: i64) -> Result<ActivationPage> {
    let page = Page::new(page, PAGE_SIZE);
    let lines = sqlx::query_as!(
        ActivationLine,
        r#"
        SELECT c.name AS code, a.reward, a.currency, a.channel, a.created_at AS "at: chrono::DateTime<chrono::Utc>"
          FROM activations a JOIN promo_codes c ON c.id = a.code_id
         WHERE a.player_id = $1
         ORDER BY a.created_at DESC, a.id DESC
         LIMIT $2 OFFSET $3
        "#,
        player_id,
        page.limit(),
        page.offset()
    )
    .fetch_all(pool)
    .await?;
    Ok(page.rows(lines))
}

/// One page of the inbox, newest first.
pub async fn notifications(pool: &PgPool, player_id: i64, page: i64) -> Result<NotificationPage> {
    let page = Page::new(page, PAGE_SIZE);
    let lines = sqlx::query_as!(
        NotificationLine,
        r#"
        SELECT id, kind,
               COALESCE(params->>'code', params->>'title', params->>'friend', '') AS "code!",
               COALESCE((params->>'reward')::bigint, 0) AS "reward!",
               COALESCE(params->>'currency', '') AS "currency!",
               created_at AS "at: chrono::DateTime<chrono::Utc>",
               read_at IS NOT NULL AS "read!"
          FROM notifications
         WHERE player_id = $1
         ORDER BY id DESC
         LIMIT $2 OFFSET $3
        "#,
        player_id,
        page.limit(),
        page.offset()
    )
    .fetch_all(pool)
    .await?;
    Ok(page.rows(lines))
}

/// Marks one of the player's notifications read, or all of them.
pub async fn mark_read(pool: &PgPool, player_id: i64, id: Option<i64>) -> Result<()> {
    sqlx::query!(
        "UPDATE notifications SET read_at = now() WHERE player_id = $1 AND read_at IS NULL AND ($2::bigint IS NULL OR id = $2)",
        player_id,
        id
    )
    .execute(pool)
    .await?;
    Ok(())
}
