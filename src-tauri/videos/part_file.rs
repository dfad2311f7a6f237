//! The `.part` file a download writes before it has its final name: created
//! exclusively, written straight from the network's buffers, removed with any
//! failure, and published without ever replacing a file the user did not say to
//! replace.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::names::part_path;
use crate::error::Error;

/// A `.part` file nobody has written to for this long belongs to a save that died
/// (the app closed mid-download); a new save of the same name takes its place.
const STALE_PART: Duration = Duration::from_secs(600);

fn is_stale(path: &Path) -> bool {
    std::fs::symlink_metadata(path)
        .ok()
        .filter(|m| m.is_file())
        .and_then(|m| m.modified().ok())
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age > STALE_PART)
}

/// Gives the finished `.part` file its final name. Without `overwrite` a hard link
/// refuses an existing destination atomically; file systems without hard links (FAT
/// on a USB stick) fall back to a check and a rename.
pub(super) fn publish(part: &Path, dest: &Path, overwrite: bool) -> Result<(), Error> {
    if overwrite {
        return std::fs::rename(part, dest).map_err(|e| Error::from_io(dest, &e));
    }
    match std::fs::hard_link(part, dest) {
        Ok(()) => {
            let _ = std::fs::remove_file(part);
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            Err(Error::FileExists(dest.display().to_string()))
        }
        Err(_) => {
            if std::fs::symlink_metadata(dest).is_ok() {
                return Err(Error::FileExists(dest.display().to_string()));
            }
            std::fs::rename(part, dest).map_err(|e| Error::from_io(dest, &e))
        }
    }
}

/// A new `.part` file beside `dest`, created exclusively: an existing file or a
/// symlink planted under that name is never opened, truncated or followed. A second
/// save of the same name picks the next free `.N.part`.
fn create_part(dest: &Path) -> Result<(PathBuf, std::fs::File), Error> {
    let base = part_path(dest);
    let mut last = None;
    for n in 0..100u32 {
        let path = if n == 0 {
            base.clone()
        } else {
            let mut name = dest
                .file_name()
                .map(|n| n.to_os_string())
                .unwrap_or_default();
            name.push(format!(".{n}.part"));
            dest.with_file_name(name)
        };
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(file) => return Ok((path, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                // Left by a save that died: remove it (a regular file only, never
                // what a symlink points at) and take the name.
                if is_stale(&path) && std::fs::remove_file(&path).is_ok() {
                    if let Ok(file) = std::fs::OpenOptions::new()
                        .write(true)
                        .create_new(true)
                        .open(&path)
                    {
                        return Ok((path, file));
                    }
                }
                last = Some(e);
            }
            Err(e) => return Err(Error::from_io(dest, &e)),
        }
    }
    let e = last.unwrap_or_else(|| std::io::ErrorKind::AlreadyExists.into());
    Err(Error::from_io(dest, &e))
}

/// Writes the body to the `.part` file, each network chunk as it comes, on the
/// download's own thread (see [`super::download`]). Measured on a 1 GiB save,
/// gathering chunks into MiB-sized vectored writes was slower (3.0 s against
/// 2.1 s to receive), likely because kept chunks stop the HTTP stack from reusing
/// its read buffer. tokio's `File` would copy every byte once more on the way.
pub(super) struct PartWriter {
    /// The `.part` file being written.
    pub(super) path: PathBuf,
    /// Taken when finished: a writer dropped while it still holds its file was
    /// abandoned, and takes the file with it.
    file: Option<std::fs::File>,
}

impl PartWriter {
    /// Creates a new `.part` file for `dest`; failing here means nothing was requested yet.
    pub(super) fn create(dest: &Path) -> Result<Self, Error> {
        let (path, file) = create_part(dest)?;
        Ok(Self {
            path,
            file: Some(file),
        })
    }

    /// Throws away what was written and starts a new `.part` file (a host that
    /// ignored the Range of a resume sends the whole file again).
    pub(super) fn start_over(&mut self, dest: &Path) -> Result<(), Error> {
        self.discard();
        *self = Self::create(dest)?;
        Ok(())
    }

    /// Writes one chunk; an error is the disk's (full, gone, ...).
    pub(super) fn write(&mut self, chunk: &[u8]) -> std::io::Result<()> {
        use std::io::Write;
        match self.file.as_mut() {
            Some(file) => file.write_all(chunk),
            None => Err(std::io::ErrorKind::BrokenPipe.into()),
        }
    }

    /// Flushes what was written to disk and closes the file, which stays for the
    /// caller to publish or remove.
    pub(super) fn finish(mut self) -> std::io::Result<()> {
        match self.file.take() {
            Some(file) => file.sync_all(),
            None => Err(std::io::ErrorKind::BrokenPipe.into()),
        }
    }

    /// Closes and removes the file, if this writer still has one.
    fn discard(&mut self) {
        if self.file.take().is_some() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// A save abandoned mid-way (its future dropped: the window closed, the command
/// was stopped) takes its `.part` file with it.
impl Drop for PartWriter {
    fn drop(&mut self) {
        self.discard();
    }
}
