//! A code's references (currency, group, campaign, partner, creator, owner),
//! checked once per inserting statement by triggers instead of row by row by
//! foreign keys (migration `20261204000009`): every way in or out that a
//! foreign key refused is still refused, with its name, deletes of what a
//! code points at still clear or refuse as before, and racing a delete
//! never leaves a code pointing at nothing.

use sqlx::PgPool;

/// The SQLSTATE and constraint name a statement failed with.
async fn refused(pool: &PgPool, sql: &str) -> (String, String) {
    let error = sqlx::query(sql)
        .execute(pool)
        .await
        .expect_err(sql)
        .into_database_error()
        .expect("a database error");
    (
        error.code().unwrap_or_default().into_owned(),
        error.constraint().unwrap_or_default().to_owned(),
    )
}

async fn id(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

/// A group, campaign, partner, admin and player to point at.
async fn referenced(pool: &PgPool) -> [i64; 5] {
    [
        id(pool, "INSERT INTO code_groups (name) VALUES ('G') RETURNING id").await,
        id(pool, "INSERT INTO campaigns (name, channel) VALUES ('C', 'email') RETURNING id").await,
        id(pool, "INSERT INTO partners (name, payout_currency) VALUES ('P', 'COINS') RETURNING id").await,
        id(pool, "INSERT INTO admins (username, password_hash, role) VALUES ('adm', 'x', 'admin') RETURNING id").await,
        id(pool, "INSERT INTO players (username) VALUES ('player1') RETURNING id").await,
    ]
}

/// The code "OK" in `currency`, pointing at each of `referenced`'s rows.
async fn code_pointing_at(
    pool: &PgPool,
    currency: &str,
    [group, campaign, partner, admin, player]: [i64; 5],
) {
    sqlx::query(&format!(
        "INSERT INTO promo_codes (name, normalized, currency, initial_reward, current_reward, min_reward,
                                  group_id, campaign_id, partner_id, created_by, owner_id)
         VALUES ('OK', 'OK', '{currency}', 5, 5, 5, {group}, {campaign}, {partner}, {admin}, {player})"
    ))
    .execute(pool)
    .await
    .unwrap();
}

/// One code with `column` set to `value` (its currency COINS otherwise).
fn insert(name: &str, column: &str, value: &str) -> String {
    let (currency, column, value) = match column {
        "currency" => (value, String::new(), String::new()),
        _ => ("'COINS'", format!(", {column}"), format!(", {value}")),
    };
    format!(
        "INSERT INTO promo_codes (name, normalized, currency, initial_reward, current_reward, min_reward{column})
         VALUES ('{name}', '{name}', {currency}, 5, 5, 5{value})"
    )
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_code_pointing_at_nothing_is_refused_by_the_foreign_keys_name(pool: PgPool) {
    let [group, campaign, partner, admin, player] = referenced(&pool).await;
    let cases = [
        ("currency", "'NOPE'", "promo_codes_currency_fkey"),
        ("group_id", "987654", "promo_codes_group_id_fkey"),
        ("campaign_id", "987654", "promo_codes_campaign_id_fkey"),
        ("partner_id", "987654", "promo_codes_partner_id_fkey"),
        ("created_by", "987654", "promo_codes_created_by_fkey"),
        ("owner_id", "987654", "promo_codes_owner_id_fkey"),
    ];
    for (column, value, constraint) in cases {
        let (code, name) = refused(&pool, &insert("BAD", column, value)).await;
        assert_eq!((code.as_str(), name.as_str()), ("23503", constraint));
    }
    // One bad row among good ones fails its whole statement.
    let (code, name) = refused(
        &pool,
        &format!(
            "INSERT INTO promo_codes (name, normalized, currency, initial_reward, current_reward, min_reward, campaign_id)
             SELECT 'M' || g, 'M' || g, 'COINS', 5, 5, 5, CASE WHEN g = 500 THEN 987654 ELSE {campaign} END
               FROM generate_series(1, 1000) g"
        ),
    )
    .await;
    assert_eq!(
        (code.as_str(), name.as_str()),
        ("23503", "promo_codes_campaign_id_fkey")
    );
    let stored: i64 = id(&pool, "SELECT count(*) FROM promo_codes").await;
    assert_eq!(stored, 0);

    // Every reference that exists goes in, and edits are checked too.
    code_pointing_at(&pool, "COINS", [group, campaign, partner, admin, player]).await;
    for (column, value, constraint) in cases {
        let sql = format!("UPDATE promo_codes SET {column} = {value} WHERE normalized = 'OK'");
        let (code, name) = refused(&pool, &sql).await;
        assert_eq!(
            (code.as_str(), name.as_str()),
            ("23503", constraint),
            "{sql}"
        );
    }
    // Changing nothing a reference holds (an activation) checks nothing.
    sqlx::query(
        "UPDATE promo_codes SET activation_count = 1, group_id = NULL WHERE normalized = 'OK'",
    )
    .execute(&pool)
    .await
    .unwrap();
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn deleting_what_codes_point_at_clears_or_is_refused_as_before(pool: PgPool) {
    let [group, campaign, partner, admin, player] = referenced(&pool).await;
    // A currency only this code uses (partners and others point at COINS).
    sqlx::query("INSERT INTO currencies (code) VALUES ('RUBIES')")
        .execute(&pool)
        .await
        .unwrap();
    code_pointing_at(&pool, "RUBIES", [group, campaign, partner, admin, player]).await;
    // ON DELETE NO ACTION: the currency and the owner stay while a code needs them.
    let (code, name) = refused(&pool, "DELETE FROM currencies WHERE code = 'RUBIES'").await;
    assert_eq!(
        (code.as_str(), name.as_str()),
        ("23503", "promo_codes_currency_fkey")
    );
    let (code, name) = refused(&pool, &format!("DELETE FROM players WHERE id = {player}")).await;
    assert_eq!(
        (code.as_str(), name.as_str()),
        ("23503", "promo_codes_owner_id_fkey")
    );
    // ON DELETE SET NULL: the rest let go.
    for sql in [
        format!("DELETE FROM code_groups WHERE id = {group}"),
        format!("DELETE FROM campaigns WHERE id = {campaign}"),
        format!("DELETE FROM partners WHERE id = {partner}"),
        format!("DELETE FROM admins WHERE id = {admin}"),
    ] {
        sqlx::query(&sql).execute(&pool).await.expect(&sql);
    }
    let cleared: bool = sqlx::query_scalar(
        "SELECT group_id IS NULL AND campaign_id IS NULL AND partner_id IS NULL AND created_by IS NULL
                AND owner_id IS NOT NULL
           FROM promo_codes WHERE normalized = 'OK'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(cleared);
    // Once no code needs them, they go.
    sqlx::query("DELETE FROM promo_codes")
        .execute(&pool)
        .await
        .unwrap();
    for sql in [
        format!("DELETE FROM players WHERE id = {player}"),
        "DELETE FROM currencies WHERE code = 'RUBIES'".into(),
    ] {
        sqlx::query(&sql).execute(&pool).await.expect(&sql);
    }
}

/// Codes inserted in transactions that race the delete of the campaign and
/// the currency they name: whichever wins, no code is left pointing at a
/// row that is gone.
#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_delete_racing_new_codes_leaves_none_pointing_at_nothing(pool: PgPool) {
    for round in 0..12 {
        let currency = format!("RACE{round}");
        sqlx::query("INSERT INTO currencies (code) VALUES ($1)")
            .bind(&currency)
            .execute(&pool)
            .await
            .unwrap();
        let campaign = id(
            &pool,
            &format!("INSERT INTO campaigns (name, channel) VALUES ('race {round}', 'email') RETURNING id"),
        )
        .await;
        let writers: Vec<_> = (0..8)
            .map(|n| {
                let (pool, currency) = (pool.clone(), currency.clone());
                tokio::spawn(async move {
                    let mut tx = pool.begin().await.unwrap();
                    let inserted = sqlx::query(
                        "INSERT INTO promo_codes (name, normalized, currency, initial_reward, current_reward, min_reward, campaign_id)
                         SELECT n, n, $1, 5, 5, 5, $2 FROM (SELECT 'R' || $3::int || 'X' || $4::int || 'N' || g AS n
                                                              FROM generate_series(1, 50) g) t",
                    )
                    .bind(&currency)
                    .bind(campaign)
                    .bind(round)
                    .bind(n)
                    .execute(&mut *tx)
                    .await;
                    tokio::task::yield_now().await;
                    if inserted.is_ok() {
                        let _ = tx.commit().await;
                    }
                })
            })
            .collect();
        let deleters = [
            format!("DELETE FROM campaigns WHERE id = {campaign}"),
            format!("DELETE FROM currencies WHERE code = '{currency}'"),
        ]
        .map(|sql| {
            let pool = pool.clone();
            tokio::spawn(async move {
                let _ = sqlx::query(&sql).execute(&pool).await;
            })
        });
        for task in writers.into_iter().chain(deleters) {
            task.await.unwrap();
        }
    }
    let dangling: i64 = id(
        &pool,
        "SELECT count(*) FROM promo_codes c
          WHERE NOT EXISTS (SELECT 1 FROM currencies WHERE code = c.currency)
             OR (campaign_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM campaigns WHERE id = c.campaign_id))",
    )
    .await;
    assert_eq!(dangling, 0);
    let stored: i64 = id(&pool, "SELECT count(*) FROM promo_codes").await;
    assert!(stored > 0, "some writers won a race");
}
