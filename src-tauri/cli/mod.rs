//! `paddock <command>`: the same core from a terminal, with no window and no display.
//!
//! Results go to stdout (a readable block, or JSON Lines with `--json`); errors go to
//! stderr as one line each. Exit codes: 0 all good; 1 a task failed or a download
//! failed; 2 bad usage or a malformed ID; 3 key missing or rejected; 4 task not found;
//! 5 network, server, rate limit or not-a-gateway after retries; 6 the gateway
//! refused to create a task; 7 a creation's outcome is unknown; 8 created but not
//! recorded. With several tasks the highest code applies and every task is still
//! printed.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand, ValueEnum};

use crate::error::Error;
use crate::gateway::ClientConfig;
use crate::keys::KeyStore;
use crate::paddock::Paddock;
use crate::settings;
use crate::tasks::{NoEvents, PollConfig, TaskEvents};

// `println!`/`print!` panic when stdout is a pipe that closed (`paddock list | head`):
// Rust ignores SIGPIPE. These write instead, and a closed stdout ends the command
// as it would any Unix tool (141, what a shell reports for SIGPIPE).
macro_rules! println {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if writeln!(std::io::stdout().lock(), $($arg)*).is_err() {
            std::process::exit(141);
        }
    }};
}
macro_rules! print {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if write!(std::io::stdout().lock(), $($arg)*).is_err() {
            std::process::exit(141);
        }
    }};
}

mod create;
mod history;
mod key;
mod output;
mod save;
mod usage;
mod watch;

pub use create::CreateArgs;

use output::{print_block, task_exit_code, task_json};

/// Keep watch over HappyHorse video tasks on an Anyfast gateway.
///
/// With no command, opens the window. Environment: ANYFAST_BASE_URL, ANYFAST_API_KEY,
/// PADDOCK_DATA_DIR.
#[derive(Parser, Debug)]
#[command(name = "paddock", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Start with the window hidden (as at login): in the tray, or in the background
    /// only while there is work.
    #[arg(long, hide = true)]
    pub hidden: bool,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Ask the gateway about tasks once and print them (not added to the history).
    Query {
        /// Task IDs.
        #[arg(required = true)]
        ids: Vec<String>,
        /// One JSON object per line.
        #[arg(long)]
        json: bool,
    },
    /// Add the task IDs found in the arguments, or in stdin, to the history.
    Add {
        /// Text with task IDs in it; read from stdin when absent.
        text: Vec<String>,
    },
    /// Print the history, newest first.
    List {
        /// Only tasks with this status.
        #[arg(long, value_enum)]
        status: Option<StatusArg>,
        /// Only starred tasks.
        #[arg(long)]
        starred: bool,
        /// Only tasks with this tag (case-insensitive).
        #[arg(long, value_name = "TAG")]
        tag: Option<String>,
        /// One JSON object per line.
        #[arg(long)]
        json: bool,
    },
    /// Star tasks (the window's gallery and `list --starred` show them).
    Star {
        #[arg(required = true)]
        ids: Vec<String>,
    },
    /// Take the star off tasks.
    Unstar {
        #[arg(required = true)]
        ids: Vec<String>,
    },
    /// Add tags to a task (and take some off with --remove).
    Tag {
        id: String,
        tags: Vec<String>,
        /// A tag to take off; repeatable.
        #[arg(long, value_name = "TAG")]
        remove: Vec<String>,
    },
    /// Poll tasks until all are finished, printing each change.
    Watch {
        /// Task IDs (added to the history); every unfinished task when absent.
        ids: Vec<String>,
        /// Save each video into this folder as soon as its task succeeds.
        #[arg(long, value_name = "DIR")]
        save: Option<PathBuf>,
        /// Refuse videos larger than this (e.g. 500M, 2G); default: the Settings value.
        #[arg(long, value_name = "SIZE", value_parser = save::parse_size)]
        max_size: Option<u64>,
        /// One JSON object per line.
        #[arg(long)]
        json: bool,
    },
    /// Download a succeeded task's video.
    Save {
        /// Task ID.
        id: String,
        /// Where to write the file (a folder or a file name); default: current folder.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Refuse videos larger than this (e.g. 500M, 2G); default: the Settings value.
        #[arg(long, value_name = "SIZE", value_parser = save::parse_size)]
        max_size: Option<u64>,
        /// Replace the file if it already exists.
        #[arg(long)]
        force: bool,
    },
    /// Create HappyHorse tasks (each may be charged; none is ever sent twice).
    Create(CreateArgs),
    /// Print the key's balance, where the gateway tells it.
    Balance {
        /// Quota units per US dollar (stock gateways: 500000).
        #[arg(long, value_name = "N")]
        units_per_dollar: Option<f64>,
    },
    /// Billed seconds of finished tasks per local day and tier (failures are refunded).
    Usage {
        /// From this local date on (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
        /// One JSON object: {"total": {...}, "days": [...]}.
        #[arg(long)]
        json: bool,
    },
    /// Stop tracking tasks and remove them from the history.
    Remove {
        /// Task IDs.
        #[arg(required = true)]
        ids: Vec<String>,
    },
    /// Export the history with saved paths and link expiry.
    Export {
        #[arg(long, value_enum, default_value = "csv")]
        format: ExportFormat,
        /// Write here instead of stdout.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Manage the API key in the system keyring.
    Key {
        #[command(subcommand)]
        action: KeyAction,
    },
}

#[derive(Subcommand, Debug)]
pub enum KeyAction {
    /// Read a key from stdin (never from an argument) and store it.
    Set,
    /// Say where the key comes from, masked.
    Status,
    /// Delete the stored key.
    Remove,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusArg {
    NotStarted,
    Queued,
    Running,
    Succeeded,
    Failed,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Json,
}

pub(super) fn fail(e: &Error) -> u8 {
    eprintln!("paddock: {e}");
    e.exit_code()
}

/// Runs a subcommand; `None` means "no subcommand: open the window".
pub fn run(cli: Cli) -> Option<ExitCode> {
    let command = cli.command?;
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("paddock: could not start: {e}");
            return Some(ExitCode::from(1));
        }
    };
    let code = runtime.block_on(async move {
        let paddock = match Paddock::open(
            &settings::data_dir(),
            KeyStore::system(),
            ClientConfig::default(),
        ) {
            Ok(p) => p,
            Err(e) => return fail(&e),
        };
        for notice in &paddock.notices {
            eprintln!("paddock: {notice}");
        }
        execute(&paddock, command).await
    });
    Some(ExitCode::from(code))
}

async fn execute(paddock: &Paddock, command: Command) -> u8 {
    match command {
        Command::Query { ids, json } => query(paddock, ids, json).await,
        Command::Add { text } => add(paddock, text).await,
        Command::List {
            status,
            starred,
            tag,
            json,
        } => history::list(paddock, status, starred, tag, json),
        Command::Star { ids } => history::star(paddock, ids, true).await,
        Command::Unstar { ids } => history::star(paddock, ids, false).await,
        Command::Tag { id, tags, remove } => history::tag(paddock, &id, tags, remove).await,
        Command::Watch {
            ids,
            save,
            max_size,
            json,
        } => watch::watch(paddock, ids, save, max_size, json).await,
        Command::Save {
            id,
            output,
            max_size,
            force,
        } => save::save(paddock, &id, output, max_size, force).await,
        Command::Remove { ids } => history::remove(paddock, ids).await,
        Command::Usage { since, json } => usage::usage(paddock, since, json).await,
        Command::Create(args) => create::create(paddock, args).await,
        Command::Balance { units_per_dollar } => create::balance(paddock, units_per_dollar).await,
        Command::Export { format, output } => output::export(paddock, format, output),
        Command::Key { action } => key::key(paddock, action).await,
    }
}

/// Loads the history for a command, reporting changes to `events`.
pub(super) fn start(paddock: &Paddock, events: Arc<dyn TaskEvents>) -> Result<(), u8> {
    paddock
        .start_tracker(events, PollConfig::from_env())
        .map_err(|e| fail(&e))
}

async fn query(paddock: &Paddock, ids: Vec<String>, json: bool) -> u8 {
    let mut worst = 0;
    for id in ids {
        match paddock.query(&id).await {
            Ok(outcome) => {
                worst = worst.max(task_exit_code(&outcome.task));
                if json {
                    println!("{}", task_json(&id, Some(&outcome.task), None, None));
                } else {
                    print_block(&id, Some(&outcome.task), None, None);
                }
            }
            Err(e) => {
                let code = e.exit_code();
                worst = worst.max(code);
                eprintln!("paddock: {id}: {e}");
                if json {
                    println!(
                        "{}",
                        task_json(&id, None, None, Some((e.code(), &e.to_string())))
                    );
                } else {
                    print_block(&id, None, None, Some(&e.to_string()));
                }
            }
        }
    }
    worst
}

/// All of stdin, up to the paste limit.
fn read_stdin() -> Result<String, u8> {
    let limit = crate::tasks::MAX_PASTE_BYTES;
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| {
            eprintln!("paddock: could not read stdin: {e}");
            2
        })?;
    if bytes.len() > limit {
        eprintln!(
            "paddock: more than {} MiB on stdin; add the IDs in parts",
            limit >> 20
        );
        return Err(2);
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

async fn add(paddock: &Paddock, text: Vec<String>) -> u8 {
    let text = if text.is_empty() {
        match read_stdin() {
            Ok(t) => t,
            Err(code) => return code,
        }
    } else {
        text.join("\n")
    };
    if let Err(code) = start(paddock, Arc::new(NoEvents)) {
        return code;
    }
    match paddock.add_text(text).await {
        Ok(s) => {
            println!(
                "{} added, {} already tracked, {} not task IDs",
                s.added, s.already_tracked, s.rejected
            );
            for id in &s.ids {
                println!("{id}");
            }
            if s.added + s.already_tracked == 0 {
                2
            } else {
                0
            }
        }
        Err(e) => fail(&e),
    }
}
