//! Configuration: defaults, then a TOML file (`config/default.toml` when present, or the file
//! `--config` names), then `HOLDFAST_*` environment variables and flags. `validate` fails fast.

use std::path::{Path, PathBuf};

use clap::Args;
use serde::Deserialize;

use crate::persistence::Durability;

/// Every setting of the server. See `config/default.toml` for each key's trade-off.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The address to listen on; port 0 picks a free port.
    pub bind: String,
    /// Where the journal and snapshots live.
    pub data_dir: PathBuf,
    /// The admin key; generated and printed once when absent.
    pub admin_key: Option<String>,
    /// Load the demo catalogue at start.
    pub demo: bool,
    /// The lock time of performances created without `hold_seconds`.
    pub hold_seconds: u32,
    /// The largest request body accepted.
    pub body_limit_bytes: usize,
    /// How long a request body may take to arrive, from the end of the head (408 beyond).
    pub body_read_timeout_seconds: u64,
    /// The most tickets one request may name or ask for.
    pub tickets_per_request_max: usize,
    /// The most seats one plan may have.
    pub seats_per_plan_max: usize,
    /// Requests in flight per performance before `overloaded` is answered.
    pub admission_max: usize,
    /// Threads of their own for performance actors; 0 runs the actors on the HTTP workers
    /// (a request served by its actor's worker crosses no thread).
    pub actor_threads: usize,
    /// HTTP worker threads; 0 means one per core.
    pub http_workers: usize,
    /// Catalogue and availability reads need no key.
    pub public_reads: bool,
    /// Take the caller's IP from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_forwarded_for: bool,
    /// How far "durable" goes before a change is acknowledged: fsync, flush or none.
    pub durability: Durability,
    /// A performance writes a snapshot after this many journal entries...
    pub snapshot_every_entries: u64,
    /// ...or after this many seconds with at least one new entry.
    pub snapshot_every_seconds: u64,
    /// sled's page cache, in bytes.
    pub cache_capacity_bytes: u64,
    /// Below this much free disk space, new holds are refused with 503 (reads still work).
    pub disk_reserve_bytes: u64,
    /// Exit the process (code 70) when storage fails, so a restart recovers from disk.
    pub exit_on_storage_failure: bool,
    /// The payment methods a completion may record (`GET /payment-methods`).
    pub payment_methods: Vec<String>,
    /// The most tickets a widget key may hold in one transaction.
    pub widget_max_tickets: u32,
    /// Holds per minute one IP may place with widget keys (429 beyond).
    pub widget_holds_per_minute: u32,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("./data"),
            admin_key: None,
            demo: true,
            hold_seconds: 180,
            body_limit_bytes: 64 * 1024,
            body_read_timeout_seconds: 10,
            tickets_per_request_max: 100,
            seats_per_plan_max: crate::domain::SEATS_PER_PLAN_MAX,
            admission_max: 1024,
            actor_threads: 0,
            http_workers: 0,
            public_reads: true,
            trust_forwarded_for: false,
            durability: Durability::Fsync,
            snapshot_every_entries: 20_000,
            snapshot_every_seconds: 60,
            cache_capacity_bytes: 256 * 1024 * 1024,
            disk_reserve_bytes: 64 * 1024 * 1024,
            exit_on_storage_failure: true,
            payment_methods: crate::actor::DEFAULT_PAYMENT_METHODS
                .map(String::from)
                .to_vec(),
            widget_max_tickets: 10,
            widget_holds_per_minute: 30,
        }
    }
}

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("reading {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not valid TOML for [`Config`].
    #[error("parsing {path}: {source}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: toml::de::Error,
    },
    /// A value is out of range.
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

impl Config {
    /// Checks every value.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] naming the first bad value.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let fail = |message: &str| Err(ConfigError::Invalid(message.into()));
        if self.hold_seconds == 0 || self.hold_seconds > crate::domain::HOLD_SECONDS_MAX {
            return fail("hold_seconds must be from 1 to 86400");
        }
        if self.body_limit_bytes < 1024 {
            return fail("body_limit_bytes must be at least 1024");
        }
        if self.body_read_timeout_seconds == 0 || self.body_read_timeout_seconds > 3_600 {
            return fail("body_read_timeout_seconds must be from 1 to 3600");
        }
        if self.tickets_per_request_max == 0
            || self.seats_per_plan_max == 0
            || self.admission_max == 0
        {
            return fail(
                "tickets_per_request_max, seats_per_plan_max and admission_max must be positive",
            );
        }
        if self.widget_max_tickets == 0 || self.widget_holds_per_minute == 0 {
            return fail("widget_max_tickets and widget_holds_per_minute must be positive");
        }
        if self.snapshot_every_entries == 0 || self.snapshot_every_seconds == 0 {
            return fail("snapshot_every_entries and snapshot_every_seconds must be positive");
        }
        if self.admin_key.as_deref().is_some_and(|key| key.len() < 16) {
            return fail("admin_key must be at least 16 characters");
        }
        let mut methods = self.payment_methods.clone();
        methods.sort();
        methods.dedup();
        let method_ok = |method: &String| {
            !method.is_empty()
                && method.len() <= crate::domain::PAYMENT_TEXT_MAX
                && method
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        };
        if methods.is_empty()
            || methods.len() != self.payment_methods.len()
            || !self.payment_methods.iter().all(method_ok)
        {
            return fail(
                "payment_methods must be a non-empty list of distinct names of letters, digits, '_' or '-'",
            );
        }
        Ok(())
    }

    /// Reads a TOML file over the defaults.
    ///
    /// # Errors
    /// When the file cannot be read or parsed.
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.into(),
            source,
        })?;
        toml::from_str(&text).map_err(|source| ConfigError::Parse {
            path: path.into(),
            source,
        })
    }
}

/// Flags of `holdfast serve`; each falls back to its `HOLDFAST_*` environment variable.
#[derive(Debug, Default, Args)]
pub struct ServeArgs {
    /// A TOML configuration file (default: config/default.toml when present).
    #[arg(long, env = "HOLDFAST_CONFIG")]
    pub config: Option<PathBuf>,
    /// The address to listen on, e.g. 127.0.0.1:8080; port 0 picks a free port.
    #[arg(long, env = "HOLDFAST_BIND")]
    pub bind: Option<String>,
    /// The data directory.
    #[arg(long, env = "HOLDFAST_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// The admin API key (at least 16 characters); generated when absent.
    #[arg(long, env = "HOLDFAST_ADMIN_KEY", hide_env_values = true)]
    pub admin_key: Option<String>,
    /// Do not load the demo catalogue.
    #[arg(long, env = "HOLDFAST_NO_DEMO")]
    pub no_demo: bool,
    /// The lock time of performances created without hold_seconds.
    #[arg(long, env = "HOLDFAST_HOLD_SECONDS")]
    pub hold_seconds: Option<u32>,
    /// Requests in flight per performance before `overloaded` is answered.
    #[arg(long, env = "HOLDFAST_ADMISSION_MAX")]
    pub admission_max: Option<usize>,
    /// HTTP worker threads; 0 means one per core.
    #[arg(long, env = "HOLDFAST_HTTP_WORKERS")]
    pub http_workers: Option<usize>,
    /// Take the caller's IP from X-Forwarded-For.
    #[arg(long, env = "HOLDFAST_TRUST_FORWARDED_FOR")]
    pub trust_forwarded_for: bool,
    /// Holds per minute one IP may place with widget keys.
    #[arg(long, env = "HOLDFAST_WIDGET_HOLDS_PER_MINUTE")]
    pub widget_holds_per_minute: Option<u32>,
    /// fsync (default), flush (survives a crash, not a power cut) or none (benchmarks only).
    #[arg(long, env = "HOLDFAST_DURABILITY", value_parser = parse_durability)]
    pub durability: Option<Durability>,
}

fn parse_durability(text: &str) -> Result<Durability, String> {
    match text {
        "fsync" => Ok(Durability::Fsync),
        "flush" => Ok(Durability::Flush),
        "none" => Ok(Durability::None),
        _ => Err("expected fsync, flush or none".into()),
    }
}

/// Builds the configuration: defaults, file, then flags and environment.
///
/// # Errors
/// When the file is bad or a value is out of range.
pub fn load(args: &ServeArgs) -> Result<Config, ConfigError> {
    let default_file = Path::new("config/default.toml");
    let mut config = match &args.config {
        Some(path) => Config::from_file(path)?,
        None if default_file.exists() => Config::from_file(default_file)?,
        None => Config::default(),
    };
    if let Some(bind) = &args.bind {
        config.bind.clone_from(bind);
    }
    if let Some(dir) = &args.data_dir {
        config.data_dir.clone_from(dir);
    }
    if args.admin_key.is_some() {
        config.admin_key.clone_from(&args.admin_key);
    }
    if args.no_demo {
        config.demo = false;
    }
    config.hold_seconds = args.hold_seconds.unwrap_or(config.hold_seconds);
    config.admission_max = args.admission_max.unwrap_or(config.admission_max);
    config.http_workers = args.http_workers.unwrap_or(config.http_workers);
    config.trust_forwarded_for |= args.trust_forwarded_for;
    config.durability = args.durability.unwrap_or(config.durability);
    config.widget_holds_per_minute = args
        .widget_holds_per_minute
        .unwrap_or(config.widget_holds_per_minute);
    config.validate()?;
    Ok(config)
}
