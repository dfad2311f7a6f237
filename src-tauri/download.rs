//! Saving a finished video before its link dies.
//!
//! The body streams to `<name>.part` through the shared client with no
//! Authorization header (the storage host must never see the key), resumes with a
//! Range request when the connection drops, is checked against Content-Length, and
//! only then renamed to its final name. Any failure removes the `.part` file, so a
//! half-written video never sits under the name the user chose.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::header::{CONTENT_LENGTH, CONTENT_RANGE, RANGE};
use reqwest::StatusCode;
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};
use tokio::sync::{mpsc, watch, OwnedSemaphorePermit, Semaphore};

use crate::timefmt;

/// Attempts after a dropped connection before giving up.
const RESUME_ATTEMPTS: u32 = 3;
/// Bytes queued for the disk writer at most: memory stays flat however large the
/// file and however slow the disk.
const WRITE_QUEUE_BYTES: usize = 4 << 20;
/// Chunks written with one system call at most.
const WRITE_BATCH: usize = 64;
/// Progress is reported at most this often (and once at the end).
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// The largest video Paddock saves unless told otherwise (Settings, `--max-size`).
/// HappyHorse videos are tens of megabytes; a body past this is not a video.
pub const DEFAULT_MAX_BYTES: u64 = 2 << 30;

/// How one save behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SaveOptions {
    /// The body is refused past this many bytes, announced or streamed.
    pub max_bytes: u64,
    /// Replace a file already at the destination (the user confirmed it). Without
    /// this the save fails rather than overwrite.
    pub overwrite: bool,
}

impl Default for SaveOptions {
    fn default() -> Self {
        Self {
            max_bytes: DEFAULT_MAX_BYTES,
            overwrite: false,
        }
    }
}

/// Cumulative progress of one download.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Progress {
    pub received: u64,
    pub total: Option<u64>,
    pub bytes_per_sec: f64,
}

/// Why a download did not complete. No file is left under the final name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DownloadError {
    #[error("The video link has expired (the storage host answered 403). Links last 24 hours after the task finishes; the video can no longer be saved.")]
    Expired,
    #[error("The storage host answered HTTP {0}. Try again later.")]
    Http(u16),
    #[error("The download stopped early ({got} of {expected} bytes) and could not be resumed. Try again.")]
    Truncated { got: u64, expected: u64 },
    #[error(
        "The connection to the storage host failed ({0}). Check your connection and try again."
    )]
    Network(String),
    #[error("The disk is full: {0}. Free some space and try again.")]
    DiskFull(String),
    #[error("Paddock may not write to {0}. Choose another folder.")]
    Permission(String),
    #[error("Could not write the video to {path}: {reason}.")]
    Disk { path: String, reason: String },
    #[error("The download was cancelled.")]
    Cancelled,
    #[error("This task has no video to save.")]
    NoVideo,
    #[error("Choose where to save the video first.")]
    NoDestination,
    #[error("The saved copy at {0} is gone or is not a video file.")]
    SavedCopyGone(String),
    #[error("This video is already being saved{}.", .0.as_deref().map(|p| format!(" to {p}")).unwrap_or_default())]
    AlreadySaving(Option<String>),
    #[error("The video is larger than the limit of {} (Settings, or --max-size); nothing was kept.", human_bytes(*.limit))]
    TooLarge { limit: u64 },
    #[error("The storage host sent more than the {expected} bytes it announced; the file was not kept. Try again.")]
    LongerThanAnnounced { expected: u64 },
    #[error("{0} already exists; Paddock does not overwrite a file unless you confirm it (in a terminal: --force).")]
    Exists(String),
}

/// `2.0 GiB`, `350 MiB`, `900 KiB`.
pub fn human_bytes(n: u64) -> String {
    const KIB: f64 = 1024.0;
    let f = n as f64;
    if f >= KIB * KIB * KIB {
        format!("{:.1} GiB", f / (KIB * KIB * KIB))
    } else if f >= KIB * KIB {
        format!("{:.0} MiB", f / (KIB * KIB))
    } else {
        format!("{:.0} KiB", f / KIB)
    }
}

impl DownloadError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Expired => "link_expired",
            Self::Http(_) => "download_http",
            Self::Truncated { .. } => "truncated",
            Self::Network(_) => "network",
            Self::DiskFull(_) => "disk_full",
            Self::Permission(_) => "permission",
            Self::Disk { .. } => "disk",
            Self::Cancelled => "cancelled",
            Self::NoVideo => "no_video",
            Self::AlreadySaving(_) => "already_saving",
            Self::NoDestination => "no_destination",
            Self::SavedCopyGone(_) => "saved_copy_gone",
            Self::TooLarge { .. } => "too_large",
            Self::LongerThanAnnounced { .. } => "bad_length",
            Self::Exists(_) => "file_exists",
        }
    }
}

impl Serialize for DownloadError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("DownloadError", 2)?;
        s.serialize_field("code", self.code())?;
        s.serialize_field("message", &self.to_string())?;
        s.end()
    }
}

fn disk_error(path: &Path, e: &std::io::Error) -> DownloadError {
    let shown = path.display().to_string();
    match e.kind() {
        std::io::ErrorKind::StorageFull => DownloadError::DiskFull(shown),
        std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => {
            DownloadError::Permission(shown)
        }
        _ => DownloadError::Disk {
            path: shown,
            reason: e.to_string(),
        },
    }
}

/// `<dest>.part`, beside the destination.
pub fn part_path(dest: &Path) -> PathBuf {
    let mut name = dest
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".part");
    dest.with_file_name(name)
}

/// Lets the UI stop a download; dropping the sender does not cancel.
#[derive(Clone)]
pub struct CancelHandle(watch::Sender<bool>);

impl CancelHandle {
    pub fn new() -> (Self, watch::Receiver<bool>) {
        let (tx, rx) = watch::channel(false);
        (Self(tx), rx)
    }

    pub fn cancel(&self) {
        let _ = self.0.send(true);
    }
}

/// Downloads `url` to `dest`. `on_progress` gets cumulative totals.
pub async fn download(
    http: &reqwest::Client,
    url: &str,
    dest: &Path,
    options: SaveOptions,
    mut cancel: watch::Receiver<bool>,
    mut on_progress: impl FnMut(Progress),
) -> Result<u64, DownloadError> {
    if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty()) {
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|e| disk_error(dir, &e))?;
    }
    if !options.overwrite && tokio::fs::symlink_metadata(dest).await.is_ok() {
        return Err(DownloadError::Exists(dest.display().to_string()));
    }
    let mut file = PartWriter::create(dest).await?;
    let result = fetch_body(
        http,
        url,
        dest,
        &mut file,
        options.max_bytes,
        &mut cancel,
        &mut on_progress,
    )
    .await;
    // The writer may have been replaced (a host that ignored Range): its path now.
    let part = file.path.clone();
    // Let the writer stop (and flush, on success) before the file is moved or removed.
    // Errors name the file the user chose, not its temporary `.part`.
    let written = file.finish().await.map_err(|e| disk_error(dest, &e));
    let outcome = match (result, written) {
        (Ok(n), Ok(())) => {
            let dest = dest.to_owned();
            let moved_part = part.clone();
            tokio::task::spawn_blocking(move || publish(&moved_part, &dest, options.overwrite))
                .await
                .unwrap_or_else(|e| {
                    Err(DownloadError::Disk {
                        path: part.display().to_string(),
                        reason: e.to_string(),
                    })
                })
                .map(|()| n)
        }
        (Err(e), _) | (Ok(_), Err(e)) => Err(e),
    };
    if outcome.is_err() {
        let _ = tokio::fs::remove_file(&part).await;
    }
    outcome
}

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
fn publish(part: &Path, dest: &Path, overwrite: bool) -> Result<(), DownloadError> {
    if overwrite {
        return std::fs::rename(part, dest).map_err(|e| disk_error(dest, &e));
    }
    match std::fs::hard_link(part, dest) {
        Ok(()) => {
            let _ = std::fs::remove_file(part);
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            Err(DownloadError::Exists(dest.display().to_string()))
        }
        Err(_) => {
            if std::fs::symlink_metadata(dest).is_ok() {
                return Err(DownloadError::Exists(dest.display().to_string()));
            }
            std::fs::rename(part, dest).map_err(|e| disk_error(dest, &e))
        }
    }
}

/// A new `.part` file beside `dest`, created exclusively: an existing file or a
/// symlink planted under that name is never opened, truncated or followed. A second
/// save of the same name picks the next free `.N.part`.
fn create_part(dest: &Path) -> Result<(PathBuf, std::fs::File), DownloadError> {
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
            Err(e) => return Err(disk_error(dest, &e)),
        }
    }
    let e = last.unwrap_or_else(|| std::io::ErrorKind::AlreadyExists.into());
    Err(disk_error(dest, &e))
}

/// Writes the body to the `.part` file on a blocking thread, straight from the
/// network's buffers. tokio's `File` (and a `BufWriter` in front of it) would copy
/// every byte once or twice more on the way, which cost a 1 GiB save ~40% of its
/// speed against curl (`./dev bench`).
struct PartWriter {
    /// The `.part` file being written.
    path: PathBuf,
    chunks: Option<mpsc::UnboundedSender<(Bytes, OwnedSemaphorePermit)>>,
    /// The queue's byte budget; a chunk holds its share until it is on disk.
    budget: Arc<Semaphore>,
    /// Taken once joined, so its result is read once.
    thread: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl PartWriter {
    /// Creates a new `.part` file for `dest`; failing here means nothing was requested yet.
    async fn create(dest: &Path) -> Result<Self, DownloadError> {
        let dest_owned = dest.to_owned();
        let (path, file) = tokio::task::spawn_blocking(move || create_part(&dest_owned))
            .await
            .map_err(|e| DownloadError::Disk {
                path: dest.display().to_string(),
                reason: e.to_string(),
            })??;
        let (chunks, mut queue) = mpsc::unbounded_channel::<(Bytes, OwnedSemaphorePermit)>();
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
                write_all_chunks(&mut file, batch.iter().map(|(chunk, _)| chunk))?;
                // Dropping the permits gives their bytes back to the budget.
                batch.clear();
            }
            file.sync_all()
        });
        Ok(Self {
            path,
            chunks: Some(chunks),
            budget: Arc::new(Semaphore::new(WRITE_QUEUE_BYTES)),
            thread: Some(thread),
        })
    }

    /// Queues one chunk; an error is the writer's own (disk full, ...).
    async fn write(&mut self, chunk: Bytes) -> std::io::Result<()> {
        // Waits while the writer is WRITE_QUEUE_BYTES behind (a chunk larger than
        // the whole budget takes all of it).
        let share = chunk.len().clamp(1, WRITE_QUEUE_BYTES) as u32;
        let sent = match (
            &self.chunks,
            self.budget.clone().acquire_many_owned(share).await,
        ) {
            (Some(tx), Ok(permit)) => tx.send((chunk, permit)).is_ok(),
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
    async fn finish(mut self) -> std::io::Result<()> {
        self.join().await
    }

    /// Ends the queue and waits for the thread. A second call finds it joined and
    /// returns Ok: the first already reported its error.
    async fn join(&mut self) -> std::io::Result<()> {
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

async fn fetch_body(
    http: &reqwest::Client,
    url: &str,
    dest: &Path,
    file: &mut PartWriter,
    max_bytes: u64,
    cancel: &mut watch::Receiver<bool>,
    on_progress: &mut impl FnMut(Progress),
) -> Result<u64, DownloadError> {
    let started = Instant::now();
    let mut received: u64 = 0;
    let mut total: Option<u64> = None;
    let mut last_report: Option<Instant> = None;
    let mut attempt = 0;
    loop {
        // No Authorization header here, ever: the storage host is not the gateway.
        let mut request = http.get(url);
        if received > 0 {
            request = request.header(RANGE, format!("bytes={received}-"));
        }
        let response = tokio::select! {
            r = request.send() => r,
            _ = cancel.wait_for(|c| *c) => return Err(DownloadError::Cancelled),
        };
        let mut response = match response {
            Ok(r) => r,
            Err(_) if attempt < RESUME_ATTEMPTS => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(300 * u64::from(attempt))).await;
                continue;
            }
            Err(e) => return Err(DownloadError::Network(short_reason(&e))),
        };
        match response.status() {
            StatusCode::OK => {
                if received > 0 {
                    // The server ignored the Range: start over in a new file. The
                    // old writer stops first, so none of its queued bytes land anywhere.
                    let _ = file.join().await;
                    let _ = tokio::fs::remove_file(&file.path).await;
                    *file = PartWriter::create(dest).await?;
                    received = 0;
                }
                total = content_length(&response);
                if total.is_some_and(|t| t > max_bytes) {
                    return Err(DownloadError::TooLarge { limit: max_bytes });
                }
            }
            StatusCode::PARTIAL_CONTENT => {
                let range_start = response
                    .headers()
                    .get(CONTENT_RANGE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(parse_content_range);
                match range_start {
                    Some((start, full)) if start == received => {
                        total = full.or(total);
                        if total.is_some_and(|t| t > max_bytes) {
                            return Err(DownloadError::TooLarge { limit: max_bytes });
                        }
                    }
                    _ => {
                        return Err(DownloadError::Truncated {
                            got: received,
                            expected: total.unwrap_or(0),
                        })
                    }
                }
            }
            StatusCode::FORBIDDEN => return Err(DownloadError::Expired),
            s => return Err(DownloadError::Http(s.as_u16())),
        }
        let dropped = loop {
            let chunk = tokio::select! {
                c = response.chunk() => c,
                _ = cancel.wait_for(|c| *c) => return Err(DownloadError::Cancelled),
            };
            match chunk {
                Ok(Some(bytes)) => {
                    received = received.saturating_add(bytes.len() as u64);
                    if received > max_bytes {
                        return Err(DownloadError::TooLarge { limit: max_bytes });
                    }
                    if total.is_some_and(|t| received > t) {
                        // More than the host announced: not the file it described.
                        return Err(DownloadError::LongerThanAnnounced {
                            expected: total.unwrap_or(0),
                        });
                    }
                    file.write(bytes).await.map_err(|e| disk_error(dest, &e))?;
                    if last_report.is_none_or(|at| at.elapsed() >= PROGRESS_EVERY) {
                        last_report = Some(Instant::now());
                        on_progress(progress(received, total, started));
                    }
                }
                Ok(None) => break false,
                Err(_) => break true,
            }
        };
        let complete = total.is_none_or(|t| received >= t);
        if complete && !dropped {
            break;
        }
        if attempt >= RESUME_ATTEMPTS {
            return Err(DownloadError::Truncated {
                got: received,
                expected: total.unwrap_or(received),
            });
        }
        attempt += 1;
        tokio::time::sleep(Duration::from_millis(200 * u64::from(attempt))).await;
    }
    if let Some(t) = total {
        if received != t {
            return Err(DownloadError::Truncated {
                got: received,
                expected: t,
            });
        }
    }
    on_progress(progress(received, total, started));
    Ok(received)
}

fn progress(received: u64, total: Option<u64>, started: Instant) -> Progress {
    let secs = started.elapsed().as_secs_f64().max(1e-3);
    Progress {
        received,
        total,
        bytes_per_sec: received as f64 / secs,
    }
}

fn content_length(response: &reqwest::Response) -> Option<u64> {
    response
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
}

/// `bytes 100-199/1000` → (100, Some(1000)).
fn parse_content_range(v: &str) -> Option<(u64, Option<u64>)> {
    let rest = v.trim().strip_prefix("bytes ")?;
    let (range, full) = rest.split_once('/')?;
    let (start, _) = range.split_once('-')?;
    Some((start.trim().parse().ok()?, full.trim().parse().ok()))
}

fn short_reason(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "could not connect".into()
    } else {
        "the connection broke off".into()
    }
}

/// `dest`, or `name (2).mp4`, `name (3).mp4`... when a file is already there.
pub fn unused_path(dest: &Path) -> PathBuf {
    if !dest.exists() {
        return dest.to_owned();
    }
    let stem = dest
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = dest
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    (2..)
        .map(|n| dest.with_file_name(format!("{stem} ({n}){ext}")))
        .find(|p| !p.exists())
        .unwrap_or_else(|| dest.to_owned())
}

/// A file name for a task's video: `2026-04-28_a-cat-running_6ya0c3e1.mp4`. The slug
/// keeps letters of any script, drops what Windows, macOS or Linux forbid, and is
/// never a reserved device name.
pub fn default_file_name(id: &str, prompt: Option<&str>, finished_at: Option<i64>) -> String {
    let date = timefmt::date_only(finished_at.unwrap_or_else(timefmt::now_unix));
    let slug = slugify(prompt.unwrap_or(""), 40);
    // Only ID characters: the name must be safe even for an ID that never passed
    // validation (found by the property tests: an ID of "<").
    let short: String = id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .rev()
        .take(8)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if slug.is_empty() {
        format!("{date}_{short}.mp4")
    } else {
        format!("{date}_{slug}_{short}.mp4")
    }
}

/// Letters and digits of any script, runs of anything else as one `-`, at most `max` chars.
pub fn slugify(text: &str, max: usize) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c.to_lowercase().next().unwrap_or(c));
            if out.chars().count() >= max {
                break;
            }
        } else {
            dash = true;
        }
    }
    let upper = out.to_ascii_uppercase();
    let reserved = ["CON", "PRN", "AUX", "NUL"].contains(&upper.as_str())
        || ((upper.starts_with("COM") || upper.starts_with("LPT"))
            && upper.len() == 4
            && upper.as_bytes()[3].is_ascii_digit());
    if reserved {
        out.push_str("-video");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_safe_everywhere() {
        let name = default_file_name(
            "asyntask_jwgfhsG0m2aDjLmiiELRf74eoWmss6ya",
            Some("A cat: running <fast> / on \"grass\"?"),
            Some(1_777_343_961),
        );
        assert_eq!(name, "2026-04-28_a-cat-running-fast-on-grass_oWmss6ya.mp4");
        let zh = default_file_name(
            "asyntask_x",
            Some("一只猫在草地上奔跑。"),
            Some(1_777_343_961),
        );
        assert_eq!(zh, "2026-04-28_一只猫在草地上奔跑_yntask_x.mp4");
        assert_eq!(slugify("con", 40), "con-video");
        assert_eq!(slugify("COM1", 40), "com1-video");
        assert_eq!(slugify("...", 40), "");
        assert_eq!(slugify(&"a".repeat(100), 40).len(), 40);
        for bad in ['<', '>', ':', '"', '/', '\\', '|', '?', '*', '\0'] {
            assert!(!default_file_name("id", Some(&format!("x{bad}y")), Some(0)).contains(bad));
        }
    }

    #[test]
    fn content_range_parses() {
        assert_eq!(
            parse_content_range("bytes 100-199/1000"),
            Some((100, Some(1000)))
        );
        assert_eq!(parse_content_range("bytes 0-9/*"), Some((0, None)));
        assert_eq!(parse_content_range("junk"), None);
    }

    #[test]
    fn part_file_sits_beside_the_destination() {
        assert_eq!(
            part_path(Path::new("/v/a.mp4")),
            PathBuf::from("/v/a.mp4.part")
        );
    }
}
