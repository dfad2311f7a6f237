//! `paddock <command>`: the same core from a terminal, with no window and no display.
//!
//! Results go to stdout (a readable block, or JSON Lines with `--json`); errors go to
//! stderr as one line each. Exit codes: 0 all good; 1 a task failed or a download
//! failed; 2 bad usage or a malformed ID; 3 key missing or rejected; 4 task not found;
//! 5 network, server, rate limit or not-a-gateway after retries. With several tasks
//! the highest code applies and every task is still printed.

use std::collections::HashMap;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use clap::{Parser, Subcommand, ValueEnum};
use serde_json::{json, Value};
use tokio::sync::mpsc;

use crate::api::{ClientConfig, Status, TaskSnapshot};
use crate::download::{default_file_name, Progress};
use crate::keystore::{KeySource, KeyStore};
use crate::service::{AppError, Paddock};
use crate::settings;
use crate::store::{StoredError, Tracking};
use crate::timefmt;
use crate::tracker::{NoEvents, PollConfig, TaskDetail, TaskEvents, TaskRow, Tracker};

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

/// Keep watch over HappyHorse video tasks on an Anyfast gateway.
///
/// With no command, opens the window. Environment: ANYFAST_BASE_URL, ANYFAST_API_KEY,
/// PADDOCK_DATA_DIR.
#[derive(Parser, Debug)]
#[command(name = "paddock", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
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
        /// One JSON object per line.
        #[arg(long)]
        json: bool,
    },
    /// Poll tasks until all are finished, printing each change.
    Watch {
        /// Task IDs (added to the history); every unfinished task when absent.
        ids: Vec<String>,
        /// Save each video into this folder as soon as its task succeeds.
        #[arg(long, value_name = "DIR")]
        save: Option<PathBuf>,
        /// Refuse videos larger than this (e.g. 500M, 2G); default: the Settings value.
        #[arg(long, value_name = "SIZE", value_parser = parse_size)]
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
        #[arg(long, value_name = "SIZE", value_parser = parse_size)]
        max_size: Option<u64>,
        /// Replace the file if it already exists.
        #[arg(long)]
        force: bool,
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

/// One line from stdin, at most 4 KiB (a key is far shorter). From a terminal the
/// typing is not echoed: `stty -echo` for the read, and the old mode back after.
fn read_secret_line() -> std::io::Result<String> {
    use std::io::BufRead;
    let on_terminal = std::io::stdin().is_terminal();
    set_echo(false);
    let mut line = Vec::new();
    let read = std::io::stdin()
        .lock()
        .take(4096)
        .read_until(b'\n', &mut line);
    set_echo(true);
    if on_terminal {
        eprintln!();
    }
    read?;
    Ok(String::from_utf8_lossy(&line).into_owned())
}

/// Turns the terminal's echo off or on (Unix, and only when stdin is a terminal).
fn set_echo(on: bool) {
    if cfg!(unix) && std::io::stdin().is_terminal() {
        let _ = std::process::Command::new("stty")
            .arg(if on { "echo" } else { "-echo" })
            .stdin(std::process::Stdio::inherit())
            .status();
    }
}

/// `500M`, `2G`, `2GiB`, `1048576`: a size in bytes, units binary.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("{text:?} is not a size such as 500M or 2G"))?;
    let shift = match unit
        .trim()
        .to_ascii_uppercase()
        .trim_end_matches("IB")
        .trim_end_matches('B')
    {
        "" => 0,
        "K" => 10,
        "M" => 20,
        "G" => 30,
        "T" => 40,
        _ => return Err(format!("{text:?} has an unknown unit; use K, M, G or T")),
    };
    n.checked_mul(1u64 << shift)
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("{text:?} is not a usable size"))
}

/// The exit code for an error, by its stable code.
pub fn exit_code_for(code: &str) -> u8 {
    match code {
        "invalid_id" | "invalid_base_url" | "invalid_key" | "invalid_setting" => 2,
        "missing_key"
        | "unauthorized"
        | "forbidden"
        | "keyring_unavailable"
        | "keyring_locked"
        | "keyring_timeout"
        | "keyring_failed"
        | "no_key_for_gateway" => 3,
        "not_found" => 4,
        "network" | "server" | "rate_limited" | "not_a_gateway" | "timeout" | "bad_response" => 5,
        _ => 1,
    }
}

fn fail(e: &AppError) -> u8 {
    eprintln!("paddock: {e}");
    exit_code_for(e.code())
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
        Command::List { status, json } => list(paddock, status, json),
        Command::Watch {
            ids,
            save,
            max_size,
            json,
        } => watch(paddock, ids, save, max_size, json).await,
        Command::Save {
            id,
            output,
            max_size,
            force,
        } => save(paddock, &id, output, max_size, force).await,
        Command::Remove { ids } => remove(paddock, ids).await,
        Command::Export { format, output } => export(paddock, format, output),
        Command::Key { action } => key(paddock, action).await,
    }
}

fn tracker(paddock: &Paddock, events: Arc<dyn TaskEvents>) -> Result<Tracker, u8> {
    paddock
        .start_tracker(events, PollConfig::from_env())
        .map_err(|e| fail(&e))
}

/// The JSON contract of one task: every key present, null where there is no value.
pub fn task_json(
    id: &str,
    task: Option<&TaskSnapshot>,
    saved_path: Option<&str>,
    error: Option<(&str, &str)>,
) -> Value {
    let mut v = match task {
        Some(t) => serde_json::to_value(t).unwrap_or(Value::Null),
        None => serde_json::to_value(TaskSnapshot::empty(id)).unwrap_or(Value::Null),
    };
    if let Value::Object(map) = &mut v {
        map.insert("id".into(), json!(id));
        if task.is_none() {
            map.insert("status".into(), Value::Null);
        }
        map.insert("saved_path".into(), json!(saved_path));
        map.insert(
            "error".into(),
            error.map_or(
                Value::Null,
                |(code, message)| json!({"code": code, "message": message}),
            ),
        );
    }
    v
}

fn detail_json(d: &TaskDetail) -> Value {
    let err = d
        .row
        .error
        .as_ref()
        .map(|e| (e.code.as_str(), e.message.as_str()));
    task_json(&d.row.id, d.task.as_ref(), d.row.saved_path.as_deref(), err)
}

fn print_block(id: &str, task: Option<&TaskSnapshot>, saved: Option<&str>, error: Option<&str>) {
    let mut out = String::new();
    out.push_str(id);
    out.push('\n');
    let mut line = |label: &str, value: Option<String>| {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            out.push_str(&format!("  {label:<12}{v}\n"));
        }
    };
    if let Some(t) = task {
        let raw = t
            .raw_status
            .as_deref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default();
        line("status", Some(format!("{}{raw}", t.status.as_str())));
        line("progress", t.progress.map(|p| format!("{p}%")));
        line("action", t.action.clone());
        line("prompt", t.prompt.clone());
        line("resolution", t.resolution.clone());
        line("duration", t.duration.map(|d| format!("{d} s")));
        line("ratio", t.ratio.clone());
        line("submitted", t.submitted_at.map(timefmt::rfc3339));
        line("started", t.started_at.map(timefmt::rfc3339));
        line("finished", t.finished_at.map(timefmt::rfc3339));
        line("video", t.video_url.clone());
        line("expires", t.video_expires_at.map(timefmt::rfc3339));
        line("fail reason", t.fail_reason.clone());
        if t.no_data {
            line(
                "note",
                Some("the gateway has no data for this task yet".into()),
            );
        }
    }
    line("saved to", saved.map(str::to_owned));
    line("error", error.map(str::to_owned));
    print!("{out}");
}

fn task_exit_code(task: &TaskSnapshot) -> u8 {
    if task.status == Status::Failed {
        1
    } else {
        0
    }
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
                let code = exit_code_for(e.code());
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
    let limit = crate::tracker::MAX_PASTE_BYTES;
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
    if let Err(code) = tracker(paddock, Arc::new(NoEvents)) {
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

fn status_matches(row: &TaskRow, wanted: Option<StatusArg>) -> bool {
    let Some(w) = wanted else { return true };
    let want = match w {
        StatusArg::NotStarted => Status::NotStarted,
        StatusArg::Queued => Status::Queued,
        StatusArg::Running => Status::Running,
        StatusArg::Succeeded => Status::Succeeded,
        StatusArg::Failed => Status::Failed,
    };
    row.status == Some(want)
}

fn list(paddock: &Paddock, status: Option<StatusArg>, json: bool) -> u8 {
    let tracker = match tracker(paddock, Arc::new(NoEvents)) {
        Ok(t) => t,
        Err(code) => return code,
    };
    for row in tracker
        .rows()
        .into_iter()
        .filter(|r| status_matches(r, status))
    {
        let Some(d) = tracker.detail(&row.id) else {
            continue;
        };
        if json {
            println!("{}", detail_json(&d));
        } else {
            let err = d.row.error.as_ref().map(|e| e.message.clone());
            print_block(
                &d.row.id,
                d.task.as_ref(),
                d.row.saved_path.as_deref(),
                err.as_deref(),
            );
        }
    }
    0
}

/// Forwards the tracker's changes to the watch loop.
struct ChannelEvents(mpsc::UnboundedSender<TaskRow>);

impl TaskEvents for ChannelEvents {
    fn changed(&self, rows: &[TaskRow]) {
        for r in rows.iter().filter(|r| !r.checking) {
            let _ = self.0.send(r.clone());
        }
    }
    fn removed(&self, _: &[String]) {}
    fn paused(&self, _: Option<&StoredError>) {}
    fn finished(&self, _: &TaskRow) {}
}

fn row_code(row: &TaskRow) -> u8 {
    match row.tracking {
        Tracking::NotFound => 4,
        Tracking::GaveUp => 1,
        Tracking::Final if row.status == Some(Status::Failed) => 1,
        _ => row.error.as_ref().map_or(0, |e| exit_code_for(&e.code)),
    }
}

async fn watch(
    paddock: &Paddock,
    ids: Vec<String>,
    save_dir: Option<PathBuf>,
    max_size: Option<u64>,
    json: bool,
) -> u8 {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let tracker = match tracker(paddock, Arc::new(ChannelEvents(tx))) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let targets: Vec<String> = if ids.is_empty() {
        tracker
            .rows()
            .into_iter()
            .filter(|r| r.tracking == Tracking::Active)
            .map(|r| r.id)
            .collect()
    } else {
        for id in &ids {
            if let Err(e) = crate::ids::TaskId::parse(id) {
                eprintln!("paddock: {id}: {e}");
                return 2;
            }
        }
        if let Err(e) = paddock.add_text(ids.join("\n")).await {
            return fail(&e);
        }
        ids.clone()
    };
    if targets.is_empty() {
        eprintln!("paddock: nothing to watch: every task in the history is finished");
        return 0;
    }
    // Watching again means asking again, even about tasks the history calls final.
    for id in &targets {
        tracker.refresh(id);
    }
    let poller = tokio::spawn(tracker.clone().run());
    let last: Mutex<HashMap<String, String>> = Mutex::new(HashMap::new());
    let mut saved: HashMap<String, u8> = HashMap::new();
    let mut interrupted = false;
    loop {
        let done = targets.iter().all(|id| {
            tracker
                .detail(id)
                .is_none_or(|d| d.row.tracking != Tracking::Active)
        }) || tracker.paused().is_some();
        if done {
            break;
        }
        tokio::select! {
            row = rx.recv() => {
                let Some(row) = row else { break };
                if !targets.contains(&row.id) {
                    continue;
                }
                let Some(d) = tracker.detail(&row.id) else { continue };
                let summary = format!("{:?} {:?} {:?} {:?}", row.status, row.progress, row.tracking, row.error.as_ref().map(|e| &e.code));
                let changed = last.lock().unwrap_or_else(|p| p.into_inner()).insert(row.id.clone(), summary.clone()) != Some(summary);
                if changed {
                    print_change(&d, json);
                }
                if let (Some(dir), Some(Status::Succeeded)) = (&save_dir, row.status) {
                    if row.tracking == Tracking::Final && !saved.contains_key(&row.id) {
                        let code = save_into(paddock, &d, dir, max_size).await;
                        saved.insert(row.id.clone(), code);
                    }
                }
            }
            _ = tokio::signal::ctrl_c() => {
                interrupted = true;
                break;
            }
        }
    }
    poller.abort();
    if interrupted {
        eprintln!("paddock: interrupted; the history keeps everything seen so far");
        return 130;
    }
    if let Some(reason) = tracker.paused() {
        eprintln!("paddock: {}", reason.message);
        return exit_code_for(&reason.code);
    }
    let mut worst = 0;
    for id in &targets {
        if let Some(d) = tracker.detail(id) {
            worst = worst.max(row_code(&d.row));
            if let (Some(dir), Some(Status::Succeeded)) = (&save_dir, d.row.status) {
                let code = match saved.get(id) {
                    Some(c) => *c,
                    None => save_into(paddock, &d, dir, max_size).await,
                };
                worst = worst.max(code);
            }
        }
    }
    worst
}

fn print_change(d: &TaskDetail, json: bool) {
    if json {
        println!("{}", detail_json(d));
        return;
    }
    let r = &d.row;
    let status = match r.tracking {
        Tracking::NotFound => "not found".to_owned(),
        Tracking::GaveUp => "gave up".to_owned(),
        _ => r
            .status
            .map_or("checking".to_owned(), |s| s.as_str().replace('_', " ")),
    };
    let mut line = format!("{}  {status}", r.id);
    if let Some(p) = r.progress.filter(|_| r.tracking == Tracking::Active) {
        line.push_str(&format!(" {p}%"));
    }
    if let Some(reason) = &r.fail_reason {
        line.push_str(&format!("  {reason}"));
    }
    if let Some(e) = &r.error {
        line.push_str(&format!("  ({})", e.message));
    }
    println!("{line}");
    let _ = std::io::stdout().flush();
}

async fn save_into(paddock: &Paddock, d: &TaskDetail, dir: &Path, max_size: Option<u64>) -> u8 {
    let name = default_file_name(
        &d.row.id,
        d.task.as_ref().and_then(|t| t.prompt.as_deref()),
        d.task.as_ref().and_then(|t| t.finished_at),
    );
    let dest = crate::download::unused_path(&dir.join(name));
    download_to(paddock, &d.row.id, &dest, false, max_size).await
}

async fn download_to(
    paddock: &Paddock,
    id: &str,
    dest: &Path,
    force: bool,
    max_size: Option<u64>,
) -> u8 {
    let on_terminal = std::io::stderr().is_terminal();
    let result = paddock
        .save_video(id, dest, force, max_size, |p: Progress| {
            if on_terminal {
                let pct = p
                    .total
                    .map(|t| format!("{:>3}% ", p.received * 100 / t.max(1)))
                    .unwrap_or_default();
                eprint!(
                    "\r  {pct}{:.1} MB  {:.1} MB/s   ",
                    p.received as f64 / 1e6,
                    p.bytes_per_sec / 1e6
                );
            }
        })
        .await;
    if on_terminal {
        eprintln!();
    }
    match result {
        Ok(path) => {
            println!("{}", path.display());
            0
        }
        Err(e) => {
            eprintln!("paddock: {id}: {e}");
            match exit_code_for(e.code()) {
                1 => 1,
                code => code,
            }
        }
    }
}

async fn save(
    paddock: &Paddock,
    id: &str,
    output: Option<PathBuf>,
    max_size: Option<u64>,
    force: bool,
) -> u8 {
    if let Err(e) = crate::ids::TaskId::parse(id) {
        eprintln!("paddock: {id}: {e}");
        return 2;
    }
    let tracker = match tracker(paddock, Arc::new(NoEvents)) {
        Ok(t) => t,
        Err(code) => return code,
    };
    if let Err(e) = paddock.add_text(id.to_owned()).await {
        return fail(&e);
    }
    let has_video = tracker.detail(id).and_then(|d| d.row.video_url).is_some();
    let detail = if has_video {
        tracker.detail(id)
    } else {
        tracker.query_now(id).await
    };
    let Some(d) = detail else {
        eprintln!("paddock: {id}: not in the history");
        return 4;
    };
    // An error on the row matters only when there is no video to fetch (an old
    // auto-save failure must not stop a save asked for by hand).
    if let (Some(e), None) = (&d.row.error, &d.row.video_url) {
        eprintln!("paddock: {id}: {}", e.message);
        return exit_code_for(&e.code);
    }
    let Some(task) = d.task.as_ref().filter(|_| d.row.video_url.is_some()) else {
        let status = d.task.as_ref().map_or("unknown", |t| t.status.as_str());
        eprintln!("paddock: {id}: the task has no video (status: {status})");
        return 1;
    };
    let name = default_file_name(id, task.prompt.as_deref(), task.finished_at);
    let dest = match output {
        Some(p) if p.is_dir() => p.join(name),
        Some(p) => p,
        None => PathBuf::from(name),
    };
    download_to(paddock, id, &dest, force, max_size).await
}

/// Removes tasks from the history, so a row that misbehaves can always be taken out
/// without opening the window. Unknown IDs are reported, not an error for the rest.
async fn remove(paddock: &Paddock, ids: Vec<String>) -> u8 {
    let mut valid = Vec::new();
    let mut worst = 0;
    for id in &ids {
        match crate::ids::TaskId::parse(id) {
            Ok(id) => valid.push(id.as_str().to_owned()),
            Err(e) => {
                eprintln!("paddock: {id}: {e}");
                worst = 2;
            }
        }
    }
    let tracker = match tracker(paddock, Arc::new(NoEvents)) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let known: Vec<String> = valid
        .iter()
        .filter(|id| {
            let known = tracker.record(id).is_some();
            if !known {
                eprintln!("paddock: {id}: not in the history");
            }
            known
        })
        .cloned()
        .collect();
    if known.len() < valid.len() {
        worst = worst.max(4);
    }
    match tracker.remove(known).await {
        Ok(n) => {
            println!("{n} removed");
            worst
        }
        Err(e) => fail(&AppError::from(e)),
    }
}

const CSV_COLUMNS: [&str; 18] = [
    "id",
    "status",
    "raw_status",
    "progress",
    "action",
    "prompt",
    "resolution",
    "duration",
    "ratio",
    "submitted_at",
    "started_at",
    "finished_at",
    "video_url",
    "video_expires_at",
    "fail_reason",
    "saved_path",
    "base_url",
    "error",
];

/// One CSV cell: quoted when needed, and never read as a formula by a spreadsheet.
fn csv_cell(v: &Value) -> String {
    let text = match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Object(o) => o
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        other => other.to_string(),
    };
    let text = if text.starts_with(['\t', '\r'])
        || (text.starts_with(['=', '+', '-', '@']) && text.parse::<f64>().is_err())
    {
        format!("'{text}")
    } else {
        text
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

fn export(paddock: &Paddock, format: ExportFormat, output: Option<PathBuf>) -> u8 {
    let tracker = match tracker(paddock, Arc::new(NoEvents)) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let objects: Vec<Value> = tracker
        .rows()
        .iter()
        .filter_map(|r| tracker.detail(&r.id))
        .map(|d| {
            let mut v = detail_json(&d);
            v["base_url"] = json!(d.row.base_url);
            v
        })
        .collect();
    let text = match format {
        ExportFormat::Json => {
            serde_json::to_string_pretty(&objects).unwrap_or_else(|_| "[]".into()) + "\n"
        }
        ExportFormat::Csv => {
            // A byte-order mark so Excel opens the UTF-8 (Chinese prompts) correctly.
            let mut out = String::from("\u{feff}");
            out.push_str(&CSV_COLUMNS.join(","));
            out.push_str("\r\n");
            for o in &objects {
                let cells: Vec<String> = CSV_COLUMNS.iter().map(|c| csv_cell(&o[*c])).collect();
                out.push_str(&cells.join(","));
                out.push_str("\r\n");
            }
            out
        }
    };
    let written = match &output {
        Some(path) => {
            let tmp = path.with_extension("tmp");
            std::fs::write(&tmp, &text)
                .and_then(|_| std::fs::rename(&tmp, path))
                .inspect_err(|_| {
                    let _ = std::fs::remove_file(&tmp);
                })
        }
        None => std::io::stdout().write_all(text.as_bytes()),
    };
    match written {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("paddock: could not write the export: {e}");
            1
        }
    }
}

async fn key(paddock: &Paddock, action: KeyAction) -> u8 {
    match action {
        KeyAction::Set => {
            if std::io::stdin().is_terminal() {
                eprintln!(
                    "Paste the API key and press Enter (it is not echoed to the history or logs):"
                );
            }
            // Read on a blocking thread; Ctrl+C meanwhile turns echo back on first.
            let read = tokio::task::spawn_blocking(read_secret_line);
            let line = tokio::select! {
                read = read => match read {
                    Ok(Ok(line)) => line,
                    Ok(Err(e)) => {
                        eprintln!("paddock: could not read stdin: {e}");
                        return 2;
                    }
                    Err(e) => {
                        eprintln!("paddock: could not read stdin: {e}");
                        return 2;
                    }
                },
                _ = tokio::signal::ctrl_c() => {
                    set_echo(true);
                    eprintln!();
                    return 130;
                }
            };
            match paddock.set_key(&line).await {
                Ok(status) => {
                    println!(
                        "stored in the system keyring ({})",
                        status.hint.unwrap_or_default()
                    );
                    0
                }
                Err(e) => fail(&e),
            }
        }
        KeyAction::Status => match paddock.key_status().await {
            Ok(s) => {
                let base = paddock
                    .base_url()
                    .map(|b| b.as_str().to_owned())
                    .unwrap_or_default();
                let hint = s.hint.unwrap_or_default();
                match s.source {
                    KeySource::Keyring => println!("{base}: stored in the system keyring ({hint})"),
                    KeySource::Environment => {
                        println!("{base}: from the ANYFAST_API_KEY environment variable ({hint})")
                    }
                    KeySource::None => println!("{base}: not set"),
                }
                if let Some(e) = s.keyring_error {
                    eprintln!("paddock: {e}");
                }
                if s.source == KeySource::None {
                    3
                } else {
                    0
                }
            }
            Err(e) => fail(&e),
        },
        KeyAction::Remove => match paddock.remove_key().await {
            Ok(_) => {
                println!("removed from the system keyring");
                0
            }
            Err(e) => fail(&e),
        },
    }
}
