//! What each key does, by mode: navigation and view keys in normal mode,
//! text entry for the filter, the typed confirmation code for an approval,
//! y/n for an undo. Pure, like the rest of the app state.

use crate::app::{Action, App, Mode, View};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

impl App {
    /// Handle one key press.
    pub fn on_key(&mut self, key: KeyEvent) -> Option<Action> {
        if key.kind == KeyEventKind::Release {
            return None;
        }
        if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
            return Some(Action::Quit);
        }
        match self.mode.clone() {
            Mode::Filter => self.filter_key(key.code),
            Mode::Approve { id, code, typed } => self.approve_key(key.code, id, code, typed),
            Mode::Undo { id } => self.undo_key(key.code, id),
            Mode::Normal | Mode::Detail => self.normal_key(key.code),
        }
    }

    fn filter_key(&mut self, code: KeyCode) -> Option<Action> {
        match code {
            KeyCode::Enter => self.mode = Mode::Normal,
            KeyCode::Esc => {
                self.filter.clear();
                self.mode = Mode::Normal;
            }
            KeyCode::Backspace => {
                self.filter.pop();
            }
            KeyCode::Char(c) => self.filter.push(c),
            _ => {}
        }
        None
    }

    fn approve_key(
        &mut self,
        key: KeyCode,
        id: String,
        code: String,
        mut typed: String,
    ) -> Option<Action> {
        match key {
            KeyCode::Esc => {
                self.mode = Mode::Normal;
                self.note = Some("approval cancelled; nothing was approved".into());
                None
            }
            KeyCode::Enter => {
                self.mode = Mode::Normal;
                if typed.trim().eq_ignore_ascii_case(&code) {
                    Some(Action::Approve { id })
                } else {
                    self.note = Some("the code did not match; nothing was approved".into());
                    None
                }
            }
            KeyCode::Backspace => {
                typed.pop();
                self.mode = Mode::Approve { id, code, typed };
                None
            }
            KeyCode::Char(c) if c.is_ascii_alphanumeric() && typed.len() < 16 => {
                typed.push(c.to_ascii_uppercase());
                self.mode = Mode::Approve { id, code, typed };
                None
            }
            _ => None,
        }
    }

    fn undo_key(&mut self, key: KeyCode, id: String) -> Option<Action> {
        self.mode = Mode::Normal;
        match key {
            KeyCode::Char('y') | KeyCode::Char('Y') => Some(Action::Undo { id }),
            _ => {
                self.note = Some("undo cancelled; nothing was restored".into());
                None
            }
        }
    }

    fn normal_key(&mut self, code: KeyCode) -> Option<Action> {
        let page = self.page.max(1) as isize;
        match code {
            KeyCode::Char('q') => return Some(Action::Quit),
            KeyCode::Esc => {
                if self.mode == Mode::Detail {
                    self.mode = Mode::Normal;
                } else if self.note.is_some() {
                    self.note = None;
                } else {
                    self.filter.clear();
                }
            }
            KeyCode::Tab => return self.switch(View::ALL[(self.view.index() + 1) % 5]),
            KeyCode::BackTab => return self.switch(View::ALL[(self.view.index() + 4) % 5]),
            KeyCode::Char(c @ '1'..='5') => {
                return self.switch(View::ALL[c as usize - '1' as usize]);
            }
            KeyCode::Down | KeyCode::Char('j') => self.move_by(1),
            KeyCode::Up | KeyCode::Char('k') => self.move_by(-1),
            KeyCode::PageDown | KeyCode::Char(' ') => self.move_by(page),
            KeyCode::PageUp | KeyCode::Char('b') => self.move_by(-page),
            KeyCode::Home | KeyCode::Char('g') => self.cursor[self.view.index()] = 0,
            KeyCode::End | KeyCode::Char('G') => self.move_by(isize::MAX / 2),
            KeyCode::Enter => {
                self.mode = if self.mode == Mode::Detail || self.len(self.view) == 0 {
                    Mode::Normal
                } else {
                    Mode::Detail
                }
            }
            KeyCode::Char('/') => self.mode = Mode::Filter,
            KeyCode::Char('a') => match self.selected_hold() {
                Some(item) => {
                    let id = item.id.clone();
                    self.note = None;
                    self.mode = Mode::Approve {
                        id,
                        code: (self.code)(),
                        typed: String::new(),
                    }
                }
                None => self.note = Some("select a held command to approve (view 2: Held)".into()),
            },
            KeyCode::Char('d') => match self.selected_hold() {
                Some(item) => {
                    return Some(Action::Deny {
                        id: item.id.clone(),
                    });
                }
                None => self.note = Some("select a held command to deny (view 2: Held)".into()),
            },
            KeyCode::Char('u') => match self.selected_snapshot() {
                Some(id) => {
                    self.note = None;
                    self.mode = Mode::Undo { id }
                }
                None => {
                    self.note =
                        Some("select a snapshot (view 3) or an event that took one to undo".into())
                }
            },
            KeyCode::Char('v') => {
                self.verify = Some("verifying…".into());
                return Some(Action::Verify);
            }
            KeyCode::Char('r') => {
                return match self.view {
                    View::Snapshots => Some(Action::RefreshSnapshots),
                    _ => Some(Action::RefreshStatus),
                };
            }
            _ => {}
        }
        None
    }
}
