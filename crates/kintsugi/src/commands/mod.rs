//! One module per subcommand.

pub mod admin;
pub mod admin_auth;
pub mod bench;
pub mod daemon;
pub mod demo;
pub mod demo_agent;
pub mod doctor;
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
pub mod service;
pub mod status;
pub mod test;
pub mod tui;
pub mod undo;
pub mod verify;
pub mod watch;
