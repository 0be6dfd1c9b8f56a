//! Keys and state, no terminal involved.

use super::*;
use crate::app::{Action, Mode, View, is_backstop};
use kintsugi_protocol::QueueChange;

#[test]
fn opens_on_the_timeline_newest_first_without_duplicates() {
    let mut app = sample();
    assert_eq!(app.view, View::Timeline);
    let seqs: Vec<u64> = app.timeline().iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [3, 2, 1]);
    app.apply(Update::Event(event(2, "dup", "safe", "allow")));
    app.apply(Update::Event(event(4, "echo new", "safe", "allow")));
    let seqs: Vec<u64> = app.timeline().iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [4, 3, 2, 1]);
}

#[test]
fn a_new_event_keeps_a_lower_selection_on_the_same_event() {
    let mut app = sample();
    app.on_key(ch('j'));
    assert_eq!(app.selected_event().unwrap().seq, 2);
    app.apply(Update::Event(event(9, "echo hi", "safe", "allow")));
    assert_eq!(app.selected_event().unwrap().seq, 2);
    app.on_key(ch('g'));
    app.apply(Update::Event(event(10, "echo top", "safe", "allow")));
    // At the top, the top follows the newest.
    assert_eq!(app.selected_event().unwrap().seq, 10);
}

#[test]
fn navigation_clamps_at_both_ends() {
    let mut app = sample();
    app.on_key(key(KeyCode::Up));
    assert_eq!(app.selected(), 0);
    app.on_key(ch('G'));
    assert_eq!(app.selected(), 2);
    app.on_key(key(KeyCode::Down));
    assert_eq!(app.selected(), 2);
    app.on_key(ch('b'));
    assert_eq!(app.selected(), 0);
    app.page = 2;
    app.on_key(ch(' '));
    assert_eq!(app.selected(), 2);
    app.on_key(key(KeyCode::PageUp));
    assert_eq!(app.selected(), 0);
    app.on_key(key(KeyCode::PageDown));
    app.on_key(key(KeyCode::Home));
    assert_eq!(app.selected(), 0);
    app.on_key(key(KeyCode::End));
    assert_eq!(app.selected(), 2);
    app.on_key(ch('k'));
    assert_eq!(app.selected(), 1);
}

#[test]
fn tab_and_digits_switch_views_and_ask_for_fresh_data() {
    let mut app = sample();
    assert_eq!(app.on_key(key(KeyCode::Tab)), None);
    assert_eq!(app.view, View::Held);
    assert_eq!(
        app.on_key(key(KeyCode::Tab)),
        Some(Action::RefreshSnapshots)
    );
    assert_eq!(app.on_key(ch('5')), Some(Action::RefreshStatus));
    assert_eq!(app.view, View::Status);
    app.on_key(key(KeyCode::Tab));
    assert_eq!(app.view, View::Timeline);
    app.on_key(key(KeyCode::BackTab));
    assert_eq!(app.view, View::Status);
    app.on_key(ch('4'));
    assert_eq!(app.view, View::Backstop);
}

#[test]
fn filter_narrows_as_typed_and_esc_clears() {
    let mut app = sample();
    app.on_key(ch('/'));
    assert_eq!(app.mode, Mode::Filter);
    for c in "PUSH".chars() {
        app.on_key(ch(c));
    }
    assert_eq!(app.timeline().len(), 1);
    // `q` is text while filtering, not quit.
    assert_eq!(app.on_key(ch('q')), None);
    app.on_key(key(KeyCode::Backspace));
    app.on_key(key(KeyCode::Enter));
    assert_eq!(app.mode, Mode::Normal);
    assert_eq!(app.filter, "PUSH");
    app.on_key(key(KeyCode::Esc));
    assert!(app.filter.is_empty());
    assert_eq!(app.timeline().len(), 3);
}

#[test]
fn approval_needs_the_code_typed_exactly() {
    let mut app = sample();
    app.on_key(ch('2'));
    app.on_key(ch('a'));
    assert!(matches!(&app.mode, Mode::Approve { id, code, .. } if id == "h1" && code == "ABC234"));
    for c in "abc235".chars() {
        app.on_key(ch(c));
    }
    assert_eq!(app.on_key(key(KeyCode::Enter)), None);
    assert!(app.note.as_deref().unwrap().contains("did not match"));
    assert_eq!(app.mode, Mode::Normal);

    app.on_key(ch('a'));
    for c in "abc23".chars() {
        app.on_key(ch(c));
    }
    // `q` and `d` are code characters here, not quit or deny.
    app.on_key(ch('q'));
    app.on_key(key(KeyCode::Backspace));
    app.on_key(ch('4'));
    assert_eq!(
        app.on_key(key(KeyCode::Enter)),
        Some(Action::Approve { id: "h1".into() })
    );
}

#[test]
fn approve_and_deny_reach_a_hold_from_its_timeline_event() {
    let mut app = sample();
    // The newest event (seq 3) is the hold h1.
    app.on_key(ch('a'));
    assert!(matches!(&app.mode, Mode::Approve { id, .. } if id == "h1"));
    app.on_key(key(KeyCode::Esc));
    assert!(app.note.as_deref().unwrap().contains("cancelled"));
    assert_eq!(app.on_key(ch('d')), Some(Action::Deny { id: "h1".into() }));
    // An event with no pending hold cannot be approved.
    app.on_key(ch('j'));
    assert_eq!(app.on_key(ch('a')), None);
    assert_eq!(app.mode, Mode::Normal);
    assert!(
        app.note
            .as_deref()
            .unwrap()
            .contains("select a held command")
    );
}

#[test]
fn queue_changes_add_and_remove_holds_and_cancel_a_stale_approval() {
    let mut app = sample();
    app.apply(Update::Queue(
        QueueChange::Created,
        hold("h2", "rm -rf dist"),
    ));
    app.apply(Update::Queue(
        QueueChange::Created,
        hold("h2", "rm -rf dist"),
    ));
    assert_eq!(app.held.len(), 2);
    app.on_key(ch('2'));
    app.on_key(ch('a'));
    let mut decided = hold("h1", "rm -rf build");
    decided.status = PendingState::Denied;
    app.apply(Update::Queue(QueueChange::Decided, decided));
    assert_eq!(app.held.len(), 1);
    assert_eq!(app.mode, Mode::Normal);
    assert!(app.note.as_deref().unwrap().contains("denied meanwhile"));
}

#[test]
fn undo_asks_first() {
    let mut app = sample();
    app.apply(Update::Snapshots(vec![
        kintsugi_snapshot::SnapshotSummary {
            id: "20261124T100000-abc123".into(),
            created: "2026-11-24T10:00:00Z".into(),
            command: "rm -rf build".into(),
            bytes: 1200,
            files: 3,
            complete: true,
            covers: "build".into(),
        },
    ]));
    app.on_key(ch('3'));
    app.on_key(ch('u'));
    assert_eq!(
        app.mode,
        Mode::Undo {
            id: "20261124T100000-abc123".into()
        }
    );
    assert_eq!(app.on_key(ch('n')), None);
    assert_eq!(app.mode, Mode::Normal);
    app.on_key(ch('u'));
    assert_eq!(
        app.on_key(ch('y')),
        Some(Action::Undo {
            id: "20261124T100000-abc123".into()
        })
    );
    // Nothing to undo on an event without a snapshot.
    app.on_key(ch('1'));
    assert_eq!(app.on_key(ch('u')), None);
    assert_eq!(app.mode, Mode::Normal);
}

#[test]
fn quit_keys_and_detail() {
    let mut app = sample();
    app.on_key(key(KeyCode::Enter));
    assert_eq!(app.mode, Mode::Detail);
    app.on_key(key(KeyCode::Esc));
    assert_eq!(app.mode, Mode::Normal);
    assert_eq!(app.on_key(ch('q')), Some(Action::Quit));
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    app.on_key(ch('/'));
    assert_eq!(app.on_key(ctrl_c), Some(Action::Quit));
}

#[test]
fn backstop_holds_only_unexplained_changes() {
    let mut app = sample();
    let mut e = event(7, "/home/dev/site/a.rs", "ambiguous", "allow");
    e.kind = "observe".into();
    e.reason = Some("unexplained removal: no intercepted command covers it".into());
    assert!(is_backstop(&e));
    app.apply(Update::Event(e));
    assert_eq!(app.backstop().len(), 1);
    assert_eq!(app.timeline().len(), 4);
}

#[test]
fn codes_use_an_unambiguous_alphabet() {
    for _ in 0..50 {
        let c = crate::app::confirmation_code();
        assert_eq!(c.len(), 6);
        assert!(
            c.bytes()
                .all(|b| b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789".contains(&b))
        );
    }
}
