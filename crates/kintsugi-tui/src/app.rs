//! The control room's state. Pure: no I/O, no terminal, no clock of its own
//! (the caller sets `now`). Keys (`keys.rs`) return an [`Action`] for the
//! caller to carry out; results and the daemon's stream come back as
//! [`Update`]s, applied here.

use kintsugi_protocol::{EventRecord, PendingItem, PendingState, QueueChange, StatusInfo};
use kintsugi_snapshot::SnapshotSummary;
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
    Status(Box<StatusInfo>),
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
    pub(crate) code: fn() -> String,
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

    pub(crate) fn len(&self, view: View) -> usize {
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

    pub(crate) fn move_by(&mut self, delta: isize) {
        let len = self.len(self.view);
        let at = self.selected() as isize + delta;
        self.cursor[self.view.index()] = at.clamp(0, len.saturating_sub(1) as isize) as usize;
    }

    pub(crate) fn switch(&mut self, view: View) -> Option<Action> {
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
            Update::Status(s) => self.status = Some(*s),
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
