//! The dashboard's HTTP pieces outside Leptos: the sign-in guard for admin
//! pages, the streamed CSV downloads (codes, a code's players, a partner's
//! payouts), and the same-origin check that every
//! state-changing request passes (server functions also check a CSRF token).

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use futures::SinkExt;
use sqlx::PgPool;
use tokio::sync::Semaphore;
use tower_sessions::Session;

use app::admin::models::{CodeFilter, DateRange, Scope};
use app::core::{admins, csv_export, stats};

/// The signed-in admin of this request's session, if any.
async fn signed_in(
    pool: &PgPool,
    idle: Duration,
    request_session: Option<&Session>,
) -> Option<admins::AdminUser> {
    let session = request_session?;
    match app::admin::session::current(pool, session, idle).await {
        Ok(admin) => admin.map(|(a, _)| a),
        Err(e) => {
            tracing::warn!(error = %e, "reading the admin session");
            None
        }
    }
}

/// Sends a signed-out visitor of a dashboard page to the admin sign-in and back.
pub async fn require_admin(
    State((pool, idle)): State<(PgPool, Duration)>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let guarded = request.method() == Method::GET
        && (path == "/admin" || path.starts_with("/admin/"))
        && path != "/admin/signin";
    if guarded
        && signed_in(&pool, idle, request.extensions().get::<Session>())
            .await
            .is_none()
    {
        let here = request
            .uri()
            .path_and_query()
            .map_or(path, |pq| pq.as_str());
        return Redirect::to(&app::navigation::admin_sign_in_path(here)).into_response();
    }
    next.run(request).await
}

/// Refuses a state-changing request another site's page made: a browser
/// marks it with `Sec-Fetch-Site: cross-site` or an `Origin` that is not ours.
pub async fn same_origin(
    State(public_url): State<String>,
    request: Request,
    next: Next,
) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    let headers = request.headers();
    let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    if text(header::HeaderName::from_static("sec-fetch-site")) == Some("cross-site") {
        return (StatusCode::FORBIDDEN, "cross-site request refused").into_response();
    }
    if let (Some(origin), Some(host)) = (text(header::ORIGIN), text(header::HOST)) {
        let origin_host = origin
            .split_once("://")
            .map_or(origin, |(_, rest)| rest)
            .trim_end_matches('/');
        // Behind a proxy the Host may differ: the configured public address counts as ours too.
        let public = public_url.trim_end_matches('/');
        let ours = origin_host.eq_ignore_ascii_case(host)
            || (!public.is_empty() && origin.eq_ignore_ascii_case(public));
        if origin == "null" || !ours {
            return (StatusCode::FORBIDDEN, "cross-origin request refused").into_response();
        }
    }
    next.run(request).await
}

/// Exports streaming at once, per process. Each holds a database connection
/// while its client reads, so a few slow downloads must not take the pool.
#[derive(Clone)]
pub struct ExportSlots(Arc<Semaphore>);

impl ExportSlots {
    pub fn new(slots: usize) -> Self {
        Self(Arc::new(Semaphore::new(slots)))
    }
}

/// A client that takes no data for this long has its export cut off.
const EXPORT_STALL: Duration = Duration::from_secs(30);

/// `/admin/export/codes.csv?<the list's filters>`: every matching code, one
/// row at a time (the response starts before the last row is read).
pub async fn export_codes(
    pool: PgPool,
    idle: Duration,
    slots: ExportSlots,
    filter: CodeFilter,
    request: Request,
) -> Response {
    let query = app::admin::forms::code_query(&filter);
    download(
        pool,
        idle,
        slots,
        request,
        "codes".into(),
        move |pool, sink| {
            Box::pin(async move { csv_export::export(&pool, &query, sink, EXPORT_STALL).await })
        },
    )
    .await
}

/// `/admin/codes/{id}/players.csv`: every activation of the code, oldest first.
pub async fn export_code_players(
    pool: PgPool,
    idle: Duration,
    slots: ExportSlots,
    id: i64,
    request: Request,
) -> Response {
    download(
        pool,
        idle,
        slots,
        request,
        format!("code-{id}-players"),
        move |pool, sink| {
            Box::pin(async move {
                let rows = stats::code::player_rows(&pool, id);
                csv_export::stream(&stats::code::PLAYERS_HEADER, rows, sink, EXPORT_STALL).await
            })
        },
    )
    .await
}

/// `/admin/partners/{id}/payouts.csv?from=&to=`: what the partner is owed,
/// a month a line.
pub async fn export_payouts(
    pool: PgPool,
    idle: Duration,
    slots: ExportSlots,
    (id, range): (i64, (String, String)),
    request: Request,
) -> Response {
    let Ok(range) = DateRange::parse(&range.0, &range.1, chrono::Utc::now().date_naive()) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    download(
        pool,
        idle,
        slots,
        request,
        format!("partner-{id}-payouts"),
        move |pool, sink| {
            Box::pin(async move {
                let report = stats::scope::report(&pool, Scope::Partner, id, range).await?;
                let rows = report
                    .payout
                    .map(|p| stats::scope::payout_rows(&p, range))
                    .unwrap_or_default();
                let rows = futures::stream::iter(rows.into_iter().map(Ok));
                csv_export::stream(&stats::scope::PAYOUT_HEADER, rows, sink, EXPORT_STALL).await
            })
        },
    )
    .await
}

/// Where a download's CSV goes, a chunk at a time.
pub type CsvSink = std::pin::Pin<
    Box<dyn futures::Sink<Vec<u8>, Error = futures::channel::mpsc::SendError> + Send>,
>;
type CsvWork = std::pin::Pin<
    Box<dyn std::future::Future<Output = app::core::Result<csv_export::Export>> + Send>,
>;

/// Streams what `write` writes as the CSV file `<name>-<time>.csv` to a
/// signed-in admin, in one of the process's export slots.
async fn download(
    pool: PgPool,
    idle: Duration,
    slots: ExportSlots,
    request: Request,
    name: String,
    write: impl FnOnce(PgPool, CsvSink) -> CsvWork + Send + 'static,
) -> Response {
    if signed_in(&pool, idle, request.extensions().get::<Session>())
        .await
        .is_none()
    {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let Ok(slot) = slots.0.clone().try_acquire_owned() else {
        let text = |name: header::HeaderName| {
            request
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
        };
        let locale = app::api::locale_from(text(header::COOKIE), text(header::ACCEPT_LANGUAGE));
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, "10")],
            app::i18n::translate(locale, "admin-export-busy", &[]),
        )
            .into_response();
    };
    let (mut sender, receiver) =
        futures::channel::mpsc::channel::<Result<Bytes, std::io::Error>>(8);
    tokio::spawn(async move {
        let _slot = slot;
        let chunks: CsvSink = Box::pin(sender.clone().with(|chunk: Vec<u8>| {
            std::future::ready(Ok::<_, futures::channel::mpsc::SendError>(Ok(Bytes::from(
                chunk,
            ))))
        }));
        match write(pool, chunks).await {
            Ok(csv_export::Export::Complete(rows)) => tracing::debug!(rows, "CSV export done"),
            Ok(csv_export::Export::Stopped(rows)) => {
                tracing::info!(rows, "CSV export stopped: the client went away or stalled")
            }
            Err(e) => {
                tracing::error!(error = %e, "CSV export failed");
                // Cut the response short, so the client sees a broken download, not a short file.
                let _ = tokio::time::timeout(
                    EXPORT_STALL,
                    sender.send(Err(std::io::Error::other("export failed"))),
                )
                .await;
            }
        }
    });
    let name = format!("{name}-{}.csv", chrono::Utc::now().format("%Y%m%d-%H%M%S"));
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        Body::from_stream(receiver),
    )
        .into_response()
}
