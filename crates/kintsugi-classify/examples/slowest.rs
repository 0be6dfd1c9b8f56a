//! The slowest inputs of `analyze` over directories of files (one input per
//! file, bytes decoded lossily, as the fuzz target sees them): prints the
//! five slowest with their time. Used to check the fuzz corpus for inputs
//! over the 50 ms budget (docs/CLASSIFIER.md). Run in release:
//! `cargo run --release -p kintsugi-classify --example slowest -- DIR…`;
//! with `--redact` first it times what the redaction fuzz target runs
//! (`redact`, `secret_values`, `redact_argv` over the input split at NUL).

use kintsugi_classify::{Context, analyze};
use kintsugi_protocol::redact::{redact, redact_argv, secret_values};
use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let ctx = Context {
        cwd: PathBuf::from("/home/dev/proj"),
        home: PathBuf::from("/home/dev"),
        project_root: None,
    };
    let mut times: Vec<(u128, PathBuf)> = Vec::new();
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let redaction = args.first().is_some_and(|a| a == "--redact");
    if redaction {
        args.remove(0);
    }
    let run = |line: &str| {
        if redaction {
            std::hint::black_box(redact(line));
            std::hint::black_box(secret_values(line));
            let argv: Vec<String> = line.split('\0').map(str::to_string).collect();
            std::hint::black_box(redact_argv(&argv));
        } else {
            std::hint::black_box(analyze(line, &ctx));
        }
    };
    for dir in args {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            eprintln!("cannot read directory {dir}; pass directories of input files");
            std::process::exit(2);
        };
        for ent in rd.flatten() {
            let Ok(bytes) = std::fs::read(ent.path()) else {
                continue;
            };
            let line = String::from_utf8_lossy(&bytes);
            run(&line);
            // Best of three: scheduling noise on a shared machine is not the
            // classifier's cost.
            let best = (0..3)
                .map(|_| {
                    let t = Instant::now();
                    run(&line);
                    t.elapsed().as_micros()
                })
                .min()
                .unwrap_or(0);
            times.push((best, ent.path()));
        }
    }
    times.sort();
    println!("inputs: {}", times.len());
    for (us, p) in times.iter().rev().take(5) {
        println!("{:>10.2} ms  {}", *us as f64 / 1000.0, p.display());
    }
}
