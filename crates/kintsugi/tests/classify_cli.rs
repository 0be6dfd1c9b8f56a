//! The classifier as a user meets it: `kintsugi test` reads the scripts a
//! line runs and names the line that decided, unknown programs are never
//! safe, `kintsugi test --corpus` reports accuracy and fails on a leak, and
//! the daemon judges a script by its content before anything runs.

mod common;
use common::*;
use std::process::Command;

fn test_json(cwd: &std::path::Path, line: &str) -> serde_json::Value {
    let out = Command::new(BIN)
        .args(["test", "--json", "--cwd"])
        .arg(cwd)
        .args(["--", line])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn scripts_are_judged_by_their_content_and_the_line_is_named() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("wipe.sh"),
        "#!/bin/sh\necho cleaning up\nrm -rf ~/\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("list.sh"), "#!/bin/sh\nls -la\n").unwrap();
    for line in ["./wipe.sh", "bash wipe.sh", "sh ./wipe.sh", ". ./wipe.sh"] {
        let v = test_json(dir.path(), line);
        assert_eq!(v["class"], "catastrophic", "{line}: {v}");
        let reason = v["reason"].as_str().unwrap();
        assert!(
            reason.contains("wipe.sh") && reason.contains("line 3"),
            "{line}: {reason}"
        );
    }
    assert_eq!(test_json(dir.path(), "./list.sh")["class"], "safe");
    // A script that is not there cannot be read: unknown, never safe.
    let v = test_json(dir.path(), "./missing.sh");
    assert_eq!(
        (v["class"].as_str(), v["rule"].as_str()),
        (Some("ambiguous"), Some("unknown:script"))
    );
}

#[test]
fn unknown_programs_are_ambiguous_and_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let v = test_json(dir.path(), "zorblax --everything");
    assert_eq!(v["class"], "ambiguous");
    assert_eq!(v["rule"], "unknown:program");
    assert!(
        v["reason"]
            .as_str()
            .unwrap()
            .contains("not a program Kintsugi knows")
    );
    assert_eq!(test_json(dir.path(), "zorblax list")["class"], "safe");
    assert_eq!(
        test_json(dir.path(), "zorblax delete cluster prod")["class"],
        "catastrophic"
    );
    // Kintsugi's own controls are for a human.
    assert_eq!(
        test_json(dir.path(), "kintsugi approve 1a2b3c")["class"],
        "ambiguous"
    );
    assert_eq!(test_json(dir.path(), "kintsugi status")["class"], "safe");
}

#[test]
fn corpus_report_counts_and_fails_on_a_leak() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.tsv");
    std::fs::write(
        &good,
        "# labelled\nsafe\tls\t/home/dev/proj\tls -la\ncatastrophic\trm-home\t/home/dev/proj\trm -rf ~\nambiguous\tunknown\t/home/dev/proj\tzorblax\n",
    )
    .unwrap();
    let out = Command::new(BIN)
        .args(["test", "--corpus"])
        .arg(&good)
        .output()
        .unwrap();
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    assert!(t.contains("lines               3"), "{t}");
    assert!(t.contains("leaks               0"), "{t}");

    let leak = dir.path().join("leak.tsv");
    std::fs::write(&leak, "catastrophic\tx\t/home/dev/proj\tls\n").unwrap();
    let out = Command::new(BIN)
        .args(["test", "--corpus"])
        .arg(&leak)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("leaks               1"));

    let bad = dir.path().join("bad.tsv");
    std::fs::write(&bad, "safe\tls\n").unwrap();
    let out = Command::new(BIN)
        .args(["test", "--corpus"])
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(text(&out).contains("bad.tsv:1"), "{}", text(&out));
}

#[test]
fn the_daemon_reads_the_script_before_deciding() {
    let mut sb = Sandbox::new();
    sb.start();
    let proj = sb.project();
    std::fs::create_dir_all(&proj).unwrap();
    std::fs::write(proj.join("wipe.sh"), "#!/bin/sh\nrm -rf ~\n").unwrap();
    std::fs::write(proj.join("ok.sh"), "#!/bin/sh\ngit status\n").unwrap();
    let mut c = Conn::open(&sb.socket());
    let cwd = proj.display().to_string();
    let v = c.ask(&propose("./wipe.sh", &cwd)).unwrap();
    assert_eq!(v["class"], "catastrophic", "{v}");
    assert_ne!(v["decision"], "allow", "{v}");
    let v = c.ask(&propose("./ok.sh", &cwd)).unwrap();
    assert_eq!(
        (v["class"].as_str(), v["decision"].as_str()),
        (Some("safe"), Some("allow")),
        "{v}"
    );
}
