//! Tests of the program table: it parses, every name is owned once, no
//! family claims a program another owns, and the shim list is covered.

use super::*;
use crate::engine::Stdin;
use crate::words::Word;

/// Argument lists that reach each family's arms: reads, deletes, code
/// flags, secret printers, entry-point verbs.
const PROBES: &[&[&str]] = &[
    &[],
    &["--help"],
    &["-h"],
    &["help"],
    &["delete", "x"],
    &["-e", "print(1)"],
    &["-c", "ls"],
    &["run", "x.js"],
    &["x.py"],
    &["x.js"],
    &["list"],
    &["rm", "-rf", "/"],
    &["db", "downgrade", "base"],
    &["get", "secret", "x"],
    &["status"],
    &["install", "x"],
    &["apply"],
    &["destroy"],
    &["-f", "x"],
    &["/dev/sda"],
    &["a", "b"],
    &["eval", "x"],
    &["-u", "x"],
    &["-r", "x"],
    &["exec", "x"],
    &["-p", "1"],
    &["flush"],
    &["migrate:fresh"],
    &["db:drop"],
    &["output"],
    &["config"],
    &["auth", "token"],
    &["auth:token"],
    &["token", "list"],
    &["config", "get", "_auth"],
    &["config", "--show-secrets"],
    &["--export-secret-keys"],
    &["-d", "x"],
    &["read", "x"],
    &["show", "x"],
    &["-k"],
    &["0"],
    &["stop", "x"],
    &["-9", "1"],
    &["--dry-run"],
    &["secrets"],
    &["ecto.drop"],
    &["-E", "rm", "-rf", "x"],
    &["bucket", "delete"],
];

fn ctx() -> crate::Context {
    crate::testutil::project_ctx()
}

fn cmd(name: &str, args: &[&str], stdin: Stdin) -> Cmd {
    Cmd {
        name: name.to_string(),
        args: args.iter().map(|s| Word::lit(s)).collect(),
        stdin,
        via: Vec::new(),
        depth: 0,
    }
}

#[test]
fn the_table_parses_and_names_each_program_once() {
    let rows = parse(DATA).expect("table.tsv parses");
    assert!(rows.len() > 400, "only {} rows", rows.len());
    let mut seen = std::collections::HashSet::new();
    for r in &rows {
        assert!(seen.insert(r.name), "`{}` is in table.tsv twice", r.name);
        assert_ne!(Some(r.owner), r.then, "`{}` falls back to itself", r.name);
    }
    assert_eq!(entries().len(), rows.len());
}

#[test]
fn a_bad_table_line_says_what_is_wrong() {
    let err = parse("rm\tfiles\n").unwrap_err();
    assert!(
        err.contains("line 1") && err.contains("`files` is not a family"),
        "{err}"
    );
    let err = parse("# c\n\nrm\n").unwrap_err();
    assert!(
        err.contains("line 3") && err.contains("name<TAB>owner"),
        "{err}"
    );
}

/// Every name any family could claim: the table's, the known-safe lists',
/// versioned interpreters and filesystem makers, and names nobody knows.
fn candidates() -> Vec<String> {
    let mut v: Vec<String> = entries().iter().map(|e| e.name.to_string()).collect();
    v.extend(crate::safe_list::names().map(str::to_string));
    for extra in [
        "python3.12",
        "python2.7",
        "ruby3.3",
        "mkfs.ext4",
        "mkfs.btrfs",
        "frobnicate",
        "deploy.sh",
        "my-cli",
    ] {
        v.push(extra.to_string());
    }
    v.sort();
    v.dedup();
    v
}

#[test]
fn no_family_claims_a_program_it_does_not_own() {
    let ctx = ctx();
    let mut wrong = Vec::new();
    for name in candidates() {
        let row = owner(&name);
        let allowed: Vec<Family> = row
            .iter()
            .flat_map(|r| std::iter::once(r.owner).chain(r.then))
            .collect();
        for args in PROBES {
            for stdin in [Stdin::Terminal, Stdin::Literal("rm -rf /".into())] {
                let c = cmd(&name, args, stdin);
                for f in FAMILIES {
                    let mut e = Walker::new(&ctx);
                    if f.handle(&mut e, &c) && !allowed.contains(f) {
                        wrong.push(format!("{name} {args:?}: claimed by {}", f.key()));
                    }
                }
            }
        }
    }
    wrong.dedup();
    assert!(
        wrong.is_empty(),
        "claims outside the table:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn every_owner_models_its_programs() {
    // A row whose owner (and fallback) never claim the program under any
    // probe is a dead row: the table would promise rules that do not exist.
    let ctx = ctx();
    let mut dead = Vec::new();
    for row in entries() {
        if row.owner == Family::Shell || row.name == "env" {
            continue;
        }
        let claimed = PROBES.iter().any(|args| {
            let c = cmd(row.name, args, Stdin::Terminal);
            let mut e = Walker::new(&ctx);
            run(&mut e, &c) || !e.effects.is_empty()
        });
        if !claimed {
            dead.push(row.name);
        }
    }
    assert!(dead.is_empty(), "rows no probe reaches: {dead:?}");
}

#[test]
fn versioned_interpreters_and_filesystem_makers_have_owners() {
    assert_eq!(
        owner("python3.12").map(|r| r.owner),
        Some(Family::InlineCode)
    );
    assert_eq!(owner("mkfs.ext4").map(|r| r.owner), Some(Family::Disk));
    assert_eq!(owner("frobnicate"), None);
    assert_eq!(owner("deno").and_then(|r| r.then), Some(Family::Packages));
}

#[test]
fn every_shim_is_a_program_the_table_owns() {
    let missing: Vec<&str> = SHIMS
        .iter()
        .copied()
        .filter(|n| owner(n).is_none())
        .collect();
    assert!(missing.is_empty(), "shims with no owner: {missing:?}");
}

#[test]
fn the_safe_column_parses_and_matches_forms_word_by_word() {
    let rows = parse(
        "acme\tsystem\t-\tlist,mod graph,stash (none),(none)\nacme2\tsystem\t-\t=acme\nplain\tfs\n",
    )
    .expect("parses");
    let acme = rows[0];
    assert_eq!(acme.then, None, "`-` is no fallback family");
    for yes in [
        &[][..],
        &["list"],
        &["list", "widgets"],
        &["mod", "graph"],
        &["stash"],
    ] {
        assert!(acme.lists_safe(yes), "{yes:?} should be listed");
    }
    for no in [
        &["mod"][..],
        &["mod", "tidy"],
        &["stash", "drop"],
        &["delete"],
    ] {
        assert!(!acme.lists_safe(no), "{no:?} should not be listed");
    }
    assert_eq!(rows[1].safe, acme.safe, "`=acme` takes acme's forms");
    assert!(
        !rows[2].lists_safe(&[]),
        "a row without the column lists nothing"
    );
    let err = parse("a\tfs\t-\t=nobody\n").unwrap_err();
    assert!(err.contains("`nobody`"), "{err}");
}

/// Every form the table lists as safe is classed safe when run bare (`go
/// mod graph`, `git stash`, `cargo build`): the column and the rules agree.
#[test]
fn every_listed_safe_form_is_classed_safe() {
    let ctx = ctx();
    let mut bad = Vec::new();
    let mut checked = 0;
    for row in entries() {
        for form in row.safe_forms() {
            let words: Vec<&str> = form.into_iter().filter(|w| *w != "(none)").collect();
            let line = std::iter::once(row.name)
                .chain(words)
                .collect::<Vec<_>>()
                .join(" ");
            let a = crate::analyze(&line, &ctx);
            checked += 1;
            if a.class != crate::Class::Safe {
                bad.push(format!("{line}: {} ({})", a.class.as_str(), a.rule));
            }
        }
    }
    assert!(checked > 200, "only {checked} listed forms");
    assert!(
        bad.is_empty(),
        "listed safe but not safe:\n{}",
        bad.join("\n")
    );
}

#[test]
fn unlisted_forms_of_a_table_program_are_not_safe() {
    crate::testutil::expect(&[
        ("go mod graph", "safe"),
        ("go mod tidy", "ambiguous"),
        ("pip3 cache dir", "safe"),
        ("pip3 cache purge", "ambiguous"),
        ("tofu workspace list", "safe"),
        ("terragrunt plan", "safe"),
        ("terragrunt run-all plan", "safe"),
        ("terragrunt run-all validate", "safe"),
        ("terragrunt run-all destroy", "catastrophic"),
        ("terragrunt run-all apply", "ambiguous"),
        ("flask db downgrade base", "catastrophic"),
        ("flask db upgrade", "ambiguous"),
        ("flask db history", "safe"),
        ("flask db current", "safe"),
        ("flask routes", "safe"),
        ("flask run --debug", "ambiguous"),
        ("git stash", "safe"),
        ("git stash drop", "catastrophic"),
        ("git sparse-checkout set x", "ambiguous"),
        ("cnpm outdated", "safe"),
        ("cargo frobnicate", "ambiguous"),
    ]);
}
