//! The webhook thread: takes alerts off a bounded queue and POSTs each one,
//! retrying with a doubling backoff ([`WEBHOOK_ATTEMPTS`] attempts, each
//! bounded by the configured timeout). It never touches a verdict: the
//! daemon only `try_send`s into its queue.

use super::http;
use super::message;
use super::{Alert, Counters, WEBHOOK_ATTEMPTS, WEBHOOK_FIRST_BACKOFF, WEBHOOK_QUEUE_LEN};
use crate::config::{AlertsConfig, WebhookFormat, WebhookUrl};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::time::Duration;

/// What the thread needs from the config.
pub struct Settings {
    url: WebhookUrl,
    format: WebhookFormat,
    timeout: Duration,
    ca_file: Option<PathBuf>,
}

impl Settings {
    pub fn new(cfg: &AlertsConfig, url: WebhookUrl) -> Settings {
        Settings {
            url,
            format: cfg.format,
            timeout: cfg.timeout(),
            ca_file: cfg.ca_file.clone(),
        }
    }
}

/// Start the webhook thread; alerts go into the returned bounded queue.
pub fn spawn(settings: Settings, counters: Arc<Counters>) -> SyncSender<Alert> {
    let (tx, rx) = sync_channel(WEBHOOK_QUEUE_LEN);
    let spawned = std::thread::Builder::new()
        .name("alerts-webhook".into())
        .spawn(move || run(settings, rx, counters));
    if let Err(e) = spawned {
        tracing::error!("alerts: cannot start the webhook thread: {e}");
    }
    tx
}

fn run(s: Settings, rx: Receiver<Alert>, counters: Arc<Counters>) {
    let shown = s.url.shown();
    let tls = if s.url.tls {
        match http::tls_config(s.ca_file.as_deref()) {
            Ok(c) => Some(c),
            Err(e) => {
                tracing::error!("alerts: webhook {shown} cannot use TLS: {e}");
                // Keep draining so every alert is counted as failed.
                while rx.recv().is_ok() {
                    counters.failed(e.clone());
                }
                return;
            }
        }
    } else {
        None
    };
    while let Ok(alert) = rx.recv() {
        let req = message::webhook(&alert, s.format);
        let mut backoff = WEBHOOK_FIRST_BACKOFF;
        for attempt in 1..=WEBHOOK_ATTEMPTS {
            let error = match http::post(&s.url, &req, tls.as_ref(), s.timeout) {
                Ok(code) if (200..300).contains(&code) => {
                    counters.delivered();
                    break;
                }
                Ok(code) => format!("answered HTTP {code}"),
                Err(e) => e,
            };
            let error =
                format!("webhook {shown}: {error} (attempt {attempt} of {WEBHOOK_ATTEMPTS})");
            if attempt == WEBHOOK_ATTEMPTS {
                tracing::warn!("alerts: {error}; alert for {} given up", alert.kind);
                counters.failed(error);
            } else {
                tracing::info!("alerts: {error}; retrying in {} ms", backoff.as_millis());
                counters.error(error);
                std::thread::sleep(backoff);
                backoff *= 2;
            }
        }
    }
}
