//! The tray icon, where the desktop has a tray host: its menu (show, the counts,
//! pause, the save folder, quit), its line of counts, and an icon that shows when
//! something runs and when the user is needed.

use std::sync::atomic::{AtomicBool, Ordering};

use tauri::image::Image;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Manager, Runtime};

use super::window::{quit, show_window};
use crate::paddock::{tray_look, Paddock, TrayLook, Word};

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
    /// The look last drawn: the icon is only changed when it changes.
    look: TrayLook,
}

impl<R: Runtime> Clone for TrayItems<R> {
    fn clone(&self) -> Self {
        Self {
            icon: self.icon.clone(),
            status: self.status.clone(),
            pause: self.pause.clone(),
            look: self.look,
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

    pub fn present(&self) -> bool {
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
                Ok(Ok(())) => tracing::info!("tray icon shown"),
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
    let words = paddock.language();
    let activity = paddock.activity();
    let item = |id: &str, word: Word, enabled: bool| {
        MenuItem::with_id(app, id, words.say(word), enabled, None::<&str>)
    };
    let show = item("show", Word::ShowPaddock, true)?;
    let status = MenuItem::with_id(app, "status", words.summary(&activity), false, None::<&str>)?;
    let pause = item("pause", Word::PauseWatching, true)?;
    let folder = item("folder", Word::OpenSaveFolder, true)?;
    let quit_item = item("quit", Word::Quit, true)?;
    let separator = PredefinedMenuItem::separator(app)?;
    let menu = Menu::with_items(
        app,
        &[&show, &status, &separator, &pause, &folder, &quit_item],
    )?;
    let look = tray_look(&activity);
    let mut builder = TrayIconBuilder::with_id("paddock")
        .menu(&menu)
        .tooltip(words.summary(&activity))
        .on_menu_event(|app, event| match event.id.as_ref() {
            "show" => show_window(app),
            "pause" => toggle_watching(app),
            "folder" => open_save_folder(app),
            "quit" => quit(app),
            _ => {}
        });
    if let Some(icon) = icon_for(app, look) {
        builder = builder.icon(icon);
    }
    let icon = builder.build(app)?;
    if let Some(tray) = app.try_state::<Tray<R>>() {
        tray.present.store(true, Ordering::Relaxed);
        *tray.items.lock().unwrap_or_else(|p| p.into_inner()) = Some(TrayItems {
            icon,
            status,
            pause,
            look,
        });
    }
    Ok(())
}

/// Brings the tray's counts, tooltip and icon up to date (after each change). All
/// of it happens on the main thread, which reads the activity itself: updates
/// queued from several threads then cannot land out of order with a stale count.
/// No lock is held while the menu changes.
pub fn refresh<R: Runtime>(app: &AppHandle<R>) {
    let handle = app.clone();
    let _ = app.run_on_main_thread(move || {
        let (Some(tray), Some(paddock)) =
            (handle.try_state::<Tray<R>>(), handle.try_state::<Paddock>())
        else {
            return;
        };
        // Without a tray icon (no tray host) there is nothing to count for.
        if tray
            .items
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_none()
        {
            return;
        }
        let activity = paddock.activity();
        let look = tray_look(&activity);
        let (items, changed) = {
            let mut guard = tray.items.lock().unwrap_or_else(|p| p.into_inner());
            let Some(items) = guard.as_mut() else {
                return;
            };
            let changed = items.look != look;
            items.look = look;
            (items.clone(), changed)
        };
        let words = paddock.language();
        let line = words.summary(&activity);
        let _ = items.status.set_text(&line);
        let _ = items.icon.set_tooltip(Some(&line));
        let _ = items.pause.set_text(words.say(if paddock.watching() {
            Word::PauseWatching
        } else {
            Word::ResumeWatching
        }));
        if changed {
            let _ = items.icon.set_icon(icon_for(&handle, look));
        }
    });
}

/// The app's icon, with a dot in its lower right corner while something runs
/// (blue) or when the user is needed (amber).
fn icon_for<R: Runtime>(app: &AppHandle<R>, look: TrayLook) -> Option<Image<'static>> {
    let base = app.default_window_icon()?;
    let mut rgba = base.rgba().to_vec();
    let color = match look {
        TrayLook::Quiet => None,
        TrayLook::Working => Some([0x25, 0x63, 0xeb]),
        TrayLook::NeedsUser => Some([0xf5, 0x9e, 0x0b]),
    };
    if let Some(color) = color {
        mark_corner(&mut rgba, base.width(), base.height(), color);
    }
    Some(Image::new_owned(rgba, base.width(), base.height()))
}

/// Paints a dot with a white ring into the lower right quarter of an RGBA image.
/// Pure, so it is tested on a few pixels; an image of the wrong size is left alone.
pub fn mark_corner(rgba: &mut [u8], width: u32, height: u32, color: [u8; 3]) {
    let (w, h) = (width as usize, height as usize);
    if w == 0 || h == 0 || rgba.len() != w * h * 4 {
        return;
    }
    let size = w.min(h) as f64;
    let radius = size * 0.21;
    let ring = size * 0.05;
    let (cx, cy) = (w as f64 - radius - ring, h as f64 - radius - ring);
    for y in 0..h {
        for x in 0..w {
            let d = ((x as f64 + 0.5 - cx).powi(2) + (y as f64 + 0.5 - cy).powi(2)).sqrt();
            let pixel = if d <= radius {
                [color[0], color[1], color[2], 255]
            } else if d <= radius + ring {
                [255, 255, 255, 255]
            } else {
                continue;
            };
            let at = (y * w + x) * 4;
            rgba[at..at + 4].copy_from_slice(&pixel);
        }
    }
}

fn toggle_watching<R: Runtime>(app: &AppHandle<R>) {
    if let Some(paddock) = app.try_state::<Paddock>() {
        paddock.set_watching(!paddock.watching());
    }
    refresh(app);
}

/// Off the main thread: the folder may be on a slow disk, and a launcher takes time.
fn open_save_folder<R: Runtime>(app: &AppHandle<R>) {
    if let Some(paddock) = app.try_state::<Paddock>() {
        let folder = crate::paddock::auto_save_folder(&paddock.settings().settings);
        let opening = std::thread::Builder::new().spawn(move || {
            let _ = std::fs::create_dir_all(&folder);
            if let Err(e) = super::launcher::open_detached(&folder) {
                tracing::warn!("could not open the save folder: {e}");
            }
        });
        if let Err(e) = opening {
            tracing::warn!("could not open the save folder: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::mark_corner;

    #[test]
    fn the_mark_sits_in_the_lower_right_and_leaves_the_rest() {
        let (w, h) = (32_u32, 32_u32);
        let mut rgba = vec![0_u8; (w * h * 4) as usize];
        mark_corner(&mut rgba, w, h, [1, 2, 3]);
        let at = |x: u32, y: u32| {
            let i = ((y * w + x) * 4) as usize;
            [rgba[i], rgba[i + 1], rgba[i + 2], rgba[i + 3]]
        };
        assert_eq!(at(0, 0), [0, 0, 0, 0], "the top left is untouched");
        assert_eq!(at(24, 24), [1, 2, 3, 255], "the dot is in the corner");
        assert_eq!(at(16, 4), [0, 0, 0, 0]);
        // A buffer that does not match its size is not touched (nor indexed).
        let mut short = vec![9_u8; 10];
        mark_corner(&mut short, w, h, [1, 2, 3]);
        assert_eq!(short, vec![9_u8; 10]);
    }
}
