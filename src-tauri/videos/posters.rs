//! Posters: one small JPEG per task in `posters/` of the data folder, so the
//! gallery shows every take after its link has died. The frames are drawn by the
//! webview (its own `<video>` into a canvas, through the loopback media server);
//! this keeps the files: checked, bounded, written whole or not at all.

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::folders::{create_private_dir, read_capped, write_private_file};
use crate::ids::TaskId;

/// A poster is a frame of a few hundred pixels; far more is not a poster.
pub const MAX_POSTER_BYTES: usize = 512 * 1024;

/// The posters folder.
#[derive(Debug, Clone)]
pub struct Posters {
    dir: PathBuf,
}

impl Posters {
    pub fn new(data_dir: &Path) -> Self {
        Self {
            dir: data_dir.join("posters"),
        }
    }

    fn path_of(&self, id: &TaskId) -> PathBuf {
        self.dir.join(format!("{}.jpg", id.as_str()))
    }

    /// The tasks that have a poster. One directory read, whatever the number of
    /// tasks; names that are not `<task id>.jpg` are ignored.
    pub fn ids(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut ids: Vec<String> = entries
            .map_while(Result::ok)
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                let id = name.strip_suffix(".jpg")?;
                TaskId::parse(id).ok().map(|id| id.as_str().to_owned())
            })
            .collect();
        ids.sort();
        ids
    }

    /// Keeps a poster: a whole JPEG (start and end markers), at most
    /// `MAX_POSTER_BYTES`, written to a side file and renamed into place.
    pub fn save(&self, id: &TaskId, jpeg: &[u8]) -> Result<(), Error> {
        if jpeg.len() > MAX_POSTER_BYTES {
            return Err(Error::InvalidRequest(format!(
                "A poster is at most {} KiB; this one is {} KiB.",
                MAX_POSTER_BYTES / 1024,
                jpeg.len() / 1024
            )));
        }
        if !is_whole_jpeg(jpeg) {
            return Err(Error::InvalidRequest(
                "A poster must be a whole JPEG image.".to_owned(),
            ));
        }
        create_private_dir(&self.dir).map_err(|e| Error::from_io(&self.dir, &e))?;
        let path = self.path_of(id);
        let side = self.dir.join(format!("{}.jpg.part", id.as_str()));
        write_private_file(&side, jpeg).map_err(|e| {
            let _ = std::fs::remove_file(&side);
            Error::from_io(&side, &e)
        })?;
        std::fs::rename(&side, &path).map_err(|e| {
            let _ = std::fs::remove_file(&side);
            Error::from_io(&path, &e)
        })
    }

    /// The poster's bytes, when there is one (and it is still a whole JPEG: a file
    /// changed on disk since is not served as one).
    pub fn read(&self, id: &TaskId) -> Option<Vec<u8>> {
        let bytes = read_capped(&self.path_of(id), MAX_POSTER_BYTES as u64).ok()?;
        is_whole_jpeg(&bytes).then_some(bytes)
    }

    /// Forgets the poster of a task removed from the history.
    pub fn remove(&self, id: &TaskId) {
        let _ = std::fs::remove_file(self.path_of(id));
    }
}

/// Starts with the JPEG start-of-image marker and ends with end-of-image.
pub fn is_whole_jpeg(bytes: &[u8]) -> bool {
    bytes.len() >= 4 && bytes.starts_with(&[0xFF, 0xD8, 0xFF]) && bytes.ends_with(&[0xFF, 0xD9])
}
