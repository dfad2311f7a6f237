//! What the command line prints: a readable block per task, JSON Lines with every
//! key of the contract, one line per change while watching, and the CSV or JSON
//! export of the history.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::{json, Value};

use super::{start, ExportFormat};
use crate::gateway::{Status, TaskSnapshot};
use crate::paddock::Paddock;
use crate::tasks::{NoEvents, TaskDetail, Tracking};
use crate::timefmt;

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
        // Filled in by `detail_json` for tasks created from Paddock.
        map.insert("model".into(), Value::Null);
        map.insert("request".into(), Value::Null);
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

pub(super) fn detail_json(d: &TaskDetail) -> Value {
    let err = d
        .row
        .error
        .as_ref()
        .map(|e| (e.code.as_str(), e.message.as_str()));
    let mut v = task_json(&d.row.id, d.task.as_ref(), d.row.saved_path.as_deref(), err);
    if let Some(created) = &d.created {
        v["model"] = json!(created.model);
        v["request"] = created.request.clone();
    }
    v["starred"] = json!(d.row.starred);
    v["tags"] = json!(d.row.tags);
    v
}

pub(super) fn print_block(
    id: &str,
    task: Option<&TaskSnapshot>,
    saved: Option<&str>,
    error: Option<&str>,
) {
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

/// 1 for a failed task, else 0.
pub(super) fn task_exit_code(task: &TaskSnapshot) -> u8 {
    if task.status == Status::Failed {
        1
    } else {
        0
    }
}

pub(super) fn print_change(d: &TaskDetail, json: bool) {
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

pub(super) fn export(paddock: &Paddock, format: ExportFormat, output: Option<PathBuf>) -> u8 {
    if let Err(code) = start(paddock, Arc::new(NoEvents)) {
        return code;
    }
    let objects: Vec<Value> = paddock
        .rows()
        .unwrap_or_default()
        .iter()
        .filter_map(|r| paddock.task(&r.id).ok().flatten())
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
