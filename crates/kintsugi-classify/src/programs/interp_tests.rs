//! Tests for interpreters beyond the shell and Python (JVM shells and
//! scripts, Lua, Tcl, Deno eval), environment dumps piped into filters,
//! and `time ( … )`.

use crate::testutil::expect;

#[test]
fn jvm_shells_and_one_liners_are_scanned() {
    expect(&[
        (
            r#"groovy -e 'new File("/home/dev").deleteDir()'"#,
            "catastrophic",
        ),
        (
            r#"echo 'new File("/home/dev").delete()' | jshell"#,
            "catastrophic",
        ),
        (
            r#"jshell <<< 'Runtime.getRuntime().exec("rm -rf /home/dev")'"#,
            "catastrophic",
        ),
        (
            r#"kotlin -e 'java.io.File("/home/dev").deleteRecursively()'"#,
            "catastrophic",
        ),
        (
            r#"scala -e 'new scala.reflect.io.Directory(new java.io.File("/home/dev")).deleteRecursively()'"#,
            "catastrophic",
        ),
        (
            r#"groovy -e '"rm -rf /home/dev".execute()'"#,
            "catastrophic",
        ),
        ("groovy -e 'println 1'", "safe"),
        ("kotlinc -script cleanup.kts", "ambiguous"),
    ]);
}

#[test]
fn other_interpreters_code_is_scanned() {
    expect(&[
        (
            r#"deno eval "Deno.removeSync('/home/dev', {recursive: true})""#,
            "catastrophic",
        ),
        (r#"lua -e 'os.execute("rm -rf ~")'"#, "catastrophic"),
        ("tclsh <<< 'file delete -force ~'", "catastrophic"),
        ("lua -e 'print(1)'", "safe"),
    ]);
}

#[test]
fn environment_dumps_piped_into_filters() {
    expect(&[
        ("env | grep PATH", "safe"),
        ("printenv | grep -i proxy", "safe"),
        ("env | sed -n '/^PATH/p'", "safe"),
        ("env | wc -l", "safe"),
        ("env | grep TOKEN", "catastrophic"),
        ("env | sed -n '/TOKEN/p'", "catastrophic"),
        ("env | sort", "ambiguous"),
        ("env | grep -v PATH", "ambiguous"),
        ("env", "ambiguous"),
    ]);
}

#[test]
fn time_of_a_subshell_is_its_commands() {
    expect(&[
        ("time (cargo build)", "safe"),
        ("time ( rm -rf ~ )", "catastrophic"),
        ("time (cd / && rm -rf *)", "catastrophic"),
    ]);
}
