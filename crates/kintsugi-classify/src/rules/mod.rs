//! From effects to class, stable rule id and one plain sentence. Each effect
//! is judged by the module of its kind (`files`, `git`, `stores`, `network`,
//! `security`, `system`, `unread`); for a whole line the worst effect wins,
//! and a line with no effect gets the safe rule its programs earn
//! (`safe:build`, `safe:git-local`, `safe:read-only`, `safe:empty`).

mod files;
mod git;
mod network;
mod security;
mod stores;
mod system;
mod unread;

pub(crate) use network::is_local_host;

use crate::effects::Effect;
use crate::{Class, Context, Program};

use Class::{Ambiguous as A, Catastrophic as C, Safe as S};

/// A judgement: class, stable rule id, one plain sentence.
pub(crate) type Verdict = (Class, String, String);

fn verdict(c: Class, rule: &str, s: String) -> Verdict {
    (c, rule.to_string(), s)
}

/// Judge one effect on its own.
pub(crate) fn judge(e: &Effect, ctx: &Context) -> Verdict {
    let (c, rule, sentence) = judge_by_kind(e, ctx);
    // A computed variable's marker (`words::COMPUTED`) is not for people.
    let sentence = match crate::words::without_marker(&sentence) {
        std::borrow::Cow::Owned(clean) => clean,
        std::borrow::Cow::Borrowed(_) => sentence,
    };
    (c, rule, sentence)
}

/// Route an effect to the module of its kind.
fn judge_by_kind(e: &Effect, ctx: &Context) -> Verdict {
    match e {
        Effect::Delete { path, recursive } => files::delete(path, *recursive, ctx),
        Effect::Overwrite { path, append } => files::overwrite(path, *append, ctx),
        Effect::Move { from, to } => files::move_path(from, to, ctx),
        Effect::Chmod { path, recursive } => files::chmod(path, *recursive, ctx),
        Effect::GitRefRewrite {
            remote,
            refspec,
            force,
            delete,
            ..
        } => git::ref_rewrite(remote, refspec, *force, *delete),
        Effect::GitDiscard { repo, what } => git::discard(repo, what),
        Effect::GitHistoryRewrite { repo, what } => git::history_rewrite(repo, what),
        Effect::GitChange { what } => git::change(what),
        Effect::DbDestroy { engine, what } => stores::db_destroy(engine, what),
        Effect::DbWrite { engine, what } => stores::db_write(engine, what),
        Effect::CloudDestroy { tool, what } => stores::cloud_destroy(tool, what),
        Effect::CloudChange { tool, what } => stores::cloud_change(tool, what),
        Effect::NetworkEgress {
            host,
            payload,
            sensitive,
        } => network::egress(host, payload, *sensitive),
        Effect::Download { host, to } => network::download(host, to),
        Effect::RemoteExec {
            host,
            reverse_shell,
        } => network::remote_exec(host, *reverse_shell),
        Effect::DownloadExec {
            source,
            interpreter,
        } => network::download_exec(source, interpreter),
        Effect::SecretRead { path } => security::secret_read(path),
        Effect::Persistence { what, path } => security::persistence(what, path),
        Effect::SecurityDisable { what, control } => security::security_disable(what, control),
        Effect::DiskWrite { device, what } => system::disk_write(device, what),
        Effect::Power { what } => system::power(what),
        Effect::ForkBomb { name } => system::fork_bomb(name),
        Effect::PackageChange { manager, what } => system::package_change(manager, what),
        Effect::Change { program, what } => system::change(program, what),
        Effect::Unknown { form, what, .. } => unread::unknown(form, what),
        Effect::Opaque { what, exec } => unread::opaque(what, *exec),
        Effect::ParseError { what } => unread::parse_error(what),
        Effect::Limit { what } => unread::limit(what),
    }
}

/// The verdict for a whole line: the worst of its effects (ties go to the
/// first); with none, or only read-only ones, the safe rule the line's
/// programs earn.
pub(crate) fn worst_or_safe_verdict(
    effects: &[Effect],
    commands: &[Program],
    ctx: &Context,
) -> Verdict {
    let mut best: Option<Verdict> = None;
    for e in effects {
        let v = judge(e, ctx);
        if best.as_ref().is_none_or(|b| v.0 > b.0) {
            best = Some(v);
        }
    }
    if let Some(b) = best
        && (b.0 > S || b.1 != "safe:read-only")
    {
        return b;
    }
    let build = commands.iter().any(|p| {
        p.argv
            .first()
            .is_some_and(|n| crate::safe_list::is_build(n, &p.argv))
    });
    if build {
        (
            S,
            "safe:build".into(),
            "Runs confined build, test or lint work.".into(),
        )
    } else if commands
        .iter()
        .any(|p| p.argv.first().is_some_and(|n| n == "git"))
    {
        (
            S,
            "safe:git-local".into(),
            "Reads or makes local, reversible git changes.".into(),
        )
    } else if commands.is_empty() {
        (S, "safe:empty".into(), "Runs nothing.".into())
    } else {
        (
            S,
            "safe:read-only".into(),
            "Reads or prints information without changing anything important.".into(),
        )
    }
}
