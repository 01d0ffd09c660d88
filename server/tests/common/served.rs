//! The real server binary as a test's peer: started on a test database and a
//! free port, spoken to over HTTP/1.1 with hyper, as a player's browser or a
//! load generator would.

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{handshake, SendRequest};
use hyper::header;
use hyper::HeaderMap;
use hyper_util::rt::TokioIo;
use sqlx::postgres::PgConnectOptions;

pub type Client = SendRequest<Full<Bytes>>;

/// The test database as a URL for a server process.
pub fn database_url(connect_options: &PgConnectOptions) -> String {
    let base = std::env::var("DATABASE_URL").expect("the tests run with DATABASE_URL");
    let db = connect_options.get_database().expect("a test database");
    match base.split_once('?') {
        Some((head, query)) => format!("{}/{db}?{query}", head.rsplit_once('/').unwrap().0),
        None => format!("{}/{db}", base.rsplit_once('/').unwrap().0),
    }
}

/// A free local port.
pub fn free_addr() -> SocketAddr {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    probe.local_addr().unwrap()
}

/// Starts the server binary on `url` at `addr`, with `env` on top of the
/// test settings (no demo, the local peer a trusted proxy).
pub fn start_server(url: &str, addr: SocketAddr, env: &[(&str, &str)]) -> Child {
    let mut command = Command::new(env!("CARGO_BIN_EXE_server"));
    command
        .env("DATABASE_URL", url)
        .env("LEPTOS_SITE_ADDR", addr.to_string())
        .env("LEPTOS_OUTPUT_NAME", "promocodes")
        .env("PROMOCODES_SEED_DEMO", "0")
        // Each client comes from its own forwarded address.
        .env("PROMOCODES_TRUSTED_PROXIES", "127.0.0.1")
        .env("RUST_LOG", "warn");
    for (name, value) in env {
        command.env(name, value);
    }
    command
        .stdout(Stdio::null())
        .spawn()
        .expect("starting the server binary")
}

pub async fn connect(addr: SocketAddr) -> Option<Client> {
    let stream = tokio::net::TcpStream::connect(addr).await.ok()?;
    let (sender, connection) = handshake(TokioIo::new(stream)).await.ok()?;
    tokio::spawn(connection);
    Some(sender)
}

/// A whole answer.
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn cookies(&self) -> impl Iterator<Item = &str> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
    }
}

/// Sends one request and reads the whole answer; `None` when the connection
/// failed or the answer was cut off.
pub async fn send(client: &mut Client, request: hyper::Request<Full<Bytes>>) -> Option<Answer> {
    client.ready().await.ok()?;
    let response = client.send_request(request).await.ok()?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.ok()?.to_bytes();
    Some(Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

pub fn get(path: &str) -> hyper::Request<Full<Bytes>> {
    hyper::Request::get(path)
        .header(header::HOST, "127.0.0.1")
        .body(Full::new(Bytes::new()))
        .unwrap()
}

/// Waits until the server answers `/readyz`.
pub async fn wait_ready(addr: SocketAddr) {
    let started = Instant::now();
    loop {
        if let Some(mut client) = connect(addr).await {
            if matches!(send(&mut client, get("/readyz")).await, Some(a) if a.status == 200) {
                return;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the server did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
