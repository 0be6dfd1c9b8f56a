//! The user's config file (TOML), read by the daemon and by every client
//! (hooks, shims, `exec`, the watcher, the CLI). A missing file means
//! defaults; an unknown key or a bad value is an error that names it, so a
//! typo never silently weakens anything.
//!
//! Invariant: no I/O but reading the one file it is given; depends on
//! nothing of ours but the ledger's durability words and the fleet's URL
//! check (one parser for what the fleet will accept).
#![forbid(unsafe_code)]

use kintsugi_ledger::Durability;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

mod alerts;
pub use alerts::{AlertsConfig, WebhookFormat, WebhookUrl};

/// Why the config could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config {path} is invalid: {message}")]
    Parse { path: PathBuf, message: String },
}

/// Daemon settings. Every limit is named here with its default.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// `attended` (default), `unattended` or `notify`.
    pub mode: Mode,
    /// The user's own allow/deny/hold rules.
    pub rules: Rules,
    /// What interceptors do when the daemon cannot be reached: `open` (run
    /// anything the local classifier does not call catastrophic) or `closed`
    /// (block everything the daemon has not vouched for). Catastrophic is
    /// always blocked. The same rule for every interceptor.
    pub fail_mode: FailMode,
    /// How long a shim or `kintsugi exec` waits for a human on a hold before
    /// giving up and denying (default 300 s).
    pub hold_timeout_secs: u64,
    /// `normal` (WAL, synchronous=NORMAL) or `full` (fsync every batch).
    pub durability: DurabilityWord,
    /// A second directory that receives every signed checkpoint.
    pub witness_dir: Option<PathBuf>,
    /// Sign a checkpoint after this many events (default 1000).
    pub checkpoint_every: u64,
    /// ... or after this many seconds with new events (default 10).
    pub checkpoint_interval_secs: u64,
    /// How long the daemon waits for a complete request line on a connection
    /// before closing it (default 30 s); covers idle and trickling peers.
    pub read_timeout_secs: u64,
    /// Concurrent connections served at once (default 1024); more are told
    /// so and closed.
    pub max_connections: usize,
    /// Request connections one peer process may hold at once (default 128),
    /// so no single client fills the table; more are refused as busy.
    pub max_connections_per_process: usize,
    /// `subscribe` streams served at once (default 64), counted apart from
    /// `max_connections`; more are refused as busy.
    pub max_subscribers: usize,
    /// Held commands kept at once (default 1000); beyond it, new holds are
    /// denied with a reason that says the queue is full.
    pub max_pending: usize,
    /// Held commands one agent session may have waiting at once (default
    /// 20; commands without a session count per agent); beyond it, that
    /// session's new holds are denied with a reason that says so, while
    /// other sessions can still be held.
    pub max_pending_per_session: usize,
    /// Seconds before an unanswered hold expires (default 3600).
    pub pending_ttl_secs: u64,
    /// Per-snapshot budget: content MiB (default 1024), files (default
    /// 100000) and seconds (default 10). Beyond any of them the snapshot is
    /// incomplete, the verdict says what undo cannot cover, and in attended
    /// mode the command is held rather than allowed unprotected.
    pub snapshot_max_mb: u64,
    pub snapshot_max_files: u64,
    pub snapshot_max_secs: u64,
    /// Store-wide retention: total MiB (default 10240), age in days (default
    /// 30), and the newest N snapshots always kept (default 20).
    pub snapshot_store_max_mb: u64,
    pub snapshot_retention_days: u64,
    pub snapshot_keep_newest: usize,
    /// Trees the filesystem watcher backstop watches while the daemon runs.
    pub watch: Watch,
    /// Ship the ledger to a central PostgreSQL (`[fleet]`, off when absent).
    pub fleet: Option<FleetConfig>,
    /// The local model scorer (`[model]`); without a `path` the built-in
    /// heuristic scores alone. See docs/MODEL.md.
    pub model: ModelConfig,
    /// Desktop notification and webhook for holds (`[alerts]`, off when
    /// absent; see alerts.rs).
    pub alerts: AlertsConfig,
}

/// The `[watch]` table: `paths = ["~/projects", …]` are watched
/// recursively by the daemon's own watcher (as `kintsugi watch` would);
/// a leading `~/` is the user's home.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct Watch {
    pub paths: Vec<PathBuf>,
}

impl Watch {
    /// The configured paths with `~/` expanded against `home`.
    pub fn resolved(&self, home: &Path) -> Vec<PathBuf> {
        self.paths
            .iter()
            .map(|p| match p.strip_prefix("~") {
                Ok(rest) => home.join(rest),
                Err(_) => p.clone(),
            })
            .collect()
    }
}

/// The `[fleet]` table: where and how the ledger is shipped (docs/FLEET.md).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct FleetConfig {
    /// `postgres://user@host:port/db?sslmode=verify-full&sslrootcert=/path/ca.crt`:
    /// TLS as libpq's `sslmode` says (docs/FLEET.md); the verify modes need a
    /// readable `sslrootcert`.
    pub url: String,
    /// Events per central transaction (default 5000, at most 50000).
    #[serde(default = "FleetConfig::default_batch_size")]
    pub batch_size: usize,
    /// How often the ledger is checked for new events (default 500 ms).
    #[serde(default = "FleetConfig::default_poll_interval_ms")]
    pub poll_interval_ms: u64,
    /// First retry delay after an error (default 500 ms), doubling up to
    /// `retry_max_secs` (default 30 s) while the database stays away.
    #[serde(default = "FleetConfig::default_retry_min_ms")]
    pub retry_min_ms: u64,
    #[serde(default = "FleetConfig::default_retry_max_secs")]
    pub retry_max_secs: u64,
}

impl FleetConfig {
    fn default_batch_size() -> usize {
        5000
    }
    fn default_poll_interval_ms() -> u64 {
        500
    }
    fn default_retry_min_ms() -> u64 {
        500
    }
    fn default_retry_max_secs() -> u64 {
        30
    }

    /// The shipper's settings.
    pub fn shipper(&self) -> kintsugi_fleet::ShipperConfig {
        kintsugi_fleet::ShipperConfig {
            url: self.url.clone(),
            batch_size: self.batch_size,
            poll_interval: Duration::from_millis(self.poll_interval_ms),
            retry_min: Duration::from_millis(self.retry_min_ms),
            retry_max: Duration::from_secs(self.retry_max_secs)
                .max(Duration::from_millis(self.retry_min_ms)),
        }
    }

    fn check(&self) -> Result<(), String> {
        kintsugi_fleet::check_url(&self.url).map_err(|e| format!("[fleet] url: {e}"))?;
        if !(1..=50_000).contains(&self.batch_size) {
            return Err("[fleet] batch_size must be between 1 and 50000".into());
        }
        if self.poll_interval_ms == 0 || self.retry_min_ms == 0 || self.retry_max_secs == 0 {
            return Err(
                "[fleet] poll_interval_ms, retry_min_ms and retry_max_secs must be at least 1"
                    .into(),
            );
        }
        Ok(())
    }
}

/// `[model]`: a GGUF model run on the CPU to explain and escalate non-safe
/// commands. Every limit is named here with its default.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct ModelConfig {
    /// The GGUF file (absolute, or relative to the config file's directory).
    /// Nothing is ever downloaded: no path means the heuristic only.
    pub path: Option<PathBuf>,
    /// The file's expected SHA-256 (hex, as `kintsugi model use` records
    /// it); on a mismatch the daemon keeps the heuristic and says why.
    pub sha256: Option<String>,
    /// Time budget per command, queueing included (default 750 ms); past
    /// it the heuristic result stands and the event says so.
    pub timeout_ms: u64,
    /// CPU threads for inference (default 2).
    pub threads: u32,
    /// Commands waiting for the model at once (default 4); when full, the
    /// heuristic answers and the event says so.
    pub queue_len: usize,
    /// Tokens the model may generate per command (default 40).
    pub max_tokens: u32,
    /// The model's context window in tokens (default 1024); the prompt and
    /// the answer must fit.
    pub context_tokens: u32,
}

impl Default for ModelConfig {
    fn default() -> Self {
        ModelConfig {
            path: None,
            sha256: None,
            timeout_ms: 750,
            threads: 2,
            queue_len: 4,
            max_tokens: 40,
            context_tokens: 1024,
        }
    }
}

impl ModelConfig {
    fn check(&self) -> Result<(), String> {
        let bad = |what: &str| Err(format!("[model] {what}"));
        if self.timeout_ms == 0 || self.timeout_ms > 60_000 {
            return bad("timeout_ms must be between 1 and 60000");
        }
        if !(1..=64).contains(&self.threads) {
            return bad("threads must be between 1 and 64");
        }
        if !(1..=1024).contains(&self.queue_len) {
            return bad("queue_len must be between 1 and 1024");
        }
        if !(8..=256).contains(&self.max_tokens) {
            return bad("max_tokens must be between 8 and 256");
        }
        if !(512..=8192).contains(&self.context_tokens) {
            return bad("context_tokens must be between 512 and 8192");
        }
        if let Some(h) = &self.sha256
            && (h.len() != 64 || !h.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            return bad("sha256 must be 64 hex digits");
        }
        Ok(())
    }
}

/// What interceptors do when the daemon cannot vouch for a command that is
/// not catastrophic (catastrophic commands are blocked in either mode). The
/// `fail_mode` setting's words; the one type the daemon, the hooks and the
/// shims share.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum FailMode {
    /// Let it through and say so on stderr (the default).
    #[default]
    Open,
    /// Block it.
    Closed,
}

impl FailMode {
    /// Read `KINTSUGI_FAIL_MODE`: `None` when unset (the config decides),
    /// `open` or `closed` as said. Any other value is a misconfiguration; it
    /// errs towards closed and the returned warning says so.
    pub fn from_env() -> Option<(FailMode, Option<String>)> {
        let v = std::env::var("KINTSUGI_FAIL_MODE").ok()?;
        Some(match v.trim() {
            "" => return None,
            t if t.eq_ignore_ascii_case("open") => (FailMode::Open, None),
            t if t.eq_ignore_ascii_case("closed") => (FailMode::Closed, None),
            _ => (
                FailMode::Closed,
                Some(format!(
                    "KINTSUGI_FAIL_MODE={v:?} is neither `open` nor `closed`; treating it as `closed`"
                )),
            ),
        })
    }

    /// The fail mode in force: the config's, made stricter by the
    /// environment's when that says `closed`, never looser (a command's
    /// environment is the agent's to set). The one rule every interceptor
    /// uses.
    pub fn tightened_by(config: FailMode, env: Option<FailMode>) -> FailMode {
        match (config, env) {
            (FailMode::Closed, _) | (_, Some(FailMode::Closed)) => FailMode::Closed,
            _ => FailMode::Open,
        }
    }

    /// The config word.
    pub fn as_str(self) -> &'static str {
        match self {
            FailMode::Open => "open",
            FailMode::Closed => "closed",
        }
    }
}

/// The `durability` setting's words.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum DurabilityWord {
    #[default]
    Normal,
    Full,
}

/// How non-safe commands are decided when no rule or memory says otherwise.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Safe → allow; ambiguous and catastrophic → hold for a human.
    #[default]
    Attended,
    /// Safe → allow; anything else → deny (no human is watching).
    Unattended,
    /// Allow and record; catastrophic is still held.
    Notify,
}

impl Mode {
    /// The config word.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Attended => "attended",
            Mode::Unattended => "unattended",
            Mode::Notify => "notify",
        }
    }
}

/// Patterns matched against the raw command line (`*` matches any run of
/// characters, `/` and spaces included) or, with a `rule:` prefix, against
/// the rule id.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct Rules {
    pub allow: Vec<String>,
    pub deny: Vec<String>,
    pub hold: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            mode: Mode::Attended,
            rules: Rules::default(),
            fail_mode: FailMode::Open,
            hold_timeout_secs: 300,
            durability: DurabilityWord::Normal,
            witness_dir: None,
            checkpoint_every: 1000,
            checkpoint_interval_secs: 10,
            read_timeout_secs: 30,
            max_connections: 1024,
            max_connections_per_process: 128,
            max_subscribers: 64,
            max_pending: 1000,
            max_pending_per_session: 20,
            pending_ttl_secs: 3600,
            snapshot_max_mb: 1024,
            snapshot_max_files: 100_000,
            snapshot_max_secs: 10,
            snapshot_store_max_mb: 10_240,
            snapshot_retention_days: 30,
            snapshot_keep_newest: 20,
            watch: Watch::default(),
            fleet: None,
            model: ModelConfig::default(),
            alerts: AlertsConfig::default(),
        }
    }
}

impl Config {
    /// Load from `path`; a missing file yields the defaults.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(source) => {
                return Err(ConfigError::Read {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        let mut cfg = Config::parse(&text).map_err(|message| ConfigError::Parse {
            path: path.to_path_buf(),
            message,
        })?;
        if let (Some(m), Some(dir)) = (&cfg.model.path, path.parent())
            && m.is_relative()
        {
            cfg.model.path = Some(dir.join(m));
        }
        Ok(cfg)
    }

    /// Parse config text.
    pub fn parse(text: &str) -> Result<Config, String> {
        let cfg: Config = toml::from_str(text).map_err(|e| e.to_string())?;
        if cfg.checkpoint_every == 0 {
            return Err("checkpoint_every must be at least 1".into());
        }
        if let Some(p) = cfg
            .watch
            .paths
            .iter()
            .find(|p| p.is_relative() && !p.starts_with("~"))
        {
            return Err(format!(
                "[watch] paths must be absolute or start with ~/, not {}",
                p.display()
            ));
        }
        if cfg.read_timeout_secs == 0
            || cfg.max_connections == 0
            || cfg.max_connections_per_process == 0
            || cfg.max_subscribers == 0
        {
            return Err("read_timeout_secs, max_connections, max_connections_per_process and max_subscribers must be at least 1".into());
        }
        if cfg.max_pending_per_session == 0 {
            return Err("max_pending_per_session must be at least 1".into());
        }
        if let Some(f) = &cfg.fleet {
            f.check()?;
        }
        cfg.model.check()?;
        cfg.alerts.check()?;
        Ok(cfg)
    }

    /// The ledger durability.
    pub fn durability(&self) -> Durability {
        match self.durability {
            DurabilityWord::Normal => Durability::Normal,
            DurabilityWord::Full => Durability::Full,
        }
    }

    /// How long the daemon waits for a complete request line.
    pub fn read_timeout(&self) -> Duration {
        Duration::from_secs(self.read_timeout_secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_overrides() {
        let c = Config::parse("").unwrap();
        assert_eq!(c.checkpoint_every, 1000);
        let c = Config::parse("durability = \"full\"\nread_timeout_secs = 2").unwrap();
        assert_eq!(c.durability(), Durability::Full);
        assert_eq!(c.read_timeout_secs, 2);
        let c = Config::parse(
            "mode = \"notify\"\n[rules]\nallow = [\"rm -rf src\"]\nhold = [\"rule:git:*\"]",
        )
        .unwrap();
        assert_eq!(c.mode, Mode::Notify);
        assert_eq!(c.rules.allow, vec!["rm -rf src"]);
        assert!(Config::parse("[rules]\nalow = []").is_err());
    }

    #[test]
    fn watch_paths_expand_home_and_must_be_absolute() {
        let c = Config::parse("[watch]\npaths = [\"~/proj\", \"/srv/data\"]").unwrap();
        assert_eq!(
            c.watch.resolved(Path::new("/home/u")),
            vec![PathBuf::from("/home/u/proj"), PathBuf::from("/srv/data")]
        );
        let err = Config::parse("[watch]\npaths = [\"proj\"]").unwrap_err();
        assert!(err.contains("absolute"), "{err}");
        assert!(Config::parse("[watch]\npath = []").is_err());
    }

    #[test]
    fn typos_are_errors_that_name_the_key() {
        let err = Config::parse("durabilty = \"full\"").unwrap_err();
        assert!(err.contains("durabilty"), "{err}");
        assert!(Config::parse("durability = \"sometimes\"").is_err());
        assert!(Config::parse("checkpoint_every = 0").is_err());
        let err = Config::parse("max_subscribers = 0").unwrap_err();
        assert!(err.contains("max_subscribers"), "{err}");
        let c = Config::parse("max_subscribers = 2\nmax_connections_per_process = 3").unwrap();
        assert_eq!((c.max_subscribers, c.max_connections_per_process), (2, 3));
    }

    #[test]
    fn fleet_table_has_named_limits_and_checks_tls_settings() {
        assert!(Config::parse("").unwrap().fleet.is_none());
        let c = Config::parse("[fleet]\nurl = \"postgres://k@127.0.0.1/audit\"").unwrap();
        let f = c.fleet.unwrap();
        assert_eq!((f.batch_size, f.poll_interval_ms), (5000, 500));
        assert_eq!(f.shipper().retry_max, Duration::from_secs(30));
        assert!(Config::parse("[fleet]\nurl = \"postgres://k@h/a\"\nbatch = 5").is_err());
        Config::parse("[fleet]\nurl = \"postgres://k@h/a?sslmode=require\"").unwrap();
        let err =
            Config::parse("[fleet]\nurl = \"postgres://k@h/a?sslmode=verify-full\"").unwrap_err();
        assert!(
            err.contains("[fleet] url") && err.contains("sslrootcert"),
            "{err}"
        );
        let err = Config::parse("[fleet]\nurl = \"postgres://k@h/a?sslmode=on\"").unwrap_err();
        assert!(err.contains("sslmode=on"), "{err}");
        assert!(Config::parse("[fleet]\nurl = \"postgres://k@h/a\"\nbatch_size = 0").is_err());
    }

    #[test]
    fn model_table_defaults_limits_and_typos() {
        let c = Config::parse("").unwrap();
        assert_eq!(c.model, ModelConfig::default());
        assert_eq!(c.model.timeout_ms, 750);
        let c = Config::parse("[model]\npath = \"/m.gguf\"\ntimeout_ms = 5\nthreads = 1").unwrap();
        assert_eq!(c.model.path.as_deref(), Some(Path::new("/m.gguf")));
        assert_eq!((c.model.timeout_ms, c.model.threads), (5, 1));
        let err = Config::parse("[model]\npaht = \"/m\"").unwrap_err();
        assert!(err.contains("paht"), "{err}");
        assert!(Config::parse("[model]\ntimeout_ms = 0").is_err());
        assert!(Config::parse("[model]\nqueue_len = 0").is_err());
        assert!(Config::parse("[model]\nsha256 = \"abc\"").is_err());
    }

    #[test]
    fn a_relative_model_path_is_relative_to_the_config_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("config.toml");
        std::fs::write(&p, "[model]\npath = \"m/x.gguf\"").unwrap();
        let c = Config::load(&p).unwrap();
        assert_eq!(c.model.path.unwrap(), dir.path().join("m/x.gguf"));
    }
}
