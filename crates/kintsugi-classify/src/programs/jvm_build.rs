//! Maven and Gradle command lines (`mvn`, `./mvnw`, `gradle`, `./gradlew`):
//! the task words, without the values of options that take one (`--tests
//! com.acme.T`, `--configuration runtimeClasspath`, `-pl core`), and the
//! tasks that only report on or package the build.

use super::Cmd;

/// Gradle options whose next word is their value, not a task.
const GRADLE_VALUE: &[&str] = &[
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
];

/// Maven options whose next word is their value, not a goal (`-s` and
/// `-t` take none in Gradle, so the lists are kept apart).
const MAVEN_VALUE: &[&str] = &[
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
    "-b",
    "--builder",
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
    let value_options = if crate::words::basename(&c.name).starts_with("gradle") {
        GRADLE_VALUE
    } else if crate::words::basename(&c.name).starts_with("mvn") {
        MAVEN_VALUE
    } else {
        &[]
    };
    let mut out = Vec::new();
    let mut skip = false;
    for w in &c.args {
        let t = w.text.as_str();
        if skip {
            skip = false;
            continue;
        }
        if value_options.contains(&t) {
            skip = true;
            continue;
        }
        if t.starts_with('-') || t.starts_with('+') || t.contains('=') {
            continue;
        }
        // sbt takes a task with its arguments as one quoted word (`sbt
        // "testOnly *Spec"`): the task is its first word.
        let t = if c.name == "sbt" {
            t.split_whitespace().next().unwrap_or("")
        } else {
            t
        };
        out.push(t.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::testutil::expect;

    #[test]
    fn option_values_are_not_tasks_per_tool() {
        expect(&[
            ("./gradlew -s publish", "ambiguous"),
            ("mvn -c deploy", "ambiguous"),
            ("mvn -s ci/settings.xml verify", "safe"),
            ("./gradlew -x lint build", "safe"),
            ("./gradlew --tests com.acme.T test", "safe"),
        ]);
    }
}
