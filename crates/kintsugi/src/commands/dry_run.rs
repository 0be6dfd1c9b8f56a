//! `kintsugi dry-run`: classify your recent shell history (or a file, or
//! stdin) and summarise what Kintsugi would have held or blocked.

use super::test::context;
use anyhow::{Context as _, Result, bail};
use clap::Args;
use kintsugi_classify::{Class, analyze};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct DryRunArgs {
    /// Read commands from this file (`-` for stdin) instead of your history.
    #[arg(long)]
    file: Option<PathBuf>,
    /// Only the last N commands.
    #[arg(short = 'n', long, default_value_t = 1000)]
    last: usize,
    /// Also list every safe command.
    #[arg(long)]
    all: bool,
}

/// History lines, with zsh's extended-history prefix (`: 123:0;cmd`) removed.
fn history_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(
            |l| match l.strip_prefix(": ").and_then(|r| r.split_once(';')) {
                Some((_, cmd)) => cmd.to_string(),
                None => l.to_string(),
            },
        )
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .collect()
}

fn default_history() -> Result<(PathBuf, Vec<u8>)> {
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    let mut candidates = Vec::new();
    if let Some(h) = std::env::var_os("HISTFILE") {
        candidates.push(PathBuf::from(h));
    }
    candidates.push(home.join(".zsh_history"));
    candidates.push(home.join(".bash_history"));
    for c in candidates {
        if let Ok(bytes) = std::fs::read(&c) {
            return Ok((c, bytes));
        }
    }
    bail!("no shell history found ($HISTFILE, ~/.zsh_history, ~/.bash_history); pass --file F")
}

pub fn run(args: DryRunArgs) -> Result<ExitCode> {
    let (source, bytes) = match &args.file {
        Some(p) if p.as_os_str() == "-" => {
            let mut b = Vec::new();
            std::io::stdin()
                .read_to_end(&mut b)
                .context("cannot read stdin")?;
            (p.clone(), b)
        }
        Some(p) => (
            p.clone(),
            std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?,
        ),
        None => default_history()?,
    };
    let text = String::from_utf8_lossy(&bytes);
    let lines = history_lines(&text);
    let start = lines.len().saturating_sub(args.last);
    let ctx = context(None, None)?;
    let mut counts: BTreeMap<Class, usize> = BTreeMap::new();
    let mut by_rule: BTreeMap<String, usize> = BTreeMap::new();
    for line in &lines[start..] {
        let a = analyze(line, &ctx);
        *counts.entry(a.class).or_default() += 1;
        if a.class != Class::Safe {
            *by_rule.entry(a.rule.clone()).or_default() += 1;
        }
        if a.class != Class::Safe || args.all {
            let verdict = match a.class {
                Class::Safe => "allow",
                _ => "hold ",
            };
            println!("{verdict} {:<12} {:<24} {line}", a.class.as_str(), a.rule);
        }
    }
    let n = lines.len() - start;
    let get = |c| counts.get(&c).copied().unwrap_or(0);
    println!();
    println!("{n} commands from {}", source.display());
    println!(
        "  safe {:>6}  (allowed)\n  ambiguous {:>6}  (held for a glance in attended mode)\n  catastrophic {:>6}  (held; denied in unattended mode)",
        get(Class::Safe),
        get(Class::Ambiguous),
        get(Class::Catastrophic)
    );
    if !by_rule.is_empty() {
        println!("by rule:");
        let mut rules: Vec<_> = by_rule.into_iter().collect();
        rules.sort_by_key(|r| std::cmp::Reverse(r.1));
        for (rule, c) in rules.iter().take(20) {
            println!("  {c:>5}  {rule}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zsh_extended_history_is_unwrapped() {
        let lines = history_lines(": 1700000000:0;git status\nls -la\n\n");
        assert_eq!(lines, vec!["git status", "ls -la"]);
    }
}
