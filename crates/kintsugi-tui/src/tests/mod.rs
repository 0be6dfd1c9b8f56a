//! Unit tests: keys and state as plain functions (`keys.rs`), rendering on
//! ratatui's `TestBackend` at several sizes (`render.rs`). Fixtures here.

mod keys;
mod render;

use crate::app::{App, Update};
use kintsugi_protocol::{Class, EventRecord, PendingItem, PendingState, ProposedCommand};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

pub(super) fn fixed_code() -> String {
    "ABC234".into()
}

pub(super) fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

pub(super) fn ch(c: char) -> KeyEvent {
    key(KeyCode::Char(c))
}

pub(super) fn event(seq: u64, raw: &str, class: &str, decision: &str) -> EventRecord {
    EventRecord {
        seq,
        ts: format!("2026-11-24T10:00:{:02}Z", seq % 60),
        kind: "propose".into(),
        agent: "hook:claude".into(),
        session: Some("s-42".into()),
        cwd: "/home/dev/site".into(),
        raw: raw.into(),
        class: Some(class.into()),
        decision: Some(decision.into()),
        rule: Some("rm:recursive".into()),
        reason: Some("Deletes a directory tree.".into()),
        ..Default::default()
    }
}

pub(super) fn hold(id: &str, raw: &str) -> PendingItem {
    let mut command = ProposedCommand::new("exec", "/home/dev/site", vec![], raw);
    command.session = None;
    PendingItem {
        id: id.into(),
        command,
        class: Class::Catastrophic,
        rule: "rm:recursive".into(),
        reason: "Deletes a directory tree.".into(),
        created: "2026-11-24T10:00:00Z".into(),
        status: PendingState::Pending,
        preview: Some(
            "deletes 4,812 files (12.0 MB) under ~/site/build\nundo can bring it back".into(),
        ),
    }
}

/// An app with three events (1 safe, 2 ambiguous, 3 catastrophic held as
/// `h1`) and the hold `h1` in the queue, at a fixed time.
pub(super) fn sample() -> App {
    let mut app = App::new(true, fixed_code);
    app.now = time::macros::datetime!(2026-11-24 10:02:05 UTC);
    let mut held = event(3, "rm -rf build", "catastrophic", "hold");
    held.pending = Some("h1".into());
    app.apply(Update::History(vec![
        event(1, "ls -la", "safe", "allow"),
        held,
        event(2, "git push --force", "ambiguous", "hold"),
    ]));
    app.apply(Update::Pending(vec![hold("h1", "rm -rf build")]));
    app.apply(Update::Link(None));
    app
}
