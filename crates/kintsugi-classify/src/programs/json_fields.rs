//! JSON and YAML field selection (`jq`, `gojq`, `jaq`, `yq`): what part of
//! a document a filter prints. Of a credential file (`sa.json`, a
//! Kubernetes Secret manifest) only identifying fields come out of `jq -r
//! .client_email sa.json` or `yq .metadata.name k8s/secret.yaml`, and only
//! names of `jq 'keys' sa.json`: no secret read. The whole document (`.`),
//! an object holding the material (`.data`, `.installed`) or a secret field
//! (`.private_key`) is one. From any other file, a field named like a
//! secret (`jq -r .password config/db.json`) is read as one too.

use super::Cmd;

/// Programs that take a filter.
pub(crate) fn is_jq(n: &str) -> bool {
    matches!(n, "jq" | "gojq" | "jaq" | "yq")
}

/// The filter `c` applies (`.` when none is given); `None` when it comes
/// from a file (`jq -f prog.jq`).
pub(crate) fn filter_of(c: &Cmd) -> Option<String> {
    let mut it = c.args.iter().map(|w| w.text.as_str()).peekable();
    let mut first = true;
    while let Some(t) = it.next() {
        match t {
            "-f" | "--from-file" => return None,
            "--arg" | "--argjson" | "--slurpfile" | "--rawfile" => {
                it.next();
                it.next();
            }
            "--indent" | "-L" | "-o" | "--output-format" | "-p" | "--input-format" | "-I"
            | "--tab-width" => {
                it.next();
            }
            "--args" | "--jsonargs" => break,
            // `yq e '.a' f`, `yq eval …`: the subcommand comes first.
            "e" | "eval" | "ea" | "eval-all" if c.name == "yq" && first => {}
            _ if t.starts_with('-') && t.len() > 1 => {}
            _ => return Some(t.to_string()),
        }
        first = false;
    }
    Some(".".into())
}

/// Fields a filter reaches by name (`.a.b`, `."a"`, `.["a"]`), in order.
fn fields(f: &str) -> Vec<String> {
    let c: Vec<char> = f.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < c.len() {
        if c[i] == '.' {
            let mut j = i + 1;
            if c.get(j) == Some(&'[') {
                j += 1;
            }
            if c.get(j) == Some(&'"') {
                let end = c[j + 1..].iter().position(|x| *x == '"').map(|k| j + 1 + k);
                if let Some(end) = end {
                    out.push(c[j + 1..end].iter().collect());
                    i = end + 1;
                    continue;
                }
            }
            let start = j;
            while j < c.len() && (c[j].is_alphanumeric() || c[j] == '_') {
                j += 1;
            }
            if j > start && !c[start].is_ascii_digit() {
                out.push(c[start..j].iter().collect());
            }
            i = j.max(i + 1);
            continue;
        }
        i += 1;
    }
    out
}

/// The filter ends in names or a count (`keys`, `| length`, `has("x")`).
fn names_or_count(f: &str) -> bool {
    let g: String = f.chars().filter(|c| !c.is_whitespace()).collect();
    let segs: Vec<&str> = g.split('|').collect();
    // The last step that makes names or a count, then only steps that
    // reorder or pick among them (`keys | .[]`, `keys | sort | join(",")`).
    let Some(k) = segs.iter().rposition(|s| {
        matches!(
            *s,
            "keys" | "keys[]" | "keys_unsorted" | "length" | "type" | "[keys[]]"
        ) || s.starts_with("has(")
    }) else {
        return false;
    };
    segs[k + 1..].iter().all(|s| {
        matches!(
            *s,
            ".[]" | "sort" | "unique" | "reverse" | "first" | "last" | ".[0]" | "tostring"
        ) || s.starts_with("join(")
    })
}

/// The filter walks, flattens, serialises or subtracts from the whole
/// document (`del(.State)` prints everything else).
fn sweeping(f: &str) -> bool {
    [
        "..",
        "tostream",
        "to_entries",
        "with_entries",
        "map_values",
        "paths",
        "walk(",
        "getpath",
        "delpaths",
        "del(",
        "@base64d",
        "tojson",
        "@json",
        "@text",
        "tostring",
        "input",
    ]
    .iter()
    .any(|k| f.contains(k))
}

/// Identifying fields of a credential document.
const PUBLIC: &[&str] = &[
    "client_email",
    "client_id",
    "project_id",
    "type",
    "private_key_id",
    "auth_uri",
    "token_uri",
    "auth_provider_x509_cert_url",
    "client_x509_cert_url",
    "universe_domain",
    "quota_project_id",
    "account",
    "metadata",
    "name",
    "namespace",
    "kind",
    "apiVersion",
    "labels",
    "annotations",
    "version",
];

/// Field names that hold secrets in any document.
const SECRET: &[&str] = &[
    "private_key",
    "client_secret",
    "password",
    "passwd",
    "secret",
    "secret_key",
    "secretKey",
    "token",
    "access_token",
    "refresh_token",
    "id_token",
    "api_key",
    "apiKey",
    "apikey",
    "auth",
    "secret_access_key",
];

/// The filter only projects fields named in `allowed` (every step of
/// each path), or only names or counts.
pub(crate) fn only_fields(f: &str, allowed: &[&str]) -> bool {
    if names_or_count(f) {
        return true;
    }
    let fs = fields(f);
    projection(f, false)
        && !sweeping(f)
        && !fs.is_empty()
        && fs.iter().all(|x| allowed.contains(&x.as_str()))
}

/// Of a credential document, the filter prints only names, counts or
/// identifying fields.
pub(crate) fn only_public(f: &str) -> bool {
    only_fields(f, PUBLIC)
}

/// The filter only projects paths (`.a.b`, `.a, .b`, `{k: .a}`,
/// `"\(.a)"`, `.a[0]`), so its output is those paths and nothing more:
/// no `select` or assignment (which print the whole input), no identity,
/// no iteration of the root. `root_index` allows `.[0]`/`.[]` at the root
/// (a `docker inspect` array).
fn projection(f: &str, root_index: bool) -> bool {
    // String literals' text is data (their `\(…)` paths are in `fields`).
    let mut t = String::with_capacity(f.len());
    let mut in_str = false;
    let mut esc = false;
    for ch in f.chars() {
        if in_str {
            if esc {
                esc = false;
            } else if ch == '\\' {
                esc = true;
            } else if ch == '"' {
                in_str = false;
                t.push('"');
            }
            continue;
        }
        if ch == '"' {
            in_str = true;
        }
        t.push(ch);
    }
    let c: Vec<char> = t.chars().collect();
    let allowed = |ch: char| ch.is_alphanumeric() || "_.,|{}:()[]-\" \t".contains(ch);
    if in_str || !c.iter().all(|ch| allowed(*ch)) {
        return false;
    }
    let at_root = |i: usize| {
        c[..i]
            .iter()
            .rev()
            .find(|ch| !ch.is_whitespace())
            .is_none_or(|p| matches!(p, '|' | ',' | '(' | ':' | '{'))
    };
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        if ch == '.' {
            match c.get(i + 1) {
                Some(n) if n.is_alphanumeric() || *n == '_' || *n == '"' => {}
                Some('[') if root_index && at_root(i) => {}
                // The identity, or the root iterated: the whole input.
                _ => return false,
            }
        } else if ch == '[' {
            let close = c[i..].iter().position(|x| *x == ']').map(|k| i + k);
            let Some(close) = close else {
                return false;
            };
            if !c[i + 1..close]
                .iter()
                .all(|x| x.is_ascii_digit() || *x == '-')
            {
                return false;
            }
            i = close;
        } else if ch.is_alphabetic() || ch == '_' {
            let start = i;
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            let word: String = c[start..i].iter().collect();
            let field = start > 0 && c[start - 1] == '.';
            let key = c[i..].iter().find(|x| !x.is_whitespace()) == Some(&':');
            let names = matches!(word.as_str(), "keys" | "keys_unsorted" | "length" | "type");
            if !(field || key || names) {
                return false;
            }
            continue;
        }
        i += 1;
    }
    true
}

/// Of any document, the filter prints a field named like a secret.
pub(crate) fn selects_secret(f: &str) -> bool {
    !names_or_count(f) && fields(f).iter().any(|x| SECRET.contains(&x.as_str()))
}

/// Of a container inspection, the filter prints its environment: the whole
/// document, `Env`, or the whole `Config`.
pub(crate) fn shows_environment(f: &str) -> bool {
    if names_or_count(f) {
        return false;
    }
    if !projection(f, true) {
        return true;
    }
    let fs = fields(f);
    // Every `Config` must lead on to one of its fields (`.Config.Image`),
    // never stand for the whole object (`.Config`, `.Config | del(.Cmd)`).
    let whole_config = f.match_indices("Config").any(|(i, _)| {
        let mut rest = f[i + "Config".len()..].chars();
        !(rest.next() == Some('.') && rest.next().is_some_and(|c| c.is_alphanumeric()))
    });
    sweeping(f) || fs.is_empty() || fs.iter().any(|x| x == "Env") || whole_config
}

/// For `jq FILTER FILE…` (and its kin) among `scan_args`' credential
/// paths `hits`: drop them when the filter prints only identifying fields,
/// add the files when it prints a secret-named field of any document.
pub(crate) fn judge_hits(e: &crate::engine::Walker, c: &Cmd, hits: &mut Vec<String>) {
    if !is_jq(&c.name) {
        return;
    }
    let Some(f) = filter_of(c) else {
        return;
    };
    if only_public(&f) && !c.short('i') && !c.has(&["--in-place", "--inplace"]) {
        // Only the documents: a key file given too is not JSON.
        hits.retain(|p| !crate::downstream::is_kind(p, crate::downstream::Data::Document));
    } else if hits.is_empty() && selects_secret(&f) {
        let pos = c.positional();
        let at = pos
            .iter()
            .position(|w| w.text == f)
            .map_or(pos.len(), |k| k + 1);
        for w in &pos[at..] {
            hits.push(format!("secret fields of {}", e.path(&w.text)));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testutil::expect;

    #[test]
    fn identifying_fields_of_a_credential_file_are_not_secret() {
        expect(&[
            ("jq -r .client_email sa.json", "safe"),
            ("jq -r '.client_email, .project_id' sa.json", "safe"),
            ("jq 'keys' service-account.json", "safe"),
            ("jq 'has(\"private_key\")' sa.json", "safe"),
            ("yq .metadata.name k8s/secret.yaml", "safe"),
            ("yq '.data | keys' k8s/secret.yaml", "safe"),
            ("yq -r '.data | keys | .[]' k8s/secret.yaml", "safe"),
            ("jq -r 'keys | join(\",\")' sa.json", "safe"),
            ("jq -r .version package.json", "safe"),
            (
                "jq -r '\"\\(.client_email) \\(.project_id)\"' sa.json",
                "safe",
            ),
            ("jq '{email: .client_email}' sa.json", "safe"),
        ]);
    }

    #[test]
    fn secret_fields_and_whole_documents_are_secret_reads() {
        expect(&[
            ("jq -r .private_key sa.json", "catastrophic"),
            ("jq . sa.json", "catastrophic"),
            ("jq '.client_email = \"x\"' sa.json", "catastrophic"),
            (
                "jq 'select(.type == \"service_account\")' sa.json",
                "catastrophic",
            ),
            ("jq '.client_email, .' sa.json", "catastrophic"),
            ("jq '.[]' sa.json", "catastrophic"),
            (
                "jq -r '.client_email' sa.json ~/.ssh/id_rsa",
                "catastrophic",
            ),
            (
                "yq -i '.metadata.name = \"x\"' k8s/secret.yaml",
                "catastrophic",
            ),
            ("jq -r 'keys | .[] as $k | .[$k]' sa.json", "catastrophic"),
            (
                "jq -r '.installed.client_secret' credentials.json",
                "catastrophic",
            ),
            ("yq .data k8s/secret.yaml", "catastrophic"),
            ("yq e '.stringData' deploy/db-secret.yaml", "catastrophic"),
            ("jq -r .password config/db.json", "catastrophic"),
            ("gojq -r .private_key sa.json", "catastrophic"),
        ]);
    }
}
