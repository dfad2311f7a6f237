//! The gallery's posters in the window: the `poster:` scheme that shows them
//! (lazily, one file per card), and the commands that list them, keep a new one
//! and say where a frame can be drawn from.

use tauri::http::{Response, StatusCode};
use tauri::ipc::{InvokeBody, Request};
use tauri::{Manager, Runtime, State, UriSchemeContext, UriSchemeResponder};

use crate::error::Error;
use crate::paddock::Paddock;
use crate::videos::MAX_POSTER_BYTES;

/// The tasks that have a poster.
#[tauri::command]
pub async fn poster_ids(paddock: State<'_, Paddock>) -> Result<Vec<String>, Error> {
    Ok(paddock.poster_ids().await)
}

/// Keeps a poster the page drew: the JPEG is the raw body (no JSON, no base64),
/// the task's ID the `x-task-id` header.
#[tauri::command]
pub async fn save_poster(paddock: State<'_, Paddock>, request: Request<'_>) -> Result<(), Error> {
    let id = request
        .headers()
        .get("x-task-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let InvokeBody::Raw(jpeg) = request.body() else {
        return Err(Error::InvalidRequest(
            "A poster is sent as raw bytes.".to_owned(),
        ));
    };
    if jpeg.len() > MAX_POSTER_BYTES {
        return Err(Error::InvalidRequest("The poster is too large.".to_owned()));
    }
    paddock.save_poster(&id, jpeg.clone()).await
}

/// A loopback URL to draw a frame of this task's video from, or why there is none.
#[tauri::command]
pub async fn poster_source(paddock: State<'_, Paddock>, id: String) -> Result<String, Error> {
    paddock.poster_source(&id).await
}

/// Answers `poster://localhost/<task id>` with that task's poster, off the main
/// thread; 404 when there is none (the card shows its placeholder).
pub fn serve<R: Runtime>(
    context: UriSchemeContext<'_, R>,
    request: tauri::http::Request<Vec<u8>>,
    responder: UriSchemeResponder,
) {
    let app = context.app_handle().clone();
    let id = request.uri().path().trim_start_matches('/').to_owned();
    tauri::async_runtime::spawn(async move {
        let poster = match app.try_state::<Paddock>() {
            Some(paddock) => paddock.poster(&id).await,
            None => None,
        };
        let response = match poster {
            Some(jpeg) => Response::builder()
                .status(StatusCode::OK)
                .header("Content-Type", "image/jpeg")
                // Not kept in the memory cache: scrolling 3,000 posters would keep
                // every decoded one. Served again from disk (a few KiB) when needed.
                .header("Cache-Control", "no-store")
                .body(jpeg),
            None => Response::builder()
                .status(StatusCode::NOT_FOUND)
                .body(Vec::new()),
        };
        match response {
            Ok(r) => responder.respond(r),
            Err(_) => responder.respond(Response::new(Vec::new())),
        }
    });
}
