//! Request throttling with governor: keyed GCRA limiters (bursts allowed) per
//! client address and per signed-in player, on the redeem server function,
//! easter-egg links and sign-in. Over the limit a request gets 429 with
//! `Retry-After`: a server-function call from the hydrated page gets an error
//! the form turns into a localized message; a plain browser request gets a
//! small localized page. Limits come from the configuration; stale keys are
//! pruned in the background.
//!
//! The address is the TCP peer, or, when the peer is one of
//! `PROMOCODES_TRUSTED_PROXIES`, the right-most address in `X-Forwarded-For`
//! that is not a trusted proxy.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use ipnet::IpNet;

use app::auth::PlayerSession;
use app::core::abuse::ClientIp;
use app::models::THROTTLED_PREFIX;

/// What a request is, for throttling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    Redeem,
    Egg,
    SignIn,
}

/// A rate: so many requests a minute, with bursts of up to `burst`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    pub per_minute: u32,
    pub burst: u32,
}

impl Limit {
    pub const fn new(per_minute: u32, burst: u32) -> Self {
        Self { per_minute, burst }
    }

    fn quota(self) -> Quota {
        let per_minute = NonZeroU32::new(self.per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(self.burst.max(1)).unwrap_or(NonZeroU32::MIN);
        Quota::per_minute(per_minute).allow_burst(burst)
    }
}

impl FromStr for Limit {
    type Err = String;

    /// `PER_MINUTE:BURST`, e.g. `600:100`; a bare number is both.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let number = |v: &str| {
            v.trim()
                .parse::<u32>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("{s:?} is not PER_MINUTE:BURST with positive numbers"))
        };
        match s.split_once(':') {
            Some((rate, burst)) => Ok(Self::new(number(rate)?, number(burst)?)),
            None => number(s).map(|n| Self::new(n, n)),
        }
    }
}

/// Every limit, and whom to trust for the client's address.
#[derive(Clone, Debug, PartialEq)]
pub struct ThrottleConfig {
    pub redeem_ip: Limit,
    pub redeem_player: Limit,
    pub egg_ip: Limit,
    pub egg_player: Limit,
    pub signin_ip: Limit,
    /// Platform API requests, per API key.
    pub api_key: Limit,
    pub trusted_proxies: Vec<IpNet>,
    /// Requests served at once; one more is refused with 503 (see `shed`).
    pub max_in_flight: usize,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        Self {
            redeem_ip: Limit::new(600, 100),
            redeem_player: Limit::new(30, 10),
            egg_ip: Limit::new(600, 100),
            egg_player: Limit::new(30, 10),
            signin_ip: Limit::new(300, 100),
            api_key: Limit::new(6000, 500),
            trusted_proxies: Vec::new(),
            max_in_flight: 512,
        }
    }
}

type Limiter<K> = DefaultKeyedRateLimiter<K>;

/// The limiters; one per process, shared by every request.
pub struct Throttle {
    config: ThrottleConfig,
    redeem_ip: Limiter<IpAddr>,
    redeem_player: Limiter<i64>,
    egg_ip: Limiter<IpAddr>,
    egg_player: Limiter<i64>,
    signin_ip: Limiter<IpAddr>,
    api_key: Limiter<i64>,
    in_flight: crate::shed::InFlight,
}

impl Throttle {
    pub fn new(config: ThrottleConfig) -> Arc<Self> {
        Arc::new(Self {
            redeem_ip: RateLimiter::keyed(config.redeem_ip.quota()),
            redeem_player: RateLimiter::keyed(config.redeem_player.quota()),
            egg_ip: RateLimiter::keyed(config.egg_ip.quota()),
            egg_player: RateLimiter::keyed(config.egg_player.quota()),
            signin_ip: RateLimiter::keyed(config.signin_ip.quota()),
            api_key: RateLimiter::keyed(config.api_key.quota()),
            in_flight: crate::shed::InFlight::new(config.max_in_flight),
            config,
        })
    }

    /// The places for requests served at once.
    pub fn in_flight(&self) -> crate::shed::InFlight {
        self.in_flight.clone()
    }

    /// The client's address: the peer, or what a trusted proxy forwarded.
    /// IPv4-mapped IPv6 is read as IPv4; other IPv6 addresses count by their
    /// /64 network (one host usually has a whole /64 to rotate through).
    pub fn client_ip(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        let peer = peer?.to_canonical();
        let trusted = |ip: &IpAddr| {
            self.config
                .trusted_proxies
                .iter()
                .any(|net| net.contains(ip))
        };
        if !trusted(&peer) {
            return Some(per_network(peer));
        }
        // From the right: each trusted proxy appended the address it saw. The
        // first untrusted one is the client; anything unreadable ends the walk.
        let forwarded: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .collect();
        let mut client = peer;
        for item in forwarded.into_iter().rev() {
            match item.trim().parse::<IpAddr>() {
                Ok(ip) => {
                    client = ip.to_canonical();
                    if !trusted(&client) {
                        break;
                    }
                }
                Err(_) => {
                    client = peer;
                    break;
                }
            }
        }
        Some(per_network(client))
    }

    fn wait(
        result: Result<(), governor::NotUntil<governor::clock::QuantaInstant>>,
    ) -> Option<Duration> {
        result
            .err()
            .map(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    fn check_ip(&self, class: Class, ip: IpAddr) -> Option<Duration> {
        let limiter = match class {
            Class::Redeem => &self.redeem_ip,
            Class::Egg => &self.egg_ip,
            Class::SignIn => &self.signin_ip,
        };
        Self::wait(limiter.check_key(&ip))
    }

    fn check_player(&self, class: Class, player_id: i64) -> Option<Duration> {
        let limiter = match class {
            Class::Redeem => &self.redeem_player,
            Class::Egg => &self.egg_player,
            Class::SignIn => return None,
        };
        Self::wait(limiter.check_key(&player_id))
    }

    /// Seconds to wait when this API key is over its rate (None: go on).
    pub fn check_api_key(&self, key_id: i64) -> Option<u64> {
        self.api_key.check_key(&key_id).err().map(|not_until| {
            not_until
                .wait_time_from(governor::clock::Clock::now(
                    &governor::clock::DefaultClock::default(),
                ))
                .as_secs()
                .max(1)
        })
    }

    /// Forgets keys whose limits are full again; returns how many remain.
    pub fn prune(&self) -> usize {
        let mut remaining = 0;
        for limiter in [&self.redeem_ip, &self.egg_ip, &self.signin_ip] {
            limiter.retain_recent();
            limiter.shrink_to_fit();
            remaining += limiter.len();
        }
        for limiter in [&self.redeem_player, &self.egg_player, &self.api_key] {
            limiter.retain_recent();
            limiter.shrink_to_fit();
            remaining += limiter.len();
        }
        remaining
    }
}

/// The key an address counts under: itself for IPv4, its /64 for IPv6.
fn per_network(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) if !v6.is_loopback() => {
            let segments = v6.segments();
            IpAddr::V6(std::net::Ipv6Addr::new(
                segments[0],
                segments[1],
                segments[2],
                segments[3],
                0,
                0,
                0,
                0,
            ))
        }
        other => other,
    }
}

/// Which limits a request falls under, if any. Server functions are told
/// apart by their paths (each has an explicit endpoint).
pub fn classify(method: &Method, path: &str) -> Option<Class> {
    use app::admin::api::AdminSignIn;
    use app::api::{ChangePassword, ClaimEgg, Redeem, SignIn, SignUp};
    use leptos::server_fn::ServerFn;
    if *method == Method::GET {
        return path.starts_with("/egg/").then_some(Class::Egg);
    }
    if *method != Method::POST {
        return None;
    }
    if path == Redeem::PATH {
        Some(Class::Redeem)
    } else if path == ClaimEgg::PATH {
        Some(Class::Egg)
    } else if [
        SignIn::PATH,
        SignUp::PATH,
        AdminSignIn::PATH,
        ChangePassword::PATH,
    ]
    .contains(&path)
    {
        Some(Class::SignIn)
    } else {
        None
    }
}

/// The outer layer, before sessions (so a flood costs no database work):
/// finds the client's address for everything behind it and applies the
/// per-address limits.
pub async fn by_address(
    State(throttle): State<Arc<Throttle>>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    let ip = throttle.client_ip(peer, request.headers());
    if let Some(ip) = ip {
        request.extensions_mut().insert(ClientIp(ip));
        if let Some(class) = classify(request.method(), request.uri().path()) {
            if let Some(wait) = throttle.check_ip(class, ip) {
                tracing::debug!(%ip, ?class, "throttled by address");
                return too_many(&request, wait);
            }
        }
    }
    next.run(request).await
}

/// The inner layer, after sessions: the per-player limits.
pub async fn by_player(
    State(throttle): State<Arc<Throttle>>,
    session: PlayerSession,
    request: Request,
    next: Next,
) -> Response {
    if let (Some(class), Some(player)) = (
        classify(request.method(), request.uri().path()),
        session.user.as_ref(),
    ) {
        if let Some(wait) = throttle.check_player(class, player.id) {
            tracing::debug!(player = player.id, ?class, "throttled by player");
            return too_many(&request, wait);
        }
    }
    next.run(request).await
}

/// 429 with `Retry-After`, shaped for whoever asked.
fn too_many(request: &Request, wait: Duration) -> Response {
    let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
    let headers = request.headers();
    let text = |name: header::HeaderName| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    };
    let retry_after = (header::RETRY_AFTER, HeaderValue::from(seconds));
    let path = request.uri().path();
    if path.starts_with("/api/") && !text(header::ACCEPT).contains("text/html") {
        // The hydrated page's server-function client reads this as its error.
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [
                retry_after,
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/plain; charset=utf-8"),
                ),
            ],
            format!("ServerError|{THROTTLED_PREFIX}{seconds}"),
        )
            .into_response();
    }
    let locale = crate::plain_pages::locale_of(headers);
    // Back to the egg only when the path is one an egg can have; anything
    // else a client put in the path must not reach the page.
    let back = path
        .strip_prefix("/egg/")
        .filter(|slug| {
            (1..=64).contains(&slug.len())
                && slug
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
        .map_or_else(|| "/redeem".to_owned(), |slug| format!("/egg/{slug}"));
    let tr = |id| app::i18n::translate(locale, id, &[("seconds", seconds.to_string())]);
    let mut page = crate::plain_pages::page(
        StatusCode::TOO_MANY_REQUESTS,
        "throttled",
        locale,
        &tr("throttled-title"),
        &tr("redeem-error-throttled"),
        (&back, &tr("throttled-back")),
        Some(seconds),
    );
    page.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    page
}

#[cfg(test)]
mod tests;
