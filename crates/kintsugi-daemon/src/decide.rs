//! The decision engine: one place that turns a proposed command into a
//! verdict. Today: classify, then the attended mode (safe → allow, anything
//! else → hold for a human). The kill switch, policy, memory and scorer steps
//! slot in here, in that order, and may only tighten.

use kintsugi_classify::{Analysis, Context, analyze};
use kintsugi_protocol::{Class, Decision, ProposedCommand};
use std::path::{Path, PathBuf};

/// The outcome of deciding, before it is recorded.
pub struct Decided {
    pub decision: Decision,
    pub class: Class,
    pub rule: String,
    pub reason: String,
    pub summary: Option<String>,
}

/// Map the classifier's class to the wire class.
pub fn wire_class(c: kintsugi_classify::Class) -> Class {
    match c {
        kintsugi_classify::Class::Safe => Class::Safe,
        kintsugi_classify::Class::Ambiguous => Class::Ambiguous,
        kintsugi_classify::Class::Catastrophic => Class::Catastrophic,
    }
}

/// Classify `cmd` as it would run in its cwd, for the user whose home is
/// `home`. A command with no raw line is analysed from its argv, quoted.
pub fn classify(cmd: &ProposedCommand, home: &Path) -> Analysis {
    let ctx = Context {
        cwd: PathBuf::from(&cmd.cwd),
        home: home.to_path_buf(),
        project_root: None,
    };
    if cmd.raw.trim().is_empty() && !cmd.argv.is_empty() {
        let line: Vec<String> = cmd.argv.iter().map(|a| shell_quote(a)).collect();
        return analyze(&line.join(" "), &ctx);
    }
    analyze(&cmd.raw, &ctx)
}

fn shell_quote(arg: &str) -> String {
    if !arg.is_empty()
        && arg
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./=:@%+,".contains(&b))
    {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

/// Decide a proposed command.
pub fn decide(cmd: &ProposedCommand, home: &Path) -> Decided {
    let analysis = classify(cmd, home);
    let class = wire_class(analysis.class);
    let decision = match class {
        Class::Safe => Decision::Allow,
        Class::Ambiguous | Class::Catastrophic => Decision::Hold,
    };
    Decided {
        decision,
        class,
        rule: analysis.rule,
        reason: analysis.reason,
        summary: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argv_only_commands_are_quoted_before_analysis() {
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote("-rf"), "-rf");
    }
}
