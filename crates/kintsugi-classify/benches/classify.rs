//! Criterion benchmarks: a realistic mix of agent command lines (mostly simple,
//! some with pipes and substitutions) and worst cases (a 64 KiB line, deep
//! `$(` nesting, many wrappers).

use criterion::{Criterion, criterion_group, criterion_main};
use kintsugi_classify::{Context, MAX_LINE_BYTES, analyze};
use std::hint::black_box;
use std::path::PathBuf;

#[path = "data/mix.rs"]
mod mix;
use mix::MIX;

fn ctx() -> Context {
    Context {
        cwd: PathBuf::from("/home/dev/proj"),
        home: PathBuf::from("/home/dev"),
        project_root: Some(PathBuf::from("/home/dev/proj")),
    }
}

fn bench(c: &mut Criterion) {
    let ctx = ctx();
    c.bench_function("mix_40_lines", |b| {
        b.iter(|| {
            for l in MIX {
                black_box(analyze(black_box(l), &ctx));
            }
        })
    });
    c.bench_function("simple_git_status", |b| {
        b.iter(|| black_box(analyze(black_box("git status"), &ctx)))
    });
    c.bench_function("pipe_and_substitution", |b| {
        b.iter(|| {
            black_box(analyze(
                black_box(
                    "echo \"$(git rev-parse HEAD)\" | tee /tmp/rev && cargo test 2>&1 | tail",
                ),
                &ctx,
            ))
        })
    });
    let big = format!("echo {}", "a ".repeat((MAX_LINE_BYTES - 8) / 2));
    c.bench_function("line_64k", |b| {
        b.iter(|| black_box(analyze(black_box(&big), &ctx)))
    });
    let deep = format!("echo {}x{}", "$(".repeat(2000), ")".repeat(2000));
    c.bench_function("nesting_2000", |b| {
        b.iter(|| black_box(analyze(black_box(&deep), &ctx)))
    });
    let wrappers = format!("{}rm -rf ~", "sudo env nice ".repeat(100));
    c.bench_function("wrappers_300", |b| {
        b.iter(|| black_box(analyze(black_box(&wrappers), &ctx)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
