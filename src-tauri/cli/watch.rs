//! `paddock watch`: poll tasks until every one is finished, print each change, and
//! save each video as its task succeeds.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::mpsc;

use super::output::print_change;
use super::save::save_into;
use super::{fail, start};
use crate::error::exit_code_of;
use crate::gateway::Status;
use crate::paddock::Paddock;
use crate::tasks::{StoredError, TaskEvents, TaskRow, Tracking};

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

/// What a change line shows of a row: a new line is printed only when this differs.
#[derive(Clone, PartialEq)]
struct Shown {
    status: Option<Status>,
    progress: Option<u8>,
    tracking: Tracking,
    error: Option<String>,
}

impl Shown {
    fn of(row: &TaskRow) -> Self {
        Self {
            status: row.status,
            progress: row.progress,
            tracking: row.tracking,
            error: row.error.as_ref().map(|e| e.code.clone()),
        }
    }
}

fn row_code(row: &TaskRow) -> u8 {
    match row.tracking {
        Tracking::NotFound => 4,
        Tracking::GaveUp => 1,
        Tracking::Final if row.status == Some(Status::Failed) => 1,
        _ => row.error.as_ref().map_or(0, |e| exit_code_of(&e.code)),
    }
}

pub(super) async fn watch(
    paddock: &Paddock,
    ids: Vec<String>,
    save_dir: Option<PathBuf>,
    max_size: Option<u64>,
    json: bool,
) -> u8 {
    let (events, rx) = channel_events();
    if let Err(code) = start(paddock, events) {
        return code;
    }
    let targets: Vec<String> = if ids.is_empty() {
        paddock
            .rows()
            .unwrap_or_default()
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
    follow(paddock, rx, targets, save_dir, max_size, json).await
}

/// Events for a watch, and where the watch reads them: pass the first to `start`.
pub(super) fn channel_events() -> (Arc<dyn TaskEvents>, mpsc::UnboundedReceiver<TaskRow>) {
    let (tx, rx) = mpsc::unbounded_channel();
    (Arc::new(ChannelEvents(tx)), rx)
}

/// Polls `targets` to the end on a tracker started with [`channel_events`],
/// printing each change and saving each video.
pub(super) async fn follow(
    paddock: &Paddock,
    mut rx: mpsc::UnboundedReceiver<TaskRow>,
    targets: Vec<String>,
    save_dir: Option<PathBuf>,
    max_size: Option<u64>,
    json: bool,
) -> u8 {
    // Watching again means asking again, even about tasks the history calls final.
    for id in &targets {
        let _ = paddock.refresh(id);
    }
    let poller = match paddock.poller() {
        Ok(poller) => tokio::spawn(poller),
        Err(e) => return fail(&e),
    };
    let mut last: HashMap<String, Shown> = HashMap::new();
    let mut saved: HashMap<String, u8> = HashMap::new();
    let mut interrupted = false;
    // One listener for the whole watch: one made anew each turn of the loop missed a
    // Ctrl+C that came while a change was being printed or saved, and the watch went
    // on (a test run hung on it).
    let interrupt = tokio::signal::ctrl_c();
    tokio::pin!(interrupt);
    loop {
        let done = targets.iter().all(|id| {
            paddock
                .task(id)
                .ok()
                .flatten()
                .is_none_or(|d| d.row.tracking != Tracking::Active)
        }) || paddock.paused().is_some();
        if done {
            break;
        }
        tokio::select! {
            // First, so it is registered on the first turn even when a change is
            // already waiting (until then a Ctrl+C ends the process outright).
            biased;
            _ = &mut interrupt => {
                interrupted = true;
                break;
            }
            row = rx.recv() => {
                let Some(row) = row else { break };
                if !targets.contains(&row.id) {
                    continue;
                }
                let Ok(Some(d)) = paddock.task(&row.id) else { continue };
                let shown = Shown::of(&row);
                let changed = last.insert(row.id.clone(), shown.clone()) != Some(shown);
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
        }
    }
    poller.abort();
    if interrupted {
        eprintln!("paddock: interrupted; the history keeps everything seen so far");
        return 130;
    }
    if let Some(reason) = paddock.paused() {
        eprintln!("paddock: {}", reason.message);
        return exit_code_of(&reason.code);
    }
    let mut worst = 0;
    for id in &targets {
        if let Ok(Some(d)) = paddock.task(id) {
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
