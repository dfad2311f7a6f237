//! The window Paddock shows instead of the list when it cannot start: its history
//! locked by another program past the wait, its data folder read-only or not
//! there. Started from a desktop there is no terminal to read stderr, and without
//! this window a double-click would seem to do nothing at all.
//!
//! The page gets the reason in its URL's fragment, not over IPC: this window has no
//! commands, only the permission to close itself (`capabilities/startup-error.json`).

use std::process::ExitCode;

use tauri::webview::PageLoadEvent;
use tauri::{WebviewUrl, WebviewWindowBuilder};

use super::percent::percent_encoded;
use crate::error::Error;
use crate::settings::Settings;

/// The window's label, which its capability names.
const LABEL: &str = "startup-error";
/// The reason is cut to this many characters: it is read by a person, not parsed.
const MAX_REASON_CHARS: usize = 2_000;

/// Shows what went wrong, in the language and theme of `settings`, until the user
/// closes the window; always a failure.
pub fn run(context: tauri::Context, error: &Error, settings: &Settings) -> ExitCode {
    if !has_display() {
        // Nowhere to show a window (GTK would panic trying): stderr has said it.
        return ExitCode::FAILURE;
    }
    let page = page_path(&error.to_string(), &settings.language, &settings.theme);
    // WebKit's storage for this window goes to a new folder with an unguessable
    // name (one that already exists is not used), removed after: the data folder
    // may be the very problem, and is left alone. Incognito only when that fails,
    // because WebKitWebDriver (the e2e tests) cannot drive an ephemeral webview.
    let storage = crate::token::random_token()
        .ok()
        .map(|t| std::env::temp_dir().join(format!("paddock-startup-error-{t}")))
        .filter(|dir| std::fs::create_dir(dir).is_ok());
    let webview_dir = storage.clone();
    let shown = tauri::Builder::default()
        .setup(move |app| {
            let window = WebviewWindowBuilder::new(app, LABEL, WebviewUrl::App(page.into()))
                .title("Paddock")
                .inner_size(560.0, 320.0)
                .min_inner_size(420.0, 260.0)
                .center()
                .on_page_load(|_, payload| {
                    if payload.event() == PageLoadEvent::Finished {
                        tracing::info!("a window says why Paddock could not start");
                    }
                });
            let window = match webview_dir {
                Some(dir) => window.data_directory(dir),
                None => window.incognito(true),
            };
            if let Err(e) = window.build() {
                // An error returned from setup would end in a panic inside Tauri.
                eprintln!("paddock: the window could not open: {e}");
                std::process::exit(1);
            }
            Ok(())
        })
        .build(context);
    match shown {
        // `run` would end the process with 0 once the window closes; this returns.
        Ok(app) => {
            app.run_return(|_, _| {});
        }
        Err(e) => eprintln!("paddock: the window could not open: {e}"),
    }
    if let Some(dir) = storage {
        let _ = std::fs::remove_dir_all(dir);
    }
    ExitCode::FAILURE
}

/// Whether a window can be shown at all (on Linux, an X or Wayland display).
fn has_display() -> bool {
    !cfg!(target_os = "linux")
        || std::env::var_os("DISPLAY").is_some()
        || std::env::var_os("WAYLAND_DISPLAY").is_some()
}

/// `startup-error.html#lang=…&theme=…&reason=…`, each value percent-encoded.
fn page_path(reason: &str, language: &str, theme: &str) -> String {
    let reason: String = reason.chars().take(MAX_REASON_CHARS).collect();
    format!(
        "startup-error.html#lang={}&theme={}&reason={}",
        percent_encoded(language.as_bytes(), b""),
        percent_encoded(theme.as_bytes(), b""),
        percent_encoded(reason.as_bytes(), b"")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reason_travels_encoded_and_cut_to_size() {
        let path = page_path("locked (a&b=c #1) 历史", "zh", "dark");
        assert_eq!(
            path,
            "startup-error.html#lang=zh&theme=dark&reason=locked%20%28a%26b%3Dc%20%231%29%20%E5%8E%86%E5%8F%B2"
        );
        let long = page_path(&"é".repeat(5_000), "en", "system");
        assert_eq!(long.matches("%C3%A9").count(), MAX_REASON_CHARS);
    }
}
