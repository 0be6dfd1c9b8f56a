//! The architecture, checked: which crate of ours may depend on which (the
//! data path of ARCHITECTURE.md), which outside crates the interception
//! crate may not name, which files of the binary may reach into the daemon
//! crate, that the binary holds only the CLI, and how long a source file
//! may grow. Reads the tree as text; nothing is built or run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The longest a `.rs` file under a `src/` may be, inline tests included
/// (long tests go to `tests.rs` or `tests/`, large tables to data files).
const MAX_SOURCE_LINES: usize = 800;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Each crate of ours → the crates of ours its `[dependencies]` name.
fn our_dependencies() -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(workspace().join("crates")).unwrap() {
        let manifest = entry.unwrap().path().join("Cargo.toml");
        let Ok(text) = std::fs::read_to_string(&manifest) else {
            continue;
        };
        let doc: toml::Table = text.parse().unwrap();
        let name = doc["package"]["name"].as_str().unwrap().to_string();
        let deps = doc
            .get("dependencies")
            .and_then(|d| d.as_table())
            .map(|t| {
                t.keys()
                    .filter(|k| k.starts_with("kintsugi"))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        out.insert(name, deps);
    }
    out
}

/// What each crate may depend on among ours. A crate missing here fails the
/// test: a new crate states its place on the data path when it is added.
fn allowed(name: &str) -> Option<&'static [&'static str]> {
    Some(match name {
        "kintsugi-protocol" | "kintsugi-classify" | "kintsugi-ledger" | "kintsugi-model"
        | "kintsugi-guard" => &[],
        "kintsugi-snapshot" => &["kintsugi-classify"],
        "kintsugi-vault" => &["kintsugi-protocol"],
        "kintsugi-fleet" => &["kintsugi-ledger"],
        "kintsugi-ledger-wire" => &["kintsugi-protocol", "kintsugi-ledger"],
        "kintsugi-config" => &["kintsugi-ledger", "kintsugi-fleet"],
        "kintsugi-intercept" => &["kintsugi-protocol", "kintsugi-classify", "kintsugi-config"],
        "kintsugi-mcp" => &[
            "kintsugi-protocol",
            "kintsugi-classify",
            "kintsugi-intercept",
        ],
        "kintsugi-watch" => &["kintsugi-protocol", "kintsugi-config", "kintsugi-snapshot"],
        "kintsugi-tui" | "kintsugi-web" => &[
            "kintsugi-protocol",
            "kintsugi-ledger",
            "kintsugi-ledger-wire",
            "kintsugi-snapshot",
        ],
        "kintsugi-daemon" => &[
            "kintsugi-protocol",
            "kintsugi-config",
            "kintsugi-classify",
            "kintsugi-ledger",
            "kintsugi-ledger-wire",
            "kintsugi-snapshot",
            "kintsugi-vault",
            "kintsugi-fleet",
            "kintsugi-model",
        ],
        // The binary wires everything together.
        "kintsugi" => return None,
        _ => return Some(&["<unlisted crate: add it to tests/architecture.rs>"]),
    })
}

#[test]
fn crates_depend_only_along_the_data_path() {
    let deps = our_dependencies();
    assert!(deps.len() >= 10, "found only {deps:?}");
    let mut wrong = Vec::new();
    for (name, ours) in &deps {
        let Some(ok) = allowed(name) else { continue };
        for d in ours {
            if !ok.contains(&d.as_str()) {
                wrong.push(format!("{name} depends on {d} (allowed: {ok:?})"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "forbidden dependencies:\n{}",
        wrong.join("\n")
    );
}

/// Outside crates the interception crate must not name: its hooks are
/// short-lived blocking processes (no async runtime, no storage, no file
/// watching). The MCP server and the watcher, which need them, are crates
/// of their own.
const NOT_IN_INTERCEPT: &[&str] = &["tokio", "rmcp", "notify", "rusqlite"];

#[test]
fn interception_stays_blocking_and_storage_free() {
    let text =
        std::fs::read_to_string(workspace().join("crates/kintsugi-intercept/Cargo.toml")).unwrap();
    let doc: toml::Table = text.parse().unwrap();
    let deps = doc["dependencies"].as_table().unwrap();
    assert!(deps.contains_key("kintsugi-protocol"), "read {deps:?}");
    let named: Vec<&str> = NOT_IN_INTERCEPT
        .iter()
        .copied()
        .filter(|d| deps.contains_key(*d))
        .collect();
    assert!(
        named.is_empty(),
        "kintsugi-intercept depends on {named:?}; put that code in its own crate"
    );
}

/// What `crates/kintsugi/src` may hold: the binary is the CLI only, and
/// interception, the watcher and the MCP server live in their crates.
const BINARY_ENTRIES: &[(&str, &str)] = &[
    ("main.rs", "parses arguments and dispatches"),
    ("commands", "one file per subcommand"),
    ("util.rs", "small CLI helpers"),
    ("sandbox.rs", "the throwaway daemon of `bench` and `demo`"),
    ("demo_tree.rs", "the demo's project tree"),
    (
        "replay",
        "reads agents' transcripts for `replay`, judged by the daemon's engine offline",
    ),
];

#[test]
fn the_binary_holds_only_the_command_line() {
    let src = workspace().join("crates/kintsugi/src");
    let mut extra = Vec::new();
    for entry in std::fs::read_dir(&src).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if !BINARY_ENTRIES.iter().any(|(n, _)| *n == name) {
            extra.push(name);
        }
    }
    assert!(src.join("main.rs").is_file());
    assert!(
        extra.is_empty(),
        "crates/kintsugi/src holds {extra:?}; interception code goes to kintsugi-intercept, or add a CLI helper to BINARY_ENTRIES with its reason"
    );
}

/// Files of the binary that may name `kintsugi_daemon`, and why. Clients read
/// the config from `kintsugi-config` and talk to the daemon over the socket.
const DAEMON_USERS: &[(&str, &str)] = &[
    ("commands/daemon.rs", "starts the daemon"),
    ("commands/limits.rs", "prints the daemon's named limits"),
    (
        "commands/test.rs",
        "runs the daemon's script reader offline, as the daemon would",
    ),
    (
        "commands/model_bench.rs",
        "feeds the model the facts the daemon gives it",
    ),
    ("commands/queue.rs", "groups held items as the daemon does"),
    (
        "commands/limits_human.rs",
        "prints the approval PIN's limits",
    ),
    (
        "commands/approval_pin.rs",
        "writes a first PIN in the daemon's format before any daemon runs",
    ),
    (
        "commands/demo.rs",
        "seeds its throwaway daemon's approval PIN",
    ),
    (
        "commands/replay.rs",
        "judges past transcripts with the daemon's own engine, offline",
    ),
    (
        "commands/guard_lease.rs",
        "applies the daemon's own lease rule to covered execs, in the daemon's build",
    ),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn only_named_files_of_the_binary_reach_into_the_daemon() {
    let src = workspace().join("crates/kintsugi/src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut wrong = Vec::new();
    for f in files {
        let rel = f.strip_prefix(&src).unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&f).unwrap();
        let uses = text
            .lines()
            .any(|l| !l.trim_start().starts_with("//") && l.contains("kintsugi_daemon"));
        if uses && !DAEMON_USERS.iter().any(|(p, _)| *p == rel) {
            wrong.push(rel);
        }
    }
    assert!(
        wrong.is_empty(),
        "these files use kintsugi_daemon; read the config from kintsugi_config and talk to the daemon over the socket: {wrong:?}"
    );
}

#[test]
fn no_source_file_is_too_long_to_read_in_one_sitting() {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(workspace().join("crates")).unwrap() {
        let src = entry.unwrap().path().join("src");
        if src.is_dir() {
            rust_files(&src, &mut files);
        }
    }
    assert!(files.len() > 100, "found only {} files", files.len());
    let long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let n = std::fs::read_to_string(f).unwrap().lines().count();
            (n > MAX_SOURCE_LINES).then(|| format!("{} ({n} lines)", f.display()))
        })
        .collect();
    assert!(
        long.is_empty(),
        "over {MAX_SOURCE_LINES} lines (split it; long tests into tests.rs):\n{}",
        long.join("\n")
    );
}
