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
    drag::start_drag(
        &gtk_window,
        drag::DragItem::Files(paths),
        image,
        |_, _| {},
        drag::Options::default(),
    )
    .map_err(|e| Error::Internal(format!("the drag could not start: {e}")))
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
