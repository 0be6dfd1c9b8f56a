//! Exposure: tools whose output is credential material (IaC outputs and
//! state, PaaS config dumps, secret managers' get/read/download, token
//! printers), recursive hunts for key material over home, credentials
//! linked into a served, public or committed place, and grants that open
//! access to anyone (public ACLs, `allUsers`, `0.0.0.0/0` ingress,
//! unauthenticated bindings, world-writable control sockets).

use super::Cmd;
use crate::effects::Effect;
use crate::engine::Walker;

/// Nouns that name credential material in a CLI's subcommands.
const SECRET_NOUNS: &[&str] = &[
    "secret",
    "secrets",
    "password",
    "passwords",
    "token",
    "tokens",
    "credential",
    "credentials",
    "creds",
    "apikey",
    "api-key",
    "api-keys",
    "private-key",
    "keypair",
];

/// Verbs that print or hand over a secret's value.
const REVEAL_VERBS: &[&str] = &[
    "get", "read", "show", "reveal", "download", "export", "access", "print", "dump", "value",
    "pull", "decrypt", "unseal", "cat", "fetch", "view", "copy",
];

/// Effects added on top of whatever family handles the program.
pub(crate) fn extra(e: &mut Walker, c: &Cmd) {
    if let Some(what) = printed_secret(c) {
        // Unless the pipe keeps only what is not secret: a count, a token
        // lookup's harmless fields (`| jq .data.policies`), or a release's
        // manifest handed to `kubectl apply`/`diff` (which masks Secret
        // data).
        use crate::downstream::{Data, hides_values};
        let kind = match c.name.as_str() {
            "helm" => Some(Data::Manifest),
            "vault" => Some(Data::TokenInfo),
            _ => None,
        };
        if !kind.is_some_and(|d| hides_values(e, d)) {
            e.add(Effect::SecretRead { path: what });
        }
    } else if super::env_dumps::prints_env(c, |d| {
        matches!(c.name.as_str(), "docker" | "podman" | "nerdctl")
            && crate::downstream::hides_values(e, d)
    }) {
        e.add(Effect::SecretRead {
            path: format!("the environment printed by `{}`", c.label()),
        });
    }
    key_hunt(e, c);
    credential_link(e, c);
    if let Some(what) = super::exposure_more::network_down(c) {
        e.add(Effect::Power { what });
    }
    if let Some(what) = super::exposure_more::security_agent_stopped(c) {
        e.add(Effect::SecurityDisable {
            what,
            control: "audit-off".into(),
        });
    }
    if let Some(what) = opens_access(c).or_else(|| super::exposure_more::opens(e, c)) {
        e.add(Effect::SecurityDisable {
            what,
            control: "access-control".into(),
        });
    }
}

fn words(c: &Cmd) -> Vec<String> {
    c.positional()
        .iter()
        .take(5)
        .map(|w| w.text.to_ascii_lowercase())
        .collect()
}

/// A tool that prints credential material: `(what it prints)`.
fn printed_secret(c: &Cmd) -> Option<String> {
    let n = c.name.as_str();
    let w = words(c);
    let s = |k: usize| w.get(k).map(String::as_str).unwrap_or("");
    let label = || format!("the output of `{}`", c.label());
    let known = match n {
        "terraform" | "tofu" | "terragrunt" => {
            s(0) == "output"
                || (s(0) == "state" && s(1) == "pull")
                // The JSON form of `show` prints the state's sensitive values
                // in clear (a saved plan named after it is a plan review).
                || s(0) == "show" && s(1).is_empty() && c.has(&["-json", "--json"])
        }
        "npm" | "pnpm" | "yarn" => s(0) == "token" && s(1) == "create",
        "fly" | "flyctl" => s(0) == "auth" && s(1) == "token",
        "ansible-vault" => {
            s(0) == "view"
                || s(0) == "decrypt"
                    && (c
                        .args
                        .windows(2)
                        .any(|p| p[0].text == "--output" && p[1].text == "-")
                        || c.has(&["--output=-"]))
        }
        "pulumi" => c.has(&["--show-secrets"]) || (s(0) == "config" && s(1) == "get"),
        "chamber" => matches!(s(0), "export" | "read"),
        "vault" => {
            s(0) == "token" && matches!(s(1), "create" | "lookup")
                // `vault write auth/approle/login …`: a login prints a token.
                || matches!(s(0), "write" | "login") && s(1).starts_with("auth/")
        }
        "heroku" => s(0) == "config" || s(0) == "config:get",
        "doppler" => s(0) == "secrets" && !matches!(s(1), "set" | "delete" | "names"),
        "infisical" => s(0) == "export" || (s(0) == "secrets" && matches!(s(1), "" | "get")),
        "vercel" => s(0) == "env" && s(1) == "pull",
        "netlify" => matches!(s(0), "env:get" | "env:list"),
        "railway" => s(0) == "variables",
        "gcloud" => {
            w.iter()
                .any(|x| x == "print-access-token" || x == "print-identity-token")
                || w.contains(&"keys".to_string()) && w.contains(&"create".to_string())
        }
        "argocd" => s(0) == "account" && s(1) == "generate-token",
        // A release's manifest carries its Secret objects.
        "helm" => s(0) == "get" && matches!(s(1), "all" | "manifest"),
        "doctl" => s(0) == "registry" && s(1) == "docker-config",
        "conjur" => s(0) == "variable" && matches!(s(1), "get" | "value"),
        "step" => s(0) == "ca" && s(1) == "token",
        "nomad" | "consul" => {
            s(0) == "acl" && s(1) == "token" && matches!(s(2), "self" | "read" | "create")
        }
        "az" => {
            c.has(&["--expose-token"])
                || w.contains(&"credential".to_string()) && w.contains(&"reset".to_string())
                || w.iter().any(|x| {
                    matches!(
                        x.as_str(),
                        "get-access-token"
                            | "list-keys"
                            | "show-connection-string"
                            | "list-connection-strings"
                    )
                })
                || s(2) == "keys" && s(3) == "list"
                || s(1) == "keys" && s(2) == "list"
        }
        "aws" => {
            w.iter().any(|x| {
                matches!(
                    x.as_str(),
                    "get-login-password"
                        | "create-access-key"
                        | "assume-role"
                        | "get-federation-token"
                )
            }) || (w.iter().any(|x| x.starts_with("get-parameter")) && c.long("--with-decryption"))
                || s(0) == "configure"
                    && (s(1) == "export-credentials" || s(1) == "get" && s(2).contains("secret"))
        }
        "git" => s(0) == "credential" && s(1) == "fill",
        // The `view-secret` plugin decodes a secret's values.
        "kubectl" | "oc" => {
            w.iter().any(|x| x == "view-secret")
                || s(0) == "create" && s(1) == "token"
                || n == "oc" && s(0) == "extract" && s(1).starts_with("secret")
        }
        "gopass" | "lpass" | "keepassxc-cli" => matches!(s(0), "show" | "cat" | "" | "export"),
        "bw" => s(0) == "get" || s(0) == "export" || s(0) == "list" && s(1) == "items",
        "secret-tool" => matches!(s(0), "lookup" | "search"),
        _ => n.starts_with("docker-credential-") && s(0) == "get",
    };
    if known {
        return Some(label());
    }
    // Any other CLI: a secret noun and a reveal verb (`acme secrets get X`).
    let noun = w.iter().any(|x| {
        SECRET_NOUNS.contains(&x.as_str())
            || x.split(['-', ':', '_']).any(|p| SECRET_NOUNS.contains(&p))
    });
    let reveal = w.iter().any(|x| {
        REVEAL_VERBS.contains(&x.as_str())
            || x.split(['-', ':'])
                .next()
                .is_some_and(|p| REVEAL_VERBS.contains(&p))
    });
    let list_only = w
        .iter()
        .any(|x| matches!(x.as_str(), "list" | "ls" | "names"));
    let family_owned = matches!(
        n,
        "kubectl" | "oc" | "vault" | "gh" | "glab" | "pass" | "op" | "security" | "sops"
    );
    (noun && reveal && !list_only && !family_owned && !crate::safe_list::is_known_safe(n)
        || noun
            && reveal
            && !list_only
            && matches!(n, "aws" | "gcloud" | "az" | "doctl" | "fly" | "flyctl"))
    .then(label)
}

/// `grep -r "BEGIN RSA PRIVATE KEY" ~`: a search for key material over home.
fn key_hunt(e: &mut Walker, c: &Cmd) {
    if !matches!(
        c.name.as_str(),
        "grep" | "egrep" | "fgrep" | "rg" | "ag" | "ack" | "ugrep" | "git"
    ) {
        return;
    }
    const MARKERS: &[&str] = &[
        "private key",
        "begin rsa",
        "begin openssh",
        "begin ec",
        "begin dsa",
        "begin pgp private",
        "aws_secret_access_key",
        "akia",
        "ghp_",
        "github_pat",
        "xoxb-",
        "xoxp-",
        "sk_live",
        "password=",
        "passwd",
        "secret_key",
        "api_key",
        "apikey",
        "id_rsa",
        "id_ed25519",
    ];
    let all: Vec<String> = c.args.iter().map(|w| w.text.to_ascii_lowercase()).collect();
    // Words for secrets in general print the matching lines unless only
    // names or counts are asked for (`rg -l password ~/.ssh`).
    let names_only = c.has(&["-l", "-L", "-c", "--files-with-matches", "--count"]);
    let weak = !names_only
        && all
            .iter()
            .any(|a| ["password", "secret"].iter().any(|m| a.contains(m)));
    if !weak && !all.iter().any(|a| MARKERS.iter().any(|m| a.contains(m))) {
        return;
    }
    let recursive = c.name != "grep" && c.name != "egrep" && c.name != "fgrep"
        || c.short('r')
        || c.short('R')
        || c.long("--recursive");
    if !recursive {
        return;
    }
    let home = e.home.clone();
    let mut targets: Vec<String> = c
        .positional()
        .iter()
        .skip(1)
        .map(|w| e.path(&w.text))
        .collect();
    if targets.is_empty() {
        targets.push(e.cwd.to_string_lossy().into_owned());
    }
    let proj = e.project.clone();
    if let Some(t) = targets.iter().find(|t| {
        (t.as_str() == home || t.starts_with(&format!("{home}/")) || t.as_str() == "/")
            && proj.as_ref().is_none_or(|p| !t.starts_with(p.as_str()))
    }) {
        e.add(Effect::SecretRead {
            path: format!("key material searched for under {t}"),
        });
    }
}

/// `ln -s ~/.ssh/id_rsa public/key.txt`: a credential made readable from a
/// served, public or committed place.
fn credential_link(e: &mut Walker, c: &Cmd) {
    if !matches!(c.name.as_str(), "ln" | "cp" | "install" | "rsync") {
        return;
    }
    let pos: Vec<String> = c.positional().iter().map(|w| w.text.clone()).collect();
    if pos.len() < 2 {
        return;
    }
    let dest = e.path(&pos[pos.len() - 1]);
    let public = [
        "public", "dist", "static", "www", "htdocs", "build", "out", "site", "docs",
    ]
    .iter()
    .any(|d| dest.split('/').any(|seg| seg == *d))
        || dest.starts_with("/var/www")
        || dest.starts_with("/srv/")
        || e.project
            .as_ref()
            .is_some_and(|p| dest.starts_with(p.as_str()));
    if !public {
        return;
    }
    for src in &pos[..pos.len() - 1] {
        let p = e.path(src);
        if crate::secret_paths::is_secret_path(&p, e.ctx) {
            e.add(Effect::NetworkEgress {
                host: format!("whoever can read {dest}"),
                payload: format!("the credential {p}"),
                sensitive: true,
            });
        }
    }
}

/// A symbolic mode (`o+rw`, `a=rwx`, `go+w,u+x`) that gives others
/// (`o`, `a`, or no `who`) the permission `perm`.
fn symbolic_grants(mode: &str, perm: char) -> bool {
    mode.split(',').any(|clause| {
        let Some(op) = clause.find(['+', '=']) else {
            return false;
        };
        let (who, rest) = clause.split_at(op);
        who.chars().all(|c| matches!(c, 'u' | 'g' | 'o' | 'a'))
            && (who.is_empty() || who.contains('o') || who.contains('a'))
            && rest[1..].contains(perm)
    })
}

/// A grant that opens access to anyone: `(what)`.
fn opens_access(c: &Cmd) -> Option<String> {
    let n = c.name.as_str();
    let args: Vec<&str> = c.args.iter().map(|w| w.text.as_str()).collect();
    let has = |needle: &str| args.iter().any(|a| a.contains(needle));
    if matches!(n, "chmod") {
        let world = args.iter().any(|a| {
            let m = a.trim_start_matches('-');
            (m.len() == 3 || m.len() == 4)
                && m.chars().all(|ch| ch.is_ascii_digit())
                && m.chars()
                    .last()
                    .is_some_and(|d| matches!(d, '2' | '3' | '6' | '7'))
                || symbolic_grants(m, 'w')
        });
        let socket = args
            .iter()
            .any(|a| a.ends_with(".sock") || a.contains("/run/"));
        return (world && socket)
            .then(|| "access control of a control socket (world-writable)".into());
    }
    // `setfacl -m o::rw /var/run/docker.sock`: the same through an ACL.
    if n == "setfacl" {
        let world = args.iter().any(|a| {
            a.split(',').any(|entry| {
                let mut f = entry.split(':');
                matches!(f.next(), Some("o" | "other"))
                    && f.next_back().is_some_and(|perm| perm.contains('w'))
            })
        });
        let socket = args
            .iter()
            .any(|a| a.ends_with(".sock") || a.contains("/run/"));
        return (world && socket)
            .then(|| "access control of a control socket (world-writable)".into());
    }
    // `xhost +`: any host may connect to the display and read keystrokes.
    if n == "xhost" && args.contains(&"+") {
        return Some("access control of the X display (any host may connect)".into());
    }
    // A container engine's API opened on every interface.
    if matches!(n, "dockerd" | "containerd" | "podman")
        && args.iter().any(|a| {
            a.contains("tcp://0.0.0.0") || a.contains("tcp://:") || a.contains("tcp://[::]")
        })
    {
        return Some("access control of a container engine (its API open to the network)".into());
    }
    // A private repository made public.
    if matches!(n, "gh" | "glab")
        && (has("--visibility")
            && args
                .iter()
                .any(|a| *a == "public" || a.ends_with("=public"))
            || has("private=false")
            || has("visibility=public"))
    {
        return Some("access control: makes a private repository public".into());
    }
    if !matches!(
        n,
        "aws"
            | "gcloud"
            | "gsutil"
            | "az"
            | "kubectl"
            | "oc"
            | "doctl"
            | "s3cmd"
            | "mc"
            | "rclone"
            | "openstack"
    ) {
        return None;
    }
    let value_of = |opt: &str| args.windows(2).find(|w| w[0] == opt).map(|w| w[1]);
    let public_principal = has("allUsers")
        // `aws lambda add-permission --principal '*'`: anyone may invoke.
        || value_of("--principal") == Some("*")
        || has("allAuthenticatedUsers")
        || has("AllUsers")
        || has("system:unauthenticated")
        || has("system:anonymous")
        || has("--allow-unauthenticated")
        || has("\"Principal\":\"*\"")
        || has("\"Principal\": \"*\"")
        || has("\"AWS\":\"*\"")
        // Snapshots and images shared with every account.
        || has("Group=all")
        || (has("--group-names") || has("--values-to-add")) && args.contains(&"all");
    let public_acl = args.iter().any(|a| {
        matches!(
            *a,
            "public-read" | "public-read-write" | "authenticated-read" | "--acl-public" | "-P"
        ) && n != "kubectl"
            || a.starts_with("--acl=public")
    }) || (has("--public-access") && (has("blob") || has("container")))
        || has("delete-public-access-block")
        || has("put-public-access-block") && has("=false")
        || has("--allow-blob-public-access") && !has("false")
        || has("--public-network-access") && has("Enabled") && has("0.0.0.0")
        || (n == "mc" && args.first() == Some(&"anonymous") && has("set"))
        || (n == "mc" && args.first() == Some(&"policy") && has("public"));
    // `az vm open-port --port '*'`: every port, from anywhere.
    let every_port = args.contains(&"open-port") && value_of("--port") == Some("*");
    let world_ingress = every_port
        || (has("0.0.0.0/0")
            || has("::/0")
            || (args.contains(&"*") || args.contains(&"Internet") || args.contains(&"Any"))
                && has("nsg"))
            && args.iter().any(|a| {
                a.contains("ingress")
                    || a.contains("firewall")
                    || a.contains("nsg")
                    || a.contains("security-group")
                    || a.contains("authorized-networks")
                    || a.contains("remote-ip")
                    || a.contains("source-ranges")
            });
    if public_principal {
        Some("access control: grants access to anyone (a public principal)".into())
    } else if public_acl {
        Some("access control: makes storage public".into())
    } else if world_ingress {
        Some("access control: opens ingress to the whole internet".into())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use crate::testutil::expect;

    #[test]
    fn secrets_printed_by_tools() {
        expect(&[
            ("kubectl view-secret db-creds -a", "catastrophic"),
            ("kubectl view-secret --help", "safe"),
        ]);
        expect(&[
            ("terraform output -raw db_password", "catastrophic"),
            ("terraform state pull", "catastrophic"),
            ("heroku config -a app", "catastrophic"),
            ("doppler secrets download --no-file", "catastrophic"),
            ("acmectl secrets get prod-db", "catastrophic"),
            ("acmectl secrets list", "safe"),
            ("gcloud auth print-access-token", "catastrophic"),
            ("aws ecr get-login-password", "catastrophic"),
            ("grep -r 'BEGIN RSA PRIVATE KEY' ~", "catastrophic"),
            ("rg -l 'aws_secret_access_key' /home/dev", "catastrophic"),
            ("grep -rn 'api_key' src/", "safe"),
            ("ln -s ~/.ssh/id_rsa public/key.txt", "catastrophic"),
        ]);
    }

    #[test]
    fn grants_to_anyone() {
        expect(&[
            (
                "aws s3api put-bucket-acl --bucket b --acl public-read",
                "catastrophic",
            ),
            ("gsutil iam ch allUsers:objectViewer gs://b", "catastrophic"),
            (
                "aws ec2 authorize-security-group-ingress --group-id sg-1 --protocol tcp --port 22 --cidr 0.0.0.0/0",
                "catastrophic",
            ),
            (
                "kubectl create clusterrolebinding x --clusterrole=cluster-admin --group=system:unauthenticated",
                "catastrophic",
            ),
            ("chmod 666 /var/run/docker.sock", "catastrophic"),
            ("chmod 644 src/main.rs", "safe"),
            ("aws s3api get-bucket-acl --bucket b", "safe"),
        ]);
    }

    #[test]
    fn existence_checks_and_sql_comments() {
        expect(&[
            (
                "python3 -c 'import os; print(os.path.exists(\"/home/dev/.ssh/id_rsa\"))'",
                "safe",
            ),
            (
                "python3 -c 'print(open(\"/home/dev/.ssh/id_rsa\").read())'",
                "catastrophic",
            ),
            ("psql -c 'DR/**/OP TABLE users'", "catastrophic"),
            ("psql -c 'SELECT 1 -- DROP TABLE x'", "safe"),
        ]);
    }

    #[test]
    fn more_printed_secrets_and_openings() {
        expect(&[
            (
                "aws ssm get-parameters-by-path --path /prod --with-decryption",
                "catastrophic",
            ),
            ("aws configure get aws_secret_access_key", "catastrophic"),
            ("az storage account keys list -n prodstore", "catastrophic"),
            ("bw list items", "catastrophic"),
            ("pulumi config get dbPassword", "catastrophic"),
            ("vault token create -policy=root", "catastrophic"),
            ("chamber export prod", "catastrophic"),
            ("gpg --decrypt secrets.gpg", "catastrophic"),
            ("chmod o+rw /run/containerd/containerd.sock", "catastrophic"),
            ("dockerd -H tcp://0.0.0.0:2375", "catastrophic"),
            (
                "gcloud functions deploy hook --trigger-http --allow-unauthenticated",
                "catastrophic",
            ),
            (
                "az storage account update -n s -g rg --allow-blob-public-access true",
                "catastrophic",
            ),
            (
                "gh repo edit acme/internal --visibility public",
                "catastrophic",
            ),
            (
                "gh api -X PATCH repos/acme/r -f private=false",
                "catastrophic",
            ),
            ("helm list -A", "safe"),
            ("bw status", "safe"),
        ]);
    }

    #[test]
    fn token_printers_public_snapshots_and_acls() {
        expect(&[
            ("terraform show -json", "catastrophic"),
            ("terraform show -json tfplan", "safe"),
            ("npm token create", "catastrophic"),
            ("kubectl create token default", "catastrophic"),
            ("fly auth token", "catastrophic"),
            ("az ad sp credential reset --id 1", "catastrophic"),
            ("ansible-vault view vault.yml", "catastrophic"),
            ("ansible-vault decrypt vault.yml --output -", "catastrophic"),
            ("setfacl -m o::rw /var/run/docker.sock", "catastrophic"),
            ("setfacl -m u:dev:rw /var/run/docker.sock", "ambiguous"),
            ("xhost +", "catastrophic"),
            ("helm get manifest api", "catastrophic"),
            ("helm get values api", "safe"),
            ("helm get notes api", "safe"),
            ("doctl registry docker-config", "catastrophic"),
            ("conjur variable get -i prod/db/password", "catastrophic"),
            ("az acr login -n acme --expose-token", "catastrophic"),
            ("oc extract secret/db --to=-", "catastrophic"),
            (
                "kubectl get secret db -o jsonpath='{.metadata.name}'",
                "safe",
            ),
            (
                "kubectl get secret db -o jsonpath='{.data.password}'",
                "catastrophic",
            ),
            ("openssl rsa -in ~/.ssh/id_rsa -noout -check", "safe"),
            ("openssl rsa -in ~/.ssh/id_rsa -text", "catastrophic"),
            (
                "aws ec2 modify-snapshot-attribute --snapshot-id s --attribute createVolumePermission --operation-type add --group-names all",
                "catastrophic",
            ),
            (
                "aws rds modify-db-snapshot-attribute --db-snapshot-identifier s --attribute-name restore --values-to-add all",
                "catastrophic",
            ),
            (
                "gcloud sql instances patch db --authorized-networks=0.0.0.0/0",
                "catastrophic",
            ),
            (
                "php -r 'var_dump(file_exists(getenv(\"HOME\").\"/.ssh/id_rsa\"));'",
                "safe",
            ),
        ]);
    }
}
