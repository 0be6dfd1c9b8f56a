//! `kubectl create secret … -o yaml` (also `oc`, with or without
//! `--dry-run`) prints the Secret it builds: the files it reads
//! (`--from-file=[key=]PATH`, `--from-env-file=PATH`, `--key=PATH` of a
//! TLS secret) come out base64-encoded, which is no protection. When one
//! of them is credential material, that is a secret read, unless the
//! manifest goes down a pipe to the cluster (`| kubectl apply -f -`).
//! Literal values (`--from-literal`) are already on the line.

use super::Cmd;
use crate::downstream::{Data, hides_values};
use crate::effects::Effect;
use crate::engine::Walker;

/// Secret reads of `kubectl create secret` printing what it builds.
pub(crate) fn extra(e: &mut Walker, c: &Cmd) {
    if !matches!(c.name.as_str(), "kubectl" | "oc") {
        return;
    }
    let pos = c.positional();
    let create_secret = pos
        .windows(2)
        .any(|p| p[0].text == "create" && p[1].text == "secret");
    if !create_secret || !prints(c) || hides_values(e, Data::Manifest) {
        return;
    }
    let mut it = c.args.iter().map(|w| w.text.as_str());
    let mut files = Vec::new();
    while let Some(a) = it.next() {
        for opt in ["--from-file", "--from-env-file", "--key"] {
            if a == opt {
                files.extend(it.next().map(str::to_string));
            } else if let Some(v) = a.strip_prefix(opt).and_then(|r| r.strip_prefix('=')) {
                files.push(v.to_string());
            }
        }
    }
    for f in files {
        // `--from-file=key=path`: the path after the key.
        let path = f.split_once('=').map_or(f.as_str(), |(_, p)| p);
        let p = e.path(path);
        if crate::secret_paths::is_secret_path(&p, e.ctx) {
            e.add(Effect::SecretRead { path: p });
        }
    }
}

/// An output format other than `name`: the object is printed.
pub(crate) fn prints(c: &Cmd) -> bool {
    let mut it = c.args.iter().map(|w| w.text.as_str());
    while let Some(a) = it.next() {
        let fmt = match a {
            "-o" | "--output" => it.next(),
            _ => a
                .strip_prefix("--output=")
                .or_else(|| a.strip_prefix("-o").filter(|r| !r.is_empty())),
        };
        if let Some(f) = fmt {
            return f.trim_start_matches('=') != "name";
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use crate::testutil::expect;

    #[test]
    fn a_printed_secret_built_from_credential_files_is_read() {
        expect(&[
            (
                "kubectl create secret generic app --from-env-file=.env --dry-run=client -o yaml",
                "catastrophic",
            ),
            (
                "kubectl create secret generic s --from-file=id=/home/dev/.ssh/id_rsa --dry-run=client -o yaml",
                "catastrophic",
            ),
            (
                "kubectl create secret tls web --cert=tls.crt --key=tls.key --dry-run=client -oyaml",
                "catastrophic",
            ),
            (
                "kubectl create secret generic app --from-literal=A=b --dry-run=client -o yaml",
                "safe",
            ),
            (
                "kubectl create secret generic app --from-env-file=.env --dry-run=client",
                "safe",
            ),
            (
                "kubectl create secret generic app --from-env-file=.env --dry-run=client -o yaml | kubectl apply -f -",
                "ambiguous",
            ),
        ]);
    }

    /// `containers.rs` asks `downstream` too: a fetched Secret that goes
    /// to the cluster or only into names is not printed.
    #[test]
    fn a_fetched_secret_piped_on_unseen_is_not_read() {
        expect(&[
            ("kubectl get secret app -o json | jq 'keys'", "safe"),
            (
                "kubectl get secret app -o yaml | kubectl apply -n b -f -",
                "ambiguous",
            ),
            (
                "kubectl get secret app -o json | jq -r .data.password",
                "catastrophic",
            ),
            (
                "kubectl get secret app -o yaml | kubectl apply -f - -o yaml",
                "catastrophic",
            ),
        ]);
    }
}
