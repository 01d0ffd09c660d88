//! Referrals: both sides are paid once through the activation core however
//! many sign-ups race and however often the activation feed runs or replays;
//! the referrer's cap; the abuse rules (one's own invite, an unknown one, a
//! second invite, sign-ups past an address's threshold held for review);
//! the sign-up form carrying an invite and the pages that show it.

use crate::common;

use std::net::{IpAddr, Ipv4Addr};

use app::core::activation_feed;
use app::core::audit::Actor;
use app::core::auth::{self, SignUpInvite};
use app::core::referrals::{self, Joined, PayOn, Program};
use axum::http::StatusCode;
use sqlx::PgPool;

fn program(pay_on: PayOn, cap: Option<i32>, threshold: i32) -> Program {
    Program {
        enabled: true,
        referee_reward: 100,
        referee_currency: "COINS".into(),
        referrer_reward: 50,
        referrer_currency: "COINS".into(),
        pay_referrer_on: pay_on,
        cap,
        cap_days: 30,
        review_threshold: threshold,
    }
}

async fn set_program(pool: &PgPool, program: &Program) {
    static SAVED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = SAVED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let admin = common::admin(pool, &format!("growth-admin-{n}")).await;
    referrals::save_program(pool, Actor::Admin(admin), program)
        .await
        .unwrap();
}

async fn balance(pool: &PgPool, player_id: i64) -> i64 {
    sqlx::query_scalar("SELECT coalesce(sum(amount), 0)::bigint FROM balances WHERE player_id = $1")
        .bind(player_id)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

async fn sign_up(pool: &PgPool, name: &str, invite: &str, address: IpAddr) -> (i64, Joined) {
    let invite = SignUpInvite {
        code: invite.into(),
        address: Some(address),
    };
    let (account, joined) = auth::sign_up(
        pool,
        name,
        "friend-password",
        "friend-password",
        "en",
        Some(&invite),
    )
    .await
    .unwrap();
    (account.id, joined.unwrap())
}

fn address(n: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(10, 0, 0, n))
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn both_sides_are_paid_once_under_racing_sign_ups_and_feeds(pool: PgPool) {
    let pool = common::wide_pool((*pool.connect_options()).clone()).await;
    set_program(&pool, &program(PayOn::FirstRedeem, Some(5), 100)).await;
    common::code(&pool, common::fixed("WELCOME", 10)).await;
    let referrer = common::player(&pool).await;
    let invite = referrals::invite_code(&pool, referrer).await.unwrap();
    assert_eq!(
        referrals::invite_code(&pool, referrer).await.unwrap(),
        invite,
        "one invite code per player"
    );

    // Twelve friends sign up at once: each is paid at sign-up, once.
    let racing = (0..12u8).map(|i| {
        let (pool, invite) = (pool.clone(), invite.clone());
        tokio::spawn(
            async move { sign_up(&pool, &format!("friend-{i}"), &invite, address(i)).await },
        )
    });
    let friends: Vec<(i64, Joined)> = futures::future::join_all(racing)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert!(friends.iter().all(|(_, j)| *j == Joined::Accepted));
    for (friend, _) in &friends {
        assert_eq!(balance(&pool, *friend).await, 100);
    }
    assert_eq!(
        balance(&pool, referrer).await,
        0,
        "paid at the first redeem"
    );

    // Each friend redeems while three feeders run: the referrer is paid for
    // the first five only (the cap), each once.
    let redeems = friends.iter().map(|(friend, _)| {
        let (pool, friend) = (pool.clone(), *friend);
        tokio::spawn(async move { common::redeem(&pool, friend, "WELCOME").await.unwrap() })
    });
    let feeders = (0..3).map(|_| {
        let pool = pool.clone();
        tokio::spawn(async move {
            for _ in 0..20 {
                activation_feed::catch_up(&pool).await.unwrap();
            }
        })
    });
    futures::future::join_all(redeems).await;
    futures::future::join_all(feeders).await;
    activation_feed::catch_up(&pool).await.unwrap();
    assert_eq!(balance(&pool, referrer).await, 5 * 50);
    let summary = referrals::summary(&pool, referrer).await.unwrap();
    assert_eq!((summary.joined, summary.converted), (12, 12));
    assert_eq!(summary.earned[0].amount, 250);

    // The feed read again from the start changes nothing.
    sqlx::query("UPDATE activation_feed_state SET fed_to = 0")
        .execute(&pool)
        .await
        .unwrap();
    activation_feed::catch_up(&pool).await.unwrap();
    assert_eq!(balance(&pool, referrer).await, 250);
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM outbox_events WHERE topic = 'referral.rewarded'"
        )
        .await,
        12 + 5
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM referrals WHERE referrer_state = 'capped'"
        )
        .await,
        7
    );
    let report = referrals::report::report(&pool).await.unwrap();
    assert_eq!(
        (report.joined, report.converted, report.capped),
        (12, 12, 7)
    );
    assert_eq!(report.top[0].paid, 5);
    common::assert_books_balance(&pool).await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn abuse_rules_hold_refuse_and_review(pool: PgPool) {
    set_program(&pool, &program(PayOn::SignUp, None, 2)).await;
    let referrer = common::player(&pool).await;
    let invite = referrals::invite_code(&pool, referrer).await.unwrap();

    // Two sign-ups from one address a day pass; more wait for review, unpaid.
    let same = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 7));
    let mut joined = Vec::new();
    for i in 0..4 {
        joined.push(sign_up(&pool, &format!("crowd-{i}"), &invite, same).await);
    }
    let states: Vec<&Joined> = joined.iter().map(|(_, j)| j).collect();
    assert_eq!(
        states,
        [
            &Joined::Accepted,
            &Joined::Accepted,
            &Joined::Held,
            &Joined::Held
        ]
    );
    assert_eq!(balance(&pool, joined[2].0).await, 0);
    assert_eq!(balance(&pool, referrer).await, 2 * 50, "paid at sign-up");

    // An admin accepts one (both sides paid now) and rejects the other.
    let admin = common::admin(&pool, "reviewer").await;
    assert!(
        referrals::review(&pool, Actor::Admin(admin), joined[2].0, true)
            .await
            .unwrap()
    );
    assert!(
        referrals::review(&pool, Actor::Admin(admin), joined[3].0, false)
            .await
            .unwrap()
    );
    assert!(
        !referrals::review(&pool, Actor::Admin(admin), joined[2].0, true)
            .await
            .unwrap(),
        "decided once"
    );
    assert_eq!(balance(&pool, joined[2].0).await, 100);
    assert_eq!(balance(&pool, joined[3].0).await, 0);
    assert_eq!(balance(&pool, referrer).await, 3 * 50);

    // One's own invite, an unknown one, a second invite: nothing.
    let mut tx = pool.begin().await.unwrap();
    assert_eq!(
        referrals::join(&mut tx, referrer, &invite, None)
            .await
            .unwrap(),
        Joined::OwnInvite
    );
    assert_eq!(
        referrals::join(&mut tx, joined[0].0, &invite, None)
            .await
            .unwrap(),
        Joined::AlreadyInvited
    );
    tx.rollback().await.unwrap();
    let (stranger, unknown) = sign_up(&pool, "stranger", "NOSUCHCODE", address(9)).await;
    assert_eq!(unknown, Joined::UnknownInvite);
    let (odd, odd_joined) = sign_up(&pool, "odd-one", "<script>", address(9)).await;
    assert_eq!(odd_joined, Joined::UnknownInvite);
    assert_eq!(
        (balance(&pool, stranger).await, balance(&pool, odd).await),
        (0, 0)
    );

    // Switched off, an invite is ignored.
    let mut off = program(PayOn::SignUp, None, 2);
    off.enabled = false;
    set_program(&pool, &off).await;
    let (late, late_joined) = sign_up(&pool, "late", &invite, address(10)).await;
    assert_eq!(late_joined, Joined::NoProgram);
    assert_eq!(balance(&pool, late).await, 0);

    // A program an admin cannot save.
    let mut bad = program(PayOn::SignUp, Some(0), 2);
    bad.referee_reward = -1;
    bad.referee_currency = "NOPE".into();
    let refused = referrals::save_program(&pool, Actor::Admin(admin), &bad).await;
    assert!(
        matches!(refused, Err(app::core::Error::Invalid(_))),
        "{refused:?}"
    );
    common::assert_books_balance(&pool).await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_sign_up_form_carries_the_invite_and_the_pages_show_it(pool: PgPool) {
    use leptos::server_fn::ServerFn;
    set_program(&pool, &program(PayOn::FirstRedeem, None, 3)).await;
    let app = common::app(&pool).await;
    let referrer = common::player_with_password(&pool, "inviter", "inviter-password").await;
    let invite = referrals::invite_code(&pool, referrer).await.unwrap();

    let landing = common::get_page(&app, &format!("/r/{}", invite.to_lowercase()), None).await;
    assert_eq!(landing.status, StatusCode::OK);
    let html = landing.body;
    assert!(html.contains("inviter"), "the landing names who invites");
    assert!(
        html.contains(&format!("invite={invite}")),
        "its sign-up link carries the invite"
    );
    let unknown = common::get_page(&app, "/r/NOPE%3Cb%3E", None).await.body;
    assert!(unknown.contains("invite-unknown"));

    // A plain post of the sign-up form, as a browser without JavaScript sends it.
    let answer = common::post_form(
        &app,
        app::api::SignUp::PATH,
        None,
        &[
            ("username", "newcomer"),
            ("password", "newcomer-password"),
            ("confirm", "newcomer-password"),
            ("next", "/redeem"),
            ("invite", &invite),
        ],
        true,
    )
    .await;
    assert!(answer.status.is_redirection(), "{:?}", answer.status);
    let cookie = answer.cookie.expect("a session");
    let newcomer: i64 = sqlx::query_scalar("SELECT id FROM players WHERE username = 'newcomer'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        referrals::referral_of(&pool, newcomer)
            .await
            .unwrap()
            .map(|r| r.0),
        Some(referrer)
    );
    assert_eq!(balance(&pool, newcomer).await, 100);

    // The newcomer's own invite page; the inviter sees their friend.
    let page = common::get_page(&app, "/invite", Some(&cookie)).await.body;
    assert!(page.contains("id=\"invite-link\""));
    let signed_in = common::player_sign_in(&app, None, "inviter", "inviter-password").await;
    let inviter_cookie = signed_in.cookie.expect("a session");
    let page = common::get_page(&app, "/invite", Some(&inviter_cookie))
        .await
        .body;
    assert!(page.contains("id=\"invite-joined\">1<"), "{page}");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_platform_invites_through_the_api(pool: PgPool) {
    use app::core::api_keys::Scope;
    use common::api_client::{api, key};
    use server::throttle::ThrottleConfig;
    set_program(&pool, &program(PayOn::SignUp, None, 3)).await;
    let api = api(&pool, ThrottleConfig::default()).await;
    let key = key(&pool, &[Scope::Players]).await;
    api.call("PUT", "/api/v1/players/host-1", Some(&key), None, None)
        .await;
    let invite = api
        .call(
            "GET",
            "/api/v1/players/host-1/invite",
            Some(&key),
            None,
            None,
        )
        .await;
    assert_eq!(invite.status, StatusCode::OK, "{}", invite.body);
    let code = invite.body["code"].as_str().unwrap().to_owned();

    let created = api
        .call(
            "PUT",
            "/api/v1/players/host-2",
            Some(&key),
            None,
            Some(serde_json::json!({"invite": code})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["referral"], "accepted");
    // An existing player is not invited.
    let again = api
        .call(
            "PUT",
            "/api/v1/players/host-2",
            Some(&key),
            None,
            Some(serde_json::json!({"invite": code})),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert!(again.body.get("referral").is_none());
    let friend = api
        .call("GET", "/api/v1/players/host-2", Some(&key), None, None)
        .await;
    assert_eq!(friend.body["balances"][0]["amount"], 100);
    let invite = api
        .call(
            "GET",
            "/api/v1/players/host-1/invite",
            Some(&key),
            None,
            None,
        )
        .await;
    assert_eq!(invite.body["joined"], 1);
    assert_eq!(invite.body["earned"][0]["amount"], 50);
    let quests = api
        .call(
            "GET",
            "/api/v1/players/host-2/quests",
            Some(&key),
            None,
            None,
        )
        .await;
    assert_eq!(
        (quests.status, quests.body.clone()),
        (StatusCode::OK, serde_json::json!([]))
    );
    let nobody = api
        .call(
            "GET",
            "/api/v1/players/nobody/quests",
            Some(&key),
            None,
            None,
        )
        .await;
    assert_eq!(nobody.status, StatusCode::NOT_FOUND);
}
