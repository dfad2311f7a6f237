//! The WebKitGTK settings Paddock's window changes from the default.
//!
//! **Scrolling.** WebKitGTK (2.50 on Debian 12 today) scrolls a page's scrollable
//! areas off its main thread, on WebKit's scrolling thread, and for that gives each
//! one a composited layer with tiles of its own. Paddock's list is such an area. A
//! static copy of the first screen takes 64 MiB (PSS) more than an empty page, 22 MiB
//! less with the list scrolled on the page's main thread; Paddock itself, 100 tasks
//! shown, 11.6 MiB less (339 to 327, median of 8 launches each). The list and the
//! gallery redraw their rows from a scroll handler on that main thread anyway.
//!
//! The switch is WebKitGTK's feature API (2.42 and later), looked up with `dlsym`
//! when the window opens: linking to it would keep Paddock from starting at all on
//! an older WebKitGTK, where there is nothing to switch off.
//!
//! **Drawing without a GPU.** WebKitGTK 2.46 and later draws page content with Skia
//! on the GPU. On a machine without one that GPU is Mesa's llvmpipe, on the CPU,
//! with its buffers and threads on top. Without a GPU render node Paddock has Skia
//! draw on the CPU directly (WebKit's `WEBKIT_SKIA_ENABLE_CPU_RENDERING`), keeping
//! compositing as it is. On a 2-core machine with no GPU: 33 MiB less (PSS, 328 to
//! 295), start-up unchanged. Turning compositing off as well saved more but stalled
//! video playback in Compare. With a GPU nothing changes.
//!
//! **JavaScript without a JIT.** The page's code is small and its work per frame is
//! bounded (the list and the gallery draw only the rows in view), so Paddock has
//! JavaScriptCore interpret it (`JSC_useJIT=false`) instead of compiling it to
//! machine code. With 100 tasks that is 10 MiB less (PSS, 294 to 284); with 10,000,
//! the web process holds 35 MiB less (resident, 311 to 276). A search keystroke over
//! 10,000 tasks takes 27 ms instead of 21 (95th percentile), opening the gallery 48
//! instead of 38, all within their targets (`./dev bench`). The process that renders text from the
//! gateway then makes no machine code from JavaScript, and reserves no executable
//! pool for it (1 GiB of address space with the JIT; an e2e test checks). Setting
//! `JSC_useJIT=true` in Paddock's environment turns the JIT back on.
//!
//! Both switches are environment variables, so Paddock keeps them out of the
//! programs it opens (`launcher`): a browser built on WebKit would otherwise inherit
//! them.

use std::ffi::{c_char, c_int, c_void, CStr};
use std::sync::{Mutex, PoisonError};

use tauri::{Runtime, WebviewWindow};

/// Scrolls the page's scrollable areas on its main thread (see the module doc).
pub fn scroll_on_main_thread<R: Runtime>(window: &WebviewWindow<R>) {
    let asked = window.with_webview(|webview| {
        use webkit2gtk::glib::object::ObjectType;
        use webkit2gtk::WebViewExt;
        let Some(settings) = webview.inner().settings() else {
            return;
        };
        // SAFETY: `settings` holds a reference to a live WebKitSettings for the call.
        let switched = unsafe {
            with_feature(c"AsyncOverflowScrolling", |feature, set, _| {
                set(settings.as_ptr().cast(), feature, 0)
            })
        };
        if switched.is_none() {
            tracing::info!("this WebKitGTK has no async overflow scrolling to switch off");
        }
    });
    if let Err(e) = asked {
        tracing::warn!("could not reach the webview's settings: {e}");
    }
}

/// WebKit's switch for drawing page content with Skia on the CPU. Read by the UI
/// process and by the web process, which inherits Paddock's environment.
const CPU_DRAWING: &str = "WEBKIT_SKIA_ENABLE_CPU_RENDERING";

/// JavaScriptCore's switch for its JIT compilers, read by the web process.
const JIT: &str = "JSC_useJIT";

/// The variables Paddock put in its own environment for WebKit (not those the user
/// set): the ones the programs it opens do not get.
static SET_FOR_WEBKIT: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());

/// Sets `name` in Paddock's environment for WebKit's processes to read, and notes it.
fn set_for_webkit(name: &'static str, value: &str) {
    std::env::set_var(name, value);
    SET_FOR_WEBKIT
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(name);
}

/// The environment variables Paddock set for WebKit (see the module doc).
pub fn variables_set_for_webkit() -> Vec<&'static str> {
    SET_FOR_WEBKIT
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
}

/// Has WebKit draw on the CPU when there is no GPU render node, and JavaScriptCore
/// interpret the page's code, unless the environment already says (see the module
/// doc). It changes the process environment, so call it before any thread starts.
pub fn configure_webkit_environment() {
    if std::env::var_os(CPU_DRAWING).is_none() && !gpu_render_node(&dri_device_names()) {
        set_for_webkit(CPU_DRAWING, "1");
        tracing::info!("no GPU render node: WebKit draws the page on the CPU");
    }
    if std::env::var_os(JIT).is_none() {
        set_for_webkit(JIT, "false");
    }
}

/// The names in `/dev/dri`, where the kernel lists GPUs; none when it is not there.
fn dri_device_names() -> Vec<std::ffi::OsString> {
    std::fs::read_dir("/dev/dri")
        .map(|dir| dir.filter_map(|e| e.ok()).map(|e| e.file_name()).collect())
        .unwrap_or_default()
}

/// Whether one of the devices is a GPU render node (`renderD128` and on). A display
/// device alone (`card0`, a virtual screen) draws nothing: Mesa falls back to the CPU.
fn gpu_render_node(names: &[std::ffi::OsString]) -> bool {
    names
        .iter()
        .any(|name| name.to_str().is_some_and(|n| n.starts_with("renderD")))
}

type GetAllFeatures = unsafe extern "C" fn() -> *mut c_void;
type ListLength = unsafe extern "C" fn(*mut c_void) -> usize;
type ListGet = unsafe extern "C" fn(*mut c_void, usize) -> *mut c_void;
type ListUnref = unsafe extern "C" fn(*mut c_void);
type Identifier = unsafe extern "C" fn(*mut c_void) -> *const c_char;
/// `webkit_settings_set_feature_enabled(settings, feature, enabled)`.
type SetEnabled = unsafe extern "C" fn(*mut c_void, *mut c_void, c_int);
/// `webkit_settings_get_feature_enabled(settings, feature)`.
type GetEnabled = unsafe extern "C" fn(*mut c_void, *mut c_void) -> c_int;

/// A function of the already loaded libraries, or `None` if there is none by that name.
///
/// # Safety
/// `F` must be the function pointer type of the C function `name`.
unsafe fn symbol<F: Copy>(name: &CStr) -> Option<F> {
    const { assert!(std::mem::size_of::<F>() == std::mem::size_of::<*mut c_void>()) };
    // SAFETY: dlsym with a NUL-terminated name only looks the symbol up.
    let address = unsafe { libc::dlsym(libc::RTLD_DEFAULT, name.as_ptr()) };
    // SAFETY: a non-null address of `name`, whose type the caller vouches for, read
    // as a value of the same size (checked above).
    (!address.is_null()).then(|| unsafe { std::mem::transmute_copy::<*mut c_void, F>(&address) })
}

/// Calls `with` on the WebKit feature `identifier`, with the functions that set and
/// read a feature in a WebKitSettings. `None` when this WebKitGTK has no feature API
/// (before 2.42) or no such feature.
///
/// # Safety
/// Whatever `with` does with the feature and the two functions must be sound.
unsafe fn with_feature<T>(
    identifier: &CStr,
    with: impl FnOnce(*mut c_void, SetEnabled, GetEnabled) -> T,
) -> Option<T> {
    // SAFETY: each type is the C signature WebKitGTK 2.42+ documents for the name.
    let (all, length, get, unref, id_of, set, is_on) = unsafe {
        (
            symbol::<GetAllFeatures>(c"webkit_settings_get_all_features")?,
            symbol::<ListLength>(c"webkit_feature_list_get_length")?,
            symbol::<ListGet>(c"webkit_feature_list_get")?,
            symbol::<ListUnref>(c"webkit_feature_list_unref")?,
            symbol::<Identifier>(c"webkit_feature_get_identifier")?,
            symbol::<SetEnabled>(c"webkit_settings_set_feature_enabled")?,
            symbol::<GetEnabled>(c"webkit_settings_get_feature_enabled")?,
        )
    };
    // SAFETY: the list is a new reference (released below); its features are
    // borrowed from it, and their identifiers are NUL-terminated strings they own.
    unsafe {
        let list = all();
        if list.is_null() {
            return None;
        }
        let feature = (0..length(list))
            .map(|index| get(list, index))
            .filter(|feature| !feature.is_null())
            .find(|&feature| {
                let id = id_of(feature);
                !id.is_null() && CStr::from_ptr(id) == identifier
            });
        let result = feature.map(|feature| with(feature, set, is_on));
        unref(list);
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use webkit2gtk::glib::object::ObjectType;

    /// GTK started; false without a display. On a test thread: GTK 3 allows that,
    /// and no other test in this binary uses GTK.
    fn gtk_started() -> bool {
        type InitCheck = unsafe extern "C" fn(*mut c_int, *mut c_void) -> c_int;
        // SAFETY: gtk_init_check accepts null for both arguments.
        unsafe {
            symbol::<InitCheck>(c"gtk_init_check")
                .is_some_and(|init| init(std::ptr::null_mut(), std::ptr::null_mut()) != 0)
        }
    }

    #[test]
    fn only_a_render_node_counts_as_a_gpu() {
        let names = |list: &[&str]| -> Vec<std::ffi::OsString> {
            list.iter().map(std::ffi::OsString::from).collect()
        };
        assert!(gpu_render_node(&names(&["card0", "renderD128"])));
        assert!(gpu_render_node(&names(&["renderD129"])));
        assert!(
            !gpu_render_node(&names(&["card0"])),
            "a display device alone"
        );
        assert!(!gpu_render_node(&names(&["by-path"])));
        assert!(!gpu_render_node(&names(&[])), "no /dev/dri");
    }

    /// The name is WebKit's: a misspelt one would switch nothing off, silently.
    #[test]
    fn async_overflow_scrolling_is_switched_off() {
        // WebKitSettings reads GTK's font settings when it is made.
        if !gtk_started() {
            assert!(
                std::env::var_os("PADDOCK_REQUIRE_E2E").is_none(),
                "no display for GTK; `./dev test` provides one"
            );
            eprintln!("skipped: no display for GTK (`./dev test` provides one)");
            return;
        }
        // Not `Settings::new`: it asks gtk-rs whether GTK was started through gtk-rs,
        // and it was not (the raw `gtk_init_check` above).
        let settings = webkit2gtk::glib::Object::new::<webkit2gtk::Settings>();
        let raw: *mut c_void = settings.as_ptr().cast();
        let name = c"AsyncOverflowScrolling";
        // SAFETY: `raw` is a live WebKitSettings, held by `settings`, for each call.
        let read = || unsafe { with_feature(name, |f, _, is_on| is_on(raw, f) != 0) };
        assert_eq!(read(), Some(true), "on by default here");
        // SAFETY: as above.
        let switched = unsafe { with_feature(name, |f, set, _| set(raw, f, 0)) };
        assert!(switched.is_some());
        assert_eq!(read(), Some(false));
        // SAFETY: no call is made.
        assert!(unsafe { with_feature(c"NoSuchFeature", |_, _, _| ()) }.is_none());
    }
}
