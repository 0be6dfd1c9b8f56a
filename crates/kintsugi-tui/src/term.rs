//! The terminal: raw mode and the alternate screen on entry, and the
//! promise to give the terminal back however the control room ends: a
//! normal quit, a panic (a hook restores first, then prints the panic), or
//! SIGTERM / SIGHUP / SIGINT (a flag the event loop checks, so it leaves
//! through the same door), and it tells the loop when the terminal has hung
//! up, so the loop leaves too.

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::cursor::{Hide, Show};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use std::io::{IsTerminal, Stdout};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// The live terminal; restored when dropped.
pub struct Term {
    pub terminal: Terminal<CrosstermBackend<Stdout>>,
    stop: Arc<AtomicBool>,
}

/// Whether this process currently holds the terminal. Restoring twice is
/// not harmless: a second "leave the alternate screen" moves the cursor
/// back over whatever was printed after the first (e.g. a panic message).
static ACTIVE: AtomicBool = AtomicBool::new(false);

/// Give the terminal back (only the first call after `enter` acts).
pub fn restore() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        let _ = disable_raw_mode();
        let _ = execute!(std::io::stdout(), LeaveAlternateScreen, Show);
    }
}

fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}

impl Term {
    /// Take over the terminal.
    pub fn enter() -> std::io::Result<Term> {
        let stop = Arc::new(AtomicBool::new(false));
        for sig in [
            signal_hook::consts::SIGTERM,
            signal_hook::consts::SIGHUP,
            signal_hook::consts::SIGINT,
        ] {
            signal_hook::flag::register(sig, stop.clone())?;
        }
        install_panic_hook();
        ACTIVE.store(true, Ordering::SeqCst);
        if let Err(e) = enable_raw_mode() {
            ACTIVE.store(false, Ordering::SeqCst);
            return Err(e);
        }
        let mut out = std::io::stdout();
        if let Err(e) = execute!(out, EnterAlternateScreen, Hide) {
            restore();
            return Err(e);
        }
        let terminal = Terminal::new(CrosstermBackend::new(out)).inspect_err(|_| restore())?;
        Ok(Term { terminal, stop })
    }

    /// A termination signal arrived.
    pub fn stop_requested(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// The terminal has hung up: its window or tmux pane closed, whether or
    /// not a SIGHUP reached this process (one that is not the session
    /// leader may get none). A hung-up terminal fails every terminal ioctl,
    /// so stdin or stdout no longer tests as a terminal; both did when the
    /// control room started (`kintsugi tui` refuses otherwise).
    pub fn hung_up(&self) -> bool {
        !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal()
    }
}

impl Drop for Term {
    fn drop(&mut self) {
        restore();
    }
}
