//! Hostile input, at volume: at least 10,000 requests (`FUZZ_CASES`) with
//! random and hostile values (unicode, control characters, very long values,
//! missing, repeated and mistyped fields, broken encodings) to every
//! registered server function and every route, signed out, as a player, as a
//! viewer and as an admin holding the real CSRF token. Every answer must be
//! below 500 and no handler may panic; a refused request must leave every
//! table it could write exactly as it was. `FUZZ_SEED` replays a run.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use app::admin::models::AdminMe;
use app::core::abuse::{Guard, Policy};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Method, Request};
use axum::Router;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use sqlx::PgPool;
use tower::ServiceExt;

/// Every field name a form or server function of ours reads.
const FIELDS: &[&str] = &[
    "code",
    "slug",
    "page",
    "id",
    "username",
    "password",
    "confirm",
    "current",
    "next",
    "csrf",
    "name",
    "q",
    "group",
    "campaign",
    "partner",
    "type",
    "status",
    "sort",
    "enabled",
    "currency",
    "initial_reward",
    "min_reward",
    "decrease_step",
    "activation_limit",
    "starts_at",
    "ends_at",
    "egg_slug",
    "priority",
    "group_id",
    "campaign_id",
    "partner_id",
    "eligible_tiers",
    "eligible_tags",
    "new_player_days",
    "description_en",
    "secret_en",
    "description_ru",
    "secret_ru",
    "count",
    "length",
    "prefix",
    "suffix",
    "pattern",
    "alphabet",
    "reward",
    "channel",
    "contact",
    "payout",
    "payout_currency",
    "notes",
    "description",
    "csv",
    "entity",
    "recent",
    "presets",
    "activation_id",
    "player",
    "expires",
    "sig",
    "link",
    "error",
    "seconds",
    "refused",
    "until",
    "activation",
    "changed",
    "kind",
];

/// Values that broke something somewhere, once.
const HOSTILE: &[&str] = &[
    "",
    " ",
    "0",
    "-1",
    "1",
    "2147483647",
    "2147483648",
    "-2147483649",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "1e309",
    "NaN",
    "inf",
    "0x10",
    "1.5",
    "true",
    "on",
    "off",
    "null",
    "[]",
    "{}",
    "a\0b",
    "\0",
    "\u{7f}",
    "\u{85}",
    "\r\n",
    "\t",
    "/\t/evil.example",
    "//evil.example",
    "/\\evil.example",
    "https://evil.example",
    "javascript:alert(1)",
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "' OR 1=1 --",
    "%00",
    "%FF",
    "../../etc/passwd",
    "=HYPERLINK(\"http://x\")",
    "@SUM(A1)",
    "+1",
    "-1+1",
    "\u{202e}RTL",
    "\u{200b}",
    "ＬＵＣＫＹ-ＤＲＯＰ",
    "ῶΐŉǰ",
    "😀😀😀",
    "\u{fffd}",
    "\u{10ffff}",
    "WELCOME-100",
    "LUCKY-DROP",
    "golden-lantern",
    "silver-key",
    "2026-12-31T18:00",
    "9999-12-31T23:59",
    "0000-01-01T00:00",
    "-275000-01-01T00:00",
    "2026-02-30T25:61",
    "COINS",
    "GEMS",
    "admin",
    "viewer",
    "standard",
    "decreasing",
    "limited",
    "temporary",
    "egg",
    "active",
    "name",
    "activations",
    "ABC-####",
    "####",
    "#",
    "AB",
    "name,reward\nX,1",
    "name,reward\n=X,1\n",
    "name,reward,group\nGOOD-ONE,5,nope",
    "a,b,c\n\"unterminated",
];

fn value(rng: &mut StdRng) -> String {
    match rng.random_range(0..10) {
        0..=4 => HOSTILE.choose(rng).unwrap().to_string(),
        5 => {
            // Very long: up to 100,000 characters of one kind.
            let piece = HOSTILE.choose(rng).unwrap();
            let piece = if piece.is_empty() { "A" } else { piece };
            piece.repeat(
                rng.random_range(10..100_000 / piece.len().max(1))
                    .min(100_000),
            )
        }
        6 => {
            // Random code points, including controls and unassigned ones.
            (0..rng.random_range(1..80))
                .filter_map(|_| char::from_u32(rng.random_range(0..0x3_0000)))
                .collect()
        }
        7 => rng.random::<i64>().to_string(),
        8 => format!(
            "{}{}",
            HOSTILE.choose(rng).unwrap(),
            HOSTILE.choose(rng).unwrap()
        ),
        _ => (0..rng.random_range(1..30))
            .map(|_| rng.random_range(b' '..=b'~') as char)
            .collect(),
    }
}

/// A form body: random fields (some repeated), maybe the real CSRF token.
fn form_body(rng: &mut StdRng, csrf: &str) -> String {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for _ in 0..rng.random_range(0..12) {
        let field = FIELDS.choose(rng).unwrap().to_string();
        pairs.push((field, value(rng)));
    }
    if !csrf.is_empty() && rng.random_bool(0.7) {
        pairs.push(("csrf".into(), csrf.into()));
    }
    let mut body = serde_urlencoded::to_string(&pairs).unwrap();
    match rng.random_range(0..20) {
        0 => body.push_str("&page=%FF%FE"),      // not UTF-8
        1 => body.push_str("&code=%E0%80%80"),   // overlong
        2 => body.push_str("&&&==&%"),           // broken encoding
        3 => body = "{\"code\": [1, 2]}".into(), // JSON where a form is expected
        _ => {}
    }
    body
}

/// Who sends a request.
#[derive(Clone)]
struct Caller {
    cookie: Option<String>,
    csrf: String,
}

/// Row fingerprints of every table a request could change on purpose
/// (wrong-code records, sign-in failures, blocks, sessions and the events of
/// refusals and blocks are written on refusals by design, so they are left out).
async fn fingerprint(pool: &PgPool) -> String {
    const TABLES: &[&str] = &[
        "players",
        "admins",
        "promo_codes",
        "promo_code_texts",
        "activations",
        "balances",
        "ledger_entries",
        "notifications",
        "(SELECT * FROM outbox_events WHERE topic NOT IN ('promo.refused', 'block.created'))",
        "webhook_endpoints",
        "api_keys",
        "idempotency_keys",
        "code_groups",
        "campaigns",
        "partners",
        "series_jobs",
        "audit_log",
        "currencies",
        "app_secrets",
        "referral_program",
        "referral_invites",
        "referrals",
        "quests",
        "quest_texts",
        "quest_steps",
        "loyalty_rules",
        "action_rewards",
    ];
    let sql = TABLES
        .iter()
        .map(|t| {
            format!(
                "(SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM {t} x)"
            )
        })
        .collect::<Vec<_>>()
        .join(" || ");
    sqlx::query_scalar::<_, String>(&format!("SELECT {sql}"))
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Waits for series jobs a fuzzed request started: they write in the
/// background, which would look like a later request's doing.
async fn settle(pool: &PgPool) {
    for _ in 0..600 {
        let running: i64 =
            sqlx::query_scalar("SELECT count(*) FROM series_jobs WHERE status = 'running'")
                .fetch_one(pool)
                .await
                .unwrap();
        if running == 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("a series job did not finish in 30 s");
}

/// Whether an answer says "no": an error status, or a refusal in the body
/// or in the address a plain post is sent back to.
fn refused(status: u16, location: &str, body: &str) -> bool {
    (400..500).contains(&status)
        || ["refused=", "error=", "clone_error="]
            .iter()
            .any(|m| location.contains(m))
        || ["\"Invalid\"", "\"Refused\"", "{\"id\":\""]
            .iter()
            .any(|m| body.contains(m))
        || body.starts_with("{\"Refused\"")
}

async fn admin_caller(app: &Router, username: &str, password: &str) -> Caller {
    let r = common::post_form(
        app,
        "/api/admin/admin_sign_in",
        None,
        &[
            ("username", username),
            ("password", password),
            ("next", "/admin"),
        ],
        false,
    )
    .await;
    let cookie = r.cookie.expect("an admin session");
    let me = common::post_form(app, "/api/admin/whoami", Some(&cookie), &[], false).await;
    let me: AdminMe = serde_json::from_str::<Option<AdminMe>>(&me.body)
        .unwrap()
        .unwrap();
    Caller {
        cookie: Some(cookie),
        csrf: me.csrf,
    }
}

async fn player_caller(app: &Router, pool: &PgPool, player: i64) -> Caller {
    let secret = app::core::auth::link_secret(pool).await.unwrap();
    let link = app::core::auth::sign_link(&secret, player, chrono::Utc::now().timestamp() + 3600);
    let r = common::get_page(app, &format!("/auth/link?{link}"), None).await;
    Caller {
        cookie: Some(r.cookie.expect("a player session")),
        csrf: String::new(),
    }
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn hostile_requests_get_answers_below_500_and_refusals_change_nothing(pool: PgPool) {
    let cases: usize = std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    let seed: u64 = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(rand::random);
    println!("fuzzing with FUZZ_SEED={seed} FUZZ_CASES={cases}");
    let mut rng = StdRng::seed_from_u64(seed);

    app::core::demo::seed(&pool, app::core::demo::Exposure::Loopback)
        .await
        .unwrap();
    // Roomy limits: the point is to reach the handlers, not the throttle.
    let limits = server::throttle::ThrottleConfig {
        redeem_ip: server::throttle::Limit::new(100_000, 10_000),
        redeem_player: server::throttle::Limit::new(100_000, 10_000),
        egg_ip: server::throttle::Limit::new(100_000, 10_000),
        egg_player: server::throttle::Limit::new(100_000, 10_000),
        // Four client addresses: a password check costs ~50 ms, so they are rationed.
        signin_ip: server::throttle::Limit::new(30, 10),
        ..Default::default()
    };
    // Lockouts that never trigger, so the activation paths stay reachable
    // (the lockout has its own tests).
    let guard = Guard::new(Policy {
        player_failures: 1_000_000,
        ip_failures: 1_000_000,
        spread_accounts: 1_000_000,
        ..Policy::default()
    });
    let app = common::app_with(&pool, guard, limits).await;
    // Accounts whose names the fuzzer will not guess, so their sign-ins are never slowed.
    use app::admin::models::Role;
    app::core::admins::create(
        &pool,
        "fuzz-admin-7f3c",
        "fuzz-admin-password",
        Role::Admin,
        false,
    )
    .await
    .unwrap();
    app::core::admins::create(
        &pool,
        "fuzz-viewer-7f3c",
        "fuzz-viewer-password",
        Role::Viewer,
        false,
    )
    .await
    .unwrap();
    let fuzz_player: i64 = sqlx::query_scalar("SELECT id FROM players WHERE username = 'demo'")
        .fetch_one(&pool)
        .await
        .unwrap();

    let mut functions: Vec<(&'static str, Method)> =
        leptos::server_fn::axum::server_fn_paths().collect();
    functions.sort_by_key(|(path, _)| *path);
    assert!(
        functions.len() >= 30,
        "the server functions are registered: {functions:?}"
    );
    let pages: Vec<String> = leptos_axum::generate_route_list(app::App)
        .iter()
        .map(|route| route.path().to_string())
        .chain(
            [
                "/healthz",
                "/readyz",
                "/lang/{x}",
                "/auth/link",
                "/admin/export/codes.csv",
                "/api/v1/openapi.json",
                "/api/v1/docs",
                "/api/v1/players/{x}",
                "/api/v1/players/{x}/redeem",
                "/api/v1/players/{x}/validate",
                "/api/v1/players/{x}/sign-in-link",
                "/api/v1/players/{x}/activations",
                "/api/v1/{x}",
                "/pkg/x.js",
                "/{x}",
            ]
            .map(String::from),
        )
        .collect();

    let panics = Arc::new(AtomicUsize::new(0));
    let hook_panics = panics.clone();
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        hook_panics.fetch_add(1, Ordering::SeqCst);
        default_hook(info);
    }));

    let mut callers: Vec<Caller> = Vec::new();
    let mut failures: Vec<String> = Vec::new();
    let mut served = [0usize; 6];
    for case in 0..cases {
        // Sessions are fuzzed too (sign-outs, password changes): renew them now and then.
        if case % 400 == 0 {
            callers = vec![
                Caller {
                    cookie: None,
                    csrf: String::new(),
                },
                player_caller(&app, &pool, fuzz_player).await,
                admin_caller(&app, "fuzz-viewer-7f3c", "fuzz-viewer-password").await,
                admin_caller(&app, "fuzz-admin-7f3c", "fuzz-admin-password").await,
            ];
        }
        let caller = callers.choose(&mut rng).unwrap().clone();
        let plain = rng.random_bool(0.3);
        let accept = if plain {
            "text/html"
        } else {
            "application/json"
        };
        let (method, uri, body) = if rng.random_bool(0.7) {
            let (path, method) = functions.choose(&mut rng).unwrap().clone();
            let body = form_body(&mut rng, &caller.csrf);
            // Now and then the wrong method, or the arguments in the query.
            match rng.random_range(0..10) {
                0 => (Method::GET, format!("{path}?{body}"), String::new()),
                1 => (Method::PUT, path.to_owned(), body),
                _ => (method, path.to_owned(), body),
            }
        } else {
            let page = pages.choose(&mut rng).unwrap();
            let filled = fill_params(page, &mut rng);
            let query = form_body(&mut rng, "");
            let method = if rng.random_bool(0.9) {
                Method::GET
            } else {
                Method::POST
            };
            (method, format!("{filled}?{query}"), String::new())
        };
        let mut builder = Request::builder()
            .method(method.clone())
            .uri(uri.as_str())
            .header(header::ACCEPT, accept)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(cookie) = &caller.cookie {
            builder = builder.header(header::COOKIE, cookie.as_str());
        }
        if rng.random_bool(0.2) {
            builder = builder.header(
                header::ACCEPT_LANGUAGE,
                value(&mut rng)
                    .chars()
                    .filter(|c| c.is_ascii_graphic())
                    .collect::<String>(),
            );
        }
        let Ok(mut request) = builder.body(Body::from(body.clone())) else {
            continue; // not even a valid HTTP request: no server sees it
        };
        let peer = format!("198.51.100.{}:1234", rng.random_range(1..=4));
        request
            .extensions_mut()
            .insert(ConnectInfo::<std::net::SocketAddr>(peer.parse().unwrap()));

        settle(&pool).await;
        let before = fingerprint(&pool).await;
        let answer = tokio::spawn({
            let app = app.clone();
            async move {
                let response = app.oneshot(request).await.unwrap();
                let status = response.status().as_u16();
                let location = response
                    .headers()
                    .get(header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_owned();
                let bytes = axum::body::to_bytes(response.into_body(), 4 << 20)
                    .await
                    .unwrap_or_default();
                (
                    status,
                    location,
                    String::from_utf8_lossy(&bytes).into_owned(),
                )
            }
        })
        .await;
        let shown: String = format!("{method} {uri} body={body:?}")
            .chars()
            .take(600)
            .collect();
        let Ok((status, location, text)) = answer else {
            failures.push(format!("PANIC on {shown}"));
            continue;
        };
        served[(status / 100) as usize] += 1;
        if status >= 500 {
            failures.push(format!(
                "{status} on {shown}: {}",
                text.chars().take(200).collect::<String>()
            ));
        } else if refused(status, &location, &text) && fingerprint(&pool).await != before {
            failures.push(format!(
                "refused ({status}) but changed the database: {shown}"
            ));
        }
        if failures.len() >= 20 {
            break;
        }
    }
    let _ = std::panic::take_hook();
    println!("answers by class (1xx..5xx): {:?}", &served[1..]);
    assert!(
        failures.is_empty() && panics.load(Ordering::SeqCst) == 0,
        "FUZZ_SEED={seed}: {} problems, {} panics:\n{}",
        failures.len(),
        panics.load(Ordering::SeqCst),
        failures.join("\n")
    );
    assert!(
        served[2] + served[3] > cases / 10,
        "most requests were turned away before any handler: {served:?}"
    );
    common::assert_books_balance(&pool).await;
}

/// A route path with its `{param}` and `:param` segments filled.
fn fill_params(path: &str, rng: &mut StdRng) -> String {
    path.split('/')
        .map(|segment| {
            if segment.starts_with(':') || segment.starts_with('{') || segment.starts_with('*') {
                let raw = value(rng);
                let short: String = raw.chars().take(300).collect();
                url_segment(&short)
            } else {
                segment.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Percent-encodes a path segment (every byte outside unreserved characters).
fn url_segment(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
