//! The known-safe forms of the build, package and task tools: which
//! subcommands, targets and project scripts only build, test, lint or read.
//! The subcommands are the fourth column of the program table
//! (`table.tsv`, read through `table::safe_form`); project script and task
//! names are the lists below. A listed form is safe; a known mutating form
//! is a change (ambiguous); any other form is `unknown:subcommand`.
//! Programs with no safe forms are judged by their family handler alone.

use super::Cmd;

/// How one invocation of a table-backed program reads.
#[derive(Debug, PartialEq)]
pub(crate) enum Form {
    /// Builds, tests, lints or reads inside the project.
    Safe,
    /// A known form that changes something (the sentence's tail).
    Change(String),
    /// Not a form Kintsugi knows.
    Unknown,
}

use Form::{Change, Safe, Unknown};

/// What a build tool's task changes, read from the parts of its first two
/// words (`deps.update`, `pub upgrade`, `hex.publish`, `clean`).
fn build_task_change(words: &[&str]) -> Option<&'static str> {
    let parts = || words.iter().take(2).flat_map(|w| w.split([':', '.', '-']));
    let any = |set: &[&str]| parts().any(|p| set.contains(&p));
    if any(&["update", "upgrade", "add", "remove", "install"]) {
        Some("changes the project's dependencies")
    } else if any(&["clean", "purge", "prune"]) {
        Some("removes build outputs or caches")
    } else if any(&["publish", "upload", "deploy"]) {
        Some("publishes the package")
    } else {
        None
    }
}

/// The tasks of a `mix` line: `mix do a, b` and `mix do a + b` run each
/// in turn; any other line runs its first word.
pub(crate) fn mix_tasks(pos: &[String]) -> Vec<&str> {
    match pos.split_first() {
        Some((first, rest)) if first == "do" => rest
            .iter()
            .flat_map(|w| w.split(','))
            .map(str::trim)
            .filter(|t| !t.is_empty() && *t != "+")
            .collect(),
        Some((first, _)) => vec![first.as_str()],
        None => Vec::new(),
    }
}

/// Project-script and task names that build, test, lint, serve or read.
const SAFE_TASKS: &[&str] = &[
    "build",
    "test",
    "tests",
    "testonly",
    "testquick",
    "lint",
    "check",
    "checks",
    "typecheck",
    "type-check",
    "types",
    "tsc",
    "compile",
    "dev",
    "start",
    "serve",
    "preview",
    "watch",
    "storybook",
    "docs",
    "doc",
    "coverage",
    "cov",
    "e2e",
    "bench",
    "benchmark",
    "verify",
    "validate",
    "analyze",
    "size",
    "all",
    "default",
    "ci",
    "vet",
    "html",
    "run",
    "debug",
    "spec",
    "specs",
    "unit",
    "integration",
    "format-check",
    "fmt-check",
    "check-format",
    "lint-check",
    "prettier-check",
    "audit",
    "help",
    "list",
    "tasks",
    "projects",
    "dependencies",
    "assemble",
    "package",
    "jar",
    "war",
    "javadoc",
    "site",
    "report",
    "reports",
    "smoke",
    "pretest",
    "posttest",
    "prebuild",
    "postbuild",
    "quality",
    "precommit",
    "pre-commit",
    "static",
    "mypy",
    "pytest",
    "flake8",
    "ruff",
    "clippy",
    "fmtcheck",
    "test-all",
    "testall",
    "tidy-check",
    "bootrun",
    "classes",
    "testclasses",
];

/// Task names that change the project, the machine or somewhere else.
const CHANGE_TASKS: &[&str] = &[
    "clean",
    "distclean",
    "mrproper",
    "clobber",
    "install",
    "uninstall",
    "deploy",
    "publish",
    "release",
    "push",
    "upload",
    "format",
    "fmt",
    "prettier",
    "fix",
    "migrate",
    "migration",
    "migrations",
    "seed",
    "reset",
    "db",
    "drop",
    "purge",
    "prune",
    "nuke",
    "destroy",
    "delete",
    "remove",
    "teardown",
    "down",
    "update",
    "upgrade",
    "bump",
    "version",
    "setup",
    "bootstrap",
    "init",
    "generate",
    "gen",
    "codegen",
    "vendor",
    "sync",
    "tag",
    "rollback",
    "restore",
    "wipe",
    "flush",
    "kill",
    "stop",
    "reinstall",
    "uninstall-all",
    "autofix",
    "lint-fix",
    "fix-lint",
];

/// A project script or task name: safe, a change, or unknown.
pub(crate) fn task(name: &str) -> Form {
    let l = name.to_ascii_lowercase();
    let parts: Vec<&str> = l
        .split([':', '-', '_', '.', '/'])
        .filter(|p| !p.is_empty())
        .collect();
    if parts.iter().any(|p| CHANGE_TASKS.contains(p)) && !parts.contains(&"check") {
        return Change(format!("runs the `{name}` task, which changes things"));
    }
    if SAFE_TASKS.contains(&l.as_str()) || parts.first().is_some_and(|p| SAFE_TASKS.contains(p)) {
        return Safe;
    }
    // `scalafmtCheckAll`, `spotlessCheck`, `format-check`: checks only.
    if ["check", "checkall"].iter().any(|k| l.ends_with(k)) {
        return Safe;
    }
    Unknown
}

/// A task runner's targets: `subs` less the values of its options that
/// take one as the next word (`make -C tools lint`, `make -j 4 all`,
/// `just -f ci.just test`), which are no task names.
fn task_words(c: &Cmd, pos: Vec<String>) -> Vec<String> {
    let takes: &[&str] = match c.name.as_str() {
        "make" | "gmake" => &[
            "-C",
            "-f",
            "-I",
            "-o",
            "-W",
            "--directory",
            "--file",
            "--makefile",
            "--include-dir",
            "--old-file",
            "--assume-old",
            "--new-file",
            "--assume-new",
            "--what-if",
        ],
        "just" => &["-f", "--justfile", "-d", "--working-directory"],
        "task" => &["-d", "--dir", "-t", "--taskfile"],
        _ => &[],
    };
    let counts = ["-j", "--jobs", "-l", "--load-average", "--max-load"];
    without_values(c, pos, takes, &counts)
}

/// `pos` less the values of `c`'s options that take the next word: any
/// option of `takes`, and one of `counts` when the word is a number.
pub(crate) fn without_values(
    c: &Cmd,
    pos: Vec<String>,
    takes: &[&str],
    counts: &[&str],
) -> Vec<String> {
    let mut values: Vec<&str> = Vec::new();
    for pair in c.args.windows(2) {
        let (opt, val) = (pair[0].text.as_str(), pair[1].text.as_str());
        let numeric = !val.is_empty() && val.bytes().all(|b| b.is_ascii_digit() || b == b'.');
        if takes.contains(&opt) || counts.contains(&opt) && numeric {
            values.push(val);
        }
    }
    let mut out = pos;
    for v in values {
        if let Some(i) = out.iter().position(|p| p == v) {
            out.remove(i);
        }
    }
    out
}

/// The subcommand words of `c`: positionals, skipping `+toolchain` and
/// `VAR=value` words.
fn subs(c: &Cmd) -> Vec<String> {
    c.positional()
        .iter()
        .map(|w| w.text.clone())
        .filter(|t| !t.starts_with('+') && !t.contains('='))
        .collect()
}

/// A tool printing its own shell integration (`starship init bash`,
/// `direnv hook zsh`, `brew shellenv`, `kubectl completion bash`): it only
/// prints a script for the user's shell.
pub(crate) fn shell_integration(c: &Cmd) -> bool {
    let pos: Vec<&str> = c.positional().iter().map(|w| w.text.as_str()).collect();
    let shells = [
        "bash",
        "zsh",
        "fish",
        "sh",
        "powershell",
        "pwsh",
        "elvish",
        "nu",
        "xonsh",
        "-",
    ];
    let verb = |w: &str| {
        matches!(
            w,
            "init"
                | "hook"
                | "activate"
                | "completion"
                | "completions"
                | "shellenv"
                | "shell-init"
                | "env"
                | "setup"
        )
    };
    match pos.as_slice() {
        [v] if verb(v) && matches!(c.name.as_str(), "brew" | "opam" | "luarocks") => true,
        [v, sh, ..] if verb(v) && shells.contains(sh) => true,
        [v] if verb(v) && c.has(&["--bash", "--zsh", "--fish", "-s", "--shell"]) => true,
        [] => matches!(c.name.as_str(), "dircolors" | "lesspipe" | "lesspipe.sh"),
        _ => c.name == "conda" && pos.first() == Some(&"shell.bash") && pos.get(1) == Some(&"hook"),
    }
}

/// Whether the program table lists `c`'s subcommand words as a safe form of
/// its program (for programs no family rule and no known-safe list covers).
pub(crate) fn table_lists(c: &Cmd) -> bool {
    let pos = subs(c);
    let words: Vec<&str> = pos.iter().map(String::as_str).collect();
    listed(&c.name, &words)
}

/// Whether the program table lists the words `pos` as a safe form of `n`.
pub(crate) fn listed(n: &str, pos: &[&str]) -> bool {
    super::table::safe_form(n, pos) == Some(true)
}

/// The form of `c`, for programs that have a table; `None` otherwise.
pub(crate) fn form(c: &Cmd) -> Option<Form> {
    let n = c.name.as_str();
    let pos = subs(c);
    let words: Vec<&str> = pos.iter().map(String::as_str).collect();
    let s0 = pos.first().map(String::as_str).unwrap_or("");
    let s1 = pos.get(1).map(String::as_str).unwrap_or("");
    Some(match n {
        "cargo" => cargo(c, s0, &words),
        "npm" | "pnpm" | "yarn" | "bun" | "cnpm" => super::js_pm::form(c, pos),
        "make" | "gmake" | "just" | "task" | "mage" | "invoke" | "rake" | "earthly" => {
            let pos = task_words(c, pos);
            if c.short('n')
                || c.has(&[
                    "--just-print",
                    "--dry-run",
                    "--recon",
                    "--list",
                    "-l",
                    "--summary",
                ])
            {
                return Some(Safe);
            }
            if pos.is_empty() {
                Safe
            } else {
                pos.iter()
                    .map(|t| task(t))
                    .find(|f| *f != Safe)
                    .unwrap_or(Safe)
            }
        }
        "go" => match s0 {
            _ if listed(n, &words) => Safe,
            "mod" => Change("edits go.mod or the module cache".into()),
            "fmt" | "fix" => Change("rewrites files in place".into()),
            "clean" => Change("removes build outputs or caches".into()),
            "get" | "install" | "work" => Change("changes the module's dependencies".into()),
            "generate" => Unknown,
            _ => Unknown,
        },
        "pip" | "pip3" => match s0 {
            _ if listed(n, &words) => Safe,
            "install" => Change("installs packages into the environment".into()),
            _ => Change(format!("runs `pip {s0}`")),
        },
        "mvn" | "gradle" | "gradlew" | "./gradlew" | "mvnw" | "./mvnw" | "sbt" => {
            super::jvm_build::tasks(c)
                .iter()
                .map(|t| {
                    let last = t.rsplit(':').next().unwrap_or(t);
                    if t.contains(':') && matches!(last, "tree" | "analyze" | "list" | "help")
                        || super::jvm_build::READ_TASKS
                            .contains(&last.to_ascii_lowercase().as_str())
                    {
                        Safe
                    } else {
                        task(last)
                    }
                })
                .find(|f| *f != Safe)
                .unwrap_or(Safe)
        }
        "dotnet" => match s0 {
            _ if listed(n, &words) => Safe,
            // Entity Framework's reports: the migrations it knows, the SQL
            // it would run, the context it finds.
            "ef" if matches!(
                (s1, words.get(2).copied().unwrap_or("")),
                (
                    "migrations",
                    "list" | "script" | "has-pending-model-changes"
                ) | ("dbcontext", "info" | "list")
            ) && !c.has(&["-o", "--output"]) =>
            {
                Safe
            }
            "format" if c.has(&["--verify-no-changes"]) => Safe,
            "format" => Change("rewrites files in place".into()),
            "clean" => Change("removes build outputs".into()),
            _ => Unknown,
        },
        "deno" => match s0 {
            _ if listed(n, &words) => Safe,
            "fmt" if c.has(&["--check"]) => Safe,
            "fmt" => Change("rewrites files in place".into()),
            "task" => task(s1),
            _ => return None,
        },
        "git" => git(c, s0, s1),
        "terraform" | "tofu" | "terragrunt" => match s0 {
            "init" if !c.long("-upgrade") && !c.long("--upgrade") => Safe,
            "output" => return None,
            "state" if s1 == "pull" => return None,
            _ if listed(n, &words) => Safe,
            "fmt" if c.long("-check") || c.long("--check") => Safe,
            _ => Change(format!("runs `{n} {s0}`")),
        },
        // `mix deps.update`, `flutter pub upgrade`, `cabal update`: a build
        // tool re-resolving or adding dependencies changes the project; so
        // does a clean, a purge or a publish. Its other tasks are builds.
        "swift" | "flutter" | "dart" | "mix" | "rebar3" | "cabal" | "stack" | "lein" | "zig"
            if build_task_change(&words).is_some() =>
        {
            let what = build_task_change(&words).unwrap_or_default();
            Change(format!("{what} (`{n} {}`)", words.join(" ")))
        }
        "mix" if s0 == "do" || (s0 == "run" && c.has(&["-e", "--eval"])) || s0 == "eval" => {
            Change(format!("runs the tasks or code on the line (`mix {s0}`)"))
        }
        "bazel" | "bazelisk" if s0 == "clean" => {
            Change("removes build outputs (and with --expunge the whole cache)".into())
        }
        "fuser" if c.short('k') => Change("kills the processes using a file or port".into()),
        "mount" | "swapon" if !pos.is_empty() => Change("mounts a filesystem".into()),
        "umount" | "swapoff" => Change("unmounts a filesystem".into()),
        "date" if c.has(&["-s", "--set"]) => Change("sets the system clock".into()),
        "hostnamectl" | "timedatectl" | "localectl" | "loginctl" | "resolvectl" | "networkctl" => {
            if pos.is_empty() || s0.starts_with("status") || s0.starts_with("list") || s0 == "show"
            {
                Safe
            } else {
                Change(format!("runs `{n} {s0}`"))
            }
        }
        "kintsugi" | "kintsugid" => kintsugi(c, s0, s1),
        "twine" => match s0 {
            "check" | "" => Safe,
            _ => Change(format!("runs `twine {s0}` (publishes packages)")),
        },
        "zfs" | "zpool" => match s0 {
            _ if listed(n, &words) => Safe,
            "destroy" if c.short('n') => Safe,
            _ => Change(format!("runs `{n} {s0}`")),
        },
        "e2fsck" | "fsck" | "xfs_repair" | "btrfsck" if c.short('n') => Safe,
        "e2fsck" | "fsck" | "xfs_repair" | "btrfsck" => {
            Change("repairs a filesystem in place".into())
        }
        "dos2unix" | "unix2dos" if !pos.is_empty() => Change("rewrites files in place".into()),
        "bundle" => match s0 {
            _ if listed(n, &words) => Safe,
            _ => Change("changes the project's gems (Gemfile.lock)".into()),
        },
        "pre-commit" => match s0 {
            "run" | "validate-config" | "validate-manifest" | "sample-config" | "help"
            | "try-repo" | "" => Safe,
            _ => Change(format!(
                "runs `pre-commit {s0}` (installs or changes git hooks)"
            )),
        },
        "husky" => match s0 {
            "" | "run" => Safe,
            _ => Change(format!("runs `husky {s0}` (installs or changes git hooks)")),
        },
        "export" if c.has(&["-p"]) => {
            Change("prints every environment variable, secrets included".into())
        }
        "export" if c.args.iter().any(|a| tls_off(&a.text)) => {
            Change("turns off TLS certificate checks for later commands".into())
        }
        "env" | "printenv" if pos.is_empty() => {
            Change("prints every environment variable, secrets included".into())
        }
        _ if super::verb_cli::VERB_CLIS.contains(&n) => super::verb_cli::verb_form(c),
        // A program whose only rules are its row: the listed forms are safe,
        // any other is unknown.
        _ => match super::table::safe_form(n, &words)? {
            true => Safe,
            false => Unknown,
        },
    })
}

/// An assignment that turns off TLS certificate verification.
fn tls_off(w: &str) -> bool {
    let Some((k, v)) = w.split_once('=') else {
        return false;
    };
    let v = v.trim_matches(['"', '\'']);
    match k {
        "NODE_TLS_REJECT_UNAUTHORIZED" | "PYTHONHTTPSVERIFY" => v == "0",
        "GIT_SSL_NO_VERIFY" => !v.is_empty() && v != "0" && v != "false",
        "CURL_CA_BUNDLE" | "REQUESTS_CA_BUNDLE" | "SSL_CERT_FILE" => v.is_empty(),
        _ => false,
    }
}

/// Kintsugi's own commands: reading is safe; every control that approves,
/// runs, undoes, stops, unlocks or unwires is for a human, never an agent.
fn kintsugi(c: &Cmd, s0: &str, s1: &str) -> Form {
    match s0 {
        "test" | "classify" | "dry-run" | "status" | "log" | "verify" | "limits" | "queue"
        | "snapshots" | "doctor" | "help" | "report" | "version" | "bench" | "" => Safe,
        "model" | "record" | "fleet" if matches!(s1, "status" | "log" | "report" | "verify") => {
            Safe
        }
        "hook" | "exec" | "mcp" | "guard" => Safe,
        "init" if c.has(&["--dry-run"]) && !c.has(&["--undo"]) => Safe,
        _ => Change(format!(
            "is Kintsugi's own control (`kintsugi {s0}`): only a human may run it"
        )),
    }
}

fn git(c: &Cmd, s0: &str, s1: &str) -> Form {
    // `git -C DIR status`, `git -c k=v log`: skip global options and values.
    let mut words = Vec::new();
    let mut skip = false;
    for a in &c.args {
        let t = a.text.as_str();
        if skip {
            skip = false;
            continue;
        }
        if matches!(t, "-C" | "-c" | "--git-dir" | "--work-tree" | "--namespace") {
            skip = true;
            continue;
        }
        if !t.starts_with('-') {
            words.push(t);
        }
    }
    let (mut s0, s1) = if words.is_empty() {
        (s0, s1)
    } else {
        (words[0], words.get(1).copied().unwrap_or(""))
    };
    // `git -c alias.st=status st`: an alias defined on the line itself.
    let alias = c.args.iter().find_map(|a| {
        a.text
            .strip_prefix("alias.")
            .and_then(|r| r.split_once('='))
            .filter(|(name, _)| *name == s0)
            .map(|(_, v)| v.to_string())
    });
    let alias_word;
    if let Some(v) = alias {
        if v.starts_with('!') {
            return Unknown;
        }
        alias_word = v.split_whitespace().next().unwrap_or("").to_string();
        s0 = &alias_word;
    }
    if c.has(&["-h", "--help"]) {
        return Safe;
    }
    let subs: &[&str] = match (s0, s1) {
        ("", _) => &[],
        (_, "") => &[s0],
        _ => &[s0, s1],
    };
    if listed("git", subs) {
        return Safe;
    }
    match s0 {
        // Pushes are judged by the git family's push rules (its effects).
        "push" => Safe,
        // Analysis and dry runs of history tools write nothing to history.
        "filter-repo" if c.has(&["--analyze", "--dry-run"]) => Safe,
        "prune" if c.has(&["-n", "--dry-run"]) => Safe,
        "commit" if c.long("--amend") => Change("rewrites the last commit".into()),
        "commit" if c.has(&["--no-verify", "-n"]) => {
            Change("skips the repository's commit hooks".into())
        }
        "commit" => Safe,
        // `branch -d` refuses a branch that is not merged: safe; forcing,
        // renaming or copying is a change.
        "branch"
            if c.has(&[
                "-D", "-m", "-M", "--move", "-c", "-C", "--copy", "-f", "--force",
            ]) =>
        {
            Change("force-deletes, renames or forces a branch".into())
        }
        // `reflog -n 10`, `reflog --date=iso`: a listing; `expire`, `delete`
        // and `drop` are judged by the git family.
        "reflog" if !matches!(s1, "expire" | "delete" | "drop") => Safe,
        "branch" => Safe,
        "tag" if !c.has(&["-d", "--delete", "-f", "--force"]) => Safe,
        "config"
            if c.has(&[
                "--get",
                "--list",
                "-l",
                "--get-all",
                "--get-regexp",
                "--show-origin",
            ]) || words.len() == 2 && !words[1].contains('=') =>
        {
            Safe
        }
        "reset"
            if !c.has(&["--soft", "--mixed", "--hard", "--keep", "--merge"])
                && words[1..]
                    .iter()
                    .all(|w| *w == "HEAD" || w.contains('/') || w.contains('.')) =>
        {
            Safe
        }
        "gc" if !c.args.iter().any(|a| a.text.starts_with("--prune")) => Safe,
        // `git apply --check`/`--stat`: reports on a patch instead of
        // applying it, unless `--apply` asks for both.
        "apply" if c.has(APPLY_REPORTS) && !c.long("--apply") => Safe,
        "clean" | "rm" | "mv" | "prune" | "gc" if c.short('n') || c.long("--dry-run") => Safe,
        _ => Change(format!("changes the repository (`git {s0}`)")),
    }
}

fn cargo(c: &Cmd, s0: &str, words: &[&str]) -> Form {
    match s0 {
        "clippy" if c.long("--fix") => Change("rewrites files in place (clippy --fix)".into()),
        _ if listed(c.name.as_str(), words) => Safe,
        "fmt" if c.has(&["--check"]) => Safe,
        "fmt" => Change("rewrites files in place (formats the code)".into()),
        "clean" => Change("removes build outputs".into()),
        "update" | "add" | "remove" | "rm" | "generate-lockfile" | "vendor" => {
            Change("changes the project's dependencies or lockfile".into())
        }
        "fix" => Change("rewrites files in place (cargo fix)".into()),
        "new" | "init" => Change("creates a new package".into()),
        "install" | "uninstall" => Change("installs or removes a binary".into()),
        _ => Unknown,
    }
}

/// `git apply` options that report on a patch instead of applying it.
pub(crate) const APPLY_REPORTS: &[&str] = &["--check", "--stat", "--numstat", "--summary"];

#[cfg(test)]
mod tests {
    use crate::testutil::expect;

    #[test]
    fn build_tool_forms() {
        expect(&[
            ("cargo build --release", "safe"),
            ("cargo +nightly test -p x", "safe"),
            ("cargo fmt --check", "safe"),
            ("cargo fmt", "ambiguous"),
            ("cargo clean", "ambiguous"),
            ("cargo update", "ambiguous"),
            ("cargo frobnicate", "ambiguous"),
            ("npm test", "safe"),
            ("npm run build", "safe"),
            ("npm run test:unit", "safe"),
            ("npm run clean", "ambiguous"),
            ("npm run db:reset", "ambiguous"),
            ("npm run wobble", "ambiguous"),
            ("npm ci", "safe"),
            ("npm install", "ambiguous"),
            ("yarn build", "safe"),
            ("pnpm lint", "safe"),
            ("make", "safe"),
            ("make -j4 test", "safe"),
            ("make clean", "ambiguous"),
            ("make install", "ambiguous"),
            ("make -n clean", "safe"),
            ("make frobnicate", "ambiguous"),
            ("go test ./...", "safe"),
            ("go mod tidy", "ambiguous"),
            ("go generate ./...", "ambiguous"),
            ("pip list", "safe"),
            ("pip install -r requirements.txt", "ambiguous"),
            ("./gradlew test", "safe"),
            ("./mvnw -q verify", "safe"),
            ("./mvnw package -DskipTests", "safe"),
            ("./gradlew :app:test --tests 'com.acme.ParserTest'", "safe"),
            (
                "./gradlew dependencies --configuration runtimeClasspath",
                "safe",
            ),
            ("mvn -pl core -am dependency:tree", "safe"),
            ("./mvnw deploy", "ambiguous"),
            ("az deployment group what-if -g rg -f main.bicep", "safe"),
            ("pg_restore -l dump.pgc", "safe"),
            ("pg_restore -d shop dump.pgc", "ambiguous"),
            ("python manage.py sqlflush", "safe"),
            ("python manage.py flush", "catastrophic"),
            (
                "mongoexport --db shop --collection o --out /tmp/scratch/o.json",
                "safe",
            ),
            ("mvn -q verify", "safe"),
            ("mvn dependency:tree", "safe"),
            ("gradle clean build", "ambiguous"),
        ]);
    }
}

#[cfg(test)]
mod family_tests {
    use crate::testutil::expect;

    #[test]
    fn parsing_families() {
        expect(&[
            ("/bin/r? -rf ~", "catastrophic"),
            ("/usr/bin/rm* -rf ~", "catastrophic"),
            ("/usr/bin/zz?q -x", "ambiguous"),
            ("rm -rf ${HOME%/}/", "catastrophic"),
            ("rm -rf ${HOME:0:50}", "catastrophic"),
            (
                "rm -rf \"$(echo L2hvbWUvZGV2 | base64 -d)\"",
                "catastrophic",
            ),
            ("rm -rf $(find ~ -maxdepth 0)", "catastrophic"),
            ("rm -rf \"$(mktemp -d)\"", "safe"),
            ("echo ~ | parallel rm -rf", "catastrophic"),
            (
                "docker run -v ~:/h alpine sh -c 'rm -rf /h/*'",
                "catastrophic",
            ),
            ("2>/dev/null rm -r -f ~/work", "catastrophic"),
            ("rm -r \\\n -f ~/", "catastrophic"),
            ("eval \"$(starship init bash)\"", "safe"),
            ("eval \"$(direnv hook zsh)\"", "safe"),
            ("starship init bash", "safe"),
        ]);
    }
}
