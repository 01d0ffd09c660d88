//! The real router served on a local port as `server` runs it (the default
//! limits, the abuse workers, 127.0.0.1 trusted as a proxy so each client can
//! come from its own `X-Forwarded-For` address), and the HTTP client pieces
//! the HTTP benchmarks share: connections, sign-in links, redeems.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use app::core::abuse::{Guard, Policy};
use app::settings::Settings;
use axum::body::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{handshake, SendRequest};
use hyper::header;
use hyper_util::rt::TokioIo;
use leptos::prelude::LeptosOptions;
use leptos::server_fn::ServerFn;
use server::router::{router, spawn_abuse_workers, AppState};
use server::throttle::{Throttle, ThrottleConfig};
use sqlx::PgPool;
use tokio::task::JoinHandle;

pub struct Served {
    pub addr: SocketAddr,
    /// The platform-link secret, to sign players in.
    pub secret: Vec<u8>,
    tasks: Vec<JoinHandle<()>>,
}

impl Served {
    pub async fn start(pool: &PgPool) -> Result<Self> {
        let guard = Guard::new(Policy::default());
        let throttle = Throttle::new(ThrottleConfig {
            trusted_proxies: server::config::proxies("127.0.0.1")
                .map_err(anyhow::Error::msg)?
                .0,
            ..ThrottleConfig::default()
        });
        let secret = app::core::auth::link_secret(pool).await?;
        let mut tasks = spawn_abuse_workers(pool, &guard, &throttle);
        let app = router(AppState {
            leptos_options: LeptosOptions::builder().output_name("promocodes").build(),
            pool: pool.clone(),
            guard,
            throttle,
            metrics: server::metrics::MetricsAccess::new(server::metrics::handle()?, None),
            settings: Settings::new(
                "http://127.0.0.1",
                Duration::from_secs(3600),
                secret.clone(),
            ),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        tasks.push(tokio::spawn(async move {
            let _ = axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await;
        }));
        Ok(Self {
            addr,
            secret,
            tasks,
        })
    }

    pub fn stop(self) {
        for task in self.tasks {
            task.abort();
        }
    }
}

pub async fn connect(addr: SocketAddr) -> Result<SendRequest<Full<Bytes>>> {
    let stream = tokio::net::TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (sender, connection) = handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    Ok(sender)
}

pub async fn send(
    client: &mut SendRequest<Full<Bytes>>,
    request: hyper::Request<Full<Bytes>>,
) -> Result<(u16, String)> {
    client.ready().await?;
    let response = client.send_request(request).await?;
    let status = response.status().as_u16();
    let body = response.into_body().collect().await?.to_bytes();
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

/// The redeem server function, as the hydrated form calls it.
pub fn redeem(cookie: &str, ip: &str, code: &str) -> hyper::Request<Full<Bytes>> {
    hyper::Request::post(app::api::Redeem::PATH)
        .header(header::HOST, "127.0.0.1")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookie)
        .header("x-forwarded-for", ip)
        .body(Full::new(Bytes::from(format!("code={code}"))))
        .expect("a valid request")
}

/// Signs a player in through a platform link; returns the session cookie.
pub async fn sign_in(
    client: &mut SendRequest<Full<Bytes>>,
    secret: &[u8],
    player: i64,
    ip: &str,
) -> Result<String> {
    let link = app::core::auth::sign_link(secret, player, chrono::Utc::now().timestamp() + 3600);
    let request = hyper::Request::get(format!("/auth/link?{link}"))
        .header(header::HOST, "127.0.0.1")
        .header("x-forwarded-for", ip)
        .body(Full::new(Bytes::new()))?;
    client.ready().await?;
    let response = client.send_request(request).await?;
    let cookie = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("promocodes.sid="))
        .and_then(|c| c.split(';').next())
        .map(str::to_owned)
        .context("no session cookie from the sign-in link")?;
    response.into_body().collect().await?;
    Ok(cookie)
}

/// Signs every player in over `connections` connections, player n from the
/// address `ip_of(n)`; the (cookie, address) of each, in the players' order.
pub async fn sign_in_all(
    addr: SocketAddr,
    secret: &[u8],
    players: &[i64],
    connections: usize,
    ip_of: fn(usize) -> String,
) -> Result<Vec<(String, String)>> {
    let players: Arc<Vec<i64>> = Arc::new(players.to_vec());
    let secret: Arc<[u8]> = secret.into();
    let next = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..connections.max(1))
        .map(|_| {
            let (players, next, secret) = (players.clone(), next.clone(), secret.clone());
            tokio::spawn(async move {
                let mut client = connect(addr).await?;
                let mut signed = Vec::new();
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    let Some(player) = players.get(n) else { break };
                    let ip = ip_of(n);
                    signed.push((n, sign_in(&mut client, &secret, *player, &ip).await?, ip));
                }
                Ok::<_, anyhow::Error>(signed)
            })
        })
        .collect();
    let mut sessions = Vec::with_capacity(players.len());
    for task in tasks {
        sessions.extend(task.await??);
    }
    sessions.sort_by_key(|(n, _, _)| *n);
    Ok(sessions.into_iter().map(|(_, c, ip)| (c, ip)).collect())
}
