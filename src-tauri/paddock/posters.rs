//! The facade's gallery needs: which tasks have a poster, keeping one the webview
//! drew, where the webview may draw one from, and the files a drag out carries.

use std::path::PathBuf;

use super::Paddock;
use crate::error::Error;
use crate::ids::TaskId;
use crate::videos::MediaServer;

impl Paddock {
    /// The tasks that have a poster. Posters of tasks no longer in the history
    /// (cleared, removed by the CLI) are deleted here.
    pub async fn poster_ids(&self) -> Vec<String> {
        let posters = self.posters.clone();
        // The IDs only: building ten thousand rows held up the window's first paint.
        let known = match self.ready_tracker() {
            Ok(tracker) => tracker.ids(),
            Err(_) => return Vec::new(),
        };
        tokio::task::spawn_blocking(move || {
            let (kept, orphans): (Vec<String>, Vec<String>) =
                posters.ids().into_iter().partition(|id| known.contains(id));
            for id in orphans.iter().filter_map(|id| TaskId::parse(id).ok()) {
                posters.remove(&id);
            }
            kept
        })
        .await
        .unwrap_or_default()
    }

    /// Keeps the poster the webview drew for a task in the history.
    pub async fn save_poster(&self, id: &str, jpeg: Vec<u8>) -> Result<(), Error> {
        let id = TaskId::parse(id)?;
        if self.ready_tracker()?.detail(id.as_str()).is_none() {
            return Err(Error::InvalidRequest(format!(
                "{} is not in the list.",
                id.as_str()
            )));
        }
        let posters = self.posters.clone();
        tokio::task::spawn_blocking(move || posters.save(&id, &jpeg))
            .await
            .map_err(|e| Error::Internal(e.to_string()))?
    }

    /// A task's poster (JPEG), when it has one.
    pub async fn poster(&self, id: &str) -> Option<Vec<u8>> {
        let id = TaskId::parse(id).ok()?;
        let posters = self.posters.clone();
        tokio::task::spawn_blocking(move || posters.read(&id))
            .await
            .ok()
            .flatten()
    }

    /// Where the webview can draw a frame from without tainting its canvas: the
    /// saved copy, else the live link relayed, both through the loopback media
    /// server. An error says why there is no poster (the reason the card shows).
    pub async fn poster_source(&self, id: &str) -> Result<String, Error> {
        let task = TaskId::parse(id)?;
        let server = self
            .media
            .get_or_try_init(MediaServer::start)
            .await
            .map_err(|e| Error::Internal(e.to_string()))?;
        let io = |e: std::io::Error| Error::Internal(e.to_string());
        if let Ok(saved) = self.saved_video(&task).await {
            return server.url_for(&saved).map_err(io);
        }
        let link = self.video_link(&task)?;
        let expired = self
            .task(task.as_str())?
            .and_then(|d| d.task)
            .and_then(|t| t.video_expires_at)
            .is_some_and(|at| at <= crate::timefmt::now_unix());
        if expired {
            return Err(Error::LinkExpired);
        }
        server
            .url_for_link(&link, self.client.http().await?)
            .map_err(io)
    }

    /// The saved files of these tasks, for a drag out of the window. Every one
    /// must be saved: a drag that silently leaves some out would lose takes.
    pub async fn drag_paths(&self, ids: &[String]) -> Result<Vec<PathBuf>, Error> {
        const MAX_DRAGGED: usize = 100;
        if ids.is_empty() || ids.len() > MAX_DRAGGED {
            return Err(Error::InvalidRequest(format!(
                "Drag 1 to {MAX_DRAGGED} videos at a time."
            )));
        }
        let mut paths = Vec::with_capacity(ids.len());
        for id in ids {
            let id = TaskId::parse(id)?;
            match self.saved_video(&id).await {
                Ok(path) => paths.push(path),
                Err(Error::NoVideo) => return Err(Error::NotSaved(id.as_str().to_owned())),
                Err(e) => return Err(e),
            }
        }
        Ok(paths)
    }
}
