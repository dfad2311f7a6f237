//! Lists Paddock's own commands so that each one needs an explicit grant in a capability.

/// Every `#[tauri::command]` in `src-tauri/desktop/` (commands.rs, posters.rs); a command missing here cannot be called.
const COMMANDS: &[&str] = &[
    "app_info",
    "get_settings",
    "save_settings",
    "key_status",
    "set_api_key",
    "remove_api_key",
    "list_tasks",
    "list_newest_tasks",
    "task_detail",
    "add_tasks",
    "remove_tasks",
    "clear_finished",
    "refresh_task",
    "refresh_all",
    "mark_seen",
    "poller_status",
    "frontend_ready",
    "choose_save_path",
    "save_video",
    "cancel_download",
    "show_in_folder",
    "open_video_externally",
    "choose_folder",
    "create_task",
    "gateway_balance",
    "recent_prompts",
    "set_starred",
    "change_tags",
    "usage_summary",
    "poster_ids",
    "save_poster",
    "poster_source",
    "drag_out",
];

fn main() {
    // The CLI-only build (`--no-default-features`) has no window to build for.
    #[cfg(feature = "desktop")]
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("failed to run tauri-build");
    #[cfg(not(feature = "desktop"))]
    let _ = COMMANDS;
}
