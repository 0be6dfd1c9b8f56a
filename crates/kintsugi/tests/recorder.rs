//! The shell recorder in REAL interactive bash and zsh (driven through
//! tmux): typed lines land in the ledger once each, with their cwd and
//! class; `$?` and `$!` are left alone; with the daemon down lines go to the
//! spool and are drained in order when it starts; install/uninstall/status
//! and `report` work. The prompt latency is measured in
//! `recorder_latency.rs`.

mod common;

use common::shells::*;
use common::{BIN, Sandbox, Tmux, require_tmux};
use std::process::Command;
use std::time::{Duration, Instant};

fn records_typed_lines(sh: Sh) {
    let _serial = serial();
    let mut sb = Sandbox::new();
    sb.start();
    let proj = project(&sb);
    let tmux = Tmux::new();
    tmux.run(&sh.setup(&sb, true));
    tmux.wait_for("READY");
    typed(&tmux, &format!("cd '{}'", proj.display()), "READY");
    typed(&tmux, "echo one | cat | tr o O; echo t''wo", "\ntwo");
    typed(&tmux, "rm -rf ./build; echo gone=$?", "gone=0");
    tmux.keys(&["Enter"]); // an empty line records nothing
    typed(&tmux, "false", "READY");
    typed(&tmux, "echo status=$?", "\nstatus=1");
    typed(&tmux, "sleep 30 &", "READY");
    typed(&tmux, "echo b''g=$! x", "\nbg=");
    typed(&tmux, "echo bang=$! y; echo DO''NE", "\nDONE");
    let screen = tmux.screen();
    let pid = |tag: &str| {
        screen
            .lines()
            .find_map(|l| {
                l.trim()
                    .strip_prefix(tag)
                    .map(|r| r.split(' ').next().unwrap().to_string())
            })
            .unwrap_or_else(|| panic!("no {tag} in {screen}"))
    };
    assert_eq!(pid("bg="), pid("bang="), "the hook replaced $!:\n{screen}");

    let mut recs = wait_records(&sb, 8);
    // Background senders may arrive out of order; each carries when it was typed.
    recs.sort_by_key(|r| {
        time::OffsetDateTime::parse(&typed_at(r), &time::format_description::well_known::Rfc3339)
            .unwrap()
    });
    let raws: Vec<&str> = recs.iter().map(|r| r["raw"].as_str().unwrap()).collect();
    assert_eq!(
        raws,
        [
            format!("cd '{}'", proj.display()).as_str(),
            "echo one | cat | tr o O; echo t''wo",
            "rm -rf ./build; echo gone=$?",
            "false",
            "echo status=$?",
            "sleep 30 &",
            "echo b''g=$! x",
            "echo bang=$! y; echo DO''NE",
        ],
        "{} recorded {raws:#?}",
        sh.name()
    );
    let rm = &recs[2];
    assert_eq!(rm["cwd"], proj.display().to_string());
    assert_eq!(rm["class"], "ambiguous", "{rm}");
    assert_eq!(rm["kind"], "record");
    assert!(rm["session"].as_str().unwrap().starts_with(sh.name()));
    assert!(
        !proj.join("build").exists(),
        "the recorder must never block"
    );
}

#[test]
fn bash_records_each_typed_line_once_with_cwd_and_class() {
    require_tmux();
    records_typed_lines(Sh::Bash);
}

#[test]
fn zsh_records_each_typed_line_once_with_cwd_and_class() {
    require_tmux();
    if !have("zsh") {
        eprintln!("SKIPPED: zsh is not installed (scripts/test installs it)");
        return;
    }
    records_typed_lines(Sh::Zsh);
}

#[test]
fn daemon_down_lines_are_spooled_then_drained_in_order() {
    let _serial = serial();
    let mut sb = Sandbox::new();
    let tmux = Tmux::new();
    tmux.run(&Sh::Bash.setup(&sb, true));
    tmux.wait_for("READY");
    let lines: Vec<String> = (1..=5)
        .map(|i| format!("echo spooled-{i} MYSQL_PWD=hunter{i}"))
        .collect();
    for l in &lines {
        typed(&tmux, l, &l.replace("echo ", ""));
    }
    typed(&tmux, "echo END", "READY$ echo END");
    let spool = sb.data().join("spool.jsonl");
    let deadline = Instant::now() + Duration::from_secs(15);
    while kintsugi_lines(&spool) < 6 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        kintsugi_lines(&spool),
        6,
        "{:?}",
        std::fs::read_to_string(&spool)
    );
    let text = std::fs::read_to_string(&spool).unwrap();
    assert!(!text.contains("hunter"), "the spool holds a secret: {text}");
    let status = sb.run(&["record", "status"]);
    let status = String::from_utf8_lossy(&status.stdout);
    assert!(
        status.contains("NOT reachable") && status.contains("6 line(s) waiting"),
        "{status}"
    );

    sb.start();
    let recs = wait_records(&sb, 6);
    let raws: Vec<&str> = recs.iter().map(|r| r["raw"].as_str().unwrap()).collect();
    let mut want: Vec<String> = (1..=5)
        .map(|i| format!("echo spooled-{i} MYSQL_PWD=[REDACTED]"))
        .collect();
    want.push("echo END".into());
    let stamps: Vec<String> = recs.iter().map(typed_at).collect();
    assert_eq!(raws, want, "typed at {stamps:#?}");
    let seqs: Vec<u64> = recs.iter().map(|r| r["seq"].as_u64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]));
    let deadline = Instant::now() + Duration::from_secs(10);
    while spool.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!spool.exists(), "the drained spool was not removed");
    // Later lines go straight to the daemon.
    typed(&tmux, "echo live", "READY$ echo live");
    let recs = wait_records(&sb, 7);
    assert_eq!(recs.last().unwrap()["raw"], "echo live");
}

#[test]
fn install_prints_only_code_and_rc_blocks_are_idempotent() {
    let _serial = serial();
    let sb = Sandbox::new();
    let out = sb.run(&["record", "install", "--shell", "bash"]);
    assert!(out.status.success());
    assert!(
        out.stderr.is_empty(),
        "messages belong on stderr only when writing"
    );
    let code = String::from_utf8(out.stdout).unwrap();
    assert!(code.contains("trap") && code.contains(BIN));
    let check = Command::new("bash")
        .args(["-n", "-c", &code])
        .status()
        .unwrap();
    assert!(check.success(), "bash cannot parse the hook code");
    let rc = sb.root().join("home/.zshrc");
    std::fs::write(&rc, "export KEEP=1\n").unwrap();
    for _ in 0..2 {
        let out = sb.run(&[
            "record",
            "install",
            "--shell",
            "zsh",
            "--write",
            rc.to_str().unwrap(),
        ]);
        assert!(out.status.success() && out.stdout.is_empty());
    }
    let text = std::fs::read_to_string(&rc).unwrap();
    assert_eq!(text.matches("# >>> kintsugi record >>>").count(), 1);
    let status = sb.run(&["record", "status", "--rc", rc.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&status.stdout).contains("installed"));
    let out = sb.run(&["record", "uninstall", "--write", rc.to_str().unwrap()]);
    assert!(out.status.success());
    assert_eq!(std::fs::read_to_string(&rc).unwrap(), "export KEEP=1\n");
    let status = sb.run(&["record", "status", "--rc", rc.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&status.stdout).contains("not installed"));
}

#[test]
fn report_lists_destructive_human_and_agent_commands() {
    let _serial = serial();
    let mut sb = Sandbox::new();
    sb.start();
    let cwd = project(&sb).display().to_string();
    for line in ["ls -la", "rm -rf ./build", "git push --force origin main"] {
        let out = sb.run(&["record", "send", "--cwd", &cwd, "--", line]);
        assert!(out.status.success());
    }
    let mut c = common::Conn::open(&sb.socket());
    c.ask(&common::propose("rm -rf ./dist", &cwd)).unwrap();
    c.ask(&common::propose("cat README.md", &cwd)).unwrap();
    let out = sb.run(&["report"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("rm -rf ./build") && text.contains("git push --force origin main"),
        "{text}"
    );
    assert!(text.contains("rm -rf ./dist"), "{text}");
    assert!(
        !text.contains("ls -la") && !text.contains("cat README.md"),
        "{text}"
    );
    let human = sb.run(&["report", "--who", "human", "--class", "catastrophic"]);
    let human = String::from_utf8_lossy(&human.stdout);
    assert!(
        human.contains("git push --force") && !human.contains("rm -rf"),
        "{human}"
    );
}

#[test]
fn bash_lines_history_ignores_are_still_recorded() {
    let _serial = serial();
    let sb = Sandbox::new();
    let start = Sh::Bash.setup(&sb, true);
    let rc = sb.root().join("rc-bash-true/.bashrc");
    let text = std::fs::read_to_string(&rc).unwrap();
    std::fs::write(&rc, format!("HISTCONTROL=ignoreboth\n{text}")).unwrap();
    feed_shell(
        &start,
        b"echo a | cat\n echo hidden | cat\necho a | cat\necho b\n",
    );
    let spool = sb.data().join("spool.jsonl");
    let deadline = Instant::now() + Duration::from_secs(15);
    while kintsugi_lines(&spool) < 4 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let (items, _) = kintsugi_protocol::spool::read(&spool).unwrap();
    let mut cmds: Vec<_> = items
        .into_iter()
        .filter_map(|i| match i {
            kintsugi_protocol::spool::Spooled::Record(c) => Some(c),
            kintsugi_protocol::spool::Spooled::Observe { .. } => None,
        })
        .collect();
    cmds.sort_by(|a, b| a.ts.cmp(&b.ts));
    let raws: Vec<&str> = cmds.iter().map(|c| c.raw.as_str()).collect();
    // A line history did not keep falls back to its first simple command.
    assert_eq!(
        raws,
        ["echo a | cat", "echo hidden", "echo a | cat", "echo b"]
    );
}
