//! Plays saved videos in the webview after their links have died.
//!
//! WebKitGTK does not reliably play local video through Tauri's asset protocol or a
//! custom scheme (tauri-apps/tauri 3725, 15472: its first request is not a range
//! request), so saved files are served by a tiny HTTP server on 127.0.0.1 with Range
//! support. Each file gets an unguessable token in its path, and only registered
//! files are served: nothing else on disk is reachable, and nothing is reachable
//! from another machine.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncSeekExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

const MAX_HEAD: usize = 16 * 1024;

/// A running loopback server and the files it may serve.
#[derive(Clone)]
pub struct MediaServer {
    port: u16,
    files: Arc<Mutex<HashMap<String, PathBuf>>>,
}

/// 128 random bits as hex, from the standard library's randomly keyed hasher.
fn token() -> String {
    let a = RandomState::new().hash_one(std::time::SystemTime::now());
    let b = RandomState::new().hash_one(std::process::id());
    format!("{a:016x}{b:016x}")
}

impl MediaServer {
    /// Binds 127.0.0.1 on a free port and serves on the current runtime.
    pub async fn start() -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let files: Arc<Mutex<HashMap<String, PathBuf>>> = Arc::default();
        let served = Arc::clone(&files);
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let files = Arc::clone(&served);
                tokio::spawn(async move {
                    if let Err(e) = serve(stream, files).await {
                        tracing::debug!(error = %e, "media request ended");
                    }
                });
            }
        });
        Ok(Self { port, files })
    }

    /// The URL the webview can play this file from (the same URL for the same file).
    pub fn url_for(&self, path: &Path) -> String {
        let mut files = self.files.lock().unwrap_or_else(|p| p.into_inner());
        let existing = files
            .iter()
            .find(|(_, p)| p.as_path() == path)
            .map(|(t, _)| t.clone());
        let token = existing.unwrap_or_else(|| {
            let t = token();
            files.insert(t.clone(), path.to_owned());
            t
        });
        format!("http://127.0.0.1:{}/{token}/video.mp4", self.port)
    }
}

async fn serve(
    stream: TcpStream,
    files: Arc<Mutex<HashMap<String, PathBuf>>>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        let n = reader.read_line(&mut line).await?;
        if n == 0 || line == "\r\n" || line == "\n" {
            break;
        }
        head.push_str(&line);
        if head.len() > MAX_HEAD {
            return respond_status(reader.get_mut(), 431, "Request Header Fields Too Large").await;
        }
    }
    let mut lines = head.lines();
    let request = lines.next().unwrap_or("");
    let mut parts = request.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let range = lines
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("range"))
        .map(|(_, v)| v.trim().to_owned());
    let stream = reader.get_mut();
    if method != "GET" && method != "HEAD" {
        return respond_status(stream, 405, "Method Not Allowed").await;
    }
    let token = target
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or("");
    let path = files
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(token)
        .cloned();
    let Some(path) = path else {
        return respond_status(stream, 404, "Not Found").await;
    };
    let Ok(mut file) = tokio::fs::File::open(&path).await else {
        return respond_status(stream, 404, "Not Found").await;
    };
    let total = file.metadata().await?.len();
    let (status, start, end) = match range.as_deref().map(|r| parse_range(r, total)) {
        Some(Some((s, e))) => (206, s, e),
        Some(None) => {
            let head = format!("HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */{total}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            return stream.write_all(head.as_bytes()).await;
        }
        None => (200, 0, total.saturating_sub(1)),
    };
    let length = if total == 0 { 0 } else { end - start + 1 };
    let mut head = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: video/mp4\r\nAccept-Ranges: bytes\r\nContent-Length: {length}\r\nCache-Control: no-store\r\nConnection: close\r\n",
        if status == 206 { "Partial Content" } else { "OK" }
    );
    if status == 206 {
        head.push_str(&format!("Content-Range: bytes {start}-{end}/{total}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await?;
    if method == "GET" && length > 0 {
        file.seek(std::io::SeekFrom::Start(start)).await?;
        let mut body = file.take(length);
        tokio::io::copy(&mut body, stream).await?;
    }
    stream.flush().await
}

async fn respond_status(stream: &mut TcpStream, status: u16, text: &str) -> std::io::Result<()> {
    let head =
        format!("HTTP/1.1 {status} {text}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    stream.write_all(head.as_bytes()).await
}

/// `bytes=a-b`, `bytes=a-`, `bytes=-n` within `total`; None when unsatisfiable.
fn parse_range(header: &str, total: u64) -> Option<(u64, u64)> {
    let spec = header.trim().strip_prefix("bytes=")?;
    let spec = spec.split(',').next()?.trim();
    let (a, b) = spec.split_once('-')?;
    if total == 0 {
        return None;
    }
    let (start, end) = if a.is_empty() {
        let n: u64 = b.parse().ok()?;
        (total.saturating_sub(n), total - 1)
    } else {
        let start: u64 = a.parse().ok()?;
        let end = if b.is_empty() {
            total - 1
        } else {
            b.parse::<u64>().ok()?.min(total - 1)
        };
        (start, end)
    };
    (start <= end && start < total).then_some((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("bytes=0-", 10), Some((0, 9)));
        assert_eq!(parse_range("bytes=2-4", 10), Some((2, 4)));
        assert_eq!(parse_range("bytes=-3", 10), Some((7, 9)));
        assert_eq!(parse_range("bytes=5-100", 10), Some((5, 9)));
        assert_eq!(parse_range("bytes=10-", 10), None);
        assert_eq!(parse_range("items=0-1", 10), None);
    }

    #[test]
    fn tokens_are_long_and_differ() {
        let (a, b) = (token(), token());
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
    }
}
