//! The `[alerts]` table: who else hears about a hold (a desktop notification
//! on the session D-Bus, a webhook). Off unless configured: with no table,
//! nothing is sent and no alert thread starts. Kept in its own file so the
//! whole section can move with the config.

use serde::Deserialize;
use std::path::PathBuf;

/// Default per-attempt webhook timeout in milliseconds (connect, TLS, send
/// and the status line together).
pub const DEFAULT_WEBHOOK_TIMEOUT_MS: u64 = 5_000;
/// The largest per-attempt webhook timeout the config accepts (ms).
pub const MAX_WEBHOOK_TIMEOUT_MS: u64 = 60_000;

/// `[alerts]`: every new hold (and, with `on_deny`, every deny) is announced
/// on the desktop and/or posted to a webhook, off the verdict's path.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct AlertsConfig {
    /// Show a desktop notification (org.freedesktop.Notifications on the
    /// session bus). Default off.
    pub desktop: bool,
    /// POST each alert here: `https://…`, or plain `http://` to a loopback
    /// address only (127.0.0.0/8, [::1], localhost).
    pub webhook: Option<String>,
    /// The webhook body: `json` (default), `slack` or `ntfy`.
    pub format: WebhookFormat,
    /// Also announce denied commands (default: holds only).
    pub on_deny: bool,
    /// The web control room's URL: where a notification's "Open" button goes.
    /// Without it no button is offered. Never an approve button.
    pub open_url: Option<String>,
    /// Per-attempt webhook timeout (default
    /// [`DEFAULT_WEBHOOK_TIMEOUT_MS`], at most [`MAX_WEBHOOK_TIMEOUT_MS`]).
    pub timeout_ms: Option<u64>,
    /// PEM file of the CA(s) that signed an `https` webhook's certificate;
    /// default the system bundle.
    pub ca_file: Option<PathBuf>,
}

/// The webhook body format.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum WebhookFormat {
    /// Every fact as one JSON object.
    #[default]
    Json,
    /// A Slack incoming-webhook message (`{"text": …}`).
    Slack,
    /// An ntfy publish: plain-text message with `Title`/`Priority`/`Tags`
    /// headers, to `https://ntfy.example/TOPIC`.
    Ntfy,
}

impl WebhookFormat {
    /// The config word.
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookFormat::Json => "json",
            WebhookFormat::Slack => "slack",
            WebhookFormat::Ntfy => "ntfy",
        }
    }
}

/// A webhook URL taken apart: only what a POST needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl {
    pub tls: bool,
    /// The host as written (brackets removed from an IPv6 literal).
    pub host: String,
    pub port: u16,
    /// Path and query, at least `/`.
    pub path: String,
}

impl WebhookUrl {
    /// `scheme://host` without the path (which may carry a token): what
    /// `status` and the log show.
    pub fn shown(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        format!("{}://{host}", if self.tls { "https" } else { "http" })
    }

    /// Parse and check a webhook URL; the error says what to write instead.
    pub fn parse(url: &str) -> Result<WebhookUrl, String> {
        let bad = |why: &str| Err(format!("[alerts] webhook {why}"));
        if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return bad("must not contain spaces or control characters");
        }
        let (tls, rest) = if let Some(r) = url.strip_prefix("https://") {
            (true, r)
        } else if let Some(r) = url.strip_prefix("http://") {
            (false, r)
        } else {
            return bad("must start with https:// (or http:// to a loopback address)");
        };
        let cut = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(cut);
        let tail = tail.split('#').next().unwrap_or("");
        if authority.contains('@') {
            return bad(
                "must not carry a user or password before the host; put a token in the path",
            );
        }
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let Some((h, after)) = v6.split_once(']') else {
                return bad("has an unclosed [ in its host");
            };
            (h.to_string(), after.strip_prefix(':'))
        } else {
            match authority.split_once(':') {
                Some((h, p)) => (h.to_string(), Some(p)),
                None => (authority.to_string(), None),
            }
        };
        if host.is_empty() {
            return bad("has no host");
        }
        let port = match port {
            None => {
                if tls {
                    443
                } else {
                    80
                }
            }
            Some(p) => match p.parse::<u16>() {
                Ok(n) if n > 0 => n,
                _ => return bad(&format!("has a bad port {p:?}")),
            },
        };
        if !tls && !is_loopback(&host) {
            return Err(format!(
                "[alerts] webhook {url:?}: plain http is allowed only to a loopback address \
                 (127.0.0.1, [::1], localhost), so an alert never crosses a network \
                 unencrypted; use https://"
            ));
        }
        let path = if tail.is_empty() {
            "/".to_string()
        } else if tail.starts_with('?') {
            format!("/{tail}")
        } else {
            tail.to_string()
        };
        Ok(WebhookUrl {
            tls,
            host,
            port,
            path,
        })
    }
}

/// True for `localhost`, 127.0.0.0/8 and ::1.
pub fn is_loopback(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    host.parse::<std::net::IpAddr>()
        .map(|ip| ip.is_loopback())
        .unwrap_or(false)
}

impl AlertsConfig {
    /// True when anything at all would be sent.
    pub fn enabled(&self) -> bool {
        self.desktop || self.webhook.is_some()
    }

    /// The per-attempt webhook timeout.
    pub fn timeout(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.timeout_ms.unwrap_or(DEFAULT_WEBHOOK_TIMEOUT_MS))
    }

    pub(crate) fn check(&self) -> Result<(), String> {
        if let Some(url) = &self.webhook {
            WebhookUrl::parse(url)?;
        }
        if let Some(t) = self.timeout_ms
            && !(1..=MAX_WEBHOOK_TIMEOUT_MS).contains(&t)
        {
            return Err(format!(
                "[alerts] timeout_ms must be between 1 and {MAX_WEBHOOK_TIMEOUT_MS}"
            ));
        }
        if let Some(u) = &self.open_url
            && !(u.starts_with("http://") || u.starts_with("https://"))
        {
            return Err(format!(
                "[alerts] open_url {u:?} must be an http:// or https:// URL (the web control room)"
            ));
        }
        if let Some(f) = &self.ca_file
            && f.is_relative()
        {
            return Err(format!(
                "[alerts] ca_file must be an absolute path, not {}",
                f.display()
            ));
        }
        if !self.enabled() && (self.open_url.is_some() || self.on_deny) {
            return Err(
                "[alerts] on_deny and open_url need `desktop = true` or a `webhook` to act on"
                    .into(),
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Config;

    #[test]
    fn default_config_sends_nothing() {
        let c = Config::parse("").unwrap();
        assert_eq!(c.alerts, AlertsConfig::default());
        assert!(!c.alerts.enabled());
        let c = Config::parse("[alerts]").unwrap();
        assert!(!c.alerts.enabled());
    }

    #[test]
    fn webhook_urls_https_anywhere_http_only_loopback() {
        let u = WebhookUrl::parse("https://hooks.example.com/services/T1/B2?x=1").unwrap();
        assert_eq!(
            (u.tls, u.host.as_str(), u.port, u.path.as_str()),
            (true, "hooks.example.com", 443, "/services/T1/B2?x=1")
        );
        assert_eq!(u.shown(), "https://hooks.example.com");
        let u = WebhookUrl::parse("http://127.0.0.1:8080").unwrap();
        assert_eq!((u.port, u.path.as_str()), (8080, "/"));
        let u = WebhookUrl::parse("http://[::1]:9/h").unwrap();
        assert_eq!((u.host.as_str(), u.port), ("::1", 9));
        assert_eq!(u.shown(), "http://[::1]");
        WebhookUrl::parse("http://localhost/x").unwrap();
        for (url, says) in [
            ("http://hooks.example.com/x", "loopback"),
            ("http://10.0.0.1/x", "loopback"),
            ("ftp://h/x", "https://"),
            ("hooks.example.com", "https://"),
            ("https://u:p@h/x", "user or password"),
            ("https:///x", "no host"),
            ("https://h:99999/x", "bad port"),
            ("https://h/a b", "spaces"),
        ] {
            let err = WebhookUrl::parse(url).unwrap_err();
            assert!(err.contains(says), "{url}: {err}");
        }
    }

    #[test]
    fn alerts_table_is_checked_and_typos_named() {
        let c = Config::parse(
            "[alerts]\ndesktop = true\nwebhook = \"https://ntfy.example/k\"\nformat = \"ntfy\"\non_deny = true",
        )
        .unwrap();
        assert!(c.alerts.enabled() && c.alerts.on_deny);
        assert_eq!(c.alerts.format, WebhookFormat::Ntfy);
        let err = Config::parse("[alerts]\nwebhook = \"http://example.com/\"").unwrap_err();
        assert!(err.contains("loopback"), "{err}");
        let err = Config::parse("[alerts]\nwebhok = \"https://h/\"").unwrap_err();
        assert!(err.contains("webhok"), "{err}");
        assert!(Config::parse("[alerts]\nwebhook = \"https://h/\"\nformat = \"xml\"").is_err());
        let err = Config::parse("[alerts]\ndesktop = true\ntimeout_ms = 0").unwrap_err();
        assert!(err.contains("timeout_ms"), "{err}");
        let err = Config::parse("[alerts]\ndesktop = true\nca_file = \"ca.pem\"").unwrap_err();
        assert!(err.contains("absolute"), "{err}");
        let err = Config::parse("[alerts]\non_deny = true").unwrap_err();
        assert!(err.contains("desktop = true"), "{err}");
        let err = Config::parse("[alerts]\ndesktop = true\nopen_url = \"file:///x\"").unwrap_err();
        assert!(err.contains("open_url"), "{err}");
    }
}
