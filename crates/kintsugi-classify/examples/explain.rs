//! Prints the analysis of each line read from standard input:
//! `class  rule  line` and, with `-v`, the effects and programs. With `--tsv`
//! the input is corpus lines (`expected<TAB>category<TAB>cwd<TAB>command`)
//! and only mismatches are printed.

use kintsugi_classify::{Context, analyze};
use std::io::BufRead;
use std::path::PathBuf;

fn main() {
    let verbose = std::env::args().any(|a| a == "-v");
    let tsv = std::env::args().any(|a| a == "--tsv");
    for line in std::io::stdin().lock().lines().map_while(Result::ok) {
        let (expected, cwd, cmd) = if tsv {
            let cols: Vec<&str> = line.splitn(4, '\t').collect();
            if cols.len() != 4 || line.starts_with('#') {
                continue;
            }
            (
                Some(cols[0].to_string()),
                PathBuf::from(cols[2]),
                cols[3].to_string(),
            )
        } else {
            (None, PathBuf::from("/home/dev/proj"), line.clone())
        };
        let root = PathBuf::from("/home/dev/proj");
        let ctx = Context {
            project_root: cwd.starts_with(&root).then(|| root.clone()),
            cwd,
            home: PathBuf::from("/home/dev"),
        };
        let a = analyze(&cmd, &ctx);
        if let Some(exp) = &expected {
            if exp == a.class.as_str() {
                continue;
            }
            print!("{exp:<12} ");
        }
        println!("{:<12} {:<24} {}", a.class.as_str(), a.rule, cmd);
        if verbose {
            println!("    {}", a.reason);
            for e in &a.effects {
                println!("    effect: {e:?}");
            }
            for p in &a.commands {
                println!("    program: {:?} via {:?}", p.argv, p.via);
            }
        }
    }
}
