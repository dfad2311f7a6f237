//! The webview's entry points. Each one is a thin call into the core facade
//! (`Paddock`);
//! errors reach the page as `{code, message, ...}`. All are async so none runs on
//! the main thread.

use std::path::PathBuf;

use serde::Serialize;
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, Runtime, State};
use tauri_plugin_dialog::DialogExt;
use tauri_plugin_opener::OpenerExt;

use crate::error::Error;
use crate::gateway::{Balance, CreateRequest};
use crate::ids::TaskId;
use crate::keys::KeyStatus;
use crate::paddock::{DestinationTicket, Paddock, SettingsView};
use crate::settings::Settings;
use crate::tasks::{AddSummary, NewestRows, StoredError, TaskDetail, TaskRow};
use crate::videos::Progress;

use super::{heap, launcher};

/// Every ID the page sends is checked before anything else happens.
fn task_id(text: &str) -> Result<TaskId, Error> {
    TaskId::parse(text).map_err(Error::from)
}

/// What the page needs once at start-up.
#[derive(Serialize)]
pub struct AppInfo {
    version: &'static str,
    notices: Vec<String>,
}

/// Version and start-up notices (a damaged settings file moved aside, ...).
#[tauri::command]
pub async fn app_info(paddock: State<'_, Paddock>) -> Result<AppInfo, Error> {
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION"),
        notices: paddock.notices.clone(),
    })
}

/// The saved settings and what the environment overrides.
#[tauri::command]
pub async fn get_settings(paddock: State<'_, Paddock>) -> Result<SettingsView, Error> {
    Ok(paddock.settings())
}

/// Validates and saves the settings.
#[tauri::command]
pub async fn save_settings<R: Runtime>(
    app: AppHandle<R>,
    paddock: State<'_, Paddock>,
    settings: Settings,
) -> Result<SettingsView, Error> {
    let view = paddock.save_settings(settings)?;
    super::background::sync_autostart(&app, false);
    Ok(view)
}

/// Where the key comes from and its masked hint; never the key.
#[tauri::command]
pub async fn key_status(paddock: State<'_, Paddock>) -> Result<KeyStatus, Error> {
    paddock.key_status().await
}

/// Stores the key in the system keyring for the current gateway.
#[tauri::command]
pub async fn set_api_key(paddock: State<'_, Paddock>, key: String) -> Result<KeyStatus, Error> {
    paddock.set_key(&key).await
}

/// Deletes the current gateway's key from the keyring.
#[tauri::command]
pub async fn remove_api_key(paddock: State<'_, Paddock>) -> Result<KeyStatus, Error> {
    paddock.remove_key().await
}

/// Every tracked task, newest first.
#[tauri::command]
pub async fn list_tasks(paddock: State<'_, Paddock>) -> Result<Vec<TaskRow>, Error> {
    paddock.rows()
}

/// The newest tasks (at most 1,000) and how many there are: what the window paints
/// first, before asking for the rest with `list_tasks`.
#[tauri::command]
pub async fn list_newest_tasks(
    paddock: State<'_, Paddock>,
    limit: usize,
) -> Result<NewestRows, Error> {
    paddock.newest_rows(limit.min(1_000))
}

/// Every field of one task and its raw answer, for the detail pane.
#[tauri::command]
pub async fn task_detail(
    paddock: State<'_, Paddock>,
    id: String,
) -> Result<Option<TaskDetail>, Error> {
    paddock.detail(task_id(&id)?.as_str()).await
}

/// Adds every task ID found in pasted text and starts watching the new ones.
#[tauri::command]
pub async fn add_tasks(paddock: State<'_, Paddock>, text: String) -> Result<AddSummary, Error> {
    paddock.add_text(text).await
}

/// Forgets tasks.
#[tauri::command]
pub async fn remove_tasks(paddock: State<'_, Paddock>, ids: Vec<String>) -> Result<usize, Error> {
    let ids = ids
        .iter()
        .map(|id| task_id(id).map(|id| id.as_str().to_owned()))
        .collect::<Result<Vec<_>, _>>()?;
    paddock.remove(ids).await
}

/// Forgets every task that will not change any more.
#[tauri::command]
pub async fn clear_finished(paddock: State<'_, Paddock>) -> Result<usize, Error> {
    paddock.clear_finished().await
}

/// Asks the gateway again now about one task.
#[tauri::command]
pub async fn refresh_task(paddock: State<'_, Paddock>, id: String) -> Result<(), Error> {
    paddock.refresh(task_id(&id)?.as_str())
}

/// Asks the gateway again now about every unfinished task.
#[tauri::command]
pub async fn refresh_all(paddock: State<'_, Paddock>) -> Result<(), Error> {
    paddock.refresh_all()
}

/// Drops a finished task's "new" mark.
#[tauri::command]
pub async fn mark_seen(paddock: State<'_, Paddock>, id: String) -> Result<(), Error> {
    paddock.mark_seen(task_id(&id)?.as_str()).await
}

/// Stars or unstars tasks (the list's star, or `S`).
#[tauri::command]
pub async fn set_starred(
    paddock: State<'_, Paddock>,
    ids: Vec<String>,
    starred: bool,
) -> Result<(), Error> {
    // The page is not trusted with an endless list: more than the history holds
    // in practice is refused.
    if ids.len() > 100_000 {
        return Err(Error::InvalidRequest("Too many tasks at once.".into()));
    }
    // Every ID checked before any is changed: a bad one changes nothing.
    let ids = ids
        .iter()
        .map(|id| task_id(id).map(|id| id.as_str().to_owned()))
        .collect::<Result<Vec<_>, _>>()?;
    for id in &ids {
        paddock.set_starred(id, starred).await?;
    }
    Ok(())
}

/// Adds and removes one task's tags; its tags after.
#[tauri::command]
pub async fn change_tags(
    paddock: State<'_, Paddock>,
    id: String,
    add: Vec<String>,
    remove: Vec<String>,
) -> Result<Vec<String>, Error> {
    paddock
        .change_tags(&id, &add, &remove)
        .await?
        .ok_or_else(|| Error::InvalidRequest("That task is no longer in the list.".into()))
}

/// Billed seconds of finished tasks per local day and tier (the Usage view).
#[tauri::command]
pub async fn usage_summary(
    paddock: State<'_, Paddock>,
    since: Option<String>,
) -> Result<crate::tasks::usage::Usage, Error> {
    paddock.usage(since).await
}

/// Why querying is paused (a rejected key), or null.
#[tauri::command]
pub async fn poller_status(paddock: State<'_, Paddock>) -> Result<Option<StoredError>, Error> {
    Ok(paddock.paused())
}

/// The page has painted its first task list. Logged so that start-up can be timed
/// from outside the process (`./dev bench` waits for this line); then the work the
/// first paint did not wait for begins: the HTTP clients are built and the keyring
/// is probed. Once start-up has settled, the memory it freed is given back.
#[tauri::command]
pub async fn frontend_ready(
    paddock: State<'_, Paddock>,
    first_paint_ms: f64,
    tasks: usize,
) -> Result<(), Error> {
    tracing::info!(first_paint_ms, tasks, "window painted its task list");
    tauri::async_runtime::spawn(heap::give_back_after_start_up());
    paddock.after_first_paint().await;
    Ok(())
}

/// Asks where to save a task's video, suggesting a name in the Videos/Paddock folder.
/// The chosen path stays in Rust: the page gets a ticket to save with and the path
/// to show, or null when the user cancels. Debug builds take `PADDOCK_SAVE_PATH`
/// instead of showing the dialog, so end-to-end tests can save without one.
#[tauri::command]
pub async fn choose_save_path<R: Runtime>(
    app: AppHandle<R>,
    paddock: State<'_, Paddock>,
    id: String,
) -> Result<Option<DestinationTicket>, Error> {
    let id = task_id(&id)?;
    let name = paddock.default_file_name(id.as_str())?;
    if cfg!(debug_assertions) {
        if let Some(dir) = std::env::var_os("PADDOCK_SAVE_PATH") {
            // As if the dialog had asked about replacing the file and been told yes.
            let path = PathBuf::from(dir).join(&name);
            return Ok(Some(paddock.hold_destination(&id, path, true)?));
        }
    }
    let folder = app.path().video_dir().ok().map(|d| d.join("Paddock"));
    let (tx, rx) = tokio::sync::oneshot::channel();
    let mut dialog = app
        .dialog()
        .file()
        .set_file_name(&name)
        .add_filter("MP4", &["mp4"]);
    if let Some(folder) = folder {
        let _ = tokio::fs::create_dir_all(&folder).await;
        dialog = dialog.set_directory(folder);
    }
    dialog.save_file(move |chosen| {
        let _ = tx.send(chosen.and_then(|p| p.into_path().ok()));
    });
    match rx.await.ok().flatten() {
        // The native dialog has already asked before replacing an existing file.
        Some(path) => Ok(Some(paddock.hold_destination(&id, path, true)?)),
        None => Ok(None),
    }
}

/// Saves a task's video to the destination chosen for it (by ticket), reporting
/// cumulative progress on `on_progress`. The bytes go from the storage host to
/// disk; none cross IPC.
#[tauri::command]
pub async fn save_video(
    paddock: State<'_, Paddock>,
    id: String,
    ticket: String,
    on_progress: Channel<Progress>,
) -> Result<String, Error> {
    let id = task_id(&id)?;
    let saved = paddock
        .save_to_destination(&id, &ticket, |p| {
            if let Err(e) = on_progress.send(p) {
                tracing::debug!(error = %e, "progress not delivered");
            }
        })
        .await?;
    Ok(saved.display().to_string())
}

/// Creates one task (one POST; never repeated) and starts watching it.
#[tauri::command]
pub async fn create_task(
    paddock: State<'_, Paddock>,
    request: CreateRequest,
) -> Result<String, Error> {
    paddock.create(&request).await
}

/// Prompts used before that contain `query`, newest first.
#[tauri::command]
pub async fn recent_prompts(
    paddock: State<'_, Paddock>,
    query: String,
) -> Result<Vec<String>, Error> {
    let query: String = query.chars().take(200).collect();
    paddock.recent_prompts(query).await
}

/// The key's balance where the gateway tells it, else null.
#[tauri::command]
pub async fn gateway_balance(paddock: State<'_, Paddock>) -> Result<Option<Balance>, Error> {
    paddock.balance().await
}

/// Stops a running download.
#[tauri::command]
pub async fn cancel_download(paddock: State<'_, Paddock>, id: String) -> Result<bool, Error> {
    Ok(paddock.cancel_download(task_id(&id)?.as_str()))
}

/// The system could not show or open what was asked for.
fn could_not_open(target: String, e: impl std::fmt::Display) -> Error {
    Error::OpenFailed {
        target,
        reason: e.to_string(),
    }
}

/// Shows or opens `target` with `open`, which waits on the desktop (a launcher, a
/// D-Bus call to the file manager): on a blocking thread, not on the runtime.
async fn open_off_the_runtime<E: std::fmt::Display + Send + 'static>(
    target: String,
    open: impl FnOnce() -> Result<(), E> + Send + 'static,
) -> Result<(), Error> {
    match tauri::async_runtime::spawn_blocking(open).await {
        Ok(opened) => opened.map_err(|e| could_not_open(target, e)),
        Err(e) => Err(could_not_open(target, e)),
    }
}

/// Shows a saved video in the system file manager.
#[tauri::command]
pub async fn show_in_folder<R: Runtime>(
    app: AppHandle<R>,
    paddock: State<'_, Paddock>,
    id: String,
) -> Result<(), Error> {
    let path = paddock.saved_video(&task_id(&id)?).await?;
    let shown = path.display().to_string();
    open_off_the_runtime(shown, move || app.opener().reveal_item_in_dir(&path)).await
}

/// Opens a task's saved video in the system's player (when the webview cannot
/// decode H.264), or else its https link in the browser. Nothing else can be opened
/// from here: not a path the page names, nor one a tampered history holds.
#[tauri::command]
pub async fn open_video_externally(paddock: State<'_, Paddock>, id: String) -> Result<(), Error> {
    let id = task_id(&id)?;
    let target = match paddock.saved_video(&id).await {
        Ok(path) => path.display().to_string(),
        Err(_) => paddock.video_link(&id)?,
    };
    let opening = target.clone();
    open_off_the_runtime(target, move || launcher::open_detached(opening)).await
}

/// Asks for a folder (the auto-save folder); null when the user cancels.
#[tauri::command]
pub async fn choose_folder<R: Runtime>(app: AppHandle<R>) -> Result<Option<String>, Error> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog().file().pick_folder(move |chosen| {
        let _ = tx.send(chosen.and_then(|p| p.into_path().ok()));
    });
    Ok(rx.await.ok().flatten().map(|p| p.display().to_string()))
}
