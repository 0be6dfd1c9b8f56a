//! Commands run on many machines at once: Ansible ad-hoc modules
//! (`ansible all -m shell -a 'rm -rf /var/www'`, `-m file -a 'path=/
//! state=absent'`), Salt execution functions (`salt '*' cmd.run …`,
//! `file.remove`) and parallel shells (`pdsh`, `pssh`, `clush`). The remote
//! command or module is judged as if it ran here, with a floor of a remote
//! run (ambiguous); fact gathering and pings only read.

use super::Cmd;
use crate::effects::Effect;
use crate::engine::{Stdin, Walker};

/// Modules and functions that only read or probe.
fn reads_only(module: &str) -> bool {
    let m = module.rsplit('.').next().unwrap_or(module);
    matches!(
        m,
        "ping"
            | "setup"
            | "gather_facts"
            | "debug"
            | "stat"
            | "find"
            | "version"
            | "grains"
            | "items"
            | "item"
            | "list_files"
    ) || m.ends_with("_info")
        || m.ends_with("_facts")
        || module.starts_with("test.")
        || module.starts_with("grains.")
        || module.starts_with("pillar.item")
}

/// `key=value` pairs of an Ansible module argument (`path=/ state=absent`),
/// also `"key": "value"` in its JSON form.
fn module_args(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let cleaned: String = s
        .chars()
        .map(|ch| {
            if matches!(ch, '{' | '}' | ',') {
                ' '
            } else {
                ch
            }
        })
        .collect();
    let words: Vec<&str> = cleaned.split_whitespace().collect();
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        if let Some((k, v)) = w.split_once('=') {
            out.push((k.to_string(), v.trim_matches(['"', '\'']).to_string()));
        } else if let Some(k) = w.strip_suffix(':')
            && let Some(v) = words.get(i + 1)
        {
            out.push((
                k.trim_matches(['"', '\'']).to_string(),
                v.trim_matches(['"', '\'']).to_string(),
            ));
            i += 1;
        }
        i += 1;
    }
    out
}

fn run_remote(e: &mut Walker, c: &Cmd, hosts: &str, command: &str) {
    let mut via = c.via.clone();
    via.push(format!("{} {hosts}", c.name));
    e.run_script(command, &via, c.depth + 1, &Stdin::Terminal);
}

fn remote(e: &mut Walker, hosts: &str) {
    e.add(Effect::RemoteExec {
        host: hosts.to_string(),
        reverse_shell: false,
    });
}

/// `ansible HOSTS [-m MODULE] [-a ARGS]`.
fn ansible(e: &mut Walker, c: &Cmd) {
    if c.short('C') || c.has(&["--check", "--list-hosts", "--syntax-check"]) || c.dry_run() {
        return;
    }
    let hosts = c
        .positional()
        .first()
        .map(|w| w.text.clone())
        .unwrap_or_default();
    // The last `-m` wins (`-m ping … -m command` runs `command`).
    let module = c
        .args
        .windows(2)
        .rev()
        .find(|p| matches!(p[0].text.as_str(), "-m" | "--module-name"))
        .map(|p| p[1].text.clone())
        .or_else(|| c.opt_eq("--module-name"))
        .unwrap_or_else(|| "command".into());
    let args = c
        .opt(&["-a", "--args"])
        .map(|w| w.text.clone())
        .or_else(|| c.opt_eq("--args"))
        .unwrap_or_default();
    let short = module.rsplit('.').next().unwrap_or(&module).to_string();
    if reads_only(&module) {
        return;
    }
    remote(e, &hosts);
    let kv = module_args(&args);
    let get = |k: &str| kv.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
    match short.as_str() {
        "shell" | "command" | "raw" | "script" | "expect" => {
            let cmd = match args.trim().strip_prefix("cmd=") {
                Some(r) => r.trim_matches(['"', '\'']).to_string(),
                None => args.clone(),
            };
            run_remote(e, c, &hosts, &cmd);
        }
        "file" => {
            let path = get("path").or(get("dest")).or(get("name")).unwrap_or("");
            if path.is_empty() {
                return;
            }
            let p = e.path(path);
            if get("state") == Some("absent") {
                e.add(Effect::Delete {
                    path: p,
                    recursive: true,
                });
            } else if get("mode").is_some() || get("owner").is_some() {
                let recursive = matches!(get("recurse"), Some("yes" | "true" | "True"));
                e.add(Effect::Chmod { path: p, recursive });
            }
        }
        "reboot" => e.add(Effect::Power {
            what: format!("reboots {hosts}"),
        }),
        "copy" | "synchronize" | "fetch" | "template" => {
            if let Some(src) = get("src") {
                let p = e.path(src);
                if crate::secret_paths::is_secret_path(&p, e.ctx)
                    || crate::secret_paths::is_secret_dir(&p, e.ctx)
                {
                    e.add(Effect::NetworkEgress {
                        host: hosts.clone(),
                        payload: p,
                        sensitive: true,
                    });
                }
            }
        }
        "user" | "group" if get("state") == Some("absent") => e.add(Effect::Change {
            program: c.name.clone(),
            what: format!("removes a user or group on {hosts}"),
        }),
        _ => {}
    }
}

/// `salt TARGET FUNCTION ARGS…`: `cmd.run` runs a shell command,
/// `file.remove` deletes, `system.reboot` reboots.
fn salt(e: &mut Walker, c: &Cmd) {
    let pos: Vec<String> = c.positional().iter().map(|w| w.text.clone()).collect();
    let (Some(hosts), Some(func)) = (pos.first(), pos.get(1)) else {
        return;
    };
    if reads_only(func) || c.has(&["test=True"]) {
        return;
    }
    remote(e, hosts);
    let rest = pos[2..].join(" ");
    match func.as_str() {
        "cmd.run" | "cmd.run_all" | "cmd.shell" | "cmd.script" | "cmd.exec_code" => {
            run_remote(e, c, hosts, &rest)
        }
        "file.remove" | "file.rmdir" | "file.delete" => {
            for t in &pos[2..] {
                let p = e.path(t);
                e.add(Effect::Delete {
                    path: p,
                    recursive: true,
                });
            }
        }
        "system.reboot" | "system.shutdown" | "system.halt" | "system.poweroff" => {
            e.add(Effect::Power {
                what: format!("{func} on {hosts}"),
            })
        }
        _ => {}
    }
}

/// Parallel shells: the command is the words after the options.
fn parallel_shell(e: &mut Walker, c: &Cmd) {
    let with_value = [
        "-w",
        "-x",
        "-g",
        "-X",
        "-l",
        "-R",
        "-h",
        "-H",
        "-t",
        "-p",
        "-o",
        "-e",
        "-O",
        "-f",
        "-u",
        "-N",
        "--hosts",
        "--host",
        "--user",
        "--par",
        "--outdir",
        "--errdir",
        "--timeout",
        "--options",
        "--group",
        "-b",
    ];
    let i = crate::wrappers::options_end(&c.args, &with_value, 0);
    let hosts = c
        .opt(&["-w", "-h", "-H", "--hosts", "-g"])
        .map(|w| w.text.clone())
        .unwrap_or_else(|| "several hosts".into());
    remote(e, &hosts);
    let cmd: Vec<&str> = c.args[i.min(c.args.len())..]
        .iter()
        .map(|w| w.text.as_str())
        .collect();
    if !cmd.is_empty() {
        run_remote(e, c, &hosts, &cmd.join(" "));
    }
}

/// Rules for the fleet runners; false for other programs.
pub(crate) fn handle(e: &mut Walker, c: &Cmd) -> bool {
    match c.name.as_str() {
        "ansible" => ansible(e, c),
        "salt" | "salt-ssh" | "salt-call" => {
            if c.name == "salt-call" {
                // `salt-call FUNCTION …` runs on this machine.
                let mut inner = c.clone();
                inner.args.insert(0, crate::words::Word::lit("localhost"));
                salt(e, &inner);
            } else {
                salt(e, c);
            }
        }
        "pdsh" | "pssh" | "parallel-ssh" | "clush" => parallel_shell(e, c),
        "ansible-playbook" => {
            let reads = c.short('C')
                || c.dry_run()
                || c.has(&[
                    "--syntax-check",
                    "--list-tasks",
                    "--list-hosts",
                    "--list-tags",
                ]);
            if !reads {
                e.add(Effect::Change {
                    program: c.name.clone(),
                    what: "runs a playbook on its hosts".into(),
                });
            }
        }
        _ => return false,
    }
    true
}

#[cfg(test)]
mod tests {
    use crate::testutil::expect;

    #[test]
    fn fleet_commands_are_judged_by_what_they_run() {
        expect(&[
            (
                "ansible all -m file -a \"path=/ state=absent\" --become",
                "catastrophic",
            ),
            (
                "ansible web -m ansible.builtin.file -a 'path=/home/dev state=absent'",
                "catastrophic",
            ),
            ("ansible all -a 'rm -rf /srv/data'", "catastrophic"),
            (
                "ansible db -m shell -a 'cmd=\"dd if=/dev/zero of=/dev/sda\"'",
                "catastrophic",
            ),
            ("ansible all -m reboot -b", "catastrophic"),
            (
                "ansible all -m copy -a 'src=~/.ssh/id_rsa dest=/tmp/k'",
                "catastrophic",
            ),
            (
                "ansible all -m file -a 'path=/opt/app/tmp state=touch'",
                "ambiguous",
            ),
            ("ansible all -m ping", "safe"),
            ("ansible all -m setup", "safe"),
            ("ansible web -m ansible.builtin.service_facts", "safe"),
            (
                "ansible all -m file -a 'path=/ state=absent' --check",
                "safe",
            ),
            ("salt '*' cmd.run 'rm -rf /var/lib/mysql'", "catastrophic"),
            ("salt '*' file.remove /etc", "catastrophic"),
            ("salt -G 'os:Ubuntu' system.reboot", "catastrophic"),
            ("salt '*' test.ping", "safe"),
            ("salt '*' state.apply", "ambiguous"),
            ("pdsh -w node[01-10] 'rm -rf /data'", "catastrophic"),
            ("pssh -h hosts.txt -i 'sudo reboot'", "catastrophic"),
            ("clush -a uptime", "ambiguous"),
            ("ansible all -m ping -a uptime -m command", "ambiguous"),
            ("ansible-playbook site.yml --syntax-check", "safe"),
            ("ansible-playbook site.yml -C --diff", "safe"),
            ("ansible-playbook deploy.yml -l prod", "ambiguous"),
        ]);
    }
}
