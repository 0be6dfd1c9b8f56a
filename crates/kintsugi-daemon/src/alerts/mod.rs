//! Alerts: every new hold (and, with `[alerts] on_deny`, every deny) is
//! announced beyond the terminal: a desktop notification (`dbus.rs`) and a
//! webhook (`webhook.rs`, over the small client in `http.rs`), worded by
//! `message.rs`. Each channel is its own thread fed by a bounded queue, so a
//! slow or dead receiver never delays a verdict: when a queue is full the
//! alert is dropped, logged, and counted in `status`. With no `[alerts]`
//! table nothing starts and nothing is sent.

mod dbus;
mod http;
mod message;
mod webhook;

use crate::config::AlertsConfig;
use kintsugi_protocol::{AlertSink, AlertsStatus, Decision, ProposedCommand, Verdict};
use serde::Serialize;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Alerts waiting for the desktop thread at once; more are dropped (logged
/// and counted as `dropped` in `status`).
pub const DESKTOP_QUEUE_LEN: usize = 32;
/// Alerts waiting for the webhook thread at once; more are dropped (logged
/// and counted as `dropped` in `status`).
pub const WEBHOOK_QUEUE_LEN: usize = 64;
/// Attempts per webhook alert: the first try and its retries. A 2xx answer
/// ends them; any other answer or error is retried after a backoff.
pub const WEBHOOK_ATTEMPTS: u32 = 4;
/// The wait before the first webhook retry; it doubles for each further one
/// (0.5 s, 1 s, 2 s).
pub const WEBHOOK_FIRST_BACKOFF: Duration = Duration::from_millis(500);
/// How long one D-Bus call to the notification server may take.
pub const DESKTOP_CALL_TIMEOUT: Duration = Duration::from_secs(3);
/// Characters of the (redacted) command an alert carries; longer ones are
/// cut and end with `…`.
pub const ALERT_COMMAND_CHARS: usize = 2_000;
/// Characters of the undo preview an alert carries.
pub const ALERT_PREVIEW_CHARS: usize = 600;

/// What an alert says: the facts of one verdict, the command already
/// redacted. Also the `json` webhook body.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Alert {
    /// `hold` or `deny`.
    pub kind: &'static str,
    /// The held item's id (what `kintsugi approve` takes); none for a deny.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub command: String,
    pub cwd: String,
    pub agent: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    pub class: String,
    pub rule: String,
    pub reason: String,
    /// What undo could restore / what the command touches, shortened.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preview: Option<String>,
    /// When it was decided (RFC 3339).
    pub time: String,
    /// Seconds until an unanswered hold expires.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_in_secs: Option<u64>,
    /// This machine's host name.
    pub host: String,
}

/// One channel's counters, shared with its thread.
pub(crate) struct Counters {
    target: String,
    delivered: AtomicU64,
    failed: AtomicU64,
    dropped: AtomicU64,
    last_delivery: Mutex<Option<String>>,
    last_error: Mutex<Option<String>>,
}

impl Counters {
    fn new(target: String) -> Arc<Counters> {
        Arc::new(Counters {
            target,
            delivered: AtomicU64::new(0),
            failed: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
            last_delivery: Mutex::new(None),
            last_error: Mutex::new(None),
        })
    }

    pub(crate) fn delivered(&self) {
        self.delivered.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut t) = self.last_delivery.lock() {
            *t = Some(kintsugi_protocol::now_rfc3339());
        }
        if let Ok(mut e) = self.last_error.lock() {
            *e = None;
        }
    }

    pub(crate) fn failed(&self, error: String) {
        self.failed.fetch_add(1, Ordering::Relaxed);
        self.error(error);
    }

    /// Note an error without counting a lost alert (a retry follows).
    pub(crate) fn error(&self, error: String) {
        if let Ok(mut e) = self.last_error.lock() {
            *e = Some(error);
        }
    }

    fn dropped(&self) {
        self.dropped.fetch_add(1, Ordering::Relaxed);
    }

    fn status(&self) -> AlertSink {
        AlertSink {
            target: self.target.clone(),
            delivered: self.delivered.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
            dropped: self.dropped.load(Ordering::Relaxed),
            last_delivery: self.last_delivery.lock().ok().and_then(|t| t.clone()),
            last_error: self.last_error.lock().ok().and_then(|e| e.clone()),
        }
    }
}

/// The running alert channels (only built when `[alerts]` enables one).
pub struct Alerts {
    on_deny: bool,
    ttl_secs: u64,
    host: String,
    desktop: Option<(tokio::sync::mpsc::Sender<Alert>, Arc<Counters>)>,
    webhook: Option<(std::sync::mpsc::SyncSender<Alert>, Arc<Counters>)>,
}

impl Alerts {
    /// Start a thread per configured channel; `None` (and no thread) when
    /// the config enables none. `ttl_secs` is how long a hold waits.
    pub fn start(cfg: &AlertsConfig, ttl_secs: u64) -> Option<Alerts> {
        if !cfg.enabled() {
            return None;
        }
        let desktop = cfg.desktop.then(|| {
            let counters = Counters::new("session bus".into());
            let tx = dbus::spawn(cfg.open_url.clone(), counters.clone());
            (tx, counters)
        });
        let webhook = cfg.webhook.as_deref().and_then(|url| {
            // The config check already parsed it; a failure here is a bug.
            let url = crate::config::WebhookUrl::parse(url)
                .map_err(|e| tracing::error!("alerts: {e}"))
                .ok()?;
            let counters = Counters::new(format!("{} ({})", url.shown(), cfg.format.as_str()));
            let tx = webhook::spawn(webhook::Settings::new(cfg, url), counters.clone());
            Some((tx, counters))
        });
        Some(Alerts {
            on_deny: cfg.on_deny,
            ttl_secs,
            host: host_name(),
            desktop,
            webhook,
        })
    }

    /// Announce a verdict if it is a hold (or a deny with `on_deny`). Never
    /// waits: a full queue drops the alert.
    pub fn announce(&self, cmd: &ProposedCommand, v: &Verdict, preview: Option<&str>) {
        let kind = match v.decision {
            Decision::Hold if v.pending.is_some() => "hold",
            Decision::Deny if self.on_deny => "deny",
            _ => return,
        };
        let alert = Alert {
            kind,
            id: v.pending.clone(),
            command: message::cut(&cmd.raw, ALERT_COMMAND_CHARS),
            cwd: cmd.cwd.clone(),
            agent: cmd.agent.clone(),
            session: cmd.session.clone(),
            class: v.class.as_str().into(),
            rule: v.rule.clone(),
            reason: v.reason.clone(),
            preview: preview.map(|p| message::cut(p, ALERT_PREVIEW_CHARS)),
            time: kintsugi_protocol::now_rfc3339(),
            expires_in_secs: (kind == "hold").then_some(self.ttl_secs),
            host: self.host.clone(),
        };
        if let Some((tx, counters)) = &self.desktop
            && tx.try_send(alert.clone()).is_err()
        {
            counters.dropped();
            tracing::warn!(
                "alerts: desktop queue full ({DESKTOP_QUEUE_LEN}); alert for {kind} dropped"
            );
        }
        if let Some((tx, counters)) = &self.webhook
            && tx.try_send(alert).is_err()
        {
            counters.dropped();
            tracing::warn!(
                "alerts: webhook queue full ({WEBHOOK_QUEUE_LEN}); alert for {kind} dropped"
            );
        }
    }

    /// What `status` reports.
    pub fn status(&self) -> AlertsStatus {
        AlertsStatus {
            desktop: self.desktop.as_ref().map(|(_, c)| c.status()),
            webhook: self.webhook.as_ref().map(|(_, c)| c.status()),
        }
    }
}

/// Announce a verdict through the daemon's alert channels, if any.
pub(crate) fn announce(
    state: &crate::state::State,
    cmd: &ProposedCommand,
    v: &Verdict,
    preview: Option<&str>,
) {
    if let Some(a) = &state.alerts {
        a.announce(cmd, v, preview);
    }
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "unknown".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use kintsugi_protocol::Class;

    fn verdict(decision: Decision, pending: Option<&str>) -> Verdict {
        Verdict {
            decision,
            class: Class::Catastrophic,
            rule: "fs:rm".into(),
            reason: "deletes files".into(),
            summary: None,
            risk: None,
            event: Some(1),
            pending: pending.map(String::from),
            snapshot: None,
        }
    }

    #[test]
    fn default_config_starts_nothing() {
        assert!(Alerts::start(&AlertsConfig::default(), 60).is_none());
    }

    #[test]
    fn a_full_webhook_queue_drops_and_counts_without_waiting() {
        // A webhook nobody can reach; the thread is busy with the first
        // alert (connect timeout + retries) while the queue fills up.
        let cfg = AlertsConfig {
            webhook: Some("http://127.0.0.1:9/dead".into()),
            timeout_ms: Some(60_000),
            ..Default::default()
        };
        let a = Alerts::start(&cfg, 60).unwrap();
        let cmd = ProposedCommand::new("test", "/tmp", vec![], "rm -rf x");
        let v = verdict(Decision::Hold, Some("p1"));
        let t = std::time::Instant::now();
        for _ in 0..(WEBHOOK_QUEUE_LEN + 10) {
            a.announce(&cmd, &v, None);
        }
        assert!(
            t.elapsed() < Duration::from_millis(500),
            "{:?}",
            t.elapsed()
        );
        let s = a.status().webhook.unwrap();
        // At most one taken off by the thread, the queue full, the rest dropped.
        assert!(s.dropped >= 9 && s.dropped <= 10, "{s:?}");
        assert_eq!(s.target, "http://127.0.0.1 (json)");
    }

    #[test]
    fn only_holds_and_opted_in_denies_are_announced() {
        let (tx, rx) = std::sync::mpsc::sync_channel(8);
        let counters = Counters::new("t".into());
        let mut a = Alerts {
            on_deny: false,
            ttl_secs: 90,
            host: "h".into(),
            desktop: None,
            webhook: Some((tx, counters)),
        };
        let cmd = ProposedCommand::new("claude", "/p", vec![], "rm -rf build");
        a.announce(&cmd, &verdict(Decision::Allow, None), None);
        a.announce(&cmd, &verdict(Decision::Deny, None), None);
        a.announce(
            &cmd,
            &verdict(Decision::Hold, Some("p7")),
            Some("restores 3 files"),
        );
        let got = rx.try_recv().unwrap();
        assert_eq!((got.kind, got.id.as_deref()), ("hold", Some("p7")));
        assert_eq!(got.expires_in_secs, Some(90));
        assert_eq!(got.preview.as_deref(), Some("restores 3 files"));
        assert!(rx.try_recv().is_err());
        a.on_deny = true;
        a.announce(&cmd, &verdict(Decision::Deny, None), None);
        let got = rx.try_recv().unwrap();
        assert_eq!((got.kind, got.expires_in_secs), ("deny", None));
    }
}
