//! Pins: objects kept alive without a snapshot manifest. A user of the
//! store that holds content for its own purpose (the filesystem watcher's
//! mirror) names the objects it still needs in `pins/<name>.txt`, one hash
//! per line, rewritten atomically. GC never removes a pinned object, and it
//! removes a pin file nobody refreshed within the retention age, so a
//! watcher that is gone for good stops holding space.
//!
//! Snapshots whose session is [`MIRROR_SESSION`] only carry the mirror's
//! objects until they are pinned; GC deletes such manifests once they are
//! older than [`MIRROR_MANIFEST_GRACE`], and they never count towards the
//! newest snapshots it keeps.

use crate::error::{Result, io};
use crate::store::Store;
use std::collections::BTreeSet;
use std::fs;
use std::io::{ErrorKind, Write};
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

/// The session name of the watcher mirror's snapshots; `kintsugi undo`
/// (newest snapshot) skips them, `undo --observed` is their way back.
pub const MIRROR_SESSION: &str = "kintsugi:watch-mirror";
/// A mirror manifest younger than this is kept by GC: its objects may not
/// be pinned yet.
pub const MIRROR_MANIFEST_GRACE: Duration = Duration::from_secs(600);

impl Store {
    fn pins_dir(&self) -> PathBuf {
        self.root().join("pins")
    }

    /// Replace the pin set called `name` (letters, digits, `-` and `_`).
    pub fn write_pins(&self, name: &str, hashes: &BTreeSet<String>) -> Result<()> {
        assert!(
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
            "pin set names are plain words"
        );
        let dir = self.pins_dir();
        fs::create_dir_all(&dir).map_err(io("creating pins directory", &dir))?;
        let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
        let mut text = String::with_capacity(hashes.len() * 65);
        for h in hashes {
            text.push_str(h);
            text.push('\n');
        }
        let mut f = fs::File::create(&tmp).map_err(io("writing pins", &tmp))?;
        f.write_all(text.as_bytes())
            .and_then(|()| f.sync_data())
            .map_err(io("writing pins", &tmp))?;
        let dest = dir.join(format!("{name}.txt"));
        fs::rename(&tmp, &dest).map_err(io("writing pins", &dest))
    }

    /// Every pinned hash; pin files older than `max_age` are removed first.
    pub(crate) fn live_pins(&self, max_age: Duration) -> Result<BTreeSet<String>> {
        let dir = self.pins_dir();
        let mut out = BTreeSet::new();
        let entries = match fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(io("listing pins", &dir)(e)),
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.extension().is_none_or(|x| x != "txt") {
                continue;
            }
            let age = e
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| SystemTime::now().duration_since(t).ok())
                .unwrap_or_default();
            if age > max_age {
                fs::remove_file(&p).map_err(io("removing stale pins", &p))?;
                continue;
            }
            let text = fs::read_to_string(&p).map_err(io("reading pins", &p))?;
            out.extend(
                text.lines()
                    .filter(|l| l.len() == 64 && l.bytes().all(|b| b.is_ascii_hexdigit()))
                    .map(str::to_string),
            );
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_round_trip_and_stale_sets_expire() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let set: BTreeSet<String> = ["a".repeat(64), "b".repeat(64)].into_iter().collect();
        store.write_pins("watch-mirror", &set).unwrap();
        assert_eq!(store.live_pins(Duration::from_secs(60)).unwrap(), set);
        std::thread::sleep(Duration::from_millis(20));
        assert!(
            store
                .live_pins(Duration::from_millis(1))
                .unwrap()
                .is_empty()
        );
        assert!(!dir.path().join("pins/watch-mirror.txt").exists());
    }
}
