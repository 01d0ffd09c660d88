//! The statistics fixture: three codes in a group, a campaign and a
//! partner, activated by three players around one midnight UTC and folded,
//! for the reports' tests and the API's.

use app::core::stats::rollup;
use app::core::NewCode;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sqlx::PgPool;

use super::{code, fixed, player};

/// An activation as of `at`, straight into the table (the core stamps
/// `now()`; these figures need other times).
pub async fn activation_at(
    pool: &PgPool,
    code_id: i64,
    player_id: i64,
    channel: &str,
    at: DateTime<Utc>,
) {
    sqlx::query!(
        "WITH c AS (UPDATE promo_codes
                       SET activation_count = activation_count + 1,
                           current_reward = greatest(min_reward, initial_reward - (activation_count + 1) * decrease_step)
                     WHERE id = $1
                    RETURNING activation_count - 1 AS ordinal, currency,
                              greatest(min_reward, initial_reward - (activation_count - 1) * decrease_step) AS reward)
         INSERT INTO activations (code_id, player_id, ordinal, reward, currency, channel, created_at)
         SELECT $1, $2, c.ordinal, c.reward, c.currency, $3, $4 FROM c",
        code_id,
        player_id,
        channel,
        at as _
    )
    .execute(pool)
    .await
    .unwrap();
}

pub fn midnight(day: NaiveDate) -> DateTime<Utc> {
    app::admin::models::midnight(day)
}

pub struct Fixture {
    /// Three days ago, 00:00 UTC: the fixture's midnight.
    pub day: NaiveDate,
    pub a: i64,
    pub b: i64,
    pub egg: i64,
    pub campaign: i64,
    pub partner: i64,
    pub group: i64,
    pub p1: i64,
    pub p2: i64,
    pub p3: i64,
}

/// The partner Acme (paid `payout` coins an activation), its campaign
/// Winter on `channel`, and the group Gifts: (partner, campaign, group).
pub async fn catalog(pool: &PgPool, payout: i64, channel: &str) -> (i64, i64, i64) {
    let partner = sqlx::query_scalar!(
        "INSERT INTO partners (name, payout_per_activation, payout_currency) VALUES ('Acme', $1, 'COINS') RETURNING id",
        payout
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let campaign = sqlx::query_scalar!(
        "INSERT INTO campaigns (name, channel, partner_id) VALUES ('Winter', $1, $2) RETURNING id",
        channel,
        partner
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let group = sqlx::query_scalar!("INSERT INTO code_groups (name) VALUES ('Gifts') RETURNING id")
        .fetch_one(pool)
        .await
        .unwrap();
    (partner, campaign, group)
}

/// Code A (standard, 100 coins, in a group, a campaign and a partner paying
/// 7 coins an activation, released an hour before midnight), code B
/// (decreasing 50 by 10, gems, in the campaign), an egg (30 coins).
/// Activations around the fixture's midnight M:
///   A: p1 at M-1s (form), p2 at M (form), p3 at M+6h (api)
///   B: p1 at M+30min (form), p2 at M+2d+12h (egg)   -> rewards 50, 40 gems
///   egg: p3 at M+2d+12h (egg)
pub async fn fixture(pool: &PgPool) -> Fixture {
    let day = Utc::now().date_naive() - Duration::days(3);
    let m = midnight(day);
    let (partner, campaign, group) = catalog(pool, 7, "email").await;
    let a = code(
        pool,
        NewCode {
            group_id: Some(group),
            campaign_id: Some(campaign),
            partner_id: Some(partner),
            ..fixed("CODE-A", 100)
        },
    )
    .await;
    let b = code(
        pool,
        NewCode {
            name: "CODE-B".into(),
            currency: "GEMS".into(),
            initial_reward: 50,
            min_reward: 10,
            decrease_step: 10,
            campaign_id: Some(campaign),
            ..NewCode::default()
        },
    )
    .await;
    let egg = code(
        pool,
        NewCode {
            egg_slug: Some("stats-egg".into()),
            ..fixed("STATS-EGG", 30)
        },
    )
    .await;
    // A was released an hour before midnight (its creation time, as it has no start).
    sqlx::query!(
        "UPDATE promo_codes SET created_at = $2 WHERE id = $1",
        a,
        (m - Duration::hours(1)) as _
    )
    .execute(pool)
    .await
    .unwrap();
    let (p1, p2, p3) = (player(pool).await, player(pool).await, player(pool).await);
    activation_at(pool, a, p1, "form", m - Duration::seconds(1)).await;
    activation_at(pool, a, p2, "form", m).await;
    activation_at(pool, a, p3, "api", m + Duration::hours(6)).await;
    activation_at(pool, b, p1, "form", m + Duration::minutes(30)).await;
    activation_at(pool, b, p2, "egg", m + Duration::hours(60)).await;
    activation_at(pool, egg, p3, "egg", m + Duration::hours(60)).await;
    assert_eq!(rollup::catch_up(pool).await.unwrap(), 6);
    Fixture {
        day,
        a,
        b,
        egg,
        campaign,
        partner,
        group,
        p1,
        p2,
        p3,
    }
}
