//! What the tracker shows: the row of the list, the detail pane, the summary of a
//! paste, and the events it sends when they change.

use serde::Serialize;
use serde_json::Value;

use super::record::CreatedHere;
use super::store::{StoredError, TaskRecord, Tracking};
use crate::error::Error;
use crate::gateway::{Status, TaskSnapshot};
use crate::timefmt::rfc3339;
use crate::videos::{default_file_name, Progress};

/// Where the tracker reports changes; the GUI turns these into Tauri events, the
/// CLI into lines on stdout.
pub trait TaskEvents: Send + Sync + 'static {
    fn changed(&self, rows: &[TaskRow]);
    fn removed(&self, ids: &[String]);
    /// Querying stopped because the key was rejected (`Some`), or resumed (`None`).
    fn paused(&self, reason: Option<&StoredError>);
    /// A task reached SUCCESS or FAILURE while being watched.
    fn finished(&self, row: &TaskRow);
    /// A save of this task's video moved on (`Some`) or ended (`None`), whichever
    /// started it: auto-save, the Save button or the CLI.
    fn saving(&self, _id: &str, _progress: Option<&Progress>) {}
    /// An auto-save is over (saved, failed or given up), and no longer counts as
    /// work in progress.
    fn auto_save_ended(&self, _id: &str) {}
}

/// Events nobody listens to.
pub struct NoEvents;

impl TaskEvents for NoEvents {
    fn changed(&self, _: &[TaskRow]) {}
    fn removed(&self, _: &[String]) {}
    fn paused(&self, _: Option<&StoredError>) {}
    fn finished(&self, _: &TaskRow) {}
}

/// One task as the list shows it: small, so ten thousand of them cross IPC quickly
/// (absent values are left out rather than sent as null).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TaskRow {
    pub id: String,
    pub base_url: String,
    pub added_at: String,
    pub tracking: Tracking,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw_status: Option<String>,
    pub status_recognized: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub progress: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// What was asked for: the gallery's badges, filters and sort.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolution: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ratio: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub submitted_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub video_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub video_expires_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub saved_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fail_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<StoredError>,
    /// Set while a passing fault (429, 5xx, network) is waited out: when the next
    /// try is due. The row reads "waiting", not "error".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_at: Option<String>,
    /// The error is a passing fault being waited out (429, 5xx, network): shown
    /// calmly as "waiting", not as an error that needs the user.
    pub waiting: bool,
    pub unseen: bool,
    /// A query is in flight right now.
    pub checking: bool,
    /// The model, for a task created from Paddock (`t2v`, `i2v`, `r2v`, `edit`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    pub starred: bool,
    pub tags: Vec<String>,
}

/// Everything about one task, for the detail pane.
#[derive(Debug, Clone, Serialize)]
pub struct TaskDetail {
    pub row: TaskRow,
    pub task: Option<TaskSnapshot>,
    pub raw: Option<Value>,
    /// How it was asked for, when it was created from Paddock.
    pub created: Option<CreatedHere>,
    /// Where the webview can play the saved copy (filled in by the service).
    pub local_video_url: Option<String>,
}

impl TaskDetail {
    /// The name this task's video is saved under unless the user picks another:
    /// `2026-04-28_a-cat-running_6ya0c3e1.mp4`. The window, auto-save and the CLI
    /// all name it here.
    pub fn video_file_name(&self) -> String {
        let task = self.task.as_ref();
        default_file_name(
            &self.row.id,
            task.and_then(|t| t.prompt.as_deref()),
            task.and_then(|t| t.finished_at),
        )
    }
}

/// What a paste did: "3 added, 1 already tracked, 2 not task IDs".
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct AddSummary {
    pub added: usize,
    pub already_tracked: usize,
    pub rejected: usize,
    /// The IDs that were new.
    pub ids: Vec<String>,
    /// The paste's first task ID, new or already tracked: the one the window shows.
    pub first: Option<String>,
}

const PROMPT_SNIPPET: usize = 160;

/// The row of one task: what the list and the CLI show.
pub(super) fn row_of(
    record: &TaskRecord,
    snapshot: Option<&TaskSnapshot>,
    retry_at: Option<i64>,
    checking: bool,
) -> TaskRow {
    let s = snapshot;
    TaskRow {
        id: record.id.clone(),
        base_url: record.base_url.clone(),
        added_at: rfc3339(record.added_at),
        tracking: record.tracking,
        status: s.map(|t| t.status),
        raw_status: s.and_then(|t| t.raw_status.clone()),
        status_recognized: s.is_none_or(|t| t.status_recognized),
        progress: s.and_then(|t| t.progress),
        prompt: s
            .and_then(|t| t.prompt.as_ref())
            .map(|p| p.chars().take(PROMPT_SNIPPET).collect()),
        action: s.and_then(|t| t.action.clone()),
        resolution: s.and_then(|t| t.resolution.clone()),
        duration: s.and_then(|t| t.duration).filter(|d| d.is_finite()),
        ratio: s.and_then(|t| t.ratio.clone()),
        submitted_at: s.and_then(|t| t.submitted_at).map(rfc3339),
        finished_at: s.and_then(|t| t.finished_at).map(rfc3339),
        // Plain http only from a gateway on this computer (see `video_link_allowed`);
        // the https test is first so ten thousand rows need no URL parsing.
        video_url: s.and_then(|t| t.video_url.clone()).filter(|u| {
            u.starts_with("https://") || crate::gateway::video_link_allowed(u, &record.base_url)
        }),
        video_expires_at: s.and_then(|t| t.video_expires_at).map(rfc3339),
        saved_path: record.saved_path.clone(),
        fail_reason: s.and_then(|t| t.fail_reason.clone()),
        error: record.error.clone(),
        retry_at: retry_at.map(rfc3339),
        waiting: record.tracking == Tracking::Active
            && record
                .error
                .as_ref()
                .is_some_and(|e| Error::is_transient_code(&e.code)),
        unseen: record.unseen,
        checking,
        model: record.created.as_ref().map(|c| c.model.clone()),
        starred: record.starred,
        tags: record.tags.clone(),
    }
}
