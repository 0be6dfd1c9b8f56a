//! The running budget of one capture: bytes, entries and time spent, and
//! the stop request. Checked before each entry AND after each chunk read
//! inside a file, so a file that grows, never ends or reads slowly stops
//! the capture at the budget instead of running on.

use crate::capture::Budget;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// Bytes read per step while hashing or copying a file; every step checks
/// the budget and the stop request.
pub const COPY_CHUNK: usize = 256 * 1024;

/// Why a capture stopped early.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Over(pub String);

/// Budget accounting for one capture.
pub(crate) struct Meter<'a> {
    start: Instant,
    budget: &'a Budget,
    cancel: &'a AtomicBool,
    /// Bytes of file content already captured (before the current file).
    pub bytes: u64,
    /// Entries already captured.
    pub entries: u64,
}

impl<'a> Meter<'a> {
    pub fn new(budget: &'a Budget, cancel: &'a AtomicBool) -> Meter<'a> {
        Meter {
            start: Instant::now(),
            budget,
            cancel,
            bytes: 0,
            entries: 0,
        }
    }

    /// The file budget.
    pub fn max_files(&self) -> u64 {
        self.budget.max_files
    }

    /// Time and the stop request.
    pub fn check_time(&self) -> Result<(), Over> {
        if self.cancel.load(Ordering::Relaxed) {
            return Err(Over(
                "the capture was stopped (the daemon is stopping)".into(),
            ));
        }
        if self.start.elapsed() > self.budget.max_time {
            return Err(Over(format!(
                "time budget of {:?} reached",
                self.budget.max_time
            )));
        }
        Ok(())
    }

    /// Time, the stop request, and `more` bytes of the current file on top
    /// of what is already captured.
    pub fn check_bytes(&self, more: u64) -> Result<(), Over> {
        self.check_time()?;
        if self.bytes.saturating_add(more) > self.budget.max_bytes {
            return Err(Over(format!(
                "byte budget of {} reached",
                self.budget.max_bytes
            )));
        }
        Ok(())
    }

    /// Time, the stop request and the entry count.
    pub fn check_entry(&self) -> Result<(), Over> {
        self.check_time()?;
        if self.entries >= self.budget.max_files {
            return Err(Over(format!(
                "file budget of {} entries reached",
                self.budget.max_files
            )));
        }
        Ok(())
    }
}
