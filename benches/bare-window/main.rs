//! The floor that `./dev bench` compares Paddock's start-up and memory against: a
//! bare Tauri 2 window of the same size with an empty page, built with the same
//! profile. The page requests `bench://localhost/painted` once its first frame is
//! on screen; that request is the line the bench waits for.
//!
//! With `BARE_WINDOW_PAGE=DIR` the same window shows the files in DIR instead. The
//! bench puts a copy of Paddock's painted first screen there (its DOM and stylesheet,
//! no script), which tells what drawing that screen costs apart from Paddock's code;
//! `BARE_WINDOW_PADDOCK_SETTINGS=1` gives it the WebKit settings Paddock's window
//! has (`paddock::desktop::webview_settings`), so that the two draw alike.

use std::borrow::Cow;
use std::path::PathBuf;

use tauri::utils::assets::{AssetKey, AssetsIter, CspHash};
use tauri::{Assets, Runtime};

/// The page's files, read from a folder at each request.
struct PageFolder(PathBuf);

impl<R: Runtime> Assets<R> for PageFolder {
    fn get(&self, key: &AssetKey) -> Option<Cow<'_, [u8]>> {
        let name = key.as_ref().trim_start_matches('/');
        // Only plain file names: the copy is one flat folder.
        if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
            return None;
        }
        std::fs::read(self.0.join(name)).ok().map(Cow::Owned)
    }

    fn iter(&self) -> Box<AssetsIter<'_>> {
        Box::new(std::iter::empty())
    }

    fn csp_hashes(&self, _html_path: &AssetKey) -> Box<dyn Iterator<Item = CspHash<'_>> + '_> {
        Box::new(std::iter::empty())
    }
}

fn main() {
    let started = std::time::Instant::now();
    let paddock_settings = std::env::var_os("BARE_WINDOW_PADDOCK_SETTINGS").is_some();
    #[cfg(target_os = "linux")]
    if paddock_settings {
        paddock::desktop::webview_settings::configure_webkit_environment();
    }
    let mut context = tauri::generate_context!("benches/bare-window/tauri.conf.json");
    if let Some(folder) = std::env::var_os("BARE_WINDOW_PAGE") {
        context.set_assets(Box::new(PageFolder(folder.into())));
    }
    let result = tauri::Builder::default()
        .setup(move |app| {
            #[cfg(target_os = "linux")]
            if paddock_settings {
                use tauri::Manager;
                if let Some(window) = app.get_webview_window("bare") {
                    paddock::desktop::webview_settings::scroll_on_main_thread(&window);
                }
            }
            #[cfg(not(target_os = "linux"))]
            let _ = (app, paddock_settings);
            Ok(())
        })
        .register_uri_scheme_protocol("bench", move |_ctx, request| {
            eprintln!(
                "bare window painted its page ({} ms after start; {})",
                started.elapsed().as_millis(),
                request.uri()
            );
            tauri::http::Response::builder()
                .header("Access-Control-Allow-Origin", "*")
                .body(Vec::new())
                .unwrap_or_default()
        })
        .run(context);
    if let Err(e) = result {
        eprintln!("bare-window: {e}");
        std::process::exit(1);
    }
}
