//! Credential material: which resolved paths hold keys, tokens or cloud and
//! registry credentials (and a small shell-glob matcher to test patterns).

use crate::Context;
use crate::paths::under;

/// Shell glob match (`*`, `?`, `[…]`; `**/` may match nothing).
pub(crate) fn glob_match(pat: &str, text: &str) -> bool {
    // The pattern's literal start must be the text's: most patterns fail
    // here, before any allocation or backtracking.
    let lit = pat.find(['*', '?', '[']).unwrap_or(pat.len());
    if !text.starts_with(&pat[..lit]) {
        return false;
    }
    let p: Vec<char> = pat.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // Iterative matcher with a small backtracking stack (bounded by input).
    let mut stack = vec![(0usize, 0usize)];
    let mut steps = 0;
    // With two stars or more the same (pattern, text) position is reached
    // again and again (fuzz-found: `c****(****` tried against every
    // program name took 150 ms); each is explored once.
    let width = t.len() + 1;
    let states = (p.len() + 1) * width;
    let mut seen = (states <= 1 << 20 && p.iter().filter(|c| **c == '*').count() > 1)
        .then(|| vec![0u64; states.div_ceil(64)]);
    while let Some((mut i, mut j)) = stack.pop() {
        loop {
            steps += 1;
            if steps > 20_000 {
                return false;
            }
            if let Some(seen) = seen.as_mut() {
                let k = i * width + j;
                if seen[k / 64] & (1 << (k % 64)) != 0 {
                    break;
                }
                seen[k / 64] |= 1 << (k % 64);
            }
            if i == p.len() {
                if j == t.len() {
                    return true;
                }
                break;
            }
            match p[i] {
                '*' => {
                    let dbl = p.get(i + 1) == Some(&'*');
                    let ni = if dbl { i + 2 } else { i + 1 };
                    if dbl && p.get(ni) == Some(&'/') {
                        stack.push((ni + 1, j));
                    }
                    if j < t.len() && (dbl || t[j] != '/') {
                        stack.push((i, j + 1));
                    }
                    i = ni;
                }
                '?' => {
                    if j < t.len() && t[j] != '/' {
                        i += 1;
                        j += 1;
                    } else {
                        break;
                    }
                }
                '[' => {
                    let Some(close) = p[i + 1..].iter().position(|c| *c == ']').map(|k| i + 1 + k)
                    else {
                        break;
                    };
                    if j >= t.len() {
                        break;
                    }
                    let set = &p[i + 1..close];
                    let (neg, set) = if set.first().is_some_and(|c| *c == '!' || *c == '^') {
                        (true, &set[1..])
                    } else {
                        (false, set)
                    };
                    let mut hit = false;
                    let mut k = 0;
                    while k < set.len() {
                        if k + 2 < set.len() && set[k + 1] == '-' {
                            hit |= set[k] <= t[j] && t[j] <= set[k + 2];
                            k += 3;
                        } else {
                            hit |= set[k] == t[j];
                            k += 1;
                        }
                    }
                    if hit != neg {
                        i = close + 1;
                        j += 1;
                    } else {
                        break;
                    }
                }
                c => {
                    if j < t.len() && t[j] == c {
                        i += 1;
                        j += 1;
                    } else {
                        break;
                    }
                }
            }
        }
    }
    false
}

/// Whether `pat`, a glob the shell itself expands, can name `text`: as
/// [`glob_match`], but with bash's default that a wildcard never matches
/// the leading `.` of a name (`cat *` does not print `.env`). A `**`
/// pattern is matched as [`glob_match`] does (wider, so stricter).
pub(crate) fn shell_glob_match(pat: &str, text: &str) -> bool {
    if pat.contains("**") {
        return glob_match(pat, text);
    }
    let (pc, tc) = (pat.split('/'), text.split('/'));
    pc.clone().count() == tc.clone().count()
        && pc
            .zip(tc)
            .all(|(p, t)| (!t.starts_with('.') || p.starts_with('.')) && glob_match(p, t))
}

/// Credential material: keys, tokens, cloud and registry credentials.
pub(crate) fn is_secret_path(p: &str, ctx: &Context) -> bool {
    secret_path_by(p, ctx, glob_match)
}

/// [`is_secret_path`] for a glob the shell expands: its wildcards do not
/// reach hidden names ([`shell_glob_match`]).
pub(crate) fn is_secret_shell_glob(p: &str, ctx: &Context) -> bool {
    secret_path_by(p, ctx, shell_glob_match)
}

/// [`is_secret_path`], a pattern's candidates tried with `glob`.
fn secret_path_by(p: &str, ctx: &Context, glob: fn(&str, &str) -> bool) -> bool {
    if let Some(w) = p.find(['*', '?', '[']) {
        let home = crate::words::normalize(&ctx.home);
        let cwd = crate::words::normalize(&ctx.cwd);
        // Every candidate below starts with home, cwd or `/etc/`: a pattern
        // whose literal start is none of theirs matches none (fuzz-found:
        // thousands of glob words each built and tried all fourteen).
        let lit = &p[..w];
        let reach = |base: &str| base.starts_with(lit) || lit.starts_with(base);
        let reachable = reach(&home) || reach(&cwd) || reach("/etc/");
        // One buffer for every candidate: this runs for each glob word.
        const IN_HOME: [&str; 11] = [
            "/.ssh/id_rsa",
            "/.ssh/id_ed25519",
            "/.aws/credentials",
            "/.kube/config",
            "/.docker/config.json",
            "/.netrc",
            "/.pgpass",
            "/.git-credentials",
            "/.npmrc",
            "/.config/gh/hosts.yml",
            "/.env",
        ];
        const IN_CWD: [&str; 2] = ["/.env", "/.env.local"];
        if reachable {
            let mut cand = String::with_capacity(home.len().max(cwd.len()) + 32);
            let mut matches = |base: &str, rest: &str| {
                cand.clear();
                cand.push_str(base);
                cand.push_str(rest);
                glob(p, &cand)
            };
            if IN_HOME.iter().any(|r| matches(&home, r))
                || IN_CWD.iter().any(|r| matches(&cwd, r))
                || matches("/etc/shadow", "")
            {
                return true;
            }
        }
        if p.strip_prefix(home.as_str())
            .is_some_and(|r| r.starts_with("/.gnupg/private-keys-v1.d/"))
        {
            return true;
        }
    }
    let home = crate::words::normalize(&ctx.home);
    let b = crate::words::basename(p);
    let rel = under(p, &home);
    if let Some(r) = rel {
        let exact = [
            ".aws/credentials",
            ".kube/config",
            ".docker/config.json",
            ".config/gh/hosts.yml",
            ".npmrc",
            ".pypirc",
            ".cargo/credentials",
            ".cargo/credentials.toml",
            ".netrc",
            ".pgpass",
            ".git-credentials",
            ".vault-token",
            ".boto",
            ".s3cfg",
            ".my.cnf",
            ".config/hub",
            ".terraform.d/credentials.tfrc.json",
            ".gem/credentials",
            ".config/gcloud/application_default_credentials.json",
            ".config/gcloud/credentials.db",
            ".config/gcloud/access_tokens.db",
            ".azure/accessTokens.json",
            ".azure/msal_token_cache.json",
            ".claude/.credentials.json",
            ".codex/auth.json",
            // Kintsugi's own: the admin vault (its proof key answers the
            // daemon's challenges), the ledger's signing key, and the
            // approval PIN's hash (short PINs can be guessed offline).
            ".local/share/kintsugi/vault.json",
            ".local/share/kintsugi/checkpoint.key",
            ".local/share/kintsugi/approval-pin.json",
            ".config/op/config",
            // Deploy and payment CLIs keep their tokens here.
            ".config/fly/config.yml",
            ".fly/config.yml",
            ".config/doctl/config.yaml",
            ".config/stripe/config.toml",
            ".wrangler/config/default.toml",
            ".config/.wrangler/config/default.toml",
            ".config/netlify/config.json",
            ".config/heroku/config.json",
            ".config/vercel/auth.json",
            ".config/configstore/firebase-tools.json",
            ".supabase/access-token",
            ".aws/sso/cache",
            ".gnupg/secring.gpg",
            ".gnupg/private-keys-v1.d",
            ".ssh",
            ".gnupg",
            ".aws",
            ".config/gcloud",
            ".azure",
            ".password-store",
        ];
        // Whole credential directories count when read recursively (tar, cp -r).
        if exact.contains(&r)
            && !matches!(
                r,
                ".ssh" | ".gnupg" | ".aws" | ".config/gcloud" | ".azure" | ".password-store"
            )
        {
            return true;
        }
        for dir in [
            ".config/gcloud/legacy_credentials",
            ".aws/sso/cache",
            ".gnupg/private-keys-v1.d",
            ".password-store",
            ".local/share/keyrings",
        ] {
            if under(r, dir).is_some_and(|x| !x.is_empty()) {
                return true;
            }
        }
        if r.starts_with(".kube/") && b.contains("config") {
            return true;
        }
        if r.starts_with(".mozilla/") && matches!(b, "logins.json" | "key4.db" | "cookies.sqlite") {
            return true;
        }
        if b == "Login Data" || b == "Cookies" {
            return true;
        }
    }
    if p.contains("/.ssh/") {
        if b.starts_with("id_") && !b.ends_with(".pub") {
            return true;
        }
        if !b.ends_with(".pub")
            && !matches!(
                b,
                "config"
                    | "known_hosts"
                    | "known_hosts.old"
                    | "authorized_keys"
                    | "environment"
                    | "rc"
            )
            && (b.ends_with("_rsa")
                || b.ends_with("_ed25519")
                || b.ends_with("_ecdsa")
                || b.ends_with(".pem")
                || b.ends_with("_key"))
        {
            return true;
        }
    }
    if p.starts_with("/etc/ssh/ssh_host_") && !b.ends_with(".pub") {
        return true;
    }
    if matches!(
        p,
        "/etc/shadow"
            | "/etc/gshadow"
            | "/etc/shadow-"
            | "/etc/gshadow-"
            | "/etc/master.passwd"
            | "/etc/security/opasswd"
    ) {
        return true;
    }
    if p.contains("/serviceaccount/token")
        || p.starts_with("/run/secrets/")
        || p.starts_with("/var/run/secrets/")
    {
        return true;
    }
    if p.starts_with("/proc/") && p.ends_with("/environ") {
        return true;
    }
    if b == ".env" || b == ".envrc" {
        return true;
    }
    if let Some(sfx) = b.strip_prefix(".env.") {
        return !matches!(
            sfx,
            "example"
                | "sample"
                | "template"
                | "dist"
                | "defaults"
                | "default"
                | "schema"
                | "tmpl"
                | "example.local"
        ) && !sfx.ends_with(".example")
            && !sfx.ends_with(".sample")
            && !sfx.ends_with(".template");
    }
    let lb = b.to_ascii_lowercase();
    if lb.ends_with(".key") && !lb.ends_with(".pub.key") && !lb.contains("public") {
        return true;
    }
    if lb.ends_with(".pem")
        && ![
            "cert", "chain", "ca.", "ca-", "ca_", "pub", "public", "bundle", "root",
        ]
        .iter()
        .any(|x| lb.contains(x))
    {
        return true;
    }
    if lb.ends_with(".p12")
        || lb.ends_with(".pfx")
        || lb.ends_with(".jks")
        || lb.ends_with(".keystore")
        || lb == ".htpasswd"
    {
        return true;
    }
    if is_key_json(&lb) || is_secret_manifest(p, &lb) {
        return true;
    }
    if (lb.contains("service-account")
        || lb.contains("service_account")
        || lb == "credentials.json"
        || lb == "client_secret.json"
        || lb.starts_with("client_secret"))
        && lb.ends_with(".json")
    {
        return true;
    }
    false
}

/// A cloud service-account key by its usual names (`sa.json`,
/// `ci-sa.json`, `gcp-sa-key.json`, `keyfile.json`, `deploy-key.json`).
fn is_key_json(lb: &str) -> bool {
    let Some(stem) = lb.strip_suffix(".json") else {
        return false;
    };
    !stem.contains("public")
        && (stem == "sa"
            || stem.ends_with("-sa")
            || stem.ends_with("_sa")
            || stem.contains("sa-key")
            || stem.contains("sa_key")
            || stem.contains("serviceaccount")
            || stem == "key"
            || stem == "keyfile"
            || stem.ends_with("-key")
            || stem.ends_with("_key"))
}

/// A Kubernetes Secret manifest in a project (`k8s/secret.yaml`,
/// `deploy/db-secrets.yml`): its `data` is the credentials, base64 only.
/// Templates, examples, sealed or encrypted secrets, references to an
/// external store and Helm chart templates hold none.
fn is_secret_manifest(p: &str, lb: &str) -> bool {
    let Some(stem) = lb.strip_suffix(".yaml").or_else(|| lb.strip_suffix(".yml")) else {
        return false;
    };
    let named = matches!(stem, "secret" | "secrets")
        || [
            "-secret", "-secrets", "_secret", "_secrets", ".secret", ".secrets",
        ]
        .iter()
        .any(|s| stem.ends_with(s))
        || ["secret-", "secrets-", "secret_", "secrets_"]
            .iter()
            .any(|s| stem.starts_with(s));
    let inert = [
        "sealed", "example", "sample", "template", "tmpl", "external", "enc", "sops", "store",
        "provider", "class", "role", "policy", "binding", "scan", "detect", "check", "lint",
    ]
    .iter()
    .any(|x| stem.contains(x));
    named && !inert && !p.contains("/templates/")
}

/// Credential directories: copying or archiving them reads the keys.
pub(crate) fn is_secret_dir(p: &str, ctx: &Context) -> bool {
    let home = crate::words::normalize(&ctx.home);
    under(p, &home).is_some_and(|r| {
        matches!(
            r,
            ".ssh"
                | ".gnupg"
                | ".aws"
                | ".config/gcloud"
                | ".azure"
                | ".password-store"
                | ".kube"
                | ".docker"
        )
    })
}
