//! The dashboard at the HTTP level (the real router, `oneshot`): sign-in,
//! roles, CSRF, validation, the sign-in guard, the CSV export; and the
//! admin core against PostgreSQL: series, import, clone, delete, audit.

use crate::common;

use common::{send, Response};

use app::admin::models::*;
use app::core::audit::Actor;
use app::core::{admins, series};

/// What the dashboard's server functions do with their forms (read them into
/// the core's commands, call the core, map its problems to fields), for the
/// tests that skip HTTP.
mod manage {
    use app::admin::forms;
    use app::admin::models::*;
    use app::core::audit::Actor;
    use app::core::paging::Page;
    use app::core::{code_admin, code_list, Error};
    use sqlx::PgPool;

    fn invalid(e: Error) -> Vec<FieldError> {
        match e {
            Error::Invalid(problems) => forms::code_errors(&problems),
            other => panic!("{other}"),
        }
    }

    pub async fn create(
        pool: &PgPool,
        admin: i64,
        form: &CodeForm,
    ) -> Result<i64, Vec<FieldError>> {
        let (code, texts) = forms::code_draft(form)
            .read()
            .map_err(|p| forms::draft_errors(&p))?;
        code_admin::create(pool, Actor::Admin(admin), &code, &texts)
            .await
            .map_err(invalid)
    }

    pub async fn update(
        pool: &PgPool,
        admin: i64,
        id: i64,
        form: &CodeForm,
    ) -> Result<(), Vec<FieldError>> {
        let (code, texts) = forms::code_draft(form)
            .read()
            .map_err(|p| forms::draft_errors(&p))?;
        code_admin::update(pool, Actor::Admin(admin), id, &code, &texts)
            .await
            .map_err(invalid)
    }

    pub async fn clone(
        pool: &PgPool,
        admin: i64,
        id: i64,
        name: &str,
    ) -> Result<i64, Vec<FieldError>> {
        code_admin::clone(pool, Actor::Admin(admin), id, name)
            .await
            .map_err(invalid)
    }

    pub async fn load_form(pool: &PgPool, id: i64) -> Result<Option<CodeDetail>, Error> {
        Ok(code_admin::stored(pool, id).await?.map(forms::code_detail))
    }

    pub async fn list(pool: &PgPool, filter: &CodeFilter, size: i64) -> Result<CodeList, Error> {
        code_list::list(
            pool,
            &forms::code_query(filter),
            Page::new(filter.page(), size),
        )
        .await
    }

    pub use code_admin::{delete, set_enabled};
}

/// The import as the dashboard's server function answers it.
mod csv_io {
    pub use app::core::csv_export::EXPORT_HEADER;

    pub async fn import(
        pool: &sqlx::PgPool,
        admin: i64,
        text: &str,
    ) -> Result<app::admin::models::ImportOutcome, app::core::Error> {
        use app::admin::models::ImportOutcome;
        use app::core::csv_import::{self, Imported};
        Ok(match csv_import::import(pool, admin, text).await? {
            Imported::Stored(n) => ImportOutcome::Imported(n),
            Imported::Refused(problems) => {
                ImportOutcome::Refused(app::admin::forms::import_problems(problems))
            }
        })
    }
}

/// A series form as the dashboard reads it.
fn spec(form: &SeriesForm) -> series::SeriesSpec {
    app::admin::forms::series_spec(form).expect("a readable series form")
}
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use sqlx::PgPool;

/// A server-function call as the hydrated app makes it (JSON back).
async fn call(
    app: &Router,
    cookie: Option<&str>,
    endpoint: &str,
    form: &[(&str, &str)],
) -> Response {
    let mut request = Request::post(format!("/api/admin/{endpoint}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    let body = serde_urlencoded::to_string(form).unwrap();
    send(app, request.body(Body::from(body)).unwrap()).await
}

/// Signs in; returns the session cookie and the CSRF token.
async fn sign_in(app: &Router, username: &str, password: &str) -> (String, String) {
    common::admin_sign_in(app, username, password).await
}

async fn accounts(pool: &PgPool) {
    admins::create(pool, "boss", "boss-password", Role::Admin, false)
        .await
        .unwrap();
    admins::create(pool, "watcher", "watcher-password", Role::Viewer, false)
        .await
        .unwrap();
}

fn code_form<'a>(csrf: &'a str, name: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("id", ""),
        ("name", name),
        ("currency", "COINS"),
        ("initial_reward", "100"),
        ("enabled", "on"),
        ("description_en", "A gift"),
        ("description_ru", "Подарок"),
    ]
}

async fn code_count(pool: &PgPool) -> i64 {
    sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM promo_codes"#)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn wrong_passwords_are_refused_and_pages_need_a_signed_in_admin(pool: PgPool) {
    accounts(&pool).await;
    let app = common::app(&pool).await;
    let refused = call(
        &app,
        None,
        "admin_sign_in",
        &[
            ("username", "boss"),
            ("password", "nope-nope-nope"),
            ("next", ""),
        ],
    )
    .await;
    let refused: Option<app::models::FormError> = serde_json::from_str(&refused.body).unwrap();
    assert_eq!(refused.unwrap().id, "admin-signin-error");
    let unknown = call(
        &app,
        None,
        "admin_sign_in",
        &[
            ("username", "nobody"),
            ("password", "nope-nope-nope"),
            ("next", ""),
        ],
    )
    .await;
    assert!(unknown.body.contains("admin-signin-error"));

    for path in [
        "/admin",
        "/admin/codes?q=x",
        "/admin/codes/1",
        "/admin/audit",
    ] {
        let r = send(&app, Request::get(path).body(Body::empty()).unwrap()).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}");
        let expected = format!(
            "/admin/signin?{}",
            serde_urlencoded::to_string([("next", path)]).unwrap()
        );
        assert_eq!(r.location, expected);
    }
    // Reading data needs a session too.
    let list = call(&app, None, "list_codes", &[]).await;
    assert_eq!(list.status, StatusCode::UNAUTHORIZED);
    let export = send(
        &app,
        Request::get("/admin/export/codes.csv")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(export.status, StatusCode::SEE_OTHER);
    assert!(
        export.location.starts_with("/admin/signin?next="),
        "{}",
        export.location
    );
    assert!(!export.body.contains("name,"));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn changes_need_the_admin_role_and_the_csrf_token(pool: PgPool) {
    accounts(&pool).await;
    let app = common::app(&pool).await;
    let (cookie, csrf) = sign_in(&app, "boss", "boss-password").await;

    // No token, a wrong token, another session's token: refused, nothing stored.
    for token in ["", "0000", "deadbeef"] {
        let r = call(
            &app,
            Some(&cookie),
            "save_code",
            &code_form(token, "CSRF-TEST"),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{token:?}: {}", r.body);
    }
    let (viewer_cookie, viewer_csrf) = sign_in(&app, "watcher", "watcher-password").await;
    let r = call(
        &app,
        Some(&cookie),
        "save_code",
        &code_form(&viewer_csrf, "CSRF-TEST"),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "a token from another session"
    );
    assert_eq!(code_count(&pool).await, 0);

    // A viewer reads but cannot change anything, token or not.
    let list = call(&app, Some(&viewer_cookie), "list_codes", &[]).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    for (endpoint, form) in [
        ("save_code", code_form(&viewer_csrf, "VIEWER-CODE")),
        (
            "save_group",
            vec![("csrf", viewer_csrf.as_str()), ("name", "Viewers")],
        ),
        (
            "save_partner",
            vec![
                ("csrf", viewer_csrf.as_str()),
                ("name", "P"),
                ("currency", "COINS"),
            ],
        ),
        (
            "import_codes",
            vec![
                ("csrf", viewer_csrf.as_str()),
                ("csv", "name,reward\nVIEWER-IMPORT,5"),
            ],
        ),
        (
            "set_code_enabled",
            vec![
                ("csrf", viewer_csrf.as_str()),
                ("id", "1"),
                ("enabled", "false"),
            ],
        ),
        (
            "delete_code",
            vec![("csrf", viewer_csrf.as_str()), ("id", "1")],
        ),
    ] {
        let r = call(&app, Some(&viewer_cookie), endpoint, &form).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{endpoint}: {}", r.body);
    }
    assert_eq!(code_count(&pool).await, 0);

    // A page of another site posting with the admin's cookie is refused before anything runs.
    let cross = Request::post("/api/admin/save_code")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, &cookie)
        .header(header::HOST, "promo.example")
        .header(header::ORIGIN, "https://evil.example")
        .body(Body::from(
            serde_urlencoded::to_string(code_form(&csrf, "CROSS-SITE")).unwrap(),
        ))
        .unwrap();
    assert_eq!(send(&app, cross).await.status, StatusCode::FORBIDDEN);
    let fetch_site = Request::post("/api/admin/save_code")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, &cookie)
        .header("sec-fetch-site", "cross-site")
        .body(Body::from(
            serde_urlencoded::to_string(code_form(&csrf, "CROSS-SITE")).unwrap(),
        ))
        .unwrap();
    assert_eq!(send(&app, fetch_site).await.status, StatusCode::FORBIDDEN);
    assert_eq!(code_count(&pool).await, 0);

    // The admin with the right token succeeds, and the change is audited.
    let r = call(
        &app,
        Some(&cookie),
        "save_code",
        &code_form(&csrf, "Spring Gift"),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let Saved::Ok(id) = serde_json::from_str(&r.body).unwrap() else {
        panic!("{}", r.body)
    };
    let audit = sqlx::query!(
        r#"SELECT a.username, l.action, l.after->>'normalized' AS "normalized!" FROM audit_log l JOIN admins a ON a.id = l.admin_id WHERE l.entity = 'code' AND l.entity_id = $1"#,
        id
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        (
            audit.username.as_str(),
            audit.action.as_str(),
            audit.normalized.as_str()
        ),
        ("boss", "create", "SPRINGGIFT")
    );

    // Signing out ends it: the same cookie and token no longer work.
    let out = call(&app, Some(&cookie), "admin_sign_out", &[("csrf", &csrf)]).await;
    assert!(out.status.is_success() || out.status.is_redirection());
    let r = call(
        &app,
        Some(&cookie),
        "save_code",
        &code_form(&csrf, "AFTER-SIGN-OUT"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_server_refuses_invalid_codes_field_by_field(pool: PgPool) {
    accounts(&pool).await;
    let app = common::app(&pool).await;
    let (cookie, csrf) = sign_in(&app, "boss", "boss-password").await;
    assert!(matches!(
        serde_json::from_str(
            &call(
                &app,
                Some(&cookie),
                "save_code",
                &code_form(&csrf, "summer-26")
            )
            .await
            .body
        )
        .unwrap(),
        Saved::Ok(_)
    ));
    let before = code_count(&pool).await;
    // (fields changed from a valid form, the field refused, its message)
    type Case<'a> = (Vec<(&'a str, &'a str)>, &'a str, &'a str);
    let cases: Vec<Case> = vec![
        (
            vec![("min_reward", "500"), ("decrease_step", "10")],
            "min_reward",
            "admin-error-min-above-initial",
        ),
        (
            vec![
                ("starts_at", "2026-12-31T10:00"),
                ("ends_at", "2026-12-01T10:00"),
            ],
            "ends_at",
            "admin-error-end-before-start",
        ),
        (
            vec![("name", " Summer 26 ")],
            "name",
            "admin-error-duplicate-name",
        ),
        (
            vec![("name", "ＳＵＭＭＥＲ-２６")],
            "name",
            "admin-error-duplicate-name",
        ),
        (vec![("name", "bad!name")], "name", "admin-error-name-chars"),
        (
            vec![("initial_reward", "ten")],
            "initial_reward",
            "admin-error-number",
        ),
        (
            vec![("initial_reward", "0")],
            "initial_reward",
            "admin-error-positive",
        ),
        (
            vec![("activation_limit", "-3")],
            "activation_limit",
            "admin-error-positive",
        ),
        (
            vec![("egg_slug", "Not A Slug")],
            "egg_slug",
            "admin-error-slug",
        ),
        (
            vec![("decrease_step", "1000")],
            "decrease_step",
            "admin-error-step",
        ),
        (
            vec![("currency", "DOGE")],
            "currency",
            "admin-error-currency",
        ),
        (
            vec![("group_id", "999999")],
            "group_id",
            "admin-error-reference",
        ),
    ];
    for (changes, field, message) in cases {
        let mut form = code_form(&csrf, "NEW-ONE");
        for (k, v) in &changes {
            form.retain(|(f, _)| f != k);
            form.push((k, v));
        }
        let r = call(&app, Some(&cookie), "save_code", &form).await;
        let saved: Saved =
            serde_json::from_str(&r.body).unwrap_or_else(|_| panic!("{changes:?}: {}", r.body));
        let Saved::Invalid(errors) = saved else {
            panic!("{changes:?} was accepted")
        };
        assert!(
            errors
                .iter()
                .any(|e| e.field == field && e.message == message),
            "{changes:?}: {errors:?}"
        );
    }
    assert_eq!(code_count(&pool).await, before, "nothing was stored");

    // Without JavaScript the form comes back with what was typed and why,
    // kept in the session for that page, never in the address: a form may
    // hold a secret message.
    let plain = Request::post("/api/admin/save_code")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html")
        .header(header::COOKIE, &cookie)
        .body(Body::from(
            serde_urlencoded::to_string([
                ("csrf", csrf.as_str()),
                ("name", "PLAIN"),
                ("initial_reward", "5"),
                ("min_reward", "50"),
                ("currency", "COINS"),
                ("secret_en", "the treasure is under the oak"),
            ])
            .unwrap(),
        ))
        .unwrap();
    let r = send(&app, plain).await;
    assert!(r.status.is_redirection(), "{:?}", r.status);
    assert_eq!(r.location, "/admin/codes/new?refused=1");
    let page = |cookie: String| {
        let app = app.clone();
        async move {
            send(
                &app,
                Request::get("/admin/codes/new?refused=1")
                    .header(header::COOKIE, cookie)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
        }
    };
    let shown = page(cookie.clone()).await;
    assert_eq!(shown.status, StatusCode::OK);
    for typed in [
        "value=\"PLAIN\"",
        "the treasure is under the oak",
        "The minimum cannot be above the reward.",
    ] {
        assert!(shown.body.contains(typed), "{typed:?} is not shown again");
    }
    assert!(
        !shown
            .body
            .contains(&format!("value=\"{csrf}\"\u{20}name=\"name\"")),
        "the token is not put in a field"
    );
    let again = page(cookie.clone()).await;
    assert!(
        !again.body.contains("the treasure is under the oak"),
        "a draft is shown once"
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn an_idle_admin_session_expires(pool: PgPool) {
    const IDLE: std::time::Duration = std::time::Duration::from_secs(30 * 60);
    use std::sync::Arc;
    use tower_sessions::Session;
    accounts(&pool).await;
    let policy = app::core::sign_in_limit::SignInPolicy::default();
    let admin = admins::authenticate(&pool, &policy, "boss", "boss-password")
        .await
        .expect("the right password is accepted");
    let store = app::auth::SessionTable::new(
        pool.clone(),
        app::auth::SignedIn::new(std::time::Duration::from_secs(2), 100),
    );
    let session = Session::new(None, Arc::new(store), None);
    app::admin::session::sign_in_session(&session, &admin)
        .await
        .unwrap();
    assert!(app::admin::session::current(&pool, &session, IDLE)
        .await
        .unwrap()
        .is_some());
    let mut data: app::admin::session::AdminSessionData = session
        .get(app::admin::session::SESSION_KEY)
        .await
        .unwrap()
        .unwrap();
    data.last_seen -= IDLE.as_secs() as i64 + 1;
    session
        .insert(app::admin::session::SESSION_KEY, &data)
        .await
        .unwrap();
    assert!(
        app::admin::session::current(&pool, &session, IDLE)
            .await
            .unwrap()
            .is_none(),
        "idle too long"
    );
    assert!(
        session
            .get::<app::admin::session::AdminSessionData>(app::admin::session::SESSION_KEY)
            .await
            .unwrap()
            .is_none(),
        "and signed out"
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_export_streams_the_filtered_list_as_csv(pool: PgPool) {
    accounts(&pool).await;
    let app = common::app(&pool).await;
    let (cookie, csrf) = sign_in(&app, "watcher", "watcher-password").await;
    let _ = csrf;
    for (name, limit) in [("ALPHA-1", ""), ("ALPHA-2", "5"), ("BETA-1", "")] {
        let form = CodeForm {
            name: name.into(),
            currency: "COINS".into(),
            initial_reward: "10".into(),
            activation_limit: limit.into(),
            enabled: Some("on".into()),
            ..CodeForm::default()
        };
        manage::create(&pool, 1, &form).await.unwrap();
    }
    let r = send(
        &app,
        Request::get("/admin/export/codes.csv?q=alpha&sort=name")
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let mut reader = csv::Reader::from_reader(r.body.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        csv_io::EXPORT_HEADER
    );
    let names: Vec<String> = reader.records().map(|r| r.unwrap()[1].to_owned()).collect();
    assert_eq!(names, ["ALPHA-1", "ALPHA-2"]);
    let limited = send(
        &app,
        Request::get("/admin/export/codes.csv?type=limited")
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(limited.body.lines().count(), 2, "{}", limited.body);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_series_is_unique_stored_whole_and_cancellable(pool: PgPool) {
    accounts(&pool).await;
    let existing = common::code(&pool, common::fixed("GIFT-AAAA-AAAA-AAAA", 5)).await;
    let form = SeriesForm {
        name: "Winter".into(),
        count: "20000".into(),
        pattern: "gift-####-####-####".into(),
        alphabet: "ACDEFGHJKMNPQRTUVWXY34679".into(),
        ..SeriesForm::defaults()
    };
    let job = series::start(&pool, Some(Actor::Admin(1)), &spec(&form))
        .await
        .unwrap();
    assert_eq!(series::run(&pool, job).await.unwrap(), JobStatus::Done);
    let stats = sqlx::query!(
        r#"SELECT count(*) AS "n!", count(DISTINCT normalized) AS "distinct!",
                  bool_and(normalized ~ '^GIFT[ACDEFGHJKMNPQRTUVWXY34679]{12}$') AS "shape!",
                  bool_and(activation_limit = 1 AND initial_reward = 100) AS "shared!"
             FROM promo_codes c JOIN code_groups g ON g.id = c.group_id
            WHERE g.name = 'Winter' AND g.kind = 'series'"#
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        (stats.n, stats.distinct, stats.shape, stats.shared),
        (20_000, 20_000, true, true)
    );
    assert!(
        sqlx::query_scalar!("SELECT id FROM promo_codes WHERE id = $1", existing)
            .fetch_one(&pool)
            .await
            .is_ok()
    );
    let jobs = series::jobs(&pool, Some(job)).await.unwrap();
    assert_eq!((jobs[0].status, jobs[0].done), (JobStatus::Done, 20_000));
    assert!(jobs[0].entropy_bits > 55.0);
    // Every series code redeems like any other.
    let player = common::player(&pool).await;
    let name = sqlx::query_scalar!("SELECT c.name FROM promo_codes c JOIN code_groups g ON g.id = c.group_id WHERE g.name = 'Winter' LIMIT 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    common::redeem(&pool, player, &name.to_lowercase())
        .await
        .unwrap();

    // The same name again is refused; too small a pattern is refused.
    assert!(matches!(
        series::start(&pool, Some(Actor::Admin(1)), &spec(&form)).await,
        Err(app::core::Error::Invalid(_))
    ));
    let small = SeriesForm {
        name: "Tiny".into(),
        count: "1000".into(),
        pattern: "T-####".into(),
        ..SeriesForm::defaults()
    };
    assert!(matches!(
        series::start(&pool, Some(Actor::Admin(1)), &spec(&small)).await,
        Err(app::core::Error::Invalid(_))
    ));

    // A cancelled job leaves nothing behind.
    let before = code_count(&pool).await;
    let cancelled = SeriesForm {
        name: "Cancelled".into(),
        count: "200000".into(),
        ..SeriesForm::defaults()
    };
    let job = series::start(&pool, Some(Actor::Admin(1)), &spec(&cancelled))
        .await
        .unwrap();
    let runner = tokio::spawn({
        let pool = pool.clone();
        async move { series::run(&pool, job).await.unwrap() }
    });
    // Wait for the first chunk, then cancel.
    loop {
        let done = sqlx::query_scalar!("SELECT done FROM series_jobs WHERE id = $1", job)
            .fetch_one(&pool)
            .await
            .unwrap();
        if done > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(series::cancel(&pool, 1, job).await.unwrap());
    assert_eq!(runner.await.unwrap(), JobStatus::Cancelled);
    assert_eq!(code_count(&pool).await, before);
    let groups =
        sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM code_groups WHERE name = 'Cancelled'"#)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(groups, 0);
    common::assert_books_balance(&pool).await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn an_import_stores_every_line_or_none(pool: PgPool) {
    accounts(&pool).await;
    common::code(&pool, common::fixed("TAKEN-1", 5)).await;
    let bad = "name,reward,currency,activation_limit,ends_at,description_ru\n\
               GOOD-1,100,COINS,10,2027-01-01,Хорошо\n\
               taken 1,50,COINS,,,\n\
               GOOD-2,-5,COINS,,,\n\
               GOOD-3,5,DOGE,,,\n\
               good1,5,COINS,,,\n\
               \"GOOD,4\",5,COINS,,,\n\
               GOOD-5,5,COINS,,not-a-date,\n";
    let ImportOutcome::Refused(errors) = csv_io::import(&pool, 1, bad).await.unwrap() else {
        panic!("a bad file was imported")
    };
    let lines: Vec<(usize, &str)> = errors.iter().map(|(l, m, _)| (*l, m.as_str())).collect();
    for expected in [
        (3, "admin-error-duplicate-name"),
        (4, "admin-error-positive"),
        (5, "admin-error-currency"),
        (6, "admin-import-error-repeated"),
        (7, "admin-error-name-chars"),
        (8, "admin-error-time"),
    ] {
        assert!(lines.contains(&expected), "{expected:?} in {lines:?}");
    }
    assert!(
        !lines.iter().any(|(l, _)| *l == 2),
        "line 2 is fine: {lines:?}"
    );
    assert_eq!(code_count(&pool).await, 1, "nothing imported");

    let header_only = csv_io::import(&pool, 1, "name,bonus\n").await.unwrap();
    assert!(
        matches!(header_only, ImportOutcome::Refused(ref e) if e.iter().any(|(l, m, _)| *l == 1 && m == "admin-import-error-column"))
    );

    let good = "name,reward,activation_limit,description_en,description_ru\nNEW-1,100,10,Gift,Подарок\nNEW-2,5,,,\n";
    assert_eq!(
        csv_io::import(&pool, 1, good).await.unwrap(),
        ImportOutcome::Imported(2)
    );
    let text = sqlx::query_scalar!("SELECT t.description FROM promo_code_texts t JOIN promo_codes c ON c.id = t.code_id WHERE c.normalized = 'NEW1' AND t.locale = 'ru'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(text, "Подарок");
    let audited =
        sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM audit_log WHERE action = 'import'"#)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(audited, 2);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn clone_copies_everything_and_delete_needs_no_activations(pool: PgPool) {
    accounts(&pool).await;
    let form = CodeForm {
        name: "ORIGINAL".into(),
        currency: "GEMS".into(),
        initial_reward: "500".into(),
        min_reward: "50".into(),
        decrease_step: "25".into(),
        activation_limit: "10".into(),
        ends_at: "2099-01-01T00:00".into(),
        eligible_tiers: "vip, gold".into(),
        priority: "7".into(),
        enabled: Some("on".into()),
        description_en: "Original".into(),
        secret_ru: "Секрет".into(),
        ..CodeForm::default()
    };
    let id = manage::create(&pool, 1, &form).await.unwrap();
    let copy = manage::clone(&pool, 1, id, "the copy").await.unwrap();
    let a = manage::load_form(&pool, id).await.unwrap().unwrap().form;
    let b = manage::load_form(&pool, copy).await.unwrap().unwrap().form;
    assert_eq!(b.name, "the copy");
    assert_eq!(
        CodeForm {
            id: String::new(),
            name: String::new(),
            ..a.clone()
        },
        CodeForm {
            id: String::new(),
            name: String::new(),
            ..b
        }
    );
    assert!(manage::clone(&pool, 1, id, "Original").await.is_err());

    // Used once: it cannot be deleted, and its limit cannot go below its count.
    let player = common::player_with(&pool, "vip", &[]).await;
    common::redeem(&pool, player, "ORIGINAL").await.unwrap();
    assert!(matches!(
        manage::delete(&pool, Actor::Admin(1), id).await,
        Err(app::core::Error::InUse)
    ));
    let lower = CodeForm {
        activation_limit: "0".into(),
        ..a.clone()
    };
    assert!(manage::update(&pool, 1, id, &lower).await.is_err());
    // A new schedule applies from the next activation on.
    let cheaper = CodeForm {
        initial_reward: "400".into(),
        ..a.clone()
    };
    manage::update(&pool, 1, id, &cheaper).await.unwrap();
    let detail = manage::load_form(&pool, id).await.unwrap().unwrap();
    assert_eq!((detail.activation_count, detail.current_reward), (1, 375));
    manage::set_enabled(&pool, Actor::Admin(1), id, false)
        .await
        .unwrap();
    assert_eq!(
        manage::load_form(&pool, id).await.unwrap().unwrap().status,
        CodeStatus::Disabled
    );
    // Never used: it can.
    manage::delete(&pool, Actor::Admin(1), copy).await.unwrap();
    assert!(manage::load_form(&pool, copy).await.unwrap().is_none());

    let actions: Vec<String> = sqlx::query_scalar!("SELECT action FROM audit_log ORDER BY id")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(actions, ["create", "clone", "update", "disable", "delete"]);
    let change = sqlx::query!(
        r#"SELECT before->>'initial_reward' AS "b!", after->>'initial_reward' AS "a!" FROM audit_log WHERE action = 'update'"#
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((change.b.as_str(), change.a.as_str()), ("500", "400"));
    common::assert_books_balance(&pool).await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_list_filters_sorts_and_pages(pool: PgPool) {
    accounts(&pool).await;
    for (i, (name, limit, step, starts)) in [
        ("LIST-STANDARD", "", "", ""),
        ("LIST-LIMITED", "1", "", ""),
        ("LIST-DECREASING", "", "10", ""),
        ("LIST-LATER", "", "", "2099-01-01"),
    ]
    .into_iter()
    .enumerate()
    {
        let form = CodeForm {
            name: name.into(),
            currency: "COINS".into(),
            initial_reward: "100".into(),
            activation_limit: limit.into(),
            decrease_step: step.into(),
            starts_at: starts.into(),
            priority: i.to_string(),
            enabled: Some("on".into()),
            ..CodeForm::default()
        };
        manage::create(&pool, 1, &form).await.unwrap();
    }
    let player = common::player(&pool).await;
    common::redeem(&pool, player, "LIST-LIMITED").await.unwrap();
    let names = |list: CodeList| list.rows.into_iter().map(|r| r.name).collect::<Vec<_>>();
    let f = |kind: &str, status: &str, sort: &str| CodeFilter {
        kind: kind.into(),
        status: status.into(),
        sort: sort.into(),
        ..CodeFilter::default()
    };
    assert_eq!(
        names(
            manage::list(&pool, &f("", "exhausted", ""), 25)
                .await
                .unwrap()
        ),
        ["LIST-LIMITED"]
    );
    assert_eq!(
        names(
            manage::list(&pool, &f("", "scheduled", ""), 25)
                .await
                .unwrap()
        ),
        ["LIST-LATER"]
    );
    assert_eq!(
        names(
            manage::list(&pool, &f("decreasing", "", ""), 25)
                .await
                .unwrap()
        ),
        ["LIST-DECREASING"]
    );
    assert_eq!(
        names(
            manage::list(&pool, &f("standard", "", ""), 25)
                .await
                .unwrap()
        ),
        ["LIST-STANDARD"]
    );
    assert_eq!(
        names(
            manage::list(&pool, &f("", "", "priority"), 25)
                .await
                .unwrap()
        ),
        [
            "LIST-LATER",
            "LIST-DECREASING",
            "LIST-LIMITED",
            "LIST-STANDARD"
        ]
    );
    assert_eq!(
        names(
            manage::list(&pool, &f("", "", "activations"), 1)
                .await
                .unwrap()
        ),
        ["LIST-LIMITED"]
    );
    let search = CodeFilter {
        q: "list decr".into(),
        ..CodeFilter::default()
    };
    assert_eq!(
        names(manage::list(&pool, &search, 25).await.unwrap()),
        ["LIST-DECREASING"]
    );
    let paged = manage::list(
        &pool,
        &CodeFilter {
            page: "2".into(),
            ..CodeFilter::default()
        },
        3,
    )
    .await
    .unwrap();
    assert_eq!(
        (paged.total, paged.rows.len(), paged.has_next),
        (4, 1, false)
    );
    // Hostile input is just a search that finds nothing.
    let odd = CodeFilter {
        q: "%' OR 1=1 --".into(),
        group: "x".into(),
        sort: "drop table".into(),
        page: "-9".into(),
        ..CodeFilter::default()
    };
    assert_eq!(manage::list(&pool, &odd, 25).await.unwrap().total, 0);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_series_prints_as_cards_and_growth_forms_save_or_refuse(pool: PgPool) {
    accounts(&pool).await;
    let app = common::app(&pool).await;
    let (cookie, csrf) = sign_in(&app, "boss", "boss-password").await;
    let form = SeriesForm {
        name: "Flyers".into(),
        count: "20".into(),
        pattern: "fly-####-####-####".into(),
        ..SeriesForm::defaults()
    };
    let job = series::start(&pool, Some(Actor::Admin(1)), &spec(&form))
        .await
        .unwrap();
    assert_eq!(series::run(&pool, job).await.unwrap(), JobStatus::Done);

    // Page 1 holds a printed page of cards, each with its code and a QR code
    // of the prefilled redeem link; page 2 the rest.
    let sheet = common::get_page(&app, &format!("/admin/series/{job}/print"), Some(&cookie)).await;
    assert_eq!(sheet.status, StatusCode::OK);
    let cards = sheet.body.matches("class=\"sheet-card\"").count() as i64;
    assert_eq!(cards, app::admin::models::SHEET_CARDS);
    assert_eq!(
        sheet.body.matches("<svg").count() as i64,
        cards,
        "one QR code a card"
    );
    assert!(sheet.body.contains("id=\"sheet-next\""));
    let second = common::get_page(
        &app,
        &format!("/admin/series/{job}/print?page=2"),
        Some(&cookie),
    )
    .await;
    assert_eq!(
        second.body.matches("class=\"sheet-card\"").count() as i64,
        20 - app::admin::models::SHEET_CARDS
    );
    let missing = common::get_page(&app, "/admin/series/999999/print", Some(&cookie)).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    // The growth forms: saved, or refused field by field (nothing saved).
    let saved = call(
        &app,
        Some(&cookie),
        "save_quest",
        &[
            ("csrf", &csrf),
            ("slug", "flyer-hunt"),
            ("title_en", "Flyer hunt"),
            ("reward", "40"),
            ("currency", "COINS"),
            ("enabled", "on"),
            ("step1_kind", "group"),
            ("step1_subject", "Flyers"),
            ("step1_target", "2"),
        ],
    )
    .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert!(
        matches!(serde_json::from_str(&saved.body), Ok(Saved::Ok(id)) if id > 0),
        "{}",
        saved.body
    );
    let refused = call(
        &app,
        Some(&cookie),
        "save_quest",
        &[
            ("csrf", &csrf),
            ("slug", "ghost"),
            ("title_en", "Ghost"),
            ("reward", "x"),
            ("step1_kind", "code"),
            ("step1_subject", "NO-SUCH-CODE"),
        ],
    )
    .await;
    assert!(refused.body.contains("reward"), "{}", refused.body);
    let refused = call(
        &app,
        Some(&cookie),
        "save_loyalty_rule",
        &[
            ("csrf", &csrf),
            ("name", "steady"),
            ("kind", "every_n"),
            ("value", "0"),
            ("reward", "10"),
            ("currency", "COINS"),
            ("code_days", "7"),
        ],
    )
    .await;
    assert!(
        refused.body.contains("admin-error-rule-value"),
        "{}",
        refused.body
    );
    let saved = call(
        &app,
        Some(&cookie),
        "save_referral_program",
        &[
            ("csrf", &csrf),
            ("enabled", "on"),
            ("referee_reward", "100"),
            ("referee_currency", "COINS"),
            ("referrer_reward", "50"),
            ("referrer_currency", "COINS"),
            ("pay_referrer_on", "sign_up"),
            ("cap", ""),
            ("cap_days", "30"),
            ("review_threshold", "3"),
        ],
    )
    .await;
    assert!(
        matches!(serde_json::from_str(&saved.body), Ok(Saved::Ok(0))),
        "{}",
        saved.body
    );
    for page in ["/admin/referrals", "/admin/quests", "/admin/loyalty"] {
        let answer = common::get_page(&app, page, Some(&cookie)).await;
        assert_eq!(answer.status, StatusCode::OK, "{page}");
    }
    let quests = common::get_page(&app, "/admin/quests", Some(&cookie)).await;
    assert!(quests.body.contains("Flyer hunt"));
    // A viewer reads but cannot save.
    let (viewer, viewer_csrf) = sign_in(&app, "watcher", "watcher-password").await;
    let denied = call(
        &app,
        Some(&viewer),
        "save_loyalty_rule",
        &[
            ("csrf", &viewer_csrf),
            ("name", "sneaky"),
            ("kind", "tagged"),
            ("value", "beta"),
            ("reward", "1"),
            ("currency", "COINS"),
            ("code_days", "7"),
        ],
    )
    .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN, "{}", denied.body);
    assert_eq!(
        sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM loyalty_rules"#)
            .fetch_one(&pool)
            .await
            .unwrap(),
        0
    );
}
