//! The `.part` file a download writes before it has its final name: created
//! exclusively, written on a blocking thread straight from the network's buffers,
//! removed with any failure, and published without ever replacing a file the user
//! did not say to replace.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};

use super::names::part_path;
use crate::error::Error;

/// Bytes queued for the disk writer at most: memory stays flat however large the
/// file and however slow the disk.
const WRITE_QUEUE_BYTES: usize = 4 << 20;
/// Network chunks are gathered (not copied) up to this many bytes before they go to
/// the writer thread together: one wake-up of that thread per MiB rather than one
/// per 16–64 KiB chunk (`perf` of a 1 GiB save: the time went to futex wake-ups and
/// context switches, not to copies).
const HAND_OVER_BYTES: usize = 1 << 20;
/// Hand-overs written with one system call at most.
const WRITE_BATCH: usize = 8;

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

/// Writes the body to the `.part` file on a blocking thread, straight from the
/// network's buffers. tokio's `File` (and a `BufWriter` in front of it) would copy
/// every byte once or twice more on the way, which cost a 1 GiB save ~40% of its
/// speed against curl (`./dev bench`).
pub(super) struct PartWriter {
    /// The `.part` file being written.
    pub(super) path: PathBuf,
    chunks: Option<mpsc::UnboundedSender<(Vec<Bytes>, OwnedSemaphorePermit)>>,
    /// Chunks not handed to the thread yet, and their bytes.
    pending: Vec<Bytes>,
    pending_bytes: usize,
    /// The queue's byte budget; a chunk holds its share until it is on disk.
    budget: Arc<Semaphore>,
    /// Taken once joined, so its result is read once.
    thread: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl PartWriter {
    /// Creates a new `.part` file for `dest`; failing here means nothing was requested yet.
    pub(super) async fn create(dest: &Path) -> Result<Self, Error> {
        let dest_owned = dest.to_owned();
        let (path, file) = tokio::task::spawn_blocking(move || create_part(&dest_owned))
            .await
            .map_err(|e| Error::Disk {
                path: dest.display().to_string(),
                reason: e.to_string(),
            })??;
        let (chunks, mut queue) = mpsc::unbounded_channel::<(Vec<Bytes>, OwnedSemaphorePermit)>();
        let thread = tokio::task::spawn_blocking(move || {
            let mut file = file;
            let mut batch = Vec::with_capacity(WRITE_BATCH);
            while let Some(first) = queue.blocking_recv() {
                batch.push(first);
                while batch.len() < WRITE_BATCH {
                    match queue.try_recv() {
                        Ok(chunk) => batch.push(chunk),
                        Err(_) => break,
                    }
                }
                write_all_chunks(&mut file, batch.iter().flat_map(|(chunks, _)| chunks))?;
                // Dropping the permits gives their bytes back to the budget.
                batch.clear();
            }
            file.sync_all()
        });
        Ok(Self {
            path,
            chunks: Some(chunks),
            pending: Vec::new(),
            pending_bytes: 0,
            budget: Arc::new(Semaphore::new(WRITE_QUEUE_BYTES)),
            thread: Some(thread),
        })
    }

    /// Queues one chunk; an error is the writer's own (disk full, ...).
    pub(super) async fn write(&mut self, chunk: Bytes) -> std::io::Result<()> {
        self.pending_bytes += chunk.len();
        self.pending.push(chunk);
        if self.pending_bytes >= HAND_OVER_BYTES {
            self.hand_over().await?;
        }
        Ok(())
    }

    /// Sends the gathered chunks to the writer thread. Waits while the writer is
    /// WRITE_QUEUE_BYTES behind (a batch larger than the whole budget takes all of it).
    async fn hand_over(&mut self) -> std::io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let share = self.pending_bytes.clamp(1, WRITE_QUEUE_BYTES) as u32;
        let batch = std::mem::take(&mut self.pending);
        self.pending_bytes = 0;
        let sent = match (
            &self.chunks,
            self.budget.clone().acquire_many_owned(share).await,
        ) {
            (Some(tx), Ok(permit)) => tx.send((batch, permit)).is_ok(),
            _ => false,
        };
        if sent {
            return Ok(());
        }
        // The thread stopped: its result says why.
        self.join()
            .await
            .and(Err(std::io::ErrorKind::BrokenPipe.into()))
    }

    /// Writes what is queued, flushes it to disk and closes the file.
    pub(super) async fn finish(mut self) -> std::io::Result<()> {
        let handed = self.hand_over().await;
        let joined = self.join().await;
        handed.and(joined)
    }

    /// Ends the queue and waits for the thread. A second call finds it joined and
    /// returns Ok: the first already reported its error.
    pub(super) async fn join(&mut self) -> std::io::Result<()> {
        self.chunks = None;
        match self.thread.take() {
            Some(thread) => thread
                .await
                .unwrap_or_else(|e| Err(std::io::Error::other(e))),
            None => Ok(()),
        }
    }
}

/// A save abandoned mid-way (its future dropped: the window closed, the command
/// was stopped) takes its `.part` file with it.
impl Drop for PartWriter {
    fn drop(&mut self) {
        if self.thread.is_some() {
            self.chunks = None;
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// `write_all` over several buffers at once: one system call for many network chunks.
fn write_all_chunks<'a>(
    file: &mut std::fs::File,
    chunks: impl Iterator<Item = &'a Bytes>,
) -> std::io::Result<()> {
    use std::io::{IoSlice, Write};
    let mut slices: Vec<IoSlice<'_>> = chunks.map(|c| IoSlice::new(c)).collect();
    let mut rest = &mut slices[..];
    while !rest.is_empty() {
        match file.write_vectored(rest) {
            Ok(0) => return Err(std::io::ErrorKind::WriteZero.into()),
            Ok(n) => IoSlice::advance_slices(&mut rest, n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
