//! The README's first command: `kintsugi demo --no-pause` must finish with
//! exit 0, which it only does when every narrated step behaved as described.

mod common;

#[test]
fn demo_runs_every_step() {
    let sb = common::Sandbox::new();
    let out = sb.run(&["demo", "--no-pause"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("demo complete"));
    assert!(text.contains("verify: TAMPERED"));
}
