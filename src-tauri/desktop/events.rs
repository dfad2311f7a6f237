//! The tracker's reports as Tauri events for the webview. A failed emit is logged,
//! never fatal: the next change brings the page up to date anyway.

use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;

use crate::gateway::Status;
use crate::paddock::{Paddock, Word};
use crate::videos::Progress;

use crate::tasks::StoredError;
use crate::tasks::{TaskEvents, TaskRow};

/// The one Tauri event the page subscribes to (`ui/js/api.js`, `onBackendEvents`).
/// Each report goes out as `{name, payload}` under it. One subscription instead of
/// one per report: each `listen` costs the page an IPC call and a script run while
/// its first screen is drawn, which held that paint up by about 15 ms (`./dev bench`).
pub const BACKEND: &str = "backend";

/// The reports' names, as the page's `backend-events.js` knows them.
pub const TASKS_CHANGED: &str = "tasks-changed";
pub const TASKS_REMOVED: &str = "tasks-removed";
pub const POLLER_PAUSED: &str = "poller-paused";
pub const TASK_FINISHED: &str = "task-finished";
pub const VIDEO_SAVING: &str = "video-saving";
/// Asks the page to select a task (a clicked notification, `background.rs`).
pub const SELECT_TASK: &str = "select-task";

/// One report as the page receives it.
#[derive(Clone, serde::Serialize)]
struct Report<'a, P> {
    name: &'a str,
    payload: P,
}

/// Sends one report to the page, under the one event it subscribes to.
pub fn report<R: Runtime, P: serde::Serialize + Clone>(
    app: &AppHandle<R>,
    name: &str,
    payload: P,
) -> tauri::Result<()> {
    app.emit(BACKEND, Report { name, payload })
}

/// One save's progress for the page, or its end (`progress: null`).
#[derive(Clone, serde::Serialize)]
struct Saving<'a> {
    id: &'a str,
    progress: Option<&'a Progress>,
}

pub struct TauriEvents<R: Runtime>(pub AppHandle<R>);

impl<R: Runtime> TauriEvents<R> {
    fn emit<S: serde::Serialize + Clone>(&self, name: &str, payload: S) {
        if let Err(e) = report(&self.0, name, payload) {
            tracing::warn!(event = name, error = %e, "could not send an event to the window");
        }
    }
}

impl<R: Runtime> TaskEvents for TauriEvents<R> {
    fn changed(&self, rows: &[TaskRow]) {
        self.emit(TASKS_CHANGED, rows);
        super::tray::refresh(&self.0);
    }

    fn removed(&self, ids: &[String]) {
        self.emit(TASKS_REMOVED, ids);
    }

    fn paused(&self, reason: Option<&StoredError>) {
        self.emit(POLLER_PAUSED, reason);
    }

    fn finished(&self, row: &TaskRow) {
        self.emit(TASK_FINISHED, row);
        self.notify(row);
    }

    fn saving(&self, id: &str, progress: Option<&Progress>) {
        self.emit(VIDEO_SAVING, Saving { id, progress });
        if progress.is_none() {
            super::tray::refresh(&self.0);
        }
    }

    fn auto_save_ended(&self, _id: &str) {
        super::tray::refresh(&self.0);
    }
}

impl<R: Runtime> TauriEvents<R> {
    /// A desktop notification, when the user has not turned them off. Best effort:
    /// without a notification daemon the in-app mark on the row is what remains.
    fn notify(&self, row: &TaskRow) {
        let Some(paddock) = self.0.try_state::<Paddock>() else {
            return;
        };
        let settings = paddock.settings().settings;
        if !settings.notifications {
            return;
        }
        let words = paddock.language();
        let what: String = row
            .prompt
            .as_deref()
            .unwrap_or(&row.id)
            .chars()
            .take(80)
            .collect();
        // Linux notification servers read the body as markup; elsewhere it is text.
        let what = if cfg!(target_os = "linux") {
            escape_markup(&what)
        } else {
            what
        };
        let title = words.say(if row.status == Some(Status::Succeeded) {
            Word::VideoReady
        } else {
            Word::TaskFailed
        });
        if let Err(e) = self
            .0
            .notification()
            .builder()
            .title(title)
            .body(what)
            // A click brings the window up on this task (`background::follow_notification_clicks`).
            .extra("task", &row.id)
            .show()
        {
            tracing::info!(error = %e, "desktop notification not shown");
        }
    }
}

/// Notification servers read the body as markup (`<b>`, `<a href>`): a prompt is
/// shown as the text it is.
pub fn escape_markup(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    #[test]
    fn notification_bodies_are_text_not_markup() {
        assert_eq!(
            super::escape_markup("<a href=\"x\">cat & dog</a>"),
            "&lt;a href=\"x\"&gt;cat &amp; dog&lt;/a&gt;"
        );
    }
}
