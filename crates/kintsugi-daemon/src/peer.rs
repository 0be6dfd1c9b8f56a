//! Who is on the other end of a connection: uid and pid from the kernel
//! (SO_PEERCRED), never from anything the client says.

use tokio::net::UnixStream;

/// The kernel-reported identity of a connected client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Peer {
    pub uid: u32,
    pub pid: Option<u32>,
}

impl Peer {
    /// Read the peer credentials of `stream`.
    pub fn of(stream: &UnixStream) -> std::io::Result<Peer> {
        let cred = stream.peer_cred()?;
        Ok(Peer {
            uid: cred.uid(),
            pid: cred.pid().and_then(|p| u32::try_from(p).ok()),
        })
    }
}

/// The daemon's own uid; peers with any other uid are refused.
pub fn own_uid() -> u32 {
    rustix::process::getuid().as_raw()
}
