//! The loopback media server against clients that are not the webview: endless
//! header lines, slow clients, wrong `Host`s, unknown tokens. Real sockets.

mod support;

use std::time::Duration;

use paddock::videos::MediaServer;
use support::temp_dir;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn served_file() -> (MediaServer, String, u16) {
    let dir = temp_dir("media-server");
    let path = dir.join("video.mp4");
    std::fs::write(&path, b"0123456789").unwrap();
    let server = MediaServer::start().await.unwrap();
    let url = server.url_for(&path).unwrap();
    let port: u16 = url
        .trim_start_matches("http://127.0.0.1:")
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let path = url.split_once(&format!(":{port}")).unwrap().1.to_owned();
    (server, path, port)
}

async fn exchange(port: u16, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let _ = stream.write_all(request).await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(15), stream.read_to_end(&mut answer)).await;
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn the_webview_request_is_served_with_ranges() {
    let (_server, path, port) = served_file().await;
    let answer = exchange(
        port,
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nRange: bytes=2-4\r\n\r\n")
            .as_bytes(),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 206"), "{answer}");
    assert!(answer.ends_with("234"), "{answer}");
}

#[tokio::test]
async fn another_host_name_is_refused() {
    let (_server, path, port) = served_file().await;
    let answer = exchange(
        port,
        format!("GET {path} HTTP/1.1\r\nHost: attacker.example:{port}\r\n\r\n").as_bytes(),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 421"), "{answer}");
    let answer = exchange(port, format!("GET {path} HTTP/1.1\r\n\r\n").as_bytes()).await;
    assert!(
        answer.starts_with("HTTP/1.1 421"),
        "no Host at all: {answer}"
    );
}

#[tokio::test]
async fn an_unknown_token_is_not_found() {
    let (_server, _path, port) = served_file().await;
    let answer = exchange(
        port,
        format!("GET /00000000000000000000000000000000/video.mp4 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n")
            .as_bytes(),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 404"), "{answer}");
}

/// A header line that never ends is cut at 16 KiB, not buffered forever.
#[tokio::test]
async fn an_endless_header_line_is_refused() {
    let (_server, _path, port) = served_file().await;
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let junk = vec![b'a'; 64 * 1024];
    let _ = stream.write_all(b"GET /").await;
    // The server answers and closes after 16 KiB; further writes may fail.
    let _ = stream.write_all(&junk).await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");
}

/// A client that connects and says nothing is dropped after the head timeout.
#[tokio::test]
async fn a_silent_client_is_dropped() {
    let (_server, _path, port) = served_file().await;
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let mut buf = [0u8; 16];
    let read = tokio::time::timeout(Duration::from_secs(20), stream.read(&mut buf)).await;
    assert!(
        matches!(read, Ok(Ok(0)) | Ok(Err(_))),
        "the server closed the idle connection: {read:?}"
    );
}
