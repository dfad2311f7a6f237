//! Dragging saved videos out of the window into a file manager, an editor or a
//! chat, as the OS drags files. The page names tasks, never paths: the core looks
//! up their saved copies, and only those are offered.

use tauri::{Runtime, State, WebviewWindow};

use crate::error::Error;
use crate::paddock::Paddock;

/// The picture under the pointer while dragging: the first task's poster, else the
/// app's icon.
fn drag_image(poster: Option<Vec<u8>>) -> drag::Image {
    drag::Image::Raw(poster.unwrap_or_else(|| include_bytes!("../../icons/128x128.png").to_vec()))
}

/// Starts a drag of these tasks' saved files from the pointer (called on the
/// page's `dragstart`, while the button is held). Every task must be saved.
#[tauri::command]
pub async fn drag_out<R: Runtime>(
    window: WebviewWindow<R>,
    paddock: State<'_, Paddock>,
    ids: Vec<String>,
) -> Result<usize, Error> {
    let paths = paddock.drag_paths(&ids).await?;
    let count = paths.len();
    let poster = match ids.first() {
        Some(first) => paddock.poster(first).await,
        None => None,
    };
    let image = drag_image(poster);
    let (done, answer) = tokio::sync::oneshot::channel();
    let target = window.clone();
    window
        .run_on_main_thread(move || {
            let started = start(&target, paths, image);
            let _ = done.send(started);
        })
        .map_err(|e| Error::Internal(e.to_string()))?;
    answer.await.map_err(|e| Error::Internal(e.to_string()))??;
    Ok(count)
}

#[cfg(target_os = "linux")]
fn start<R: Runtime>(
    window: &WebviewWindow<R>,
    paths: Vec<std::path::PathBuf>,
    image: drag::Image,
) -> Result<(), Error> {
    let gtk_window = window
        .gtk_window()
        .map_err(|e| Error::Internal(e.to_string()))?;
    // The drag crate writes `file://{path}` as it is; a name such as
    // `take (2).mp4`, or one with `#` or `%`, would be a broken URI to the
    // receiving app. Handing it the path already percent-encoded gives it a
    // valid URI.
    let paths = paths.iter().map(|p| uri_encoded(p).into()).collect();
    drag::start_drag(
        &gtk_window,
        drag::DragItem::Files(paths),
        image,
        |_, _| {},
        drag::Options::default(),
    )
    .map_err(|e| Error::Internal(format!("the drag could not start: {e}")))
}

/// The path part of a `file://` URI (RFC 8089): every byte but the unreserved
/// ones and `/` as `%XX`, so spaces, `#`, `%`, non-ASCII and even non-UTF-8
/// names survive the trip.
#[cfg(any(target_os = "linux", all(test, unix)))]
fn uri_encoded(path: &std::path::Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    super::percent::percent_encoded(path.as_os_str().as_bytes(), b"/")
}

#[cfg(not(target_os = "linux"))]
fn start<R: Runtime>(
    window: &WebviewWindow<R>,
    paths: Vec<std::path::PathBuf>,
    image: drag::Image,
) -> Result<(), Error> {
    drag::start_drag(
        window,
        drag::DragItem::Files(paths),
        image,
        |_, _| {},
        drag::Options::default(),
    )
    .map_err(|e| Error::Internal(format!("the drag could not start: {e}")))
}

#[cfg(all(test, unix))]
mod tests {
    use super::uri_encoded;
    use std::path::Path;

    #[test]
    fn a_file_uri_path_escapes_what_a_uri_cannot_hold() {
        assert_eq!(
            uri_encoded(Path::new("/home/me/My Videos/take (2) #1 100%.mp4")),
            "/home/me/My%20Videos/take%20%282%29%20%231%20100%25.mp4"
        );
        assert_eq!(
            uri_encoded(Path::new("/视频/a.mp4")),
            "/%E8%A7%86%E9%A2%91/a.mp4"
        );
        assert_eq!(uri_encoded(Path::new("/v/a-b_c.d~e")), "/v/a-b_c.d~e");
    }

    #[test]
    fn a_name_that_is_not_utf8_is_kept_byte_for_byte() {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"/v/\xff.mp4");
        assert_eq!(uri_encoded(Path::new(name)), "/v/%FF.mp4");
    }
}
