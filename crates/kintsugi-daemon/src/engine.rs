//! The rule engine: everything the rule steps of a verdict consult (the
//! config, the projects' policy files, the remembered decisions, the
//! scorer, the local model, the kill switch and the mode in force), and the
//! classification of a command in its project context. The steps
//! themselves, in order, are in `verdict.rs`.

use crate::config::{Config, Mode};
use crate::memory::Memory;
use crate::policy::Projects;
use crate::scorer::Scorer;
use kintsugi_classify::{Analysis, Context, analyze_with_files};
use kintsugi_protocol::{Class, ProposedCommand, argv_to_line};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// Map the classifier's class to the wire class.
pub fn wire_class(c: kintsugi_classify::Class) -> Class {
    match c {
        kintsugi_classify::Class::Safe => Class::Safe,
        kintsugi_classify::Class::Ambiguous => Class::Ambiguous,
        kintsugi_classify::Class::Catastrophic => Class::Catastrophic,
    }
}

/// The analysis context of a command.
pub fn context(cmd: &ProposedCommand, home: &Path, project_root: Option<PathBuf>) -> Context {
    Context {
        cwd: PathBuf::from(&cmd.cwd),
        home: home.to_path_buf(),
        project_root,
    }
}

/// Classify `cmd` as it would run in `ctx`. A command with no raw line is
/// analysed from its argv, quoted.
pub fn classify(cmd: &ProposedCommand, ctx: &Context) -> Analysis {
    let read = |p: &str| crate::script_files::read_script(p);
    if cmd.raw.trim().is_empty() && !cmd.argv.is_empty() {
        return analyze_with_files(&argv_to_line(&cmd.argv), ctx, &read);
    }
    analyze_with_files(&cmd.raw, ctx, &read)
}

/// Everything the engine consults.
pub struct Engine {
    pub config: Config,
    pub home: PathBuf,
    pub projects: Projects,
    pub memory: Memory,
    pub scorer: Box<dyn Scorer>,
    /// The local model, when one is loaded, or why not.
    pub model: crate::model::Slot,
    pub panic: AtomicBool,
    /// The mode in force when it differs from the config's: set by the
    /// admin vault's floor or a `setmode` (0 = follow the config; else
    /// 1 + the rank of the mode, see `vault_guard`).
    pub mode_now: std::sync::atomic::AtomicU8,
}

impl Engine {
    /// The mode decisions follow now.
    pub fn mode(&self) -> Mode {
        crate::vault_guard::mode_of(self.mode_now.load(Ordering::SeqCst), self.config.mode)
    }

    /// Is the kill switch on?
    pub fn panicked(&self) -> bool {
        self.panic.load(Ordering::SeqCst)
    }

    /// The repository memory keys on: the project root of `cwd`, else `cwd`.
    pub fn repo_of(&self, cwd: &Path) -> PathBuf {
        self.projects
            .for_cwd(cwd)
            .root
            .unwrap_or_else(|| cwd.to_path_buf())
    }

    /// Classify a command with its project context.
    pub fn classify(&self, cmd: &ProposedCommand) -> Analysis {
        let project = self.projects.for_cwd(Path::new(&cmd.cwd));
        classify(cmd, &context(cmd, &self.home, project.root))
    }

    /// The scorer `status` names: the model when one is loaded.
    pub fn scorer_name(&self) -> String {
        match self.model.scorer() {
            Some(m) => m.name().to_string(),
            None => self.scorer.name(),
        }
    }
}
