//! JavaScript package managers (`npm`, `pnpm`, `yarn`, `bun`, `cnpm`):
//! which of their forms are builds, reads or changes, with the workspace
//! selection (`--filter web`, `yarn workspace web …`) taken off first.

use super::Cmd;
use super::forms::{Form, listed, task, without_values};
use Form::{Change, Safe, Unknown};

/// The form of `c`, whose positional words are `pos`.
pub(crate) fn form(c: &Cmd, pos: Vec<String>) -> Form {
    let pos = js_words(c, pos);
    let words: Vec<&str> = pos.iter().map(String::as_str).collect();
    let s0 = pos.first().map(String::as_str).unwrap_or("");
    let s1 = pos.get(1).map(String::as_str).unwrap_or("");
    js_pm(c, &c.name, s0, s1, &words)
}

/// A JavaScript package manager's command words with its workspace
/// selection taken off: the values of `--filter`/`-F` (pnpm, bun),
/// `-w`/`--workspace` (npm), `--cwd`/`--dir`/`--prefix`, and yarn's
/// `workspace NAME …` and `workspaces foreach [--include X …] …`, so
/// `pnpm --filter web test` and `yarn workspace web build` are judged as
/// `test` and `build` are.
pub(crate) fn js_words(c: &Cmd, pos: Vec<String>) -> Vec<String> {
    let mut out = without_values(c, pos, workspace_options(&c.name), &[]);
    out.drain(..workspace_prefix(c, &out));
    out
}

/// The options of package manager `name` that select a workspace or a
/// directory and take the next word as their value.
fn workspace_options(name: &str) -> &'static [&'static str] {
    match name {
        "pnpm" => &[
            "--filter",
            "-F",
            "-C",
            "--dir",
            "--filter-prod",
            "--test-pattern",
        ],
        "npm" | "cnpm" => &["-w", "--workspace", "--prefix", "-C"],
        "yarn" => &["--cwd", "--include", "--exclude", "--from"],
        "bun" => &["--filter", "-F", "--cwd"],
        _ => &[],
    }
}

/// Does `opt` select a workspace and take the next word (`--filter web`)?
pub(crate) fn selects_workspace(c: &Cmd, opt: &str) -> bool {
    workspace_options(&c.name).contains(&opt)
}

/// How many of the leading words `pos` (option values taken off) only
/// select workspaces: yarn's `workspace NAME` and `workspaces foreach`,
/// and yarn 1's `workspaces` before `run`.
pub(crate) fn workspace_prefix(c: &Cmd, pos: &[String]) -> usize {
    if c.name != "yarn" {
        return 0;
    }
    match pos
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["workspace", _, _, ..] | ["workspaces", "foreach", ..] => 2,
        ["workspaces", "run", ..] => 1,
        _ => 0,
    }
}

fn js_pm(c: &Cmd, n: &str, s0: &str, s1: &str, words: &[&str]) -> Form {
    if listed(n, words) {
        return Safe;
    }
    // Installing exactly what the lockfile names, as `npm ci` does
    // (`pnpm install --frozen-lockfile`, `yarn install --immutable`).
    if matches!(s0, "install" | "i")
        && words.len() == 1
        && c.has(&["--frozen-lockfile", "--immutable"])
        && !c.has(&["-g", "--global"])
    {
        return Safe;
    }
    match s0 {
        "run" | "run-script" | "rum" | "urn" => task(s1),
        "config" if !matches!(s1, "set" | "delete" | "edit" | "fix") => Safe,
        "config" => Change(format!("changes {n}'s configuration")),
        "audit" if !c.has(&["fix"]) && s1 != "fix" => Safe,
        "exec" | "x" | "dlx" => Unknown,
        "install" | "i" | "add" | "isntall" | "update" | "up" | "upgrade" | "dedupe" | "ddp"
        | "prune" | "link" | "ln" | "rebuild" | "rb" | "uninstall" | "remove" | "rm" | "un"
        | "unlink" | "r" => {
            Change("changes the project's dependencies (node_modules, lockfile)".into())
        }
        "init" | "create" | "pkg" | "version" | "set-script" | "cache" | "publish"
        | "unpublish" | "deprecate" | "dist-tag" | "login" | "logout" | "adduser" | "owner"
        | "access" | "token" | "team" | "org" | "star" | "unstar" | "hook" | "patch"
        | "patch-commit" | "import" | "set" => Change(format!("runs `{n} {s0}`")),
        // `yarn build`, `pnpm lint`, `bun dev`: a project script by name.
        _ if n != "npm" => task(s0),
        _ => Unknown,
    }
}
