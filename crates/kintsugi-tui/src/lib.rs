//! `kintsugi tui`: the control room. One live screen where a human sees
//! every recorded event as it is committed, approves (with a typed code) or
//! denies held commands, inspects details, and undoes from snapshots.
//!
//! Map: `app` is the state and the keys (pure, unit-tested); `view/` draws
//! it (tested on ratatui's `TestBackend`); `feed` subscribes to the daemon
//! and turns its stream into updates; `input` reads keys on a thread of
//! its own; `actions` carries out what keys ask for; `term` owns the
//! terminal, restores it on every way out and tells when it has hung up.
//!
//! Architecture invariant: the TUI talks to the daemon only through the
//! protocol (`kintsugi-protocol`); it reads the ledger and the snapshot
//! store read-only, and never decides anything itself.
#![forbid(unsafe_code)]

mod actions;
pub mod app;
pub mod feed;
mod input;
mod keys;
mod term;
pub mod view;

#[cfg(test)]
mod tests;

use actions::{Places, perform};
use app::{Action, App, View};
use ratatui::crossterm::event::Event;
use std::path::PathBuf;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

/// Set in tests only: panic after drawing the first frame, to prove the
/// panic hook gives the terminal back.
pub const PANIC_FOR_TESTS: &str = "KINTSUGI_TUI_TEST_PANIC";

/// How the control room finds the daemon and its files.
pub struct Options {
    pub socket: PathBuf,
    pub data_dir: PathBuf,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            socket: kintsugi_protocol::socket_path(),
            data_dir: kintsugi_protocol::data_dir(),
        }
    }
}

/// Colour unless `NO_COLOR` is set to anything non-empty (no-color.org).
pub fn color_wanted() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Run the control room until `q`, Ctrl-C, a termination signal, or the
/// terminal going away (hung up, a read or a write on it failing).
pub fn run(options: Options) -> anyhow::Result<()> {
    let places = Places {
        socket: options.socket,
        data_dir: options.data_dir,
    };
    let (tx, rx) = mpsc::channel();
    feed::spawn(places.socket.clone(), tx.clone());
    let mut app = App::new(color_wanted(), app::confirmation_code);
    let mut term = term::Term::enter()?;
    let input = input::spawn()?;
    let mut dirty = true;
    let mut last_tick = Instant::now() - Duration::from_secs(10);
    // Leaving because the terminal went away is a clean end (there is no one
    // left to tell); any other failure on it is an error.
    let outcome = loop {
        if term.stop_requested() || term.hung_up() {
            break Ok(());
        }
        while let Ok(update) = rx.try_recv() {
            app.apply(update);
            dirty = true;
        }
        if last_tick.elapsed() >= Duration::from_secs(1) {
            last_tick = Instant::now();
            app.now = time::OffsetDateTime::now_utc();
            if app.view == View::Status && app.mode == app::Mode::Normal {
                perform(Action::RefreshStatus, &places, &tx);
            }
            dirty = true;
        }
        if dirty {
            if let Err(e) = term.terminal.draw(|f| view::draw(f, &mut app)) {
                break gone_or(&term, e);
            }
            dirty = false;
            if std::env::var_os(PANIC_FOR_TESTS).is_some() {
                panic!("{PANIC_FOR_TESTS} is set: panicking on purpose after the first frame");
            }
        }
        let event = match input.recv_timeout(Duration::from_millis(40)) {
            Ok(Ok(event)) => event,
            Err(RecvTimeoutError::Timeout) => continue,
            Ok(Err(e)) => break gone_or(&term, e),
            Err(RecvTimeoutError::Disconnected) => break Ok(()),
        };
        match event {
            Event::Key(key) => {
                dirty = true;
                match app.on_key(key) {
                    Some(Action::Quit) => break Ok(()),
                    Some(action) => perform(action, &places, &tx),
                    None => {}
                }
            }
            Event::Resize(..) => {
                if let Err(e) = term.terminal.autoresize() {
                    break gone_or(&term, e);
                }
                dirty = true;
            }
            _ => {}
        }
    };
    drop(term);
    outcome
}

/// A read or write on the terminal failed: a clean end when the terminal
/// has hung up, the error otherwise.
fn gone_or(term: &term::Term, e: std::io::Error) -> anyhow::Result<()> {
    if term.hung_up() {
        Ok(())
    } else {
        Err(e.into())
    }
}
