//! Operator metrics in Prometheus format: one recorder for all the process
//! counts (the core's activations by outcome and channel, batch sizes, queue
//! waits, cache hits and invalidations; HTTP latency by route; the pool).
//! `/metrics` is never public: it is served on its own listen address
//! (`PROMOCODES_METRICS_ADDR`) and, with `PROMOCODES_METRICS_TOKEN`, on the
//! main address to a bearer of that token.

use std::net::SocketAddr;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use sqlx::PgPool;

/// Latency buckets, in seconds.
const SECONDS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];
const BATCH_SIZES: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0];

/// The process's recorder, installed once (tests build many routers, from
/// many threads: the lock makes the first one install it).
pub fn handle() -> Result<PrometheusHandle> {
    static HANDLE: Mutex<Option<PrometheusHandle>> = Mutex::new(None);
    let mut installed = HANDLE.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(handle) = installed.as_ref() {
        return Ok(handle.clone());
    }
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), SECONDS)?
        .set_buckets_for_metric(Matcher::Full("promo_batch_size".into()), BATCH_SIZES)?
        .install_recorder()
        .context("installing the metrics recorder")?;
    *installed = Some(handle.clone());
    Ok(handle)
}

/// Who may read `/metrics` on the main address.
#[derive(Clone)]
pub struct MetricsAccess {
    handle: PrometheusHandle,
    token: Option<[u8; 32]>,
}

impl MetricsAccess {
    pub fn new(handle: PrometheusHandle, token: Option<&SecretString>) -> Self {
        Self {
            handle,
            token: token.map(|t| digest(t.expose_secret())),
        }
    }
}

fn digest(value: &str) -> [u8; 32] {
    Sha256::digest(value.as_bytes()).into()
}

/// `/metrics` on the main router: 404 unless a token is configured, 401
/// without it (the digests are compared, so the comparison does not leak
/// how much of a guess was right).
pub async fn guarded(State(access): State<MetricsAccess>, headers: HeaderMap) -> Response {
    let Some(token) = access.token else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let offered = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(digest);
    if offered != Some(token) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
        )
            .into_response();
    }
    render(&access.handle)
}

fn render(handle: &PrometheusHandle) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        handle.render(),
    )
        .into_response()
}

/// Serves `/metrics` alone on `addr` until the process ends.
pub async fn serve_own_address(addr: SocketAddr, handle: PrometheusHandle) -> Result<()> {
    let app = Router::new().route("/metrics", get(move || async move { render(&handle) }));
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding the metrics address {addr}"))?;
    tracing::info!("metrics on http://{addr}/metrics");
    axum::serve(listener, app).await?;
    Ok(())
}

/// A route layer: each request's latency to its response head, by method,
/// route pattern and status.
pub async fn track(matched: Option<MatchedPath>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let route = matched.map_or_else(|| "unmatched".to_owned(), |m| m.as_str().to_owned());
    let response = next.run(request).await;
    metrics::histogram!(
        "http_request_duration_seconds",
        "method" => method,
        "route" => route,
        "status" => response.status().as_u16().to_string()
    )
    .record(started.elapsed().as_secs_f64());
    response
}

/// Every few seconds: the pool's connections in use and idle, and the
/// recorder's upkeep (histogram buffers drained).
pub async fn watch_pool(pool: PgPool, handle: PrometheusHandle) {
    let mut tick = tokio::time::interval(Duration::from_secs(5));
    loop {
        tick.tick().await;
        let size = pool.size();
        let idle = pool.num_idle() as u32;
        metrics::gauge!("db_pool_connections", "state" => "in_use")
            .set(f64::from(size.saturating_sub(idle)));
        metrics::gauge!("db_pool_connections", "state" => "idle").set(f64::from(idle));
        metrics::gauge!("db_pool_max_connections")
            .set(f64::from(pool.options().get_max_connections()));
        handle.run_upkeep();
    }
}
