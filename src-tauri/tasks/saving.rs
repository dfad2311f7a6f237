//! Saving a task's video: by hand (the window's Save button, `paddock save`) or by
//! itself the moment the task succeeds (auto-save, two at a time). Every save goes
//! through the one registry of saves in progress and ends in the history.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use super::store::{Change, StoredError};
use super::tracker::Tracker;
use crate::error::Error;
use crate::videos::{download, unused_path_where, Progress, SaveOptions};

impl Tracker {
    /// Turns auto-save on (into `dir`) or off.
    pub fn set_auto_save(&self, dir: Option<PathBuf>) {
        *self
            .inner
            .auto_save
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = dir;
    }

    /// Sets the size cap of every later save.
    pub fn set_max_video_bytes(&self, max: u64) {
        self.inner.max_video_bytes.store(max, Ordering::Relaxed);
    }

    /// The size cap of every save.
    pub fn max_video_bytes(&self) -> u64 {
        self.inner.max_video_bytes.load(Ordering::Relaxed)
    }

    /// Downloads a task's video to `dest` and records where it went. Refused while
    /// the same task, or another save to the same file, is in progress.
    pub async fn save_video(
        &self,
        id: &str,
        dest: &Path,
        options: SaveOptions,
        on_progress: impl FnMut(Progress),
    ) -> Result<PathBuf, Error> {
        let url = self
            .detail(id)
            .and_then(|d| d.row.video_url)
            .ok_or(Error::NoVideo)?;
        // The history outlives this process's working directory (`paddock save ID`
        // saves into it): it keeps the whole path.
        let dest = &std::path::absolute(dest).unwrap_or_else(|_| dest.to_owned());
        let slot = self.inner.saves.begin(id, dest)?;
        let mut on_progress = on_progress;
        let events = Arc::clone(&self.inner.events);
        let result = download(
            self.inner.client.video_client().await?,
            &url,
            dest,
            options,
            slot.cancel.clone(),
            |p: Progress| {
                events.saving(id, Some(&p));
                on_progress(p);
            },
        )
        .await;
        drop(slot);
        self.inner.events.saving(id, None);
        result?;
        self.set_saved_path(id, &dest.display().to_string()).await?;
        Ok(dest.to_owned())
    }

    /// Stops the save of this task's video, if one is running (any of the three kinds).
    pub fn cancel_save(&self, id: &str) -> bool {
        self.inner.saves.cancel(id)
    }

    /// Auto-saves started and not over yet, including those waiting for a slot.
    pub fn auto_saves_pending(&self) -> usize {
        self.inner.auto_saves_pending.load(Ordering::SeqCst)
    }

    /// Saves a newly succeeded task's video into the auto-save folder, next to (not
    /// over) any file of the same name. A failure is shown on the task's row.
    pub(super) async fn auto_save(&self, id: String, dir: PathBuf) {
        let Ok(_slot) = Arc::clone(&self.inner.auto_save_slots)
            .acquire_owned()
            .await
        else {
            return;
        };
        let Some(detail) = self.detail(&id) else {
            return;
        };
        if detail.row.saved_path.is_some() {
            return;
        }
        let wanted = dir.join(detail.video_file_name());
        let options = SaveOptions {
            max_bytes: self.max_video_bytes(),
            overwrite: false,
        };
        // Two takes with the same prompt finishing together want the same name: the
        // one that comes second takes the next free one ("name (2).mp4"), not a file
        // another save is still writing.
        let saves = &self.inner.saves;
        let dest = unused_path_where(&wanted, |p| p.exists() || saves.is_writing(p));
        let outcome = self.save_video(&id, &dest, options, |_| {}).await;
        match outcome {
            Ok(_) => {}
            // Already being saved by hand: that save records the path.
            Err(Error::AlreadySaving(_)) => {}
            Err(e) => {
                tracing::warn!(task = %id, code = e.code(), "auto-save failed");
                let error = StoredError {
                    code: e.code().to_owned(),
                    message: format!("Auto-save failed: {e}"),
                    detail: None,
                };
                let _ = self
                    .update_record(&id, move |r| {
                        r.error = Some(error.clone());
                        vec![Change::Error(Some(error))]
                    })
                    .await;
            }
        }
    }
}

/// Counts one auto-save from the moment it is decided until it ends, however it ends.
pub(super) struct PendingAutoSave(Arc<AtomicUsize>);

impl PendingAutoSave {
    pub(super) fn start(counter: &Arc<AtomicUsize>) -> Self {
        counter.fetch_add(1, Ordering::SeqCst);
        Self(Arc::clone(counter))
    }
}

impl Drop for PendingAutoSave {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}
