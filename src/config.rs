//! The configuration file (`--config`, `PERMITDESK_CONFIG`, or the config directory's
//! `config.toml`). A missing default file is not an error; a named file that is missing is.

use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// A newer holiday calendar than the one built in.
    pub calendar: Option<PathBuf>,
    /// The socket of a `permitdesk serve` to use when neither --connect nor --db says.
    pub connect: Option<PathBuf>,
    /// Key bindings: command name = key or [keys].
    #[serde(default)]
    pub keys: std::collections::BTreeMap<String, crate::console::keymap::KeySetting>,
    /// `off`, `bell`, `osc9` or `osc777`: how newly overdue cases call for attention.
    #[serde(default)]
    pub alert: crate::console::app::Alert,
    /// `default`, `high-contrast` or `mono`.
    #[serde(default)]
    pub theme: crate::console::theme::ThemeName,
    /// The Litestream configuration that replicates the store (`doctor`, `restore-check`).
    pub litestream_config: Option<PathBuf>,
    /// Seconds the replica may be behind the store before `doctor` asks for a fix.
    pub replication_max_lag: Option<u64>,
    /// The file this configuration was read from.
    #[serde(skip)]
    pub path: Option<PathBuf>,
}

/// A configuration is a few lines; a bigger file is a mistake (or `/dev/zero`).
const MAX_CONFIG_BYTES: u64 = 1 << 20;

impl Config {
    pub fn load(explicit: Option<&Path>) -> anyhow::Result<Config> {
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None => match directories::BaseDirs::new() {
                Some(dirs) => {
                    let p = dirs.config_dir().join("permitdesk").join("config.toml");
                    if !p.exists() {
                        return Ok(Config::default());
                    }
                    p
                }
                None => return Ok(Config::default()),
            },
        };
        let bytes = crate::cli::io::read_local_limited(&path, MAX_CONFIG_BYTES).map_err(|e| {
            let code = match e.kind() {
                std::io::ErrorKind::InvalidInput | std::io::ErrorKind::InvalidData => 6,
                _ => 1,
            };
            crate::cli::Exit::new(
                code,
                format!("{}: cannot read the configuration: {e}", path.display()),
            )
        })?;
        let text = String::from_utf8(bytes).map_err(|_| {
            crate::cli::Exit::new(
                6,
                format!("{}: the configuration is not UTF-8 text", path.display()),
            )
        })?;
        let mut config: Config = toml::from_str(&text).map_err(|e| {
            crate::cli::Exit::new(
                6,
                format!("{}: {}", path.display(), e.to_string().trim_end()),
            )
        })?;
        // Checked here, for every command, not only when the console starts.
        crate::console::keymap::Keymap::with_overrides(&config.keys)
            .map_err(|e| crate::cli::Exit::new(6, format!("{}: {e}", path.display())))?;
        if config.replication_max_lag == Some(0) {
            return Err(crate::cli::Exit::new(
                6,
                format!(
                    "{}: replication_max_lag must be a whole number of seconds from 1 up",
                    path.display()
                ),
            )
            .into());
        }
        config.path = Some(path.clone());
        if let Some(dir) = path.parent() {
            for named in [&mut config.calendar, &mut config.litestream_config] {
                if let Some(relative) = named.as_ref().filter(|p| p.is_relative()) {
                    *named = Some(dir.join(relative));
                }
            }
        }
        Ok(config)
    }

    /// What `doctor` and `restore-check` need to find the replica.
    pub fn replication(&self) -> Replication {
        Replication {
            litestream_config: self.litestream_config.clone(),
            max_lag: self
                .replication_max_lag
                .map_or(DEFAULT_MAX_LAG, Duration::from_secs),
        }
    }
}

/// How far behind the store its replica may be before `doctor` warns: Litestream ships changes
/// every second (`sync-interval: 1s` in the example configurations).
pub const DEFAULT_MAX_LAG: Duration = Duration::from_secs(10);

/// Where the replica is described, and how far behind it may be. A command run by a server
/// always gets the server's own (never its client's): Litestream's configuration can name
/// programs to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replication {
    pub litestream_config: Option<PathBuf>,
    pub max_lag: Duration,
}

impl Default for Replication {
    fn default() -> Replication {
        Replication {
            litestream_config: None,
            max_lag: DEFAULT_MAX_LAG,
        }
    }
}
