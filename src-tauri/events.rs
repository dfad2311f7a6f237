//! The tracker's reports as Tauri events for the webview. A failed emit is logged,
//! never fatal: the next change brings the page up to date anyway.

use tauri::{AppHandle, Emitter, Runtime};

use crate::store::StoredError;
use crate::tracker::{TaskEvents, TaskRow};

/// Event names the page listens to (`ui/js/api.js`).
pub const TASKS_CHANGED: &str = "tasks-changed";
pub const TASKS_REMOVED: &str = "tasks-removed";
pub const POLLER_PAUSED: &str = "poller-paused";
pub const TASK_FINISHED: &str = "task-finished";

pub struct TauriEvents<R: Runtime>(pub AppHandle<R>);

impl<R: Runtime> TauriEvents<R> {
    fn emit<S: serde::Serialize + Clone>(&self, name: &str, payload: S) {
        if let Err(e) = self.0.emit(name, payload) {
            tracing::warn!(event = name, error = %e, "could not send an event to the window");
        }
    }
}

impl<R: Runtime> TaskEvents for TauriEvents<R> {
    fn changed(&self, rows: &[TaskRow]) {
        self.emit(TASKS_CHANGED, rows);
    }

    fn removed(&self, ids: &[String]) {
        self.emit(TASKS_REMOVED, ids);
    }

    fn paused(&self, reason: Option<&StoredError>) {
        self.emit(POLLER_PAUSED, reason);
    }

    fn finished(&self, row: &TaskRow) {
        self.emit(TASK_FINISHED, row);
    }
}
