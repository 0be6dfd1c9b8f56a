//! `kintsugi tui`: the control room. One live screen where a human sees
//! every recorded event as it is committed, approves (with a typed code) or
//! denies held commands, inspects details, and undoes from snapshots.
//!
//! Map: `app` is the state and the keys (pure, unit-tested); `view/` draws
//! it (tested on ratatui's `TestBackend`); `feed` subscribes to the daemon
//! and turns its stream into updates; `actions` carries out what keys ask
//! for; `term` owns the terminal and restores it on every way out.
//!
//! Architecture invariant: the TUI talks to the daemon only through the
//! protocol (`kintsugi-protocol`); it reads the ledger and the snapshot
//! store read-only, and never decides anything itself.
#![forbid(unsafe_code)]

mod actions;
pub mod app;
pub mod feed;
mod keys;
mod term;
pub mod view;

#[cfg(test)]
mod tests;

use actions::{Places, perform};
use app::{Action, App, View};
use ratatui::crossterm::event::{self, Event};
use std::path::PathBuf;
use std::sync::mpsc;
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

/// Run the control room until `q`, Ctrl-C or a termination signal.
pub fn run(options: Options) -> anyhow::Result<()> {
    let places = Places {
        socket: options.socket,
        data_dir: options.data_dir,
    };
    let (tx, rx) = mpsc::channel();
    feed::spawn(places.socket.clone(), tx.clone());
    let mut app = App::new(color_wanted(), app::confirmation_code);
    let mut term = term::Term::enter()?;
    let mut dirty = true;
    let mut last_tick = Instant::now() - Duration::from_secs(10);
    while !term.stop_requested() {
        while let Ok(update) = rx.try_recv() {
            app.apply(update);
            dirty = true;
        }
        if last_tick.elapsed() >= Duration::from_secs(1) {
            last_tick = Instant::now();
            // The terminal went away (its window or tmux pane closed without
            // a signal reaching us): leave instead of spinning on a dead tty.
            if std::fs::File::open("/dev/tty").is_err() {
                break;
            }
            app.now = time::OffsetDateTime::now_utc();
            if app.view == View::Status && app.mode == app::Mode::Normal {
                perform(Action::RefreshStatus, &places, &tx);
            }
            dirty = true;
        }
        if dirty {
            term.terminal.draw(|f| view::draw(f, &mut app))?;
            dirty = false;
            if std::env::var_os(PANIC_FOR_TESTS).is_some() {
                panic!("{PANIC_FOR_TESTS} is set: panicking on purpose after the first frame");
            }
        }
        if !event::poll(Duration::from_millis(40))? {
            continue;
        }
        match event::read()? {
            Event::Key(key) => {
                dirty = true;
                match app.on_key(key) {
                    Some(Action::Quit) => break,
                    Some(action) => perform(action, &places, &tx),
                    None => {}
                }
            }
            Event::Resize(..) => {
                term.terminal.autoresize()?;
                dirty = true;
            }
            _ => {}
        }
    }
    drop(term);
    Ok(())
}
