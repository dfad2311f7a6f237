//! Writes to a client that may stop reading. The limit is on silence, not on the
//! whole: a `<video>` that has buffered enough reads at its playback rate, which for
//! a small video is a few KiB a second, and it must be served however long that
//! takes. A client that takes nothing at all for the limit is given up on, so it
//! does not hold a connection slot forever.
//!
//! A timeout around `write_all` would limit the whole write instead: a 256 KiB write
//! to a reader taking 20 KiB/s needs 13 s, and the connection was dropped under a
//! playing video. That is what stalled Compare with large writes.

use std::io::{Error, ErrorKind};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// How much of a file each read carries: every read of a tokio file is a trip to
/// the blocking pool. Each read is then handed to the socket whole, as far as it
/// takes it. With 64 KiB reads and writes, saving 1 GiB from this server received
/// in 2.25 s; with 256 KiB, 0.68 s, as fast as curl (`./dev bench download`). At
/// most 8 MiB over all of the media server's connections.
pub(super) const FILE_READ_SIZE: usize = 256 * 1024;

/// Writes all of `bytes`; fails with `TimedOut` when the client takes none of them
/// for `stall`.
pub(super) async fn write_with_stall_limit(
    out: &mut (impl AsyncWrite + Unpin),
    mut bytes: &[u8],
    stall: Duration,
) -> std::io::Result<()> {
    while !bytes.is_empty() {
        let n = tokio::time::timeout(stall, out.write(bytes))
            .await
            .map_err(|_| Error::from(ErrorKind::TimedOut))??;
        if n == 0 {
            return Err(ErrorKind::WriteZero.into());
        }
        bytes = bytes.get(n..).unwrap_or_default();
    }
    Ok(())
}

/// Copies `body` to `out` in `FILE_READ_SIZE` reads, with the same limit on silence.
pub(super) async fn copy_with_stall_limit(
    body: &mut (impl AsyncRead + Unpin),
    out: &mut (impl AsyncWrite + Unpin),
    stall: Duration,
) -> std::io::Result<()> {
    let mut buf = vec![0u8; FILE_READ_SIZE];
    loop {
        let n = body.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        write_with_stall_limit(out, buf.get(..n).unwrap_or_default(), stall).await?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that takes `step` bytes every `pause`, until it has `wanted`; it
    /// hands its end back, still open.
    async fn read_slowly(
        mut pipe: tokio::io::DuplexStream,
        step: usize,
        pause: Duration,
        wanted: usize,
    ) -> (Vec<u8>, tokio::io::DuplexStream) {
        let mut got = Vec::new();
        let mut buf = vec![0u8; step];
        while got.len() < wanted {
            tokio::time::sleep(pause).await;
            match pipe.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
        (got, pipe)
    }

    /// 512 KiB through an 8 KiB pipe, 4 KiB every 10 ms: the whole takes 1.3 s, far
    /// past the 100 ms limit, yet no single pause reaches it. (Time is the test
    /// clock's, paused: it moves only when every task waits.)
    #[tokio::test(start_paused = true)]
    async fn a_slow_reader_that_keeps_reading_gets_everything() {
        let body: Vec<u8> = (0..512 * 1024).map(|i| (i % 251) as u8).collect();
        let (mut server, client) = tokio::io::duplex(8 * 1024);
        let reader = tokio::spawn(read_slowly(
            client,
            4 * 1024,
            Duration::from_millis(10),
            body.len(),
        ));
        let copied = copy_with_stall_limit(
            &mut body.as_slice(),
            &mut server,
            Duration::from_millis(100),
        )
        .await;
        assert!(copied.is_ok(), "{copied:?}");
        drop(server);
        assert!(reader.await.unwrap().0 == body);
    }

    /// A reader that takes 16 KiB and then nothing (its end still open): the copy
    /// gives up with `TimedOut` instead of waiting for ever.
    #[tokio::test(start_paused = true)]
    async fn a_reader_that_stops_is_given_up_on() {
        let body = vec![7u8; 512 * 1024];
        let (mut server, client) = tokio::io::duplex(8 * 1024);
        let reader = tokio::spawn(read_slowly(
            client,
            8 * 1024,
            Duration::from_millis(1),
            16 * 1024,
        ));
        let mut body = body.as_slice();
        let copy = copy_with_stall_limit(&mut body, &mut server, Duration::from_millis(100));
        let copied = tokio::time::timeout(Duration::from_secs(5), copy).await;
        let kind = copied.map(|r| r.map_err(|e| e.kind()));
        assert_eq!(kind, Ok(Err(ErrorKind::TimedOut)));
        assert_eq!(reader.await.unwrap().0.len(), 16 * 1024);
    }
}
