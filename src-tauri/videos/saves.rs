//! The saves in progress, by task: auto-save, the Save button and the CLI all go
//! through here, so one task is never written by two saves at once, two saves
//! never write one file, and every save can be cancelled the same way.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tokio::sync::watch;

use super::download::CancelHandle;
use crate::error::Error;

struct Entry {
    dest: PathBuf,
    cancel: CancelHandle,
}

/// The registry. Cheap to clone; clones share it.
#[derive(Clone, Default)]
pub struct Saves(Arc<Mutex<HashMap<String, Entry>>>);

/// A save that holds its place in the registry; dropping it frees the place.
pub struct SaveSlot {
    saves: Saves,
    id: String,
    pub cancel: watch::Receiver<bool>,
}

impl Drop for SaveSlot {
    fn drop(&mut self) {
        self.saves.lock().remove(&self.id);
    }
}

impl Saves {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes the place of task `id` writing `dest`, or says who already has it.
    pub fn begin(&self, id: &str, dest: &Path) -> Result<SaveSlot, Error> {
        let mut saves = self.lock();
        if let Some(running) = saves.get(id) {
            return Err(Error::AlreadySaving(Some(
                running.dest.display().to_string(),
            )));
        }
        if saves.values().any(|s| s.dest == dest) {
            return Err(Error::AlreadySaving(Some(dest.display().to_string())));
        }
        let (cancel, rx) = CancelHandle::new();
        saves.insert(
            id.to_owned(),
            Entry {
                dest: dest.to_owned(),
                cancel,
            },
        );
        Ok(SaveSlot {
            saves: self.clone(),
            id: id.to_owned(),
            cancel: rx,
        })
    }

    /// Stops the save of this task's video, if one is running.
    pub fn cancel(&self, id: &str) -> bool {
        match self.lock().get(id) {
            Some(entry) => {
                entry.cancel.cancel();
                true
            }
            None => false,
        }
    }

    /// Whether some save is writing to `dest` right now.
    pub fn is_writing(&self, dest: &Path) -> bool {
        self.lock().values().any(|s| s.dest == dest)
    }

    /// The tasks whose videos are being saved now (a handful).
    pub fn ids(&self) -> Vec<String> {
        self.lock().keys().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_save_per_task_and_per_file() {
        let saves = Saves::default();
        let a = saves.begin("a", Path::new("/v/a.mp4")).unwrap();
        assert_eq!(
            saves
                .begin("a", Path::new("/v/other.mp4"))
                .err()
                .unwrap()
                .code(),
            "already_saving"
        );
        assert!(saves.begin("b", Path::new("/v/a.mp4")).is_err());
        assert!(saves.cancel("a"));
        assert!(*a.cancel.borrow());
        drop(a);
        assert!(!saves.ids().contains(&"a".to_owned()), "the place is free");
        assert!(saves.begin("b", Path::new("/v/a.mp4")).is_ok());
    }
}
