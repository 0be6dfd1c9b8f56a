//! Rendering on `TestBackend` at several sizes: expected text in the
//! buffer, the help line always there, no panic at any size, no colour
//! under NO_COLOR, and state in words, never by colour alone.

use super::*;
use crate::app::{Mode, View};
use kintsugi_protocol::{CheckpointInfo, StatusInfo};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;

fn render(app: &mut App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| crate::view::draw(f, app)).unwrap();
    t
}

fn lines(t: &Terminal<TestBackend>) -> Vec<String> {
    let b = t.backend().buffer();
    (0..b.area.height)
        .map(|y| {
            (0..b.area.width)
                .map(|x| b[(x, y)].symbol())
                .collect::<String>()
        })
        .collect()
}

fn text(app: &mut App, w: u16, h: u16) -> Vec<String> {
    lines(&render(app, w, h))
}

fn row_with<'a>(screen: &'a [String], needle: &str) -> &'a str {
    screen
        .iter()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line has {needle:?}:\n{}", screen.join("\n")))
}

#[test]
fn timeline_at_80x24_newest_first_with_words_and_help() {
    let mut app = sample();
    let s = text(&mut app, 80, 24);
    assert!(s[0].contains("[1 Timeline]") && s[0].contains("2 Held (1)") && s[0].contains("live"));
    let first = s.iter().position(|l| l.contains("rm -rf build")).unwrap();
    let second = s
        .iter()
        .position(|l| l.contains("git push --force"))
        .unwrap();
    let third = s.iter().position(|l| l.contains("ls -la")).unwrap();
    assert!(first < second && second < third, "{}", s.join("\n"));
    let top = row_with(&s, "rm -rf build");
    assert!(top.starts_with('!'), "{top}");
    assert!(top.contains("catastrophic") && top.contains("hold") && top.contains("hook:claude"));
    assert!(row_with(&s, "ls -la").contains("safe"));
    assert!(s[23].starts_with("q quit"), "{}", s[23]);
    // No room for cwd at 80 columns.
    assert!(!s.iter().any(|l| l.contains("/home/dev/site")));
}

#[test]
fn wide_timeline_adds_session_and_cwd() {
    let mut app = sample();
    let s = text(&mut app, 200, 50);
    let top = row_with(&s, "rm -rf build");
    assert!(
        top.contains("s-42") && top.contains("/home/dev/site"),
        "{top}"
    );
    assert!(s[49].contains("v verify"));
    let s = text(&mut app, 120, 40);
    assert!(row_with(&s, "rm -rf build").contains("s-42"));
}

#[test]
fn too_small_says_so() {
    let mut app = sample();
    let s = text(&mut app, 50, 10);
    assert_eq!(s[0].trim_end(), "terminal too small");
    assert!(s.iter().any(|l| l.contains("q quits")));
}

#[test]
fn held_view_shows_preview_and_age() {
    let mut app = sample();
    app.view = View::Held;
    let s = text(&mut app, 80, 24);
    let row = row_with(&s, "h1");
    assert!(row.contains("catastrophic") && row.contains("2m") && row.contains("rm -rf build"));
    row_with(&s, "deletes 4,812 files (12.0 MB) under ~/site/build");
    row_with(&s, "Deletes a directory tree.");
}

#[test]
fn approval_overlay_shows_the_code_and_what_was_typed() {
    let mut app = sample();
    app.view = View::Held;
    app.mode = Mode::Approve {
        id: "h1".into(),
        code: "ABC234".into(),
        typed: "AB".into(),
    };
    for (w, h) in [(80, 24), (64, 16), (200, 50)] {
        let s = text(&mut app, w, h);
        row_with(&s, "confirmation code: ABC234");
        row_with(&s, "type the code to approve: AB");
        assert!(s[h as usize - 1].contains("Esc cancel"));
    }
}

#[test]
fn backstop_empty_state_is_honest() {
    let mut app = sample();
    app.view = View::Backstop;
    let s = text(&mut app, 80, 24).join("\n");
    assert!(s.contains("No unexplained changes recorded."));
    assert!(s.contains("not part of this build yet"));
}

#[test]
fn status_view_shows_daemon_ledger_and_verify() {
    let mut app = sample();
    app.view = View::Status;
    app.apply(Update::Status(Box::new(StatusInfo {
        scorer: "heuristic".into(),
        pid: Some(4242),
        ledger_len: Some(17),
        ledger_head: Some("ab".repeat(32)),
        last_checkpoint: Some(CheckpointInfo {
            seq: 16,
            head: "cd".repeat(32),
            time: "2026-11-24T10:01:00Z".into(),
        }),
        panic: Some(true),
        ..Default::default()
    })));
    app.apply(Update::Verified(
        "INTACT: 17 events, 2 signed checkpoints".into(),
    ));
    let s = text(&mut app, 80, 24);
    assert!(row_with(&s, "scorer").contains("heuristic"));
    assert!(row_with(&s, "ledger").contains("17 events, head abababababababab"));
    assert!(row_with(&s, "last checkpoint").contains("sequence 16"));
    assert!(row_with(&s, "kill switch").contains("ON"));
    assert!(row_with(&s, "verify").contains("INTACT"));
}

#[test]
fn detail_overlay_shows_the_command_verbatim() {
    let mut app = sample();
    app.mode = Mode::Detail;
    let s = text(&mut app, 80, 24);
    row_with(&s, "command   rm -rf build");
    row_with(&s, "held as   h1");
    row_with(&s, "reason    Deletes a directory tree.");
}

#[test]
fn never_panics_at_any_size_in_any_view_or_mode() {
    let mut app = sample();
    app.apply(Update::Snapshots(Vec::new()));
    let modes = [
        Mode::Normal,
        Mode::Detail,
        Mode::Filter,
        Mode::Undo { id: "x".into() },
        Mode::Approve {
            id: "h1".into(),
            code: "ABC234".into(),
            typed: String::new(),
        },
    ];
    for view in View::ALL {
        for mode in &modes {
            app.view = view;
            app.mode = mode.clone();
            for (w, h) in [
                (1, 1),
                (10, 3),
                (59, 30),
                (60, 15),
                (61, 16),
                (80, 24),
                (81, 25),
                (133, 41),
                (250, 70),
            ] {
                render(&mut app, w, h);
            }
        }
    }
}

#[test]
fn no_color_means_no_colour_and_words_still_say_it() {
    let has_red = |t: &Terminal<TestBackend>| {
        t.backend()
            .buffer()
            .content
            .iter()
            .any(|c| c.fg == Color::Red)
    };
    let mut app = sample();
    assert!(has_red(&render(&mut app, 80, 24)));
    app.color = false;
    let t = render(&mut app, 80, 24);
    assert!(!has_red(&t));
    assert!(
        t.backend()
            .buffer()
            .content
            .iter()
            .all(|c| c.fg == Color::Reset && c.bg == Color::Reset)
    );
    assert!(row_with(&lines(&t), "rm -rf build").contains("catastrophic"));
}

#[test]
fn offline_and_empty_states() {
    let mut app = App::new(false, fixed_code);
    let s = text(&mut app, 80, 24);
    assert!(s[0].contains("offline"));
    row_with(&s, "No events yet.");
    app.view = View::Held;
    row_with(&text(&mut app, 80, 24), "Nothing is waiting.");
    app.view = View::Snapshots;
    row_with(&text(&mut app, 80, 24), "No snapshots.");
}
