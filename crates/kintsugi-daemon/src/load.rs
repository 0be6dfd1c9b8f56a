//! Connection classes and budgets. A request connection (propose, wait,
//! queue, status …) holds one of `max_connections` slots, and one peer
//! process (its pid from SO_PEERCRED) holds at most
//! `max_connections_per_process` of them, so no single client fills the
//! table. A `subscribe` stream gives its request slot back and holds one of
//! `max_subscribers` instead, so watchers can never crowd out the
//! interceptors. Peers of another uid hold no slot at all: they are refused
//! (at most [`MAX_REFUSALS_IN_FLIGHT`] at once). Every refusal for load is
//! one `busy` error frame (`kintsugi_protocol::busy_line`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A subscriber whose stream cannot take the next line within this long
/// (it stopped reading and its socket buffer is full) is dropped.
pub const SUBSCRIBER_WRITE_TIMEOUT: Duration = Duration::from_secs(5);

/// Refusals (busy, or a peer of another uid) being answered at once; beyond
/// it a refused connection gets its one frame and is closed without the
/// grace read.
pub const MAX_REFUSALS_IN_FLIGHT: usize = 64;

/// The limits, from the config.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_connections: usize,
    pub max_connections_per_process: usize,
    pub max_subscribers: usize,
}

impl Limits {
    /// The connection budgets the config sets.
    pub fn from_config(config: &crate::config::Config) -> Limits {
        Limits {
            max_connections: config.max_connections,
            max_connections_per_process: config.max_connections_per_process,
            max_subscribers: config.max_subscribers,
        }
    }
}

#[derive(Default)]
struct Counts {
    requests: usize,
    per_process: HashMap<u32, usize>,
    subscribers: usize,
}

/// Who holds which slots. Slots are given back when their guard drops.
pub struct Admission {
    limits: Limits,
    counts: Mutex<Counts>,
    refused: AtomicU64,
}

/// A request connection's slot (counted against its process too).
pub struct RequestSlot {
    admission: Arc<Admission>,
    pid: u32,
}

/// A subscriber's slot.
pub struct SubscriberSlot {
    admission: Arc<Admission>,
}

impl Admission {
    pub fn new(limits: Limits) -> Arc<Admission> {
        Arc::new(Admission {
            limits,
            counts: Mutex::new(Counts::default()),
            refused: AtomicU64::new(0),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Counts> {
        self.counts.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A slot for a request connection from process `pid` (0 when the
    /// kernel did not say), or the reason it is refused for load.
    pub fn request(self: &Arc<Self>, pid: u32) -> Result<RequestSlot, String> {
        self.count_refusal(self.try_request(pid))
    }

    fn try_request(self: &Arc<Self>, pid: u32) -> Result<RequestSlot, String> {
        let mut c = self.lock();
        if c.requests >= self.limits.max_connections {
            return Err(format!(
                "the daemon is serving its maximum of {} connections (max_connections); retry shortly",
                self.limits.max_connections
            ));
        }
        let mine = c.per_process.entry(pid).or_default();
        if *mine >= self.limits.max_connections_per_process {
            return Err(format!(
                "process {pid} already holds {} connections, the most one process may (max_connections_per_process); close some and retry",
                self.limits.max_connections_per_process
            ));
        }
        *mine += 1;
        c.requests += 1;
        Ok(RequestSlot {
            admission: self.clone(),
            pid,
        })
    }

    /// A slot for a `subscribe` stream, or the reason it is refused.
    pub fn subscriber(self: &Arc<Self>) -> Result<SubscriberSlot, String> {
        self.count_refusal(self.try_subscriber())
    }

    fn try_subscriber(self: &Arc<Self>) -> Result<SubscriberSlot, String> {
        let mut c = self.lock();
        if c.subscribers >= self.limits.max_subscribers {
            return Err(format!(
                "the daemon is streaming to its maximum of {} subscribers (max_subscribers); close one and retry",
                self.limits.max_subscribers
            ));
        }
        c.subscribers += 1;
        Ok(SubscriberSlot {
            admission: self.clone(),
        })
    }

    fn count_refusal<T>(&self, r: Result<T, String>) -> Result<T, String> {
        if r.is_err() {
            self.refused.fetch_add(1, Ordering::Relaxed);
        }
        r
    }

    /// (request connections, subscribers) held now.
    pub fn in_use(&self) -> (usize, usize) {
        let c = self.lock();
        (c.requests, c.subscribers)
    }

    /// Connections turned away as busy since start.
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }
}

impl Drop for RequestSlot {
    fn drop(&mut self) {
        let mut c = self.admission.lock();
        c.requests = c.requests.saturating_sub(1);
        if let Some(n) = c.per_process.get_mut(&self.pid) {
            *n -= 1;
            if *n == 0 {
                c.per_process.remove(&self.pid);
            }
        }
    }
}

impl Drop for SubscriberSlot {
    fn drop(&mut self) {
        let mut c = self.admission.lock();
        c.subscribers = c.subscribers.saturating_sub(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admission(total: usize, per_process: usize, subs: usize) -> Arc<Admission> {
        Admission::new(Limits {
            max_connections: total,
            max_connections_per_process: per_process,
            max_subscribers: subs,
        })
    }

    #[test]
    fn one_process_cannot_take_the_whole_table() {
        let a = admission(4, 2, 1);
        let _a1 = a.request(10).unwrap();
        let _a2 = a.request(10).unwrap();
        let err = a.request(10).err().unwrap();
        assert!(err.contains("max_connections_per_process"), "{err}");
        let _b1 = a.request(11).unwrap();
        let b2 = a.request(11).unwrap();
        let err = a.request(12).err().unwrap();
        assert!(err.contains("max_connections)"), "{err}");
        drop(b2);
        assert_eq!(a.in_use(), (3, 0));
        let _c = a.request(12).unwrap();
        assert_eq!(a.refused(), 2);
    }

    #[test]
    fn subscribers_are_counted_apart_and_slots_come_back() {
        let a = admission(1, 1, 2);
        let r = a.request(1).unwrap();
        let s1 = a.subscriber().unwrap();
        let _s2 = a.subscriber().unwrap();
        assert!(a.subscriber().err().unwrap().contains("max_subscribers"));
        // Subscribers never take request slots: the one request slot is
        // still the only one in use.
        assert_eq!(a.in_use(), (1, 2));
        drop(r);
        drop(s1);
        assert_eq!(a.in_use(), (0, 1));
        let _r = a.request(1).unwrap();
        let _s3 = a.subscriber().unwrap();
    }
}
