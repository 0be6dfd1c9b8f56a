//! The control room's state and what each key does to it. Pure: no I/O, no
//! terminal, no clock of its own (the caller sets `now`). Keys return an
//! [`Action`] for the caller to carry out; results come back as [`Update`]s.

use kintsugi_protocol::{EventRecord, PendingItem, PendingState, QueueChange, StatusInfo};
use kintsugi_snapshot::SnapshotSummary;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use time::OffsetDateTime;

/// Most timeline events kept in memory (older ones stay in the ledger).
pub const MAX_EVENTS: usize = 5000;

/// The five views, in tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Timeline,
    Held,
    Snapshots,
    Backstop,
    Status,
}

impl View {
    pub const ALL: [View; 5] = [
        View::Timeline,
        View::Held,
        View::Snapshots,
        View::Backstop,
        View::Status,
    ];

    pub fn index(self) -> usize {
        View::ALL.iter().position(|v| *v == self).unwrap_or(0)
    }

    pub fn title(self) -> &'static str {
        match self {
            View::Timeline => "Timeline",
            View::Held => "Held",
            View::Snapshots => "Snapshots",
            View::Backstop => "Backstop",
            View::Status => "Status",
        }
    }
}

/// What the keyboard is currently talking to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Normal,
    /// Typing a filter (applied as it is typed).
    Filter,
    /// The selected item's details over the view.
    Detail,
    /// Approving held command `id`: the human must type `code`.
    Approve {
        id: String,
        code: String,
        typed: String,
    },
    /// Undoing snapshot `id`: waiting for y/n.
    Undo {
        id: String,
    },
}

/// Work the caller does on the app's behalf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Quit,
    Approve { id: String },
    Deny { id: String },
    Undo { id: String },
    Verify,
    RefreshSnapshots,
    RefreshStatus,
}

/// News for the app: from the daemon's stream, or the result of an action.
#[derive(Debug, Clone)]
pub enum Update {
    /// Recent events read from the ledger, in any order.
    History(Vec<EventRecord>),
    Event(EventRecord),
    Queue(QueueChange, PendingItem),
    Pending(Vec<PendingItem>),
    Lagged(u64),
    Status(StatusInfo),
    Snapshots(Vec<SnapshotSummary>),
    Verified(String),
    /// `None`: the stream is live; `Some(why)`: it is not.
    Link(Option<String>),
    /// A one-line result to show (approve, deny, undo, errors).
    Note(String),
}

/// Everything on screen.
pub struct App {
    pub view: View,
    pub mode: Mode,
    /// Newest first, unique by sequence number.
    pub events: Vec<EventRecord>,
    /// Oldest first.
    pub held: Vec<PendingItem>,
    /// Newest first.
    pub snapshots: Vec<SnapshotSummary>,
    pub status: Option<StatusInfo>,
    pub verify: Option<String>,
    pub filter: String,
    /// Selected row of each view (an index into its filtered list).
    pub cursor: [usize; 5],
    /// Rows one page moves (the renderer keeps it current).
    pub page: usize,
    pub note: Option<String>,
    /// `None` while the stream is live.
    pub offline: Option<String>,
    pub color: bool,
    pub now: OffsetDateTime,
    code: fn() -> String,
}

fn has(hay: &str, needle: &str) -> bool {
    hay.to_lowercase().contains(needle)
}

fn event_matches(e: &EventRecord, f: &str) -> bool {
    f.is_empty()
        || [&e.raw, &e.agent, &e.cwd, &e.kind]
            .iter()
            .any(|s| has(s, f))
        || [&e.session, &e.class, &e.decision, &e.rule, &e.reason]
            .iter()
            .any(|s| s.as_deref().is_some_and(|s| has(s, f)))
}

/// Whether the backstop shows `e`: a change no intercepted command explains.
pub fn is_backstop(e: &EventRecord) -> bool {
    e.reason
        .as_deref()
        .is_some_and(|r| r.contains("unexplained"))
}

impl App {
    pub fn new(color: bool, code: fn() -> String) -> App {
        App {
            view: View::Timeline,
            mode: Mode::Normal,
            events: Vec::new(),
            held: Vec::new(),
            snapshots: Vec::new(),
            status: None,
            verify: None,
            filter: String::new(),
            cursor: [0; 5],
            page: 10,
            note: None,
            offline: Some("connecting to the daemon…".into()),
            color,
            now: OffsetDateTime::UNIX_EPOCH,
            code,
        }
    }

    fn needle(&self) -> String {
        self.filter.to_lowercase()
    }

    /// The timeline as shown: newest first, filtered.
    pub fn timeline(&self) -> Vec<&EventRecord> {
        let f = self.needle();
        self.events
            .iter()
            .filter(|e| event_matches(e, &f))
            .collect()
    }

    /// The backstop as shown.
    pub fn backstop(&self) -> Vec<&EventRecord> {
        let f = self.needle();
        let list = self.events.iter().filter(|e| is_backstop(e));
        list.filter(|e| event_matches(e, &f)).collect()
    }

    /// The held queue as shown, oldest first.
    pub fn held_items(&self) -> Vec<&PendingItem> {
        let f = self.needle();
        self.held
            .iter()
            .filter(|i| {
                f.is_empty()
                    || [
                        &i.id,
                        &i.command.raw,
                        &i.command.agent,
                        &i.command.cwd,
                        &i.reason,
                    ]
                    .iter()
                    .any(|s| has(s, &f))
            })
            .collect()
    }

    /// The snapshots as shown, newest first.
    pub fn snapshot_items(&self) -> Vec<&SnapshotSummary> {
        let f = self.needle();
        self.snapshots
            .iter()
            .filter(|s| f.is_empty() || has(&s.command, &f) || has(&s.id, &f) || has(&s.covers, &f))
            .collect()
    }

    fn len(&self, view: View) -> usize {
        match view {
            View::Timeline => self.timeline().len(),
            View::Held => self.held_items().len(),
            View::Snapshots => self.snapshot_items().len(),
            View::Backstop => self.backstop().len(),
            View::Status => 0,
        }
    }

    /// The selected row of the current view, kept inside its list.
    pub fn selected(&self) -> usize {
        let len = self.len(self.view);
        self.cursor[self.view.index()].min(len.saturating_sub(1))
    }

    /// The event under the cursor (Timeline and Backstop).
    pub fn selected_event(&self) -> Option<&EventRecord> {
        let i = self.selected();
        match self.view {
            View::Timeline => self.timeline().get(i).copied(),
            View::Backstop => self.backstop().get(i).copied(),
            _ => None,
        }
    }

    /// The held command the cursor points at: the selected item in Held, or
    /// the still-pending hold of the selected event elsewhere.
    pub fn selected_hold(&self) -> Option<&PendingItem> {
        if self.view == View::Held {
            return self.held_items().get(self.selected()).copied();
        }
        let id = self.selected_event()?.pending.as_deref()?;
        self.held.iter().find(|i| i.id == id)
    }

    /// The snapshot the cursor points at (Snapshots, or an event's snapshot).
    pub fn selected_snapshot(&self) -> Option<String> {
        if self.view == View::Snapshots {
            return self
                .snapshot_items()
                .get(self.selected())
                .map(|s| s.id.clone());
        }
        self.selected_event()?.snapshot.clone()
    }

    fn move_by(&mut self, delta: isize) {
        let len = self.len(self.view);
        let at = self.selected() as isize + delta;
        self.cursor[self.view.index()] = at.clamp(0, len.saturating_sub(1) as isize) as usize;
    }

    fn switch(&mut self, view: View) -> Option<Action> {
        self.view = view;
        if self.mode == Mode::Detail {
            self.mode = Mode::Normal;
        }
        match view {
            View::Snapshots => Some(Action::RefreshSnapshots),
            View::Status => Some(Action::RefreshStatus),
            _ => None,
        }
    }

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
                Some(id) => self.mode = Mode::Undo { id },
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

    /// Add one event, keeping newest first and each sequence number once.
    /// A selection below the top stays on the same event.
    fn add_event(&mut self, e: EventRecord) {
        let at = self.events.partition_point(|x| x.seq > e.seq);
        if self.events.get(at).is_some_and(|x| x.seq == e.seq) {
            return;
        }
        let f = self.needle();
        if at == 0 && event_matches(&e, &f) {
            for (view, shown) in [(View::Timeline, true), (View::Backstop, is_backstop(&e))] {
                let c = &mut self.cursor[view.index()];
                if shown && *c > 0 {
                    *c += 1;
                }
            }
        }
        self.events.insert(at, e);
        self.events.truncate(MAX_EVENTS);
    }

    /// Apply news from the daemon or from a finished action.
    pub fn apply(&mut self, update: Update) {
        match update {
            Update::History(list) => list.into_iter().for_each(|e| self.add_event(e)),
            Update::Event(e) => self.add_event(e),
            Update::Queue(QueueChange::Created, item) => {
                if !self.held.iter().any(|i| i.id == item.id) {
                    self.held.push(item);
                }
            }
            Update::Queue(_, item) => self.forget_hold(&item.id, item.status),
            Update::Pending(items) => {
                self.held = items;
                if let Mode::Approve { id, .. } = &self.mode
                    && !self.held.iter().any(|i| &i.id == id)
                {
                    let id = id.clone();
                    self.forget_hold(&id, PendingState::Gone);
                }
            }
            Update::Lagged(n) => {
                self.note = Some(format!(
                    "the live feed fell behind and skipped {n} lines; reloaded"
                ))
            }
            Update::Status(s) => self.status = Some(s),
            Update::Snapshots(list) => self.snapshots = list,
            Update::Verified(text) => self.verify = Some(text),
            Update::Link(state) => self.offline = state,
            Update::Note(text) => self.note = Some(text),
        }
    }

    fn forget_hold(&mut self, id: &str, status: PendingState) {
        self.held.retain(|i| i.id != id);
        if let Mode::Approve { id: waiting, .. } = &self.mode
            && waiting == id
        {
            let word = match status {
                PendingState::Approved => "approved",
                PendingState::Denied => "denied",
                _ => "gone (expired)",
            };
            self.note = Some(format!(
                "held command {id} was {word} meanwhile; nothing was approved here"
            ));
            self.mode = Mode::Normal;
        }
    }
}

/// A confirmation code: six characters from A–Z and 2–9.
pub fn confirmation_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 6];
    if getrandom::fill(&mut bytes).is_err() {
        // No OS randomness: a code nobody can type keeps approval closed.
        return "-".repeat(6);
    }
    bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect()
}

/// A short age such as `12s`, `4m`, `3h`, `2d`.
pub fn age(created: &str, now: OffsetDateTime) -> String {
    let fmt = time::format_description::well_known::Rfc3339;
    let Ok(t) = OffsetDateTime::parse(created, &fmt) else {
        return "?".into();
    };
    let s = (now - t).whole_seconds().max(0);
    match s {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}
