//! A private PostgreSQL cluster started from the installed binaries, for when
//! no `DATABASE_URL` is given: initialised once in a data directory, listening
//! only on a Unix socket inside it, stopped again by whoever started it.
//! Kept free of sqlx query macros so it builds before any query data exists.

mod throwaway;

pub use throwaway::{with_db, ThrowAwayCluster};

use std::ffi::OsStr;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection};

/// The socket file name PostgreSQL creates for its default port.
const SOCKET_FILE: &str = ".s.PGSQL.5432";
/// Unix socket paths are limited to 107 bytes on Linux.
const MAX_SOCKET_PATH: usize = 100;

#[derive(Clone, Debug)]
pub struct LocalPgOptions {
    /// Holds `pgdata/`, `run/` (the socket) and `postgres.log`.
    pub base_dir: PathBuf,
    /// The account that owns and runs the cluster when we are root (initdb refuses root).
    pub run_as: String,
    /// Where `initdb` and `pg_ctl` live; found automatically when `None`.
    pub bin_dir: Option<PathBuf>,
}

impl LocalPgOptions {
    /// The documented default base directory: `$PROMOCODES_DATA_DIR`, else
    /// `/var/lib/promocodes` for root (the cluster's owner must reach it), else
    /// `$XDG_DATA_HOME/promocodes` (`~/.local/share/promocodes`).
    pub fn default_base_dir() -> PathBuf {
        if let Some(dir) = std::env::var_os("PROMOCODES_DATA_DIR").filter(|d| !d.is_empty()) {
            return PathBuf::from(dir);
        }
        if is_root() {
            return PathBuf::from("/var/lib/promocodes");
        }
        let data_home = std::env::var_os("XDG_DATA_HOME")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
            .unwrap_or_else(|| PathBuf::from("."));
        data_home.join("promocodes")
    }

    pub fn new(base_dir: PathBuf) -> Self {
        Self {
            base_dir,
            run_as: std::env::var("PROMOCODES_PG_USER").unwrap_or_else(|_| "postgres".into()),
            bin_dir: std::env::var_os("PROMOCODES_PG_BIN").map(PathBuf::from),
        }
    }
}

/// A running private cluster. `stop` shuts it down if this process started it.
#[derive(Debug)]
pub struct LocalPostgres {
    data_dir: PathBuf,
    socket_dir: PathBuf,
    bin_dir: PathBuf,
    run_as: Option<String>,
    started_here: bool,
}

impl LocalPostgres {
    /// Initialises the cluster if needed and starts it (or attaches to it when
    /// a previous run left it running). Blocking: call from `spawn_blocking`
    /// or before the runtime starts.
    pub fn start(options: &LocalPgOptions) -> Result<Self> {
        let bin_dir = match &options.bin_dir {
            Some(dir) => dir.clone(),
            None => find_bin_dir()?,
        };
        let run_as = if is_root() {
            let user = options.run_as.clone();
            if !user_exists(&user) {
                bail!(
                    "running as root, and PostgreSQL's initdb refuses to run as root; \
                     the private database would run as user '{user}', which does not exist. \
                     Create it (`useradd --system {user}`), set PROMOCODES_PG_USER to another \
                     unprivileged user, run as a normal user, or set DATABASE_URL"
                );
            }
            Some(user)
        } else {
            None
        };

        let base = absolute(&options.base_dir)?;
        let data_dir = base.join("pgdata");
        let socket_dir = base.join("run");
        let socket_len = socket_dir.join(SOCKET_FILE).as_os_str().len();
        if socket_len > MAX_SOCKET_PATH {
            bail!(
                "the data directory {} is too deep for a Unix socket ({socket_len} bytes); \
                 set PROMOCODES_DATA_DIR to a shorter path",
                base.display()
            );
        }
        for dir in [&base, &socket_dir] {
            fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        fs::set_permissions(&socket_dir, fs::Permissions::from_mode(0o700))?;
        let this = Self {
            data_dir,
            socket_dir,
            bin_dir,
            run_as,
            started_here: false,
        };
        if let Some(user) = &this.run_as {
            chown_to(&base, user)?;
            chown_to(&this.socket_dir, user)?;
            // The owner must reach the directory through its parents.
            this.run_pg(Command::new("test").args(["-x", &base.to_string_lossy()]))
                .with_context(|| {
                    format!(
                        "user '{user}' cannot reach {}; choose another PROMOCODES_DATA_DIR",
                        base.display()
                    )
                })?;
        }

        if !this.data_dir.join("PG_VERSION").exists() {
            this.init()?;
        }
        let mut this = this;
        if this.is_running() {
            tracing::info!(data_dir = %this.data_dir.display(), "attaching to the private PostgreSQL left running");
        } else {
            let log = base.join("postgres.log");
            if let Some(user) = &this.run_as {
                fs::File::create(&log)?;
                chown_to(&log, user)?;
            }
            this.pg_ctl(&[
                OsStr::new("start"),
                OsStr::new("-w"),
                OsStr::new("-t"),
                OsStr::new("60"),
                OsStr::new("-l"),
                log.as_os_str(),
            ])
            .with_context(|| format!("starting PostgreSQL; see {}", log.display()))?;
            this.started_here = true;
            tracing::info!(data_dir = %this.data_dir.display(), "private PostgreSQL started");
        }
        Ok(this)
    }

    /// A connection URL for database `db` over the cluster's socket.
    pub fn url(&self, db: &str) -> String {
        format!(
            "postgres://postgres@localhost/{db}?host={}",
            self.socket_dir.display()
        )
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Stops the cluster if this process started it; a cluster we attached to
    /// belongs to someone else and keeps running.
    pub fn stop(&mut self) -> Result<()> {
        if self.started_here {
            self.pg_ctl(&[
                OsStr::new("stop"),
                OsStr::new("-m"),
                OsStr::new("fast"),
                OsStr::new("-w"),
            ])?;
            self.started_here = false;
            tracing::info!("private PostgreSQL stopped");
        }
        Ok(())
    }

    fn init(&self) -> Result<()> {
        fs::create_dir_all(&self.data_dir)?;
        fs::set_permissions(&self.data_dir, fs::Permissions::from_mode(0o700))?;
        if let Some(user) = &self.run_as {
            chown_to(&self.data_dir, user)?;
        }
        let initdb = self.bin_dir.join("initdb");
        self.run_pg(Command::new(&initdb).arg("-D").arg(&self.data_dir).args([
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-instructions",
        ]))
        .context("initdb failed")?;
        // Only a socket in a directory of our own: nobody else can connect, and
        // no TCP port can clash with another server.
        let settings = format!(
            "\n# promocodes private cluster\nlisten_addresses = ''\nunix_socket_directories = '{}'\n\
             max_connections = 300\nshared_buffers = 256MB\n",
            self.socket_dir.display()
        );
        let conf = self.data_dir.join("postgresql.conf");
        let mut text = fs::read_to_string(&conf)?;
        text.push_str(&settings);
        fs::write(&conf, text)?;
        tracing::info!(data_dir = %self.data_dir.display(), "private PostgreSQL cluster initialised");
        Ok(())
    }

    fn is_running(&self) -> bool {
        self.pg_ctl(&[OsStr::new("status")]).is_ok()
    }

    fn pg_ctl(&self, args: &[&OsStr]) -> Result<()> {
        self.run_pg(
            Command::new(self.bin_dir.join("pg_ctl"))
                .arg("-D")
                .arg(&self.data_dir)
                .args(args),
        )
    }

    /// Runs a PostgreSQL tool, as the unprivileged owner when we are root.
    fn run_pg(&self, command: &mut Command) -> Result<()> {
        let mut command = match &self.run_as {
            Some(user) => {
                let mut wrapped = Command::new(runuser());
                wrapped
                    .args(["-u", user, "--"])
                    .arg(command.get_program())
                    .args(command.get_args());
                wrapped
            }
            None => std::mem::replace(command, Command::new("true")),
        };
        let output = command
            .env("LC_ALL", "C")
            .stdin(Stdio::null())
            .output()
            .with_context(|| format!("running {:?}", command.get_program()))?;
        if !output.status.success() {
            bail!(
                "{:?} exited with {}: {}{}",
                command,
                output.status,
                String::from_utf8_lossy(&output.stdout).trim(),
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        Ok(())
    }
}

impl Drop for LocalPostgres {
    fn drop(&mut self) {
        if let Err(e) = self.stop() {
            tracing::warn!(error = %e, "could not stop the private PostgreSQL");
        }
    }
}

/// `runuser` (util-linux): on PATH, else where Debian keeps it (root's PATH
/// has the sbin directories; a trimmed one, as some CI runners give, may not).
fn runuser() -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin", "/usr/bin", "/bin"].map(PathBuf::from))
        .map(|dir| dir.join("runuser"))
        .find(|candidate| candidate.exists())
        .unwrap_or_else(|| PathBuf::from("runuser"))
}

/// `$PROMOCODES_PG_BIN`, else the newest `/usr/lib/postgresql/*/bin` (Debian,
/// Ubuntu), else the directory of `initdb` on `PATH`.
pub fn find_bin_dir() -> Result<PathBuf> {
    let mut debian: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    debian.sort();
    if let Some((_, bin)) = debian.pop() {
        return Ok(bin);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        if dir.join("initdb").exists() && dir.join("pg_ctl").exists() {
            return Ok(dir);
        }
    }
    bail!(
        "no PostgreSQL server binaries found (initdb, pg_ctl): install PostgreSQL \
         (Debian: apt-get install postgresql), set PROMOCODES_PG_BIN to their directory, \
         or set DATABASE_URL to an existing database"
    )
}

pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

fn user_exists(user: &str) -> bool {
    Command::new("id")
        .arg("-u")
        .arg(user)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn chown_to(path: &Path, user: &str) -> Result<()> {
    let id = |flag: &str| -> Result<u32> {
        let out = Command::new("id").arg(flag).arg(user).output()?;
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .with_context(|| format!("no id for user '{user}'"))
    };
    std::os::unix::fs::chown(path, Some(id("-u")?), Some(id("-g")?))
        .with_context(|| format!("giving {} to '{user}'", path.display()))
}

fn absolute(path: &Path) -> Result<PathBuf> {
    if path.is_absolute() {
        Ok(path.to_path_buf())
    } else {
        Ok(std::env::current_dir()?.join(path))
    }
}

/// The database name used inside a private cluster.
pub const LOCAL_DB_NAME: &str = "promocodes";

/// Creates the database named in `url` through the cluster's `postgres` database.
pub async fn create_database_if_missing(url: &str) -> Result<()> {
    let options: PgConnectOptions = url
        .parse()
        .context("DATABASE_URL is not a valid PostgreSQL URL")?;
    let name = options.get_database().unwrap_or(LOCAL_DB_NAME).to_owned();
    let mut admin = PgConnection::connect_with(&options.clone().database("postgres")).await?;
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(&name)
            .fetch_one(&mut admin)
            .await?;
    if !exists {
        let quoted = name.replace('"', "\"\"");
        sqlx::raw_sql(&format!("CREATE DATABASE \"{quoted}\""))
            .execute(&mut admin)
            .await?;
    }
    admin.close().await?;
    Ok(())
}
