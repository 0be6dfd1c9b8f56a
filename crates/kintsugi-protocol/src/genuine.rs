//! Is the process serving the socket the genuine Kintsugi daemon of this
//! user? The socket path comes from the environment (`KINTSUGI_SOCKET`,
//! `KINTSUGI_DATA_DIR`), which the agent sets for the commands it runs, so a
//! runner checks the peer before it trusts an `allow`:
//!
//! 1. the kernel's peer credentials (`SO_PEERCRED`): the serving process runs
//!    as our uid;
//! 2. the socket file is owned by our uid;
//! 3. the serving pid is the one the daemon wrote to `kintsugi.pid` in the
//!    data dir at start;
//! 4. the serving process runs this very program: `/proc/PID/exe` is the same
//!    file (device and inode) as `/proc/self/exe`, or, after an in-place
//!    upgrade, our own path marked `(deleted)`.
//!
//! A fake server (a script answering `allow`) fails 4; a server that took
//! the socket path after the daemon was killed fails 3 or 4. What this does
//! NOT prove: that the daemon runs with the user's config (a genuine
//! `kintsugi daemon` started by the agent with its own data dir passes);
//! `kintsugi guard` closes that. Elsewhere than Linux, checks 3 and 4 need
//! `/proc` and are not made (documented in `kintsugi limits`).

use std::os::unix::fs::MetadataExt;
use std::os::unix::net::UnixStream;
use std::path::Path;

/// The file in the data dir where the daemon writes its pid at start.
pub const DAEMON_PID_FILE: &str = "kintsugi.pid";

/// Why the peer is not trusted, in a sentence that says what to do.
pub fn check(stream: &UnixStream, socket: &Path, data_dir: &Path) -> Result<(), String> {
    let me = rustix::process::getuid().as_raw();
    let owner = std::fs::metadata(socket)
        .map_err(|e| format!("cannot inspect the socket {}: {e}", socket.display()))?
        .uid();
    if owner != me {
        return Err(format!(
            "the socket {} belongs to uid {owner}, not to you (uid {me})",
            socket.display()
        ));
    }
    peer_process(stream, me, data_dir)
}

#[cfg(target_os = "linux")]
fn peer_process(stream: &UnixStream, me: u32, data_dir: &Path) -> Result<(), String> {
    let cred = rustix::net::sockopt::socket_peercred(stream)
        .map_err(|e| format!("cannot read the socket's peer credentials: {e}"))?;
    let (uid, pid) = (cred.uid.as_raw(), cred.pid.as_raw_pid());
    if uid != me {
        return Err(format!(
            "the socket is served by uid {uid}, not by you (uid {me})"
        ));
    }
    let pid_file = data_dir.join(DAEMON_PID_FILE);
    let recorded = std::fs::read_to_string(&pid_file)
        .map_err(|e| format!("no daemon pid file at {} ({e})", pid_file.display()))?;
    if recorded.trim().parse::<i32>().ok() != Some(pid) {
        return Err(format!(
            "the socket is served by pid {pid}, but {} names pid {}",
            pid_file.display(),
            recorded.trim()
        ));
    }
    same_program(pid)
}

#[cfg(not(target_os = "linux"))]
fn peer_process(_stream: &UnixStream, _me: u32, _data_dir: &Path) -> Result<(), String> {
    Ok(())
}

/// Process `pid` runs the same executable file as this process.
#[cfg(target_os = "linux")]
fn same_program(pid: i32) -> Result<(), String> {
    let theirs = format!("/proc/{pid}/exe");
    let id = |p: &str| std::fs::metadata(p).map(|m| (m.dev(), m.ino()));
    let mine = id("/proc/self/exe").map_err(|e| format!("cannot inspect this program: {e}"))?;
    if id(&theirs).ok() == Some(mine) {
        return Ok(());
    }
    let link = |p: &str| std::fs::read_link(p).map(|l| l.display().to_string());
    let own = link("/proc/self/exe").unwrap_or_default();
    let peer = link(&theirs).unwrap_or_else(|e| format!("an unreadable program ({e})"));
    if !own.is_empty() && peer == format!("{own} (deleted)") {
        // The binary was upgraded in place after the daemon started.
        return Ok(());
    }
    Err(format!(
        "the process serving the socket (pid {pid}) runs {peer}, not this Kintsugi program ({own})"
    ))
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use std::os::unix::net::UnixListener;

    #[test]
    fn a_server_in_this_process_passes_only_with_its_pid_recorded() {
        let dir = tempfile::tempdir().unwrap();
        let sock = dir.path().join("s.sock");
        let _listener = UnixListener::bind(&sock).unwrap();
        let stream = UnixStream::connect(&sock).unwrap();
        // No pid file: not trusted.
        let err = check(&stream, &sock, dir.path()).unwrap_err();
        assert!(err.contains("no daemon pid file"), "{err}");
        // Another pid recorded: not trusted.
        std::fs::write(dir.path().join(DAEMON_PID_FILE), "1\n").unwrap();
        let err = check(&stream, &sock, dir.path()).unwrap_err();
        assert!(err.contains("names pid 1"), "{err}");
        // Our own pid (we serve it, and we run this very program): trusted.
        std::fs::write(
            dir.path().join(DAEMON_PID_FILE),
            format!("{}\n", std::process::id()),
        )
        .unwrap();
        check(&stream, &sock, dir.path()).unwrap();
    }

    #[test]
    fn another_program_is_not_this_one() {
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .unwrap();
        let err = same_program(child.id() as i32).unwrap_err();
        let _ = child.kill();
        let _ = child.wait();
        assert!(err.contains("not this Kintsugi program"), "{err}");
    }
}
