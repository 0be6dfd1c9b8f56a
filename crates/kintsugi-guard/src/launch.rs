//! The agent's own start-up through a script launcher.
//!
//! npm installs agent CLIs as a script launcher: `codex` is
//! `node_modules/@openai/codex/bin/codex.js`, starting `#!/usr/bin/env
//! node`, which starts the package's native binary with the same arguments
//! (as a child, or by replacing itself with `execve`). The human typed the
//! launcher's command, so these steps are the agent starting, not commands
//! of the agent, and continue unasked:
//!
//! 1. **the interpreter chain**: the agent's process (the root) executing
//!    an interpreter whose arguments end with the launcher's own path and
//!    the agent's arguments (`env` running `node /usr/bin/codex exec …`);
//! 2. **the hand-off**: the root, or a direct child of it, executing a
//!    program inside the launcher's `node_modules` tree with exactly the
//!    agent's arguments. That program then counts as the agent itself (its
//!    `/proc/self/exe` re-runs are the agent's, as for a native agent).
//!
//! Both pass no allowance on: what the agent then runs is judged as its own
//! top-level commands. Both hold only while the launch is still under way:
//! the first exec that is neither ends it for good (the hand-off itself
//! ends it too), so a prompt-injected agent, which exists only after the
//! hand-off, cannot use either. An agent whose first program is not a
//! `#!` script never arms them.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A file's device and inode.
pub(crate) type FileId = (u64, u64);

/// What the supervisor knows of the agent's start.
pub(crate) struct Launch {
    /// The agent's process.
    pub root: u32,
    state: Mutex<State>,
}

struct State {
    /// Files that are the agent itself (its first program; a launcher's
    /// native binary once handed off).
    agent: Vec<FileId>,
    /// The launcher while its launch is under way.
    launcher: Option<Launcher>,
}

/// A script launcher the agent was started as.
struct Launcher {
    /// The path the first exec named (what an interpreter is handed).
    path: String,
    /// The agent's arguments (argv\[1..\] of the first exec).
    args: Vec<String>,
    /// The `node_modules` directory the launcher's real file is in.
    modules: PathBuf,
}

/// Why an exec continues unasked as part of the agent's start.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Start {
    /// The agent re-running its own program (`/proc/self/exe`).
    SelfExe,
    /// The launcher's interpreter starting.
    Interpreter,
    /// The launcher handing off to its native binary.
    HandOff,
}

/// One exec, as the start-up rules look at it.
pub(crate) struct Exec<'a> {
    /// The calling process and its parent.
    pub pid: u32,
    pub ppid: Option<u32>,
    /// The path the exec named, as given.
    pub path: &'a str,
    /// The program, made absolute.
    pub program: &'a str,
    pub argv: &'a [String],
}

impl Launch {
    /// The agent started as process `root` by the first exec (`path` as
    /// given, `program` made absolute, its `argv`).
    pub fn new(root: u32, path: &str, program: &str, argv: &[String]) -> Launch {
        let real = std::fs::canonicalize(program).ok();
        let launcher = real.as_deref().filter(|r| is_script(r)).and_then(|r| {
            Some(Launcher {
                path: path.to_string(),
                args: argv.get(1..).unwrap_or_default().to_vec(),
                modules: r
                    .ancestors()
                    .find(|d| d.file_name().is_some_and(|n| n == "node_modules"))?
                    .to_path_buf(),
            })
        });
        Launch {
            root,
            state: Mutex::new(State {
                agent: file_id(program).into_iter().collect(),
                launcher,
            }),
        }
    }

    /// Is `e` part of the agent's start? Any other exec ends the launch.
    pub fn start(&self, e: &Exec) -> Option<Start> {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if is_self_exe(e.path) && file_id(e.program).is_some_and(|id| s.agent.contains(&id)) {
            return Some(Start::SelfExe);
        }
        let l = s.launcher.as_ref()?;
        let by_root = e.pid == self.root;
        let tail = e.argv.len().checked_sub(l.args.len() + 1);
        if by_root
            && tail.is_some_and(|t| t > 0 && e.argv[t] == l.path && e.argv[t + 1..] == l.args[..])
        {
            return Some(Start::Interpreter);
        }
        let in_modules = std::fs::canonicalize(e.program).is_ok_and(|p| p.starts_with(&l.modules));
        let hand_off = (by_root || e.ppid == Some(self.root))
            && in_modules
            && e.argv.get(1..).is_some_and(|a| a == l.args);
        s.launcher = None;
        if !hand_off {
            return None;
        }
        s.agent.extend(file_id(e.program));
        Some(Start::HandOff)
    }
}

/// Does `path` name the caller's own program?
pub(crate) fn is_self_exe(path: &str) -> bool {
    path == "/proc/self/exe" || path == "/proc/thread-self/exe"
}

/// A file's device and inode (`None` when it cannot be looked at).
pub(crate) fn file_id(path: &str) -> Option<FileId> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(path).ok()?;
    Some((m.dev(), m.ino()))
}

/// Does the regular file at `path` start with `#!`?
fn is_script(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 2];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && head == *b"#!"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    /// A launcher in `node_modules/pkg/bin/cli.js` and a native binary in
    /// `node_modules/pkg-native/bin/cli`, as npm lays them out.
    fn layout() -> (tempfile::TempDir, String, String) {
        let dir = tempfile::tempdir().unwrap();
        let m = dir.path().join("node_modules");
        std::fs::create_dir_all(m.join("pkg/bin")).unwrap();
        std::fs::create_dir_all(m.join("pkg-native/bin")).unwrap();
        let script = m.join("pkg/bin/cli.js");
        std::fs::write(&script, "#!/usr/bin/env node\n").unwrap();
        let native = m.join("pkg-native/bin/cli");
        std::fs::write(&native, "\x7fELF").unwrap();
        let p = |x: &Path| x.display().to_string();
        (dir, p(&script), p(&native))
    }

    fn exec<'a>(pid: u32, ppid: u32, path: &'a str, argv: &'a [String]) -> Exec<'a> {
        Exec {
            pid,
            ppid: Some(ppid),
            path,
            program: path,
            argv,
        }
    }

    #[test]
    fn an_npm_launcher_starts_unasked_then_the_launch_is_over() {
        let (_d, script, native) = layout();
        let l = Launch::new(10, &script, &script, &s(&[&script, "exec", "go"]));
        let node = s(&["node", &script, "exec", "go"]);
        assert_eq!(
            l.start(&exec(10, 1, "/usr/bin/node", &node)),
            Some(Start::Interpreter)
        );
        let handed = s(&[&native, "exec", "go"]);
        assert_eq!(
            l.start(&exec(11, 10, &native, &handed)),
            Some(Start::HandOff)
        );
        // The native binary is the agent now: its self re-runs are its own.
        let me = Exec {
            program: &native,
            ..exec(12, 11, "/proc/self/exe", &handed)
        };
        assert_eq!(l.start(&me), Some(Start::SelfExe));
        // The launch is over: the same hand-off again is the agent's command.
        assert_eq!(l.start(&exec(13, 10, &native, &handed)), None);
        assert_eq!(l.start(&exec(10, 1, "/usr/bin/node", &node)), None);
    }

    #[test]
    fn only_the_exact_hand_off_of_the_root_counts() {
        let (_d, script, native) = layout();
        let argv = s(&[&script, "exec", "go"]);
        let other_args = s(&[&native, "exec", "rm -rf ~"]);
        let l = Launch::new(10, &script, &script, &argv);
        assert_eq!(l.start(&exec(11, 10, &native, &other_args)), None);
        let l = Launch::new(10, &script, &script, &argv);
        let grandchild = s(&[&native, "exec", "go"]);
        assert_eq!(l.start(&exec(12, 11, &native, &grandchild)), None);
        let l = Launch::new(10, &script, &script, &argv);
        let outside = s(&["/bin/rm", "exec", "go"]);
        assert_eq!(l.start(&exec(11, 10, "/bin/rm", &outside)), None);
        // Not by the root: an interpreter chain elsewhere is judged.
        let l = Launch::new(10, &script, &script, &argv);
        let node = s(&["node", &script, "exec", "go"]);
        assert_eq!(l.start(&exec(11, 10, "/usr/bin/node", &node)), None);
    }

    #[test]
    fn a_native_agent_never_arms_the_launcher_rules() {
        let (_d, _script, native) = layout();
        let argv = s(&[&native, "x"]);
        let l = Launch::new(10, &native, &native, &argv);
        assert_eq!(l.start(&exec(11, 10, &native, &argv)), None);
        let me = Exec {
            program: &native,
            ..exec(12, 10, "/proc/self/exe", &argv)
        };
        assert_eq!(l.start(&me), Some(Start::SelfExe));
    }
}
