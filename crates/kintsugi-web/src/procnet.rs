//! Which process is on the other end of a loopback TCP connection, the way
//! `ss -p` finds it: the connection's socket inode from `/proc/net/tcp` and
//! `/proc/net/tcp6`, then every `/proc/PID/fd/*` that links to
//! `socket:[INODE]`. The control room uses it to name the browser that
//! sends an approval, so the daemon can refuse a browser the agent started.

use std::net::{IpAddr, SocketAddr};

/// Most processes scanned for a socket inode before giving up.
pub const MAX_PROCESSES_SCANNED: usize = 65_536;

/// The pids owning the client end of the TCP connection whose client
/// address is `peer` and whose server address is `local`; empty when none
/// can be found (not Linux, the process went away, or its fds are hidden).
pub fn tcp_peer_pids(peer: SocketAddr, local: SocketAddr) -> Vec<u32> {
    let Some(inode) = client_inode(peer, local) else {
        return Vec::new();
    };
    owners_of_inode(inode)
}

/// The inode of the socket whose local end is `peer` and remote end `local`.
fn client_inode(peer: SocketAddr, local: SocketAddr) -> Option<u64> {
    ["/proc/net/tcp", "/proc/net/tcp6"]
        .iter()
        .filter_map(|f| std::fs::read_to_string(f).ok())
        .find_map(|table| find_in_table(&table, peer, local))
}

/// Search one `/proc/net/tcp*` table for the connection `peer` → `local`.
pub fn find_in_table(table: &str, peer: SocketAddr, local: SocketAddr) -> Option<u64> {
    for line in table.lines().skip(1) {
        let f: Vec<&str> = line.split_whitespace().collect();
        // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
        let (Some(l), Some(r), Some(inode)) = (f.get(1), f.get(2), f.get(9)) else {
            continue;
        };
        if parse_addr(l) == Some(peer)
            && parse_addr(r) == Some(local)
            && let Ok(inode) = inode.parse::<u64>()
            && inode != 0
        {
            return Some(inode);
        }
    }
    None
}

/// Parse `0100007F:1F90` (IPv4) or the 32-digit IPv6 form: the address is
/// stored as 32-bit words in host (little-endian) order, the port in hex.
pub fn parse_addr(s: &str) -> Option<SocketAddr> {
    let (ip_hex, port_hex) = s.split_once(':')?;
    let port = u16::from_str_radix(port_hex, 16).ok()?;
    let words: Vec<u32> = (0..ip_hex.len() / 8)
        .map(|i| u32::from_str_radix(&ip_hex[i * 8..i * 8 + 8], 16))
        .collect::<Result<_, _>>()
        .ok()?;
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    let ip = match bytes.len() {
        4 => IpAddr::from(<[u8; 4]>::try_from(bytes).ok()?),
        16 => {
            let v6 = std::net::Ipv6Addr::from(<[u8; 16]>::try_from(bytes).ok()?);
            // A v4 client of a dual-stack socket shows as ::ffff:a.b.c.d.
            match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => IpAddr::V6(v6),
            }
        }
        _ => return None,
    };
    Some(SocketAddr::new(ip, port))
}

/// Every pid with an open fd on `socket:[inode]`.
fn owners_of_inode(inode: u64) -> Vec<u32> {
    let needle = format!("socket:[{inode}]");
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut owners = Vec::new();
    for entry in procs.flatten().take(MAX_PROCESSES_SCANNED) {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(fds) = std::fs::read_dir(entry.path().join("fd")) else {
            continue;
        };
        let owns = fds.flatten().any(|fd| {
            std::fs::read_link(fd.path())
                .map(|t| t.as_os_str() == needle.as_str())
                .unwrap_or(false)
        });
        if owns {
            owners.push(pid);
        }
    }
    owners
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn parses_the_kernel_address_forms() {
        assert_eq!(
            parse_addr("0100007F:1F90"),
            Some("127.0.0.1:8080".parse().unwrap())
        );
        assert_eq!(
            parse_addr("0000000000000000FFFF00000100007F:0050"),
            Some("127.0.0.1:80".parse().unwrap())
        );
        assert_eq!(
            parse_addr("00000000000000000000000001000000:0050"),
            Some("[::1]:80".parse().unwrap())
        );
        assert_eq!(parse_addr("zz:1"), None);
    }

    #[test]
    fn finds_the_process_on_the_other_end_of_a_loopback_connection() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let local = listener.local_addr().unwrap();
        // The client end lives in a child process, so the answer is not
        // simply "this process" (which owns the server end too).
        let mut child = std::process::Command::new("python3")
            .args([
                "-c",
                "import socket,sys,time; s=socket.create_connection(('127.0.0.1', int(sys.argv[1]))); time.sleep(20)",
            ])
            .arg(local.port().to_string())
            .spawn()
            .expect("python3 runs");
        let (_conn, peer) = listener.accept().unwrap();
        let pids = tcp_peer_pids(peer, local);
        let _ = child.kill();
        let _ = child.wait();
        assert_eq!(pids, vec![child.id()]);
        // The server's own end is not mistaken for the client's.
        assert!(!pids.contains(&std::process::id()));
    }
}
