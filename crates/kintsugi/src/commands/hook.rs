//! `kintsugi hook --agent NAME`: the native pre-tool hook of an agent CLI.
//! Reads the agent's JSON payload on stdin, asks the daemon, prints the
//! answer in that agent's dialect and exits with the code the agent reads.
//! The flow lives in `kintsugi_intercept::hook`; this file only parses
//! arguments and writes the answer. No async runtime on this path: a hook is
//! a short-lived process started for every tool call.
//!
//! `kintsugi hook --agent NAME --after` is the post-tool hook that reports a
//! finished command (see `kintsugi_intercept::hook::after`).
//!
//! `kintsugi hook --print-opencode-plugin` prints the OpenCode plugin file
//! that calls `kintsugi hook --agent opencode`.

use anyhow::{Context as _, Result};
use clap::Args;
use kintsugi_intercept::hook::{self, Agent, FailMode, Options};
use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Args)]
pub struct HookArgs {
    /// The agent CLI whose hook payload arrives on stdin.
    #[arg(long, value_parser = parse_agent, required_unless_present = "print_opencode_plugin")]
    agent: Option<Agent>,
    /// Longest wait for a human on a held command, in seconds; keep it below
    /// the hook timeout configured in the agent (default per agent: see
    /// `kintsugi limits`, 25 to 300; at most 600). `KINTSUGI_HOOK_WAIT_SECS` may only shorten the default: an
    /// agent that kills a slow hook lets the command run.
    #[arg(long)]
    wait_secs: Option<u64>,
    /// Run as the agent's post-tool hook (Claude Code and Codex
    /// `PostToolUse`, Gemini CLI `AfterTool`, Qwen Code `PostToolUse`):
    /// report that the command finished. Never blocks; prints nothing.
    #[arg(long, conflicts_with = "print_opencode_plugin")]
    after: bool,
    /// Print the OpenCode plugin (save it under .opencode/plugins/) and exit.
    #[arg(long, conflicts_with = "agent")]
    print_opencode_plugin: bool,
}

/// The hook's common forms, `hook --agent NAME` and `hook --agent=NAME`
/// (with an optional `--wait-secs N` or `--after`), parsed without building the whole
/// command-line parser: this runs for every tool call an agent makes.
/// Anything else returns `None` and goes through clap as usual.
pub fn fast_args(args: &[String]) -> Option<HookArgs> {
    let mut agent = None;
    let mut wait_secs = None;
    let mut after = false;
    let mut rest = args.iter();
    while let Some(a) = rest.next() {
        match a.as_str() {
            "--agent" => agent = Some(rest.next()?.clone()),
            "--after" => after = true,
            "--wait-secs" => wait_secs = Some(rest.next()?.parse().ok()?),
            _ => match a.split_once('=') {
                Some(("--agent", v)) => agent = Some(v.to_string()),
                Some(("--wait-secs", v)) => wait_secs = Some(v.parse().ok()?),
                _ => return None,
            },
        }
    }
    let agent = agent?.parse::<Agent>().ok()?;
    Some(HookArgs {
        agent: Some(agent),
        wait_secs,
        after,
        print_opencode_plugin: false,
    })
}

pub fn run(args: HookArgs) -> Result<ExitCode> {
    let wait = args.wait_secs.map(Duration::from_secs);
    if args.print_opencode_plugin {
        let bin = std::env::current_exe()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| "kintsugi".into());
        let wait = wait.unwrap_or_else(|| Agent::OpenCode.default_wait());
        print!("{}", hook::opencode::plugin_source(&bin, wait));
        return Ok(ExitCode::SUCCESS);
    }
    let agent = args
        .agent
        .context("--agent is required (or --print-opencode-plugin)")?;
    let (wait, note) = match wait {
        Some(w) => (Some(w), None),
        None => wait_from_env(agent, std::env::var("KINTSUGI_HOOK_WAIT_SECS").ok()),
    };
    let mut opts = Options::from_env(agent, wait, fail_mode_from_config);
    opts.warnings.extend(note);
    let answer = if args.after {
        hook::after::run(&opts, &mut std::io::stdin().lock())
    } else {
        hook::run(&opts, &mut std::io::stdin().lock())
    };
    // A write failure must not turn into exit 1 (which every agent treats as
    // "let it run"): the exit code alone still carries a block.
    let _ = std::io::stdout()
        .lock()
        .write_all(answer.stdout.as_bytes())
        .context("writing the answer");
    let _ = std::io::stderr().lock().write_all(answer.stderr.as_bytes());
    Ok(ExitCode::from(answer.exit))
}

/// `--agent NAME` (or an alias such as `agy`) as an [`Agent`].
fn parse_agent(s: &str) -> Result<Agent, String> {
    s.parse()
}

/// `KINTSUGI_HOOK_WAIT_SECS`: it applies to every agent at once, so it may
/// shorten the agent's default wait but never lengthen it past the agent's
/// default hook timeout (the agent would kill the hook and run the command).
/// A longer wait needs `--wait-secs` in the hook config, next to a longer
/// timeout there. Returns the wait and a note when the value was not used.
fn wait_from_env(agent: Agent, value: Option<String>) -> (Option<Duration>, Option<String>) {
    let Some(value) = value.filter(|v| !v.trim().is_empty()) else {
        return (None, None);
    };
    let default = agent.default_wait();
    match value.trim().parse::<u64>() {
        Ok(secs) if Duration::from_secs(secs) <= default => (Some(Duration::from_secs(secs)), None),
        Ok(secs) => (
            None,
            Some(format!(
                "KINTSUGI_HOOK_WAIT_SECS={secs} is longer than {}'s hook timeout allows; \
                 waiting {} s (use --wait-secs in the hook config with a longer timeout there)",
                agent.name(),
                default.as_secs()
            )),
        ),
        Err(_) => (
            None,
            Some(format!(
                "KINTSUGI_HOOK_WAIT_SECS={value:?} is not a number of seconds; waiting {} s",
                default.as_secs()
            )),
        ),
    }
}

/// The config's `fail_mode`, read only when the daemon cannot answer. A
/// config that cannot be read errs towards `closed`, as the shim does.
fn fail_mode_from_config() -> (FailMode, Option<String>) {
    let (config, warning) = crate::gate::config_or_safest();
    (config.fail_mode, warning)
}

#[cfg(test)]
mod wait_tests {
    use super::*;

    #[test]
    fn the_environment_may_shorten_the_wait_but_not_outlast_the_agent() {
        let secs = |v: &str, a| wait_from_env(a, Some(v.to_string()));
        assert_eq!(
            secs("3", Agent::Claude),
            (Some(Duration::from_secs(3)), None)
        );
        let (wait, note) = secs("120", Agent::Claude);
        assert_eq!(wait, None, "Claude's default timeout is 60 s");
        assert!(note.unwrap().contains("55 s"));
        assert_eq!(secs("120", Agent::Codex).0, Some(Duration::from_secs(120)));
        let (wait, note) = secs("soon", Agent::Gemini);
        assert_eq!(wait, None);
        assert!(note.unwrap().contains("not a number"));
        assert_eq!(wait_from_env(Agent::Claude, None), (None, None));
    }
}

#[cfg(test)]
mod fast_args_tests {
    use super::*;

    fn v(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_common_forms_parse_and_anything_else_goes_to_clap() {
        let a = fast_args(&v(&["--agent", "claude"])).unwrap();
        assert_eq!(a.agent, Some(Agent::Claude));
        let a = fast_args(&v(&["--agent=codex", "--wait-secs", "9"])).unwrap();
        assert_eq!((a.agent, a.wait_secs), (Some(Agent::Codex), Some(9)));
        let a = fast_args(&v(&["--agent", "agy"])).unwrap();
        assert_eq!(a.agent, Some(Agent::Antigravity));
        for odd in [
            &["--agent"][..],
            &["--agent", "bogus"],
            &["--agent", "claude", "--help"],
            &["--print-opencode-plugin"],
            &["--agent", "claude", "--wait-secs", "x"],
            &[],
        ] {
            assert!(fast_args(&v(odd)).is_none(), "{odd:?}");
        }
    }
}
