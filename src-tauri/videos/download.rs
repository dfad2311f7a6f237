//! Saving a finished video before its link dies.
//!
//! The body streams to `<name>.part` through a client of its own with no
//! Authorization header (the storage host must never see the key), resumes with a
//! Range request when the connection drops, is checked against Content-Length, and
//! only then renamed to its final name. Any failure removes the `.part` file, so a
//! half-written video never sits under the name the user chose.

use std::path::Path;
use std::time::{Duration, Instant};

use reqwest::header::{CONTENT_LENGTH, CONTENT_RANGE, RANGE};
use reqwest::StatusCode;
use serde::Serialize;
use tokio::sync::{oneshot, watch};

use super::part_file::{publish, PartWriter};
use crate::error::Error;
use crate::gateway::transport_reason;

/// Attempts after a dropped connection before giving up.
const RESUME_ATTEMPTS: u32 = 3;
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
///
/// The transfer runs on a thread of its own with a single-threaded runtime, which
/// receives a chunk and writes it in turn, as curl does. Measured over loopback
/// (`./dev bench`, 1 GiB): receiving on the shared runtime and handing the bytes to
/// a writer thread took twice curl's time, and even a client that dropped every
/// byte was slower than one that wrote each chunk before reading the next. The
/// file writes block only that thread, which has nothing else to do.
///
/// `http` is owned by the download: its connections are opened on the download's
/// runtime and end with it, so give each download a client of its own
/// (`AnyfastClient::video_client`), never one other work shares.
pub async fn download(
    http: reqwest::Client,
    url: &str,
    dest: &Path,
    options: SaveOptions,
    cancel: watch::Receiver<bool>,
    mut on_progress: impl FnMut(Progress),
) -> Result<u64, Error> {
    let (progress_tx, mut progress_rx) = watch::channel(None::<Progress>);
    let (done_tx, mut done) = oneshot::channel();
    let (url, dest_owned) = (url.to_owned(), dest.to_owned());
    std::thread::Builder::new()
        .name("paddock-download".into())
        .spawn(move || {
            let mut done_tx = done_tx;
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime,
                Err(e) => {
                    let _ = done_tx.send(Err(could_not_start(e)));
                    return;
                }
            };
            let result = runtime.block_on(async {
                let report = |p| {
                    progress_tx.send_replace(Some(p));
                };
                tokio::select! {
                    r = save_here(&http, &url, &dest_owned, options, cancel, report) => r,
                    // The caller dropped the save (the window closed): stop, and
                    // the `.part` file goes with the writer.
                    () = done_tx.closed() => Err(Error::Cancelled),
                }
            });
            let _ = done_tx.send(result);
            // A name lookup cut off by a cancel may still run on the runtime's
            // blocking pool (glibc can take tens of seconds): not waited for.
            runtime.shutdown_background();
        })
        .map_err(could_not_start)?;
    let mut forwarded = None;
    let answer = loop {
        tokio::select! {
            changed = progress_rx.changed() => {
                if changed.is_err() {
                    break (&mut done).await;
                }
                let latest = *progress_rx.borrow_and_update();
                if let Some(p) = latest {
                    forwarded = latest;
                    on_progress(p);
                }
            }
            answer = &mut done => break answer,
        }
    };
    // The last report (the whole file) is never skipped.
    let last = *progress_rx.borrow();
    if let Some(p) = last.filter(|_| last != forwarded) {
        on_progress(p);
    }
    answer.unwrap_or_else(|_| {
        Err(Error::Internal(
            "the download stopped without an answer".into(),
        ))
    })
}

/// The thread or its runtime could not be made (the system is out of threads).
fn could_not_start(e: std::io::Error) -> Error {
    Error::Internal(format!("the download could not start: {e}"))
}

/// The save itself, on the download's own thread: blocking file work is allowed here.
async fn save_here(
    http: &reqwest::Client,
    url: &str,
    dest: &Path,
    options: SaveOptions,
    mut cancel: watch::Receiver<bool>,
    mut on_progress: impl FnMut(Progress),
) -> Result<u64, Error> {
    if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::from_io(dir, &e))?;
    }
    if !options.overwrite && std::fs::symlink_metadata(dest).is_ok() {
        return Err(Error::FileExists(dest.display().to_string()));
    }
    let mut file = PartWriter::create(dest)?;
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
    // Flushed to disk before the file gets its name; a failed save is not flushed,
    // only removed. Errors name the file the user chose, not its temporary `.part`.
    let written = match result {
        Ok(_) => file.finish().map_err(|e| Error::from_io(dest, &e)),
        Err(_) => {
            drop(file);
            Ok(())
        }
    };
    let outcome = match (result, written) {
        (Ok(n), Ok(())) => publish(&part, dest, options.overwrite).map(|()| n),
        (Err(e), _) | (Ok(_), Err(e)) => Err(e),
    };
    if outcome.is_err() {
        let _ = std::fs::remove_file(&part);
    }
    outcome
}

async fn fetch_body(
    http: &reqwest::Client,
    url: &str,
    dest: &Path,
    file: &mut PartWriter,
    max_bytes: u64,
    cancel: &mut watch::Receiver<bool>,
    on_progress: &mut impl FnMut(Progress),
) -> Result<u64, Error> {
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
            _ = cancel.wait_for(|c| *c) => return Err(Error::Cancelled),
        };
        let mut response = match response {
            Ok(r) => r,
            Err(_) if attempt < RESUME_ATTEMPTS => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(300 * u64::from(attempt))).await;
                continue;
            }
            Err(e) => return Err(Error::StorageNetwork(transport_reason(&e).into())),
        };
        match response.status() {
            StatusCode::OK => {
                if received > 0 {
                    // The server ignored the Range: start over in a new file.
                    file.start_over(dest)?;
                    received = 0;
                }
                total = content_length(&response);
                if total.is_some_and(|t| t > max_bytes) {
                    return Err(Error::TooLarge { limit: max_bytes });
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
                            return Err(Error::TooLarge { limit: max_bytes });
                        }
                    }
                    _ => {
                        return Err(Error::Truncated {
                            got: received,
                            expected: total.unwrap_or(0),
                        })
                    }
                }
            }
            StatusCode::FORBIDDEN => return Err(Error::LinkExpired),
            s => return Err(Error::DownloadHttp(s.as_u16())),
        }
        let dropped = loop {
            let chunk = tokio::select! {
                c = response.chunk() => c,
                _ = cancel.wait_for(|c| *c) => return Err(Error::Cancelled),
            };
            match chunk {
                Ok(Some(bytes)) => {
                    received = received.saturating_add(bytes.len() as u64);
                    if received > max_bytes {
                        return Err(Error::TooLarge { limit: max_bytes });
                    }
                    if total.is_some_and(|t| received > t) {
                        // More than the host announced: not the file it described.
                        return Err(Error::LongerThanAnnounced {
                            expected: total.unwrap_or(0),
                        });
                    }
                    file.write(&bytes).map_err(|e| Error::from_io(dest, &e))?;
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
            return Err(Error::Truncated {
                got: received,
                expected: total.unwrap_or(received),
            });
        }
        attempt += 1;
        tokio::time::sleep(Duration::from_millis(200 * u64::from(attempt))).await;
    }
    if let Some(t) = total {
        if received != t {
            return Err(Error::Truncated {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_range_parses() {
        assert_eq!(
            parse_content_range("bytes 100-199/1000"),
            Some((100, Some(1000)))
        );
        assert_eq!(parse_content_range("bytes 0-9/*"), Some((0, None)));
        assert_eq!(parse_content_range("junk"), None);
    }
}
