//! `paddock list`, `remove`, `star`, `unstar` and `tag`: reading the history and
//! changing it.

use std::sync::Arc;

use super::output::{self, print_block};
use super::{fail, start, StatusArg};
use crate::gateway::Status;
use crate::paddock::Paddock;
use crate::tasks::{NoEvents, TaskRow};

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

fn marks_match(row: &TaskRow, starred: bool, tag: Option<&str>) -> bool {
    (!starred || row.starred)
        && tag.is_none_or(|tag| {
            let tag = crate::tasks::tags::clean_tag(tag)
                .unwrap_or_default()
                .to_lowercase();
            row.tags.iter().any(|t| t.to_lowercase() == tag)
        })
}

pub(super) fn list(
    paddock: &Paddock,
    status: Option<StatusArg>,
    starred: bool,
    tag: Option<String>,
    json: bool,
) -> u8 {
    if let Err(code) = start(paddock, Arc::new(NoEvents)) {
        return code;
    }
    for row in paddock
        .rows()
        .unwrap_or_default()
        .into_iter()
        .filter(|r| status_matches(r, status) && marks_match(r, starred, tag.as_deref()))
    {
        let Ok(Some(d)) = paddock.task(&row.id) else {
            continue;
        };
        if json {
            println!("{}", output::detail_json(&d));
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

/// Stars (or unstars) each task; an ID that is malformed or not in the history is
/// reported, and the others are still marked.
pub(super) async fn star(paddock: &Paddock, ids: Vec<String>, on: bool) -> u8 {
    if let Err(code) = start(paddock, Arc::new(NoEvents)) {
        return code;
    }
    let mut worst = 0;
    for id in &ids {
        match paddock.set_starred(id, on).await {
            Ok(true) => {}
            Ok(false) => {
                eprintln!("paddock: {id}: not in the history");
                worst = worst.max(4);
            }
            Err(e) => {
                eprintln!("paddock: {id}: {e}");
                worst = worst.max(e.exit_code());
            }
        }
    }
    worst
}

/// Adds and removes one task's tags, then prints the tags it has, one a line.
pub(super) async fn tag(paddock: &Paddock, id: &str, add: Vec<String>, remove: Vec<String>) -> u8 {
    if let Err(code) = start(paddock, Arc::new(NoEvents)) {
        return code;
    }
    match paddock.change_tags(id, &add, &remove).await {
        Ok(Some(tags)) => {
            for t in tags {
                println!("{t}");
            }
            0
        }
        Ok(None) => {
            eprintln!("paddock: {id}: not in the history");
            4
        }
        Err(e) => fail(&e),
    }
}

/// Removes tasks from the history, so a row that misbehaves can always be taken out
/// without opening the window. Unknown IDs are reported, not an error for the rest.
pub(super) async fn remove(paddock: &Paddock, ids: Vec<String>) -> u8 {
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
    if let Err(code) = start(paddock, Arc::new(NoEvents)) {
        return code;
    }
    let known: Vec<String> = valid
        .iter()
        .filter(|id| {
            let known = matches!(paddock.task(id), Ok(Some(_)));
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
    match paddock.remove(known).await {
        Ok(n) => {
            println!("{n} removed");
            worst
        }
        Err(e) => fail(&e),
    }
}
