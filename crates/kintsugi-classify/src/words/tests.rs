//! Unit tests of word splitting and expansion (`words.rs`).

use super::*;

fn sp(s: &str) -> Vec<String> {
    let vars = HashMap::from([("X".to_string(), "rm".to_string())]);
    let env = Env {
        vars: &vars,
        home: "/home/dev",
        cwd: "/home/dev/p",
        project: None,
        budget: 4,
    };
    split(s, &env).into_iter().map(|w| w.text).collect()
}

#[test]
fn quotes_and_escapes() {
    assert_eq!(sp(r#"r''m "-r"f \~"#), ["rm", "-rf", "~"]);
    assert_eq!(sp(r"\rm $'\x72\155' ~/x"), ["rm", "rm", "/home/dev/x"]);
    assert_eq!(sp("$X${IFS}-rf${IFS}$HOME"), ["rm", "-rf", "/home/dev"]);
    assert_eq!(sp("{rm,-rf,/}"), ["rm", "-rf", "/"]);
    assert_eq!(sp("a{1..3}"), ["a1", "a2", "a3"]);
    assert_eq!(sp("\"$(echo hi)\" ${HOME}/x"), ["hi", "/home/dev/x"]);
    assert_eq!(sp("$(dirname $(pwd)) ~dev/x"), ["/home/dev", "/home/dev/x"]);
    assert_eq!(sp("\"$(curl x)\""), ["$(curl x)"]);
}

fn sp_with(s: &str, vars: &[(&str, &str)]) -> Vec<Word> {
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let env = Env {
        vars: &vars,
        home: "/home/dev",
        cwd: "/home/dev/p",
        project: None,
        budget: 4,
    };
    split(s, &env)
}

/// A variable computed at run time is one dynamic word spelling what
/// computes it, quoted or not, and its operators stay unresolved.
#[test]
fn computed_variables_stay_unknown() {
    let v = format!("{COMPUTED}$(getent passwd dev | cut -d: -f6)");
    let vars = [("h", v.as_str())];
    for line in ["$h", "\"$h\"", "${h}", "\"${h:-x}\""] {
        let w = sp_with(line, &vars);
        assert_eq!(w.len(), 1, "{line}");
        assert!(w[0].dynamic, "{line}");
        assert_eq!(
            w[0].text, "$\u{1}(getent passwd dev | cut -d: -f6)",
            "{line}"
        );
        assert!(!w[0].text.contains("$("), "not an inline substitution");
    }
    assert_eq!(computed_use("a`b`$(c)"), "a$\u{1}(b)$\u{1}(c)");
    let w = sp_with("${h%/*}", &vars);
    assert!(w[0].dynamic && transform_at(&w[0].text).is_some());
}

/// `${X:+alt}` is `alt` unless X is known to be empty; `${X:?}` is X.
#[test]
fn alternative_and_required_values() {
    let t = |s: &str, vars: &[(&str, &str)]| -> Vec<String> {
        sp_with(s, vars).into_iter().map(|w| w.text).collect()
    };
    assert_eq!(t("${HOME:+$HOME}", &[]), ["/home/dev"]);
    assert_eq!(t("${X:+~}", &[]), ["/home/dev"]);
    assert_eq!(t("${X:+~}", &[("X", "")]), [""], "an empty word");
    assert_eq!(t("\"${HOME:?unset}\"", &[]), ["/home/dev"]);
    assert_eq!(t("a ${X:+-v -q} b", &[]), ["a", "-v", "-q", "b"]);
}

#[test]
fn indirect_expansion_names_another_variable() {
    let w = sp_with("${!h}/x", &[("h", "HOME")]);
    assert_eq!(w[0].text, "/home/dev/x");
    assert!(!w[0].dynamic);
    assert!(sp_with("${!h}", &[])[0].dynamic);
}

#[test]
fn paths() {
    let c = Path::new("/home/dev/p");
    let h = Path::new("/home/dev");
    assert_eq!(resolve("../..", c, h), "/home");
    assert_eq!(resolve("~", c, h), "/home/dev");
    assert_eq!(resolve("/a/./b/../c", c, h), "/a/c");
    assert_eq!(resolve(".", c, h), "/home/dev/p");
}

#[test]
fn a_scalar_is_its_own_element_zero() {
    crate::testutil::expect(&[
        ("rm -rf \"${HOME[0]}\"", "catastrophic"),
        ("declare -n r=HOME; rm -rf \"${r[0]}\"", "catastrophic"),
        ("d=build; rm -rf \"${d[@]}\"", "ambiguous"),
    ]);
}
