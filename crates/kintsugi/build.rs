//! Link the `kintsugi` binary as a position-dependent executable on Linux.
//! The hook and the shims are short-lived processes started for every
//! command an agent runs; a PIE of this size spends a third of its start-up
//! applying ~25,000 run-time relocations (and the page faults they cause).
//! The code stays position-independent; only the final link changes.

fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os == "linux" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
