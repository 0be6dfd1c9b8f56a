//! `kintsugi test`: classify a command line and show class, rule, sentence,
//! the programs seen and the effects. Runs nothing, logs nothing, needs no
//! daemon. With no COMMAND it reads one command per line from stdin.
//!
//! Exit codes: 0 when every line was analysed (whatever its class), 2 for
//! bad arguments, 1 when stdin cannot be read.

use anyhow::{Context as _, Result};
use clap::Args;
use kintsugi_classify::Context;
use serde_json::Value;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args)]
pub struct TestArgs {
    /// Print one compact JSON object per command.
    #[arg(long)]
    json: bool,
    /// Working directory the command would run in (need not exist).
    #[arg(long)]
    cwd: Option<PathBuf>,
    /// Home directory (default: $HOME).
    #[arg(long)]
    home: Option<PathBuf>,
    /// Instead of one line: report the classifier's accuracy on labelled
    /// corpus files (`expected<TAB>family<TAB>cwd<TAB>command` lines, as in
    /// crates/kintsugi-classify/tests/corpus/). Home is /home/dev and the
    /// project root /home/dev/proj unless --home says otherwise. Exit 1 when
    /// a catastrophic line is classed safe or a safe line catastrophic.
    #[arg(long, num_args = 1.., value_name = "FILE")]
    corpus: Vec<PathBuf>,
    /// The command line; several words are joined with spaces.
    #[arg(last = true)]
    command: Vec<String>,
}

/// The nearest ancestor of `cwd` (itself included) that holds `.git`.
pub fn project_root(cwd: &Path) -> Option<PathBuf> {
    cwd.ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}

/// The analysis context for the CLI's arguments.
pub fn context(cwd: Option<PathBuf>, home: Option<PathBuf>) -> Result<Context> {
    let cwd = match cwd {
        Some(c) if c.is_absolute() => c,
        Some(c) => std::env::current_dir()?.join(c),
        None => std::env::current_dir().context("cannot read the current directory; pass --cwd")?,
    };
    let home = home.unwrap_or_else(kintsugi_protocol::home_dir);
    Ok(Context {
        project_root: project_root(&cwd),
        cwd,
        home,
    })
}

pub fn run(args: TestArgs) -> Result<ExitCode> {
    if !args.corpus.is_empty() {
        return corpus_report(&args.corpus, args.home);
    }
    let ctx = context(args.cwd, args.home)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if !args.command.is_empty() {
        let line = args.command.join(" ");
        print_one(&mut out, &line, &ctx, args.json)?;
        return Ok(ExitCode::SUCCESS);
    }
    for line in std::io::stdin().lock().lines() {
        let line = line.context("cannot read stdin")?;
        if line.trim().is_empty() {
            continue;
        }
        print_one(&mut out, &line, &ctx, args.json)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn print_one(out: &mut impl Write, line: &str, ctx: &Context, json: bool) -> Result<()> {
    let read = |p: &str| kintsugi_daemon::script_files::read_script(p);
    let analysis = kintsugi_classify::analyze_with_files(line, ctx, &read);
    let mut value = serde_json::to_value(&analysis)?;
    if json {
        if let Value::Object(map) = &mut value {
            map.insert("command".into(), Value::String(line.to_string()));
        }
        writeln!(out, "{}", serde_json::to_string(&value)?)?;
        return Ok(());
    }
    writeln!(out, "command   {line}")?;
    writeln!(out, "class     {}", analysis.class.as_str())?;
    writeln!(out, "rule      {}", analysis.rule)?;
    writeln!(out, "reason    {}", analysis.reason)?;
    if let Some(Value::Array(programs)) = value.get("commands") {
        writeln!(out, "programs")?;
        for p in programs {
            writeln!(out, "  {}", render_program(p))?;
        }
    }
    if let Some(Value::Array(effects)) = value.get("effects") {
        writeln!(out, "effects")?;
        if effects.is_empty() {
            writeln!(out, "  none")?;
        }
        for e in effects {
            writeln!(out, "  {}", render_fields(e))?;
        }
    }
    writeln!(out)?;
    Ok(())
}

fn render_program(p: &Value) -> String {
    let words = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .map(|w| w.as_str().unwrap_or("?").to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    let argv = words(p.get("argv")).join(" ");
    let via = words(p.get("via"));
    if via.is_empty() {
        argv
    } else {
        format!("{argv}    (via {})", via.join(" → "))
    }
}

fn render_fields(e: &Value) -> String {
    let Value::Object(map) = e else {
        return e.to_string();
    };
    let kind = map.get("kind").and_then(Value::as_str).unwrap_or("effect");
    let rest: Vec<String> = map
        .iter()
        .filter(|(k, _)| k.as_str() != "kind")
        .map(|(k, v)| match v {
            Value::String(s) => format!("{k}={s}"),
            other => format!("{k}={other}"),
        })
        .collect();
    format!("{kind} {}", rest.join(" "))
}

/// `kintsugi test --corpus FILE…`: the accuracy report over labelled files.
fn corpus_report(files: &[PathBuf], home: Option<PathBuf>) -> Result<ExitCode> {
    use kintsugi_classify::corpus::{Report, parse};
    let mut cases = Vec::new();
    let mut errors = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(f)
            .with_context(|| format!("cannot read corpus file {}", f.display()))?;
        match parse(&f.display().to_string(), &text) {
            Ok(c) => cases.extend(c),
            Err(e) => errors.extend(e),
        }
    }
    if !errors.is_empty() {
        anyhow::bail!(
            "malformed corpus lines (fix them; format: expected<TAB>family<TAB>cwd<TAB>command):\n{}",
            errors.join("\n")
        );
    }
    let home = home.unwrap_or_else(|| PathBuf::from("/home/dev"));
    let project = home.join("proj");
    let report = Report::evaluate(&cases, &home, Some(&project));
    let mut out = std::io::stdout().lock();
    match write!(out, "{report}") {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other.context("cannot write the report")?,
    }
    Ok(if report.leaks() > 0 || report.false_blocks() > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
