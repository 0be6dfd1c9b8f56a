//! What the kernel says about a process that asks to approve: its
//! controlling terminal, its session, when that session's leader started,
//! and its ancestry (pid and executable name up to pid 1). Read from
//! `/proc` on Linux; elsewhere nothing can be read and approvals that rest
//! on these facts are refused (fail closed).
//!
//! None of this proves a human by itself: any process can open a
//! pseudo-terminal. The facts feed `human_proof.rs` and are recorded on the
//! ledger with every approval and every refused one.

use serde_json::{Value, json};

/// Most ancestors walked before giving up (a loop or a very deep tree).
pub const MAX_ANCESTRY: usize = 512;

/// Clock ticks per second of the `starttime` field of `/proc/PID/stat`
/// (the kernel's USER_HZ, 100 on every architecture Kintsugi builds for).
pub const USER_HZ: u64 = 100;

/// One process of an ancestry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcLink {
    pub pid: u32,
    /// The executable's file name (or the kernel's `comm` when the
    /// executable cannot be read).
    pub exe: String,
}

/// The facts about a would-be approver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApproverFacts {
    pub pid: u32,
    /// The controlling terminal's device (`/dev/pts/3`), if it has one.
    pub tty: Option<String>,
    /// The session id (the pid of the session leader).
    pub session: u32,
    /// When the session leader started (Unix milliseconds, to the second
    /// of the boot time), if readable.
    pub session_started_ms: Option<u64>,
    /// When the session leader started, in clock ticks after boot (exact;
    /// compared with [`uptime_ticks`] taken when a command was held).
    pub session_start_ticks: Option<u64>,
    /// Whether the parent chain reaches the session leader: false for a
    /// process that was double-forked away from the shell of its terminal.
    pub reaches_session_leader: bool,
    /// The process itself first, then its parent, … up to pid 1.
    pub ancestry: Vec<ProcLink>,
}

/// Fields of `/proc/PID/stat` after the command name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stat {
    pub ppid: u32,
    pub session: u32,
    pub tty_nr: i64,
    /// Clock ticks after boot.
    pub starttime: u64,
}

/// Parse the text of `/proc/PID/stat`.
pub(crate) fn parse_stat(text: &str) -> Option<Stat> {
    // The command name is in parentheses and may hold spaces and ')'.
    let rest = &text[text.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // state(0) ppid(1) pgrp(2) session(3) tty_nr(4) … starttime(19)
    Some(Stat {
        ppid: f.get(1)?.parse().ok()?,
        session: f.get(3)?.parse().ok()?,
        tty_nr: f.get(4)?.parse().ok()?,
        starttime: f.get(19)?.parse().ok()?,
    })
}

/// The device name of a `tty_nr` (0: none).
pub(crate) fn tty_name(tty_nr: i64) -> Option<String> {
    if tty_nr == 0 {
        return None;
    }
    let n = tty_nr as u64;
    let major = (n >> 8) & 0xfff;
    let minor = (n & 0xff) | ((n >> 12) & 0xfff00);
    Some(match major {
        136..=143 => format!("/dev/pts/{}", (major - 136) * 256 + minor),
        4 if minor < 64 => format!("/dev/tty{minor}"),
        4 => format!("/dev/ttyS{}", minor - 64),
        _ => format!("tty {major}:{minor}"),
    })
}

#[cfg(target_os = "linux")]
pub(crate) fn stat(pid: u32) -> Option<Stat> {
    parse_stat(&std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn stat(_pid: u32) -> Option<Stat> {
    None
}

fn exe_name(pid: u32) -> String {
    if let Ok(p) = std::fs::read_link(format!("/proc/{pid}/exe"))
        && let Some(name) = p.file_name()
    {
        return name.to_string_lossy().trim_end_matches(" (deleted)").into();
    }
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .map(|c| c.trim().to_string())
        .unwrap_or_else(|_| "?".into())
}

/// Unix milliseconds of the machine's boot (`btime` of `/proc/stat`).
fn boot_ms() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/stat").ok()?;
    let secs: u64 = text
        .lines()
        .find_map(|l| l.strip_prefix("btime "))?
        .trim()
        .parse()
        .ok()?;
    Some(secs * 1000)
}

/// Unix milliseconds when process `pid` started.
pub(crate) fn started_ms(pid: u32) -> Option<u64> {
    Some(boot_ms()? + stat(pid)?.starttime * 1000 / USER_HZ)
}

/// Clock ticks since boot now (`/proc/uptime`, the clock `starttime` uses).
pub fn uptime_ticks() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/uptime").ok()?;
    let secs: f64 = text.split_whitespace().next()?.parse().ok()?;
    Some((secs * USER_HZ as f64) as u64)
}

/// Unix milliseconds now.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

impl ApproverFacts {
    /// Read the facts of `pid`; an error says why they cannot be read.
    pub fn of(pid: u32) -> Result<ApproverFacts, String> {
        let me = stat(pid).ok_or_else(|| {
            if cfg!(target_os = "linux") {
                format!("process {pid} vanished before it could be inspected")
            } else {
                "approver checks are only built for Linux; approvals that rest on them are refused on this platform".to_string()
            }
        })?;
        let mut ancestry = Vec::new();
        let mut reaches = pid == me.session;
        let (mut cur, mut st) = (pid, me);
        for _ in 0..MAX_ANCESTRY {
            ancestry.push(ProcLink {
                pid: cur,
                exe: exe_name(cur),
            });
            if cur == me.session {
                reaches = true;
            }
            if st.ppid == 0 || st.ppid == cur {
                break;
            }
            cur = st.ppid;
            match stat(cur) {
                Some(s) => st = s,
                None => break,
            }
        }
        Ok(ApproverFacts {
            pid,
            tty: tty_name(me.tty_nr),
            session: me.session,
            session_started_ms: started_ms(me.session),
            session_start_ticks: stat(me.session).map(|s| s.starttime),
            reaches_session_leader: reaches,
            ancestry,
        })
    }

    /// Does the ancestry (the process itself included) contain `pid`?
    pub fn descends_from(&self, pid: u32) -> bool {
        self.ancestry.iter().any(|l| l.pid == pid)
    }

    /// Did the session start after `ticks` after boot (unknown counts as after)?
    pub fn session_newer_than(&self, ticks: u64) -> bool {
        self.session_start_ticks.is_none_or(|s| s > ticks)
    }

    /// The facts as recorded on the ledger.
    pub fn to_json(&self) -> Value {
        json!({
            "pid": self.pid,
            "tty": self.tty,
            "session": self.session,
            "session_started_ms": self.session_started_ms,
            "session_start_ticks": self.session_start_ticks,
            "reaches_session_leader": self.reaches_session_leader,
            "ancestry": self.ancestry.iter()
                .map(|l| json!({"pid": l.pid, "exe": l.exe}))
                .collect::<Vec<_>>(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_lines_with_odd_names_parse() {
        let line = "42 (a) b (c)) S 7 42 40 34819 42 4194304 1 0 0 0 0 0 0 0 20 0 1 0 12345 0 0";
        let s = parse_stat(line).unwrap();
        assert_eq!(
            (s.ppid, s.session, s.tty_nr, s.starttime),
            (7, 40, 34819, 12345)
        );
    }

    #[test]
    fn tty_numbers_name_their_devices() {
        assert_eq!(tty_name(0), None);
        assert_eq!(tty_name(34819).as_deref(), Some("/dev/pts/3"));
        assert_eq!(tty_name((137 << 8) | 2).as_deref(), Some("/dev/pts/258"));
        assert_eq!(tty_name((4 << 8) | 1).as_deref(), Some("/dev/tty1"));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn own_facts_list_this_process_first_and_end_at_init() {
        let f = ApproverFacts::of(std::process::id()).unwrap();
        assert_eq!(f.ancestry[0].pid, std::process::id());
        assert!(f.descends_from(std::process::id()));
        assert!(f.ancestry.len() >= 2, "{f:?}");
        let now = uptime_ticks().unwrap();
        if stat(f.session).is_some() {
            let started = f.session_started_ms.unwrap();
            assert!(started <= now_ms() + 1000, "{started}");
            assert!(!f.session_newer_than(now));
            assert!(f.session_newer_than(f.session_start_ticks.unwrap() - 1));
        } else {
            // A session leader outside this pid namespace (CI containers
            // start tests in a session whose leader is not visible): the
            // start is unknown and counts as newer than any hold, so an
            // approval resting on it is refused.
            assert_eq!(f.session_started_ms, None, "{f:?}");
            assert_eq!(f.session_start_ticks, None, "{f:?}");
            assert!(f.session_newer_than(now));
        }
    }

    #[test]
    fn a_process_that_is_gone_is_refused() {
        // Pid numbers above the kernel's maximum never exist.
        assert!(ApproverFacts::of(u32::MAX - 1).is_err());
    }
}
