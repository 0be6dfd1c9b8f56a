//! Tests of the line walker (`engine.rs`): word structure around
//! redirections and the other cases the walker itself decides.

use crate::testutil::expect;

#[test]
fn words_after_a_redirection_target_are_arguments() {
    expect(&[
        ("rm 2>/dev/null -rf ~", "catastrophic"),
        ("rm -rf 2>&1 ~/work", "catastrophic"),
        ("echo hi > /tmp/scratch/x.txt", "safe"),
        ("ls 2>/dev/null -la src", "safe"),
    ]);
}

#[test]
fn multi_line_forms() {
    expect(&[
        (
            "git commit -m \"$(cat <<'EOF'\nfix: rm -rf / guard\n\nDetails.\nEOF\n)\"",
            "safe",
        ),
        ("cat <<EOF > /tmp/notes.md\nrm -rf ~\nEOF", "safe"),
        ("bash <<'EOF'\nrm -rf ~\nEOF", "catastrophic"),
        ("cat <<EOF | sh\nrm -rf ~\nEOF", "catastrophic"),
        (
            "python3 - <<'EOF'\nimport shutil\nshutil.rmtree('/home/dev')\nEOF",
            "catastrophic",
        ),
        ("for d in ~ /tmp/x; do rm -rf \"$d\"; done", "catastrophic"),
        ("f() { rm -rf \"$1\"; }; f ~", "catastrophic"),
        ("X=/tmp/build; rm -rf \"$X\"", "safe"),
        ("cargo test && git status", "safe"),
    ]);
}
