//! A webhook receiver for the delivery tests: a real HTTP server on a free
//! port that checks every request's Standard Webhooks signature twice (with
//! the `standardwebhooks` crate and by hand, HMAC-SHA256 over
//! `id.timestamp.body`), answers 503 to the first attempts of each message
//! when told to, can take its time, and remembers what it saw.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use base64::Engine;
use hmac::{Hmac, Mac};

/// One request as the receiver saw it.
#[derive(Clone, Debug)]
pub struct Received {
    pub id: String,
    pub body: serde_json::Value,
    pub signed: bool,
}

#[derive(Default)]
struct Inner {
    secret: String,
    requests: Vec<Received>,
    attempts: HashMap<String, usize>,
    accepted: HashMap<String, usize>,
    fail_first: usize,
    delay: Duration,
    always_fail: bool,
}

#[derive(Clone)]
pub struct Receiver {
    pub addr: SocketAddr,
    inner: Arc<Mutex<Inner>>,
}

impl Receiver {
    pub async fn start() -> Self {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let app = axum::Router::new()
            .route("/hook", axum::routing::post(receive))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { addr, inner }
    }

    pub fn url(&self) -> String {
        format!("http://{}/hook", self.addr)
    }

    fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        f(&mut self.inner.lock().unwrap())
    }

    /// The endpoint's secret, once registered.
    pub fn set_secret(&self, secret: &str) {
        self.with(|i| i.secret = secret.to_owned());
    }
    pub fn fail_first(&self, attempts: usize) {
        self.with(|i| i.fail_first = attempts);
    }
    pub fn always_fail(&self, fail: bool) {
        self.with(|i| i.always_fail = fail);
    }
    pub fn delay(&self, delay: Duration) {
        self.with(|i| i.delay = delay);
    }
    pub fn requests(&self) -> Vec<Received> {
        self.with(|i| i.requests.clone())
    }
    /// The messages answered with success, by id, and how many times.
    pub fn accepted(&self) -> HashMap<String, usize> {
        self.with(|i| i.accepted.clone())
    }
    pub fn attempts(&self, id: &str) -> usize {
        self.with(|i| i.attempts.get(id).copied().unwrap_or(0))
    }

    /// Waits until `done` holds for what was received (panics after `limit`).
    pub async fn wait_for(&self, limit: Duration, what: &str, done: impl Fn(&Self) -> bool) {
        let start = std::time::Instant::now();
        while !done(self) {
            assert!(start.elapsed() < limit, "waited {limit:?} for {what}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Verifies by hand as a receiver without the crate would.
fn signature_holds(secret: &str, headers: &HeaderMap, body: &[u8]) -> bool {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let (Some(id), Some(timestamp), Some(signatures)) = (
        header("webhook-id"),
        header("webhook-timestamp"),
        header("webhook-signature"),
    ) else {
        return false;
    };
    let Some(key) = secret
        .strip_prefix("whsec_")
        .and_then(|k| base64::engine::general_purpose::STANDARD.decode(k).ok())
    else {
        return false;
    };
    let Ok(mut mac) = Hmac::<sha2::Sha256>::new_from_slice(&key) else {
        return false;
    };
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    let fresh = timestamp
        .parse::<i64>()
        .is_ok_and(|t| (chrono::Utc::now().timestamp() - t).abs() < 300);
    fresh
        && signatures
            .split(' ')
            .any(|s| s.strip_prefix("v1,") == Some(expected.as_str()))
}

async fn receive(
    State(inner): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let (secret, delay) = {
        let i = inner.lock().unwrap();
        (i.secret.clone(), i.delay)
    };
    let by_crate = standardwebhooks::Webhook::new(&secret)
        .and_then(|hook| hook.verify(&body, &headers))
        .is_ok();
    let signed = by_crate && signature_holds(&secret, &headers, &body);
    let id = headers
        .get("webhook-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    tokio::time::sleep(delay).await;
    let mut i = inner.lock().unwrap();
    i.requests.push(Received {
        id: id.clone(),
        body: serde_json::from_slice(&body).unwrap_or_default(),
        signed,
    });
    let n = {
        let n = i.attempts.entry(id.clone()).or_default();
        *n += 1;
        *n
    };
    if i.always_fail || n <= i.fail_first {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        *i.accepted.entry(id).or_default() += 1;
        StatusCode::NO_CONTENT
    }
}
