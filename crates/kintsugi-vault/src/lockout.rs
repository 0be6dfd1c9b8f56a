//! Failed-attempt lockout, persisted in the data dir so a restart does not
//! reset it. The first [`FREE_FAILURES`] failures cost nothing; after that
//! each failure doubles the wait before the next attempt, starting at
//! [`BASE_DELAY_SECS`] and capped at one hour. A success resets it.

use crate::store::{LOCKOUT_FILE, write_private};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Failures allowed before any delay.
pub const FREE_FAILURES: u32 = 5;
/// The first delay after the free failures.
pub const BASE_DELAY_SECS: u64 = 30;
/// The longest delay.
pub const MAX_DELAY_SECS: u64 = 3600;

/// The persisted counter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lockout {
    pub failures: u32,
    /// Unix seconds of the last failure.
    pub last_failure: u64,
    #[serde(skip)]
    path: PathBuf,
}

/// Seconds since the Unix epoch.
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The wait after `failures` consecutive failures.
pub fn delay_for(failures: u32) -> u64 {
    if failures < FREE_FAILURES {
        return 0;
    }
    let doublings = (failures - FREE_FAILURES).min(16);
    (BASE_DELAY_SECS << doublings).min(MAX_DELAY_SECS)
}

impl Lockout {
    /// Load from `data_dir`; an unreadable file counts as the free limit
    /// reached (fail closed), a missing one as no failures.
    pub fn load(data_dir: &Path) -> Lockout {
        let path = data_dir.join(LOCKOUT_FILE);
        let mut l = match std::fs::read(&path) {
            Ok(b) => serde_json::from_slice(&b).unwrap_or(Lockout {
                failures: FREE_FAILURES,
                last_failure: unix_now(),
                path: PathBuf::new(),
            }),
            Err(_) => Lockout::default(),
        };
        l.path = path;
        l
    }

    /// Seconds left before another attempt is accepted (0: go ahead).
    pub fn wait_secs(&self, now: u64) -> u64 {
        let until = self.last_failure.saturating_add(delay_for(self.failures));
        until.saturating_sub(now)
    }

    /// Count a failure and persist it.
    pub fn fail(&mut self, now: u64) -> std::io::Result<()> {
        self.failures = self.failures.saturating_add(1);
        self.last_failure = now;
        self.save()
    }

    /// Reset after a success.
    pub fn succeed(&mut self) -> std::io::Result<()> {
        if self.failures == 0 {
            return Ok(());
        }
        self.failures = 0;
        self.last_failure = 0;
        self.save()
    }

    fn save(&self) -> std::io::Result<()> {
        write_private(&self.path, &serde_json::to_vec(self).expect("serializes"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_and_cap() {
        assert_eq!(delay_for(4), 0);
        assert_eq!(delay_for(5), 30);
        assert_eq!(delay_for(6), 60);
        assert_eq!(delay_for(12), 3600);
        assert_eq!(delay_for(u32::MAX), 3600);
    }

    #[test]
    fn persists_across_loads() {
        let d = tempfile::tempdir().unwrap();
        let mut l = Lockout::load(d.path());
        for _ in 0..5 {
            l.fail(1000).unwrap();
        }
        let again = Lockout::load(d.path());
        assert_eq!(again.failures, 5);
        assert_eq!(again.wait_secs(1010), 20);
        assert_eq!(again.wait_secs(2000), 0);
        let mut again = again;
        again.succeed().unwrap();
        assert_eq!(Lockout::load(d.path()).failures, 0);
    }
}
