//! Where `mi login` keeps the session token: `credentials.json` in `MI_CONFIG_DIR`, else
//! `$XDG_CONFIG_HOME/mi`, else `~/.config/mi`, readable by the user alone. `MI_API_KEY` or
//! `--api-key` take precedence over it.

use std::path::PathBuf;

use anyhow::Context;
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize)]
pub struct Stored {
    pub server: String,
    pub token: String,
}

pub fn dir() -> Option<PathBuf> {
    let from = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    from("MI_CONFIG_DIR")
        .or_else(|| from("XDG_CONFIG_HOME").map(|d| d.join("mi")))
        .or_else(|| from("HOME").map(|d| d.join(".config").join("mi")))
}

fn path() -> Option<PathBuf> {
    dir().map(|d| d.join("credentials.json"))
}

/// The stored token, if `mi login` left one for this server.
pub fn load(server: &str) -> Option<String> {
    let text = std::fs::read_to_string(path()?).ok()?;
    let stored: Stored = serde_json::from_str(&text).ok()?;
    (stored.server == server).then_some(stored.token)
}

pub fn save(stored: &Stored) -> anyhow::Result<PathBuf> {
    let path = path().context("no config folder: set MI_CONFIG_DIR or HOME")?;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }

    let text = serde_json::to_string_pretty(stored)?;
    write_private(&path, text.as_bytes()).with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}

pub fn remove() {
    if let Some(path) = path() {
        let _ = std::fs::remove_file(path);
    }
}

#[cfg(unix)]
fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;

    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(bytes)
}

#[cfg(not(unix))]
fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}
