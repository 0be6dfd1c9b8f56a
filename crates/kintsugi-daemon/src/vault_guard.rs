//! The daemon's side of the admin vault. The vault is read ONCE at
//! start-up and held in memory: editing, replacing or deleting the file
//! while the daemon runs changes nothing (the next authenticated operation
//! notices, records it, and writes the held copy back). A vault that
//! vanished or fails its MAC at start-up, where one was provisioned,
//! is a recorded degraded state that refuses every privileged operation.
//! Every vault the daemon holds is also recorded on the signed ledger as a
//! [`PROVISIONED_KIND`] event, so erasing both vault files (which also
//! erases the `vault.provisioned` marker) still starts the daemon degraded.
//!
//! Every proof attempt, accepted or refused, is a ledger event. Failures
//! feed a persisted lockout (see `kintsugi_vault::lockout`).

use crate::config::Mode;
use crate::engine::Engine;
use crate::events::daemon_event;
use crate::peer::Peer;
use kintsugi_ledger::NewEvent;
use kintsugi_vault::lockout::unix_now;
use kintsugi_vault::store::{self, OnDisk, marker_fingerprint};
use kintsugi_vault::{Challenges, Lockout, REPLACED_FILE, Vault, crypto, fingerprint};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::{Mutex, MutexGuard};

/// How strict a mode is.
pub fn rank(m: Mode) -> u8 {
    match m {
        Mode::Notify => 0,
        Mode::Attended => 1,
        Mode::Unattended => 2,
    }
}

fn from_rank(r: u8) -> Mode {
    match r {
        0 => Mode::Notify,
        1 => Mode::Attended,
        _ => Mode::Unattended,
    }
}

/// A mode word, or `None`.
pub fn parse_mode(word: &str) -> Option<Mode> {
    match word {
        "notify" => Some(Mode::Notify),
        "attended" => Some(Mode::Attended),
        "unattended" => Some(Mode::Unattended),
        _ => None,
    }
}

/// The mode `Engine::mode_now` stands for (0: the config's).
pub fn mode_of(cell: u8, config: Mode) -> Mode {
    if cell == 0 {
        config
    } else {
        from_rank(cell - 1)
    }
}

/// What the daemon holds.
pub(crate) enum Held {
    Unlocked,
    Locked { vault: Box<Vault>, fp: String },
    Degraded(String),
}

pub(crate) struct Inner {
    pub(crate) held: Held,
    pub(crate) challenges: Challenges,
    pub(crate) lockout: Lockout,
    pub(crate) runtime_mode: Option<Mode>,
    /// A start-up finding `status` keeps showing.
    pub(crate) warning: Option<String>,
}

/// The admin state shared by every connection.
pub struct Guard {
    pub(crate) data_dir: PathBuf,
    inner: Mutex<Inner>,
}

/// How a privileged request got through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// No vault: nothing to prove.
    Open,
    /// A valid proof.
    Proven,
}

pub(crate) fn admin_event(
    peer: Option<Peer>,
    op: &str,
    reason: String,
    allowed: Option<bool>,
) -> NewEvent {
    let mut e = daemon_event("admin", op.to_string(), reason);
    if let Some(p) = peer {
        e.agent = "cli".into();
        e.peer_pid = p.pid;
        e.peer_uid = Some(p.uid);
    }
    e.decision = allowed.map(|a| if a { "allow" } else { "deny" }.to_string());
    e
}

pub(crate) fn degraded_message(why: &str) -> String {
    format!(
        "the admin vault is degraded ({why}); every privileged operation is refused until it is restored: \
         put the vault.json backup back, or stop the daemon by signal and run `kintsugi admin provision --replace` (docs/ADMIN.md)"
    )
}

impl Guard {
    /// Read the vault in `data_dir` at start-up; the events say what was found.
    pub fn load(data_dir: &Path) -> (Guard, Vec<NewEvent>) {
        let mut events = Vec::new();
        let recorded = last_provisioned(data_dir);
        let mut warning = None;
        let held = match store::load(data_dir) {
            OnDisk::Never => match &recorded {
                Some(r) => Held::Degraded(format!(
                    "vault.json and vault.provisioned are missing, but the ledger records that an admin vault was provisioned (event {}, fingerprint {})",
                    r.seq,
                    short(&r.fingerprint)
                )),
                None => Held::Unlocked,
            },
            OnDisk::Present(vault, bytes) => {
                let fp = fingerprint(&bytes);
                match marker_fingerprint(data_dir) {
                    Some(m) if m != fp => events.push(admin_event(None, "vault", format!(
                        "vault.json is not the vault Kintsugi last installed (fingerprint {fp}, expected {m}): it was replaced outside Kintsugi; loaded because its MAC checks"
                    ), None)),
                    Some(_) => {}
                    None => {
                        let _ = store::write_private(
                            &data_dir.join(kintsugi_vault::MARKER_FILE),
                            format!("{fp}\n").as_bytes(),
                        );
                    }
                }
                let replaced = data_dir.join(REPLACED_FILE);
                if replaced.exists() {
                    let when = std::fs::read_to_string(&replaced).unwrap_or_default();
                    events.push(admin_event(None, "vault", format!(
                        "the admin vault was re-provisioned with `admin provision --replace` while no daemon ran ({})",
                        when.trim()
                    ), None));
                    let _ = std::fs::remove_file(&replaced);
                }
                events.push(admin_event(None, "vault", format!(
                    "admin vault loaded (fingerprint {fp}); privileged operations need the password"
                ), None));
                match &recorded {
                    Some(r) if r.fingerprint == fp => {}
                    Some(r) => {
                        let w = format!(
                            "the admin vault (fingerprint {}) is not the one the ledger last recorded as provisioned ({}, event {}): it was re-provisioned or replaced; if nobody you trust did that, treat the vault as compromised (docs/ADMIN.md)",
                            short(&fp),
                            short(&r.fingerprint),
                            r.seq
                        );
                        events.push(admin_event(None, "vault", w.clone(), None));
                        warning = Some(w);
                        events.push(provisioned_event(&fp));
                    }
                    None => events.push(provisioned_event(&fp)),
                }
                Held::Locked { vault, fp }
            }
            OnDisk::Missing => Held::Degraded(
                "vault.json is missing although vault.provisioned says a vault was provisioned"
                    .into(),
            ),
            OnDisk::Corrupt(why) => Held::Degraded(why),
        };
        if let Held::Degraded(why) = &held {
            events.push(admin_event(
                None,
                "vault",
                format!(
                    "DEGRADED: {}; running at least `attended` and refusing privileged operations",
                    degraded_message(why)
                ),
                None,
            ));
        }
        let inner = Inner {
            held,
            warning,
            challenges: Challenges::default(),
            lockout: Lockout::load(data_dir),
            runtime_mode: None,
        };
        let guard = Guard {
            data_dir: data_dir.to_path_buf(),
            inner: Mutex::new(inner),
        };
        (guard, events)
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `unlocked`, `locked` or `degraded: why` (for `status`).
    pub fn describe(&self) -> String {
        match &self.lock().held {
            Held::Unlocked => "unlocked".into(),
            Held::Locked { .. } => "locked".into(),
            Held::Degraded(why) => format!("degraded: {why}"),
        }
    }

    /// What `status` should warn about: a missing or damaged vault, or one
    /// that is not the vault the ledger last recorded.
    pub fn warning(&self) -> Option<String> {
        let inner = self.lock();
        match &inner.held {
            Held::Degraded(why) => Some(degraded_message(why)),
            _ => inner.warning.clone(),
        }
    }

    /// Does approving a held command need the password?
    pub fn approvals_need_password(&self) -> bool {
        match &self.lock().held {
            Held::Locked { vault, .. } => vault.settings.approvals_need_password,
            _ => false,
        }
    }

    /// Put the mode in force into the engine: the runtime mode (or the
    /// config's), raised to the vault's floor.
    pub fn apply_mode(&self, engine: &Engine) {
        let inner = self.lock();
        let floor = match &inner.held {
            Held::Unlocked => None,
            Held::Locked { vault, .. } => vault.settings.mode_floor.as_deref().and_then(parse_mode),
            Held::Degraded(_) => Some(Mode::Attended),
        };
        let base = inner.runtime_mode.unwrap_or(engine.config.mode);
        let eff = match floor {
            Some(f) if rank(f) > rank(base) => f,
            _ => base,
        };
        engine.mode_now.store(rank(eff) + 1, Ordering::SeqCst);
    }

    /// Adopt a vault provisioned while this daemon ran unlocked (that only
    /// tightens). Returns the events to record.
    pub(crate) fn adopt_if_unlocked(&self) -> Vec<NewEvent> {
        let mut inner = self.lock();
        if !matches!(inner.held, Held::Unlocked) {
            return Vec::new();
        }
        let OnDisk::Present(vault, bytes) = store::load(&self.data_dir) else {
            return Vec::new();
        };
        let fp = fingerprint(&bytes);
        inner.held = Held::Locked {
            vault,
            fp: fp.clone(),
        };
        vec![
            admin_event(
                None,
                "vault",
                format!("admin vault provisioned while the daemon ran; adopted (fingerprint {fp})"),
                None,
            ),
            provisioned_event(&fp),
        ]
    }

    /// A proof attempt, decided under the lock. Err carries the refusal and
    /// whether it was a failed guess; Ok carries notes to record.
    pub(crate) fn check(
        &self,
        op: &str,
        nonce: &str,
        proof: &str,
    ) -> Result<(Gate, Vec<String>), String> {
        let mut inner = self.lock();
        let inner = &mut *inner;
        let (vault, fp) = match &inner.held {
            Held::Unlocked => return Ok((Gate::Open, Vec::new())),
            Held::Degraded(why) => return Err(degraded_message(why)),
            Held::Locked { vault, fp } => (vault.clone(), fp.clone()),
        };
        let now = unix_now();
        let wait = inner.lockout.wait_secs(now);
        if wait > 0 {
            return Err(format!(
                "locked out after {} failed attempts; try again in {wait} s",
                inner.lockout.failures
            ));
        }
        if nonce.is_empty() || proof.is_empty() {
            return Err(format!(
                "this daemon is locked by an admin password: `{op}` needs a proof (the CLI asks for the password; `--password-file F` reads it from a file)"
            ));
        }
        let key = if op == "recover" {
            vault.recovery_key()
        } else {
            vault.auth_key()
        };
        let key = key.map_err(|e| e.to_string())?;
        let verdict = inner
            .challenges
            .take(nonce, op)
            .map_err(|e| e.to_string())
            .and_then(|()| {
                crypto::verify_proof(&key, nonce, op, proof)
                    .then_some(())
                    .ok_or_else(|| "wrong password: the proof does not match".to_string())
            });
        if let Err(why) = verdict {
            let _ = inner.lockout.fail(now);
            return Err(format!(
                "{why} ({} failed attempts in a row)",
                inner.lockout.failures
            ));
        }
        let _ = inner.lockout.succeed();
        let mut notes = Vec::new();
        let path = self.data_dir.join(kintsugi_vault::VAULT_FILE);
        let on_disk = std::fs::read(&path).ok().map(|b| fingerprint(&b));
        if on_disk.as_deref() != Some(fp.as_str()) {
            let what = on_disk.map_or("deleted".to_string(), |d| {
                format!("changed (fingerprint {d})")
            });
            let restored = store::install(&self.data_dir, &vault)
                .map(|_| "rewrote it from the copy held in memory".to_string());
            notes.push(format!(
                "vault.json was {what} while the daemon ran; ignored; {}",
                restored.unwrap_or_else(|e| format!("could not restore it: {e}"))
            ));
        }
        Ok((Gate::Proven, notes))
    }
}

/// The ledger event kind that records a provisioned admin vault.
pub const PROVISIONED_KIND: &str = "vault-provisioned";

/// The newest provisioning the ledger records.
pub(crate) struct Recorded {
    pub(crate) seq: u64,
    pub(crate) fingerprint: String,
}

fn short(fp: &str) -> &str {
    &fp[..fp.len().min(16)]
}

/// The event that records vault `fp` as provisioned.
pub(crate) fn provisioned_event(fp: &str) -> NewEvent {
    let mut e = daemon_event(
        PROVISIONED_KIND,
        PROVISIONED_KIND.to_string(),
        format!(
            "an admin vault is provisioned (fingerprint {fp}); a daemon that later finds no vault starts degraded, not unlocked"
        ),
    );
    e.detail = Some(serde_json::json!({ "fingerprint": fp }).to_string());
    e
}

/// The newest [`PROVISIONED_KIND`] event in the data dir's ledger, if any.
/// A ledger that cannot be read counts as none (the writer, which opened it
/// first, would have failed the start already).
fn last_provisioned(data_dir: &Path) -> Option<Recorded> {
    let conn = kintsugi_ledger::open_read_only(&data_dir.join(kintsugi_ledger::DB_FILE)).ok()?;
    let filter = kintsugi_ledger::Filter {
        kind: Some(PROVISIONED_KIND.into()),
        limit: 1,
        ..Default::default()
    };
    let e = kintsugi_ledger::query(&conn, &filter)
        .ok()?
        .into_iter()
        .next()?;
    let detail: serde_json::Value = serde_json::from_str(e.body.detail.as_deref()?).ok()?;
    Some(Recorded {
        seq: e.seq,
        fingerprint: detail["fingerprint"].as_str()?.to_string(),
    })
}
