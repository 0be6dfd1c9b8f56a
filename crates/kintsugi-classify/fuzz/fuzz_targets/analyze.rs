//! Fuzz target: `analyze` on arbitrary bytes (lossily decoded) must never
//! panic, and a line it cannot read must never come out safe with
//! `parse_complete == false`.
#![no_main]

use kintsugi_classify::{Class, Context, analyze};
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;

fuzz_target!(|data: &[u8]| {
    let line = String::from_utf8_lossy(data);
    let ctx = Context {
        cwd: PathBuf::from("/home/dev/proj"),
        home: PathBuf::from("/home/dev"),
        project_root: None,
    };
    let a = analyze(&line, &ctx);
    if !a.parse_complete {
        assert!(a.class >= Class::Ambiguous, "incomplete parse classed safe: {line:?}");
    }
});
