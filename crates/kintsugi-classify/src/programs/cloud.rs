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
                "plan" if c.long("-destroy") || c.long("--destroy") => {
                    if let Some(f) = c.args.iter().find_map(|a| {
                        a.text
                            .strip_prefix("-out=")
                            .or_else(|| a.text.strip_prefix("--out="))
                    }) {
                        e.notes.push(format!("destroy-plan:{f}"));
                    }
                }
                "apply"
                    if pos
                        .get(1)
                        .is_some_and(|f| e.notes.contains(&format!("destroy-plan:{f}"))) =>
                {
                    destroy(e, n, format!("{n} apply of a destroy plan"))
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
            let mut kpos = Vec::new();
            let mut i = 0;
            while i < c.args.len() {
                let a = c.args[i].text.as_str();
                if matches!(
                    a,
                    "-n" | "--namespace"
                        | "--context"
                        | "--cluster"
                        | "--kubeconfig"
                        | "--user"
                        | "-s"
                        | "--server"
                        | "--token"
                        | "-l"
                        | "--selector"
                        | "-o"
                        | "--output"
                        | "-f"
                        | "--filename"
                        | "-c"
                        | "--container"
                        | "--field-selector"
                        | "-L"
                        | "--as"
                        | "--request-timeout"
                ) {
                    i += 2;
                    continue;
                }
                if !a.starts_with('-') {
                    kpos.push(a.to_string());
                }
                if a == "--" {
                    break;
                }
                i += 1;
            }
            if kpos.first().is_some_and(|s| s == "delete") && c.args.iter().any(|w| w.dynamic) {
                destroy(
                    e,
                    "kubectl",
                    "kubectl delete of names computed at run time".into(),
                );
            }
            kubectl(e, c, &kpos);
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
            if pos
                .iter()
                .any(|t| is_delete_word(t) || t.starts_with("delete-"))
                && !c.dry_run()
            {
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
                && pos.iter().any(|t| t == "secrets")
                && pos.iter().any(|t| t == "access")
                || n == "az"
                    && pos.iter().any(|t| t == "keyvault")
                    && pos.iter().any(|t| t == "secret")
                    && pos.iter().any(|t| t == "show" || t == "download")
            {
                e.add(Effect::SecretRead {
                    path: format!("{n} secret"),
                });
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
        | "eksctl" | "kind" | "minikube" | "k3d" | "vagrant" | "wrangler" | "surge" | "now"
        | "argocd" | "flux" | "nomad" | "consul" | "openstack" | "gcloud-beta" | "databricks"
        | "snowsql" | "bq" | "cf" | "okteto" | "tanzu" | "rancher" | "juju" | "scaleway"
        | "exoscale" | "linode" | "civo" => {
            let local = false;
            if pos
                .iter()
                .any(|t| t == "auth:token" || t == "config:get" && n == "heroku")
            {
                e.add(Effect::SecretRead {
                    path: format!("{n} {}", pos.join(" ")),
                });
                return true;
            }
            if pos.iter().any(|t| {
                t.ends_with(":reset")
                    || t.ends_with(":destroy")
                    || t.ends_with(":delete")
                    || t.ends_with(":remove")
            }) && !c.dry_run()
            {
                destroy(e, n, pos.join(" "));
                return true;
            }
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
        "run" if !dry => container_run(e, c),
        "drain" | "cordon" | "taint" | "scale" | "apply" | "create" | "replace" | "patch"
        | "edit" | "set" | "label" | "annotate" | "rollout" | "autoscale" | "expose"
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
            if secret && p(0) == "describe" && c.long("--show-values") {
                e.add(Effect::SecretRead {
                    path: "kubernetes secret".into(),
                });
            }
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

fn aws(e: &mut Engine, c: &Cmd, _pos: &[String]) {
    let mut apos: Vec<String> = Vec::new();
    let mut i = 0;
    while i < c.args.len() {
        let a = c.args[i].text.as_str();
        if matches!(
            a,
            "--profile"
                | "--region"
                | "--output"
                | "--endpoint-url"
                | "--query"
                | "--cli-input-json"
                | "--color"
                | "--ca-bundle"
                | "--key-id"
                | "--name"
                | "--bucket"
                | "--key"
                | "--instance-ids"
                | "--db-instance-identifier"
        ) && i > 0
            && apos.len() < 2
            || matches!(a, "--profile" | "--region" | "--output" | "--endpoint-url")
        {
            i += 2;
            continue;
        }
        if !a.starts_with('-') {
            apos.push(a.to_string());
        }
        i += 1;
    }
    let pos = &apos;
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
            if dst.starts_with("s3://") && !pos.get(2).is_some_and(|s| s.starts_with("s3://")) {
                e.add(Effect::NetworkEgress {
                    host: dst.to_string(),
                    payload: format!("local files {}", p(2)),
                    sensitive: true,
                });
            } else if dst.starts_with("s3://") {
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
            e.add(Effect::SecretRead {
                path: format!("aws {svc} {op}"),
            });
        }
        (
            "cloudtrail",
            "stop-logging" | "delete-trail" | "update-trail" | "put-event-selectors",
        )
        | ("guardduty", "delete-detector" | "disassociate-from-master-account")
        | ("config", "stop-configuration-recorder" | "delete-configuration-recorder") => {
            e.add(Effect::SecurityDisable {
                what: format!("cloud audit logging (aws {svc} {op})"),
                control: "audit-off".into(),
            });
        }
        ("kms", "schedule-key-deletion" | "disable-key") => destroy(e, n, format!("aws kms {op}")),
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
                || op.starts_with("filter")
                || op.starts_with("lookup")
                || op.starts_with("search")
                || op.starts_with("head")
                || op.starts_with("query")
                || op.starts_with("scan")
                || op.starts_with("test")
                || op.starts_with("validate")
                || op.starts_with("estimate")
                || op.starts_with("simulate")
                || op.starts_with("batch-get")
                || matches!(op, "ls" | "wait" | "help" | "tail" | "presign" | "whoami")
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
    if sub == "compose" && matches!(sub2, "exec" | "run") {
        // `docker compose exec [opts] SERVICE CMD…`
        let k0 = c.args.iter().position(|w| w.text == sub2).unwrap_or(0);
        let mut k = k0 + 1;
        while k < c.args.len() && c.args[k].text.starts_with('-') {
            k += if matches!(
                c.args[k].text.as_str(),
                "-u" | "--user" | "-w" | "--workdir" | "-e" | "--env"
            ) {
                2
            } else {
                1
            };
        }
        let inner = c.args.get(k + 1..).map(|s| s.to_vec()).unwrap_or_default();
        if !inner.is_empty() {
            let mut via = c.via.clone();
            via.push(format!("{n} compose {sub2}"));
            e.run_argv(inner, Vec::new(), c.stdin.clone(), via, c.depth + 1);
        }
        return;
    }
    if sub == "rm" && (c.long("--volumes") || c.short('v')) {
        destroy(e, n, format!("{n} rm -v (removes volumes)"));
        return;
    }
    if matches!(sub, "run" | "create") || (sub == "container" && sub2 == "run") {
        container_run(e, c);
        return;
    }
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
            let inner = c.args.get(k + 1..).map(|s| s.to_vec()).unwrap_or_default();
            if !inner.is_empty() {
                let mut via = c.via.clone();
                via.push(format!("{n} exec"));
                e.run_argv(inner, Vec::new(), c.stdin.clone(), via, c.depth + 1);
            }
        }
        _ => {}
    }
}

/// `docker run [opts] IMAGE CMD…`: analyse CMD; paths under mounted volumes
/// are mapped back to the host (a named volume counts as data).
fn container_run(e: &mut Engine, c: &Cmd) {
    let n = c.name.as_str();
    let with_arg = [
        "-v",
        "--volume",
        "--mount",
        "-e",
        "--env",
        "--env-file",
        "--name",
        "-w",
        "--workdir",
        "-p",
        "--publish",
        "--entrypoint",
        "-u",
        "--user",
        "--network",
        "--net",
        "-l",
        "--label",
        "--platform",
        "--restart",
        "-m",
        "--memory",
        "--cpus",
        "--hostname",
        "-h",
        "--add-host",
        "--device",
        "--cap-add",
        "--cap-drop",
        "--pid",
        "--ipc",
        "--log-driver",
        "--shm-size",
        "--ulimit",
        "--security-opt",
        "--tmpfs",
        "--gpus",
        "--image",
        "--overrides",
        "--namespace",
        "-n",
        "--context",
    ];
    let mut mounts: Vec<(String, String)> = Vec::new();
    let mut privileged = false;
    let mut i = 0;
    let mut seen_sub = false;
    let mut image = None;
    while i < c.args.len() {
        let a = c.args[i].text.as_str();
        if !seen_sub && matches!(a, "run" | "create" | "container") {
            i += 1;
            if a != "container" {
                seen_sub = true;
            }
            continue;
        }
        if a == "--privileged" {
            privileged = true;
        }
        if a == "--" {
            i += 1;
            break;
        }
        if (a == "-v" || a == "--volume")
            && let Some(v) = c.args.get(i + 1)
        {
            let mut parts = v.text.split(':');
            if let (Some(h), Some(ct)) = (parts.next(), parts.next()) {
                mounts.push((h.to_string(), ct.to_string()));
            }
        }
        if a.starts_with("--volume=") || a.starts_with("-v=") {
            let v = a.split_once('=').map(|x| x.1).unwrap_or("");
            let mut parts = v.split(':');
            if let (Some(h), Some(ct)) = (parts.next(), parts.next()) {
                mounts.push((h.to_string(), ct.to_string()));
            }
        }
        if with_arg.contains(&a) {
            i += 2;
            continue;
        }
        if a.starts_with('-') {
            i += 1;
            continue;
        }
        if image.is_none() && n != "kubectl" {
            image = Some(a.to_string());
            i += 1;
            break;
        }
        i += 1;
    }
    if privileged
        || mounts
            .iter()
            .any(|(h, _)| h == "/" || h.starts_with("/var/run/docker.sock") || h == "/dev")
    {
        e.add(Effect::CloudChange {
            tool: n.into(),
            what: "runs a container with access to the host".into(),
        });
    }
    let mut inner: Vec<crate::words::Word> =
        c.args.get(i..).map(|s| s.to_vec()).unwrap_or_default();
    e.add(Effect::CloudChange {
        tool: n.into(),
        what: format!("{n} run {}", image.unwrap_or_default()),
    });
    if inner.is_empty() {
        return;
    }
    // Rewrite container paths under mounts to the host paths they reach.
    let mut roots = Vec::new();
    let table: Vec<(String, String)> = mounts
        .iter()
        .map(|(h, ct)| {
            let host = if h.starts_with('/')
                || h.starts_with('~')
                || h.starts_with('.')
                || h.starts_with('$')
            {
                e.path(h)
            } else {
                format!("/var/lib/docker/volumes/{h}/_data")
            };
            roots.push(host.clone());
            (ct.trim_end_matches('/').to_string(), host)
        })
        .collect();
    for w in &mut inner {
        for (ct, host) in &table {
            let t = w.text.clone();
            if let Some(rest) = t
                .strip_prefix(ct.as_str())
                .filter(|r| r.is_empty() || r.starts_with('/'))
            {
                w.text = format!("{}{rest}", host.trim_end_matches('/'));
                break;
            }
        }
    }
    let keep_all = privileged || n == "kubectl" || n == "oc";
    let mut sub = Engine::new(e.ctx);
    sub.cwd = std::path::PathBuf::from("/");
    sub.run_argv(
        inner,
        Vec::new(),
        c.stdin.clone(),
        vec![format!("{n} run")],
        c.depth + 1,
    );
    for eff in sub.effects {
        let paths: Vec<String> = eff.touched_paths().iter().map(|p| p.to_string()).collect();
        let on_host = paths
            .iter()
            .any(|p| roots.iter().any(|r| p.starts_with(r.as_str())));
        if let Effect::Delete { path, .. } = &eff
            && path.starts_with("/var/lib/docker/volumes/")
        {
            e.add(Effect::DbDestroy {
                engine: "container".into(),
                what: format!("deletes data in a named volume ({path})"),
            });
            continue;
        }
        if paths.is_empty() || on_host || keep_all {
            e.add(eff);
        }
    }
}

#[cfg(test)]
mod family_tests {
    use crate::testutil::expect;

    #[test]
    fn classifies() {
        expect(&[
            ("terraform destroy", "catastrophic"),
            ("terraform plan", "safe"),
            ("terraform apply -destroy", "catastrophic"),
            ("kubectl delete ns prod", "catastrophic"),
            ("kubectl get pods", "safe"),
            ("helm uninstall web", "catastrophic"),
            ("aws s3 rm s3://b --recursive", "catastrophic"),
            ("aws s3 ls", "safe"),
            (
                "aws ec2 terminate-instances --instance-ids i-1",
                "catastrophic",
            ),
            ("gcloud projects delete p", "catastrophic"),
            ("az group delete -n rg", "catastrophic"),
            ("docker system prune -a --volumes", "catastrophic"),
            ("docker volume rm data", "catastrophic"),
            ("docker ps", "safe"),
            (
                "docker run -v /:/host alpine rm -rf /host/etc",
                "catastrophic",
            ),
            ("podman system reset", "catastrophic"),
        ]);
    }
}
