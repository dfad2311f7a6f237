//! A WebKitGTK setting Paddock's window changes from the default.
//!
//! WebKitGTK (2.50 on Debian 12 today) scrolls a page's scrollable areas off its
//! main thread, on WebKit's scrolling thread, and for that gives each one a
//! composited layer with tiles of its own. Paddock's list is such an area. A static
//! copy of the first screen takes 64 MiB (PSS) more than an empty page, 22 MiB less
//! with the list scrolled on the page's main thread; Paddock itself, 100 tasks
//! shown, 11.6 MiB less (339 to 327, median of 8 launches each). The list and the
//! gallery redraw their rows from a scroll handler on that main thread anyway.
//!
//! The switch is WebKitGTK's feature API (2.42 and later), looked up with `dlsym`
//! when the window opens: linking to it would keep Paddock from starting at all on
//! an older WebKitGTK, where there is nothing to switch off.

use std::ffi::{c_char, c_int, c_void, CStr};

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
