//! What the rest of a pipeline does with a stage's output. A credential
//! file read into a pipe is only exposed when its values reach the reader:
//! `cat .env | cut -d= -f1` prints the names, `cat .env | wc -l` a count,
//! `docker inspect c | jq '.[0].State'` no environment, and `kubectl
//! create secret … -o yaml | kubectl apply -f -` hands the manifest to the
//! cluster unseen. Filters that only pick or order lines (`grep -v '^#'`,
//! `sort`, `head`) pass the values on; anything Kintsugi does not know
//! is taken to show them.

use crate::engine::Walker;
use crate::programs::{Cmd, json_fields, key_column};
use crate::words::basename;

/// The kind of data a stage pipes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Data {
    /// `KEY=value` lines (`.env`, `credentials`).
    KeyValue,
    /// A container inspection (JSON with `Config.Env`, one variable a
    /// line).
    Inspect,
    /// An environment printed by a format (`{{.Config.Env}}`, `{{json
    /// .}}`): several variables may share a line, so no pattern can pick
    /// one out; a JSON filter can.
    EnvLines,
    /// A Kubernetes manifest holding a Secret.
    Manifest,
    /// A JSON or YAML credential document (`sa.json`, a Secret manifest).
    Document,
    /// A token's description in JSON (`vault token lookup -format=json`):
    /// the token itself and its accessor among harmless fields.
    TokenInfo,
}

/// The fields of a token's description that are not the token: what a
/// JSON filter may keep for the output to hold no secret.
const TOKEN_INFO_FIELDS: &[&str] = &[
    "data",
    "policies",
    "token_policies",
    "identity_policies",
    "ttl",
    "creation_ttl",
    "expire_time",
    "issue_time",
    "display_name",
    "renewable",
    "orphan",
    "type",
];

/// The text of each pipeline stage after `stage` (none when `pipeline`
/// is not a pipeline or `stage` is its last).
pub(crate) fn stages_after(
    pipeline: Option<tree_sitter::Node>,
    stage: tree_sitter::Node,
    src: &str,
) -> Vec<String> {
    let Some(p) = pipeline.filter(|p| p.kind() == "pipeline") else {
        return Vec::new();
    };
    let mut cur = p.walk();
    let kids: Vec<tree_sitter::Node> = p.named_children(&mut cur).collect();
    let Some(i) = kids.iter().position(|k| k.id() == stage.id()) else {
        return Vec::new();
    };
    kids[i + 1..]
        .iter()
        .take(8)
        .map(|k| {
            src.get(k.start_byte()..k.end_byte())
                .unwrap_or("")
                .to_string()
        })
        .collect()
}

/// What one stage does with data of kind `d` it reads.
enum Stage {
    /// Keeps only names, counts or other fields: the values stop here.
    Hides,
    /// Picks or orders lines: the values go on to the next stage.
    Passes,
    /// Shows, stores or sends them.
    Shows,
}

/// Whether the output of the command being analysed never shows the
/// values of data `d`: a later stage keeps only what is not secret
/// before anything prints it.
pub(crate) fn hides_values(e: &Walker, d: Data) -> bool {
    if !e.piped_out {
        return false;
    }
    for text in &e.downstream {
        match stage(e, text, d) {
            Stage::Hides => return true,
            Stage::Passes => {}
            Stage::Shows => return false,
        }
    }
    false
}

/// The output goes straight into a digest or a count (`| sha256sum`,
/// `| wc -c`): what is printed is not the data.
pub(crate) fn digested(e: &Walker) -> bool {
    e.piped_out
        && e.downstream.first().is_some_and(|t| {
            let name = t.split_whitespace().next().map(basename).unwrap_or("");
            matches!(
                name,
                "sha256sum"
                    | "sha512sum"
                    | "sha1sum"
                    | "sha224sum"
                    | "sha384sum"
                    | "md5sum"
                    | "b2sum"
                    | "shasum"
                    | "cksum"
                    | "wc"
            )
        })
}

/// Drop the reads of credential files of kind `d` (`KEY=value` files or
/// JSON/YAML documents) added since effect `from`: their values never
/// come out.
pub(crate) fn drop_reads(e: &mut Walker, from: usize, d: Data) {
    let mut i = 0;
    e.effects.retain(|x| {
        i += 1;
        i <= from || !matches!(x, crate::effects::Effect::SecretRead { path } if is_kind(path, d))
    });
}

/// Whether a credential path holds data of kind `d`.
pub(crate) fn is_kind(path: &str, d: Data) -> bool {
    match d {
        Data::KeyValue => key_column::kv_file(path),
        Data::Document => [".json", ".yaml", ".yml"].iter().any(|x| path.ends_with(x)),
        Data::Inspect | Data::EnvLines | Data::Manifest | Data::TokenInfo => false,
    }
}

/// For a command that reads credential files: the kinds whose values its
/// own output (`cut -d= -f1`, `jq -r .client_email`, `wc -l < .env`) or
/// the rest of the pipe never shows.
pub(crate) fn hidden_kinds(e: &Walker, c: &Cmd) -> Vec<Data> {
    let counts = c.name == "wc"
        || matches!(c.name.as_str(), "grep" | "egrep" | "fgrep" | "rg")
            && (c.short('c') || c.short('q') || c.has(&["--count", "--quiet"]));
    if counts && c.positional().len() <= usize::from(c.name != "wc") {
        // Reading standard input only (`wc -l < .env`): a count.
        return vec![Data::KeyValue, Data::Document];
    }
    // Only a reader that passes the file's lines on unchanged keeps the
    // `KEY=value` shape the next stage relies on (`base64 .env | cut -d=
    // -f1` prints the encoded file).
    let verbatim = matches!(
        c.name.as_str(),
        "cat" | "tac" | "head" | "tail" | "sort" | "uniq" | "shuf" | "grep" | "egrep" | "fgrep"
    ) && !c.short('o')
        && !c.has(&["--only-matching"]);
    let counted = counted(e);
    let mut out = Vec::new();
    if key_column::names_only_stream(c) || counted || verbatim && hides_values(e, Data::KeyValue) {
        out.push(Data::KeyValue);
    }
    let public_filter = json_fields::is_jq(&c.name)
        && json_fields::filter_of(c).is_some_and(|f| json_fields::only_public(&f));
    if public_filter || counted || verbatim && hides_values(e, Data::Document) {
        out.push(Data::Document);
    }
    out
}

/// The output only reaches a count (`| wc -l`, `| sort | grep -c x`),
/// whatever shape it has.
fn counted(e: &Walker) -> bool {
    if !e.piped_out {
        return false;
    }
    for text in &e.downstream {
        let first = text.split_whitespace().next().map(basename).unwrap_or("");
        if first == "wc" {
            return true;
        }
        match stage(e, text, Data::KeyValue) {
            // A searcher that hides prints a count or nothing.
            Stage::Hides => return matches!(first, "grep" | "egrep" | "fgrep" | "rg"),
            Stage::Passes => {}
            Stage::Shows => return false,
        }
    }
    false
}

fn stage(e: &Walker, text: &str, d: Data) -> Stage {
    // Looking ahead is not new work: the stage is expanded again when it
    // runs, and counting it twice would reach the work cap early.
    let work = e.work.get();
    let split = e.split(text);
    e.work.set(work);
    let words: Vec<_> = split
        .into_iter()
        .filter(|w| {
            let t = w
                .text
                .trim_start_matches(|c: char| c.is_ascii_digit() || c == '&');
            !(t.starts_with('>') || t.starts_with('<'))
        })
        .collect();
    let Some(first) = words.first() else {
        return Stage::Shows;
    };
    let c = Cmd {
        name: basename(&first.text).to_string(),
        args: words[1..].to_vec(),
        stdin: crate::engine::Stdin::Other(String::new()),
        via: Vec::new(),
        depth: 0,
    };
    let n = c.name.as_str();
    let searcher = matches!(n, "grep" | "egrep" | "fgrep" | "rg");
    if n == "wc"
        || searcher
            && (c.short('c') || c.short('q') || c.short('l') || c.has(&["--count", "--quiet"]))
    {
        return Stage::Hides;
    }
    match d {
        Data::KeyValue => {
            if key_column::names_only_stream(&c) {
                Stage::Hides
            } else if searcher && !c.short('o') && !c.has(&["--only-matching"])
                || matches!(n, "sort" | "uniq" | "head" | "tail" | "tac" | "shuf")
            {
                Stage::Passes
            } else {
                Stage::Shows
            }
        }
        Data::Inspect => {
            if key_column::names_only_stream(&c) {
                // `… | jq -r '.[0].Config.Env[]' | cut -d= -f1`: names.
                Stage::Hides
            } else if json_fields::is_jq(n) {
                match json_fields::filter_of(&c) {
                    Some(f) if !json_fields::shows_environment(&f) => Stage::Hides,
                    _ => Stage::Passes,
                }
            } else if searcher {
                // The lines a pattern keeps are the environment only when
                // it looks for it (`grep -A40 '"Env"'`, `grep -i password`).
                let context = c.args.iter().any(|a| {
                    let t = a.text.as_str();
                    t.starts_with("-A")
                        || t.starts_with("-B")
                        || t.starts_with("-C")
                        || t.starts_with("--context")
                        || t.starts_with("--after")
                        || t.starts_with("--before")
                });
                let pat = c
                    .positional()
                    .first()
                    .map(|w| w.text.to_ascii_uppercase())
                    .unwrap_or_default();
                let secretish = [
                    "ENV", "TOKEN", "KEY", "SECRET", "PASS", "AWS", "CRED", "AUTH", "API",
                    "PRIVATE", "=", "URL", "DSN", "CONN", "USER",
                ]
                .iter()
                .any(|k| pat.contains(k));
                // A short or wildcard pattern matches nearly every line.
                let broad = pat.len() < 4
                    || !pat
                        .chars()
                        .all(|ch| ch.is_alphanumeric() || "_-\":| ".contains(ch));
                // `grep -v PATH` keeps every other line.
                let inverted = c.short('v') || c.has(&["--invert-match"]);
                if context || secretish || inverted || broad {
                    Stage::Passes
                } else {
                    Stage::Hides
                }
            } else if matches!(n, "sort" | "uniq" | "head" | "tail") {
                Stage::Passes
            } else {
                Stage::Shows
            }
        }
        Data::EnvLines => {
            let jq_keeps_no_env = json_fields::is_jq(n)
                && json_fields::filter_of(&c).is_some_and(|f| !json_fields::shows_environment(&f));
            if key_column::names_only_stream(&c) || jq_keeps_no_env {
                Stage::Hides
            } else if json_fields::is_jq(n) || matches!(n, "sort" | "uniq" | "head" | "tail" | "tr")
            {
                Stage::Passes
            } else {
                Stage::Shows
            }
        }
        Data::TokenInfo => {
            let kept = json_fields::is_jq(n)
                && json_fields::filter_of(&c)
                    .is_some_and(|f| json_fields::only_fields(&f, TOKEN_INFO_FIELDS));
            if kept { Stage::Hides } else { Stage::Shows }
        }
        Data::Document | Data::Manifest => {
            // Handed to the cluster (`kubectl apply -f -`), not printed;
            // `kubectl diff` prints Secret data masked.
            let applies = matches!(n, "kubectl" | "oc")
                && matches!(
                    c.positional().first().map(|w| w.text.as_str()),
                    Some("apply" | "create" | "replace" | "diff")
                )
                // `kubectl create -f - -o yaml` prints what it made.
                && !crate::programs::secret_manifests::prints(&c);
            let public = d == Data::Document
                && json_fields::is_jq(n)
                && json_fields::filter_of(&c).is_some_and(|f| json_fields::only_public(&f));
            if applies || public {
                Stage::Hides
            } else {
                Stage::Shows
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testutil::expect;

    #[test]
    fn names_and_counts_of_a_key_value_file_hide_its_values() {
        expect(&[
            ("cat .env | cut -d= -f1", "safe"),
            ("cat .env | awk -F= '{print $1}'", "safe"),
            ("grep -v '^#' .env | cut -d= -f1 | sort", "safe"),
            ("cat .env | sed 's/=.*//'", "safe"),
            ("cut -d= -f1 < .env", "safe"),
            ("cat .env | wc -l", "safe"),
            ("wc -l < .env", "safe"),
            ("grep -c TOKEN < .env", "safe"),
            ("cat .env | cut -d= -f2", "catastrophic"),
            ("cat .env | grep DB | cut -d= -f2", "catastrophic"),
            ("cat .env | sort", "catastrophic"),
            ("base64 .env | cut -d= -f1", "catastrophic"),
            ("sed 's/=/ /' .env | cut -d= -f1", "catastrophic"),
            ("xxd .env | wc -l", "safe"),
            ("cat .env ~/.ssh/id_rsa | cut -d= -f1", "catastrophic"),
        ]);
    }

    #[test]
    fn a_printed_secret_stays_secret_unless_the_pipe_keeps_only_public_parts() {
        expect(&[
            ("helm get manifest api -n prod", "catastrophic"),
            ("helm get manifest api -n prod | kubectl diff -f -", "safe"),
            ("helm get manifest api -n prod | grep -c Secret", "safe"),
            ("helm get manifest api -n prod | tee m.yaml", "catastrophic"),
            (
                "vault token lookup -format=json | jq .data.policies",
                "safe",
            ),
            ("vault token lookup -format=json | jq -r .data.ttl", "safe"),
            (
                "vault token lookup -format=json | jq .data.id",
                "catastrophic",
            ),
            ("vault token lookup -format=json | jq .", "catastrophic"),
            ("vault token lookup", "catastrophic"),
        ]);
    }

    #[test]
    fn a_piped_inspection_shows_the_environment_unless_filtered() {
        expect(&[
            ("docker inspect web | cat", "catastrophic"),
            ("docker inspect web | less", "catastrophic"),
            ("docker inspect web | tee i.json", "catastrophic"),
            ("docker inspect web | jq '.[0].Config.Env'", "catastrophic"),
            ("docker inspect web | jq .", "catastrophic"),
            ("docker inspect web | grep -i password", "catastrophic"),
            ("docker inspect web | head -n 400", "catastrophic"),
            ("docker inspect web | jq '.[0].State'", "safe"),
            ("docker inspect web | jq '.[0].Config.Image'", "safe"),
            ("docker inspect web | grep -i ipaddress", "safe"),
            ("docker inspect web | wc -l", "safe"),
            (
                "docker inspect -f '{{range .Config.Env}}{{println .}}{{end}}' web | grep -v PATH",
                "catastrophic",
            ),
            (
                "docker inspect web | jq -r '.[0].Config.Env[]' | cut -d= -f1",
                "safe",
            ),
            (
                "docker inspect -f '{{.Config.Env}}' web | grep DATABASE",
                "catastrophic",
            ),
            (
                "docker inspect -f '{{.Config.Env}}' web | grep -c NODE_ENV",
                "safe",
            ),
            (
                "docker inspect -f '{{json .}}' web | grep -i ipaddress",
                "catastrophic",
            ),
            (
                "docker inspect web | jq '.[0].Config | del(.Image)'",
                "catastrophic",
            ),
            (
                "docker inspect web | jq '.[0] | del(.State)'",
                "catastrophic",
            ),
            ("docker inspect web | grep -i url", "catastrophic"),
            ("docker inspect web | grep -i e", "catastrophic"),
            ("docker inspect web | grep '.*'", "catastrophic"),
            ("docker inspect -f '{{json .}}' web | jq .State", "safe"),
            ("docker inspect -f '{{json .}}' web | jq .", "catastrophic"),
        ]);
    }

    #[test]
    fn identifying_fields_of_a_piped_or_redirected_document_are_not_secret() {
        expect(&[
            ("cat sa.json | jq -r .client_email", "safe"),
            ("jq -r '.client_email' < sa.json", "safe"),
            ("cat sa.json | jq .", "catastrophic"),
            ("jq -r .private_key < sa.json", "catastrophic"),
            ("cat k8s/secret.yaml | kubectl apply -f -", "ambiguous"),
            (
                "cat k8s/secret.yaml | kubectl create -f - -o yaml",
                "catastrophic",
            ),
            (
                "cat k8s/secret.yaml | tee /tmp/scratch/s.yaml",
                "catastrophic",
            ),
            ("cat .github/secret-scanning.yml", "safe"),
        ]);
    }
}
