//! The Timeline: every recorded event, newest first: time, kind, class and
//! decision as words (a `!` and the danger style mark catastrophic), agent,
//! session and cwd when there is room, and the command verbatim.

use super::{clip, clock, danger, marker, scroll, selected};
use crate::app::App;
use kintsugi_protocol::EventRecord;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table};

/// An event table (shared with the Backstop view).
pub(crate) fn table(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    events: &[&EventRecord],
    title: &str,
) {
    let wide = area.width >= 120;
    let wider = area.width >= 150;
    let mut widths = vec![
        Constraint::Length(1),
        Constraint::Length(8),
        Constraint::Length(8),
        Constraint::Length(12),
        Constraint::Length(8),
        Constraint::Length(if wide { 14 } else { 11 }),
    ];
    let mut head = vec!["", "time", "kind", "class", "decision", "agent"];
    if wide {
        widths.push(Constraint::Length(12));
        head.push("session");
    }
    if wider {
        widths.push(Constraint::Length(28));
        head.push("cwd");
    }
    widths.push(Constraint::Min(10));
    head.push("command");

    let rows_fit = area.height.saturating_sub(3) as usize;
    let sel = app.selected();
    let first = scroll(sel, rows_fit);
    let rows = events
        .iter()
        .enumerate()
        .skip(first)
        .take(rows_fit)
        .map(|(i, e)| {
            let class = e.class.as_deref();
            let class_style = if class == Some("catastrophic") {
                danger(app)
            } else {
                Style::new()
            };
            let mut cells = vec![
                Cell::from(marker(class)).style(class_style),
                Cell::from(clock(&e.ts).to_string()),
                Cell::from(e.kind.clone()),
                Cell::from(class.unwrap_or("-").to_string()).style(class_style),
                Cell::from(e.decision.clone().unwrap_or_else(|| "-".into())),
                Cell::from(e.agent.clone()),
            ];
            if wide {
                cells.push(Cell::from(e.session.clone().unwrap_or_else(|| "-".into())));
            }
            if wider {
                cells.push(Cell::from(e.cwd.clone()));
            }
            cells.push(Cell::from(e.raw.replace('\n', "⏎")));
            let row = Row::new(cells);
            if i == sel { row.style(selected()) } else { row }
        });
    let header = Row::new(head).style(Style::new().add_modifier(Modifier::BOLD));
    let block = Block::default().borders(Borders::TOP).title(clip(
        &format!(" {title} · {} events ", events.len()),
        area.width as usize,
    ));
    frame.render_widget(Table::new(rows, widths).header(header).block(block), area);
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let events = app.timeline();
    if events.is_empty() {
        let text = if app.filter.is_empty() {
            "No events yet. Commands proposed through Kintsugi appear here as they are recorded."
        } else {
            "No event matches the filter (Esc clears it)."
        };
        let block = Block::default()
            .borders(Borders::TOP)
            .title(" Timeline (newest first) ");
        frame.render_widget(Paragraph::new(Line::from(text)).block(block), area);
        return;
    }
    table(frame, area, app, &events, "Timeline (newest first)");
}
