//! Closing the window without stopping the work: hide into the tray (`tray.rs`)
//! where the desktop has one, or a background run that ends by itself when nothing
//! is left to do. The rule is `paddock::on_close`; this carries it out.

use std::time::Duration;

use tauri::{AppHandle, Manager, Runtime, WebviewWindow};
use tauri_plugin_notification::NotificationExt;

use super::events::{report, SELECT_TASK};
use super::tray::Tray;
use super::window::{quit, show_window};
use crate::paddock::{may_exit, on_close, OnClose, Paddock, Word};

/// Makes the login entry match the setting ("Start at login", off by default).
/// At start (`only_enable`) an entry is only ever added: the entry is one per
/// user, and a Paddock run on another data folder (a test, a second profile)
/// must not remove it.
pub fn sync_autostart<R: Runtime>(app: &AppHandle<R>, only_enable: bool) {
    use tauri_plugin_autostart::ManagerExt;
    let Some(paddock) = app.try_state::<Paddock>() else {
        return;
    };
    let wanted = paddock.settings().settings.start_at_login;
    let launcher = app.autolaunch();
    let result = match (wanted, launcher.is_enabled().unwrap_or(false)) {
        (true, false) => launcher.enable(),
        (false, true) if !only_enable => launcher.disable(),
        _ => Ok(()),
    };
    if let Err(e) = result {
        tracing::warn!(error = %e, "could not change the start at login");
    }
}

/// Started hidden (at login): stays in the tray where there is one; without one,
/// works in the background while there is something to do, then quits.
pub fn start_hidden<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        // The tray is looked for at start; give it a moment to answer.
        tokio::time::sleep(Duration::from_secs(2)).await;
        if app.try_state::<Tray<R>>().is_some_and(|t| t.present()) {
            return;
        }
        tracing::info!("started hidden with no tray: working in the background until done");
        exit_when_done(app, true).await;
    });
}

/// Quits once nothing is running or saving, unless the window was opened again.
/// Started hidden, a key that needs the user brings the window up; after the user
/// closed it knowing, the tasks of that gateway simply do not count.
async fn exit_when_done<R: Runtime>(app: AppHandle<R>, show_when_needed: bool) {
    loop {
        let visible = app
            .get_webview_window("main")
            .is_some_and(|w| w.is_visible().unwrap_or(false));
        if visible {
            // Opened again: the window is back; closing it decides anew.
            return;
        }
        let activity = app.try_state::<Paddock>().map(|p| p.activity());
        if show_when_needed && activity.is_some_and(|a| a.needs_user) {
            // A key is missing or rejected: waiting hidden would wait forever.
            tracing::info!("the key needs the user: showing the window");
            show_window(&app);
            return;
        }
        if activity.is_none_or(|a| may_exit(&a)) {
            tracing::info!("nothing left to do in the background: quitting");
            app.exit(0);
            return;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// A click on a "video ready" notification: the window comes up with that task
/// selected. The notification carries the task's ID in its `extra`.
pub fn follow_notification_clicks<R: Runtime>(app: &AppHandle<R>) {
    let handle = app.clone();
    let _ = app.notification().on_action(move |performed| {
        let task = performed
            .notification()
            .and_then(|n| n.extra().get("task"))
            .and_then(|v| v.as_str())
            .map(str::to_owned);
        tracing::info!(action = performed.action_id(), "a notification was clicked");
        let Some(task) = task else { return };
        show_window(&handle);
        if let Err(e) = report(&handle, SELECT_TASK, &task) {
            tracing::warn!(error = %e, "could not ask the window to select a task");
        }
    });
}

/// The window asked to close: quit, hide into the tray, or hide and keep working
/// until nothing is left to do.
pub fn on_close_requested<R: Runtime>(window: &WebviewWindow<R>, api: &tauri::CloseRequestApi) {
    let app = window.app_handle();
    let (Some(paddock), Some(tray)) = (app.try_state::<Paddock>(), app.try_state::<Tray<R>>())
    else {
        return;
    };
    let activity = paddock.activity();
    let keep = paddock.settings().settings.keep_watching;
    match on_close(keep, tray.present(), &activity) {
        OnClose::Quit if activity.saving > 0 || activity.creating > 0 => {
            api.prevent_close();
            quit(app);
        }
        OnClose::Quit => {}
        OnClose::HideToTray => {
            api.prevent_close();
            let _ = window.hide();
            tracing::info!("the window closed; watching on from the tray");
        }
        OnClose::HideUntilDone => {
            api.prevent_close();
            let _ = window.hide();
            tracing::info!("the window closed; watching in the background until done");
            let words = paddock.language();
            let (title, body) = (
                words.say(Word::KeepsWorkingTitle),
                words.say(Word::KeepsWorkingBody),
            );
            let _ = app.notification().builder().title(title).body(body).show();
            let app = app.clone();
            tauri::async_runtime::spawn(exit_when_done(app, false));
        }
    }
}
