//! The model commands in every build (no model needed): `model use`
//! refuses a file that is not GGUF and records a GGUF one (path and SHA-256)
//! keeping the rest of the config; a daemon configured with a bad file
//! keeps the heuristic and says why; a binary without the `llama` feature
//! says so; `model remove` goes back to nothing configured.

mod common;
use common::model::wait_model;
use common::*;

fn fake_gguf(dir: &std::path::Path) -> std::path::PathBuf {
    let p = dir.join("tiny.gguf");
    let mut b = b"GGUF".to_vec();
    b.extend(3u32.to_le_bytes());
    b.extend([0u8; 16]);
    std::fs::write(&p, b).unwrap();
    p
}

#[test]
fn model_use_refuses_a_non_gguf_file_and_records_a_gguf_one() {
    let sb = Sandbox::new();
    sb.write_config("# my settings\nmode = \"notify\" # keep me\n");
    let junk = sb.root().join("junk.gguf");
    std::fs::write(&junk, "<html>404 not found</html>").unwrap();
    let out = sb.run(&["model", "use", junk.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(text(&out).contains("not a GGUF file"), "{}", text(&out));
    assert!(
        !std::fs::read_to_string(sb.config())
            .unwrap()
            .contains("[model]")
    );

    let good = fake_gguf(sb.root());
    let out = sb.run(&["model", "use", good.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("next start"), "{}", text(&out));
    let cfg = std::fs::read_to_string(sb.config()).unwrap();
    assert!(
        cfg.starts_with("# my settings\nmode = \"notify\" # keep me\n"),
        "{cfg}"
    );
    assert!(
        cfg.contains("[model]") && cfg.contains("tiny.gguf"),
        "{cfg}"
    );
    let sha = kintsugi_sha(&good);
    assert!(cfg.contains(&sha), "{cfg}");

    let out = sb.run(&["model", "status"]);
    let s = text(&out);
    assert!(
        s.contains("tiny.gguf") && s.contains("sha256 matches"),
        "{s}"
    );
    assert!(s.contains("daemon          not running"), "{s}");

    let out = sb.run(&["model", "remove"]);
    assert!(out.status.success(), "{}", text(&out));
    let cfg = std::fs::read_to_string(sb.config()).unwrap();
    assert!(
        !cfg.contains("tiny.gguf") && cfg.contains("# keep me"),
        "{cfg}"
    );
    assert!(text(&sb.run(&["model", "status"])).contains("none configured"));
}

fn kintsugi_sha(p: &std::path::Path) -> String {
    let out = std::process::Command::new("sha256sum")
        .arg(p)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)[..64].to_string()
}

#[test]
fn a_daemon_with_a_bad_model_keeps_the_heuristic_and_says_why() {
    let mut sb = Sandbox::new();
    let junk = sb.root().join("junk.gguf");
    std::fs::write(&junk, "not a model").unwrap();
    sb.write_config(&format!("[model]\npath = \"{}\"\n", junk.display()));
    sb.start();
    let st = wait_model(&sb);
    assert_eq!(st["scorer"], "heuristic", "{st}");
    let why = st["model"].as_str().unwrap();
    assert!(
        why.contains("not loaded") && why.contains("not a GGUF file"),
        "{st}"
    );
    assert!(sb.log_text(50).contains("not a GGUF file"));
    let mut c = Conn::open(&sb.socket());
    let v = c
        .ask(&propose(
            "rm -rf build",
            &sb.project().display().to_string(),
        ))
        .unwrap();
    assert_eq!(
        (v["decision"].as_str(), v["risk"].as_u64()),
        (Some("hold"), Some(40)),
        "{v}"
    );
    let s = text(&sb.run(&["model", "status"]));
    assert!(
        s.contains("daemon scorer   heuristic") && s.contains("unusable"),
        "{s}"
    );
}

#[test]
fn a_pinned_sha256_that_does_not_match_keeps_the_heuristic() {
    let mut sb = Sandbox::new();
    let good = fake_gguf(sb.root());
    sb.write_config(&format!(
        "[model]\npath = \"{}\"\nsha256 = \"{}\"\n",
        good.display(),
        "ab".repeat(32)
    ));
    sb.start();
    let st = wait_model(&sb);
    assert_eq!(st["scorer"], "heuristic");
    assert!(
        st["model"].as_str().unwrap().contains("sha256 mismatch"),
        "{st}"
    );
}

#[cfg(not(feature = "llama"))]
#[test]
fn without_the_llama_feature_status_says_so() {
    let mut sb = Sandbox::new();
    let good = fake_gguf(sb.root());
    assert!(
        sb.run(&["model", "use", good.to_str().unwrap()])
            .status
            .success()
    );
    sb.start();
    let st = wait_model(&sb);
    assert_eq!(st["scorer"], "heuristic");
    assert!(
        st["model"]
            .as_str()
            .unwrap()
            .contains("without the `llama` feature"),
        "{st}"
    );
    let s = text(&sb.run(&["model", "status"]));
    assert!(s.contains("built without the `llama` feature"), "{s}");
    let out = sb.run(&["model", "bench"]);
    assert!(!out.status.success() && text(&out).contains("llama"));
}
