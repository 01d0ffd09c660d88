//! Quests and loyalty rules from real activations: progress counts each
//! activation once and a quest pays once, however many players redeem at
//! once, however many feeders run and when the feed is replayed from the
//! start; a quest's validation; the Quests page; loyalty codes every N
//! redeems and for a tier, issued once each.

use crate::common;

use app::core::activation_feed;
use app::core::audit::Actor;
use app::core::locale::Locale;
use app::core::loyalty::{self, Rule, RuleKind};
use app::core::quests::{self, QuestDraft, QuestText, StepDraft};
use app::core::{Error, NewCode, Problem};
use sqlx::PgPool;

fn step(kind: &str, subject: &str, target: i32) -> StepDraft {
    StepDraft {
        kind: kind.into(),
        subject: subject.into(),
        target,
    }
}

fn quest(slug: &str, steps: Vec<StepDraft>) -> QuestDraft {
    QuestDraft {
        slug: slug.into(),
        en: QuestText {
            title: "The egg hunt".into(),
            story: "Three eggs hide here.".into(),
        },
        ru: QuestText {
            title: "Охота за пасхалками".into(),
            story: String::new(),
        },
        reward: 500,
        currency: "COINS".into(),
        starts_at: None,
        ends_at: None,
        enabled: true,
        steps,
    }
}

async fn egg(pool: &PgPool, name: &str, slug: &str) {
    common::code(
        pool,
        NewCode {
            egg_slug: Some(slug.into()),
            ..common::fixed(name, 5)
        },
    )
    .await;
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

async fn rewards_from(pool: &PgPool, source: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM activations a JOIN promo_codes c ON c.id = a.code_id
          WHERE c.issued_for LIKE $1",
    )
    .bind(format!("{source}%"))
    .fetch_one(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_quest_completes_from_activations_and_pays_once(pool: PgPool) {
    let pool = common::wide_pool((*pool.connect_options()).clone()).await;
    let admin = common::admin(&pool, "quest-admin").await;
    egg(&pool, "EGG-ONE", "egg-one").await;
    egg(&pool, "EGG-TWO", "egg-two").await;
    egg(&pool, "EGG-THREE", "egg-three").await;
    common::code(&pool, common::fixed("PLAIN-A", 5)).await;
    common::code(&pool, common::fixed("PLAIN-B", 5)).await;
    let id = quests::save(
        &pool,
        Actor::Admin(admin),
        &quest(
            "egg-hunt",
            vec![
                step("eggs", "egg-one, egg-two, egg-three", 3),
                step("code", "plain-a", 1),
                step("codes", "", 5),
            ],
        ),
    )
    .await
    .unwrap();

    // Sixteen players redeem everything at once while two feeders run.
    let players = common::players(&pool, 16).await;
    let redeems = players.iter().map(|&p| {
        let pool = pool.clone();
        tokio::spawn(async move {
            for slug in ["egg-one", "egg-two", "egg-three"] {
                common::redeem_egg(&pool, p, slug).await.unwrap();
            }
            for code in ["PLAIN-A", "PLAIN-B"] {
                common::redeem(&pool, p, code).await.unwrap();
            }
        })
    });
    let feeders = (0..2).map(|_| {
        let pool = pool.clone();
        tokio::spawn(async move {
            for _ in 0..30 {
                activation_feed::catch_up(&pool).await.unwrap();
            }
        })
    });
    futures::future::join_all(redeems).await;
    futures::future::join_all(feeders).await;
    activation_feed::catch_up(&pool).await.unwrap();

    // Each activation credited each step it matches once: 3 eggs + 1 code + 5 codes.
    assert_eq!(
        count(&pool, "SELECT count(*) FROM quest_credits").await,
        16 * 9
    );
    assert_eq!(
        count(&pool, "SELECT count(*) FROM quest_completions").await,
        16
    );
    assert_eq!(rewards_from(&pool, "quest:").await, 16);
    let balance: i64 = sqlx::query_scalar(
        "SELECT amount FROM balances WHERE player_id = $1 AND currency = 'COINS'",
    )
    .bind(players[0])
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(balance, 5 * 5 + 500);

    // Replayed from the start: nothing counts twice, nothing pays twice.
    sqlx::query("UPDATE activation_feed_state SET fed_to = 0")
        .execute(&pool)
        .await
        .unwrap();
    activation_feed::catch_up(&pool).await.unwrap();
    assert_eq!(
        count(&pool, "SELECT count(*) FROM quest_credits").await,
        16 * 9
    );
    assert_eq!(rewards_from(&pool, "quest:").await, 16);
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM outbox_events WHERE topic = 'quest.completed'"
        )
        .await,
        16
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM notifications WHERE kind = 'quest_completed'"
        )
        .await,
        16
    );
    assert!(
        count(
            &pool,
            "SELECT count(*) FROM outbox_events WHERE topic = 'quest.progressed'"
        )
        .await
            >= 16 * 3
    );

    // The player's view: completed, every step full, the egg list kept secret.
    let seen = quests::for_player(&pool, players[0], Locale::Ru)
        .await
        .unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].title, "Охота за пасхалками");
    assert!(seen[0].completed_at.is_some());
    assert!(seen[0].steps.iter().all(|s| s.done == s.target));
    assert_eq!(seen[0].steps[0].subject, None);
    assert_eq!(seen[0].steps[1].subject.as_deref(), Some("PLAIN-A"));
    let admin_view = quests::admin_list(&pool, Locale::En).await.unwrap();
    assert_eq!((admin_view[0].id, admin_view[0].completions), (id, 16));

    // Steps players progressed in do not change; texts and reward may.
    let changed = quests::save(
        &pool,
        Actor::Admin(admin),
        &quest("egg-hunt", vec![step("codes", "", 2)]),
    )
    .await;
    assert!(
        matches!(&changed, Err(Error::Invalid(p)) if p == &[Problem::QuestInProgress]),
        "{changed:?}"
    );
    common::assert_books_balance(&pool).await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn progress_shows_partly_and_bad_quests_are_refused(pool: PgPool) {
    let admin = common::admin(&pool, "quest-admin").await;
    egg(&pool, "EGG-ONE", "egg-one").await;
    common::code(&pool, common::fixed("PLAIN-A", 5)).await;
    quests::save(
        &pool,
        Actor::Admin(admin),
        &quest("hunt", vec![step("eggs", "", 2), step("codes", "", 3)]),
    )
    .await
    .unwrap();
    let player = common::player(&pool).await;
    common::redeem_egg(&pool, player, "egg-one").await.unwrap();
    activation_feed::catch_up(&pool).await.unwrap();
    let seen = quests::for_player(&pool, player, Locale::En).await.unwrap();
    let done: Vec<(i32, i32)> = seen[0].steps.iter().map(|s| (s.done, s.target)).collect();
    assert_eq!(done, [(1, 2), (1, 3)]);
    assert!(seen[0].completed_at.is_none());

    for (draft, problem) in [
        (
            quest("Bad Slug!", vec![step("codes", "", 1)]),
            Problem::QuestSlug,
        ),
        (quest("no-steps", vec![]), Problem::NoSteps),
        (
            quest("zero", vec![step("codes", "", 0)]),
            Problem::StepTarget,
        ),
        (
            quest("ghost", vec![step("code", "NO-SUCH", 1)]),
            Problem::StepSubject,
        ),
        (
            quest("ghost-egg", vec![step("eggs", "egg-one, nowhere", 1)]),
            Problem::StepSubject,
        ),
        (
            quest("kind", vec![step("dance", "", 1)]),
            Problem::StepSubject,
        ),
    ] {
        let refused = quests::save(&pool, Actor::Admin(admin), &draft).await;
        assert!(
            matches!(&refused, Err(Error::Invalid(p)) if p.contains(&problem)),
            "{}: {refused:?}",
            draft.slug
        );
    }
    assert_eq!(count(&pool, "SELECT count(*) FROM quests").await, 1);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn loyalty_codes_are_issued_once_per_occasion(pool: PgPool) {
    let admin = common::admin(&pool, "loyalty-admin").await;
    for kind in [RuleKind::EveryN(2), RuleKind::MonthlyTier("vip".into())] {
        let name = match kind {
            RuleKind::EveryN(_) => "every two",
            _ => "vip monthly",
        };
        loyalty::save(
            &pool,
            Actor::Admin(admin),
            &Rule {
                name: name.into(),
                kind,
                reward: 25,
                currency: "COINS".into(),
                code_days: 14,
                enabled: true,
            },
        )
        .await
        .unwrap();
    }
    let player = common::player(&pool).await;
    for i in 0..5 {
        let name = format!("CODE-{i}");
        common::code(&pool, common::fixed(&name, 1)).await;
        common::redeem(&pool, player, &name).await.unwrap();
    }
    activation_feed::catch_up(&pool).await.unwrap();
    sqlx::query("UPDATE activation_feed_state SET fed_to = 0")
        .execute(&pool)
        .await
        .unwrap();
    activation_feed::catch_up(&pool).await.unwrap();
    let every: Vec<String> = sqlx::query_scalar(
        "SELECT issued_for FROM promo_codes WHERE owner_id = $1 ORDER BY issued_for",
    )
    .bind(player)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(every.len(), 2, "at the 2nd and 4th redeem: {every:?}");
    assert!(every[0].ends_with(":2") && every[1].ends_with(":4"));

    let vips = [
        common::player_with(&pool, "vip", &[]).await,
        common::player_with(&pool, "vip", &[]).await,
    ];
    let (first, second) = tokio::join!(loyalty::sweep(&pool), loyalty::sweep(&pool));
    assert_eq!(first.unwrap() + second.unwrap(), 2);
    assert_eq!(loyalty::sweep(&pool).await.unwrap(), 0);
    for vip in vips {
        let owned = app::core::personal::owned(&pool, vip, 1).await.unwrap();
        assert_eq!(owned.lines.len(), 1);
        assert_eq!(owned.lines[0].state, "open");
    }
    let rules = loyalty::list(&pool).await.unwrap();
    let issued: Vec<(String, i64)> = rules.iter().map(|r| (r.name.clone(), r.issued)).collect();
    assert_eq!(issued, [("every two".into(), 2), ("vip monthly".into(), 2)]);
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM notifications WHERE kind = 'code_issued'"
        )
        .await,
        4
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn what_wants_attention_comes_in_priority_order(pool: PgPool) {
    let admin = common::admin(&pool, "order-admin").await;
    common::code(&pool, common::fixed("PLAIN-A", 5)).await;
    let announced = common::code(&pool, common::fixed("FRESH-NEWS", 7)).await;
    quests::save(
        &pool,
        Actor::Admin(admin),
        &quest("three-codes", vec![step("codes", "", 3)]),
    )
    .await
    .unwrap();
    let player = common::player(&pool).await;
    common::redeem(&pool, player, "PLAIN-A").await.unwrap();
    activation_feed::catch_up(&pool).await.unwrap();
    let mut tx = pool.begin().await.unwrap();
    app::core::personal::issue(
        &mut tx,
        &app::core::personal::Issue {
            owner: player,
            reward: 9,
            currency: "COINS".into(),
            ends_at: app::core::personal::ends_in(3),
            issued_for: "test:order".into(),
            notify: true,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    sqlx::query(
        "INSERT INTO notifications (player_id, kind, params)
         VALUES ($1, 'new_code', jsonb_build_object('code_id', $2::bigint, 'code', 'FRESH-NEWS'))",
    )
    .bind(player)
    .bind(announced)
    .execute(&pool)
    .await
    .unwrap();
    let items = app::core::attention::for_you(&pool, player, Locale::En)
        .await
        .unwrap();
    let kinds: Vec<&str> = items.iter().map(|i| i.kind.as_str()).collect();
    assert_eq!(kinds, ["announced", "personal", "quest"]);
    assert_eq!(items[0].subject, "FRESH-NEWS");
    assert_eq!((items[2].done, items[2].target), (1, 3));
    // Redeemed, an announced code no longer asks for attention.
    common::redeem(&pool, player, "FRESH-NEWS").await.unwrap();
    let items = app::core::attention::for_you(&pool, player, Locale::En)
        .await
        .unwrap();
    assert_eq!(items[0].kind, "personal");
}
