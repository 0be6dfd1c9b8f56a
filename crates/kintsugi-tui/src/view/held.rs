//! Held: the approval queue, oldest first, with age, class, agent and
//! command; below it the selected item's reason, origin and preview (what
//! the command would destroy, and whether undo could cover it).

use super::{danger, marker, scroll, selected};
use crate::app::{App, age};
use kintsugi_protocol::PendingItem;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table, Wrap};

/// Everything a human needs to decide on `item`, one fact per line.
pub(crate) fn describe(item: &PendingItem, app: &App) -> Vec<Line<'static>> {
    let class = item.class.as_str();
    let mut lines = vec![
        Line::from(format!("command   {}", item.command.raw)),
        Line::styled(
            format!("class     {}{class}", marker(Some(class)).trim()),
            if class == "catastrophic" {
                danger(app)
            } else {
                Style::new()
            },
        ),
        Line::from(format!("why       {}  [{}]", item.reason, item.rule)),
        Line::from(format!(
            "from      {} in {}{}",
            item.command.agent,
            item.command.cwd,
            item.command
                .session
                .as_deref()
                .map(|s| format!(" (session {s})"))
                .unwrap_or_default()
        )),
        Line::from(format!(
            "held      {} ago as {}",
            age(&item.created, app.now),
            item.id
        )),
    ];
    match item.preview.as_deref() {
        Some(p) => {
            lines.push(Line::from("preview"));
            lines.extend(p.lines().map(|l| Line::from(format!("  {l}"))));
        }
        None => lines.push(Line::from(
            "preview   none (nothing on disk this command is known to touch)",
        )),
    }
    lines
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let items = app.held_items();
    let block = Block::default().borders(Borders::TOP).title(format!(
        " Held for a human (oldest first) · {} ",
        items.len()
    ));
    if items.is_empty() {
        let text = if app.filter.is_empty() {
            "Nothing is waiting. A held command appears here the moment it is held."
        } else {
            "No held command matches the filter (Esc clears it)."
        };
        frame.render_widget(Paragraph::new(text).block(block), area);
        return;
    }
    let list_rows = (items.len() as u16 + 2).min(area.height / 2).max(3);
    let [top, bottom] =
        Layout::vertical([Constraint::Length(list_rows), Constraint::Min(0)]).areas(area);
    let rows_fit = top.height.saturating_sub(2) as usize;
    let sel = app.selected();
    let first = scroll(sel, rows_fit);
    let rows = items
        .iter()
        .enumerate()
        .skip(first)
        .take(rows_fit)
        .map(|(i, it)| {
            let class = it.class.as_str();
            let style = if class == "catastrophic" {
                danger(app)
            } else {
                Style::new()
            };
            let row = Row::new(vec![
                ratatui::widgets::Cell::from(marker(Some(class))).style(style),
                it.id.clone().into(),
                ratatui::widgets::Cell::from(class).style(style),
                age(&it.created, app.now).into(),
                it.command.agent.clone().into(),
                it.command.raw.replace('\n', "⏎").into(),
            ]);
            if i == sel { row.style(selected()) } else { row }
        });
    let widths = [
        Constraint::Length(1),
        Constraint::Length(8),
        Constraint::Length(12),
        Constraint::Length(5),
        Constraint::Length(10),
        Constraint::Min(10),
    ];
    let header = Row::new(["", "id", "class", "age", "agent", "command"])
        .style(Style::new().add_modifier(Modifier::BOLD));
    frame.render_widget(Table::new(rows, widths).header(header).block(block), top);
    if bottom.height > 1
        && let Some(item) = items.get(sel)
    {
        let mut lines = describe(item, app);
        lines.push(Line::from(""));
        lines.push(Line::from("a approve (asks for a code) · d deny"));
        let pane = Block::default().borders(Borders::TOP).title(" selected ");
        frame.render_widget(
            Paragraph::new(lines).block(pane).wrap(Wrap { trim: false }),
            bottom,
        );
    }
}
