//! Status: what the daemon reports about itself (socket, pid, uptime,
//! scorer, mode, kill switch, queue, ledger head, last signed checkpoint),
//! and the result of the last ledger verification run from here (`v`).

use super::danger;
use crate::app::App;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

fn secs(s: u64) -> String {
    match s {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m {}s", s / 60, s % 60),
        s => format!("{}h {}m", s / 3600, (s % 3600) / 60),
    }
}

fn short(hash: &str) -> &str {
    hash.get(..16).unwrap_or(hash)
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let kv = |k: &str, v: String| Line::from(format!("{k:<16}{v}"));
    let mut lines = Vec::new();
    match &app.offline {
        None => lines.push(kv("feed", "live (subscribed to the daemon)".into())),
        Some(why) => lines.push(Line::styled(
            format!("{:<16}offline: {why}", "feed"),
            danger(app),
        )),
    }
    match &app.status {
        None => lines.push(kv("daemon", "no status yet".into())),
        Some(s) => {
            let o = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
            lines.push(kv("socket", o(&s.socket)));
            lines.push(kv("data dir", o(&s.data_dir)));
            lines.push(kv(
                "pid",
                s.pid.map(|p| p.to_string()).unwrap_or_else(|| "-".into()),
            ));
            lines.push(kv("version", o(&s.version)));
            lines.push(kv(
                "uptime",
                s.uptime_secs.map(secs).unwrap_or_else(|| "-".into()),
            ));
            lines.push(kv("scorer", s.scorer.clone()));
            lines.push(kv("mode", o(&s.mode)));
            if s.panic == Some(true) {
                lines.push(Line::styled(
                    format!(
                        "{:<16}ON: every command is denied until `kintsugi resume`",
                        "kill switch"
                    ),
                    danger(app),
                ));
            } else {
                lines.push(kv("kill switch", "off".into()));
            }
            lines.push(kv(
                "held",
                s.pending
                    .map(|p| p.to_string())
                    .unwrap_or_else(|| "-".into()),
            ));
            lines.push(kv(
                "ledger",
                format!(
                    "{} events, head {}",
                    s.ledger_len.unwrap_or(0),
                    short(s.ledger_head.as_deref().unwrap_or("-"))
                ),
            ));
            lines.push(kv(
                "last checkpoint",
                match &s.last_checkpoint {
                    Some(cp) => format!(
                        "sequence {} at {}, head {}",
                        cp.seq,
                        cp.time,
                        short(&cp.head)
                    ),
                    None => "none yet in this run".into(),
                },
            ));
            for w in s.warnings.iter().flatten() {
                lines.push(kv("warning", w.clone()));
            }
        }
    }
    lines.push(Line::from(""));
    lines.push(kv(
        "verify",
        app.verify
            .clone()
            .unwrap_or_else(|| "not run here yet; press v to verify the ledger now".into()),
    ));
    lines.push(Line::from(""));
    lines.push(Line::from(
        "r refreshes · v verifies the hash chain and every signed checkpoint",
    ));
    let block = Block::default().borders(Borders::TOP).title(" Status ");
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}
