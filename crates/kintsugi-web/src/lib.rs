//! The web control room behind `kintsugi web`: a loopback-only HTTP/1.1
//! server (`http.rs`) with a one-time login link, a session cookie and CSRF
//! tokens (`auth.rs`), a JSON API over the daemon and the read-only ledger
//! (`api.rs`, `data.rs`), the live `subscribe` stream as server-sent events
//! (`live.rs`), the built-in page (`page.rs`), and the browser-process
//! lookup that lets the daemon refuse a page the agent opened (`procnet.rs`).

#![forbid(unsafe_code)]

pub mod api;
pub mod auth;
pub mod data;
pub mod http;
pub mod live;
pub mod page;
pub mod procnet;

pub use data::{Places, Wiring, no_wiring};

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, broadcast};

/// The port `kintsugi web` listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 7411;
/// Most connections served at once (live streams included); more are
/// answered 503 and closed.
pub const MAX_CONNECTIONS: usize = 64;

/// A bound, not yet serving, control room.
pub struct Server {
    listener: TcpListener,
    ctx: Arc<api::Ctx>,
    port: u16,
}

impl Server {
    /// Bind 127.0.0.1:`port` (0 picks a free port) and start the live feed.
    pub async fn bind(port: u16, places: Places) -> std::io::Result<Server> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port))
            .await
            .map_err(|e| {
                std::io::Error::new(
                    e.kind(),
                    format!("cannot listen on 127.0.0.1:{port}: {e} (pick another with `--port`)"),
                )
            })?;
        let port = listener.local_addr()?.port();
        let (live, _) = broadcast::channel(live::LIVE_BUFFER);
        live::spawn(places.socket.clone(), live.clone());
        Ok(Server {
            listener,
            ctx: Arc::new(api::Ctx {
                auth: auth::Auth::new(port)?,
                places,
                live,
            }),
            port,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The one-time login URL.
    pub fn login_url(&self) -> String {
        format!(
            "http://127.0.0.1:{}{}",
            self.port,
            self.ctx.auth.login_path().unwrap_or_default()
        )
    }

    /// Serve until the future ends with an error (accepting failed).
    pub async fn serve(self) -> std::io::Result<()> {
        let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
        loop {
            let (stream, peer) = self.listener.accept().await?;
            let local = stream.local_addr()?;
            let ctx = self.ctx.clone();
            match slots.clone().try_acquire_owned() {
                Ok(permit) => {
                    tokio::spawn(async move {
                        connection(&ctx, stream, peer, local).await;
                        drop(permit);
                    });
                }
                Err(_) => {
                    tokio::spawn(async move {
                        let mut stream = stream;
                        let busy = http::Response::error(
                            503,
                            format!(
                                "the control room is serving {MAX_CONNECTIONS} connections; try again"
                            ),
                        );
                        let _ = tokio::time::timeout(
                            http::REQUEST_TIMEOUT,
                            http::write(&mut stream, &busy),
                        )
                        .await;
                    });
                }
            }
        }
    }
}

async fn connection(ctx: &api::Ctx, mut stream: TcpStream, peer: SocketAddr, local: SocketAddr) {
    let req = match http::read(&mut stream).await {
        Ok(r) => r,
        Err(resp) => {
            let _ = http::write(&mut stream, &resp).await;
            return;
        }
    };
    match api::route(ctx, &req, peer, local).await {
        api::Routed::Answer(resp) => {
            let _ = http::write(&mut stream, &resp).await;
        }
        api::Routed::Live => {
            let rx = ctx.live.subscribe();
            let _ = live::stream(&mut stream, rx).await;
        }
    }
}

/// Run the control room until Ctrl-C or SIGTERM: bind, hand the login URL
/// to `announce` (it must reach the human: `kintsugi web` prints it), serve.
pub fn run(port: u16, places: Places, announce: impl FnOnce(&str)) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let result = rt.block_on(async move {
        let server = Server::bind(port, places).await?;
        announce(&server.login_url());
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            r = server.serve() => r.map_err(anyhow::Error::from),
            _ = tokio::signal::ctrl_c() => Ok(()),
            _ = term.recv() => Ok(()),
        }
    });
    // Do not wait for a daemon request still in flight.
    rt.shutdown_timeout(std::time::Duration::from_secs(1));
    result
}
