//! Paddock keeps watch over HappyHorse video tasks on an Anyfast gateway.
//!
//! The core never imports Tauri, so the command line and the tests drive it
//! directly; dependencies point down only:
//! - `desktop` (the window, feature `desktop`) and `cli`: two thin doors onto
//! - `paddock`: the one core facade, over
//! - `tasks`: the history, the poll policy, the poller, saving videos;
//! - `videos`: the download, the registry of saves, file names, the media server;
//! - `keys`, `settings` and `folders`: the key in the OS keyring, the preferences, and
//!   where files live;
//! - `gateway`: the Anyfast client, its address, its key, every answer read;
//! - `error`, `ids`, `timefmt`, `token`: the ground floor.
//!
//! `docs/architecture.md` follows a task ID from paste to poll to screen.

pub mod cli;
#[cfg(feature = "desktop")]
pub mod desktop;
pub mod error;
pub mod folders;
pub mod gateway;
pub mod ids;
pub mod keys;
pub mod paddock;
pub mod settings;
pub mod tasks;
pub mod timefmt;
pub mod token;
pub mod videos;

use std::process::ExitCode;

pub use error::Error;

/// Logs go to stderr, filtered by `RUST_LOG` (default: warnings). Nothing secret is
/// ever logged: keys are `ApiKey`, whose `Debug` is masked. Colours only on a
/// terminal, and not with `NO_COLOR`: a log in a file, a pipe or the journal would
/// otherwise be full of escape codes.
fn init_logging() {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,paddock=info"));
    let colour = wants_colour(
        std::io::stderr().is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
    );
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(colour)
        .try_init();
}

/// Colours on a terminal, unless `NO_COLOR` is set to something (no-color.org: an
/// empty value counts as unset).
fn wants_colour(terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
    terminal && no_color.is_none_or(|v| v.is_empty())
}

/// The binary's entry point: a subcommand runs headless; no subcommand opens the
/// window (or, in a build without the `desktop` feature, says how to use the CLI).
pub fn main_entry() -> ExitCode {
    use clap::Parser;
    init_logging();
    let args = cli::Cli::parse();
    let hidden = args.hidden;
    if let Some(code) = cli::run(args) {
        return code;
    }
    #[cfg(feature = "desktop")]
    {
        desktop::run_window(hidden)
    }
    #[cfg(not(feature = "desktop"))]
    {
        let _ = hidden;
        eprintln!("paddock: this build has no window; run `paddock --help` for the commands");
        ExitCode::from(2)
    }
}

#[cfg(test)]
mod tests {
    use super::wants_colour;
    use std::ffi::OsStr;

    #[test]
    fn colours_only_on_a_terminal_without_no_color() {
        assert!(wants_colour(true, None));
        assert!(wants_colour(true, Some(OsStr::new(""))));
        assert!(!wants_colour(true, Some(OsStr::new("1"))));
        assert!(!wants_colour(false, None));
    }
}
