//! The one configuration of a server process: every setting, from the
//! command line or the environment (clap), read and validated once at start
//! and then passed along. Secrets are wrapped so that they never print.
//! The README's configuration table lists the same names and defaults.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use ipnet::IpNet;
use secrecy::{ExposeSecret, SecretString};

use crate::delivery::{DeliveryConfig, NatsConfig};
use crate::throttle::{Limit, ThrottleConfig};
use app::core::abuse::{PipelineConfig, Policy};
use app::core::delivery::RetryPolicy;
use app::core::queue::QueueConfig;
use app::core::sign_in_limit::SignInPolicy;

/// A secret string: `Debug` shows nothing of it (shared, so clap can clone it).
pub type Secret = std::sync::Arc<SecretString>;

fn secret(value: &str) -> Result<Secret, String> {
    Ok(std::sync::Arc::new(SecretString::from(value.to_owned())))
}

fn link_secret(value: &str) -> Result<Secret, String> {
    if value.len() < 32 {
        return Err("needs at least 32 bytes".into());
    }
    secret(value)
}

/// A count of at least 1 (at most a million).
fn count(value: &str) -> Result<i32, String> {
    match value.trim().parse::<f64>() {
        Ok(n) if n.is_finite() && n >= 1.0 => Ok(n.min(1e6) as i32),
        _ => Err(format!("{value:?} is not a positive number")),
    }
}

/// Seconds, at least one (a block must end after it starts), fractions allowed.
fn seconds(value: &str) -> Result<Duration, String> {
    match value.trim().parse::<f64>() {
        Ok(n) if n.is_finite() && n > 0.0 => Ok(Duration::from_secs_f64(n.clamp(1.0, 1e8))),
        _ => Err(format!("{value:?} is not a positive number of seconds")),
    }
}

/// Milliseconds, zero or more (at most a minute).
fn millis(value: &str) -> Result<Duration, String> {
    match value.trim().parse::<u64>() {
        Ok(n) if n <= 60_000 => Ok(Duration::from_millis(n)),
        _ => Err(format!(
            "{value:?} is not a number of milliseconds up to 60000"
        )),
    }
}

fn batch_size(value: &str) -> Result<usize, String> {
    match value.trim().parse::<usize>() {
        Ok(n) if (1..=10_000).contains(&n) => Ok(n),
        _ => Err(format!("{value:?} is not a batch size from 1 to 10000")),
    }
}

fn in_flight(value: &str) -> Result<usize, String> {
    match value.trim().parse::<usize>() {
        Ok(n) if (1..=100_000).contains(&n) => Ok(n),
        _ => Err(format!(
            "{value:?} is not a number of requests from 1 to 100000"
        )),
    }
}

/// Lanes hold pool connections (the server's pool has 32): at most 16.
fn lanes(value: &str) -> Result<usize, String> {
    match value.trim().parse::<usize>() {
        Ok(n) if (1..=16).contains(&n) => Ok(n),
        _ => Err(format!("{value:?} is not a number of lanes from 1 to 16")),
    }
}

fn factor(value: &str) -> Result<f64, String> {
    match value.trim().parse::<f64>() {
        Ok(n) if n.is_finite() && n > 0.0 => Ok(n),
        _ => Err(format!("{value:?} is not a positive number")),
    }
}

/// `127.0.0.1, 10.0.0.0/8, ::1`: addresses or networks.
pub fn proxies(list: &str) -> Result<Proxies, String> {
    list.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            item.parse::<IpNet>()
                .or_else(|_| item.parse::<std::net::IpAddr>().map(IpNet::from))
                .map_err(|_| format!("{item:?} is not an address or network"))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Proxies)
}

/// Trusted proxies (a newtype, so clap reads the whole list as one value).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Proxies(pub Vec<IpNet>);

#[derive(Args, Debug)]
pub struct Config {
    /// PostgreSQL to use; unset: a private cluster in the data directory.
    #[arg(long, env = "DATABASE_URL", value_parser = secret, hide_env_values = true)]
    pub database_url: Option<Secret>,
    /// Holds the private cluster (`pgdata/`, `run/`, `postgres.log`); default
    /// `~/.local/share/promocodes`, or `/var/lib/promocodes` as root.
    #[arg(long, env = "PROMOCODES_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Where `initdb` and `pg_ctl` are (default: the newest `/usr/lib/postgresql/*/bin`, then PATH).
    #[arg(long, env = "PROMOCODES_PG_BIN")]
    pub pg_bin: Option<PathBuf>,
    /// Who runs the private cluster when the server runs as root.
    #[arg(long, env = "PROMOCODES_PG_USER", default_value = "postgres")]
    pub pg_user: String,
    /// Seed the demo (default: yes with a private cluster, else no).
    #[arg(long, env = "PROMOCODES_SEED_DEMO", value_parser = clap::builder::BoolishValueParser::new())]
    pub seed_demo: Option<bool>,
    /// The public address; `https://` makes cookies Secure.
    #[arg(
        long,
        env = "PROMOCODES_PUBLIC_URL",
        default_value = "http://127.0.0.1:3000"
    )]
    pub public_url: String,
    /// The HMAC key of sign-in links (32 bytes or more); unset: one generated
    /// once and kept in the database.
    #[arg(long, env = "PROMOCODES_LINK_SECRET", value_parser = link_secret, hide_env_values = true)]
    pub link_secret: Option<Secret>,
    /// An admin idle this many minutes signs in again.
    #[arg(long, env = "PROMOCODES_ADMIN_IDLE_MINUTES", default_value_t = 30,
          value_parser = clap::value_parser!(u32).range(1..=10_080))]
    pub admin_idle_minutes: u32,
    /// Addresses or networks whose `X-Forwarded-For` is believed.
    #[arg(long, env = "PROMOCODES_TRUSTED_PROXIES", value_parser = proxies, default_value = "")]
    pub trusted_proxies: Proxies,

    #[arg(long, env = "PROMOCODES_THROTTLE_REDEEM_IP", default_value = "600:100")]
    pub throttle_redeem_ip: Limit,
    #[arg(
        long,
        env = "PROMOCODES_THROTTLE_REDEEM_PLAYER",
        default_value = "30:10"
    )]
    pub throttle_redeem_player: Limit,
    #[arg(long, env = "PROMOCODES_THROTTLE_EGG_IP", default_value = "600:100")]
    pub throttle_egg_ip: Limit,
    #[arg(long, env = "PROMOCODES_THROTTLE_EGG_PLAYER", default_value = "30:10")]
    pub throttle_egg_player: Limit,
    #[arg(long, env = "PROMOCODES_THROTTLE_SIGNIN_IP", default_value = "300:100")]
    pub throttle_signin_ip: Limit,
    #[arg(long, env = "PROMOCODES_THROTTLE_API_KEY", default_value = "6000:500")]
    pub throttle_api_key: Limit,

    #[arg(long, env = "PROMOCODES_LOCKOUT_FAILURES", default_value = "5", value_parser = count)]
    pub lockout_failures: i32,
    #[arg(long, env = "PROMOCODES_LOCKOUT_IP_FAILURES", default_value = "20", value_parser = count)]
    pub lockout_ip_failures: i32,
    #[arg(long, env = "PROMOCODES_LOCKOUT_SPREAD", default_value = "5", value_parser = count)]
    pub lockout_spread: i32,
    #[arg(long, env = "PROMOCODES_LOCKOUT_WINDOW_SECS", default_value = "600", value_parser = seconds)]
    pub lockout_window: Duration,
    #[arg(long, env = "PROMOCODES_LOCKOUT_SECS", default_value = "300", value_parser = seconds)]
    pub lockout_block: Duration,
    #[arg(long, env = "PROMOCODES_LOCKOUT_MAX_SECS", default_value = "86400", value_parser = seconds)]
    pub lockout_max_block: Duration,
    #[arg(long, env = "PROMOCODES_SPIKE_MIN_PER_MINUTE", default_value = "300", value_parser = count)]
    pub spike_min_per_minute: i32,
    #[arg(long, env = "PROMOCODES_SPIKE_FACTOR", default_value = "10", value_parser = factor)]
    pub spike_factor: f64,
    #[arg(long, env = "PROMOCODES_SPIKE_SECS", default_value = "300", value_parser = seconds)]
    pub spike_duration: Duration,
    #[arg(long, env = "PROMOCODES_SPIKE_COOLDOWN_SECS", default_value = "10", value_parser = seconds)]
    pub spike_cooldown: Duration,
    #[arg(long, env = "PROMOCODES_SIGNIN_FAILURES", default_value = "5", value_parser = count)]
    pub signin_failures: i32,
    #[arg(long, env = "PROMOCODES_SIGNIN_DELAY_SECS", default_value = "30", value_parser = seconds)]
    pub signin_delay: Duration,
    #[arg(long, env = "PROMOCODES_SIGNIN_MAX_DELAY_SECS", default_value = "900", value_parser = seconds)]
    pub signin_max_delay: Duration,

    /// Requests served at once by this process; one more gets 503 with
    /// `Retry-After` at once instead of waiting for a database connection.
    #[arg(long, env = "PROMOCODES_MAX_IN_FLIGHT", default_value = "512", value_parser = in_flight)]
    pub max_in_flight: usize,

    /// Claims committed together in one batch, at most.
    #[arg(long, env = "PROMOCODES_QUEUE_MAX_BATCH", default_value = "256", value_parser = batch_size)]
    pub queue_max_batch: usize,
    /// How long a batch may wait for more claims (0: it goes as soon as a
    /// lane is free).
    #[arg(long, env = "PROMOCODES_QUEUE_MAX_WAIT_MS", default_value = "0", value_parser = millis)]
    pub queue_max_wait: Duration,
    /// Batches in flight at once, each on its own connection (a code is in
    /// one of them at a time). Two beat four on two cores (`bench --lanes`).
    #[arg(long, env = "PROMOCODES_QUEUE_LANES", default_value = "2", value_parser = lanes)]
    pub queue_lanes: usize,
    /// The longest a cached code is used without the database (the bound on
    /// how stale an answer can be if a change notification is late).
    #[arg(long, env = "PROMOCODES_CODE_CACHE_TTL_MS", default_value = "2000", value_parser = millis)]
    pub code_cache_ttl: Duration,

    /// Serve `/metrics` (Prometheus) on this address of its own, e.g.
    /// `127.0.0.1:9464`. Unset: no metrics listener.
    #[arg(long, env = "PROMOCODES_METRICS_ADDR")]
    pub metrics_addr: Option<std::net::SocketAddr>,
    /// Also serve `/metrics` on the main address, to `Authorization: Bearer TOKEN`.
    #[arg(long, env = "PROMOCODES_METRICS_TOKEN", value_parser = secret, hide_env_values = true)]
    pub metrics_token: Option<Secret>,
    /// `text` (default) or `json` (one JSON object a line).
    #[arg(long, env = "PROMOCODES_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// Work side-effect jobs (announcements) in this process; any number of
    /// instances may at once.
    #[arg(long, env = "PROMOCODES_JOBS", default_value = "true",
          value_parser = clap::builder::BoolishValueParser::new())]
    pub jobs: bool,
    /// Fold new activations into the statistics in this process (one
    /// instance at a time does; the others wait their turn).
    #[arg(long, env = "PROMOCODES_STATS", default_value = "true",
          value_parser = clap::builder::BoolishValueParser::new())]
    pub stats: bool,
    /// How often: the most the reports lag behind activations.
    #[arg(long, env = "PROMOCODES_STATS_PERIOD_MS", default_value = "1000", value_parser = millis)]
    pub stats_period: Duration,
    /// How often the retention figures (cohorts, campaign impact) are computed.
    #[arg(long, env = "PROMOCODES_RETENTION_PERIOD_SECS", default_value = "600", value_parser = seconds)]
    pub retention_period: Duration,
    /// Deliver events from this process (webhooks, NATS); any number of
    /// instances may at once.
    #[arg(long, env = "PROMOCODES_DELIVERY", default_value = "true",
          value_parser = clap::builder::BoolishValueParser::new())]
    pub delivery: bool,
    /// NATS with JetStream, e.g. `nats://127.0.0.1:4222`: every event is
    /// also published to `promocodes.<topic>`. Unset: no NATS.
    #[arg(long, env = "PROMOCODES_NATS_URL")]
    pub nats_url: Option<String>,
    /// The JetStream stream (made if missing, over `promocodes.>`).
    #[arg(long, env = "PROMOCODES_NATS_STREAM", default_value = "PROMOCODES")]
    pub nats_stream: String,
    /// Subjects are `<prefix>.<topic>`.
    #[arg(
        long,
        env = "PROMOCODES_NATS_SUBJECT_PREFIX",
        default_value = "promocodes"
    )]
    pub nats_subject_prefix: String,
    /// The longest one webhook request may take.
    #[arg(long, env = "PROMOCODES_WEBHOOK_TIMEOUT_MS", default_value = "10000", value_parser = millis)]
    pub webhook_timeout: Duration,
    /// The wait after a first failed delivery; it doubles with each failure.
    #[arg(long, env = "PROMOCODES_DELIVERY_RETRY_BASE_MS", default_value = "5000", value_parser = millis)]
    pub delivery_retry_base: Duration,
    /// A webhook delivery still failing this long after its first attempt is dead.
    #[arg(long, env = "PROMOCODES_WEBHOOK_RETRY_FOR_SECS", default_value = "259200", value_parser = seconds)]
    pub webhook_retry_for: Duration,
    /// Delivered (or dead) events are deleted this long after they were sent out.
    #[arg(long, env = "PROMOCODES_EVENTS_RETENTION_HOURS", default_value_t = 168,
          value_parser = clap::value_parser!(u32).range(1..=87_600))]
    pub events_retention_hours: u32,
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

impl Config {
    pub fn database_url(&self) -> Option<&str> {
        self.database_url
            .as_ref()
            .map(|url| url.expose_secret())
            .filter(|url| !url.is_empty())
    }

    pub fn link_secret(&self) -> Option<Vec<u8>> {
        self.link_secret
            .as_ref()
            .map(|secret| secret.expose_secret().as_bytes().to_vec())
    }

    /// The lockout, spike and sign-in limits.
    pub fn policy(&self) -> Policy {
        Policy {
            player_failures: self.lockout_failures,
            ip_failures: self.lockout_ip_failures,
            spread_accounts: self.lockout_spread,
            window: self.lockout_window,
            block: self.lockout_block,
            max_block: self.lockout_max_block.max(self.lockout_block),
            spike_min_per_minute: self.spike_min_per_minute,
            spike_factor: self.spike_factor,
            spike_duration: self.spike_duration,
            spike_cooldown: self.spike_cooldown,
            sign_in: SignInPolicy {
                free_failures: self.signin_failures,
                delay: self.signin_delay,
                max_delay: self.signin_max_delay.max(self.signin_delay),
                ..SignInPolicy::default()
            },
        }
    }

    /// The activation queue and the code cache.
    pub fn pipeline(&self) -> PipelineConfig {
        PipelineConfig {
            queue: QueueConfig {
                max_batch: self.queue_max_batch,
                max_wait: self.queue_max_wait,
                lanes: self.queue_lanes,
            },
            cache_ttl: self.code_cache_ttl,
            ..PipelineConfig::default()
        }
    }

    pub fn throttle(&self) -> ThrottleConfig {
        ThrottleConfig {
            redeem_ip: self.throttle_redeem_ip,
            redeem_player: self.throttle_redeem_player,
            egg_ip: self.throttle_egg_ip,
            egg_player: self.throttle_egg_player,
            signin_ip: self.throttle_signin_ip,
            api_key: self.throttle_api_key,
            trusted_proxies: self.trusted_proxies.0.clone(),
            max_in_flight: self.max_in_flight,
        }
    }

    /// The job worker's settings (None: this process works no jobs).
    pub fn jobs(&self) -> Option<crate::jobs::JobsConfig> {
        self.jobs.then(crate::jobs::JobsConfig::default)
    }

    /// The statistics worker's settings (None: this process folds nothing).
    pub fn stats(&self) -> Option<crate::stats::StatsConfig> {
        self.stats.then_some(crate::stats::StatsConfig {
            period: self.stats_period,
            retention_period: self.retention_period,
        })
    }

    /// The event delivery worker's settings (None: this process sends nothing).
    pub fn delivery(&self) -> Option<DeliveryConfig> {
        self.delivery.then(|| DeliveryConfig {
            nats: self
                .nats_url
                .clone()
                .filter(|url| !url.trim().is_empty())
                .map(|url| NatsConfig {
                    url,
                    stream: self.nats_stream.clone(),
                    subject_prefix: self.nats_subject_prefix.clone(),
                }),
            webhook_timeout: self.webhook_timeout.max(Duration::from_millis(100)),
            retry: RetryPolicy {
                base: self.delivery_retry_base.max(Duration::from_millis(10)),
                give_up_after: self.webhook_retry_for,
                ..RetryPolicy::default()
            },
            retention: Duration::from_secs(u64::from(self.events_retention_hours) * 3600),
            ..DeliveryConfig::default()
        })
    }

    pub fn admin_idle(&self) -> Duration {
        Duration::from_secs(u64::from(self.admin_idle_minutes) * 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        config: Config,
    }

    fn parse(args: &[&str]) -> Result<Config, clap::Error> {
        Cli::try_parse_from(std::iter::once("server").chain(args.iter().copied())).map(|c| c.config)
    }

    #[test]
    fn defaults_match_the_readme_and_settings_override_them() {
        let config = parse(&[]).unwrap();
        assert_eq!(config.policy(), Policy::default());
        assert_eq!(config.pipeline(), PipelineConfig::default());
        assert_eq!(config.throttle(), ThrottleConfig::default());
        assert_eq!(config.admin_idle(), Duration::from_secs(30 * 60));
        assert_eq!(config.delivery(), Some(DeliveryConfig::default()));
        let config = parse(&["--lockout-failures", "3", "--lockout-block", "1.5"]).unwrap();
        assert_eq!(config.policy().player_failures, 3);
        assert_eq!(config.policy().block, Duration::from_millis(1500));
    }

    #[test]
    fn bad_settings_are_refused_with_their_names() {
        for bad in ["0", "-2", "many", "NaN"] {
            let arg = format!("--lockout-window={bad}");
            let error = parse(&[&arg]).unwrap_err().to_string();
            assert!(error.contains("--lockout-window"), "{error}");
        }
        assert!(parse(&["--link-secret", "short"]).is_err());
        assert!(parse(&["--trusted-proxies", "10.0.0.0/33"]).is_err());
        assert!(parse(&["--trusted-proxies", "proxy.example"]).is_err());
        assert!(parse(&["--throttle-redeem-ip", "0:5"]).is_err());
        assert!(parse(&["--admin-idle-minutes", "0"]).is_err());
    }

    #[test]
    fn secrets_never_print() {
        let config = parse(&[
            "--link-secret",
            "a-very-long-secret-that-is-over-32-bytes",
            "--database-url",
            "postgres://u:hunter2@db/x",
        ])
        .unwrap();
        let shown = format!("{config:?}");
        assert!(
            !shown.contains("a-very-long-secret") && !shown.contains("hunter2"),
            "{shown}"
        );
        assert_eq!(config.database_url(), Some("postgres://u:hunter2@db/x"));
    }
}
