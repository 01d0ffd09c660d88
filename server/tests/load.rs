//! Load without losing requests: the real server binary's home page under
//! many more connections than it serves at once. Every request gets a whole
//! answer (the page, or 503 with `Retry-After`), none is cut off; and a
//! process at its limit refuses the next request at once.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::served::{connect, database_url, free_addr, get, send, start_server, wait_ready};
use futures::future::join_all;
use leptos::server_fn::ServerFn;
use server::throttle::ThrottleConfig;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;
use tower::ServiceExt;

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_real_server_answers_every_page_request_under_load(
    _: PgPoolOptions,
    connect_options: PgConnectOptions,
) {
    let addr = free_addr();
    let mut server = start_server(
        &database_url(&connect_options),
        addr,
        &[("PROMOCODES_MAX_IN_FLIGHT", "24")],
    );
    wait_ready(addr).await;
    // 160 connections, each asking for the home page 5 times in a row.
    let answers = join_all((0..160).map(|_| {
        tokio::spawn(async move {
            let mut seen = Vec::new();
            let Some(mut client) = connect(addr).await else {
                return vec![None];
            };
            for _ in 0..5 {
                let mut page = get("/");
                page.headers_mut()
                    .insert(header::ACCEPT, "text/html".parse().unwrap());
                seen.push(send(&mut client, page).await.map(|a| {
                    // (A body cut off mid-stream is no answer at all: hyper
                    // sees the chunked encoding end early.)
                    let whole = a.body.contains("</html>");
                    let retry = a.headers.get(header::RETRY_AFTER).cloned();
                    (a.status, whole, retry)
                }));
            }
            seen
        })
    }))
    .await;
    server.kill().unwrap();
    server.wait().unwrap();
    let (mut pages, mut refused) = (0, 0);
    for answer in answers.into_iter().flat_map(|a| a.unwrap()) {
        match answer {
            Some((200, true, _)) => pages += 1,
            Some((503, true, Some(retry))) => {
                assert_eq!(retry, "1");
                refused += 1;
            }
            other => panic!("an answer cut off or wrong: {other:?}"),
        }
    }
    eprintln!("{pages} pages, {refused} refused");
    assert_eq!(pages + refused, 800);
    assert!(pages >= 24, "only {pages} pages served");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_request_over_the_limit_is_refused_at_once_with_retry_after(pool: PgPool) {
    let limits = ThrottleConfig {
        max_in_flight: 1,
        ..ThrottleConfig::default()
    };
    let app = common::app_with(
        &pool,
        app::core::abuse::Guard::new(app::core::abuse::Policy::default()),
        limits,
    )
    .await;
    // A form post whose body never ends holds the one place.
    let (held, hold) = tokio::sync::oneshot::channel::<()>();
    let body = futures::stream::once(async move {
        let _ = hold.await;
        Ok::<_, std::io::Error>(axum::body::Bytes::new())
    });
    let holder = tokio::spawn(
        app.clone().oneshot(
            Request::post(app::api::Redeem::PATH)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from_stream(body))
                .unwrap(),
        ),
    );
    tokio::task::yield_now().await;
    let page = |lang: &'static str| {
        Request::get("/")
            .header(header::ACCEPT, "text/html")
            .header(header::ACCEPT_LANGUAGE, lang)
            .body(Body::empty())
            .unwrap()
    };
    let refused = common::send(&app, page("ru")).await;
    assert_eq!(refused.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(refused.retry_after, Some(1));
    assert!(
        refused.body.contains("Сервис перегружен"),
        "{}",
        refused.body
    );
    // Liveness is always answered.
    let health = common::send(&app, Request::get("/healthz").body(Body::empty()).unwrap()).await;
    assert_eq!(health.status, StatusCode::OK);
    // The place is free again once the held request is done.
    drop(held);
    holder.await.unwrap().unwrap();
    let served = common::send(&app, page("en")).await;
    assert_eq!(served.status, StatusCode::OK);
}
