//! The only module with `unsafe`: the system calls safe Rust cannot make.
//!
//! - `prctl(PR_SET_NO_NEW_PRIVS)` and `seccomp(SET_MODE_FILTER)` in the
//!   child between fork and exec (through `CommandExt::pre_exec`, which is
//!   unsafe because only async-signal-safe calls are allowed there: we make
//!   raw system calls on memory prepared before the fork, and allocate
//!   nothing);
//! - `sendmsg`/`recvmsg` with `SCM_RIGHTS` to hand the listener fd from the
//!   child to the supervisor (libc structs and pointers);
//! - the `ioctl`s of the listener: `NOTIF_RECV`, `NOTIF_SEND`,
//!   `NOTIF_ID_VALID` (pointers to kernel structs), `NOTIF_SET_FLAGS` (a
//!   value), and `poll`;
//! - `prctl(PR_SET_CHILD_SUBREAPER)` and `waitpid` for the guard
//!   that adopts its tree's orphans (`subreaper.rs`);
//! - the three Landlock system calls (`landlock.rs` builds the rules in
//!   safe code; the child restricts itself before exec);
//! - `process_vm_readv` to read a paused exec's arguments out of the
//!   caller's memory in one call per page (`mem.rs`; the kernel checks the
//!   same ptrace access as opening `/proc/PID/mem`, without the open).
//!
//! The BPF program itself is plain data built in safe code
//! ([`filter_program`]).

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command};
use std::sync::mpsc;
use std::time::Duration;

#[cfg(target_arch = "x86_64")]
const AUDIT_ARCH: u32 = 0xC000_003E; // AUDIT_ARCH_X86_64
#[cfg(target_arch = "aarch64")]
const AUDIT_ARCH: u32 = 0xC000_00B7; // AUDIT_ARCH_AARCH64
/// x32 system calls on x86_64 carry this bit; the filter kills them (their
/// pointers are 32-bit and the supervisor reads 64-bit ones).
const X32_SYSCALL_BIT: u32 = 0x4000_0000;

/// Read `buf.len()` bytes at `addr` of process `pid`'s memory (fewer when
/// the range crosses into unmapped memory).
pub(crate) fn read_memory(pid: u32, addr: u64, buf: &mut [u8]) -> io::Result<usize> {
    let local = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    };
    let remote = libc::iovec {
        iov_base: addr as *mut libc::c_void,
        iov_len: buf.len(),
    };
    // SAFETY: `local` points at `buf`, writable for its whole length and
    // borrowed mutably for the call; `remote` is only an address in the
    // other process, which the kernel checks and never dereferences here.
    let n = unsafe { libc::process_vm_readv(pid as libc::pid_t, &local, 1, &remote, 1, 0) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(n as usize)
}

/// The child's report tags on the socket.
const TAG_LISTENER: u8 = b'L';
const TAG_FAILED: u8 = b'F';
/// Stages a child may fail at (the byte after [`TAG_FAILED`]).
const STAGE_NO_NEW_PRIVS: u8 = 1;
const STAGE_SECCOMP: u8 = 2;
const STAGE_SEND: u8 = 3;

fn stmt(code: u32, k: u32) -> libc::sock_filter {
    libc::sock_filter {
        code: code as u16,
        jt: 0,
        jf: 0,
        k,
    }
}

fn jump(code: u32, k: u32, jt: u8, jf: u8) -> libc::sock_filter {
    libc::sock_filter {
        code: code as u16,
        jt,
        jf,
        k,
    }
}

/// The filter: a foreign architecture (or x32) is killed, `execve` and
/// `execveat` become user notifications, everything else is allowed.
pub(crate) fn filter_program() -> Vec<libc::sock_filter> {
    use libc::{BPF_ABS, BPF_JEQ, BPF_JGE, BPF_JMP, BPF_K, BPF_LD, BPF_RET, BPF_W};
    let execve = libc::SYS_execve as u32;
    let execveat = libc::SYS_execveat as u32;
    vec![
        // 0: A = arch
        stmt(BPF_LD | BPF_W | BPF_ABS, 4),
        // 1: arch ok → 2, else → kill (8)
        jump(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH, 0, 6),
        // 2: A = nr
        stmt(BPF_LD | BPF_W | BPF_ABS, 0),
        // 3: x32 → kill (8)
        jump(BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT, 4, 0),
        // 4: execve → notify (7)
        jump(BPF_JMP | BPF_JEQ | BPF_K, execve, 2, 0),
        // 5: execveat → notify (7)
        jump(BPF_JMP | BPF_JEQ | BPF_K, execveat, 1, 0),
        // 6: allow
        stmt(BPF_RET | BPF_K, libc::SECCOMP_RET_ALLOW),
        // 7: notify the supervisor
        stmt(BPF_RET | BPF_K, libc::SECCOMP_RET_USER_NOTIF),
        // 8: kill the process
        stmt(BPF_RET | BPF_K, libc::SECCOMP_RET_KILL_PROCESS),
    ]
}

/// Why the kernel (or the container) would not give us a listener.
#[derive(Debug, Clone)]
pub struct NotifUnavailable {
    /// The errno of the failing call.
    pub errno: i32,
    /// A plain sentence: which call failed and what it usually means.
    pub what: String,
}

impl std::fmt::Display for NotifUnavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.what)
    }
}

fn explain(stage: u8, errno: i32) -> NotifUnavailable {
    let err = io::Error::from_raw_os_error(errno);
    let what = match (stage, errno) {
        (STAGE_NO_NEW_PRIVS, _) => format!("prctl(PR_SET_NO_NEW_PRIVS) failed: {err}"),
        (STAGE_SECCOMP, libc::EBUSY) => format!(
            "seccomp: another supervisor already listens on this process tree (EBUSY: {err})"
        ),
        (STAGE_SECCOMP, libc::EINVAL) => format!(
            "seccomp user notification is not supported by this kernel (EINVAL: {err}; needs Linux 5.0 or later)"
        ),
        (STAGE_SECCOMP, libc::ENOSYS) => {
            format!("seccomp is not available in this kernel (ENOSYS: {err})")
        }
        (STAGE_SECCOMP, libc::EACCES | libc::EPERM) => format!(
            "seccomp filters are forbidden here (a container or security policy refused: {err})"
        ),
        (STAGE_SECCOMP, _) => format!("seccomp(SET_MODE_FILTER) failed: {err}"),
        _ => format!("could not hand the seccomp listener to the supervisor: {err}"),
    };
    NotifUnavailable { errno, what }
}

/// What `spawn_filtered` can fail with.
#[derive(Debug)]
pub enum SpawnError {
    /// The filter could not be installed: fall back to another layer.
    Unavailable(NotifUnavailable),
    /// The program could not be started at all.
    Spawn(io::Error),
}

/// A seccomp user-notification listener.
pub struct Listener {
    fd: OwnedFd,
}

/// One exec notification.
#[derive(Debug, Clone, Copy)]
pub struct Notif {
    pub id: u64,
    /// The thread that made the call (in our pid namespace).
    pub pid: u32,
    pub nr: i64,
    pub args: [u64; 6],
}

/// What waiting on the listener found.
pub enum Ready {
    /// A notification can be received.
    Readable,
    /// Nothing within the timeout.
    Idle,
    /// No process uses the filter any more.
    Gone,
}

impl Listener {
    /// `poll` the listener for `events` up to `timeout`: the events seen,
    /// none when the time passed or a signal came.
    fn poll(&self, events: i16, timeout: Duration) -> io::Result<i16> {
        let mut p = libc::pollfd {
            fd: self.fd.as_raw_fd(),
            events,
            revents: 0,
        };
        let ms = timeout.as_millis().min(i32::MAX as u128) as i32;
        // SAFETY: one valid pollfd, count 1.
        let n = unsafe { libc::poll(&mut p, 1, ms) };
        if n < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                return Ok(0);
            }
            return Err(e);
        }
        Ok(if n == 0 { 0 } else { p.revents })
    }

    /// Wait up to `timeout` for a notification.
    pub fn wait(&self, timeout: Duration) -> io::Result<Ready> {
        Ok(match self.poll(libc::POLLIN, timeout)? {
            0 => Ready::Idle,
            r if r & libc::POLLIN != 0 => Ready::Readable,
            _ => Ready::Gone,
        })
    }

    /// Wait up to `timeout` for the last process using the filter to go
    /// (`Gone`); pending notifications do not wake this wait.
    pub fn wait_hangup(&self, timeout: Duration) -> io::Result<Ready> {
        let gone = libc::POLLHUP | libc::POLLERR | libc::POLLNVAL;
        Ok(if self.poll(0, timeout)? & gone != 0 {
            Ready::Gone
        } else {
            Ready::Idle
        })
    }

    /// Receive one notification (blocks until one arrives; several threads
    /// may wait, each notification goes to one); `None` when the caller went away before we
    /// got it (ENOENT) or a signal interrupted the wait.
    pub fn recv(&self) -> io::Result<Option<Notif>> {
        // SAFETY: seccomp_notif is plain data; all-zero is the state the
        // kernel requires before NOTIF_RECV.
        let mut n: libc::seccomp_notif = unsafe { std::mem::zeroed() };
        // SAFETY: the fd is a seccomp listener and `n` is a valid, writable
        // seccomp_notif of the size the ioctl number encodes.
        let r = unsafe { libc::ioctl(self.fd.as_raw_fd(), libc::SECCOMP_IOCTL_NOTIF_RECV, &mut n) };
        if r < 0 {
            let e = io::Error::last_os_error();
            return match e.raw_os_error() {
                Some(libc::ENOENT) | Some(libc::EINTR) => Ok(None),
                _ => Err(e),
            };
        }
        Ok(Some(Notif {
            id: n.id,
            pid: n.pid,
            nr: n.data.nr as i64,
            args: n.data.args,
        }))
    }

    /// Is notification `id` still pending (its caller alive and waiting)?
    pub fn id_valid(&self, id: u64) -> bool {
        let mut id = id;
        // SAFETY: NOTIF_ID_VALID reads one u64 through the pointer.
        unsafe {
            libc::ioctl(
                self.fd.as_raw_fd(),
                libc::SECCOMP_IOCTL_NOTIF_ID_VALID,
                &mut id,
            ) == 0
        }
    }

    fn send(&self, id: u64, error: i32, flags: u32) -> io::Result<()> {
        let mut resp = libc::seccomp_notif_resp {
            id,
            val: 0,
            error,
            flags,
        };
        // SAFETY: the fd is a seccomp listener; `resp` is a valid
        // seccomp_notif_resp the kernel only reads.
        let r = unsafe {
            libc::ioctl(
                self.fd.as_raw_fd(),
                libc::SECCOMP_IOCTL_NOTIF_SEND,
                &mut resp,
            )
        };
        if r < 0 {
            let e = io::Error::last_os_error();
            // ENOENT: the caller died or was interrupted; nothing to answer.
            if e.raw_os_error() == Some(libc::ENOENT) {
                return Ok(());
            }
            return Err(e);
        }
        Ok(())
    }

    /// Let the exec continue as the caller asked.
    pub fn allow(&self, id: u64) -> io::Result<()> {
        self.send(id, 0, libc::SECCOMP_USER_NOTIF_FLAG_CONTINUE as u32)
    }

    /// Fail the exec with `EPERM`.
    pub fn deny(&self, id: u64) -> io::Result<()> {
        self.send(id, -libc::EPERM, 0)
    }

    /// Ask the kernel to hand each notification over synchronously
    /// (`SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP`, Linux 6.6): the paused caller
    /// wakes a receiving worker on its own CPU, and an answer wakes the
    /// caller on the worker's CPU, instead of waking a thread on another
    /// CPU each way. Only the wake-ups change, never what is decided.
    /// `false` where the kernel does not know the flag (older kernels).
    pub fn sync_wake_up(&self) -> bool {
        // SAFETY: NOTIF_SET_FLAGS takes its flags by value, not a pointer.
        unsafe {
            libc::ioctl(
                self.fd.as_raw_fd(),
                libc::SECCOMP_IOCTL_NOTIF_SET_FLAGS,
                SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP,
            ) == 0
        }
    }
}

/// `SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP` (include/uapi/linux/seccomp.h;
/// not in the `libc` crate).
const SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP: libc::c_ulong = 1;

/// Send `bytes` (and `fd`, when given, as SCM_RIGHTS) on socket `sock`.
/// Async-signal-safe: runs in the child between fork and exec.
fn send_report(sock: RawFd, bytes: &[u8; 5], fd: Option<RawFd>) -> bool {
    // Room for one cmsghdr carrying one int, 8-aligned.
    let mut control = [0u64; 8];
    let mut iov = libc::iovec {
        iov_base: bytes.as_ptr() as *mut libc::c_void,
        iov_len: bytes.len(),
    };
    // SAFETY: msghdr is plain data; zero is a valid empty header.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    if let Some(fd) = fd {
        // SAFETY: CMSG_* compute offsets into `control`, which is large
        // enough for one header and one int (CMSG_SPACE(4) ≤ 64 bytes).
        unsafe {
            let space = libc::CMSG_SPACE(std::mem::size_of::<RawFd>() as u32);
            msg.msg_control = control.as_mut_ptr() as *mut libc::c_void;
            msg.msg_controllen = space as _;
            let c = libc::CMSG_FIRSTHDR(&msg);
            (*c).cmsg_level = libc::SOL_SOCKET;
            (*c).cmsg_type = libc::SCM_RIGHTS;
            (*c).cmsg_len = libc::CMSG_LEN(std::mem::size_of::<RawFd>() as u32) as _;
            std::ptr::write_unaligned(libc::CMSG_DATA(c) as *mut RawFd, fd);
        }
    }
    // SAFETY: msg points at live buffers for the duration of the call.
    unsafe { libc::sendmsg(sock, &msg, libc::MSG_NOSIGNAL) == bytes.len() as isize }
}

/// What the child reported.
enum Report {
    Listener(OwnedFd),
    Failed(NotifUnavailable),
    Closed,
}

fn receive_report(sock: &UnixStream) -> io::Result<Report> {
    let mut bytes = [0u8; 5];
    let mut control = [0u64; 8];
    let mut iov = libc::iovec {
        iov_base: bytes.as_mut_ptr() as *mut libc::c_void,
        iov_len: bytes.len(),
    };
    // SAFETY: plain data; zero is a valid empty header.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.as_mut_ptr() as *mut libc::c_void;
    msg.msg_controllen = std::mem::size_of_val(&control) as _;
    let n = loop {
        // SAFETY: msg points at live, writable buffers of the sizes given.
        let n = unsafe { libc::recvmsg(sock.as_raw_fd(), &mut msg, libc::MSG_CMSG_CLOEXEC) };
        if n < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        break n as usize;
    };
    if n == 0 {
        return Ok(Report::Closed);
    }
    let errno = i32::from_ne_bytes([bytes[1], bytes[2], bytes[3], bytes[4]]);
    match bytes[0] {
        TAG_LISTENER => {
            // SAFETY: walking the control buffer the kernel filled in; the
            // fd it carries is ours now (and close-on-exec).
            let fd = unsafe {
                let c = libc::CMSG_FIRSTHDR(&msg);
                if c.is_null()
                    || (*c).cmsg_level != libc::SOL_SOCKET
                    || (*c).cmsg_type != libc::SCM_RIGHTS
                {
                    None
                } else {
                    let raw = std::ptr::read_unaligned(libc::CMSG_DATA(c) as *const RawFd);
                    Some(OwnedFd::from_raw_fd(raw))
                }
            };
            match fd {
                Some(fd) => Ok(Report::Listener(fd)),
                None => Ok(Report::Failed(explain(STAGE_SEND, libc::EBADMSG))),
            }
        }
        TAG_FAILED if n == 5 => Ok(Report::Failed(explain(
            (errno >> 24) as u8,
            errno & 0x00ff_ffff,
        ))),
        _ => Ok(Report::Failed(explain(STAGE_SEND, libc::EBADMSG))),
    }
}

/// Spawn `cmd` with the exec filter installed in the child, and hand the
/// listener to `supervise` on a thread of its own (it must keep answering
/// for as long as the tree lives; the child's own exec of the program is
/// the first notification it gets).
pub fn spawn_filtered(
    cmd: &mut Command,
    supervise: impl FnOnce(Listener) + Send + 'static,
) -> Result<Child, SpawnError> {
    let (ours, theirs) = UnixStream::pair().map_err(SpawnError::Spawn)?;
    let (tx, rx) = mpsc::channel::<Option<NotifUnavailable>>();
    std::thread::Builder::new()
        .name("kintsugi-guard-supervisor".into())
        .spawn(move || match receive_report(&ours) {
            Ok(Report::Listener(fd)) => {
                let _ = tx.send(None);
                supervise(Listener { fd });
            }
            Ok(Report::Failed(why)) => {
                let _ = tx.send(Some(why));
            }
            Ok(Report::Closed) | Err(_) => {}
        })
        .map_err(SpawnError::Spawn)?;
    let program = filter_program();
    let sock = theirs.as_raw_fd();
    // SAFETY: the closure runs in the forked child before exec. It makes
    // only raw system calls (prctl, seccomp, sendmsg, close) on memory
    // prepared before the fork (`program`), and allocates nothing.
    unsafe {
        cmd.pre_exec(move || {
            let fail = |stage: u8| -> io::Error {
                let e = io::Error::last_os_error();
                let code = e.raw_os_error().unwrap_or(libc::EIO);
                let packed = ((stage as i32) << 24) | (code & 0x00ff_ffff);
                let b = packed.to_ne_bytes();
                let _ = send_report(sock, &[TAG_FAILED, b[0], b[1], b[2], b[3]], None);
                io::Error::from_raw_os_error(code)
            };
            if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 {
                return Err(fail(STAGE_NO_NEW_PRIVS));
            }
            let fprog = libc::sock_fprog {
                len: program.len() as u16,
                filter: program.as_ptr() as *mut libc::sock_filter,
            };
            let flags = libc::SECCOMP_FILTER_FLAG_NEW_LISTENER;
            let mut fd = libc::syscall(
                libc::SYS_seccomp,
                libc::SECCOMP_SET_MODE_FILTER,
                flags | libc::SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
                &fprog as *const libc::sock_fprog,
            );
            if fd < 0 && io::Error::last_os_error().raw_os_error() == Some(libc::EINVAL) {
                // Before Linux 6.0: no WAIT_KILLABLE_RECV.
                fd = libc::syscall(
                    libc::SYS_seccomp,
                    libc::SECCOMP_SET_MODE_FILTER,
                    flags,
                    &fprog as *const libc::sock_fprog,
                );
            }
            if fd < 0 {
                return Err(fail(STAGE_SECCOMP));
            }
            let fd = fd as RawFd;
            let sent = send_report(sock, &[TAG_LISTENER, 0, 0, 0, 0], Some(fd));
            // The agent must never hold its own listener.
            libc::close(fd);
            if !sent {
                return Err(fail(STAGE_SEND));
            }
            Ok(())
        });
    }
    let spawned = cmd.spawn();
    drop(theirs);
    match spawned {
        Ok(child) => Ok(child),
        Err(e) => match rx.recv_timeout(Duration::from_secs(5)) {
            Ok(Some(why)) => Err(SpawnError::Unavailable(why)),
            _ => Err(SpawnError::Spawn(e)),
        },
    }
}

/// Make this process a child subreaper: an orphan anywhere below it (a
/// double fork, `setsid -f`, a daemonizing server) is re-parented to it,
/// not to init, so the tree cannot leave it while it lives.
pub fn set_child_subreaper() -> io::Result<()> {
    // SAFETY: prctl with integer arguments only.
    if unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Reap exited child `pid` (no status kept).
pub fn reap(pid: u32) {
    // SAFETY: waitpid with a null status pointer is allowed.
    unsafe {
        libc::waitpid(pid as libc::pid_t, std::ptr::null_mut(), libc::WNOHANG);
    }
}

/// `landlock_create_ruleset`'s flag asking for the ABI version.
const LANDLOCK_CREATE_RULESET_VERSION: u32 = 1;
/// `landlock_add_rule`'s rule type for a file hierarchy.
const LANDLOCK_RULE_PATH_BENEATH: u32 = 1;

#[repr(C)]
struct LandlockRulesetAttr {
    handled_access_fs: u64,
}

#[repr(C, packed)]
struct LandlockPathBeneathAttr {
    allowed_access: u64,
    parent_fd: i32,
}

/// The Landlock ABI version this kernel offers (`Err`: none, with the
/// errno: `ENOSYS` not built, `EOPNOTSUPP` built but turned off).
pub fn landlock_abi() -> Result<u32, i32> {
    // SAFETY: a null attribute with size 0 and the VERSION flag is the
    // documented way to ask for the ABI; nothing is read or written.
    let r = unsafe {
        libc::syscall(
            libc::SYS_landlock_create_ruleset,
            std::ptr::null::<libc::c_void>(),
            0usize,
            LANDLOCK_CREATE_RULESET_VERSION,
        )
    };
    if r < 0 {
        return Err(io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::ENOSYS));
    }
    Ok(r as u32)
}

/// A new Landlock ruleset handling the file-system rights `handled`.
pub fn landlock_ruleset(handled: u64) -> io::Result<OwnedFd> {
    let attr = LandlockRulesetAttr {
        handled_access_fs: handled,
    };
    // SAFETY: `attr` is a valid ruleset attribute of the size given.
    let fd = unsafe {
        libc::syscall(
            libc::SYS_landlock_create_ruleset,
            &attr as *const LandlockRulesetAttr,
            std::mem::size_of::<LandlockRulesetAttr>(),
            0u32,
        )
    };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: the kernel returned a new fd that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

/// Allow `access` on everything beneath the file or folder `path` (an
/// `O_PATH` fd) in `ruleset`.
pub fn landlock_allow(ruleset: &OwnedFd, path: &OwnedFd, access: u64) -> io::Result<()> {
    let attr = LandlockPathBeneathAttr {
        allowed_access: access,
        parent_fd: path.as_raw_fd(),
    };
    // SAFETY: both fds are open; `attr` is a valid path-beneath attribute.
    let r = unsafe {
        libc::syscall(
            libc::SYS_landlock_add_rule,
            ruleset.as_raw_fd(),
            LANDLOCK_RULE_PATH_BENEATH,
            &attr as *const LandlockPathBeneathAttr,
            0u32,
        )
    };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Have the child of `cmd` restrict itself to `ruleset` (after
/// `no_new_privs`, which Landlock requires) before it execs. A failure
/// fails the spawn: the agent never runs unrestricted by surprise.
pub fn restrict_before_exec(cmd: &mut Command, ruleset: OwnedFd) {
    // SAFETY: the closure runs in the forked child before exec and makes
    // only two raw system calls on an fd opened before the fork.
    unsafe {
        cmd.pre_exec(move || {
            if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 {
                return Err(io::Error::last_os_error());
            }
            if libc::syscall(libc::SYS_landlock_restrict_self, ruleset.as_raw_fd(), 0u32) != 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filter_is_small_and_ends_in_returns() {
        let p = filter_program();
        assert_eq!(p.len(), 9);
        for (i, ins) in p.iter().enumerate() {
            // Every jump lands inside the program.
            if ins.code as u32 & 0x07 == libc::BPF_JMP {
                assert!(i + 1 + (ins.jt as usize) < p.len());
                assert!(i + 1 + (ins.jf as usize) < p.len());
            }
        }
        assert_eq!(p[7].k, libc::SECCOMP_RET_USER_NOTIF);
        assert_eq!(p[8].k, libc::SECCOMP_RET_KILL_PROCESS);
    }

    #[test]
    fn a_failure_report_names_the_stage() {
        assert!(explain(STAGE_SECCOMP, libc::EBUSY).what.contains("EBUSY"));
        assert!(explain(STAGE_SECCOMP, libc::EINVAL).what.contains("kernel"));
        assert!(
            explain(STAGE_NO_NEW_PRIVS, libc::EPERM)
                .what
                .contains("NO_NEW_PRIVS")
        );
    }
}
