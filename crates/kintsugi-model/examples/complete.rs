//! Load a GGUF model and print the raw answer for each command line given
//! on the command line (a development probe; `kintsugi model bench` is the
//! benchmark). Usage: `complete MODEL.gguf 'rm -rf build' …`
#![forbid(unsafe_code)]

use kintsugi_model::llm::Model;
use kintsugi_model::{parse, prompt};
use std::time::{Duration, Instant};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: complete MODEL.gguf COMMAND…");
    let model = Model::load(path.as_ref()).expect("load");
    let t = Instant::now();
    let mut r = model.runner(2, 1024).expect("runner");
    println!(
        "load {:?}, prefix {} tokens in {:?}",
        model.load_time,
        r.prefix_tokens(),
        t.elapsed()
    );
    for cmd in args {
        let facts = prompt::Facts {
            command: &cmd,
            class: "ambiguous",
            rule: "probe",
            reason: "probe",
            effects: vec![],
        };
        let t = Instant::now();
        let out = r.complete(&prompt::suffix(&facts), 48, t + Duration::from_secs(10));
        println!("{:?} {cmd:?} -> {out:?}", t.elapsed());
        if let Ok(c) = out {
            println!("   parsed: {:?}", parse::parse(&c.text));
        }
    }
}
