//! Prints the analysis of each line read from standard input:
//! `class  rule  line` and, with `-v`, the effects and programs.

use kintsugi_classify::{Context, analyze};
use std::io::BufRead;
use std::path::PathBuf;

fn main() {
    let verbose = std::env::args().any(|a| a == "-v");
    let ctx = Context {
        cwd: PathBuf::from("/home/dev/proj"),
        home: PathBuf::from("/home/dev"),
        project_root: None,
    };
    for line in std::io::stdin().lock().lines().map_while(Result::ok) {
        let a = analyze(&line, &ctx);
        println!("{:<12} {:<24} {}", a.class.as_str(), a.rule, line);
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
