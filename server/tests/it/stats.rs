//! Statistics: every report's figures against hand-computed ones on a small
//! fixture (time buckets across midnight UTC, the ends of a range, unique
//! players, payouts, kinds, new and returning redeemers, the most active,
//! delays, cohorts), the rollups exact under concurrent activations and two
//! folding workers, the activity API, and the dashboard's pages and CSVs.

use crate::common;

use app::admin::models::{Bucket, DateRange, Scope};
use app::core::paging::Page;
use app::core::stats::{code, retention, rollup, scope, service};
use app::core::NewCode;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use common::stats_fixture::{activation_at, fixture, midnight};
use common::{code, fixed, player};
use sqlx::PgPool;

fn request(player_id: i64, text: &str) -> app::core::ActivationRequest {
    app::core::ActivationRequest {
        player_id,
        code: app::core::CodeRef::Text(app::core::PromoCodeText::parse(text).unwrap()),
        channel: app::core::Channel::Form,
    }
}

fn range(from: NaiveDate, to: NaiveDate) -> DateRange {
    DateRange { from, to }
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_codes_figures_fall_in_their_buckets_across_midnight(pool: PgPool) {
    let f = fixture(&pool).await;
    let before = f.day - Duration::days(1);
    // Two days: hour buckets; the second before midnight is the day before's last hour.
    let report = code::report(&pool, f.a, range(before, f.day))
        .await
        .unwrap();
    assert_eq!(report.over_time.bucket, Bucket::Hour);
    assert_eq!(report.over_time.points.len(), 48);
    assert_eq!(report.over_time.keys, ["form", "egg", "api", "job"]);
    let at = |p: usize| report.over_time.points[p].1.clone();
    assert_eq!(
        report.over_time.points[23].0,
        midnight(f.day) - Duration::hours(1)
    );
    assert_eq!(at(23), [1, 0, 0, 0], "23:59:59 the day before");
    assert_eq!(at(24), [1, 0, 0, 0], "00:00:00");
    assert_eq!(at(30), [0, 0, 1, 0], "06:00 by the API");
    assert_eq!(report.in_range, 3);
    assert_eq!(report.rewards_in_range, 300);
    assert_eq!((report.activations, report.rewards_total), (3, 300));
    assert_eq!(report.remaining, None);
    // The range's ends: its first day alone leaves out the second before it.
    let one_day = code::report(&pool, f.a, range(f.day, f.day)).await.unwrap();
    assert_eq!(one_day.in_range, 2);
    let day_before = code::report(&pool, f.a, range(before, before))
        .await
        .unwrap();
    assert_eq!(day_before.in_range, 1);
    // A week: day buckets.
    let week = code::report(&pool, f.a, DateRange::last(7, Utc::now().date_naive()))
        .await
        .unwrap();
    assert_eq!(week.over_time.bucket, Bucket::Day);
    let day_index = week
        .over_time
        .points
        .iter()
        .position(|p| p.0 == midnight(f.day))
        .unwrap();
    assert_eq!(week.over_time.points[day_index - 1].1, [1, 0, 0, 0]);
    assert_eq!(week.over_time.points[day_index].1, [1, 0, 1, 0]);
    assert_eq!(week.over_time.totals(), [2, 0, 1, 0]);
    // Today, 7 and 30 days count from today's midnight back.
    assert_eq!((week.today, week.last_7_days, week.last_30_days), (0, 3, 3));
    // Released at M-1h: 59m59s (under an hour), 1h (1-6 hours), 7h (6-24 hours).
    assert_eq!(week.delays, [1, 1, 1, 0, 0, 0, 0]);
    assert_eq!(week.kind, "standard");

    let b = code::report(&pool, f.b, range(f.day, f.day + Duration::days(2)))
        .await
        .unwrap();
    assert_eq!(
        (b.kind.as_str(), b.decreasing, b.current_reward),
        ("decreasing", true, 30)
    );
    assert_eq!(
        (b.in_range, b.rewards_in_range, b.currency.as_str()),
        (2, 90, "GEMS")
    );
    assert_eq!(b.over_time.totals(), [1, 1, 0, 0]);

    // Who activated it: newest first, numbered from 1.
    let players = code::players(&pool, f.a, Page::new(1, 2)).await.unwrap();
    assert!(players.has_next);
    let numbers: Vec<(i64, i64)> = players
        .lines
        .iter()
        .map(|l| (l.number, l.player_id))
        .collect();
    assert_eq!(numbers, [(3, f.p3), (2, f.p2)]);
    assert!(code::report(&pool, 999_999, range(f.day, f.day))
        .await
        .is_err());
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn scopes_count_unique_players_rewards_and_payouts(pool: PgPool) {
    let f = fixture(&pool).await;
    let before = f.day - Duration::days(1);
    let all = range(before, f.day + Duration::days(2));
    // The campaign: A's three and B's two activations, by p1, p2, p3.
    let c = scope::report(&pool, Scope::Campaign, f.campaign, all)
        .await
        .unwrap();
    assert_eq!(
        (c.activations, c.players, c.codes, c.codes_used),
        (5, 3, 2, 2)
    );
    let rewards: Vec<(&str, i64)> = c
        .rewards
        .iter()
        .map(|m| (m.currency.as_str(), m.amount))
        .collect();
    assert_eq!(rewards, [("COINS", 300), ("GEMS", 90)]);
    assert_eq!(c.over_time.totals(), [3, 1, 1, 0]);
    assert_eq!(
        c.top_codes.iter().map(|t| t.0).collect::<Vec<_>>(),
        [f.a, f.b]
    );
    assert!(c.payout.is_none());
    // The fixture's day alone: p2 at 00:00 and p3 at 06:00 (A), p1 at 00:30 (B).
    let day = scope::report(&pool, Scope::Campaign, f.campaign, range(f.day, f.day))
        .await
        .unwrap();
    assert_eq!((day.activations, day.players), (3, 3));
    // The day before alone: p1 only; the last day alone: p2 only.
    let first = scope::report(&pool, Scope::Campaign, f.campaign, range(before, before))
        .await
        .unwrap();
    assert_eq!((first.activations, first.players), (1, 1));
    let last_day = f.day + Duration::days(2);
    let last = scope::report(
        &pool,
        Scope::Campaign,
        f.campaign,
        range(last_day, last_day),
    )
    .await
    .unwrap();
    assert_eq!((last.activations, last.players), (1, 1));

    // The partner: A only, 7 coins an activation, per calendar month.
    let p = scope::report(&pool, Scope::Partner, f.partner, all)
        .await
        .unwrap();
    let payout = p.payout.unwrap();
    assert_eq!(
        (payout.activations, payout.owed, payout.per_activation),
        (3, 21, 7)
    );
    let months: i64 = payout.months.iter().map(|m| m.1).sum();
    assert_eq!(months, 3);
    assert_eq!(payout.months[0].0, all.from);
    let owed: i64 = payout.months.iter().map(|m| m.2).sum();
    assert_eq!(owed, 21);

    // The group: A alone.
    let g = scope::report(&pool, Scope::Group, f.group, all)
        .await
        .unwrap();
    assert_eq!((g.activations, g.players, g.series), (3, 3, false));

    // Side by side: the one campaign, its marketing channel.
    let compared = scope::campaigns(&pool, all).await.unwrap();
    assert_eq!(compared.campaigns.len(), 1);
    let line = &compared.campaigns[0];
    assert_eq!(
        (line.activations, line.players, line.partner.as_deref()),
        (5, 3, Some("Acme"))
    );
    assert_eq!(line.by_channel, [3, 1, 1, 0]);
    assert_eq!(compared.channels, [("email".to_owned(), 1, 5)]);
    let partly = scope::campaigns(&pool, range(f.day, f.day)).await.unwrap();
    assert_eq!(
        (partly.campaigns[0].activations, partly.campaigns[0].players),
        (3, 3)
    );
    assert!(scope::report(&pool, Scope::Partner, 999_999, all)
        .await
        .is_err());
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_service_counts_kinds_redeemers_the_most_active_and_abuse(pool: PgPool) {
    let f = fixture(&pool).await;
    let before = f.day - Duration::days(1);
    let all = range(before, f.day + Duration::days(2));
    let s = service::report(&pool, all).await.unwrap();
    assert_eq!(
        s.kinds.keys,
        ["standard", "decreasing", "limited", "temporary", "egg"]
    );
    assert_eq!(s.kinds.totals(), [3, 2, 0, 0, 1]);
    let rewards = |kind: &str| {
        s.kind_rewards
            .iter()
            .find(|k| k.0 == kind)
            .unwrap()
            .1
            .iter()
            .map(|m| (m.currency.clone(), m.amount))
            .collect::<Vec<_>>()
    };
    assert_eq!(rewards("standard"), [("COINS".to_owned(), 300)]);
    assert_eq!(rewards("decreasing"), [("GEMS".to_owned(), 90)]);
    assert_eq!(rewards("egg"), [("COINS".to_owned(), 30)]);
    // Redeemers per day: [new, returning].
    let per_day: Vec<Vec<i64>> = s.redeemers.points.iter().map(|p| p.1.clone()).collect();
    assert_eq!(per_day, [vec![1, 0], vec![2, 1], vec![0, 0], vec![0, 2]]);
    // p1: 2 activations; p2: 2; p3: 2; ties go to the lower id.
    let top: Vec<(i64, i64)> = s
        .top_players
        .iter()
        .map(|p| (p.player_id, p.activations))
        .collect();
    assert_eq!(top, [(f.p1, 2), (f.p2, 2), (f.p3, 2)]);
    let p1_rewards: Vec<(String, i64)> = s.top_players[0]
        .rewards
        .iter()
        .map(|m| (m.currency.clone(), m.amount))
        .collect();
    assert_eq!(
        p1_rewards,
        [("COINS".to_owned(), 100), ("GEMS".to_owned(), 50)]
    );
    // The last day alone: p2 (B) and p3 (egg) returning.
    let last_day = f.day + Duration::days(2);
    let last = service::report(&pool, range(last_day, last_day))
        .await
        .unwrap();
    assert_eq!(last.redeemers.points[0].1, [0, 2]);
    assert_eq!(
        last.top_players
            .iter()
            .map(|p| p.player_id)
            .collect::<Vec<_>>(),
        [f.p2, f.p3]
    );
    let _ = f.egg;

    // Wrong codes and blocks per day.
    let guard = app::core::abuse::Guard::new(app::core::abuse::Policy::default());
    for _ in 0..3 {
        let _ = guard
            .activate(&pool, &request(f.p1, "NO-SUCH-CODE"), None)
            .await;
    }
    let today = DateRange::last(1, Utc::now().date_naive());
    let abuse = service::report(&pool, today).await.unwrap().abuse;
    assert_eq!(abuse.keys, ["wrong_codes", "blocks"]);
    assert_eq!(abuse.totals()[0], 3);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_most_active_are_exact_when_taken_by_their_all_time_count(pool: PgPool) {
    // More activations in the range than the direct count reads, so the
    // candidates come in order of their all-time count; the busiest of all
    // time is quiet in the range and must not crowd out the range's busiest.
    let codes: Vec<i64> = sqlx::query_scalar!(
        "INSERT INTO promo_codes (name, normalized, currency, initial_reward, current_reward, min_reward)
         SELECT 'T' || g, 'T' || g, 'COINS', 1, 1, 1 FROM generate_series(1, 60) g RETURNING id"
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let players = common::players(&pool, 45_000).await;
    let today = Utc::now().date_naive();
    let long_ago = midnight(today - Duration::days(300));
    let recent = midnight(today - Duration::days(5));
    // Everyone once in the range (45,000 rows > the direct limit).
    sqlx::query!(
        "INSERT INTO activations (code_id, player_id, ordinal, reward, currency, channel, created_at)
         SELECT $1, p, row_number() OVER (ORDER BY p) - 1, 1, 'COINS', 'form', $3 FROM unnest($2::bigint[]) p",
        codes[0],
        &players,
        recent as _
    )
    .execute(&pool)
    .await
    .unwrap();
    // players[0]: 50 codes long ago, 1 in the range; players[1..=20]: 3 + i in the range.
    for (i, c) in codes[1..51].iter().enumerate() {
        activation_at(
            &pool,
            *c,
            players[0],
            "form",
            long_ago + Duration::minutes(i as i64),
        )
        .await;
    }
    for (i, p) in players[1..=20].iter().enumerate() {
        for c in &codes[1..=(2 + i)] {
            activation_at(&pool, *c, *p, "form", recent + Duration::hours(1)).await;
        }
    }
    rollup::catch_up(&pool).await.unwrap();
    let range = DateRange::last(30, today);
    let top = service::report(&pool, range).await.unwrap().top_players;
    let expected: Vec<(i64, i64)> = (1..=20).rev().map(|i| (players[i], 2 + i as i64)).collect();
    let got: Vec<(i64, i64)> = top.iter().map(|p| (p.player_id, p.activations)).collect();
    assert_eq!(got, expected);
    // Over a year, players[0]'s fifty come first.
    let year = service::report(&pool, DateRange::last(365, today))
        .await
        .unwrap()
        .top_players;
    assert_eq!((year[0].player_id, year[0].activations), (players[0], 51));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn cohorts_and_campaign_impact_come_from_reported_activity(pool: PgPool) {
    let f = fixture(&pool).await;
    let ext = |id: i64| format!("ext-{id}");
    for p in [f.p1, f.p2, f.p3] {
        sqlx::query!(
            "UPDATE players SET external_id = $2 WHERE id = $1",
            p,
            ext(p)
        )
        .execute(&pool)
        .await
        .unwrap();
    }
    // A player who never redeemed, signed up this week.
    let idle = player(&pool).await;
    sqlx::query!(
        "UPDATE players SET external_id = 'ext-idle' WHERE id = $1",
        idle
    )
    .execute(&pool)
    .await
    .unwrap();
    let m = midnight(f.day);
    let event = |player: String, kind: &str, at: DateTime<Utc>| retention::ActivityEvent {
        player,
        kind: kind.into(),
        at,
    };
    let events = vec![
        event(ext(f.p1), "login", m + Duration::hours(1)),
        event(ext(f.p1), "login", m + Duration::hours(2)),
        event(ext(f.p2), "match.won", m - Duration::days(8)),
        event(
            "ext-idle".into(),
            "login",
            Utc::now() - Duration::minutes(1),
        ),
        event("nobody".into(), "login", m),
        event(ext(f.p3), "Bad Kind", m),
        event(ext(f.p3), "login", m - Duration::days(500)),
    ];
    let mut conn = pool.acquire().await.unwrap();
    let (recorded, refused) = retention::record(&mut conn, &events).await.unwrap();
    drop(conn);
    assert_eq!(recorded, 4);
    let refused: Vec<(usize, &str)> = refused.iter().map(|(i, r)| (*i, r.as_str())).collect();
    assert_eq!(
        refused,
        [(4, "unknown_player"), (5, "bad_kind"), (6, "out_of_range")]
    );
    let stored = sqlx::query_scalar!(
        r#"SELECT sum(events)::bigint AS "n!" FROM player_activity_days WHERE player_id = $1"#,
        f.p1
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        stored, 2,
        "two events of one day and kind are one row of two"
    );

    rollup::refresh_retention(&pool).await.unwrap();
    let report = retention::report(&pool, DateRange::last(30, Utc::now().date_naive()))
        .await
        .unwrap();
    assert!(report.as_of.is_some());
    let week_of = |at: DateTime<Utc>| app::admin::models::week_start(at.date_naive());
    // p1 first redeemed at M-1s, p2 at M, p3 at M+6h: their weeks.
    let mut expected: Vec<(NaiveDate, i64)> = Vec::new();
    for at in [m - Duration::seconds(1), m, m + Duration::hours(6)] {
        match expected.iter_mut().find(|e| e.0 == week_of(at)) {
            Some(e) => e.1 += 1,
            None => expected.push((week_of(at), 1)),
        }
    }
    expected.sort();
    let got: Vec<(NaiveDate, i64)> = report
        .redeemers
        .iter()
        .map(|c| (c.week, c.players))
        .collect();
    assert_eq!(got, expected);
    // p1 was active in the week of the fixture's day; p2's event came before.
    let p1_week = week_of(m - Duration::seconds(1));
    let activity_week = week_of(m + Duration::hours(1));
    let cohort = report.redeemers.iter().find(|c| c.week == p1_week).unwrap();
    let k = ((activity_week - p1_week).num_days() / 7) as usize;
    assert_eq!(cohort.active[k], 1);
    assert_eq!(cohort.active.iter().sum::<i64>(), 1);
    // The idle player is this week's "redeemed nothing" cohort, active now.
    let others: Vec<(NaiveDate, i64, i64)> = report
        .others
        .iter()
        .map(|c| (c.week, c.players, c.active[0]))
        .collect();
    assert!(
        others.contains(&(
            app::admin::models::week_start(Utc::now().date_naive()),
            1,
            1
        )),
        "{others:?}"
    );
    // The campaign: p1, p2, p3; p1 active in their first week (offset 0 is index 4), p2 the week(s) before.
    let impact = &report.campaigns[0];
    assert_eq!((impact.campaign_id, impact.players), (f.campaign, 3));
    assert_eq!(impact.active.iter().sum::<i64>(), 2);
    assert_eq!(impact.events.iter().sum::<i64>(), 3);
    // Offsets are whole weeks between Mondays: p1's login in the week of its
    // first redeem in the campaign (k = 4), p2's event in whichever week
    // eight days before its first redeem falls (the one before or the one
    // before that, by the weekday the test runs on).
    let offset = |at: DateTime<Utc>, first: DateTime<Utc>| {
        ((week_of(at) - week_of(first)).num_days() / 7 + 4) as usize
    };
    let mut expected = vec![0i64; 8];
    expected[offset(m + Duration::hours(1), m - Duration::seconds(1))] += 1;
    expected[offset(m - Duration::days(8), m)] += 1;
    assert_eq!(
        impact.active, expected,
        "players active per week around the first"
    );
}

/// The rollups stay exact while activations pour in through the pipeline and
/// two workers fold at once: every activation counted once, in every rollup.
#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn concurrent_folds_count_every_activation_once(
    _: sqlx::postgres::PgPoolOptions,
    connect: sqlx::postgres::PgConnectOptions,
) {
    let pool = common::wide_pool(connect).await;
    let campaign = sqlx::query_scalar!(
        "INSERT INTO campaigns (name, channel) VALUES ('Load', 'broadcast') RETURNING id"
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let mut texts = Vec::new();
    for i in 0..5 {
        let name = format!("LOAD-{i}");
        code(
            &pool,
            NewCode {
                campaign_id: Some(campaign),
                ..fixed(&name, 10)
            },
        )
        .await;
        texts.push(name);
    }
    let players = common::players(&pool, 400).await;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let folders: Vec<_> = (0..2)
        .map(|_| {
            let (pool, stop) = (pool.clone(), stop.clone());
            tokio::spawn(async move {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    rollup::step(&pool, 50).await.unwrap();
                    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                }
            })
        })
        .collect();
    let guard = app::core::abuse::Guard::new(app::core::abuse::Policy::default());
    let mut tasks = Vec::new();
    for (i, p) in players.iter().enumerate() {
        let (pool, guard, p) = (pool.clone(), guard.clone(), *p);
        let text = texts[i % texts.len()].clone();
        let second = texts[(i + 1) % texts.len()].clone();
        tasks.push(tokio::spawn(async move {
            for text in [text, second] {
                guard
                    .activate(&pool, &request(p, &text), None)
                    .await
                    .unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for f in folders {
        f.await.unwrap();
    }
    rollup::catch_up(&pool).await.unwrap();
    let check = sqlx::query!(
        r#"SELECT (SELECT count(*) FROM activations) AS "activations!",
                  (SELECT sum(activations) FROM stats_code_hours)::bigint AS "hours!",
                  (SELECT sum(activations) FROM stats_code_delays)::bigint AS "delays!",
                  (SELECT sum(activations) FROM stats_kind_days)::bigint AS "kinds!",
                  (SELECT sum(activations) FROM stats_scope_days)::bigint AS "scopes!",
                  (SELECT sum(activations) FROM stats_players)::bigint AS "players_sum!",
                  (SELECT sum(activations) FROM stats_service_days)::bigint AS "service!",
                  (SELECT sum(new_redeemers) FROM stats_service_days)::bigint AS "new!",
                  (SELECT count(DISTINCT player_id) FROM activations) AS "distinct!",
                  (SELECT players FROM stats_scope_totals WHERE scope = 'campaign') AS "campaign_players!",
                  (SELECT rolled_to FROM stats_rollup_state) AS "rolled_to!",
                  (SELECT max(id) FROM activations) AS "max_id!""#
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(check.activations, 800);
    for (what, n) in [
        ("hours", check.hours),
        ("delays", check.delays),
        ("kinds", check.kinds),
        ("scopes", check.scopes),
        ("players", check.players_sum),
        ("service days", check.service),
    ] {
        assert_eq!(n, 800, "{what}");
    }
    assert_eq!(check.new, 400);
    assert_eq!(check.distinct, 400);
    assert_eq!(check.campaign_players, 400);
    assert!(check.rolled_to >= check.max_id);
}
