//! The slowest inputs of `analyze` over directories of files (one input per
//! file, bytes decoded lossily, as the fuzz target sees them): prints the
//! five slowest with their time. Used to check the fuzz corpus for inputs
//! over the 50 ms budget (docs/CLASSIFIER.md). Run in release:
//! `cargo run --release -p kintsugi-classify --example slowest -- DIR…`.

use kintsugi_classify::{Context, analyze};
use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let ctx = Context {
        cwd: PathBuf::from("/home/dev/proj"),
        home: PathBuf::from("/home/dev"),
        project_root: None,
    };
    let mut times: Vec<(u128, PathBuf)> = Vec::new();
    for dir in std::env::args().skip(1) {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            eprintln!("cannot read directory {dir}; pass directories of input files");
            std::process::exit(2);
        };
        for ent in rd.flatten() {
            let Ok(bytes) = std::fs::read(ent.path()) else {
                continue;
            };
            let line = String::from_utf8_lossy(&bytes);
            let _ = analyze(&line, &ctx);
            // Best of three: scheduling noise on a shared machine is not the
            // classifier's cost.
            let best = (0..3)
                .map(|_| {
                    let t = Instant::now();
                    let _ = analyze(&line, &ctx);
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
