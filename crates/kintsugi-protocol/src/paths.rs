//! Where the socket, the data dir and the user config live, resolved exactly
//! as PROTOCOL.md orders it. Environment variables are read here and nowhere
//! else, so a sandboxed `KINTSUGI_DATA_DIR` never reaches the real daemon.

use std::env;
use std::path::PathBuf;

fn non_empty(var: &str) -> Option<PathBuf> {
    env::var_os(var)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// The user's home: `$HOME`, else `/` (the one definition every crate
/// uses, so `~` means the same to the classifier, the daemon and the CLI).
pub fn home_dir() -> PathBuf {
    non_empty("HOME").unwrap_or_else(|| PathBuf::from("/"))
}

/// The data dir: `$KINTSUGI_DATA_DIR`, else `$XDG_DATA_HOME/kintsugi`, else
/// `~/.local/share/kintsugi`.
pub fn data_dir() -> PathBuf {
    if let Some(dir) = non_empty("KINTSUGI_DATA_DIR") {
        return dir;
    }
    if let Some(xdg) = non_empty("XDG_DATA_HOME") {
        return xdg.join("kintsugi");
    }
    home_dir().join(".local/share/kintsugi")
}

/// The socket: `$KINTSUGI_SOCKET`, else `$KINTSUGI_DATA_DIR/kintsugi.sock`,
/// else `$XDG_RUNTIME_DIR/kintsugi.sock`, else `<data dir>/kintsugi.sock`.
pub fn socket_path() -> PathBuf {
    if let Some(sock) = non_empty("KINTSUGI_SOCKET") {
        return sock;
    }
    if let Some(dir) = non_empty("KINTSUGI_DATA_DIR") {
        return dir.join("kintsugi.sock");
    }
    if let Some(run) = non_empty("XDG_RUNTIME_DIR") {
        return run.join("kintsugi.sock");
    }
    data_dir().join("kintsugi.sock")
}

/// The user config file: `$KINTSUGI_CONFIG`, else
/// `$XDG_CONFIG_HOME/kintsugi/config.toml`, else `~/.config/kintsugi/config.toml`.
pub fn config_path() -> PathBuf {
    if let Some(cfg) = non_empty("KINTSUGI_CONFIG") {
        return cfg;
    }
    if let Some(xdg) = non_empty("XDG_CONFIG_HOME") {
        return xdg.join("kintsugi/config.toml");
    }
    home_dir().join(".config/kintsugi/config.toml")
}
