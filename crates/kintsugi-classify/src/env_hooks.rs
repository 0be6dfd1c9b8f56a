//! Environment assignments with side effects: history switched off, and
//! variables whose value is a command another program runs (`GIT_SSH_COMMAND`,
//! `PAGER`, `LESSOPEN`, `PROMPT_COMMAND`, …).

use crate::effects::Effect;
use crate::engine::{Stdin, Walker};

pub(crate) fn history_off(what: &str) -> Effect {
    Effect::SecurityDisable {
        what: format!("shell history ({what})"),
        control: "history-off".into(),
    }
}

/// Environment variables whose value is a command run by another program,
/// or that switch off history.
pub(crate) fn check_env_hook(e: &mut Walker, name: &str, value: &str, depth: usize) {
    match name {
        "HISTFILE" if value.is_empty() || value == "/dev/null" => e.add(history_off("HISTFILE")),
        "HISTSIZE" | "HISTFILESIZE" | "SAVEHIST" if value == "0" => e.add(history_off(name)),
        "HISTCONTROL" if value.contains("ignoreboth") || value.contains("ignorespace") => {}
        "GIT_SSH_COMMAND"
        | "GIT_SSH"
        | "GIT_EXTERNAL_DIFF"
        | "GIT_PAGER"
        | "PAGER"
        | "MANPAGER"
        | "GIT_EDITOR"
        | "GIT_SEQUENCE_EDITOR"
        | "EDITOR"
        | "VISUAL"
        | "GIT_ASKPASS"
        | "SSH_ASKPASS"
        | "GIT_PROXY_COMMAND"
        | "LESSOPEN"
        | "LESSCLOSE"
        | "BROWSER"
        | "PROMPT_COMMAND"
        | "BASH_ENV"
        | "ENV"
        | "SUDO_ASKPASS" => {
            let v = value.trim_start_matches('|').trim();
            if !v.is_empty() && e.commands.len() < 256 {
                e.run_script(v, &[format!("{name}=")], depth + 1, &Stdin::Terminal);
            }
        }
        // `GIT_CONFIG_KEY_0=core.pager GIT_CONFIG_VALUE_0='rm -rf ~' git log`:
        // configuration through the environment, judged like `git -c`.
        _ if name.starts_with("GIT_CONFIG_VALUE_") => {
            let key = format!("GIT_CONFIG_KEY_{}", &name["GIT_CONFIG_VALUE_".len()..]);
            if let Some(k) = e.vars.get(&key).cloned()
                && let Some(cmd) = crate::programs::git::config_command(&format!("{k}={value}"))
                && e.commands.len() < 256
            {
                e.run_script(&cmd, &[format!("{name}=")], depth + 1, &Stdin::Terminal);
            }
        }
        "LD_PRELOAD" | "LD_AUDIT" | "DYLD_INSERT_LIBRARIES" if !value.is_empty() => {
            e.add(Effect::Opaque {
                what: format!("{name} injects a library into every program"),
                exec: false,
            })
        }
        _ => {}
    }
}
