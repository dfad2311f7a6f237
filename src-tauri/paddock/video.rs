//! The facade's video half: where a save goes (a ticket for the window, never a
//! path from the page), the save itself, and the saved copy played or opened.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::Paddock;
use crate::error::Error;
use crate::ids::TaskId;
use crate::tasks::TaskDetail;
use crate::videos::{MediaServer, Progress, SaveOptions};

/// Destinations waiting for their save at most; more means tickets were abandoned.
const MAX_HELD_DESTINATIONS: usize = 64;

/// What the page learns of a chosen destination: a token to save with, and the
/// path to show.
#[derive(Debug, Clone, Serialize)]
pub struct DestinationTicket {
    pub token: String,
    pub path: String,
}

/// A save destination chosen by the user, waiting for its save to start.
pub(crate) struct HeldDestination {
    task: String,
    path: PathBuf,
    /// The dialog already asked about replacing an existing file.
    overwrite: bool,
}

impl Paddock {
    /// The name a task's video is saved under unless the user picks another.
    pub fn default_file_name(&self, id: &str) -> Result<String, Error> {
        let detail = self.ready_tracker()?.detail(id).ok_or(Error::NoVideo)?;
        Ok(detail.video_file_name())
    }

    /// Saves a succeeded task's video to `dest` and records the path in the history.
    /// One save per task at a time; [`cancel_download`](Self::cancel_download) stops it.
    /// `overwrite` replaces an existing file (the user confirmed it).
    pub async fn save_video(
        &self,
        id: &str,
        dest: &Path,
        overwrite: bool,
        max_bytes: Option<u64>,
        on_progress: impl FnMut(Progress),
    ) -> Result<PathBuf, Error> {
        let tracker = self.ready_tracker()?;
        let options = SaveOptions {
            max_bytes: max_bytes.unwrap_or_else(|| self.current().max_video_bytes()),
            overwrite,
        };
        tracker.save_video(id, dest, options, on_progress).await
    }

    /// Keeps a destination the user chose for one task's video and returns a ticket
    /// for it. Only [`save_to_destination`](Self::save_to_destination) redeems it.
    pub fn hold_destination(
        &self,
        id: &TaskId,
        path: PathBuf,
        overwrite: bool,
    ) -> Result<DestinationTicket, Error> {
        let token = crate::token::random_token().map_err(|e| Error::Disk {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        let ticket = DestinationTicket {
            token: token.clone(),
            path: path.display().to_string(),
        };
        let mut held = self
            .held_destinations
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        // Chosen and never used (the save was abandoned): at most a few are kept.
        if held.len() >= MAX_HELD_DESTINATIONS {
            held.clear();
        }
        held.insert(
            token,
            HeldDestination {
                task: id.as_str().to_owned(),
                path,
                overwrite,
            },
        );
        Ok(ticket)
    }

    /// Saves a task's video to the destination held under `token` (once; the token
    /// is spent). A token for another task is refused.
    pub async fn save_to_destination(
        &self,
        id: &TaskId,
        token: &str,
        on_progress: impl FnMut(Progress),
    ) -> Result<PathBuf, Error> {
        let held = self
            .held_destinations
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(token)
            .filter(|h| h.task == id.as_str())
            .ok_or(Error::NoDestination)?;
        self.save_video(id.as_str(), &held.path, held.overwrite, None, on_progress)
            .await
    }

    /// The saved copy of a task's video: a regular file that exists and is not a
    /// program. A path in the history that is anything else (a folder, something
    /// executable a tampered history points at) is refused.
    pub async fn saved_video(&self, id: &TaskId) -> Result<PathBuf, Error> {
        let path = self
            .ready_tracker()?
            .record(id.as_str())
            .and_then(|r| r.saved_path)
            .map(PathBuf::from)
            .ok_or(Error::NoVideo)?;
        let meta = tokio::fs::symlink_metadata(&path)
            .await
            .map_err(|_| Error::SavedCopyGone(path.display().to_string()))?;
        #[cfg(unix)]
        let executable = {
            use std::os::unix::fs::PermissionsExt;
            meta.permissions().mode() & 0o111 != 0
        };
        #[cfg(not(unix))]
        let executable = path.extension().is_some_and(|e| {
            ["exe", "bat", "cmd", "com", "lnk", "ps1", "msi", "app"]
                .iter()
                .any(|x| e.eq_ignore_ascii_case(x))
        });
        if meta.is_file() && !executable {
            Ok(path)
        } else {
            Err(Error::SavedCopyGone(path.display().to_string()))
        }
    }

    /// A task's video link, when it is one Paddock would fetch itself.
    pub fn video_link(&self, id: &TaskId) -> Result<String, Error> {
        self.ready_tracker()?
            .detail(id.as_str())
            .and_then(|d| d.row.video_url)
            .ok_or(Error::NoVideo)
    }

    /// Everything about a task; a saved copy gets a loopback URL the webview can play.
    pub async fn detail(&self, id: &str) -> Result<Option<TaskDetail>, Error> {
        let Some(mut detail) = self.ready_tracker()?.detail(id) else {
            return Ok(None);
        };
        let id = TaskId::parse(id).map_err(Error::from)?;
        if detail.row.saved_path.is_some() {
            if let Ok(saved) = self.saved_video(&id).await {
                let server = self
                    .media
                    .get_or_try_init(MediaServer::start)
                    .await
                    .map_err(|e| Error::Disk {
                        path: saved.display().to_string(),
                        reason: e.to_string(),
                    })?;
                let url = server.url_for(&saved).map_err(|e| Error::Disk {
                    path: saved.display().to_string(),
                    reason: e.to_string(),
                })?;
                detail.local_video_url = Some(url);
            }
        }
        Ok(Some(detail))
    }

    /// Stops a running save of this task's video, if there is one.
    pub fn cancel_download(&self, id: &str) -> bool {
        self.tracker.get().is_some_and(|t| t.cancel_save(id))
    }
}
