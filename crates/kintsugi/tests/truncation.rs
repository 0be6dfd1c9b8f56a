//! Tail truncation on a real SQLite ledger written by a real daemon: the
//! last events deleted together with the checkpoint lines that cover them
//! pass `verify` when no witness is configured (and verify, status and
//! doctor warn that this is undetectable), and fail it with a witness.

mod common;
use common::*;

fn config_with_witness(sb: &Sandbox) -> String {
    format!(
        "checkpoint_every = 4\nwitness_dir = \"{}\"\n",
        sb.root().join("witness").display()
    )
}

/// A ledger of 14 events (start, 12 proposals, stop) with checkpoints at
/// 4, 8, 12 and 14, written with a witness configured.
fn ledger_with_witness() -> Sandbox {
    let mut sb = Sandbox::new();
    sb.write_config(&config_with_witness(&sb));
    sb.start();
    let mut c = Conn::open(&sb.socket());
    let cwd = sb.root().display().to_string();
    for i in 0..12 {
        let v = c.ask(&propose(&format!("echo {i}"), &cwd)).unwrap();
        assert_eq!(v["decision"], "allow", "{v}");
    }
    drop(c);
    sb.signal("TERM");
    let (status, log) = sb.wait_exit();
    assert!(status.success(), "{log}");
    sb
}

fn checkpoint_seqs(file: &std::path::Path) -> Vec<u64> {
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["seq"]
                .as_u64()
                .unwrap()
        })
        .collect()
}

/// Delete every event after `keep` and the checkpoint lines that cover
/// them: the data dir is then consistent with itself.
fn truncate_tail(sb: &Sandbox, keep: u64) {
    let db = rusqlite::Connection::open(sb.data().join("ledger.db")).unwrap();
    let gone = db
        .execute("DELETE FROM events WHERE seq > ?1", [keep as i64])
        .unwrap();
    assert!(gone > 0);
    let file = sb.data().join("checkpoints.jsonl");
    let kept: String = std::fs::read_to_string(&file)
        .unwrap()
        .lines()
        .filter(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["seq"]
                .as_u64()
                .unwrap()
                <= keep
        })
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&file, kept).unwrap();
}

#[test]
fn a_truncated_tail_is_caught_with_a_witness_and_warned_about_without() {
    let sb = ledger_with_witness();
    let witness = sb.root().join("witness/checkpoints.jsonl");
    assert_eq!(
        checkpoint_seqs(&witness),
        checkpoint_seqs(&sb.data().join("checkpoints.jsonl"))
    );
    let (ok, text) = verify(&sb);
    assert!(ok, "{text}");
    assert!(!text.contains("WARNING"), "{text}");

    truncate_tail(&sb, 8);

    // Without a witness the truncated ledger is consistent with its own
    // checkpoints: it passes, and verify says loudly why that proves little.
    sb.write_config("checkpoint_every = 4\n");
    let (ok, text) = verify(&sb);
    assert!(ok, "locally undetectable: {text}");
    assert!(text.contains("ledger intact: 8 events"), "{text}");
    assert!(
        text.contains("WARNING: no witness_dir is configured"),
        "{text}"
    );
    let json = sb.run(&["verify", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert!(v["witness"].is_null(), "{v}");
    assert!(
        v["warnings"][0].as_str().unwrap().contains("undetectable"),
        "{v}"
    );

    // With the witness configured, the lost tail shows.
    sb.write_config(&config_with_witness(&sb));
    let (ok, text) = verify(&sb);
    assert!(!ok, "{text}");
    assert!(text.contains("first bad sequence 9"), "{text}");
    assert!(
        text.contains("ends at sequence 8 but a signed checkpoint covers 14"),
        "{text}"
    );
    assert!(!text.contains("WARNING"), "{text}");
    // The same from the command line alone, config or not.
    sb.write_config("");
    let out = sb.run(&[
        "verify",
        "--witness",
        &sb.root().join("witness").display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text_of(&out));
}

#[test]
fn status_and_doctor_say_when_no_witness_is_configured() {
    let mut sb = Sandbox::new();
    sb.write_config("");
    sb.start();
    let status = text_of(&sb.run(&["status"]));
    assert!(
        status.contains("witness         WARNING: no witness_dir"),
        "{status}"
    );
    let doctor = text_of(&sb.run(&["doctor"]));
    assert!(
        doctor.contains("witness    WARNING: no witness_dir"),
        "{doctor}"
    );

    let dir = sb.root().join("witness");
    sb.write_config(&format!("witness_dir = \"{}\"\n", dir.display()));
    let status = text_of(&sb.run(&["status"]));
    assert!(
        status.contains(&format!("checkpoints also go to {}", dir.display())),
        "{status}"
    );
}

fn text_of(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
