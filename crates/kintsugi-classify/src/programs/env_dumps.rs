//! Commands that print a running application's environment — where its
//! credentials live: `docker inspect CONTAINER` (the whole config, with
//! `Config.Env`), `docker inspect -f '{{.Config.Env}}' c`, `cf env APP`
//! (`VCAP_SERVICES` with service passwords), `dokku config:show APP`,
//! `eb printenv`, `az webapp config appsettings list`. `exposure::extra`
//! asks here; a format that selects something else (`{{.State.Status}}`)
//! and image, network or volume inspection print no environment; the
//! whole inspection piped on is judged by what the pipe keeps (`| jq
//! '.[0].State'` and `| wc -l` nothing of it, `| cat`, `| less`, `| tee f`
//! and `| jq '.[0].Config.Env'` all of it).

use super::Cmd;
use crate::downstream::Data;

/// Whether `c` prints an application's or container's environment
/// (`hidden(d)`: its output, data of kind `d`, goes down a pipe that keeps
/// none of the environment, `downstream::hides_values`).
pub(crate) fn prints_env(c: &Cmd, hidden: impl Fn(Data) -> bool) -> bool {
    let pos: Vec<String> = c
        .positional()
        .iter()
        .take(6)
        .map(|w| w.text.to_ascii_lowercase())
        .collect();
    let s = |k: usize| pos.get(k).map(String::as_str).unwrap_or("");
    match c.name.as_str() {
        "docker" | "podman" | "nerdctl" => {
            let inspect = s(0) == "inspect" || s(0) == "container" && s(1) == "inspect";
            inspect
                && !c.has(&["--type=image", "--type=network", "--type=volume"])
                && !c
                    .opt(&["--type"])
                    .is_some_and(|w| matches!(w.text.as_str(), "image" | "network" | "volume"))
                && {
                    match format(c) {
                        None => !hidden(Data::Inspect),
                        Some(f) => {
                            let f = f.replace(' ', "");
                            !hidden(Data::EnvLines)
                                && (f.contains(".Config.Env")
                                    || f.contains(".Env")
                                    || f.contains("{{json.Config}}")
                                    || f.contains("{{.Config}}")
                                    || f.contains("{{json.}}")
                                    || f == "json")
                        }
                    }
                }
        }
        "cf" => s(0) == "env",
        "dokku" => {
            matches!(
                s(0),
                "config" | "config:show" | "config:export" | "config:get"
            ) && !c.has(&["--help"])
        }
        "eb" => s(0) == "printenv",
        "scalingo" | "clever" => s(0) == "env",
        "az" => {
            matches!(s(0), "webapp" | "functionapp")
                && s(1) == "config"
                && s(2) == "appsettings"
                && s(3) == "list"
        }
        _ => false,
    }
}

/// The `--format`/`-f` value, in any of its spellings.
fn format(c: &Cmd) -> Option<String> {
    if let Some(v) = c.opt_eq("--format") {
        return Some(v);
    }
    if let Some(w) = c.opt(&["-f", "--format"]) {
        return Some(w.text.clone());
    }
    c.args
        .iter()
        .find_map(|a| a.text.strip_prefix("-f").filter(|r| r.starts_with("{{")))
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use crate::testutil::expect;

    #[test]
    fn environment_dumps_are_secret_reads() {
        expect(&[
            ("docker inspect -f '{{.Config.Env}}' c", "catastrophic"),
            (
                "docker inspect --format '{{json .Config.Env}}' web",
                "catastrophic",
            ),
            (
                "docker inspect --format='{{range .Config.Env}}{{println .}}{{end}}' web",
                "catastrophic",
            ),
            ("docker inspect web", "catastrophic"),
            ("docker container inspect web", "catastrophic"),
            ("podman inspect -f '{{ .Config.Env }}' db", "catastrophic"),
            ("cf env my-app", "catastrophic"),
            ("dokku config:show api", "catastrophic"),
            ("eb printenv", "catastrophic"),
            (
                "az webapp config appsettings list -g rg -n site",
                "catastrophic",
            ),
        ]);
    }

    #[test]
    fn other_inspections_stay_safe() {
        expect(&[
            ("docker inspect -f '{{.State.Status}}' c", "safe"),
            (
                "docker inspect --format '{{.NetworkSettings.IPAddress}}' c",
                "safe",
            ),
            ("docker image inspect alpine", "safe"),
            ("docker network inspect bridge", "safe"),
            ("docker inspect --type image alpine", "safe"),
            ("docker inspect --type=volume data", "safe"),
            ("cf apps", "safe"),
            ("docker inspect api | jq '.[0].State'", "safe"),
        ]);
    }
}
