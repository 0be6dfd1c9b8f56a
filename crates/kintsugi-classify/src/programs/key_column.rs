//! Printing only the key column of a `KEY=value` file: `cut -d= -f1 .env`,
//! `cut -f 1 -d '=' .env`, `awk -F= '{print $1}' .env`, `sed 's/=.*//'
//! .env`, also as a pipeline stage (`downstream.rs`). The names of the
//! variables are not credential material, so `secrets::scan_args` does not
//! count such a line as a secret read. Any other field (`-f2`, `-f1-`,
//! `-f1,2`), another delimiter, or a whole read (`cat .env`, `grep TOKEN
//! .env`) still is.

use super::Cmd;

/// Whether `c` prints only the first `=`-separated field of what it reads.
/// Every file must be a `KEY=value` file: `cut` prints a line without the
/// delimiter whole, so a key file (`~/.ssh/id_rsa`) would come out entire.
pub(crate) fn names_only(c: &Cmd) -> bool {
    let files = files(c);
    !files.is_empty() && files.into_iter().all(kv_file) && prints_names(c)
}

/// The same for a stage that reads its standard input (`cat .env | cut
/// -d= -f1`, `cut -d= -f1 < .env`): no file operands.
pub(crate) fn names_only_stream(c: &Cmd) -> bool {
    files(c).is_empty() && prints_names(c)
}

/// The file operands of `cut`, `awk` or `sed` (not their program).
fn files(c: &Cmd) -> Vec<&str> {
    let mut files = Vec::new();
    let sed = c.name == "sed" || c.name == "gsed";
    let mut script_given = sed && c.has(&["-e", "--expression"]);
    let mut it = c.args.iter().map(|w| w.text.as_str());
    while let Some(t) = it.next() {
        if matches!(
            t,
            "-d" | "-f"
                | "-F"
                | "--delimiter"
                | "--fields"
                | "--field-separator"
                | "-e"
                | "--expression"
        ) {
            it.next();
        } else if !t.starts_with('-') && !t.contains('{') {
            if sed && !script_given {
                script_given = true;
            } else {
                files.push(t);
            }
        }
    }
    files
}

fn prints_names(c: &Cmd) -> bool {
    match c.name.as_str() {
        "cut" => {
            let delim = value(c, 'd', "--delimiter");
            let fields = value(c, 'f', "--fields");
            delim.as_deref().map(unquote) == Some("=")
                && fields.as_deref().map(unquote) == Some("1")
                && !c.has(&["--complement"])
        }
        "awk" | "gawk" | "mawk" => {
            let sep = value(c, 'F', "--field-separator");
            let prog: Vec<&str> = c
                .positional()
                .iter()
                .map(|w| w.text.as_str())
                .filter(|t| t.contains('{'))
                .collect();
            sep.as_deref().map(unquote) == Some("=") && prog.len() == 1 && awk_prints_first(prog[0])
        }
        "sed" | "gsed" => sed_strips_values(c),
        _ => false,
    }
}

/// `sed 's/=.*//'` (also `-e`, `$`, `g`/`p` flags): each line cut at its
/// first `=`. Only that one expression, and no option that writes files.
fn sed_strips_values(c: &Cmd) -> bool {
    let mut scripts = Vec::new();
    let mut it = c.args.iter().map(|w| w.text.as_str());
    while let Some(t) = it.next() {
        match t {
            "-e" | "--expression" => scripts.extend(it.next()),
            "-n" | "-E" | "-r" | "--regexp-extended" | "--quiet" | "--silent" => {}
            _ if t.starts_with('-') => return false,
            _ if scripts.is_empty() && !c.has(&["-e", "--expression"]) => scripts.push(t),
            _ => {}
        }
    }
    let [script] = scripts.as_slice() else {
        return false;
    };
    let Some(rest) = script.strip_prefix('s') else {
        return false;
    };
    let Some(d) = rest
        .chars()
        .next()
        .filter(|d| !d.is_alphanumeric() && *d != '\\')
    else {
        return false;
    };
    let parts: Vec<&str> = rest[d.len_utf8()..].split(d).collect();
    matches!(parts.as_slice(), [pat, "", flags]
        if matches!(*pat, "=.*" | "=.*$") && matches!(*flags, "" | "g" | "p"))
}

/// A dotenv, properties, ini or AWS-style credentials file: one
/// `KEY=value` a line.
pub(crate) fn kv_file(path: &str) -> bool {
    let base = crate::words::basename(path.trim_matches(['"', '\'']));
    base.starts_with(".env")
        || base.ends_with(".env")
        || base.ends_with(".properties")
        || base.ends_with(".ini")
        || base == "credentials"
}

/// `{print $1}` and nothing else (no other field, no `$0`, no system()),
/// optionally after a pattern that only picks lines (`!/^#/`, `NF`).
fn awk_prints_first(p: &str) -> bool {
    let body: String = p.chars().filter(|ch| !ch.is_whitespace()).collect();
    let (pattern, action) = body.split_at(body.find('{').unwrap_or(0));
    let picks_lines = !pattern.contains(['$', '(', ';', '"', '\'', '{', '}', '='])
        && !pattern.contains("getline");
    picks_lines && matches!(action, "{print$1}" | "{print($1)}")
}

fn unquote(s: &str) -> &str {
    s.trim_matches(['"', '\''])
}

/// An option's value: `-d=`, `-d =`, `--delimiter==`, `--delimiter =`.
fn value(c: &Cmd, short: char, long: &str) -> Option<String> {
    let flag = format!("-{short}");
    let mut found = None;
    let mut it = c.args.iter().peekable();
    while let Some(a) = it.next() {
        let t = a.text.as_str();
        if t == "--" {
            break;
        }
        if t == flag || t == long {
            found = it.next().map(|w| w.text.clone());
        } else if let Some(v) = t.strip_prefix(&format!("{long}=")) {
            found = Some(v.to_string());
        } else if let Some(v) = t.strip_prefix(&flag)
            && !t.starts_with("--")
        {
            found = Some(v.to_string());
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use crate::testutil::expect;

    #[test]
    fn key_names_are_not_secret_material() {
        expect(&[
            ("cut -d= -f1 .env", "safe"),
            ("cut -d '=' -f 1 .env", "safe"),
            ("cut -f1 -d= .env.production", "safe"),
            ("cut --delimiter== --fields=1 .env", "safe"),
            ("awk -F= '{print $1}' .env", "safe"),
            ("awk -F '=' '{ print $1 }' .env", "safe"),
            ("awk -F= '!/^#/ {print $1}' .env", "safe"),
            ("awk -F= 'NF {print $1}' .env", "safe"),
            ("cut -d= -f1 ~/.aws/credentials", "safe"),
            ("sed 's/=.*//' .env", "safe"),
            ("sed -e 's/=.*$//' .env.local", "safe"),
            ("sed -n 's|=.*||p' .env", "safe"),
        ]);
    }

    #[test]
    fn values_and_whole_reads_stay_secret_reads() {
        expect(&[
            ("cut -d= -f2 .env", "catastrophic"),
            ("cut -d= -f1- .env", "catastrophic"),
            ("cut -d= -f1,2 .env", "catastrophic"),
            ("cut -d= -f1 --complement .env", "catastrophic"),
            ("cut -d: -f1 .env", "catastrophic"),
            ("cut -c1-40 .env", "catastrophic"),
            ("awk -F= '{print $2}' .env", "catastrophic"),
            ("awk -F= '$2 ~ /x/ {print $1}' .env", "catastrophic"),
            (
                "awk -F= '{print $1; system(\"cat .env\")}' .env",
                "catastrophic",
            ),
            ("cut -d= -f1 .env ~/.ssh/id_rsa", "catastrophic"),
            ("cat .env", "catastrophic"),
            ("grep TOKEN .env", "catastrophic"),
            ("sed 's/.*=//' .env", "catastrophic"),
            ("sed 's/=.*//w out' .env", "catastrophic"),
            ("sed -i 's/=.*//' .env", "catastrophic"),
            ("sed 's/=.*//' .env ~/.ssh/id_rsa", "catastrophic"),
        ]);
    }
}
