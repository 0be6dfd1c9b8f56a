//! The daemon's layering: request handling (`src/requests/`) imports the
//! engine side (verdict, engine, policy, memory, scorer, riding, guarded,
//! queue, snapshots, events, …), never the other way round, so there is no
//! import cycle between them. Read from the source files, as a tidy test.

use std::path::{Path, PathBuf};

/// Files outside `src/requests/` that may name `requests`: the crate root
/// declares it, the server dispatches to it, the spool drain records
/// through it.
const MAY_IMPORT_REQUESTS: &[&str] = &["lib.rs", "server.rs", "spool_drain.rs"];

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of `text` without its `//` comments and with no whitespace, so
/// `use crate::{\n    requests::x,\n}` reads `usecrate::{requests::x,}`.
fn code_only(text: &str) -> String {
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .flat_map(|l| l.chars())
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// The request-side modules `text` imports: `crate::requests…`,
/// `crate::handle…`, or either inside a `crate::{…}` group.
fn request_side_imports(text: &str) -> Vec<String> {
    let code = code_only(text);
    let mut found = Vec::new();
    for name in ["requests", "handle"] {
        let path = format!("crate::{name}");
        let named = code.match_indices(&path).any(|(at, _)| {
            code[at + path.len()..]
                .chars()
                .next()
                .is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
        });
        if named {
            found.push(path);
        }
    }
    let mut rest = code.as_str();
    while let Some(at) = rest.find("crate::{") {
        let group = &rest[at + "crate::{".len()..];
        let end = group.find('}').unwrap_or(group.len());
        for item in group[..end].split(',') {
            let head = item.split("::").next().unwrap_or("");
            if head == "requests" || head == "handle" {
                found.push(format!("crate::{{{head}}}"));
            }
        }
        rest = &group[end..];
    }
    found
}

#[test]
fn the_engine_side_never_imports_request_handling() {
    let src = src_dir();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(
        files.len() > 20,
        "expected the daemon's sources under {}",
        src.display()
    );
    let requests = src.join("requests");
    assert!(
        requests.join("mod.rs").is_file(),
        "src/requests/ is missing"
    );
    let mut offenders = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(&src).unwrap();
        if file.starts_with(&requests) || MAY_IMPORT_REQUESTS.iter().any(|m| rel == Path::new(m)) {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap();
        for import in request_side_imports(&text) {
            offenders.push(format!("{} imports {import}", rel.display()));
        }
    }
    assert!(
        offenders.is_empty(),
        "the engine side must not import request handling (move the shared piece below both, e.g. into events.rs):\n{}",
        offenders.join("\n")
    );
}

#[test]
fn there_is_no_handle_module_left() {
    assert!(!src_dir().join("handle.rs").exists());
    assert!(!src_dir().join("handle").exists());
}

#[test]
fn the_check_sees_plain_grouped_and_commented_imports() {
    assert_eq!(
        request_side_imports("use crate::requests::approve::refuse;"),
        ["crate::requests"]
    );
    assert_eq!(
        request_side_imports("let r = crate::handle::now();"),
        ["crate::handle"]
    );
    assert_eq!(
        request_side_imports("use crate::{\n    peer::Peer,\n    requests::After,\n};"),
        ["crate::{requests}"]
    );
    assert!(request_side_imports("// see crate::requests::propose\nuse crate::queue;").is_empty());
    assert!(request_side_imports("use crate::{handled, requests_log};").is_empty());
    assert!(request_side_imports("use crate::handled::x;").is_empty());
}
