//! Keys and resizes, read from the terminal on a thread of their own and
//! handed to the event loop over a channel.
//!
//! Why a thread: crossterm's reader never returns once the terminal is hung
//! up (its window or tmux pane closed): a read there gives end-of-file or
//! `EIO`, and it retries at once, forever. Called from the event loop, that
//! turned the loop into a spin that never again looked at the stop flag or
//! the terminal. On its own thread, only that thread can be caught; the loop
//! keeps its 40 ms pace, sees the hang-up (`Term::hung_up`) and leaves, and
//! the process ends with the thread in it.

use ratatui::crossterm::event::{self, Event};
use std::sync::mpsc::{self, Receiver};

/// What the input thread hands over: an event, or the read error that ended
/// it (after which the channel is closed).
pub type Input = std::io::Result<Event>;

/// Start reading the terminal; the receiver gets every event in order.
pub fn spawn() -> std::io::Result<Receiver<Input>> {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("kintsugi-tui-input".into())
        .spawn(move || {
            loop {
                let got = event::read();
                let failed = got.is_err();
                if tx.send(got).is_err() || failed {
                    return;
                }
            }
        })?;
    Ok(rx)
}
