//! Plays saved videos in the webview after their links have died, and lends the
//! webview's poster maker a live link under the app's own origin (CORS), so a frame
//! can be drawn into a canvas without tainting it.
//!
//! WebKitGTK does not reliably play local video through Tauri's asset protocol or a
//! custom scheme (tauri-apps/tauri 3725, 15472: its first request is not a range
//! request), so saved files are served by a tiny HTTP server on 127.0.0.1 with Range
//! support. Each file gets an unguessable token in its path, and only registered
//! files are served: nothing else on disk is reachable, and nothing is reachable
//! from another machine.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncSeekExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

use super::stall_limit::{copy_with_stall_limit, write_with_stall_limit};
use crate::token::random_token;

/// The request line and headers together, at most; a line without an end stops here.
const MAX_HEAD: u64 = 16 * 1024;
/// Connections served at once. A `<video>` opens two or three; anything far beyond
/// is not the webview.
const MAX_CONNECTIONS: usize = 32;
/// A client that has not sent its whole request head by then is dropped, and so is
/// one that takes no bytes of the answer for as long.
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);

/// What a token serves: a saved file, or a live video link relayed from its host
/// (with the plain video client: no key, https only).
#[derive(Clone)]
enum Source {
    File(PathBuf),
    Link {
        url: String,
        client: reqwest::Client,
    },
}

impl Source {
    fn same(&self, other: &Source) -> bool {
        match (self, other) {
            (Source::File(a), Source::File(b)) => a == b,
            (Source::Link { url: a, .. }, Source::Link { url: b, .. }) => a == b,
            _ => false,
        }
    }
}

type Sources = Arc<Mutex<HashMap<String, Source>>>;

/// A running loopback server and what it may serve.
#[derive(Clone)]
pub struct MediaServer {
    port: u16,
    files: Sources,
}

impl MediaServer {
    /// Binds 127.0.0.1 on a free port and serves on the current runtime.
    pub async fn start() -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        random_token()?;
        let files: Sources = Arc::default();
        let served = Arc::clone(&files);
        let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                };
                // Over the cap the connection is closed at once, not queued.
                let Ok(slot) = Arc::clone(&slots).try_acquire_owned() else {
                    continue;
                };
                let files = Arc::clone(&served);
                tokio::spawn(async move {
                    if let Err(e) = serve(stream, files, port).await {
                        tracing::debug!(error = %e, "media request ended");
                    }
                    drop(slot);
                });
            }
        });
        Ok(Self { port, files })
    }

    /// The URL the webview can play this file from (the same URL for the same file).
    pub fn url_for(&self, path: &Path) -> std::io::Result<String> {
        self.register(Source::File(path.to_owned()))
    }

    /// A loopback URL that relays a live video link (its Range requests too), for
    /// drawing posters. `client` is the video client, which never carries the key.
    pub fn url_for_link(&self, url: &str, client: &reqwest::Client) -> std::io::Result<String> {
        self.register(Source::Link {
            url: url.to_owned(),
            client: client.clone(),
        })
    }

    fn register(&self, source: Source) -> std::io::Result<String> {
        let mut files = self.files.lock().unwrap_or_else(|p| p.into_inner());
        let existing = files
            .iter()
            .find(|(_, s)| s.same(&source))
            .map(|(t, _)| t.clone());
        let token = match existing {
            Some(t) => t,
            None => {
                let t = random_token()?;
                files.insert(t.clone(), source);
                t
            }
        };
        Ok(format!("http://127.0.0.1:{}/{token}/video.mp4", self.port))
    }
}

/// The webview's own origins (Linux and macOS, Windows and Android): only they may
/// read a frame of what this server sends.
fn app_origin(origin: Option<&str>) -> Option<&str> {
    origin.filter(|o| {
        matches!(
            *o,
            "tauri://localhost" | "http://tauri.localhost" | "https://tauri.localhost"
        )
    })
}

/// Reads the request head: at most `MAX_HEAD` bytes, within `HEAD_TIMEOUT`. `None`
/// when it is too long; an error when the client is too slow or went away.
async fn read_head(reader: &mut BufReader<TcpStream>) -> std::io::Result<Option<String>> {
    let mut limited = reader.take(MAX_HEAD + 1);
    let mut head = Vec::new();
    let read = async {
        loop {
            let before = head.len();
            let n = limited.read_until(b'\n', &mut head).await?;
            let line = &head[before..];
            if n == 0 || line == b"\r\n" || line == b"\n" {
                return Ok::<_, std::io::Error>(());
            }
        }
    };
    tokio::time::timeout(HEAD_TIMEOUT, read)
        .await
        .map_err(|_| std::io::Error::from(std::io::ErrorKind::TimedOut))??;
    if head.len() as u64 > MAX_HEAD {
        return Ok(None);
    }
    Ok(Some(String::from_utf8_lossy(&head).into_owned()))
}

/// Only requests addressed to this server by its loopback name: a web page that
/// points another host name at 127.0.0.1 (DNS rebinding) is refused.
fn host_allowed(host: Option<&str>, port: u16) -> bool {
    host.is_some_and(|h| {
        let h = h.trim();
        h == format!("127.0.0.1:{port}") || h == format!("localhost:{port}")
    })
}

async fn serve(stream: TcpStream, files: Sources, port: u16) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream);
    let Some(head) = read_head(&mut reader).await? else {
        return respond_status(reader.get_mut(), 431, "Request Header Fields Too Large").await;
    };
    let header = |name: &str| {
        head.lines()
            .skip(1)
            .filter_map(|l| l.split_once(':'))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_owned())
    };
    if !host_allowed(header("host").as_deref(), port) {
        return respond_status(reader.get_mut(), 421, "Misdirected Request").await;
    }
    let request = head.lines().next().unwrap_or("");
    let mut parts = request.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let range = header("range");
    let origin = header("origin");
    let cors = match app_origin(origin.as_deref()) {
        Some(o) => format!("Access-Control-Allow-Origin: {o}\r\nVary: Origin\r\n"),
        None => String::new(),
    };
    let stream = reader.get_mut();
    if method == "OPTIONS" && !cors.is_empty() {
        let head = format!("HTTP/1.1 204 No Content\r\n{cors}Access-Control-Allow-Methods: GET, HEAD\r\nAccess-Control-Allow-Headers: Range\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return stream.write_all(head.as_bytes()).await;
    }
    if method != "GET" && method != "HEAD" {
        return respond_status(stream, 405, "Method Not Allowed").await;
    }
    let token = target
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or("");
    let source = files
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(token)
        .cloned();
    let path = match source {
        None => return respond_status(stream, 404, "Not Found").await,
        Some(Source::Link { url, client }) => {
            return relay(stream, &client, &url, method, range.as_deref(), &cors).await;
        }
        Some(Source::File(path)) => path,
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
        "HTTP/1.1 {status} {}\r\nContent-Type: video/mp4\r\nAccept-Ranges: bytes\r\nContent-Length: {length}\r\nCache-Control: no-store\r\nConnection: close\r\n{cors}",
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
        copy_with_stall_limit(&mut body, stream, HEAD_TIMEOUT).await?;
    }
    stream.flush().await
}

/// Relays a live link: the Range asked for goes to the host, its answer comes back
/// with the app's CORS header. Anything but 200/206 is a 502: a dead link gives
/// the poster maker an error, not a host's error page as a video.
async fn relay(
    stream: &mut TcpStream,
    client: &reqwest::Client,
    url: &str,
    method: &str,
    range: Option<&str>,
    cors: &str,
) -> std::io::Result<()> {
    let mut request = client.get(url);
    if let Some(r) = range {
        request = request.header(reqwest::header::RANGE, r);
    }
    let Ok(mut answer) = request.send().await else {
        return respond_status(stream, 502, "Bad Gateway").await;
    };
    let status = answer.status().as_u16();
    if status != 200 && status != 206 {
        return respond_status(stream, 502, "Bad Gateway").await;
    }
    let mut head = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: video/mp4\r\nAccept-Ranges: bytes\r\nCache-Control: no-store\r\nConnection: close\r\n{cors}",
        if status == 206 { "Partial Content" } else { "OK" }
    );
    for name in [
        reqwest::header::CONTENT_LENGTH,
        reqwest::header::CONTENT_RANGE,
    ] {
        if let Some(v) = answer.headers().get(&name).and_then(|v| v.to_str().ok()) {
            // Header values from the host are checked to be one line.
            if !v.contains(['\r', '\n']) {
                head.push_str(&format!("{name}: {v}\r\n"));
            }
        }
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await?;
    if method == "HEAD" {
        return stream.flush().await;
    }
    loop {
        match answer.chunk().await {
            Ok(Some(bytes)) => write_with_stall_limit(stream, &bytes, HEAD_TIMEOUT).await?,
            Ok(None) => return stream.flush().await,
            // Without the URL: a signed link does not belong in a log.
            Err(e) => return Err(std::io::Error::other(e.without_url())),
        }
    }
}

async fn respond_status(stream: &mut TcpStream, status: u16, text: &str) -> std::io::Result<()> {
    let head =
        format!("HTTP/1.1 {status} {text}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    stream.write_all(head.as_bytes()).await
}

/// `bytes=a-b`, `bytes=a-`, `bytes=-n` within `total`; None when unsatisfiable.
pub fn parse_range(header: &str, total: u64) -> Option<(u64, u64)> {
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
    fn only_its_own_loopback_names_are_served() {
        assert!(host_allowed(Some("127.0.0.1:4000"), 4000));
        assert!(host_allowed(Some("localhost:4000"), 4000));
        assert!(!host_allowed(Some("evil.example:4000"), 4000));
        assert!(!host_allowed(Some("127.0.0.1:4001"), 4000));
        assert!(!host_allowed(None, 4000));
    }
}
