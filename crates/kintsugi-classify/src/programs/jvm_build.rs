//! Maven and Gradle command lines (`mvn`, `./mvnw`, `gradle`, `./gradlew`):
//! the task words, without the values of options that take one (`--tests
//! com.acme.T`, `--configuration runtimeClasspath`, `-pl core`), and the
//! tasks that only report on or package the build.

use super::Cmd;

/// Options whose next word is their value, not a task.
const VALUE_OPTIONS: &[&str] = &[
    "--tests",
    "--configuration",
    "-x",
    "--exclude-task",
    "-p",
    "--project-dir",
    "-b",
    "--build-file",
    "-c",
    "--settings-file",
    "-I",
    "--init-script",
    "--console",
    "--warning-mode",
    "--dependency",
    "--max-workers",
    "--include-build",
    "-g",
    "--gradle-user-home",
    "--priority",
    "-pl",
    "--projects",
    "-f",
    "--file",
    "-s",
    "--settings",
    "-gs",
    "--global-settings",
    "-P",
    "--activate-profiles",
    "-rf",
    "--resume-from",
    "-T",
    "--threads",
    "-l",
    "--log-file",
    "-t",
    "--toolchains",
];

/// Tasks (lowercased) that report on the build or package it in place.
pub(crate) const READ_TASKS: &[&str] = &[
    "dependencies",
    "dependencyinsight",
    "projects",
    "tasks",
    "properties",
    "buildenvironment",
    "help",
    "javatoolchains",
    "outgoingvariants",
    "package",
    "jar",
    "assemble",
    "classes",
    "testclasses",
    "javadoc",
    "test-compile",
];

/// The task words of `c`.
pub(crate) fn tasks(c: &Cmd) -> Vec<String> {
    let mut out = Vec::new();
    let mut skip = false;
    for w in &c.args {
        let t = w.text.as_str();
        if skip {
            skip = false;
            continue;
        }
        if VALUE_OPTIONS.contains(&t) {
            skip = true;
            continue;
        }
        if t.starts_with('-') || t.starts_with('+') || t.contains('=') {
            continue;
        }
        out.push(t.to_string());
    }
    out
}
