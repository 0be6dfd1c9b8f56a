//! Rendering: the frame around every view (tabs, note line, help line), the
//! "terminal too small" screen, and the overlays (detail, approval code,
//! undo confirmation). Each view draws its body in its own file. State is
//! always written out in words; colour only repeats it (and is dropped
//! under `NO_COLOR`).

mod backstop;
mod held;
mod snapshots;
mod status;
mod timeline;

use crate::app::{App, Mode, View};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

/// Below this the control room says it needs more room.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 15;

/// The style that marks danger (catastrophic) when colour is on.
pub(crate) fn danger(app: &App) -> Style {
    if app.color {
        Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
    } else {
        Style::new().add_modifier(Modifier::BOLD)
    }
}

/// The selected row: reversed (visible without colour) plus a `>` marker.
pub(crate) fn selected() -> Style {
    Style::new().add_modifier(Modifier::REVERSED)
}

/// `!` in front of a catastrophic class; the word itself is always shown.
pub(crate) fn marker(class: Option<&str>) -> &'static str {
    if class == Some("catastrophic") {
        "!"
    } else {
        " "
    }
}

/// The first `n` characters of `s` (never splits a character).
pub(crate) fn clip(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// HH:MM:SS out of an RFC 3339 time.
pub(crate) fn clock(ts: &str) -> &str {
    ts.get(11..19).unwrap_or(ts)
}

/// The first row to draw so that `selected` is visible in `height` rows.
pub(crate) fn scroll(selected: usize, height: usize) -> usize {
    selected.saturating_sub(height.saturating_sub(1))
}

/// Draw the whole screen for `app` (and remember the page size).
pub fn draw(frame: &mut Frame, app: &mut App) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let text = vec![
            Line::from("terminal too small"),
            Line::from(format!(
                "need at least {MIN_WIDTH}x{MIN_HEIGHT}, have {}x{}",
                area.width, area.height
            )),
            Line::from("q quits"),
        ];
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
        return;
    }
    let [tabs, body, note, help] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    app.page = body.height.saturating_sub(3).max(1) as usize;
    frame.render_widget(tab_line(app), tabs);
    match app.view {
        View::Timeline => timeline::draw(frame, body, app),
        View::Held => held::draw(frame, body, app),
        View::Snapshots => snapshots::draw(frame, body, app),
        View::Backstop => backstop::draw(frame, body, app),
        View::Status => status::draw(frame, body, app),
    }
    frame.render_widget(Paragraph::new(note_line(app)), note);
    frame.render_widget(
        Paragraph::new(help_line(app)).style(Style::new().add_modifier(Modifier::DIM)),
        help,
    );
    match &app.mode {
        Mode::Detail => detail(frame, body, app),
        Mode::Approve { id, code, typed } => approve(frame, body, app, id, code, typed),
        Mode::Undo { id } => undo(frame, body, id),
        Mode::Normal | Mode::Filter => {}
    }
}

fn tab_line(app: &App) -> Line<'static> {
    let mut spans = Vec::new();
    for (i, v) in View::ALL.iter().enumerate() {
        let mut label = format!("{} {}", i + 1, v.title());
        if *v == View::Held && !app.held.is_empty() {
            label.push_str(&format!(" ({})", app.held.len()));
        }
        if *v == app.view {
            spans.push(Span::styled(format!("[{label}]"), selected()));
        } else {
            spans.push(Span::raw(format!(" {label} ")));
        }
        spans.push(Span::raw(" "));
    }
    let link = match &app.offline {
        None => Span::raw("● live"),
        Some(_) => Span::styled("○ offline", danger(app)),
    };
    spans.push(link);
    Line::from(spans)
}

fn note_line(app: &App) -> Line<'static> {
    if app.mode == Mode::Filter {
        return Line::from(format!("filter: {}▏  (Enter keep · Esc clear)", app.filter));
    }
    if let Some(n) = &app.note {
        return Line::from(n.clone());
    }
    if let Some(why) = &app.offline {
        return Line::from(Span::styled(why.clone(), danger(app)));
    }
    if !app.filter.is_empty() {
        return Line::from(format!(
            "filter: {}  (/ to change · Esc to clear)",
            app.filter
        ));
    }
    Line::from("")
}

fn help_line(app: &App) -> &'static str {
    match app.mode {
        Mode::Filter => "type to filter · Enter keep · Esc clear · Backspace delete",
        Mode::Approve { .. } => "type the code · Enter approve · Esc cancel",
        Mode::Undo { .. } => "y undo · any other key cancels",
        Mode::Detail => "Esc/Enter close · j/k next · a approve · d deny · u undo · q quit",
        Mode::Normal => {
            "q quit · Tab/1-5 view · j/k ↑↓ · Enter detail · / filter · a approve · d deny · u undo · v verify"
        }
    }
}

/// A centred overlay nearly as wide as `area` and as tall as its lines,
/// cleared first, with a titled border.
fn overlay(frame: &mut Frame, area: Rect, title: &str, lines: Vec<Line>) {
    let w = area.width.saturating_sub(4).max(10);
    let h = (lines.len() as u16 + 2).min(area.height).max(3);
    let rect = Rect {
        x: area.x + (area.width.saturating_sub(w)) / 2,
        y: area.y + (area.height.saturating_sub(h)) / 2,
        width: w.min(area.width),
        height: h,
    };
    frame.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(title.to_string());
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        rect,
    );
}

fn field(name: &str, value: impl Into<String>) -> Line<'static> {
    Line::from(vec![
        Span::styled(
            format!("{name:<10}"),
            Style::new().add_modifier(Modifier::BOLD),
        ),
        Span::raw(value.into()),
    ])
}

fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "-".into())
}

fn detail(frame: &mut Frame, area: Rect, app: &App) {
    let mut lines = Vec::new();
    if let Some(e) = app.selected_event() {
        lines.push(field("event", format!("#{}  {}  {}", e.seq, e.ts, e.kind)));
        lines.push(field("class", opt(&e.class)));
        lines.push(field("decision", opt(&e.decision)));
        lines.push(field("rule", opt(&e.rule)));
        lines.push(field("reason", opt(&e.reason)));
        if let Some(s) = &e.summary {
            lines.push(field("summary", s.clone()));
        }
        if let Some(r) = e.risk {
            lines.push(field("risk", r.to_string()));
        }
        lines.push(field("agent", e.agent.clone()));
        lines.push(field("session", opt(&e.session)));
        lines.push(field("cwd", e.cwd.clone()));
        lines.push(field("command", e.raw.clone()));
        lines.push(field("snapshot", opt(&e.snapshot)));
        lines.push(field("held as", opt(&e.pending)));
    } else if let Some(i) = app.selected_hold() {
        lines = held::describe(i, app);
    } else if app.view == View::Snapshots
        && let Some(s) = app.snapshot_items().get(app.selected())
    {
        lines.push(field("snapshot", s.id.clone()));
        lines.push(field("created", s.created.clone()));
        lines.push(field("command", s.command.clone()));
        lines.push(field("files", s.files.to_string()));
        lines.push(field("bytes", s.bytes.to_string()));
        lines.push(field(
            "complete",
            if s.complete {
                "yes"
            } else {
                "no: undo cannot bring back all of it"
            },
        ));
        lines.push(field("covers", s.covers.clone()));
    }
    overlay(frame, area, " detail (Esc closes) ", lines);
}

fn approve(frame: &mut Frame, area: Rect, app: &App, id: &str, code: &str, typed: &str) {
    let mut lines = match app.held.iter().find(|i| i.id == id) {
        Some(i) => held::describe(i, app),
        None => vec![Line::from(format!("held command {id}"))],
    };
    lines.push(Line::from(""));
    lines.push(Line::from(format!("confirmation code: {code}")));
    lines.push(Line::from(format!("type the code to approve: {typed}▏")));
    overlay(frame, area, " approve held command ", lines);
}

fn undo(frame: &mut Frame, area: Rect, id: &str) {
    let lines = vec![
        Line::from(format!("Restore snapshot {id}?")),
        Line::from(
            "Files it captured are written back; later changes are a conflict and stop the undo.",
        ),
        Line::from(""),
        Line::from("y undo · any other key cancels"),
    ];
    overlay(frame, area, " undo ", lines);
}
