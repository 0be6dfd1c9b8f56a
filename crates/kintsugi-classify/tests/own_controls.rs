//! Kintsugi's own controls, run by an agent, are never safe: the commands
//! that approve, run, undo, stop, unlock or unwire; edits (and reads of the
//! secrets) of Kintsugi's config, vault, keys, data dir and the agents'
//! hook entries; and the same controls inside the pseudo-terminal and
//! multiplexer wrappers an agent would use to look like a human (`script`,
//! `tmux`, `screen`, `expect`, `unbuffer`, Python's `pty`, `setsid`), or
//! typed into a terminal the human has open (`tmux send-keys`).

use kintsugi_classify::{Class, Context, analyze};
use std::path::PathBuf;

fn ctx() -> Context {
    Context {
        cwd: PathBuf::from("/home/dev/proj"),
        home: PathBuf::from("/home/dev"),
        project_root: Some(PathBuf::from("/home/dev/proj")),
    }
}

const CONTROLS: &[&str] = &[
    "kintsugi approve a1b2c3d4",
    "kintsugi approve a1b2c3d4 --remember",
    "kintsugi run a1b2c3d4",
    "kintsugi resolve a1b2c3d4",
    "kintsugi deny a1b2c3d4",
    "kintsugi undo --force",
    "kintsugi resume",
    "kintsugi stop",
    "kintsugi admin set approvals-need-password false",
    "kintsugi admin set-pin --clear",
    "kintsugi web",
    "kintsugi init --undo",
    "kintsugi service uninstall",
    "/usr/local/bin/kintsugi approve a1b2c3d4",
    "env kintsugi approve a1b2c3d4",
];

const WRAPPERS: &[&str] = &[
    "script -qc 'kintsugi approve {ID}' /dev/null",
    "script -c 'kintsugi undo --force'",
    "tmux new -d 'kintsugi approve {ID}'",
    "tmux new-session -d -s x kintsugi approve {ID}",
    "tmux -L agent new-window -n w 'kintsugi resume'",
    "tmux split-window -h 'kintsugi run {ID}'",
    "tmux run-shell 'kintsugi approve {ID}'",
    "tmux -c 'kintsugi approve {ID}'",
    "screen -dm kintsugi approve {ID}",
    "expect -c 'spawn kintsugi approve {ID}; interact'",
    "unbuffer kintsugi approve {ID}",
    "python3 -c 'import pty; pty.spawn([\"kintsugi\", \"approve\", \"{ID}\"])'",
    "setsid -f kintsugi approve {ID}",
    "nohup kintsugi approve {ID} &",
];

const TYPING: &[&str] = &[
    "tmux send-keys -t 0 'kintsugi approve {ID}' Enter",
    "tmux send -t main:1 ls Enter",
    "tmux paste-buffer -t 0",
    "screen -S main -X stuff 'kintsugi approve {ID}\\n'",
];

const FILES: &[&str] = &[
    "echo 'mode = \"notify\"' > ~/.config/kintsugi/config.toml",
    "rm ~/.local/share/kintsugi/vault.json",
    "rm ~/.local/share/kintsugi/vault.provisioned",
    "rm -rf ~/.local/share/kintsugi",
    "cp /dev/null ~/.local/share/kintsugi/approval-pin.json",
    "rm ~/.local/share/kintsugi/approval-pin.lockout",
    "sed -i s/kintsugi// ~/.claude/settings.json",
    "echo '{}' > ~/.claude/settings.json",
    "cat ~/.local/share/kintsugi/vault.json",
    "cat ~/.local/share/kintsugi/checkpoint.key",
    "cat ~/.local/share/kintsugi/approval-pin.json",
    "kill -9 $(cat ~/.local/share/kintsugi/daemon.pid)",
    "pkill kintsugi",
    "systemctl --user stop kintsugi",
];

fn not_safe(lines: &[&str]) {
    let mut bad = Vec::new();
    for line in lines {
        let line = line.replace("{ID}", "a1b2c3d4");
        let a = analyze(&line, &ctx());
        if a.class == Class::Safe {
            bad.push(format!("{line:?} is safe ({}: {})", a.rule, a.reason));
        }
    }
    assert!(bad.is_empty(), "\n{}", bad.join("\n"));
}

#[test]
fn kintsugi_controls_run_by_an_agent_are_held() {
    not_safe(CONTROLS);
}

#[test]
fn controls_inside_terminal_wrappers_are_held() {
    not_safe(WRAPPERS);
}

#[test]
fn typing_into_another_terminal_is_held() {
    not_safe(TYPING);
}

#[test]
fn editing_or_reading_kintsugis_files_is_held() {
    not_safe(FILES);
}

#[test]
fn reading_kintsugi_and_harmless_tmux_stay_safe() {
    for line in [
        "kintsugi status",
        "kintsugi queue",
        "kintsugi log -n 5",
        "tmux ls",
        "tmux new -d 'ls -la'",
        "tmux capture-pane -p -t 0",
    ] {
        let a = analyze(line, &ctx());
        assert_eq!(a.class, Class::Safe, "{line}: {} {}", a.rule, a.reason);
    }
}
