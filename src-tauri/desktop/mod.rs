//! The window: Tauri, its plugins, the commands the page calls and the events it
//! hears. The only place that imports `tauri` (with `main.rs`'s one line); built
//! with the `desktop` feature, on by default.

mod background;
mod commands;
mod drag_out;
mod events;
mod first_screen;
mod heap;
mod launcher;
mod percent;
mod posters;
mod startup_error;
mod tray;
#[cfg(target_os = "linux")]
pub mod webview_settings;
mod window;

use std::process::ExitCode;
use std::sync::Arc;

use tauri::{Manager, Runtime};

use crate::gateway::ClientConfig;
use crate::keys::KeyStore;
use crate::paddock::Paddock;
use crate::settings;
use crate::tasks::PollConfig;

/// Registers the commands; the caller supplies the builder so IPC tests can pass
/// `tauri::test::mock_builder()`.
pub fn build_app<R: Runtime>(builder: tauri::Builder<R>, paddock: Paddock) -> tauri::Builder<R> {
    // First: a second launch with the same data folder hands over to this one (the
    // window comes to the front) and exits before it starts a poller of its own.
    let single_instance = tauri_plugin_single_instance::Builder::new()
        .dbus_id(instance_id(paddock.data_dir()))
        .callback(|app, _args, _cwd| {
            tracing::info!("Paddock was opened again: showing this window");
            window::show_window(app);
        })
        .build();
    builder
        .plugin(single_instance)
        .register_asynchronous_uri_scheme_protocol("poster", posters::serve)
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_notification::init())
        // At login Paddock starts hidden (see `background::start_hidden`).
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            Some(vec!["--hidden"]),
        ))
        .setup(move |app| {
            let webview_dir = paddock.data_dir().join("webview");
            let events = Arc::new(events::TauriEvents(app.handle().clone()));
            let poller = match paddock
                .start_tracker(events, PollConfig::from_env())
                .and_then(|()| paddock.poller())
            {
                Ok(poller) => poller,
                Err(e) => {
                    // An error returned from setup would end in a panic inside Tauri;
                    // say what happened and leave cleanly instead.
                    eprintln!("paddock: {e}");
                    std::process::exit(1);
                }
            };
            paddock.follow_auto_save_setting();
            tauri::async_runtime::spawn(poller);
            app.manage(paddock);
            app.manage(tray::Tray::<R>::new());
            // The window is built here rather than from the config alone so that the
            // webview's own storage lives in Paddock's data folder (isolated per test,
            // and covered by the scan that proves the key is never on disk).
            let hidden = app.try_state::<StartHidden>().is_some_and(|h| h.0);
            if let Some(config) = app.config().app.windows.iter().find(|w| w.label == "main") {
                let mut window = tauri::WebviewWindowBuilder::from_config(app.handle(), config)?;
                // Without it, the page asks over IPC as after a reload.
                if let Some(paddock) = app.try_state::<Paddock>() {
                    window = window.initialization_script(first_screen::script(&paddock));
                }
                let window = window
                    .data_directory(webview_dir)
                    .visible(!hidden)
                    .build()?;
                #[cfg(target_os = "linux")]
                webview_settings::scroll_on_main_thread(&window);
                #[cfg(not(target_os = "linux"))]
                let _ = window;
            }
            tray::start(app.handle());
            background::follow_notification_clicks(app.handle());
            background::sync_autostart(app.handle(), true);
            if hidden {
                background::start_hidden(app.handle());
            }
            Ok(())
        })
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::CloseRequested { api, .. } = event {
                if let Some(webview) = window.app_handle().get_webview_window(window.label()) {
                    background::on_close_requested(&webview, api);
                }
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::get_settings,
            commands::save_settings,
            commands::key_status,
            commands::set_api_key,
            commands::remove_api_key,
            commands::list_tasks,
            commands::list_newest_tasks,
            commands::task_detail,
            commands::add_tasks,
            commands::remove_tasks,
            commands::clear_finished,
            commands::refresh_task,
            commands::refresh_all,
            commands::mark_seen,
            commands::set_starred,
            commands::change_tags,
            commands::usage_summary,
            posters::poster_ids,
            posters::save_poster,
            posters::poster_source,
            drag_out::drag_out,
            commands::poller_status,
            commands::frontend_ready,
            commands::choose_save_path,
            commands::save_video,
            commands::cancel_download,
            commands::show_in_folder,
            commands::open_video_externally,
            commands::choose_folder,
            commands::create_task,
            commands::gateway_balance,
            commands::recent_prompts,
        ])
}

/// The name one running window holds: the app's identifier, and for a data folder
/// other than the default one (`PADDOCK_DATA_DIR`) a stable hash of its path, so two
/// separate histories can each have their window.
fn instance_id(data_dir: &std::path::Path) -> String {
    const APP_ID: &str = "app.paddock.desktop";
    if std::env::var_os(settings::ENV_DATA_DIR).is_none() {
        return APP_ID.to_owned();
    }
    // FNV-1a: the same path gives the same name in every process.
    let hash = data_dir
        .as_os_str()
        .as_encoded_bytes()
        .iter()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
        });
    format!("{APP_ID}.d{hash:016x}")
}

/// Started with `--hidden` (at login): the window is built but not shown.
pub struct StartHidden(pub bool);

/// Opens the window over the core (hidden with `--hidden`); returns when Paddock quits.
pub fn run_window(hidden: bool) -> ExitCode {
    // First, while Paddock has a single thread: it changes its environment.
    #[cfg(target_os = "linux")]
    webview_settings::configure_webkit_environment();
    let keys = KeyStore::system();
    // The key, read, leaves the environment that WebKit's processes (one renders the
    // gateway's text) and the programs Paddock opens inherit.
    std::env::remove_var(crate::keys::ENV_KEY);
    let data_dir = settings::data_dir();
    let context = tauri::generate_context!();
    let paddock = match Paddock::open(&data_dir, keys, ClientConfig::default()) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("paddock: {e}");
            let loaded = settings::SettingsFile::in_dir(&data_dir).load();
            return startup_error::run(context, &e, &loaded.settings);
        }
    };
    let builder = tauri::Builder::default().manage(StartHidden(hidden));
    match build_app(builder, paddock).run(context) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("paddock: the window could not open: {e}");
            ExitCode::FAILURE
        }
    }
}
