//! The configuration file (`--config`, `PERMITDESK_CONFIG`, or the config directory's
//! `config.toml`). A missing default file is not an error; a named file that is missing is.

use anyhow::Context as _;
use serde::Deserialize;
use std::path::{Path, PathBuf};

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
    /// The file this configuration was read from.
    #[serde(skip)]
    pub path: Option<PathBuf>,
}

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
        let text = match std::fs::read_to_string(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                return Err(crate::cli::Exit::new(
                    6,
                    format!("{}: the configuration is not UTF-8 text", path.display()),
                )
                .into());
            }
            read => {
                read.with_context(|| format!("{}: cannot read the configuration", path.display()))?
            }
        };
        let mut config: Config = toml::from_str(&text).map_err(|e| {
            crate::cli::Exit::new(
                6,
                format!("{}: {}", path.display(), e.to_string().trim_end()),
            )
        })?;
        // Checked here, for every command, not only when the console starts.
        crate::console::keymap::Keymap::with_overrides(&config.keys)
            .map_err(|e| crate::cli::Exit::new(6, format!("{}: {e}", path.display())))?;
        config.path = Some(path.clone());
        if let (Some(cal), Some(dir)) = (&config.calendar, path.parent()) {
            if cal.is_relative() {
                config.calendar = Some(dir.join(cal));
            }
        }
        Ok(config)
    }
}
