//! The Backstop: changes that no intercepted command explains (events whose
//! reason says "unexplained"). The filesystem watcher that reports them is
//! not part of this build yet, so the empty state says so plainly.

use crate::app::App;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let events = app.backstop();
    if !events.is_empty() {
        super::timeline::table(frame, area, app, &events, "Backstop: unexplained changes");
        return;
    }
    let text = vec![
        Line::from("No unexplained changes recorded."),
        Line::from(""),
        Line::from(
            "The backstop lists filesystem changes that no command seen by Kintsugi explains. \
             The watcher that reports them is not part of this build yet, so nothing can \
             appear here until it lands; an empty list is not proof that nothing bypassed \
             interception.",
        ),
    ];
    let block = Block::default().borders(Borders::TOP).title(" Backstop ");
    frame.render_widget(
        Paragraph::new(text).block(block).wrap(Wrap { trim: true }),
        area,
    );
}
