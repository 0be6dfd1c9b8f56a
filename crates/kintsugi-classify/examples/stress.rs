//! Feeds pseudo-random text to `analyze`, printing each input first (so a
//! crash shows the culprit). Usage: `stress [iterations] [seed]`.

use kintsugi_classify::{Context, analyze};
use std::io::Write;
use std::path::PathBuf;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let mut seed: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    let ctx = Context {
        cwd: PathBuf::from("/home/dev/proj"),
        home: PathBuf::from("/home/dev"),
        project_root: None,
    };
    let alphabet: Vec<char> =
        "\0\r\t\x0b\x7f\u{85}\u{2028}abc rm-f~/$(){}[]'\"`;|&<>*?\\\n#=!.,:%@^+0123456789xyzIFS"
            .chars()
            .collect();
    let mut out = std::io::stderr();
    for _ in 0..n {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let len = (seed % 120) as usize;
        let mut s = String::new();
        let mut r = seed;
        for _ in 0..len {
            r = r
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            if (r >> 20).is_multiple_of(4) {
                s.push(char::from_u32(((r >> 35) % 0x2_0000) as u32).unwrap_or('?'));
            } else {
                s.push(alphabet[(r >> 33) as usize % alphabet.len()]);
            }
        }
        let _ = writeln!(out, "{s:?}");
        let _ = analyze(&s, &ctx);
    }
}
