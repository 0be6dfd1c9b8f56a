//! Containers and clusters: kubectl, docker/podman (prune, volumes, exec,
//! run with volume mounts mapped back to host paths).

use super::Cmd;
use super::cloud::{change, destroy};
use crate::effects::Effect;
use crate::engine::{Stdin, Walker};

pub(crate) fn kubectl(e: &mut Walker, c: &Cmd, pos: &[String]) {
    let n = "kubectl";
    let p = |k: usize| pos.get(k).map(String::as_str).unwrap_or("");
    let dry = c.dry_run();
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
                            // OpenShift's `oc delete project X` is a namespace.
                            | "project"
                            | "projects"
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
                        || t.starts_with("project/")
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
            // `-o jsonpath='{.metadata.name}'` prints only metadata.
            let metadata_only = out.as_deref().is_some_and(|o| {
                (o.starts_with("jsonpath")
                    || o.starts_with("go-template")
                    || o.starts_with("custom-columns"))
                    && o.contains(".metadata")
                    && !o.contains(".data")
                    && !o.contains("stringData")
            });
            // `… -o json | jq 'keys'`, `… -o yaml | kubectl apply -f -`:
            // the values stop in the pipe.
            let hidden = || crate::downstream::hides_values(e, crate::downstream::Data::Document);
            if secret
                && !metadata_only
                && !hidden()
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
                    env_of_container(e, &inner, "the pod");
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

/// Compose's options before its verb that take a value
/// (`docker compose -p acme down`).
const COMPOSE_VALUED: &[&str] = &[
    "-p",
    "--project-name",
    "-f",
    "--file",
    "--env-file",
    "--profile",
    "--project-directory",
    "--ansi",
    "--progress",
    "--parallel",
];

/// The compose verb (`down`, `rm`, …) past compose's own options, for
/// `docker compose …` and `docker-compose …`.
fn compose_verb(c: &Cmd) -> Option<String> {
    let start = if c.name.ends_with("compose") {
        0
    } else {
        c.args.iter().position(|w| w.text == "compose")? + 1
    };
    let k = crate::wrappers::options_end(&c.args, COMPOSE_VALUED, start);
    c.args.get(k).map(|w| w.text.clone())
}

pub(crate) fn docker(e: &mut Walker, c: &Cmd, pos: &[String]) {
    let n = c.name.as_str();
    let p = |k: usize| pos.get(k).map(String::as_str).unwrap_or("");
    let verb = compose_verb(c);
    let (sub, sub2) = if n.ends_with("compose") {
        ("compose", verb.as_deref().unwrap_or(p(0)))
    } else if p(0) == "compose" {
        ("compose", verb.as_deref().unwrap_or(p(1)))
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
            env_of_container(e, &inner, "the service");
            let mut via = c.via.clone();
            via.push(format!("{n} compose {sub2}"));
            e.run_argv(inner, Vec::new(), c.stdin.clone(), via, c.depth + 1);
        }
        return;
    }
    // `docker compose config` prints the compose file with the values
    // interpolated from `.env` and the environment (`--environment`: the
    // variables themselves): a read of them, unless it prints only names,
    // only checks (`-q`), does not interpolate, or they stop in the pipe.
    if sub == "compose" && sub2 == "config" {
        let no_values = c.has(&[
            "--services",
            "--volumes",
            "--profiles",
            "--images",
            "--networks",
            "--hash",
            "-q",
            "--quiet",
            "--no-interpolate",
        ]);
        if !no_values && !crate::downstream::hides_values(e, crate::downstream::Data::Document) {
            e.add(Effect::SecretRead {
                path: "values interpolated from .env (docker compose config)".into(),
            });
        }
        return;
    }
    // `docker rmi -f $(docker images -q)`: every image on the machine.
    let every_image = |w: &crate::words::Word| {
        w.dynamic
            && (w.text.contains("images")
                || w.text.contains("image ls")
                || w.text.contains("image list"))
            && (w.text.contains("-q") || w.text.contains("-a"))
            && !w.text.contains("dangling")
            && !names_some_images(&w.text)
    };
    if (sub == "rmi" || sub == "image" && matches!(sub2, "rm" | "remove"))
        && c.args.iter().any(every_image)
    {
        destroy(e, n, format!("{n} {sub} (every image)"));
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
        // Every unused image, not only dangling ones: images built here and
        // never pushed are gone with them.
        ("system" | "image", "prune") if c.short('a') || c.long("--all") => {
            destroy(e, n, format!("{n} {sub} prune --all"))
        }
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
                env_of_container(e, &inner, "the container");
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
pub(crate) fn container_run(e: &mut Walker, c: &Cmd) {
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
        // `--mount type=bind,src=/home/dev,dst=/w` (also `source=`,
        // `target=`, `destination=`).
        let mount_spec = if a == "--mount" {
            c.args.get(i + 1).map(|w| w.text.as_str())
        } else {
            a.strip_prefix("--mount=")
        };
        if let Some(spec) = mount_spec {
            let field = |keys: &[&str]| {
                spec.split(',').find_map(|kv| {
                    let (k, v) = kv.split_once('=')?;
                    keys.contains(&k).then(|| v.to_string())
                })
            };
            if let (Some(h), Some(ct)) = (
                field(&["src", "source"]),
                field(&["dst", "target", "destination"]),
            ) {
                mounts.push((h, ct));
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
        // Inside a payload string (`sh -c 'rm -rf /h/*'`), every mention of a
        // mounted container path is the host path too.
        if w.text.contains(' ') {
            for (ct, host) in &table {
                if ct.len() > 1 {
                    let host = host.trim_end_matches('/');
                    w.text = w
                        .text
                        .replace(&format!(" {ct}/"), &format!(" {host}/"))
                        .replace(&format!(" {ct} "), &format!(" {host} "))
                        .replace(&format!("'{ct}/"), &format!("'{host}/"));
                    if let Some(r) = w.text.strip_suffix(&format!(" {ct}")) {
                        w.text = format!("{r} {host}");
                    }
                }
            }
            continue;
        }
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
    let mut sub = Walker::new(e.ctx);
    sub.reader = e.reader;
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

/// `$(docker images -q api:old)`, `$(docker images -q -f reference=x)`: a
/// listing narrowed to a repository or a filter, not every image.
fn names_some_images(text: &str) -> bool {
    let Some((k, len)) = ["images", "image ls", "image list"]
        .iter()
        .find_map(|l| text.find(l).map(|k| (k, l.len())))
    else {
        return false;
    };
    let rest = text[k + len..].split([')', '`', '|']).next().unwrap_or("");
    let words: Vec<&str> = rest.split_whitespace().collect();
    words.iter().enumerate().any(|(i, w)| {
        matches!(*w, "-f" | "--filter")
            || w.starts_with("--filter=")
            || !w.starts_with('-') && (i == 0 || words[i - 1] != "--format")
    })
}

/// `docker exec db env`, `kubectl exec api -- printenv`: the whole
/// environment of a running service, where its database URL and API keys
/// live, printed (unless the pipe keeps only the names).
fn env_of_container(e: &mut Walker, inner: &[crate::words::Word], whose: &str) {
    let Some((first, args)) = inner.split_first() else {
        return;
    };
    let inside = Cmd {
        name: crate::words::basename(&first.text).to_string(),
        args: args.to_vec(),
        stdin: Stdin::Terminal,
        via: Vec::new(),
        depth: 0,
    };
    if super::secrets::dumps_env(&inside.name, &inside)
        && !crate::downstream::hides_values(e, crate::downstream::Data::EnvLines)
    {
        e.add(Effect::SecretRead {
            path: format!("the environment of {whose}"),
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::testutil::expect;

    /// Removing what `docker images -q` lists is every image; a listing
    /// narrowed to a repository or filter is those images only, also when
    /// a variable holds it.
    #[test]
    fn every_image_only_when_the_listing_is_unfiltered() {
        expect(&[
            ("oc delete project shop-prod", "catastrophic"),
            ("oc delete project/shop-staging", "catastrophic"),
            ("oc get projects", "safe"),
            ("docker rmi -f $(docker images -q)", "catastrophic"),
            ("docker rmi $(docker images -aq)", "catastrophic"),
            ("ids=$(docker images -q); docker rmi $ids", "catastrophic"),
            ("docker rmi $(docker images -q api:old)", "ambiguous"),
            (
                "img=$(docker images -q api); docker rmi \"$img\"",
                "ambiguous",
            ),
            (
                "docker rmi $(docker images -q -f reference='api:*')",
                "ambiguous",
            ),
            ("docker image rm -f $(docker image ls -q)", "catastrophic"),
            ("docker image rm $(docker image ls -q api)", "ambiguous"),
        ]);
    }

    /// Compose's own options before the verb (`-p NAME`, `-f FILE`) are
    /// not the verb.
    #[test]
    fn compose_verbs_past_compose_options() {
        expect(&[
            ("docker compose -p acme down --volumes", "catastrophic"),
            (
                "docker-compose -f prod.yml --env-file .env.prod down -v",
                "catastrophic",
            ),
            ("docker compose --project-name acme rm -fsv", "catastrophic"),
            ("docker compose -p acme down", "ambiguous"),
            ("docker compose -f prod.yml ps", "safe"),
            // `config` prints values interpolated from `.env`.
            ("docker compose config", "catastrophic"),
            ("docker compose config | grep -i password", "catastrophic"),
            ("docker-compose config --environment", "catastrophic"),
            ("docker compose config --services", "safe"),
            ("docker compose -f prod.yml config -q", "safe"),
            ("docker compose config --no-interpolate", "safe"),
            ("docker compose config | wc -l", "safe"),
        ]);
    }

    #[test]
    fn mount_flag_binds_map_back_to_the_host() {
        expect(&[
            (
                "docker run --mount type=bind,src=/home/dev,dst=/w alpine sh -c 'rm -rf /w/*'",
                "catastrophic",
            ),
            (
                "podman run --mount=type=bind,source=/etc,target=/x alpine rm -rf /x",
                "catastrophic",
            ),
        ]);
    }
}
