//! More ways to open access to anyone (`exposure::extra` asks here when its
//! own table finds nothing): a home or system directory made writable by
//! everyone (`chmod 777 ~`), a control socket relayed onto the network
//! (`socat TCP-LISTEN:2375,fork UNIX-CONNECT:/var/run/docker.sock`), a
//! firewall rule accepting every incoming packet (`iptables -I INPUT -j
//! ACCEPT`), and a privileged container sharing the host's processes or
//! root filesystem (`docker run --privileged --pid=host …`). Also the
//! set-user-ID mode that `chmod` and `install -m` can give a program.

use super::Cmd;
use crate::effects::Effect;
use crate::engine::Walker;

/// What `c` opens to anyone, if it does.
pub(crate) fn opens(e: &Walker, c: &Cmd) -> Option<String> {
    let args: Vec<&str> = c.args.iter().map(|w| w.text.as_str()).collect();
    let has = |needle: &str| args.iter().any(|a| a.contains(needle));
    match c.name.as_str() {
        "chmod" => {
            let world = args.iter().any(|a| {
                let m = a.trim_start_matches('-');
                m.len() >= 3
                    && m.len() <= 4
                    && m.chars().all(|ch| ch.is_ascii_digit())
                    && m.ends_with(['2', '3', '6', '7'])
                    || m.starts_with(['o', 'a']) && m.contains("+") && m.contains('w')
            });
            let dir = c.positional().iter().skip(1).find_map(|w| {
                let p = e.path(&w.text);
                let p = p.trim_end_matches('/');
                let wide = p.is_empty()
                    || p == e.home.trim_end_matches('/')
                    || matches!(
                        p,
                        "/etc" | "/usr" | "/bin" | "/sbin" | "/lib" | "/boot" | "/var" | "/root"
                    );
                wide.then(|| {
                    if p.is_empty() {
                        "/".to_string()
                    } else {
                        p.to_string()
                    }
                })
            });
            world
                .then_some(dir)
                .flatten()
                .map(|d| format!("access control of {d} (writable by everyone)"))
        }
        "socat" => (args
            .iter()
            .any(|a| a.starts_with("TCP-LISTEN") || a.starts_with("TCP4-LISTEN"))
            && has("UNIX-CONNECT:")
            && has(".sock"))
        .then(|| "access control of a control socket (relayed onto the network)".into()),
        "iptables" | "ip6tables" => {
            let input_accept = (has("-I") || has("-A"))
                && args.contains(&"INPUT")
                && args.windows(2).any(|p| p[0] == "-j" && p[1] == "ACCEPT");
            let narrowed = ["-s", "--source", "-p", "--dport", "-i", "-m", "--protocol"]
                .iter()
                .any(|f| args.contains(f));
            (input_accept && !narrowed)
                .then(|| "the firewall (every incoming packet accepted)".into())
        }
        "docker" | "podman" | "nerdctl" if c.sub(0) == "run" || c.sub(0) == "create" => {
            let host_ns = has("--pid=host")
                || args.windows(2).any(|p| p[0] == "--pid" && p[1] == "host")
                || args.iter().any(|a| a.starts_with("/:/"));
            (has("--privileged") && host_ns).then(|| {
                "container isolation (a privileged container in the host's processes or root)"
                    .into()
            })
        }
        _ => None,
    }
}

/// `ip link set eth0 down`, `ifconfig eth0 down`, `nmcli networking off`,
/// `ip route del default`: the machine's network taken away, and with it
/// the operator's remote session.
pub(crate) fn network_down(c: &Cmd) -> Option<String> {
    let args: Vec<&str> = c.args.iter().map(|w| w.text.as_str()).collect();
    let has = |w: &str| args.contains(&w);
    let down = match c.name.as_str() {
        "ip" => {
            has("link") && has("set") && has("down")
                || has("addr") && has("flush")
                || has("route") && (has("del") || has("flush")) && (has("default") || has("all"))
        }
        "ifconfig" | "ifdown" => has("down") || c.name == "ifdown",
        "nmcli" => {
            has("networking") && has("off")
                || has("radio") && has("off")
                || has("connection") && has("down")
                || has("device") && has("disconnect")
        }
        _ => false,
    };
    down.then(|| format!("takes the network down (`{}`)", c.label()))
}

/// `launchctl unload …/com.crowdstrike.falcond.plist`: an endpoint or audit
/// agent stopped through the service manager.
pub(crate) fn security_agent_stopped(c: &Cmd) -> Option<String> {
    if c.name != "launchctl" || !matches!(c.sub(0), "unload" | "bootout" | "remove" | "disable") {
        return None;
    }
    let named = c.args.iter().any(|w| {
        let l = w.text.to_ascii_lowercase();
        super::system::SECURITY_UNITS.iter().any(|s| l.contains(s))
            || [
                "falcon",
                "sentinel",
                "carbonblack",
                "jamf",
                "santa",
                "xprotect",
            ]
            .iter()
            .any(|s| l.contains(s))
    });
    named.then(|| format!("a security agent (`{}`)", c.label()))
}

/// A size (`100G`, `2T`, `500GiB`) of at least 10 GiB: enough to fill a
/// developer machine's disk.
pub(crate) fn huge_size(s: &str) -> bool {
    let t = s.trim().to_ascii_uppercase();
    let t = t.trim_end_matches('B').trim_end_matches('I');
    let digits: String = t.chars().take_while(|c| c.is_ascii_digit()).collect();
    let Ok(n) = digits.parse::<u64>() else {
        return false;
    };
    let unit = t[digits.len()..].chars().next();
    match unit {
        Some('G') => n >= 10,
        Some('T' | 'P' | 'E') => n >= 1,
        None => n >= 10 << 30,
        _ => false,
    }
}

/// A file mode (`chmod`'s, `install -m`'s) that sets the set-user-ID or
/// set-group-ID bit (`u+s`, `g=s`, `4755`, `2755`) makes a program that runs
/// with its owner's privileges: said as a security control turned off.
pub(crate) fn setuid_mode(e: &mut Walker, t: &str) {
    let setuid = t.contains('s') && (t.contains('+') || t.contains('='))
        || (t.len() == 4
            && t.chars().all(|ch| ch.is_ascii_digit())
            && matches!(t.chars().next(), Some('2' | '4' | '6' | '7')));
    if setuid {
        e.add(Effect::SecurityDisable {
            what: "a set-user-ID program (privilege escalation)".into(),
            control: "setuid".into(),
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::testutil::expect;

    #[test]
    fn directories_sockets_firewalls_and_containers_opened() {
        expect(&[
            ("chmod 777 ~", "catastrophic"),
            ("chmod o+w /etc", "catastrophic"),
            ("chmod 755 ~", "ambiguous"),
            ("chmod 777 /tmp/scratch/shared", "safe"),
            (
                "socat TCP-LISTEN:2375,fork UNIX-CONNECT:/var/run/docker.sock",
                "catastrophic",
            ),
            ("iptables -I INPUT -j ACCEPT", "catastrophic"),
            (
                "iptables -A INPUT -p tcp --dport 443 -j ACCEPT",
                "ambiguous",
            ),
            (
                "docker run --privileged --pid=host alpine nsenter -t 1 -m sh",
                "catastrophic",
            ),
            ("docker run --rm alpine echo hi", "ambiguous"),
            ("ngrok tcp 22", "catastrophic"),
            ("ngrok http 3000", "ambiguous"),
            ("cloudflared tunnel delete prod", "catastrophic"),
            ("fallocate -l 100G /tmp/scratch/huge", "catastrophic"),
            ("bwrap --bind / / rm -rf /home/dev", "catastrophic"),
            (
                "bwrap --ro-bind / / --dev /dev --unshare-net cargo test",
                "safe",
            ),
            ("fallocate -l 10M /tmp/scratch/t.img", "safe"),
            ("sudo ip link set eth0 down", "catastrophic"),
            ("ip link show", "safe"),
            ("sudo ifconfig eth0 down", "catastrophic"),
            ("nmcli networking off", "catastrophic"),
            ("nmcli device status", "safe"),
            (
                "sudo launchctl unload /Library/LaunchDaemons/com.crowdstrike.falcond.plist",
                "catastrophic",
            ),
            (
                "openstack security group rule create --remote-ip 0.0.0.0/0 --dst-port 22 default",
                "catastrophic",
            ),
        ]);
    }
}
