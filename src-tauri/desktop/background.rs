//! Closing the window without stopping the work: the tray (where the desktop has
//! one), or a background run that ends by itself when nothing is left to do. The
//! rule is `paddock::on_close`; this carries it out.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Manager, Runtime, WebviewWindow};
use tauri_plugin_dialog::{DialogExt, MessageDialogButtons};
use tauri_plugin_notification::NotificationExt;
use tauri_plugin_opener::OpenerExt;

use crate::paddock::{may_exit, on_close, summary, OnClose, Paddock};

/// Whether a tray host answers (a StatusNotifier watcher on the session bus), and
/// the tray's items once built.
pub struct Tray<R: Runtime> {
    present: AtomicBool,
    items: std::sync::Mutex<Option<TrayItems<R>>>,
}

struct TrayItems<R: Runtime> {
    icon: TrayIcon<R>,
    status: MenuItem<R>,
    pause: MenuItem<R>,
}

impl<R: Runtime> Clone for TrayItems<R> {
    fn clone(&self) -> Self {
        Self {
            icon: self.icon.clone(),
            status: self.status.clone(),
            pause: self.pause.clone(),
        }
    }
}

impl<R: Runtime> Tray<R> {
    pub fn new() -> Self {
        Self {
            present: AtomicBool::new(false),
            items: std::sync::Mutex::new(None),
        }
    }

    fn present(&self) -> bool {
        self.present.load(Ordering::Relaxed)
    }
}

/// Whether the session has a tray host. Asked of D-Bus with `dbus-send`, off the
/// main thread; no host (plain GNOME, a bare X session) means no tray.
fn tray_host_present() -> bool {
    if !cfg!(target_os = "linux") {
        return true;
    }
    std::process::Command::new("dbus-send")
        .args([
            "--session",
            "--dest=org.freedesktop.DBus",
            "--type=method_call",
            "--print-reply",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.NameHasOwner",
            "string:org.kde.StatusNotifierWatcher",
        ])
        .output()
        .is_ok_and(|o| {
            o.status.success() && String::from_utf8_lossy(&o.stdout).contains("boolean true")
        })
}

fn chinese(paddock: &Paddock) -> bool {
    match paddock.settings().settings.language.as_str() {
        "zh" => true,
        "en" => false,
        _ => std::env::var("LANG").is_ok_and(|l| l.starts_with("zh")),
    }
}

/// Looks for a tray host and, where there is one, builds the tray. Without a host
/// (or without the AppIndicator library) Paddock simply has no tray.
pub fn start<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    std::thread::spawn(move || {
        if !tray_host_present() {
            return;
        }
        let handle = app.clone();
        let _ = app.run_on_main_thread(move || {
            // libappindicator is loaded at run time and its absence panics inside
            // the tray crate: that means "no tray", not a crash.
            let built = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| build(&handle)));
            match built {
                Ok(Ok(())) => {}
                Ok(Err(e)) => tracing::info!(error = %e, "no tray icon"),
                Err(_) => tracing::warn!("no tray icon: the AppIndicator library is missing"),
            }
        });
    });
}

fn build<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let Some(paddock) = app.try_state::<Paddock>() else {
        return Ok(());
    };
    let zh = chinese(&paddock);
    let text = |en: &str, cn: &str| if zh { cn.to_owned() } else { en.to_owned() };
    let item = |id: &str, label: String, enabled: bool| {
        MenuItem::with_id(app, id, label, enabled, None::<&str>)
    };
    let show = item("show", text("Show Paddock", "显示 Paddock"), true)?;
    let status = item("status", summary(&paddock.activity()), false)?;
    let pause = item("pause", text("Pause watching", "暂停查询"), true)?;
    let folder = item("folder", text("Open save folder", "打开保存文件夹"), true)?;
    let quit_item = item("quit", text("Quit", "退出"), true)?;
    let separator = PredefinedMenuItem::separator(app)?;
    let menu = Menu::with_items(
        app,
        &[&show, &status, &separator, &pause, &folder, &quit_item],
    )?;
    let mut builder = TrayIconBuilder::with_id("paddock")
        .menu(&menu)
        .tooltip(summary(&paddock.activity()))
        .on_menu_event(|app, event| match event.id.as_ref() {
            "show" => show_window(app),
            "pause" => toggle_watching(app),
            "folder" => open_save_folder(app),
            "quit" => quit(app),
            _ => {}
        });
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    let icon = builder.build(app)?;
    if let Some(tray) = app.try_state::<Tray<R>>() {
        tray.present.store(true, Ordering::Relaxed);
        *tray.items.lock().unwrap_or_else(|p| p.into_inner()) = Some(TrayItems {
            icon,
            status,
            pause,
        });
    }
    Ok(())
}

/// Brings the tray's counts and tooltip up to date (after each change). The menu
/// is changed on the main thread, with no lock held: a change made from another
/// thread waits for the main thread, which may itself be waiting on this lock.
pub fn refresh<R: Runtime>(app: &AppHandle<R>) {
    let (Some(tray), Some(paddock)) = (app.try_state::<Tray<R>>(), app.try_state::<Paddock>())
    else {
        return;
    };
    let Some(items) = tray.items.lock().unwrap_or_else(|p| p.into_inner()).clone() else {
        return;
    };
    let line = summary(&paddock.activity());
    let pause = match (paddock.watching(), chinese(&paddock)) {
        (true, false) => "Pause watching",
        (true, true) => "暂停查询",
        (false, false) => "Resume watching",
        (false, true) => "恢复查询",
    };
    let _ = app.run_on_main_thread(move || {
        let _ = items.status.set_text(&line);
        let _ = items.icon.set_tooltip(Some(&line));
        let _ = items.pause.set_text(pause);
    });
}

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

pub fn show_window<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

fn toggle_watching<R: Runtime>(app: &AppHandle<R>) {
    if let Some(paddock) = app.try_state::<Paddock>() {
        paddock.set_watching(!paddock.watching());
    }
    refresh(app);
}

fn open_save_folder<R: Runtime>(app: &AppHandle<R>) {
    if let Some(paddock) = app.try_state::<Paddock>() {
        let folder = crate::paddock::auto_save_folder(&paddock.settings().settings);
        let _ = std::fs::create_dir_all(&folder);
        let _ = app
            .opener()
            .open_path(folder.display().to_string(), None::<&str>);
    }
}

/// Quits, asking first while videos are being saved (unfinished tasks need no
/// question: they resume on the next start).
fn quit<R: Runtime>(app: &AppHandle<R>) {
    let activity = app
        .try_state::<Paddock>()
        .map(|p| p.activity())
        .unwrap_or_default();
    if activity.saving == 0 && activity.creating == 0 {
        app.exit(0);
        return;
    }
    show_window(app);
    let handle = app.clone();
    let message = if activity.creating > 0 {
        // The answer to a creation says which task was made (and charged): quitting
        // now loses it.
        "A new task is being sent to the gateway. Quit before its answer arrives? The task may still be created and charged, and Paddock would not know its ID.".to_owned()
    } else {
        format!(
            "{} video(s) are still being saved. Quit and stop saving them?",
            activity.saving
        )
    };
    app.dialog()
        .message(message)
        .title("Paddock")
        .buttons(MessageDialogButtons::OkCancelCustom(
            "Quit".into(),
            "Keep saving".into(),
        ))
        .show(move |yes| {
            if yes {
                handle.exit(0);
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
        }
        OnClose::HideUntilDone => {
            api.prevent_close();
            let _ = window.hide();
            tracing::info!("the window closed; watching in the background until done");
            let zh = chinese(&paddock);
            let (title, body) = if zh {
                (
                    "Paddock 仍在后台工作",
                    "任务完成、视频保存后会自动退出。再次打开 Paddock 即可查看。",
                )
            } else {
                ("Paddock keeps working", "It quits by itself once your tasks are done and their videos saved. Open Paddock again to see them.")
            };
            let _ = app.notification().builder().title(title).body(body).show();
            let app = app.clone();
            tauri::async_runtime::spawn(exit_when_done(app, false));
        }
    }
}
