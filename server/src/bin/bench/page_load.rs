//! The page benchmark (`--pages`): C connections load the server-rendered home
//! page of the real router (served in this process, as `server` runs it), as
//! `wrk -c C` would, for T seconds. Counts what came back: pages (their
//! latency), refusals (503 with `Retry-After`), other answers, and requests
//! cut off (the connection closed or reset mid-response; the client
//! reconnects and goes on).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use axum::body::Bytes;
use http_body_util::Full;
use hyper::header;
use sqlx::PgPool;

use super::core_load::{gather, histogram, Measured};
use super::served::{connect, send, Served};

/// What the run measured, and what it could not count as a page.
pub struct PageLoad {
    pub measured: Measured,
    pub cut_off: u64,
    pub other: u64,
}

fn home_page() -> hyper::Request<Full<Bytes>> {
    hyper::Request::get("/")
        .header(header::HOST, "127.0.0.1")
        .header(header::ACCEPT, "text/html")
        .header(header::ACCEPT_LANGUAGE, "en")
        .body(Full::new(Bytes::new()))
        .expect("a valid request")
}

pub async fn run(concurrency: usize, seconds: u64, pool: &PgPool) -> Result<PageLoad> {
    let served = Served::start(pool).await?;
    let addr = served.addr;
    let (cut_off, other) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let (cut_off, other) = (cut_off.clone(), other.clone());
            tokio::spawn(async move {
                let mut client = connect(addr).await?;
                let mut latencies = histogram();
                let mut refused = 0u64;
                while Instant::now() < deadline {
                    let t0 = Instant::now();
                    match send(&mut client, home_page()).await {
                        Ok((200, body)) if body.contains("</html>") => {
                            latencies.record(t0.elapsed().as_micros() as u64).ok();
                        }
                        Ok((503, _)) => refused += 1,
                        Ok(_) => {
                            other.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(_) => {
                            cut_off.fetch_add(1, Ordering::Relaxed);
                            client = connect(addr).await?;
                        }
                    }
                }
                Ok::<_, anyhow::Error>((latencies, refused))
            })
        })
        .collect();
    let measured = gather(tasks, started).await?;
    served.stop();
    if measured.granted == 0 {
        bail!("pages: no page was served");
    }
    Ok(PageLoad {
        measured,
        cut_off: cut_off.load(Ordering::Relaxed),
        other: other.load(Ordering::Relaxed),
    })
}
