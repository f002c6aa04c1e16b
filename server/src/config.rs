//! Settings: command line and environment first, then the TOML file, then defaults.

use crate::cli::Cli;
use anyhow::{Context, Result, bail};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The TOML configuration file. Unknown keys are an error (a typo must not be ignored).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub data: Option<PathBuf>,
    pub database_url: Option<String>,
    pub http: Option<String>,
    /// Serve the web portals with the cookie's `Secure` flag (behind a TLS proxy).
    pub secure_cookies: Option<bool>,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub data: PathBuf,
    pub database_url: String,
    pub secure_cookies: bool,
    file_http: Option<String>,
}

pub const DEFAULT_HTTP: &str = "127.0.0.1:3000";

impl Settings {
    pub fn resolve(cli: &Cli) -> Result<Settings> {
        let file = match &cli.config {
            Some(path) => load_file(path)?,
            None => FileConfig::default(),
        };
        let data = cli
            .data
            .clone()
            .or(file.data)
            .unwrap_or_else(|| PathBuf::from("data"));
        let database_url = match cli
            .database_url
            .clone()
            .filter(|u| !u.is_empty())
            .or(file.database_url)
        {
            Some(url) => url,
            None => app::store::sqlite_url_for(&data),
        };
        app::store::connect::engine_of(&database_url).map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(Settings {
            data,
            database_url,
            secure_cookies: file.secure_cookies.unwrap_or(false),
            file_http: file.http,
        })
    }

    /// The web address: flag or environment, else the file, else the default.
    pub fn http(&self, flag: Option<&str>) -> String {
        flag.filter(|f| !f.is_empty())
            .map(str::to_string)
            .or_else(|| self.file_http.clone())
            .unwrap_or_else(|| DEFAULT_HTTP.to_string())
    }
}

fn load_file(path: &Path) -> Result<FileConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the configuration file {}", path.display()))?;
    match toml::from_str(&text) {
        Ok(c) => Ok(c),
        Err(e) => bail!("{}: {}", path.display(), e.message()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_refused() {
        let e = toml::from_str::<FileConfig>("htp = '1'").unwrap_err();
        assert!(e.message().contains("unknown field"));
        let c: FileConfig =
            toml::from_str("http = '0.0.0.0:80'\ndata = '/var/lib/courrier'").unwrap();
        assert_eq!(c.http.as_deref(), Some("0.0.0.0:80"));
    }
}
