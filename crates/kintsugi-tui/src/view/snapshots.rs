//! Snapshots: what undo can bring back, newest first: id (which starts
//! with its UTC time), files, size,
//! whether the capture was complete (as a word), and the command.

use super::{scroll, selected};
use crate::app::App;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table, Wrap};

/// 1234567 → "1.2 MB".
fn size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut v = bytes as f64;
    let mut unit = 0;
    while v >= 1000.0 && unit < UNITS.len() - 1 {
        v /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let list = app.snapshot_items();
    let block = Block::default().borders(Borders::TOP).title(format!(
        " Snapshots (newest first) · {} · u undoes the selected one ",
        list.len()
    ));
    if list.is_empty() {
        let text = "No snapshots. One is taken before a non-safe command is allowed to run.";
        frame.render_widget(
            Paragraph::new(text).block(block).wrap(Wrap { trim: true }),
            area,
        );
        return;
    }
    let rows_fit = area.height.saturating_sub(3) as usize;
    let sel = app.selected();
    let first = scroll(sel, rows_fit);
    let rows = list
        .iter()
        .enumerate()
        .skip(first)
        .take(rows_fit)
        .map(|(i, s)| {
            let row = Row::new(vec![
                s.id.clone(),
                s.files.to_string(),
                size(s.bytes),
                if s.complete { "complete" } else { "partial" }.to_string(),
                s.command.clone(),
            ]);
            if i == sel { row.style(selected()) } else { row }
        });
    let widths = [
        Constraint::Length(22),
        Constraint::Length(6),
        Constraint::Length(9),
        Constraint::Length(8),
        Constraint::Min(10),
    ];
    let header = Row::new(["id (UTC time)", "files", "size", "capture", "command"])
        .style(Style::new().add_modifier(Modifier::BOLD));
    frame.render_widget(Table::new(rows, widths).header(header).block(block), area);
}
