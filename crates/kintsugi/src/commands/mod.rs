//! One module per subcommand.

pub mod bench;
pub mod daemon;
pub mod demo;
pub mod demo_agent;
pub mod dry_run;
pub mod exec;
pub mod guard;
pub mod hook;
pub mod init;
pub mod limits;
pub mod log;
pub mod queue;
pub mod record;
pub mod report;
pub mod run;
pub mod status;
pub mod test;
pub mod undo;
pub mod verify;
pub mod watch;
