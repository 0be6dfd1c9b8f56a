//! Deciding without a running daemon, for `kintsugi replay`: the daemon's
//! rule steps ([`by_rules`](crate::verdict::by_rules)) over the config and the
//! remembered decisions on disk, with the heuristic scorer only (a local
//! model may only escalate, so a replay can under-count holds it would add,
//! never over-count). Nothing is recorded, queued or run.

use crate::config::{Config, Mode};
use crate::engine::Engine;
use crate::memory::Memory;
use crate::policy::Projects;
use crate::scorer::Heuristic;
use crate::verdict::{Decided, by_rules};
use kintsugi_protocol::ProposedCommand;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

/// The decision engine of a daemon that is not running.
pub struct OfflineEngine {
    engine: Engine,
}

impl OfflineEngine {
    /// An engine for `config` in `mode`, with `home` as the daemon's home
    /// and the remembered decisions of `data_dir` (a damaged memory file is
    /// an error, as it is for the daemon). The kill switch is off.
    pub fn new(
        mut config: Config,
        mode: Mode,
        home: PathBuf,
        data_dir: &Path,
    ) -> Result<OfflineEngine, String> {
        config.mode = mode;
        // Replay never loads a model: heuristic only (see the module doc).
        config.model = Default::default();
        let memory = Memory::load(data_dir)?;
        Ok(OfflineEngine {
            engine: Engine {
                model: crate::model::Slot::new(&config.model),
                config,
                home,
                projects: Projects::default(),
                memory,
                scorer: Box::new(Heuristic),
                panic: AtomicBool::new(false),
                mode_now: Default::default(),
            },
        })
    }

    /// The verdict the daemon would give `cmd` now.
    pub async fn replay(&self, cmd: &ProposedCommand) -> Decided {
        by_rules(&self.engine, cmd).await
    }

    /// The project a command run in `cwd` belongs to: its root (the nearest
    /// ancestor holding `.git`), else `cwd` itself.
    pub fn project_of(&self, cwd: &Path) -> PathBuf {
        self.engine.repo_of(cwd)
    }
}

/// `cmd` as the daemon stores it (secrets in `raw` and `argv` replaced by
/// the redaction marker), and `reason` scrubbed as the daemon scrubs a
/// verdict's sentence: redacted, then cleared of the command's own secret
/// values.
pub fn scrubbed(cmd: ProposedCommand, reason: String) -> (ProposedCommand, String) {
    let secrets = crate::scrub::Secrets::of(&cmd);
    (crate::scrub::command(cmd), secrets.text(reason))
}
