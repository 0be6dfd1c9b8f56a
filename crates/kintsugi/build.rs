//! Link the `kintsugi` binary statically and position-dependent on Linux
//! with glibc.
//!
//! The hook and the shims are short-lived processes started for every
//! command an agent runs, so start-up is on the hot path. Measured on the
//! 2-core CI VM: a PIE of this size spent a third of its start-up applying
//! ~25,000 run-time relocations (hence `-no-pie`; the code itself stays
//! position-independent, only the final link changes), and the dynamic
//! loader (mapping libc, libm and libgcc_s and binding their symbols) costs
//! another ~0.25 ms per process (hence `-static`).
//!
//! `-static` alone is not enough: rustc asks for its system libraries
//! (`-lc -lm -lgcc_s -lpthread …`) after `-Bdynamic`, so the linker would
//! still pick the shared objects. This script writes, into this crate's
//! OUT_DIR (searched before the system directories), one-line linker scripts
//! under those shared-object names that name the static archives instead
//! (`libgcc_s` becomes gcc's static unwinder `libgcc_eh`). Only the bin
//! targets get the flags; tests link as usual.
//!
//! Opt out with `KINTSUGI_DYNAMIC_LINK=1` at build time (e.g. to pick up the
//! distribution's libc security updates without rebuilding); the build also
//! falls back to a dynamic link, with a warning, when the C toolchain has no
//! static `libc.a`.

use std::path::PathBuf;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=KINTSUGI_DYNAMIC_LINK");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os != "linux" {
        return;
    }
    println!("cargo:rustc-link-arg-bins=-no-pie");
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    let features = std::env::var("CARGO_CFG_TARGET_FEATURE").unwrap_or_default();
    let already_static = features.split(',').any(|f| f == "crt-static");
    let opted_out = std::env::var_os("KINTSUGI_DYNAMIC_LINK").is_some_and(|v| v == "1");
    if already_static {
        println!("cargo:rustc-env=KINTSUGI_LINKED_STATIC=1");
    }
    if env != "gnu" || already_static || opted_out {
        return;
    }
    let Some(archives) = static_archives() else {
        println!(
            "cargo:warning=the C toolchain has no static libc.a/libgcc_eh.a \
             (install libc6-dev); linking kintsugi dynamically, which starts \
             ~0.25 ms slower"
        );
        return;
    };
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    for (shared_name, script) in archives {
        std::fs::write(out_dir.join(shared_name), script)
            .expect("write a linker script to OUT_DIR");
    }
    println!("cargo:rustc-link-arg-bins=-static");
    // Tells the tests (tests/static_link.rs) what to expect of the binary.
    println!("cargo:rustc-env=KINTSUGI_LINKED_STATIC=1");
    println!("cargo:rustc-link-arg-bins=-L{}", out_dir.display());
}

/// The linker scripts to write: (shared-object file name, script naming
/// the static archive). `None` when a required archive is missing.
fn static_archives() -> Option<Vec<(String, String)>> {
    let libc = archive("libc.a")?;
    let eh = archive("libgcc_eh.a")?;
    let gcc = archive("libgcc.a")?;
    let mut scripts = vec![
        // libc, the unwinder and gcc's helpers refer to each other.
        ("libc.so".to_owned(), format!("GROUP({libc} {eh} {gcc})\n")),
        ("libgcc_s.so".to_owned(), format!("INPUT({eh})\n")),
    ];
    // Present or not depending on the glibc version (2.34 folded most into
    // libc) and on features (llama.cpp needs the C++ library).
    for name in ["m", "pthread", "dl", "rt", "util", "stdc++"] {
        if let Some(path) = archive(&format!("lib{name}.a")) {
            scripts.push((format!("lib{name}.so"), format!("INPUT({path})\n")));
        }
    }
    Some(scripts)
}

/// The absolute path of a static archive the C compiler would link, if it
/// has one: `cc -print-file-name=NAME` prints a full path when it can find
/// NAME and the bare name when it cannot.
fn archive(name: &str) -> Option<String> {
    let cc = std::env::var("RUSTC_LINKER").unwrap_or_else(|_| "cc".to_owned());
    let out = Command::new(cc)
        .arg(format!("-print-file-name={name}"))
        .output()
        .ok()
        .filter(|out| out.status.success())?;
    let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    (path.is_absolute() && path.exists()).then(|| path.display().to_string())
}
