//! The webview's entry points. Each one is a thin call into the core (`service`);
//! errors reach the page as `{code, message, ...}`. All are async so none runs on
//! the main thread.

use serde::Serialize;
use serde_json::Value;
use tauri::State;

use crate::api::TaskSnapshot;
use crate::ids::{extract_ids, Extraction};
use crate::keystore::KeyStatus;
use crate::service::{AppError, Paddock, SettingsView};
use crate::settings::Settings;

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

/// One task's state, and the raw answer for the "raw JSON" view.
#[derive(Serialize)]
pub struct QueryResult {
    task: TaskSnapshot,
    raw: Value,
}

/// Asks the gateway about one task.
#[tauri::command]
pub async fn query_task(paddock: State<'_, Paddock>, id: String) -> Result<QueryResult, AppError> {
    let outcome = paddock.query(&id).await?;
    Ok(QueryResult {
        task: outcome.task,
        raw: outcome.raw,
    })
}

/// Finds the task IDs in pasted text (runs on the blocking pool: pastes can be megabytes).
#[tauri::command]
pub async fn extract_task_ids(text: String) -> Result<Extraction, AppError> {
    Ok(
        tauri::async_runtime::spawn_blocking(move || extract_ids(&text))
            .await
            .unwrap_or_default(),
    )
}
