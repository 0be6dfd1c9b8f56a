//! System control: power and kill-all, security controls (firewall, SELinux,
//! audit, history, logs), persistence (crontab, systemctl enable, launchctl),
//! and fork-bomb detection over the raw text.

use super::Cmd;
use crate::effects::Effect;
use crate::engine::Walker;
use crate::env_hooks::history_off;

pub(crate) const SECURITY_UNITS: &[&str] = &[
    "firewalld",
    "ufw",
    "iptables",
    "ip6tables",
    "nftables",
    "apparmor",
    "auditd",
    "selinux",
    "fail2ban",
    "clamav",
    "clamav-daemon",
    "falcon-sensor",
    "osqueryd",
    "wazuh-agent",
    "crowdstrike",
    "sshguard",
    "rsyslog",
    "syslog",
    "systemd-journald",
    "aide",
    "tripwire",
    "sophos",
    "mdatp",
    "ossec",
];

fn sec(e: &mut Walker, what: &str, control: &str) {
    e.add(Effect::SecurityDisable {
        what: what.into(),
        control: control.into(),
    });
}

fn power(e: &mut Walker, what: String) {
    e.add(Effect::Power { what });
}

pub(crate) fn handle(e: &mut Walker, c: &Cmd) -> bool {
    let n = c.name.as_str();
    let pos: Vec<String> = c.positional().iter().map(|w| w.text.clone()).collect();
    let p = |k: usize| pos.get(k).map(String::as_str).unwrap_or("");
    match n {
        "shutdown" | "reboot" | "poweroff" | "halt" | "kexec" => {
            let cancel_or_warn = n == "shutdown" && c.has(&["-c", "-k", "--no-wall"]);
            if !cancel_or_warn && !c.dry_run() {
                power(e, n.to_string());
            }
            true
        }
        // `rtcwake -m off|disk`: powers off or hibernates until the alarm;
        // a suspend or a bare alarm is a change; `-m show` only reads.
        "rtcwake" => {
            let mode = c
                .opt(&["-m", "--mode"])
                .map(|w| w.text.clone())
                .or_else(|| c.opt_eq("--mode"))
                .unwrap_or_else(|| "standby".into());
            match mode.as_str() {
                "off" | "disk" => power(e, format!("rtcwake -m {mode}")),
                "show" => {}
                _ if c.dry_run() || c.has(&["-n"]) => {}
                _ => e.add(Effect::Change {
                    program: n.into(),
                    what: format!("suspends the machine or sets its wake alarm (-m {mode})"),
                }),
            }
            true
        }
        "init" | "telinit" => {
            if matches!(p(0), "0" | "6" | "1" | "s" | "S") {
                power(e, format!("{n} {}", p(0)));
            }
            true
        }
        "systemctl" | "service" | "rc-service" | "sv" => {
            let (verb, units): (&str, Vec<&str>) = if n == "systemctl" {
                (p(0), pos.iter().skip(1).map(String::as_str).collect())
            } else {
                (p(1), vec![p(0)])
            };
            match verb {
                "poweroff" | "reboot" | "halt" | "kexec" | "emergency" | "rescue"
                | "soft-reboot" => power(e, format!("systemctl {verb}")),
                "isolate"
                    if units.iter().any(|u| {
                        u.contains("rescue")
                            || u.contains("emergency")
                            || u.contains("poweroff")
                            || u.contains("reboot")
                    }) =>
                {
                    power(e, "systemctl isolate".into())
                }
                "stop" | "disable" | "mask" | "kill" => {
                    if units.iter().any(|u| {
                        SECURITY_UNITS
                            .iter()
                            .any(|s| u.trim_end_matches(".service") == *s)
                    }) {
                        sec(
                            e,
                            &format!("the security service {}", units.join(" ")),
                            "firewall-off",
                        );
                    } else if units
                        .iter()
                        .any(|u| matches!(u.trim_end_matches(".service"), "sshd" | "ssh"))
                    {
                        // Like `pkill sshd`: the operator's way in is gone.
                        power(e, format!("{n} {verb} {}", units.join(" ")));
                    } else if units.iter().any(|u| {
                        matches!(
                            u.trim_end_matches(".service"),
                            "networking"
                                | "NetworkManager"
                                | "systemd-networkd"
                                | "docker"
                                | "containerd"
                        )
                    }) {
                        e.add(Effect::Change {
                            program: n.into(),
                            what: format!("stops {}", units.join(" ")),
                        });
                    } else {
                        e.add(Effect::Change {
                            program: n.into(),
                            what: format!("{verb}s {}", units.join(" ")),
                        });
                    }
                }
                "enable" | "link" | "preset" | "add-wants" | "reenable" => {
                    e.add(Effect::Persistence {
                        what: format!("systemctl {verb} {}", units.join(" ")),
                        path: "/etc/systemd/system/".into(),
                    })
                }
                "start" | "restart" | "reload" | "try-restart" | "daemon-reload"
                | "set-property" | "edit" | "revert" | "unmask" | "reset-failed"
                | "set-default" => e.add(Effect::Change {
                    program: n.into(),
                    what: format!("{verb}s {}", units.join(" ")),
                }),
                _ => {}
            }
            true
        }
        "kill" | "pkill" | "killall" | "killall5" | "skill" | "slay" => {
            let all_targets = pos.iter().any(|t| t == "-1" || t == "1")
                || c.args.windows(2).any(|w| {
                    (w[0].text == "-9"
                        || w[0].text == "-KILL"
                        || w[0].text == "-s"
                        || w[0].text.starts_with("-SIG"))
                        && w[1].text == "-1"
                })
                || c.args.iter().any(|w| w.text == "-1")
                    && n == "kill"
                    && c.args.len() >= 2
                    && c.args.last().is_some_and(|l| l.text == "-1");
            let from_ps = c.args.iter().any(|w| {
                w.dynamic
                    && (w.text.contains("ps ")
                        || w.text.contains("pgrep")
                        || w.text.contains("pidof")
                        || w.text.contains(super::walkers::XARGS_INPUT))
                    && !named_processes(&w.text)
            }) && !c.args.iter().any(|w| w.text == "-0");
            let upstream_ps = matches!(&c.stdin, crate::engine::Stdin::Other(p) if matches!(p.as_str(), "ps" | "pgrep" | "pidof" | "awk" | "cut" | "grep"));
            let shells = pos.iter().any(|t| SESSION_PROCESSES.contains(&t.as_str()));
            let security = pos.iter().any(|t| {
                SECURITY_UNITS.contains(&t.as_str())
                    || t.contains("falcon")
                    || t.contains("auditd")
                    || t.contains("osquery")
            });
            if security
                || c.args
                    .iter()
                    .any(|w| w.dynamic && SECURITY_UNITS.iter().any(|s| w.text.contains(s)))
            {
                sec(
                    e,
                    &format!("a security daemon ({})", pos.join(" ")),
                    "audit-off",
                );
                return true;
            }
            if from_ps && n == "kill"
                || upstream_ps
                || (n != "kill" && shells)
                || (n == "pkill"
                    && c.args
                        .windows(2)
                        .any(|w| w[0].text == "-P" && w[1].text == "1"))
            {
                power(
                    e,
                    format!(
                        "{n} {}",
                        c.args
                            .iter()
                            .map(|w| w.text.as_str())
                            .collect::<Vec<_>>()
                            .join(" ")
                    ),
                );
                return true;
            }
            if c.args.iter().any(|w| w.text == "-0") {
                return true;
            }
            if n == "killall5"
                || (n == "kill" && all_targets)
                || ((n == "pkill" || n == "killall" || n == "skill")
                    && (c.short('u') || c.long("--user")))
                || (n == "pkill" && pos.iter().any(|t| t == "." || t == ".*"))
            {
                power(
                    e,
                    format!(
                        "{n} {}",
                        c.args
                            .iter()
                            .map(|w| w.text.as_str())
                            .collect::<Vec<_>>()
                            .join(" ")
                    ),
                );
            } else if !c.has(&["-l", "-L", "--list"]) && !c.args.is_empty() {
                let proc_ = pos.iter().any(|t| {
                    matches!(
                        t.as_str(),
                        "sshd"
                            | "init"
                            | "systemd"
                            | "auditd"
                            | "kintsugi"
                            | "kintsugid"
                            | "ssh-agent"
                            | "sudo"
                    )
                });
                if proc_ && n != "kill" {
                    power(e, format!("{n} {}", pos.join(" ")));
                } else {
                    e.add(Effect::Change {
                        program: n.into(),
                        what: "stops processes".into(),
                    });
                }
            }
            true
        }
        "iptables" | "ip6tables" | "iptables-legacy" | "iptables-nft" | "nft" | "ufw"
        | "firewall-cmd" | "pfctl" | "netsh" => {
            let flush = c.has(&["-F", "--flush", "-X", "--delete-chain"])
                || c.args
                    .windows(3)
                    .any(|w| w[0].text == "-P" && w[2].text == "ACCEPT")
                || (n == "nft" && p(0) == "flush")
                || (n == "ufw" && matches!(p(0), "disable" | "reset"))
                || (n == "ufw" && p(0) == "default" && p(1) == "allow")
                // `ufw allow from any`: every port to anyone.
                || (n == "ufw"
                    && p(0) == "allow"
                    && p(1) == "from"
                    && p(2) == "any"
                    && !pos.iter().any(|t| t == "port" || t == "app"))
                || (n == "firewall-cmd" && c.args.iter().any(|a| a.text.contains("zone=trusted")))
                || (n == "nft" && matches!(p(0), "delete") && p(1) == "table")
                || (n == "pfctl" && c.short('d'))
                || (n == "netsh" && pos.iter().any(|t| t == "off"));
            if flush {
                sec(e, &format!("the firewall ({n})"), "firewall-off");
            } else if !c.has(&["-L", "--list", "-S", "--list-rules", "-n"])
                && !(n == "pfctl" && pfctl_only_shows(c))
                && !(n == "ufw" && p(0) == "status")
                && !(n == "nft" && p(0) == "list")
                && !(n == "firewall-cmd"
                    && c.args.iter().all(|a| {
                        a.text.starts_with("--list")
                            || a.text.starts_with("--get")
                            || a.text == "--state"
                    }))
            {
                e.add(Effect::Change {
                    program: n.into(),
                    what: "changes firewall rules".into(),
                });
            }
            true
        }
        "setenforce" => {
            if matches!(p(0), "0" | "Permissive" | "permissive") {
                sec(e, "SELinux enforcement", "selinux-off");
            } else if !p(0).is_empty() {
                e.add(Effect::Change {
                    program: n.into(),
                    what: "changes the SELinux mode".into(),
                });
            }
            true
        }
        "aa-disable" | "aa-complain" | "aa-teardown" => {
            sec(e, "AppArmor profiles", "apparmor-off");
            true
        }
        "auditctl" => {
            if c.has(&["-D"])
                || c.args
                    .windows(2)
                    .any(|w| w[0].text == "-e" && w[1].text == "0")
            {
                sec(e, "kernel auditing", "audit-off");
            }
            true
        }
        "csrutil" | "spctl" => {
            if pos
                .iter()
                .any(|t| t == "disable" || t == "--master-disable")
                || c.long("--master-disable")
                || c.long("--global-disable")
            {
                sec(e, "macOS system protection", "sip-off");
            }
            true
        }
        "set" | "shopt" => {
            let t: Vec<&str> = c.args.iter().map(|w| w.text.as_str()).collect();
            if t.windows(2).any(|w| w[0] == "+o" && w[1] == "history")
                || (n == "shopt" && t.contains(&"-u") && t.contains(&"history"))
            {
                e.add(history_off("set +o history"));
            }
            true
        }
        "history" => {
            if c.short('c')
                || c.args
                    .windows(2)
                    .any(|w| w[0].text == "-w" && w[1].text == "/dev/null")
                || c.short('d')
            {
                e.add(history_off("history -c"));
            }
            true
        }
        "unset" => {
            if pos
                .iter()
                .any(|v| matches!(v.as_str(), "HISTFILE" | "HISTSIZE" | "HISTFILESIZE"))
            {
                e.add(history_off("unset HISTFILE"));
            }
            true
        }
        "journalctl" => {
            if c.args.iter().any(|a| a.text.starts_with("--vacuum")) {
                sec(e, "the system journal (log vacuum)", "log-wipe");
            }
            true
        }
        "logrotate" if c.short('f') => {
            e.add(Effect::Change {
                program: n.into(),
                what: "forces log rotation".into(),
            });
            true
        }
        "crontab" => {
            if c.short('r') {
                e.add(Effect::Persistence {
                    what: "removes the whole crontab".into(),
                    path: "/var/spool/cron/crontabs".into(),
                });
            } else if !c.short('l') {
                e.add(Effect::Persistence {
                    what: "installs a crontab".into(),
                    path: "/var/spool/cron/crontabs".into(),
                });
            }
            true
        }
        "launchctl" => {
            if matches!(p(0), "load" | "bootstrap" | "enable" | "submit") {
                e.add(Effect::Persistence {
                    what: format!("launchctl {}", p(0)),
                    path: "/Library/LaunchAgents/".into(),
                });
            } else if matches!(
                p(0),
                "unload" | "bootout" | "disable" | "remove" | "stop" | "kill"
            ) {
                let target = pos.iter().skip(1).map(String::as_str).collect::<Vec<_>>();
                if target
                    .iter()
                    .any(|t| t.contains("openssh") || t.contains(".sshd") || t.ends_with("/sshd"))
                {
                    power(e, format!("launchctl {} {}", p(0), target.join(" ")));
                } else {
                    e.add(Effect::Change {
                        program: n.into(),
                        what: format!("launchctl {}", p(0)),
                    });
                }
            }
            true
        }
        "at" | "batch" => {
            if !c.short('l') && !c.short('r') && !c.short('c') && !c.short('d') {
                e.add(Effect::Persistence {
                    what: format!("{n} schedules a command to run later"),
                    path: "/var/spool/cron/atjobs".into(),
                });
                if let crate::engine::Stdin::Literal(t) = &c.stdin {
                    let t = t.clone();
                    let mut via = c.via.clone();
                    via.push(n.into());
                    e.run_script(&t, &via, c.depth + 1, &crate::engine::Stdin::Terminal);
                }
            }
            true
        }
        "systemd-run" => {
            let timer = c
                .args
                .iter()
                .any(|a| a.text.starts_with("--on-") || a.text.starts_with("--timer-property"));
            if timer {
                e.add(Effect::Persistence {
                    what: "a systemd timer".into(),
                    path: "/etc/systemd/system/".into(),
                });
            }
            let with = [
                "-u",
                "-p",
                "-E",
                "--unit",
                "--property",
                "--setenv",
                "-M",
                "--machine",
                "--description",
                "--slice",
                "--uid",
                "--gid",
                "--working-directory",
                "-d",
            ];
            let mut i = 0;
            while i < c.args.len() && c.args[i].text.starts_with('-') {
                i += if with.contains(&c.args[i].text.as_str()) {
                    2
                } else {
                    1
                };
            }
            let inner = c.args.get(i..).map(|s| s.to_vec()).unwrap_or_default();
            if !inner.is_empty() {
                let mut via = c.via.clone();
                via.push("systemd-run".into());
                e.run_argv(inner, Vec::new(), c.stdin.clone(), via, c.depth + 1);
            }
            true
        }
        "loginctl" => {
            match p(0) {
                "poweroff" | "reboot" | "halt" | "terminate-user" | "kill-user"
                | "terminate-seat" | "kill-session" | "terminate-session" => {
                    power(e, format!("loginctl {}", p(0)))
                }
                "lock-sessions" | "lock-session" => e.add(Effect::Change {
                    program: n.into(),
                    what: "locks sessions".into(),
                }),
                _ => {}
            }
            true
        }
        "dbus-send" | "gdbus" | "busctl" => {
            let all = c
                .args
                .iter()
                .map(|w| w.text.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            if [
                "PowerOff",
                "Reboot",
                "Halt",
                "Hibernate\u{0}",
                "KillUser",
                "TerminateUser",
            ]
            .iter()
            .any(|k| all.contains(k))
            {
                power(
                    e,
                    format!("{n} login1 {}", all.chars().take(60).collect::<String>()),
                );
            }
            true
        }
        "defaults" => {
            let all = c
                .args
                .iter()
                .map(|w| w.text.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            if p(0) == "write"
                && (all.contains("com.apple.alf") || all.contains("firewall"))
                && (all.ends_with(" 0") || all.contains("-int 0") || all.contains("false"))
            {
                sec(e, "the macOS firewall", "firewall-off");
            } else if p(0) == "write" || p(0) == "delete" {
                e.add(Effect::Change {
                    program: n.into(),
                    what: "changes macOS preferences".into(),
                });
            }
            true
        }
        "update-rc.d" | "chkconfig" | "rc-update" => {
            e.add(Effect::Persistence {
                what: format!("{n} {}", pos.join(" ")),
                path: "/etc/init.d/".into(),
            });
            true
        }
        "sysctl" => {
            let w = c.short('w') || pos.iter().any(|t| t.contains('='));
            if w {
                let aslr = pos.iter().any(|t| {
                    t.contains("randomize_va_space=0")
                        || t.contains("kptr_restrict=0")
                        || t.contains("ptrace_scope=0")
                        || t.contains("protected_symlinks=0")
                        || t.contains("protected_hardlinks=0")
                        || t.contains("dmesg_restrict=0")
                        || t.contains("modules_disabled=0")
                });
                if aslr {
                    sec(e, "kernel hardening", "kernel-hardening-off");
                } else {
                    e.add(Effect::Change {
                        program: n.into(),
                        what: "changes kernel parameters".into(),
                    });
                }
            }
            true
        }
        "useradd" | "userdel" | "usermod" | "passwd" | "chpasswd" | "groupadd" | "groupdel"
        | "adduser" | "deluser" | "visudo" | "gpasswd" | "chage" | "vipw" => {
            if n == "passwd" && (c.short('S') || pos.is_empty() && c.args.is_empty())
                || n == "visudo" && c.short('c')
                || n == "chage" && c.short('l')
            {
                return true;
            }
            e.add(Effect::Persistence {
                what: format!("{n} changes who can log in or use sudo"),
                path: "/etc/sudoers".into(),
            });
            true
        }
        _ => false,
    }
}

/// `pfctl -sr`, `pfctl -s rules -v`: only shows (rules, states, info).
fn pfctl_only_shows(c: &Cmd) -> bool {
    let mut k = 0;
    while let Some(t) = c.args.get(k).map(|w| w.text.as_str()) {
        k += match t {
            "-s" => 2,
            "-v" | "-vv" => 1,
            t if t.starts_with("-s") => 1,
            _ => return false,
        };
    }
    k > 0
}

/// Processes whose end ends the user's session or the machine's.
const SESSION_PROCESSES: &[&str] = &[
    "bash",
    "sh",
    "zsh",
    "fish",
    "login",
    "sshd",
    "systemd",
    "init",
    "Xorg",
    "gnome-shell",
    "tmux",
    "screen",
];

/// `$(pgrep -f python)`, `$(pidof node)`: the PIDs of processes named by a
/// pattern that is not a session's own (a shell, `sshd`, `init`), not every
/// process of a listing (`$(ps aux | awk …)`, `$(pgrep -u dev)`).
fn named_processes(text: &str) -> bool {
    if text.contains("ps ") || text.matches("$(").count() > 1 {
        return false;
    }
    let Some((k, len)) = ["pgrep", "pidof"]
        .iter()
        .find_map(|t| text.find(t).map(|k| (k, t.len())))
    else {
        return false;
    };
    let rest = text[k + len..]
        .split([')', '|', '`', ';', '&'])
        .next()
        .unwrap_or("");
    let mut words = rest.split_whitespace();
    let mut patterns = Vec::new();
    while let Some(w) = words.next() {
        if matches!(
            w,
            "-u" | "-U" | "-g" | "-G" | "-P" | "-s" | "-t" | "-F" | "-o" | "-d"
        ) {
            words.next();
        } else if !w.starts_with('-') {
            patterns.push(w.trim_matches(['\'', '"']));
        }
    }
    !patterns.is_empty()
        && patterns.iter().all(|p| {
            !p.is_empty()
                && !matches!(*p, "." | ".*" | "^" | "$")
                && !SESSION_PROCESSES
                    .iter()
                    .any(|s| p.trim_matches(['^', '$']) == *s)
        })
}

#[cfg(test)]
mod family_tests {
    use crate::testutil::expect;

    #[test]
    fn classifies() {
        expect(&[
            ("rtcwake -m off -s 60", "catastrophic"),
            ("kill -9 $(pgrep -f python)", "ambiguous"),
            ("kill $(pidof node)", "ambiguous"),
            ("kill -9 $(pgrep -u dev)", "catastrophic"),
            ("kill -9 $(pgrep bash)", "catastrophic"),
            ("kill -9 $(ps aux | awk '{print $2}')", "catastrophic"),
            ("kill -9 $(pgrep -f '.*')", "catastrophic"),
            ("sudo pfctl -sr", "safe"),
            ("pfctl -s rules -v", "safe"),
            ("sudo pfctl -d", "catastrophic"),
            ("sudo pfctl -f /etc/pf.conf", "ambiguous"),
            ("sudo rtcwake --mode=disk -s 0", "catastrophic"),
            ("rtcwake -m mem -s 30", "ambiguous"),
            ("rtcwake -m show", "safe"),
            ("ufw allow from any to any", "catastrophic"),
            ("sudo ufw allow from any", "catastrophic"),
            ("ufw allow from 10.0.0.0/8 to any port 22", "ambiguous"),
            ("ufw allow from any to any port 443 proto tcp", "ambiguous"),
        ]);
        expect(&[
            ("shutdown -h now", "catastrophic"),
            ("reboot", "catastrophic"),
            ("systemctl poweroff", "catastrophic"),
            ("kill -9 -1", "catastrophic"),
            ("killall5", "catastrophic"),
            ("kill 1234", "ambiguous"),
            ("iptables -F", "catastrophic"),
            ("ufw disable", "catastrophic"),
            ("setenforce 0", "catastrophic"),
            ("systemctl stop auditd", "catastrophic"),
            ("unset HISTFILE", "catastrophic"),
            ("export HISTFILE=/dev/null", "catastrophic"),
            ("set +o history", "catastrophic"),
            ("history -c", "catastrophic"),
            ("journalctl --vacuum-time=1s", "catastrophic"),
            ("crontab -r", "catastrophic"),
            ("crontab -l", "safe"),
            ("systemctl enable x.service", "catastrophic"),
            (":(){ :|:& };:", "catastrophic"),
            ("bomb(){ bomb|bomb& }; bomb", "catastrophic"),
            ("echo key >> ~/.ssh/authorized_keys", "catastrophic"),
        ]);
    }
}

#[cfg(test)]
mod tests {
    use crate::testutil::expect;

    #[test]
    fn stopping_the_ssh_daemon_removes_the_way_in() {
        expect(&[
            ("systemctl stop sshd", "catastrophic"),
            ("systemctl disable --now ssh", "catastrophic"),
            ("service ssh stop", "catastrophic"),
            ("launchctl bootout system/com.openssh.sshd", "catastrophic"),
            ("systemctl stop nginx", "ambiguous"),
            ("systemctl status sshd", "safe"),
        ]);
    }
}
