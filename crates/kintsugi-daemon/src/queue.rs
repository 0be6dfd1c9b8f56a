//! The approval queue: held commands wait here for a human. Each item has a
//! short random id and moves from `pending` to `approved` or `denied` exactly
//! once; unanswered items expire. Waiters are notified through a watch
//! channel, so nobody has to poll.

use crate::integrity::Proposer;
use kintsugi_classify::Effect;
use kintsugi_protocol::{PendingItem, PendingState};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::sync::{broadcast, watch};

use crate::subscribe::{self, QueueNote};
use kintsugi_protocol::QueueChange;

struct Entry {
    item: PendingItem,
    proposer: Proposer,
    effects: Vec<Effect>,
    created: Instant,
    decided: Option<Instant>,
    notify: watch::Sender<PendingState>,
}

/// Why a queue operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueueError {
    #[error("no held command has id `{0}`; `kintsugi queue` lists the pending ones")]
    Unknown(String),
    #[error("held command `{id}` was already {state}; a decision is made once")]
    AlreadyDecided { id: String, state: &'static str },
    #[error("the approval queue is full ({0} held commands); answer or deny some first")]
    Full(usize),
    #[error(
        "{who} already has {max} pending holds, the most one session may (max_pending_per_session); answer or deny them first (`kintsugi queue` groups them)"
    )]
    SessionFull { who: String, max: usize },
}

/// A group of held commands: (agent, session).
pub type Group = (String, Option<String>);

/// Which group a held command belongs to: its agent and session (commands
/// without a session group by agent alone).
pub fn group_of(item: &PendingItem) -> Group {
    (item.command.agent.clone(), item.command.session.clone())
}

/// How a group is named in messages: `session S of agent A` or `agent A
/// (no session)`.
pub fn group_name(agent: &str, session: Option<&str>) -> String {
    match session {
        Some(s) => format!("session {s} of agent {agent}"),
        None => format!("agent {agent} (no session)"),
    }
}

/// The in-memory queue (held commands do not survive a daemon restart: their
/// waiters were disconnected anyway, and the ledger keeps the record).
pub struct Queue {
    entries: Mutex<HashMap<String, Entry>>,
    max: usize,
    per_session: usize,
    ttl: Duration,
    /// Every created, decided or expired item (for `subscribe`).
    changes: broadcast::Sender<QueueNote>,
}

fn state_word(s: PendingState) -> &'static str {
    match s {
        PendingState::Pending => "pending",
        PendingState::Approved => "approved",
        PendingState::Denied => "denied",
        PendingState::Gone => "gone",
    }
}

fn short_id() -> String {
    let mut b = [0u8; 4];
    getrandom::fill(&mut b).expect("the OS random source works");
    hex::encode(b)
}

impl Queue {
    /// A queue of at most `max` pending holds, `per_session` of them from
    /// one agent session, each expiring after `ttl`.
    pub fn new(max: usize, per_session: usize, ttl: Duration) -> Queue {
        Queue {
            entries: Mutex::new(HashMap::new()),
            max,
            per_session,
            ttl,
            changes: broadcast::channel(subscribe::BUFFER).0,
        }
    }

    /// Every queue change from now on (for `subscribe`).
    pub fn subscribe(&self) -> broadcast::Receiver<QueueNote> {
        self.changes.subscribe()
    }

    fn publish(&self, change: QueueChange, item: &PendingItem) {
        if self.changes.receiver_count() > 0 {
            let _ = self.changes.send((change, item.clone()));
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Hold a command: returns the new item's id.
    pub fn hold(
        &self,
        mut item: PendingItem,
        proposer: Proposer,
        effects: Vec<Effect>,
    ) -> Result<String, QueueError> {
        let mut map = self.lock();
        let group = group_of(&item);
        let (mut pending, mut mine) = (0, 0);
        for e in map.values() {
            if e.item.status == PendingState::Pending {
                pending += 1;
                mine += usize::from(group_of(&e.item) == group);
            }
        }
        if mine >= self.per_session {
            return Err(QueueError::SessionFull {
                who: group_name(&group.0, group.1.as_deref()),
                max: self.per_session,
            });
        }
        if pending >= self.max {
            return Err(QueueError::Full(self.max));
        }
        let mut id = short_id();
        while map.contains_key(&id) {
            id = short_id();
        }
        item.id = id.clone();
        item.status = PendingState::Pending;
        let (notify, _) = watch::channel(PendingState::Pending);
        self.publish(QueueChange::Created, &item);
        map.insert(
            id.clone(),
            Entry {
                item,
                proposer,
                effects,
                created: Instant::now(),
                decided: None,
                notify,
            },
        );
        Ok(id)
    }

    /// Items still waiting, grouped by agent and session: the group with
    /// the fewest holds first (a runaway session sinks to the bottom instead
    /// of burying the rest), ties by the group's oldest hold; oldest first
    /// within a group.
    pub fn pending(&self) -> Vec<PendingItem> {
        let map = self.lock();
        let mut groups: HashMap<Group, Vec<(Instant, PendingItem)>> = HashMap::new();
        for e in map.values() {
            if e.item.status == PendingState::Pending {
                groups
                    .entry(group_of(&e.item))
                    .or_default()
                    .push((e.created, e.item.clone()));
            }
        }
        let mut groups: Vec<_> = groups.into_values().collect();
        for g in &mut groups {
            g.sort_by_key(|(t, _)| *t);
        }
        groups.sort_by_key(|g| (g.len(), g[0].0));
        groups.into_iter().flatten().map(|(_, item)| item).collect()
    }

    /// The state of `id` (`gone` when unknown or expired).
    pub fn status(&self, id: &str) -> PendingState {
        self.lock()
            .get(id)
            .map(|e| e.item.status)
            .unwrap_or(PendingState::Gone)
    }

    /// The held command and its effects (to snapshot before it is released).
    pub fn held(&self, id: &str) -> Option<(PendingItem, Vec<Effect>)> {
        self.lock()
            .get(id)
            .map(|e| (e.item.clone(), e.effects.clone()))
    }

    /// Who proposed `id` (for the approval-integrity check).
    pub fn proposer(&self, id: &str) -> Option<Proposer> {
        self.lock().get(id).map(|e| e.proposer)
    }

    /// How long an unanswered hold waits before it expires.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Who proposed `id`, if it is still waiting for a decision; otherwise
    /// the error a decision on it would give.
    pub fn pending_proposer(&self, id: &str) -> Result<Proposer, QueueError> {
        let map = self.lock();
        let e = map
            .get(id)
            .ok_or_else(|| QueueError::Unknown(id.to_string()))?;
        if e.item.status != PendingState::Pending {
            return Err(QueueError::AlreadyDecided {
                id: id.to_string(),
                state: state_word(e.item.status),
            });
        }
        Ok(e.proposer)
    }

    /// The pending item whose command has the client's command id `cmd_id`.
    pub fn find_by_command(&self, cmd_id: &str) -> Option<String> {
        self.lock()
            .iter()
            .find(|(_, e)| e.item.command.id == cmd_id && e.item.status == PendingState::Pending)
            .map(|(id, _)| id.clone())
    }

    /// Settle `id` (approved or denied) exactly once. Returns the item as
    /// it was held.
    pub fn settle(&self, id: &str, approve: bool) -> Result<PendingItem, QueueError> {
        let mut map = self.lock();
        let entry = map
            .get_mut(id)
            .ok_or_else(|| QueueError::Unknown(id.to_string()))?;
        if entry.item.status != PendingState::Pending {
            return Err(QueueError::AlreadyDecided {
                id: id.to_string(),
                state: state_word(entry.item.status),
            });
        }
        let state = if approve {
            PendingState::Approved
        } else {
            PendingState::Denied
        };
        entry.item.status = state;
        entry.decided = Some(Instant::now());
        entry.notify.send_replace(state);
        self.publish(QueueChange::Decided, &entry.item);
        Ok(entry.item.clone())
    }

    /// A receiver that changes when `id` is decided or expires.
    pub fn watch(&self, id: &str) -> Option<watch::Receiver<PendingState>> {
        self.lock().get(id).map(|e| e.notify.subscribe())
    }

    /// Remove items pending longer than the ttl (returned, to be recorded as
    /// expired) and forget decided ones older than the ttl.
    pub fn expire(&self) -> Vec<PendingItem> {
        let now = Instant::now();
        let mut map = self.lock();
        let mut expired = Vec::new();
        map.retain(|_, e| {
            let old = now.duration_since(e.decided.unwrap_or(e.created)) >= self.ttl;
            if old && e.item.status == PendingState::Pending {
                e.notify.send_replace(PendingState::Gone);
                let mut gone = e.item.clone();
                gone.status = PendingState::Gone;
                self.publish(QueueChange::Expired, &gone);
                expired.push(e.item.clone());
            }
            !old
        });
        expired
    }

    /// How many commands are waiting.
    pub fn len_pending(&self) -> usize {
        self.lock()
            .values()
            .filter(|e| e.item.status == PendingState::Pending)
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kintsugi_protocol::{Class, ProposedCommand};

    fn item() -> PendingItem {
        PendingItem {
            id: String::new(),
            command: ProposedCommand::new("test", "/", vec![], "rm -rf x"),
            class: Class::Ambiguous,
            rule: "r".into(),
            reason: "r".into(),
            created: "t".into(),
            status: PendingState::Pending,
            preview: None,
        }
    }

    #[test]
    fn decisions_are_exactly_once() {
        let q = Queue::new(10, 10, Duration::from_secs(60));
        let id = q.hold(item(), Proposer::default(), Vec::new()).unwrap();
        assert_eq!(id.len(), 8);
        assert_eq!(q.status(&id), PendingState::Pending);
        q.settle(&id, true).unwrap();
        assert_eq!(q.status(&id), PendingState::Approved);
        assert!(matches!(
            q.settle(&id, false),
            Err(QueueError::AlreadyDecided { .. })
        ));
        assert!(matches!(
            q.settle("nope", true),
            Err(QueueError::Unknown(_))
        ));
        assert_eq!(q.status("nope"), PendingState::Gone);
    }

    #[test]
    fn full_queue_and_expiry() {
        let q = Queue::new(1, 10, Duration::ZERO);
        let id = q.hold(item(), Proposer::default(), Vec::new()).unwrap();
        assert!(matches!(
            q.hold(item(), Proposer::default(), Vec::new()),
            Err(QueueError::Full(1))
        ));
        let mut rx = q.watch(&id).unwrap();
        assert_eq!(q.expire().len(), 1);
        assert_eq!(*rx.borrow_and_update(), PendingState::Gone);
        assert_eq!(q.status(&id), PendingState::Gone);
    }

    fn from(agent: &str, session: Option<&str>, raw: &str) -> PendingItem {
        let mut i = item();
        i.command = ProposedCommand::new(agent, "/", vec![], raw);
        i.command.session = session.map(str::to_string);
        i
    }

    #[test]
    fn one_session_is_capped_and_sinks_below_the_others() {
        let q = Queue::new(100, 3, Duration::from_secs(60));
        for n in 0..3 {
            q.hold(
                from("hook:claude", Some("loop"), &format!("rm -rf d{n}")),
                Proposer::default(),
                Vec::new(),
            )
            .unwrap();
        }
        let err = q
            .hold(
                from("hook:claude", Some("loop"), "rm -rf d3"),
                Proposer::default(),
                Vec::new(),
            )
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("session loop of agent hook:claude already has 3 pending holds"),
            "{err}"
        );
        // Same session name, another agent; and no session: other groups.
        q.hold(
            from("hook:codex", Some("loop"), "rm -rf a"),
            Proposer::default(),
            Vec::new(),
        )
        .unwrap();
        q.hold(
            from("shim", None, "rm -rf b"),
            Proposer::default(),
            Vec::new(),
        )
        .unwrap();
        q.hold(
            from("shim", None, "rm -rf c"),
            Proposer::default(),
            Vec::new(),
        )
        .unwrap();
        let order: Vec<String> = q.pending().into_iter().map(|i| i.command.raw).collect();
        assert_eq!(
            order,
            [
                "rm -rf a",
                "rm -rf b",
                "rm -rf c",
                "rm -rf d0",
                "rm -rf d1",
                "rm -rf d2"
            ]
        );
    }
}
