//! Cloud and cluster tools: terraform/tofu/pulumi, kubectl, helm, aws, gcloud,
//! az, docker/podman, and hosted-platform CLIs. Destruction is catastrophic
//! even when the tool would prompt; plans, lists and reads pass.

use super::Cmd;
use crate::effects::Effect;
use crate::engine::{Engine, Stdin};

fn destroy(e: &mut Engine, tool: &str, what: String) {
    e.add(Effect::CloudDestroy {
        tool: tool.into(),
        what,
    });
}
fn change(e: &mut Engine, tool: &str, what: String) {
    e.add(Effect::CloudChange {
        tool: tool.into(),
        what,
    });
}

const DELETE_VERBS: &[&str] = &[
    "delete",
    "destroy",
    "remove",
    "rm",
    "terminate",
    "purge",
    "drop",
    "deprovision",
    "uninstall",
    "wipe",
    "nuke",
];

fn is_delete_word(t: &str) -> bool {
    let l = t.to_ascii_lowercase();
    let last = l.rsplit(':').next().unwrap_or(&l);
    DELETE_VERBS.contains(&last)
        || DELETE_VERBS
            .iter()
            .any(|v| last.starts_with(&format!("{v}-")) || l.starts_with(&format!("{v}-")))
}

pub(crate) fn handle(e: &mut Engine, c: &Cmd) -> bool {
    let n = c.name.as_str();
    let pos: Vec<String> = c.positional().iter().map(|w| w.text.clone()).collect();
    let p = |k: usize| pos.get(k).map(String::as_str).unwrap_or("");
    if c.has(&["--help", "-h", "help"]) && n != "docker" {
        return matches!(
            n,
            "terraform" | "tofu" | "kubectl" | "helm" | "aws" | "gcloud" | "az" | "pulumi"
        );
    }
    match n {
        "terraform" | "tofu" | "terragrunt" | "opentofu" => {
            let sub = p(0);
            let auto = c.long("-auto-approve") || c.long("--auto-approve");
            match sub {
                "destroy" => destroy(e, n, format!("{n} destroy")),
                "apply" if c.long("-destroy") || c.long("--destroy") => {
                    destroy(e, n, format!("{n} apply -destroy"))
                }
                "apply" | "import" | "taint" | "untaint" | "refresh" => change(
                    e,
                    n,
                    format!("{n} {sub}{}", if auto { " -auto-approve" } else { "" }),
                ),
                "state" if matches!(p(1), "rm" | "mv" | "push" | "replace-provider") => {
                    change(e, n, format!("{n} state {}", p(1)))
                }
                "workspace" if p(1) == "delete" => destroy(e, n, "deletes a workspace".into()),
                "force-unlock" => change(e, n, "force-unlock".into()),
                "fmt" if !c.long("-check") && !c.long("--check") => {
                    change(e, n, "reformats files".into())
                }
                "run-all" if matches!(p(1), "destroy") => destroy(e, n, "run-all destroy".into()),
                "run-all" if matches!(p(1), "apply") => change(e, n, "run-all apply".into()),
                _ => {}
            }
            true
        }
        "pulumi" | "cdk" | "cdktf" | "sst" | "serverless" | "sls" | "sam" | "copilot" => {
            let sub = p(0);
            if matches!(sub, "destroy" | "remove" | "delete")
                || (sub == "stack" && p(1) == "rm")
                || (sub == "app" && p(1) == "delete")
            {
                destroy(e, n, format!("{n} {sub}"));
            } else if matches!(sub, "up" | "deploy" | "update" | "refresh" | "import") {
                change(e, n, format!("{n} {sub}"));
            }
            true
        }
        "kubectl" | "oc" | "k" | "kubecolor" => {
            kubectl(e, c, &pos);
            true
        }
        "helm" => {
            match p(0) {
                "uninstall" | "delete" | "del" | "un" => {
                    destroy(e, n, format!("helm {} {}", p(0), p(1)))
                }
                "install" | "upgrade" | "rollback" | "push" | "repo"
                    if p(0) != "repo" || matches!(p(1), "add" | "remove" | "rm") =>
                {
                    change(e, n, format!("helm {}", p(0)))
                }
                _ => {}
            }
            true
        }
        "aws" => {
            aws(e, c, &pos);
            true
        }
        "gcloud" | "gsutil" | "az" | "doctl" | "linode-cli" | "hcloud" | "ibmcloud" | "oci"
        | "aliyun" | "scw" | "vultr-cli" | "exo" | "upcloud" => {
            if n == "gsutil" {
                if matches!(p(0), "rm" | "rb")
                    && (c.short('r') || c.short('R') || p(0) == "rb" || c.short('m'))
                {
                    destroy(e, n, format!("gsutil {}", p(0)));
                } else if matches!(p(0), "rm" | "cp" | "mv" | "rsync" | "setacl" | "acl") {
                    change(e, n, format!("gsutil {}", p(0)));
                }
                return true;
            }
            if pos.iter().any(|t| is_delete_word(t)) && !c.dry_run() {
                destroy(e, n, pos.join(" "));
            } else if pos.iter().any(|t| {
                matches!(
                    t.as_str(),
                    "create"
                        | "deploy"
                        | "update"
                        | "set"
                        | "apply"
                        | "resize"
                        | "stop"
                        | "start"
                        | "restart"
                        | "add"
                        | "reset"
                )
            }) {
                change(
                    e,
                    n,
                    pos.iter().take(4).cloned().collect::<Vec<_>>().join(" "),
                );
            }
            if n == "gcloud"
                && pos
                    .iter()
                    .any(|t| t == "print-access-token" || t == "print-identity-token")
            {
                e.add(Effect::SecretRead {
                    path: "gcloud access token".into(),
                });
            }
            if n == "az" && pos.iter().any(|t| t == "get-access-token") {
                e.add(Effect::SecretRead {
                    path: "az access token".into(),
                });
            }
            true
        }
        "docker" | "podman" | "nerdctl" | "docker-compose" | "podman-compose" => {
            docker(e, c, &pos);
            true
        }
        "heroku" | "fly" | "flyctl" | "vercel" | "netlify" | "railway" | "render" | "firebase"
        | "eksctl" | "kind" | "minikube" | "k3d" | "vagrant" | "wrangler" | "surge" | "now" => {
            let local = matches!(n, "kind" | "minikube" | "k3d" | "vagrant");
            if pos
                .iter()
                .any(|t| is_delete_word(t) || t.ends_with(":destroy") || t.ends_with(":delete"))
                && !c.dry_run()
            {
                if local {
                    change(
                        e,
                        n,
                        format!("deletes a local cluster/VM: {}", pos.join(" ")),
                    );
                } else {
                    destroy(e, n, pos.join(" "));
                }
            } else if pos.iter().any(|t| {
                matches!(
                    t.as_str(),
                    "deploy"
                        | "up"
                        | "create"
                        | "apply"
                        | "scale"
                        | "restart"
                        | "set"
                        | "release"
                        | "promote"
                ) || t.contains("deploy")
                    || t.ends_with(":set")
            }) {
                change(
                    e,
                    n,
                    pos.iter().take(3).cloned().collect::<Vec<_>>().join(" "),
                );
            }
            true
        }
        _ => false,
    }
}

fn kubectl(e: &mut Engine, c: &Cmd, pos: &[String]) {
    let n = "kubectl";
    let p = |k: usize| pos.get(k).map(String::as_str).unwrap_or("");
    let dry = c.args.iter().any(|a| a.text.starts_with("--dry-run"));
    match p(0) {
        "delete" if !dry => {
            let broad = c.long("--all")
                || c.long("--all-namespaces")
                || c.short('A')
                || c.short('f')
                || c.long("--filename")
                || c.short('k')
                || c.short('l')
                || c.long("--selector")
                || pos.iter().skip(1).any(|t| {
                    matches!(
                        t.as_str(),
                        "namespace"
                            | "namespaces"
                            | "ns"
                            | "all"
                            | "pv"
                            | "pvc"
                            | "persistentvolume"
                            | "persistentvolumeclaim"
                            | "persistentvolumeclaims"
                            | "crd"
                            | "crds"
                            | "customresourcedefinition"
                            | "node"
                            | "nodes"
                            | "deployment"
                            | "deployments"
                            | "deploy"
                            | "statefulset"
                            | "statefulsets"
                            | "sts"
                            | "secret"
                            | "secrets"
                            | "service"
                            | "svc"
                            | "configmap"
                            | "cm"
                            | "daemonset"
                            | "ds"
                            | "job"
                            | "cronjob"
                            | "ingress"
                            | "clusterrole"
                            | "clusterrolebinding"
                    ) || t.starts_with("namespace/")
                        || t.starts_with("ns/")
                });
            if broad {
                destroy(e, n, format!("kubectl {}", pos.join(" ")));
            } else {
                change(e, n, format!("kubectl {}", pos.join(" ")));
            }
        }
        "drain" | "cordon" | "taint" | "scale" | "apply" | "create" | "replace" | "patch"
        | "edit" | "set" | "label" | "annotate" | "rollout" | "autoscale" | "expose" | "run"
        | "uncordon" | "cp" | "port-forward" | "proxy"
            if !dry =>
        {
            if p(0) == "rollout" && matches!(p(1), "status" | "history") {
                return;
            }
            if p(0) == "apply" && (c.long("--prune") || c.long("--force")) {
                destroy(e, n, "kubectl apply --prune/--force".into());
                return;
            }
            if p(0) == "replace" && c.long("--force") {
                destroy(e, n, "kubectl replace --force".into());
                return;
            }
            change(
                e,
                n,
                format!(
                    "kubectl {}",
                    pos.iter().take(3).cloned().collect::<Vec<_>>().join(" ")
                ),
            );
        }
        "get" | "describe" => {
            let secret = pos.iter().skip(1).any(|t| t.starts_with("secret"));
            let out = c
                .opt(&["-o", "--output"])
                .map(|w| w.text.clone())
                .or_else(|| c.opt_eq("--output"))
                .or_else(|| {
                    c.args.iter().find_map(|a| {
                        a.text
                            .strip_prefix("-o")
                            .filter(|r| !r.is_empty())
                            .map(str::to_string)
                    })
                });
            if secret
                && out.is_some_and(|o| {
                    o.starts_with("yaml")
                        || o.starts_with("json")
                        || o.starts_with("jsonpath")
                        || o.starts_with("go-template")
                        || o.starts_with("custom-columns")
                })
            {
                e.add(Effect::SecretRead {
                    path: "kubernetes secret".into(),
                });
            }
        }
        "exec" | "debug" | "attach" => {
            if let Some(k) = c.args.iter().position(|w| w.text == "--") {
                let inner = c.args[k + 1..].to_vec();
                if !inner.is_empty() {
                    let mut via = c.via.clone();
                    via.push("kubectl exec".into());
                    e.run_argv(inner, Vec::new(), Stdin::Terminal, via, c.depth + 1);
                }
            }
            change(e, n, "runs a command in a pod".into());
        }
        "config" => {
            if matches!(
                p(1),
                "delete-context"
                    | "delete-cluster"
                    | "delete-user"
                    | "unset"
                    | "set-credentials"
                    | "set-context"
                    | "use-context"
                    | "set-cluster"
                    | "rename-context"
            ) {
                change(e, n, format!("kubectl config {}", p(1)));
            } else if p(1) == "view" && (c.long("--raw") || c.long("--flatten")) {
                e.add(Effect::SecretRead {
                    path: "kubeconfig (raw)".into(),
                });
            }
        }
        _ => {}
    }
}

fn aws(e: &mut Engine, c: &Cmd, pos: &[String]) {
    let p = |k: usize| pos.get(k).map(String::as_str).unwrap_or("");
    let n = "aws";
    if c.dry_run() || c.long("--dryrun") {
        return;
    }
    let svc = p(0);
    let op = p(1);
    match (svc, op) {
        ("s3", "rm") => {
            if c.long("--recursive") {
                destroy(e, n, format!("aws s3 rm --recursive {}", p(2)));
            } else {
                change(e, n, format!("aws s3 rm {}", p(2)));
            }
        }
        ("s3", "rb") => destroy(e, n, format!("aws s3 rb {}", p(2))),
        ("s3", "sync") if c.long("--delete") => destroy(e, n, "aws s3 sync --delete".into()),
        ("s3", "cp" | "mv" | "sync") => {
            let dst = pos.last().map(String::as_str).unwrap_or("");
            if dst.starts_with("s3://") {
                change(e, n, format!("aws s3 {op} to {dst}"));
            } else if pos.len() > 2 {
                let path = e.path(dst);
                e.add(Effect::Overwrite {
                    path,
                    append: false,
                });
            }
        }
        ("configure", "get")
            if pos
                .iter()
                .any(|t| t.contains("secret") || t.contains("session_token")) =>
        {
            e.add(Effect::SecretRead {
                path: "aws configure secret".into(),
            });
        }
        ("configure", "export-credentials")
        | ("sts", "get-session-token")
        | ("ecr", "get-login-password")
        | ("sts", "assume-role") => {
            if !matches!(c.stdin, Stdin::Terminal) || op != "get-login-password" {
                e.add(Effect::SecretRead {
                    path: format!("aws {svc} {op}"),
                });
            }
        }
        ("secretsmanager", "get-secret-value") | ("ssm", "get-parameter" | "get-parameters") => {
            e.add(Effect::SecretRead {
                path: format!("aws {svc} {op}"),
            });
        }
        _ => {
            if is_delete_word(op)
                || op.starts_with("delete")
                || op.starts_with("terminate")
                || op.starts_with("remove")
                || op.starts_with("deregister")
            {
                destroy(e, n, format!("aws {svc} {op}"));
            } else if !(op.starts_with("describe")
                || op.starts_with("list")
                || op.starts_with("get")
                || op == "ls"
                || op == "wait"
                || op == "help"
                || svc == "sts"
                || op.is_empty())
            {
                change(e, n, format!("aws {svc} {op}"));
            }
        }
    }
}

fn docker(e: &mut Engine, c: &Cmd, pos: &[String]) {
    let n = c.name.as_str();
    let p = |k: usize| pos.get(k).map(String::as_str).unwrap_or("");
    let (sub, sub2) = if n.ends_with("compose") {
        ("compose", p(0))
    } else {
        (p(0), p(1))
    };
    let vols = c.long("--volumes") || c.short('v');
    match (sub, sub2) {
        ("system", "prune") if vols => destroy(e, n, format!("{n} system prune --volumes")),
        ("system", "reset") => destroy(e, n, format!("{n} system reset")),
        ("volume", "rm" | "prune" | "remove") => destroy(e, n, format!("{n} volume {sub2}")),
        ("compose", "down") if vols => destroy(e, n, format!("{n} compose down --volumes")),
        ("compose", "rm") if vols => destroy(e, n, format!("{n} compose rm -v")),
        ("system" | "image" | "container" | "network" | "builder" | "buildx", "prune" | "rm") => {
            change(e, n, format!("{n} {sub} {sub2}"))
        }
        ("compose", "down" | "rm" | "kill" | "stop" | "up" | "restart" | "pull" | "push") => {
            change(e, n, format!("{n} compose {sub2}"))
        }
        (
            "rm" | "rmi" | "kill" | "stop" | "push" | "login" | "tag" | "restart" | "pause"
            | "swarm" | "service" | "stack" | "secret" | "network",
            _,
        ) => {
            if sub == "stack" && matches!(sub2, "rm" | "remove")
                || sub == "service" && matches!(sub2, "rm" | "remove")
            {
                destroy(e, n, format!("{n} {sub} {sub2}"));
            } else if !(sub == "network" && matches!(sub2, "ls" | "inspect")) {
                change(e, n, format!("{n} {sub}"));
            }
        }
        ("run" | "create", _) => {
            let priv_ = c.long("--privileged")
                || c.args.iter().any(|a| {
                    a.text.starts_with("/:/")
                        || a.text == "/:/host"
                        || a.text.starts_with("/var/run/docker.sock")
                });
            if priv_ {
                change(
                    e,
                    n,
                    "runs a privileged container or mounts the host root".into(),
                );
            }
            // The command after the image is analysed as if local.
            let img_k = c
                .args
                .iter()
                .position(|w| !w.text.starts_with('-') && w.text != "run" && w.text != "create");
            let _ = img_k;
            change(e, n, format!("{n} run"));
        }
        ("exec", _) => {
            let mut k = 1;
            let args: Vec<&str> = c.args.iter().map(|w| w.text.as_str()).collect();
            while k < args.len() && args[k].starts_with('-') {
                k += if matches!(
                    args[k],
                    "-u" | "--user" | "-w" | "--workdir" | "-e" | "--env" | "--env-file"
                ) {
                    2
                } else {
                    1
                };
            }
            let inner = c.args.get(k + 2..).map(|s| s.to_vec()).unwrap_or_default();
            if !inner.is_empty() {
                let mut via = c.via.clone();
                via.push(format!("{n} exec"));
                e.run_argv(inner, Vec::new(), c.stdin.clone(), via, c.depth + 1);
            }
        }
        _ => {}
    }
}
