//! One module per subcommand.

pub mod bench;
pub mod daemon;
pub mod demo;
pub mod dry_run;
pub mod hook;
pub mod limits;
pub mod log;
pub mod queue;
pub mod status;
pub mod test;
pub mod verify;
