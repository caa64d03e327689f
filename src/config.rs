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
    /// Key bindings: command name = key or [keys].
    #[serde(default)]
    pub keys: std::collections::BTreeMap<String, crate::console::keymap::KeySetting>,
    /// `off`, `bell`, `osc9` or `osc777`: how newly overdue cases call for attention.
    #[serde(default)]
    pub alert: crate::console::app::Alert,
    /// `default`, `high-contrast` or `mono`.
    #[serde(default)]
    pub theme: crate::console::theme::ThemeName,
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
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("{}: cannot read the configuration", path.display()))?;
        let mut config: Config = toml::from_str(&text).map_err(|e| {
            crate::cli::Exit::new(
                6,
                format!("{}: {}", path.display(), e.to_string().trim_end()),
            )
        })?;
        if let (Some(cal), Some(dir)) = (&config.calendar, path.parent()) {
            if cal.is_relative() {
                config.calendar = Some(dir.join(cal));
            }
        }
        Ok(config)
    }
}
