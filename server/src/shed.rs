//! Load shedding: at most so many requests are being served by this process
//! at once; one more is refused at once with 503 and `Retry-After` (a small
//! localized page for a browser), rather than queueing on the database pool
//! until it times out. Hand-written on a tokio semaphore (a few lines): tower's
//! `ConcurrencyLimit` is built per route by `Router::layer`, and its overload
//! error cannot see the request's language.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::Semaphore;

/// How long a refused client is asked to wait, in seconds.
const RETRY_AFTER_SECS: u64 = 1;

/// The requests this process may serve at once.
#[derive(Clone)]
pub struct InFlight(Arc<Semaphore>);

impl InFlight {
    pub fn new(max: usize) -> Self {
        Self(Arc::new(Semaphore::new(max.max(1))))
    }
}

/// Serves the request while a place is free, else refuses it.
pub async fn limit(State(in_flight): State<InFlight>, request: Request, next: Next) -> Response {
    // Liveness stays answered, so an orchestrator does not restart a
    // process for being busy.
    if request.uri().path() == "/healthz" {
        return next.run(request).await;
    }
    match in_flight.0.clone().try_acquire_owned() {
        Ok(_place) => next.run(request).await,
        Err(_) => {
            metrics::counter!("http_requests_shed_total").increment(1);
            busy(&request)
        }
    }
}

/// 503 with `Retry-After`, shaped for whoever asked.
fn busy(request: &Request) -> Response {
    let headers = request.headers();
    let retry_after = (header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
    let locale = crate::plain_pages::locale_of(headers);
    let tr = |id| app::i18n::translate(locale, id, &[]);
    if !crate::plain_pages::wants_html(headers) {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [
                retry_after,
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/plain; charset=utf-8"),
                ),
            ],
            tr("busy-message"),
        )
            .into_response();
    }
    // A page asked for again reloads itself; after a form post, the home page.
    let here = request.uri().path_and_query().map_or("/", |pq| pq.as_str());
    let back = if request.method() == Method::GET {
        app::navigation::safe_next(here, "/")
    } else {
        "/"
    };
    let mut page = crate::plain_pages::page(
        StatusCode::SERVICE_UNAVAILABLE,
        "busy",
        locale,
        &tr("busy-title"),
        &tr("busy-message"),
        (back, &tr("throttled-back")),
        Some(RETRY_AFTER_SECS),
    );
    page.headers_mut().insert(retry_after.0, retry_after.1);
    page
}
