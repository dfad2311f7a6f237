//! The webview's entry points. Each one is a thin call into the core (`service`);
//! errors reach the page as `{code, message, ...}`. All are async so none runs on
//! the main thread.

use serde::Serialize;
use tauri::State;

use crate::keystore::KeyStatus;
use crate::service::{AppError, Paddock, SettingsView};
use crate::settings::Settings;
use crate::store::StoredError;
use crate::tracker::{AddSummary, TaskDetail, TaskRow, Tracker};

/// What the page needs once at start-up.
#[derive(Serialize)]
pub struct AppInfo {
    version: &'static str,
    notices: Vec<String>,
}

/// Version and start-up notices (a damaged settings file moved aside, ...).
#[tauri::command]
pub async fn app_info(paddock: State<'_, Paddock>) -> Result<AppInfo, AppError> {
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION"),
        notices: paddock.notices.clone(),
    })
}

/// The saved settings and what the environment overrides.
#[tauri::command]
pub async fn get_settings(paddock: State<'_, Paddock>) -> Result<SettingsView, AppError> {
    Ok(paddock.settings())
}

/// Validates and saves the settings.
#[tauri::command]
pub async fn save_settings(
    paddock: State<'_, Paddock>,
    settings: Settings,
) -> Result<SettingsView, AppError> {
    paddock.save_settings(settings)
}

/// Where the key comes from and its masked hint; never the key.
#[tauri::command]
pub async fn key_status(paddock: State<'_, Paddock>) -> Result<KeyStatus, AppError> {
    paddock.key_status().await
}

/// Stores the key in the system keyring for the current gateway.
#[tauri::command]
pub async fn set_api_key(paddock: State<'_, Paddock>, key: String) -> Result<KeyStatus, AppError> {
    paddock.set_key(&key).await
}

/// Deletes the current gateway's key from the keyring.
#[tauri::command]
pub async fn remove_api_key(paddock: State<'_, Paddock>) -> Result<KeyStatus, AppError> {
    paddock.remove_key().await
}

/// Every tracked task, newest first.
#[tauri::command]
pub async fn list_tasks(tracker: State<'_, Tracker>) -> Result<Vec<TaskRow>, AppError> {
    Ok(tracker.rows())
}

/// Every field of one task and its raw answer, for the detail pane.
#[tauri::command]
pub async fn task_detail(
    tracker: State<'_, Tracker>,
    id: String,
) -> Result<Option<TaskDetail>, AppError> {
    Ok(tracker.detail(&id))
}

/// Adds every task ID found in pasted text and starts watching the new ones.
#[tauri::command]
pub async fn add_tasks(paddock: State<'_, Paddock>, text: String) -> Result<AddSummary, AppError> {
    paddock.add_text(text).await
}

/// Forgets tasks.
#[tauri::command]
pub async fn remove_tasks(
    tracker: State<'_, Tracker>,
    ids: Vec<String>,
) -> Result<usize, AppError> {
    Ok(tracker.remove(ids).await?)
}

/// Forgets every task that will not change any more.
#[tauri::command]
pub async fn clear_finished(tracker: State<'_, Tracker>) -> Result<usize, AppError> {
    Ok(tracker.clear_finished().await?)
}

/// Asks the gateway again now about one task.
#[tauri::command]
pub async fn refresh_task(tracker: State<'_, Tracker>, id: String) -> Result<(), AppError> {
    tracker.refresh(&id);
    Ok(())
}

/// Asks the gateway again now about every unfinished task.
#[tauri::command]
pub async fn refresh_all(tracker: State<'_, Tracker>) -> Result<(), AppError> {
    tracker.refresh_all();
    Ok(())
}

/// Drops a finished task's "new" mark.
#[tauri::command]
pub async fn mark_seen(tracker: State<'_, Tracker>, id: String) -> Result<(), AppError> {
    Ok(tracker.mark_seen(&id).await?)
}

/// Why querying is paused (a rejected key), or null.
#[tauri::command]
pub async fn poller_status(tracker: State<'_, Tracker>) -> Result<Option<StoredError>, AppError> {
    Ok(tracker.paused())
}
