//! Cloud and cluster tools: terraform/tofu/pulumi, kubectl, helm, aws, gcloud,
//! az, docker/podman, and hosted-platform CLIs. Destruction is catastrophic
//! even when the tool would prompt; plans, lists and reads pass.

use super::Cmd;
use super::containers::{docker, kubectl};
use crate::effects::Effect;
use crate::engine::Walker;

pub(crate) fn destroy(e: &mut Walker, tool: &str, what: String) {
    e.add(Effect::CloudDestroy {
        tool: tool.into(),
        what,
    });
}
pub(crate) fn change(e: &mut Walker, tool: &str, what: String) {
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

pub(crate) fn handle(e: &mut Walker, c: &Cmd) -> bool {
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
            if c.dry_run() || c.long("--preview") {
                // `pulumi destroy --preview-only`, `sls remove --noop`.
            } else if matches!(sub, "destroy" | "remove" | "delete")
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
                    // `gsutil rsync -d`: deletes what the source lacks.
                    || p(0) == "rsync"
                        && (c.short('d') || c.long("--delete-unmatched-destination-objects"))
                        && !c.short('n')
                {
                    destroy(e, n, format!("gsutil {}", p(0)));
                } else if matches!(p(0), "acl" | "defacl" | "iam" | "setacl") && p(1) == "get"
                    || p(0) == "rsync" && c.short('n')
                {
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
            let before = e.effects.len();
            // `snowsql -q 'SQL'`, `bq query 'SQL'`: judged as the SQL they run.
            let sql = c
                .opt(&["-q", "--query"])
                .map(|w| w.text.clone())
                .or_else(|| {
                    (n == "bq" && pos.first().is_some_and(|p| p == "query"))
                        .then(|| pos.last().cloned())
                        .flatten()
                });
            if matches!(n, "snowsql" | "bq")
                && let Some(sql) = sql
            {
                match super::db::sql_severity(&sql) {
                    (2, w) => destroy(e, n, w),
                    (1, w) => change(e, n, w),
                    _ => {}
                }
                return true;
            }
            if pos
                .iter()
                .any(|t| t == "auth:token" || t == "config:get" && n == "heroku")
            {
                e.add(Effect::SecretRead {
                    path: format!("{n} {}", pos.join(" ")),
                });
                return true;
            }
            if n == "consul"
                && let Some(sweep) = super::kv_keys::consul_delete(c, &pos)
            {
                if c.dry_run() {
                } else if sweep {
                    destroy(e, n, pos.join(" "));
                } else {
                    change(e, n, format!("deletes one key: {}", pos.join(" ")));
                }
                return true;
            }
            // `nomad job stop -purge api`: a stop that also throws the job's
            // history and state away.
            let sweeping = c
                .args
                .iter()
                .any(|a| super::unknown::sweeping_option(&a.text));
            // PaaS colon verbs: `heroku pg:reset`, `pg:killall`, `firebase
            // hosting:disable`, `addons:destroy`.
            if (sweeping
                || pos.iter().any(|t| {
                    t.rsplit_once(':').is_some_and(|(_, v)| {
                        matches!(
                            v,
                            "reset"
                                | "destroy"
                                | "delete"
                                | "remove"
                                | "disable"
                                | "killall"
                                | "wipe"
                                | "drop"
                                | "truncate"
                                | "nuke"
                                | "unpublish"
                        )
                    })
                }))
                && !c.dry_run()
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
                        | "rollback"
                ) || t.contains("deploy") && !t.starts_with("deployment")
                    || t.ends_with(":set")
            }) {
                change(
                    e,
                    n,
                    pos.iter().take(3).cloned().collect::<Vec<_>>().join(" "),
                );
            }
            // `cf push api`: what these rules do not know is judged by its
            // verbs (the verb CLIs by their own table).
            if e.effects.len() == before
                && !super::verb_cli::VERB_CLIS.contains(&n)
                && !super::forms::table_lists(c)
            {
                super::unknown::judge_as(e, c, "subcommand");
            }
            true
        }
        _ => false,
    }
}

fn aws(e: &mut Walker, c: &Cmd, _pos: &[String]) {
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
                || op.contains("delete")
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
