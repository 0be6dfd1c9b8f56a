//! `kintsugi tui`: open the control room (the `kintsugi-tui` crate) on the
//! resolved socket and data dir.

use anyhow::{Result, bail};
use clap::Args;
use std::io::IsTerminal;
use std::process::ExitCode;

#[derive(Args)]
pub struct TuiArgs {}

pub fn run(_args: TuiArgs) -> Result<ExitCode> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        bail!(
            "`kintsugi tui` needs a terminal; for scripts use `kintsugi log`, `kintsugi queue` and `kintsugi status`"
        );
    }
    kintsugi_tui::run(kintsugi_tui::Options::default())?;
    Ok(ExitCode::SUCCESS)
}
