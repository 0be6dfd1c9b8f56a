//! Build and site tools on the known-safe list whose publish or deploy
//! form sends the project out or changes a shared target: `hugo deploy`,
//! `mkdocs gh-deploy`, `lerna publish`, `earthly --push +deploy`, `opam
//! switch remove`. Like `npm publish` and `mvn deploy`, a change to glance
//! at; their build, serve and test forms stay safe.

use super::Cmd;
use crate::effects::Effect;
use crate::engine::Walker;

/// A change for the publishing forms of known-safe build tools.
pub(crate) fn extra(e: &mut Walker, c: &Cmd) {
    let n = c.name.as_str();
    let first = c.sub(0);
    let publishes = match n {
        "hugo" | "zola" | "jekyll" | "mdbook" | "docusaurus" => {
            matches!(first, "deploy" | "gh-deploy")
        }
        "mkdocs" => first == "gh-deploy",
        "lerna" => matches!(first, "publish" | "version"),
        "nx" => first == "release",
        "earthly" => {
            c.has(&["--push", "-P"])
                || c.positional().iter().any(|w| {
                    w.text.starts_with('+')
                        && (w.text.contains("deploy") || w.text.contains("publish"))
                })
        }
        "opam" => first == "switch" && matches!(c.sub(1), "remove" | "delete"),
        "flutter" | "dart" => first == "pub" && c.sub(1) == "publish",
        _ => false,
    };
    if publishes && !c.dry_run() {
        e.add(Effect::Change {
            program: n.into(),
            what: format!("publishes or deploys (`{n} {first}`)"),
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::testutil::expect;

    #[test]
    fn publishing_forms_of_build_tools_are_changes() {
        expect(&[
            ("hugo deploy", "ambiguous"),
            ("mkdocs gh-deploy --force", "ambiguous"),
            ("lerna publish from-package", "ambiguous"),
            ("earthly --push +deploy", "ambiguous"),
            ("opam switch remove default", "ambiguous"),
            ("hugo --minify", "safe"),
            ("mkdocs build", "safe"),
            ("earthly +test", "safe"),
            ("lerna run test", "safe"),
        ]);
    }
}
