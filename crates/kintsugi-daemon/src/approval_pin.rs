//! The approval PIN: a short secret a human types for each approval, which
//! the daemon checks against an argon2id hash (the vault's KDF) kept in
//! [`PIN_FILE`]. Like the vault, the file is read once at start-up and
//! held in memory; it is written only by the daemon (`setpin`) or, while
//! no daemon runs and no PIN exists yet, by `kintsugi admin set-pin`.
//!
//! Every set, change and clear is a [`PIN_KIND`] ledger event, so a daemon
//! that finds the file erased while the ledger says a PIN was set starts
//! with the PIN *lost*: approvals that need it are refused until a human
//! sets a new one. Wrong PINs feed a lockout persisted in
//! [`PIN_LOCKOUT_FILE`]: after [`PIN_MAX_FAILURES`] in a row, every PIN is
//! refused for [`PIN_LOCKOUT_SECS`], without running argon2.

use crate::events::daemon_event;
use kintsugi_ledger::NewEvent;
use kintsugi_protocol::KdfParams;
use kintsugi_vault::crypto;
use kintsugi_vault::store::write_private;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// The PIN's hash in the data dir.
pub const PIN_FILE: &str = "approval-pin.json";
/// The persisted count of wrong PINs.
pub const PIN_LOCKOUT_FILE: &str = "approval-pin.lockout";
/// The shortest PIN accepted.
pub const MIN_PIN_LEN: usize = 6;
/// The longest PIN accepted.
pub const MAX_PIN_LEN: usize = 128;
/// Wrong PINs in a row before the lockout starts.
pub const PIN_MAX_FAILURES: u32 = 5;
/// How long every PIN is refused once the lockout started.
pub const PIN_LOCKOUT_SECS: u64 = 300;
/// The ledger event kind that records a PIN set, changed or cleared.
pub const PIN_KIND: &str = "approval-pin";
/// argon2id memory (KiB) for the PIN's hash: 19 MiB, two passes.
pub const PIN_KDF_M_COST: u32 = 19 * 1024;
/// argon2id passes for the PIN's hash.
pub const PIN_KDF_T_COST: u32 = 2;
/// The largest argon2id memory a PIN file may ask for (KiB): a bigger one
/// is refused as damaged, so a planted file cannot exhaust memory.
pub const MAX_PIN_KDF_M_COST: u32 = 256 * 1024;

/// The KDF parameters new PINs are hashed with.
pub fn pin_kdf() -> KdfParams {
    KdfParams {
        alg: "argon2id".into(),
        m_cost: PIN_KDF_M_COST,
        t_cost: PIN_KDF_T_COST,
        p_cost: 1,
    }
}

/// The file format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PinFile {
    pub version: u32,
    pub kdf: KdfParams,
    pub salt: String,
    pub hash: String,
    pub set: String,
}

/// Why a PIN text is not acceptable as a new PIN, or `Ok`.
pub fn check_new_pin(pin: &str) -> Result<(), String> {
    let n = pin.chars().count();
    if n < MIN_PIN_LEN {
        return Err(format!(
            "the approval PIN is {n} characters; choose at least {MIN_PIN_LEN}"
        ));
    }
    if n > MAX_PIN_LEN {
        return Err(format!(
            "the approval PIN is {n} characters; at most {MAX_PIN_LEN} are accepted"
        ));
    }
    if pin.chars().any(char::is_control) {
        return Err("the approval PIN may not contain control characters".into());
    }
    Ok(())
}

/// Hash `pin` into a new [`PinFile`] (argon2id; slow on purpose).
pub fn hash_pin(pin: &str) -> Result<PinFile, String> {
    check_new_pin(pin)?;
    let salt: [u8; 16] = crypto::random_bytes();
    let kdf = pin_kdf();
    let key = crypto::derive_key(pin.as_bytes(), &salt, &kdf).map_err(|e| e.to_string())?;
    Ok(PinFile {
        version: 1,
        kdf,
        salt: hex::encode(salt),
        hash: hex::encode(*key),
        set: kintsugi_protocol::now_rfc3339(),
    })
}

/// Does `pin` match `file`? (argon2id; slow on purpose.)
pub fn pin_matches(file: &PinFile, pin: &str) -> Result<bool, String> {
    let salt = hex::decode(&file.salt).map_err(|_| "the PIN file's salt is not hex")?;
    let want = hex::decode(&file.hash).map_err(|_| "the PIN file's hash is not hex")?;
    let key = crypto::derive_key(pin.as_bytes(), &salt, &file.kdf).map_err(|e| e.to_string())?;
    Ok(crypto::ct_eq(&*key, &want))
}

/// Read and check [`PIN_FILE`] in `data_dir` (`Ok(None)`: there is none).
pub fn read_pin_file(data_dir: &Path) -> Result<Option<PinFile>, String> {
    let path = data_dir.join(PIN_FILE);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let f: PinFile = serde_json::from_slice(&bytes)
        .map_err(|e| format!("{} is damaged: {e}", path.display()))?;
    if f.version != 1 || f.kdf.m_cost > MAX_PIN_KDF_M_COST || f.kdf.t_cost > 16 {
        return Err(format!(
            "{} is damaged: unknown version or KDF parameters out of range",
            path.display()
        ));
    }
    crypto::check_params(&f.kdf).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(Some(f))
}

/// Write `file` as [`PIN_FILE`] in `data_dir` (mode 0600, atomically).
pub fn write_pin_file(data_dir: &Path, file: &PinFile) -> Result<(), String> {
    let bytes = serde_json::to_vec_pretty(file).expect("serializes");
    write_private(&data_dir.join(PIN_FILE), &bytes)
        .map_err(|e| format!("cannot write {}: {e}", data_dir.join(PIN_FILE).display()))
}

/// A fingerprint of a PIN file (recorded on the ledger; not the PIN).
pub fn fingerprint(file: &PinFile) -> String {
    kintsugi_vault::fingerprint(file.hash.as_bytes())
}

/// The PIN as the daemon holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PinState {
    /// No PIN: approvals rest on the terminal test.
    Unset,
    Set(PinFile),
    /// The ledger says a PIN was set, but its file is gone or damaged.
    Lost(String),
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Failures {
    count: u32,
    /// Unix seconds until which every PIN is refused.
    locked_until: u64,
}

/// The daemon's PIN state, its lockout, and one verification at a time
/// (so parallel guesses cannot outrun the lockout).
pub struct PinGuard {
    data_dir: PathBuf,
    state: Mutex<PinState>,
    failures: Mutex<Failures>,
    one_at_a_time: tokio::sync::Mutex<()>,
}

/// What a PIN check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PinCheck {
    Right,
    /// Wrong, with the refusal text (lockout included).
    Wrong(String),
    /// Not checked (none set, lost, locked out, damaged).
    Refused(String),
}

impl PinGuard {
    /// Read the PIN at start-up; the events say what was found.
    pub fn load(data_dir: &Path) -> (PinGuard, Vec<NewEvent>) {
        let recorded = last_recorded(data_dir);
        let mut events = Vec::new();
        let state = match (read_pin_file(data_dir), recorded) {
            (
                Ok(Some(f)),
                Some(Recorded {
                    seq,
                    fingerprint: Some(recorded),
                }),
            ) if recorded != fingerprint(&f) => {
                // Only a first PIN may be written without a daemon; one that
                // replaces a recorded PIN was put there behind its back.
                let why = format!(
                    "{PIN_FILE} is not the approval PIN the ledger last recorded (event {seq}): it was replaced while no daemon ran"
                );
                events.push(pin_event("lost", None, format!("PIN LOST: {why}; approvals are refused until a human sets a new PIN with `kintsugi admin set-pin` at their terminal")));
                PinState::Lost(why)
            }
            (Ok(Some(f)), rec) => {
                let fp = fingerprint(&f);
                if rec.as_ref().and_then(|r| r.fingerprint.as_deref()) != Some(fp.as_str()) {
                    events.push(pin_event(
                        "set",
                        Some(&fp),
                        "an approval PIN was found at start that the ledger had not recorded (set with `kintsugi admin set-pin` while no daemon ran, or its file was replaced); approvals now need it".into(),
                    ));
                }
                PinState::Set(f)
            }
            (Ok(None), Some(r)) if r.fingerprint.is_some() => {
                let why = format!(
                    "{PIN_FILE} is missing, but the ledger records that an approval PIN was set (event {})",
                    r.seq
                );
                events.push(pin_event("lost", None, format!("PIN LOST: {why}; approvals are refused until a human sets a new PIN with `kintsugi admin set-pin` at their terminal")));
                PinState::Lost(why)
            }
            (Ok(None), _) => PinState::Unset,
            (Err(why), _) => {
                events.push(pin_event("lost", None, format!("PIN LOST: {why}; approvals are refused until a human sets a new PIN with `kintsugi admin set-pin` at their terminal")));
                PinState::Lost(why)
            }
        };
        let failures = std::fs::read(data_dir.join(PIN_LOCKOUT_FILE))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        let guard = PinGuard {
            data_dir: data_dir.to_path_buf(),
            state: Mutex::new(state),
            failures: Mutex::new(failures),
            one_at_a_time: tokio::sync::Mutex::new(()),
        };
        (guard, events)
    }

    fn lock_state(&self) -> MutexGuard<'_, PinState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The state now.
    pub fn state(&self) -> PinState {
        self.lock_state().clone()
    }

    /// `set`, `unset` or `lost: why` (for `status`).
    pub fn describe(&self) -> String {
        match &*self.lock_state() {
            PinState::Unset => "unset".into(),
            PinState::Set(_) => "set".into(),
            PinState::Lost(why) => format!("lost: {why}"),
        }
    }

    fn save_failures(&self, f: &Failures) {
        let bytes = serde_json::to_vec(f).expect("serializes");
        let _ = write_private(&self.data_dir.join(PIN_LOCKOUT_FILE), &bytes);
    }

    /// Check `pin` against the PIN held, counting wrong ones.
    pub async fn check(&self, pin: &str) -> PinCheck {
        let _turn = self.one_at_a_time.lock().await;
        let file = match self.state() {
            PinState::Set(f) => f,
            PinState::Unset => {
                return PinCheck::Refused(
                    "a PIN was given, but no approval PIN is set (`kintsugi admin set-pin` sets one)"
                        .into(),
                );
            }
            PinState::Lost(why) => {
                return PinCheck::Refused(format!(
                    "the approval PIN is lost ({why}); set a new one with `kintsugi admin set-pin` at your terminal"
                ));
            }
        };
        let now = kintsugi_vault::lockout::unix_now();
        {
            let f = self.failures.lock().unwrap_or_else(|p| p.into_inner());
            if f.locked_until > now {
                return PinCheck::Refused(format!(
                    "locked out after {} wrong approval PINs; try again in {} s",
                    f.count,
                    f.locked_until - now
                ));
            }
        }
        let owned = pin.to_string();
        let verdict = tokio::task::spawn_blocking(move || pin_matches(&file, &owned))
            .await
            .unwrap_or_else(|e| Err(format!("the PIN check failed: {e}")));
        let mut f = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        match verdict {
            Ok(true) => {
                if f.count > 0 {
                    *f = Failures::default();
                    self.save_failures(&f);
                }
                PinCheck::Right
            }
            Ok(false) => {
                f.count = f.count.saturating_add(1);
                let mut why = format!("wrong approval PIN ({} in a row)", f.count);
                if f.count >= PIN_MAX_FAILURES {
                    f.locked_until = now + PIN_LOCKOUT_SECS;
                    why.push_str(&format!(
                        "; locked out: every PIN is refused for {PIN_LOCKOUT_SECS} s"
                    ));
                }
                self.save_failures(&f);
                PinCheck::Wrong(why)
            }
            Err(e) => PinCheck::Refused(e),
        }
    }

    /// Replace the PIN (`None`: clear it), write the file, and return the
    /// event to record. The caller has checked who asks.
    pub async fn replace(&self, new: Option<&str>) -> Result<NewEvent, String> {
        let _turn = self.one_at_a_time.lock().await;
        let event = match new {
            Some(pin) => {
                let owned = pin.to_string();
                let file = tokio::task::spawn_blocking(move || hash_pin(&owned))
                    .await
                    .map_err(|e| format!("hashing the PIN failed: {e}"))??;
                write_pin_file(&self.data_dir, &file)?;
                let fp = fingerprint(&file);
                *self.lock_state() = PinState::Set(file);
                pin_event(
                    "set",
                    Some(&fp),
                    "a human set the approval PIN; approvals now need it".into(),
                )
            }
            None => {
                match std::fs::remove_file(self.data_dir.join(PIN_FILE)) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(format!("cannot remove {PIN_FILE}: {e}")),
                }
                *self.lock_state() = PinState::Unset;
                pin_event(
                    "cleared",
                    None,
                    "a human cleared the approval PIN; approvals rest on the terminal test again"
                        .into(),
                )
            }
        };
        *self.failures.lock().unwrap_or_else(|p| p.into_inner()) = Failures::default();
        let _ = std::fs::remove_file(self.data_dir.join(PIN_LOCKOUT_FILE));
        Ok(event)
    }
}

/// The event recording a PIN `what` (`set`, `cleared`, `lost`).
pub(crate) fn pin_event(what: &str, fp: Option<&str>, reason: String) -> NewEvent {
    let mut e = daemon_event(PIN_KIND, format!("{PIN_KIND} {what}"), reason);
    e.detail = Some(serde_json::json!({ "state": what, "fingerprint": fp }).to_string());
    e
}

struct Recorded {
    seq: u64,
    /// The fingerprint when the newest event set a PIN; `None` after a clear.
    fingerprint: Option<String>,
}

/// The newest `set` or `cleared` [`PIN_KIND`] event of the ledger.
fn last_recorded(data_dir: &Path) -> Option<Recorded> {
    let conn = kintsugi_ledger::open_read_only(&data_dir.join(kintsugi_ledger::DB_FILE)).ok()?;
    let filter = kintsugi_ledger::Filter {
        kind: Some(PIN_KIND.into()),
        limit: 50,
        ..Default::default()
    };
    kintsugi_ledger::query(&conn, &filter)
        .ok()?
        .into_iter()
        .find_map(|e| {
            let d: serde_json::Value = serde_json::from_str(e.body.detail.as_deref()?).ok()?;
            match d["state"].as_str()? {
                "set" => Some(Recorded {
                    seq: e.seq,
                    fingerprint: d["fingerprint"].as_str().map(String::from),
                }),
                "cleared" => Some(Recorded {
                    seq: e.seq,
                    fingerprint: None,
                }),
                _ => None,
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_pins_are_checked_for_length_and_control_characters() {
        assert!(check_new_pin("12345").is_err());
        assert!(check_new_pin("123456").is_ok());
        assert!(check_new_pin("12\n3456").is_err());
        assert!(check_new_pin(&"9".repeat(MAX_PIN_LEN + 1)).is_err());
    }

    #[test]
    fn a_hashed_pin_matches_itself_only() {
        let f = hash_pin("271828").unwrap();
        assert!(pin_matches(&f, "271828").unwrap());
        assert!(!pin_matches(&f, "271829").unwrap());
        assert_ne!(f.hash, hash_pin("271828").unwrap().hash, "salted");
    }

    #[tokio::test]
    async fn wrong_pins_lock_out_and_the_lockout_survives_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        write_pin_file(dir.path(), &hash_pin("314159").unwrap()).unwrap();
        let (g, _) = PinGuard::load(dir.path());
        for i in 1..PIN_MAX_FAILURES {
            assert!(
                matches!(g.check("000000").await, PinCheck::Wrong(ref w) if !w.contains("locked")),
                "{i}"
            );
        }
        assert!(matches!(g.check("000000").await, PinCheck::Wrong(w) if w.contains("locked out")));
        // Now even the right PIN is refused, before any hashing.
        assert!(
            matches!(g.check("314159").await, PinCheck::Refused(w) if w.contains("locked out"))
        );
        let (again, _) = PinGuard::load(dir.path());
        assert!(
            matches!(again.check("314159").await, PinCheck::Refused(w) if w.contains("locked out"))
        );
    }

    #[tokio::test]
    async fn the_right_pin_passes_and_clearing_unsets_it() {
        let dir = tempfile::tempdir().unwrap();
        let (g, events) = PinGuard::load(dir.path());
        assert!(events.is_empty());
        assert_eq!(g.state(), PinState::Unset);
        assert!(matches!(g.check("314159").await, PinCheck::Refused(_)));
        g.replace(Some("314159")).await.unwrap();
        assert_eq!(g.check("314159").await, PinCheck::Right);
        assert!(dir.path().join(PIN_FILE).exists());
        g.replace(None).await.unwrap();
        assert_eq!(g.state(), PinState::Unset);
        assert!(!dir.path().join(PIN_FILE).exists());
    }
}
