//! Passive recording of human shells: the shell code `kintsugi record
//! install` prints or writes, and the fenced rc-file block it manages.
//!
//! The hooks never slow the prompt down or break the shell: each command
//! line is handed to `kintsugi record send` in a detached background
//! process with every stream on /dev/null, and that process spools the line
//! when the daemon is down. zsh uses `preexec`; bash uses a DEBUG trap armed
//! by the last element of `PROMPT_COMMAND` and disarmed by the first, so one
//! line typed at a prompt is sent once (not once per pipeline element, and
//! not for the prompt's own commands), read whole from the history list.
//! Each line carries the time it was typed (`$EPOCHREALTIME`, taken before
//! the fork), since background senders may reach the daemon out of order.

use kintsugi_protocol::shell_quote;

/// The first line of the managed rc-file block.
pub const BEGIN: &str = "# >>> kintsugi record >>>";
/// The last line of the managed rc-file block.
pub const END: &str = "# <<< kintsugi record <<<";

/// A shell the recorder supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shell {
    Bash,
    Zsh,
}

impl Shell {
    /// Parse `bash` / `zsh` (also a path such as `/usr/bin/zsh`).
    pub fn parse(name: &str) -> Option<Shell> {
        match name.rsplit('/').next()? {
            "bash" => Some(Shell::Bash),
            "zsh" => Some(Shell::Zsh),
            _ => None,
        }
    }

    /// The usual rc file under `home`.
    pub fn rc_file(self, home: &std::path::Path) -> std::path::PathBuf {
        home.join(match self {
            Shell::Bash => ".bashrc",
            Shell::Zsh => ".zshrc",
        })
    }
}

/// The hook code for `shell`, calling the binary at `bin`.
pub fn shell_code(shell: Shell, bin: &str) -> String {
    let bin = shell_quote(bin);
    match shell {
        Shell::Zsh => ZSH.replace("@BIN@", &bin),
        Shell::Bash => BASH.replace("@BIN@", &bin),
    }
}

const ZSH: &str = r#"# Kintsugi: record each command line typed here (sent in the background).
if [[ -n ${ZSH_VERSION-} && -z ${__kintsugi_rec_on-} && -o interactive ]]; then
  typeset -g __kintsugi_rec_on=1
  typeset -g __kintsugi_rec_bin=@BIN@
  zmodload zsh/datetime 2>/dev/null
  typeset -g __kintsugi_rec_session="zsh-$$-${EPOCHSECONDS:-$SECONDS}"
  __kintsugi_rec_preexec() {
    # Taken here, before the fork: the background child runs when it can.
    local line=${1:-$3} at=${EPOCHREALTIME-}
    [[ -n $line ]] || return 0
    # In a subshell, so the user's $! is not replaced by the sender's pid.
    ( "$__kintsugi_rec_bin" record send --at "$at" --cwd "$PWD" --session "$__kintsugi_rec_session" -- "$line" </dev/null >/dev/null 2>&1 & )
  }
  autoload -Uz add-zsh-hook && add-zsh-hook preexec __kintsugi_rec_preexec
fi
"#;

const BASH: &str = r#"# Kintsugi: record each command line typed here (sent in the background).
if [ -n "${BASH_VERSION-}" ] && [ -z "${__kintsugi_rec_on-}" ] && [[ $- == *i* ]]; then
  __kintsugi_rec_on=1
  __kintsugi_rec_bin=@BIN@
  __kintsugi_rec_session="bash-$$-${EPOCHSECONDS:-$SECONDS}"
  __kintsugi_rec_armed=
  __kintsugi_rec_hist=
  __kintsugi_rec_disarm() { __kintsugi_rec_armed=; }
  __kintsugi_rec_arm() { __kintsugi_rec_armed=1; }
  # Runs in a detached subshell: read the whole line from history. A line
  # history did not keep (HISTCONTROL ignorespace) falls back to its first
  # simple command; a repeated one (ignoredups) is the last history line.
  __kintsugi_rec_send() {
    local line=$1
    if [[ -o history ]]; then
      local h
      h=$(HISTTIMEFORMAT= builtin history 1 2>/dev/null)
      if [[ $h =~ ^[[:space:]]*[0-9]+\*?[[:space:]]+(.*)$ ]]; then
        h=${BASH_REMATCH[1]}
        if [ -n "$3" ] || [[ $h == "$1"* ]]; then line=$h; fi
      fi
    fi
    [ -n "$line" ] || return 0
    exec "$__kintsugi_rec_bin" record send --at "$2" --cwd "$PWD" --session "$__kintsugi_rec_session" -- "$line" </dev/null >/dev/null 2>&1
  }
  __kintsugi_rec_debug() {
    if [ "$BASH_COMMAND" = __kintsugi_rec_disarm ]; then __kintsugi_rec_armed=; return 0; fi
    [ -n "$__kintsugi_rec_armed" ] && [ -z "${COMP_LINE-}" ] || return 0
    __kintsugi_rec_armed=
    # Taken here, before the fork: the background child runs when it can.
    local cmd=$BASH_COMMAND at=${EPOCHREALTIME-} fresh=1
    [ "$HISTCMD" = "$__kintsugi_rec_hist" ] && fresh=
    __kintsugi_rec_hist=$HISTCMD
    # In a subshell, so the user's $! is not replaced by the sender's pid.
    ( __kintsugi_rec_send "$cmd" "$at" "$fresh" & ) 2>/dev/null
    return 0
  }
  __kintsugi_rec_prev=$(trap -p DEBUG)
  if [ -n "$__kintsugi_rec_prev" ]; then
    eval "__kintsugi_rec_prev=( ${__kintsugi_rec_prev} )"
    trap "__kintsugi_rec_debug; ${__kintsugi_rec_prev[2]}" DEBUG
  else
    trap '__kintsugi_rec_debug' DEBUG
  fi
  if [[ "$(declare -p PROMPT_COMMAND 2>/dev/null)" == "declare -a"* ]]; then
    PROMPT_COMMAND=(__kintsugi_rec_disarm "${PROMPT_COMMAND[@]}" __kintsugi_rec_arm)
  else
    PROMPT_COMMAND="__kintsugi_rec_disarm;${PROMPT_COMMAND:+$PROMPT_COMMAND;}__kintsugi_rec_arm"
  fi
fi
"#;

/// The fenced block holding `code`.
pub fn block(code: &str) -> String {
    format!("{BEGIN}\n{}{END}\n", code)
}

/// `text` with the managed block removed; `None` when it had none.
pub fn remove_block(text: &str) -> Option<String> {
    let start = text.find(BEGIN)?;
    let end_at = text[start..].find(END)? + start;
    let mut end = end_at + END.len();
    if text[end..].starts_with('\n') {
        end += 1;
    }
    Some(format!("{}{}", &text[..start], &text[end..]))
}

/// `text` with the managed block set to `code` (replacing an old block in
/// place, else appended), so installing twice leaves one block.
pub fn install_block(text: &str, code: &str) -> String {
    let new = block(code);
    if let Some(start) = text.find(BEGIN)
        && let Some(rest) = remove_block(text)
    {
        return format!("{}{}{}", &rest[..start], new, &rest[start..]);
    }
    let sep = if text.is_empty() || text.ends_with('\n') {
        ""
    } else {
        "\n"
    };
    format!("{text}{sep}{new}")
}

/// Does `text` hold the managed block?
pub fn has_block(text: &str) -> bool {
    text.contains(BEGIN) && text.contains(END)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn install_is_idempotent_and_uninstall_restores() {
        let rc = "export A=1\nalias x=y";
        let code = shell_code(Shell::Zsh, "/opt/k i/kintsugi");
        let once = install_block(rc, &code);
        let twice = install_block(&once, &code);
        assert_eq!(once, twice);
        assert_eq!(once.matches(BEGIN).count(), 1);
        assert!(once.contains("'/opt/k i/kintsugi'"));
        assert!(has_block(&once));
        assert_eq!(remove_block(&once).unwrap(), "export A=1\nalias x=y\n");
        assert_eq!(remove_block(rc), None);
    }

    #[test]
    fn a_changed_block_is_replaced_in_place() {
        let rc = format!("a\n{}b\n", block("old\n"));
        let new = install_block(&rc, "new\n");
        assert_eq!(new, format!("a\n{}b\n", block("new\n")));
    }

    #[test]
    fn shells_parse_from_names_and_paths() {
        assert_eq!(Shell::parse("/usr/bin/zsh"), Some(Shell::Zsh));
        assert_eq!(Shell::parse("bash"), Some(Shell::Bash));
        assert_eq!(Shell::parse("fish"), None);
    }
}
