//! The verb CLIs (`kubectl get`, `gh pr view`, `aws ec2
//! describe-instances`): a large CLI whose subcommands read as verbs is
//! judged by the first verb it uses — read and build verbs are safe, change
//! and destroy verbs are not, a verb Kintsugi does not know is unknown.

use super::Cmd;
use super::forms::Form::{self, Change, Safe, Unknown};

/// Large CLIs whose subcommands read as verbs (`kubectl get`, `gh pr view`,
/// `aws ec2 describe-instances`): judged by the first verb they use.
pub(crate) const VERB_CLIS: &[&str] = &[
    "docker",
    "podman",
    "nerdctl",
    "kubectl",
    "oc",
    "helm",
    "minikube",
    "kind",
    "k3d",
    "aws",
    "gcloud",
    "gsutil",
    "az",
    "doctl",
    "pulumi",
    "vercel",
    "netlify",
    "fly",
    "flyctl",
    "heroku",
    "gh",
    "glab",
    "hub",
    "firebase",
    "supabase",
    "wrangler",
    "railway",
    "render",
    "stripe",
    "systemctl",
    "service",
    "launchctl",
    "brew",
    "snap",
    "flatpak",
    "rustup",
    "nvm",
    "pyenv",
    "rbenv",
    "asdf",
    "mise",
    "conda",
    "eksctl",
    "kops",
    "ansible-galaxy",
    "vagrant",
    "multipass",
    "lxc",
    "incus",
    "virsh",
    "nomad",
    "consul",
    "argocd",
    "flux",
    "skaffold",
    "tilt",
    "k9s",
    "kubectx",
    "kubens",
    "stern",
    "crontab",
    "sdk",
    "volta",
    "fnm",
    "jenv",
    "direnv",
];

/// Verbs that build or check without changing anything outside the build.
const BUILD_VERBS: &[&str] = &[
    "build",
    "template",
    "lint",
    "ps",
    "images",
    "port",
    "events",
    "context",
    "contexts",
    "checks",
    "top",
    "version",
    "config",
    "cluster-info",
    "api-resources",
    "api-versions",
    "explain",
    "current-context",
    "get-contexts",
    "which",
    "whence",
    "prefix",
    "env",
    "doctor",
    "services",
    "instances",
    "volumes",
    "networks",
    "machines",
    "is-active",
    "is-enabled",
    "is-failed",
    "list-units",
    "list-unit-files",
    "list-timers",
    "cat",
    "print",
    "blame",
    "-l",
    "can-i",
    "kustomize",
    "du",
    "df",
    "is-system-running",
    "whoami",
    "get-url",
    "describe-instances",
    "get-caller-identity",
];

/// Words that list when they end the command (`gcloud compute instances`)
/// but name what a later verb acts on (`gcloud sql instances patch db`).
const LISTING_NOUNS: &[&str] = &[
    "services",
    "instances",
    "volumes",
    "networks",
    "machines",
    "images",
    "contexts",
    "config",
    "context",
    "env",
];

/// Nouns that some CLIs use as their first word (`gh run list`, `gcloud
/// run services describe`, `docker image ls`): a read verb after them reads.
const NOUNISH: &[&str] = &[
    "run",
    "release",
    "secret",
    "config",
    "cache",
    "workflow",
    "stack",
    "image",
    "container",
    "volume",
    "network",
    "service",
    "deployment",
    "repo",
    "app",
    "function",
    "job",
    "build",
    "builder",
    "system",
    "context",
    "auth",
    "pr",
    "issue",
    "label",
    "variable",
    "project",
    "compose",
    "buildx",
    "plugin",
    "node",
    "task",
    "key",
    "run-instances",
];

/// The form of a verb CLI: the first verb it uses decides.
pub(crate) fn verb_form(c: &Cmd) -> Form {
    use super::unknown::{CHANGE_VERBS, DESTROY_VERBS, READ_VERBS};
    // `stern QUERY` only tails logs, whatever the query.
    if c.dry_run() || c.name == "brew" && c.short('n') || c.name == "stern" {
        return Safe;
    }
    let pos = c.positional();
    if matches!(c.name.as_str(), "docker" | "podman" | "nerdctl") {
        if c.has(&["--push"])
            || c.args
                .iter()
                .any(|a| a.text.starts_with("--output=type=registry"))
        {
            return Change("pushes an image to a registry".into());
        }
        // `docker context use prod`: later commands go to another engine.
        if pos.first().is_some_and(|w| w.text == "context")
            && pos.get(1).is_some_and(|w| {
                matches!(
                    w.text.as_str(),
                    "use" | "create" | "rm" | "update" | "import"
                )
            })
        {
            return Change(format!("runs `{} context {}`", c.name, pos[1].text));
        }
    }
    if pos.is_empty() {
        return if matches!(c.name.as_str(), "vercel" | "netlify") {
            Change("deploys the project".into())
        } else {
            Safe
        };
    }
    if matches!(c.name.as_str(), "gh" | "glab") && pos[0].text == "api" {
        // A GraphQL query (not a mutation) only reads, though it is a POST.
        let graphql_read = pos.get(1).is_some_and(|w| w.text == "graphql")
            && c.args.iter().any(|a| a.text.starts_with("query="))
            && !c
                .args
                .iter()
                .any(|a| a.text.to_ascii_lowercase().contains("mutation"))
            && !c.has(&["-X", "--method", "--input"]);
        return if graphql_read {
            Safe
        } else if c.has(&[
            "-X",
            "--method",
            "-f",
            "-F",
            "--field",
            "--raw-field",
            "--input",
        ]) {
            Change("sends a write request to the API".into())
        } else {
            Safe
        };
    }
    #[derive(PartialEq, Clone, Copy)]
    enum V {
        Destroy,
        Change,
        Read,
        None,
    }
    let kinds: Vec<(String, V)> = pos
        .iter()
        .take(4)
        .map(|w| {
            let t = w.text.to_ascii_lowercase();
            let whole = |list: &[&str]| list.contains(&t.as_str());
            let parts: Vec<&str> = t.split(['-', ':', '_']).filter(|p| !p.is_empty()).collect();
            let any = |list: &[&str]| whole(list) || parts.iter().any(|p| list.contains(p));
            let v = if whole(READ_VERBS) || whole(BUILD_VERBS) {
                V::Read
            } else if any(DESTROY_VERBS) || matches!(t.as_str(), "down" | "rb" | "rmi") {
                V::Destroy
            } else if any(CHANGE_VERBS) || matches!(t.as_str(), "up" | "pull" | "restart") {
                V::Change
            } else if any(READ_VERBS) || any(BUILD_VERBS) {
                V::Read
            } else {
                V::None
            };
            (w.text.clone(), v)
        })
        .collect();
    // `gcloud sql instances patch`, `gcloud run services add-iam-policy-binding`:
    // a listing word followed by a change or destroy verb is the verb's noun.
    let kinds: Vec<(String, V)> = kinds
        .iter()
        .enumerate()
        .map(|(k, (w, v))| {
            let noun = *v == V::Read
                && LISTING_NOUNS.contains(&w.to_ascii_lowercase().as_str())
                && kinds[k + 1..]
                    .iter()
                    .any(|(_, x)| matches!(x, V::Destroy | V::Change));
            (w.clone(), if noun { V::None } else { *v })
        })
        .collect();
    let mut first_change: Option<&str> = None;
    for (w, v) in &kinds {
        match v {
            V::Destroy => return Change(format!("runs the destructive verb `{w}`")),
            V::Read if first_change.is_none_or(|f| NOUNISH.contains(&f)) => return Safe,
            V::Read => break,
            V::Change if first_change.is_none() => first_change = Some(w),
            _ => {}
        }
    }
    if let Some(w) = first_change {
        return Change(format!("runs `{w}`"));
    }
    if c.name == "crontab" && c.has(&["-l"]) {
        return Safe;
    }
    // A bare plural noun with no verb lists those things (`heroku releases
    // -a shop`, `heroku addons`, `fly apps`).
    let t = pos[0].text.as_str();
    if t.len() > 3
        && t.ends_with('s')
        && !t.ends_with("ss")
        && t.chars().all(|ch| ch.is_ascii_lowercase())
    {
        return Safe;
    }
    Unknown
}

#[cfg(test)]
mod tests {
    use crate::testutil::expect;

    #[test]
    fn a_listing_word_before_a_verb_is_its_noun() {
        expect(&[
            (
                "gcloud sql instances patch db --authorized-networks=10.0.0.0/8",
                "ambiguous",
            ),
            (
                "gcloud run services add-iam-policy-binding api --member=user:a@example.com --role=roles/run.invoker",
                "ambiguous",
            ),
            ("gcloud compute instances delete web-1", "catastrophic"),
            ("gcloud compute instances list", "safe"),
            ("gcloud run services describe api", "safe"),
            ("kubectl config view", "safe"),
            ("heroku releases -a shop", "safe"),
            ("heroku addons -a shop", "safe"),
            ("heroku pg:killall -a shop", "catastrophic"),
            ("firebase hosting:disable --force", "catastrophic"),
            ("heroku frobnicate -a shop", "ambiguous"),
        ]);
    }

    #[test]
    fn dry_runs_that_are_not() {
        expect(&[
            ("kubectl delete ns staging --dry-run=none", "catastrophic"),
            ("kubectl delete ns staging --dry-run=false", "catastrophic"),
            ("kubectl delete ns staging --dry-run=client", "safe"),
            ("brew cleanup -n", "safe"),
            ("brew cleanup", "ambiguous"),
            ("stern api --since 10m", "safe"),
            ("asdf current", "safe"),
            (
                "docker buildx build --push -t r.example.com/app:1 .",
                "ambiguous",
            ),
            ("docker build -t app:dev .", "safe"),
            ("docker context use prod", "ambiguous"),
            ("docker context ls", "safe"),
            ("gh api graphql -f query='{ viewer { login } }'", "safe"),
            (
                "gh api graphql -f query='mutation { deleteRepository(input: {}) { clientMutationId } }'",
                "ambiguous",
            ),
        ]);
    }
}
