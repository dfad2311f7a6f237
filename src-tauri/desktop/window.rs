//! Bringing the window back and quitting, for every way there is to do either:
//! the tray, a second launch, a notification click, closing with saves running.

use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_dialog::{DialogExt, MessageDialogButtons};

use crate::paddock::{Language, Paddock, Word};

pub fn show_window<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

/// Quits, asking first while videos are being saved (unfinished tasks need no
/// question: they resume on the next start).
pub fn quit<R: Runtime>(app: &AppHandle<R>) {
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
    let words = app
        .try_state::<Paddock>()
        .map(|p| p.language())
        .unwrap_or(Language::English);
    let message = if activity.creating > 0 {
        // The answer to a creation says which task was made (and charged): quitting
        // now loses it.
        words.say(Word::QuitWhileCreating).to_owned()
    } else {
        words.quit_while_saving(activity.saving)
    };
    app.dialog()
        .message(message)
        .title("Paddock")
        .buttons(MessageDialogButtons::OkCancelCustom(
            words.say(Word::Quit).into(),
            words.say(Word::KeepSaving).into(),
        ))
        .show(move |yes| {
            if yes {
                handle.exit(0);
            }
        });
}
