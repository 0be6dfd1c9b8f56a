//! The PATH shim: the one `kintsugi` binary, reached through a symlink named
//! after a program (`rm`, `git`, …), proposes the command and, when allowed,
//! runs the real program (found on PATH past the shim) with the same argv0,
//! stdio, environment and cwd, forwarding signals and exiting as it did.

use crate::gate::child::{exit_like, report_completion, run_child};
use crate::gate::runner::{DENIED_EXIT, GateSettings, Outcome, approved_env, may_run, proposal};
use kintsugi_protocol::argv_to_line;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// The programs `kintsugi init` links into the shim dir: the classifier's
/// list, each owned by a family of its program table.
pub const DEFAULT_SHIMS: &[&str] = kintsugi_classify::SHIMS;

/// The program name this process was invoked as, when it is not `kintsugi`.
pub fn shim_name(argv0: &str) -> Option<String> {
    let name = Path::new(argv0).file_name()?.to_str()?;
    (!name.starts_with("kintsugi")).then(|| name.to_string())
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// The real `name` on PATH: skipping the shim dir and anything that
/// resolves back to this binary.
pub fn find_real(
    name: &str,
    path: &OsString,
    me: &Path,
    shim_dir: Option<&Path>,
) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    std::env::split_paths(path).find_map(|dir| {
        if shim_dir.is_some_and(|s| same_file(&dir, s)) {
            return None;
        }
        let candidate = dir.join(name);
        let meta = std::fs::metadata(&candidate).ok()?;
        if !meta.is_file() || meta.permissions().mode() & 0o111 == 0 || same_file(&candidate, me) {
            return None;
        }
        Some(candidate)
    })
}

/// The shim dir: `$KINTSUGI_SHIM_DIR`, else `<data dir>/shims`.
pub fn shim_dir() -> PathBuf {
    std::env::var_os("KINTSUGI_SHIM_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| kintsugi_protocol::data_dir().join("shims"))
}

/// The shell that runs a one-string command line: the real `bash` on PATH
/// past the shim, else `sh`, else `/bin/sh`.
pub fn line_shell() -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let me = std::env::current_exe().unwrap_or_default();
    let shims = shim_dir();
    find_real("bash", &path, &me, Some(&shims))
        .or_else(|| find_real("sh", &path, &me, Some(&shims)))
        .unwrap_or_else(|| PathBuf::from("/bin/sh"))
}

/// Run as the shim for `name`.
pub fn run(name: &str) -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let argv0 = args.first().cloned().unwrap_or_else(|| name.to_string());
    let rest = &args[1..];
    let me = std::env::current_exe().unwrap_or_default();
    let path = std::env::var_os("PATH").unwrap_or_default();
    let Some(real) = find_real(name, &path, &me, Some(&shim_dir())) else {
        eprintln!("kintsugi: `{name}` not found on PATH beyond the Kintsugi shim");
        return ExitCode::from(127);
    };
    let cwd = std::env::current_dir()
        .map(|d| d.display().to_string())
        .unwrap_or_else(|_| "/".into());
    let mut argv = vec![name.to_string()];
    argv.extend(rest.iter().cloned());
    let cmd = proposal(
        kintsugi_protocol::Origin::Shim,
        "shim",
        &cwd,
        argv.clone(),
        &argv_to_line(&argv),
    );
    let settings = GateSettings::load();
    match may_run(&cmd, &settings) {
        Outcome::Refuse(msg) => {
            eprintln!("{msg}");
            ExitCode::from(DENIED_EXIT)
        }
        Outcome::Run { daemon, approved } => {
            let started = Instant::now();
            match run_child(
                &real,
                &argv0,
                rest,
                None,
                &approved_env(approved.as_deref()),
            ) {
                Ok(status) => {
                    if daemon {
                        report_completion(&cmd, &status, started);
                    }
                    exit_like(status)
                }
                Err(e) => {
                    eprintln!("kintsugi: cannot run {}: {e}", real.display());
                    ExitCode::from(126)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shim_names_come_from_argv0() {
        assert_eq!(shim_name("/x/shims/rm").as_deref(), Some("rm"));
        assert_eq!(shim_name("kintsugi"), None);
        assert_eq!(shim_name("/usr/bin/kintsugi"), None);
    }

    #[test]
    fn real_program_skips_the_shim_dir() {
        let dir = tempfile::tempdir().unwrap();
        let shims = dir.path().join("shims");
        let bin = dir.path().join("bin");
        std::fs::create_dir_all(&shims).unwrap();
        std::fs::create_dir_all(&bin).unwrap();
        let me = std::env::current_exe().unwrap();
        std::os::unix::fs::symlink(&me, shims.join("tool")).unwrap();
        // Another link to us outside the shim dir is skipped too.
        let other = dir.path().join("other");
        std::fs::create_dir_all(&other).unwrap();
        std::os::unix::fs::symlink(&me, other.join("tool")).unwrap();
        let real = bin.join("tool");
        std::fs::write(&real, "#!/bin/sh\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o755)).unwrap();
        let path = std::env::join_paths([&shims, &other, &bin]).unwrap();
        assert_eq!(find_real("tool", &path, &me, Some(&shims)), Some(real));
        assert_eq!(find_real("missing", &path, &me, Some(&shims)), None);
    }
}
