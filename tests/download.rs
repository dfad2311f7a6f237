//! Saving videos from the fake storage host over loopback: whole files, resumed
//! files, cut-off bodies, expired links, folders that refuse writes, a full disk.
//! Every test also checks that the storage host never saw the API key.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use paddock::gateway::{AnyfastClient, ClientConfig};
use paddock::videos::{
    download, part_path, CancelHandle, Progress, SaveOptions, DEFAULT_MAX_BYTES,
};
use support::fake_anyfast::{sample_video, FakeAnyfast};
use support::{task_id, temp_dir};

async fn http() -> reqwest::Client {
    AnyfastClient::new(ClientConfig::default())
        .video_client()
        .await
        .unwrap()
}

async fn save(
    fake: &FakeAnyfast,
    id: &str,
    dest: &Path,
) -> (Result<u64, paddock::Error>, Vec<Progress>) {
    save_with(fake, id, dest, SaveOptions::default()).await
}

async fn save_with(
    fake: &FakeAnyfast,
    id: &str,
    dest: &Path,
    options: SaveOptions,
) -> (Result<u64, paddock::Error>, Vec<Progress>) {
    let (_cancel, rx) = CancelHandle::new();
    let mut seen = Vec::new();
    let result = download(http().await, &fake.video_url(id), dest, options, rx, |p| {
        seen.push(p)
    })
    .await;
    (result, seen)
}

/// Every file in the destination's folder, for "nothing else was left there".
fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn assert_nothing_left(dest: &Path) {
    assert!(!dest.exists(), "no file under the final name");
    assert!(!part_path(dest).exists(), "no .part left behind");
}

#[tokio::test]
async fn a_whole_video_is_saved_byte_for_byte() {
    let fake = FakeAnyfast::start().await;
    let id = task_id("whole");
    let dest = temp_dir("dl-whole").join("cat.mp4");
    let (result, progress) = save(&fake, &id, &dest).await;
    let expected = sample_video();
    assert_eq!(result.unwrap(), expected.len() as u64);
    assert_eq!(std::fs::read(&dest).unwrap(), expected);
    assert!(!part_path(&dest).exists());
    let last = progress.last().unwrap();
    assert_eq!(
        (last.received, last.total),
        (expected.len() as u64, Some(expected.len() as u64))
    );
    fake.assert_storage_never_saw_a_key();
}

#[tokio::test]
async fn a_dropped_connection_resumes_with_a_range_request() {
    let fake = FakeAnyfast::start().await;
    let id = task_id("resume");
    fake.truncate_video(&id, 60_000);
    let dest = temp_dir("dl-resume").join("cat.mp4");
    let (result, _) = save(&fake, &id, &dest).await;
    assert_eq!(result.unwrap(), sample_video().len() as u64);
    assert_eq!(std::fs::read(&dest).unwrap(), sample_video());
    let ranges: Vec<_> = fake.log().into_iter().filter_map(|l| l.range).collect();
    assert_eq!(
        ranges,
        vec!["bytes=60000-".to_string(), "bytes=120000-".to_string()]
    );
    fake.assert_storage_never_saw_a_key();
}

#[tokio::test]
async fn a_host_that_ignores_range_starts_the_file_over() {
    let fake = FakeAnyfast::start().await;
    let id = task_id("norange");
    fake.truncate_video(&id, 60_000);
    fake.ignore_ranges(&id);
    let dest = temp_dir("dl-norange").join("cat.mp4");
    let (result, _) = save(&fake, &id, &dest).await;
    assert_eq!(result.unwrap(), sample_video().len() as u64);
    // The first 60,000 bytes are not kept twice: the file is the video, once.
    assert_eq!(std::fs::read(&dest).unwrap(), sample_video());
    let ranges: Vec<_> = fake.log().into_iter().filter_map(|l| l.range).collect();
    assert_eq!(ranges, vec!["bytes=60000-".to_string()]);
    fake.assert_storage_never_saw_a_key();
}

#[tokio::test]
async fn a_body_that_keeps_breaking_off_leaves_nothing_behind() {
    let fake = FakeAnyfast::start().await;
    let id = task_id("truncated");
    fake.truncate_video(&id, 1_000);
    let dest = temp_dir("dl-truncated").join("cat.mp4");
    let (result, _) = save(&fake, &id, &dest).await;
    let err = result.unwrap_err();
    assert_eq!(err.code(), "truncated", "{err}");
    assert!(err.to_string().contains("of 145"), "{err}");
    assert_nothing_left(&dest);
}

#[tokio::test]
async fn an_expired_link_says_so() {
    let fake = FakeAnyfast::start().await;
    let id = task_id("expired");
    fake.expire_video(&id);
    let dest = temp_dir("dl-expired").join("cat.mp4");
    let (result, _) = save(&fake, &id, &dest).await;
    let err = result.unwrap_err();
    assert_eq!(err.code(), "link_expired");
    assert!(err.to_string().contains("expired"));
    assert_nothing_left(&dest);
    fake.assert_storage_never_saw_a_key();
}

#[tokio::test]
async fn cancelling_stops_and_cleans_up() {
    let fake = FakeAnyfast::start().await;
    let id = task_id("cancel");
    let dest = temp_dir("dl-cancel").join("cat.mp4");
    let (cancel, rx) = CancelHandle::new();
    cancel.cancel();
    let err = download(
        http().await,
        &fake.video_url(&id),
        &dest,
        SaveOptions::default(),
        rx,
        |_| {},
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "cancelled");
    assert_nothing_left(&dest);
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0\n"))
        .unwrap_or(false)
}

/// A folder this process cannot write to, even as root.
fn read_only_dir(name: &str) -> PathBuf {
    let dir = temp_dir(name);
    Command::new("chmod").arg("555").arg(&dir).status().unwrap();
    if is_root() {
        // Root ignores mode bits; the immutable attribute stops it.
        let _ = Command::new("chattr").arg("+i").arg(&dir).status();
    }
    if std::fs::write(dir.join("probe"), b"x").is_ok() {
        let _ = std::fs::remove_file(dir.join("probe"));
        return PathBuf::from("/sys/paddock-read-only-test");
    }
    dir
}

#[tokio::test]
async fn a_read_only_folder_is_a_clear_error() {
    let fake = FakeAnyfast::start().await;
    let id = task_id("readonly");
    let dir = read_only_dir("dl-readonly");
    let dest = dir.join("cat.mp4");
    let (result, _) = save(&fake, &id, &dest).await;
    let _ = Command::new("chattr").arg("-i").arg(&dir).status();
    let err = result.unwrap_err();
    assert_eq!(err.code(), "permission", "{err}");
    assert!(err.to_string().contains("Choose another folder"));
    assert_nothing_left(&dest);
}

#[tokio::test]
async fn a_full_disk_is_a_clear_error_and_leaves_nothing() {
    if !is_root() {
        eprintln!("skipped: mounting a tiny tmpfs needs root (CI runs as root)");
        return;
    }
    let fake = FakeAnyfast::start().await;
    let id = task_id("fulldisk");
    let dir = temp_dir("dl-fulldisk");
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
        .arg(&dir)
        .status()
        .unwrap();
    assert!(mounted.success(), "mount a 64 KiB tmpfs");
    let dest = dir.join("cat.mp4");
    let (result, _) = save(&fake, &id, &dest).await;
    let leftovers = (dest.exists(), part_path(&dest).exists());
    Command::new("umount").arg(&dir).status().unwrap();
    let err = result.unwrap_err();
    assert_eq!(err.code(), "disk_full", "{err}");
    assert_eq!(
        leftovers,
        (false, false),
        "no final file and no .part on the full disk"
    );
}

#[tokio::test]
async fn a_video_announced_larger_than_the_cap_is_refused_before_writing() {
    let fake = FakeAnyfast::start().await;
    let id = task_id("toolarge");
    let dir = temp_dir("dl-toolarge");
    let dest = dir.join("cat.mp4");
    let options = SaveOptions {
        max_bytes: 1024,
        overwrite: false,
    };
    let (result, _) = save_with(&fake, &id, &dest, options).await;
    let err = result.unwrap_err();
    assert_eq!(err.code(), "too_large", "{err}");
    assert!(err.to_string().contains("limit"), "{err}");
    assert_nothing_left(&dest);
    assert!(files_in(&dir).is_empty(), "{:?}", files_in(&dir));
}

#[tokio::test]
async fn an_endless_body_without_a_length_stops_at_the_cap() {
    let fake = FakeAnyfast::start().await;
    let id = task_id("endless");
    fake.endless_video(&id);
    let dir = temp_dir("dl-endless");
    let dest = dir.join("cat.mp4");
    let options = SaveOptions {
        max_bytes: 3 << 20,
        overwrite: false,
    };
    let (result, _) = save_with(&fake, &id, &dest, options).await;
    let err = result.unwrap_err();
    assert_eq!(err.code(), "too_large", "{err}");
    assert_nothing_left(&dest);
    assert!(files_in(&dir).is_empty(), "{:?}", files_in(&dir));
}

/// A storage host that announces 1000 bytes and sends 100,000: no more than the
/// announced length is ever written, and nothing is left under a temporary name.
#[tokio::test]
async fn a_body_longer_than_its_content_length_is_not_written_past_it() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut head = [0u8; 4096];
            let _ = stream.read(&mut head).await;
            let _ = stream
                .write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nContent-Length: 1000\r\n\r\n",
                )
                .await;
            let _ = stream.write_all(&vec![7u8; 100_000]).await;
        }
    });
    let dir = temp_dir("dl-overlong");
    let dest = dir.join("cat.mp4");
    let (_cancel, rx) = CancelHandle::new();
    let url = format!("http://127.0.0.1:{port}/video.mp4");
    let result = download(
        http().await,
        &url,
        &dest,
        SaveOptions::default(),
        rx,
        |_| {},
    )
    .await;
    match result {
        Ok(n) => {
            assert_eq!(n, 1000);
            assert_eq!(std::fs::metadata(&dest).unwrap().len(), 1000);
        }
        Err(e) => {
            assert!(
                ["bad_length", "truncated", "network"].contains(&e.code()),
                "{e}"
            );
            assert_nothing_left(&dest);
        }
    }
    assert!(!part_path(&dest).exists());
}

#[tokio::test]
async fn an_existing_file_is_never_overwritten_unless_asked() {
    let fake = FakeAnyfast::start().await;
    let id = task_id("exists");
    let dir = temp_dir("dl-exists");
    let dest = dir.join("cat.mp4");
    std::fs::write(&dest, b"the user's own file").unwrap();
    let (result, _) = save(&fake, &id, &dest).await;
    let err = result.unwrap_err();
    assert_eq!(err.code(), "file_exists", "{err}");
    assert_eq!(std::fs::read(&dest).unwrap(), b"the user's own file");
    assert_eq!(files_in(&dir), ["cat.mp4"], "no .part left");
    let overwrite = SaveOptions {
        overwrite: true,
        max_bytes: DEFAULT_MAX_BYTES,
    };
    let (result, _) = save_with(&fake, &id, &dest, overwrite).await;
    result.unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), sample_video());
}

/// Someone plants a symlink where the `.part` file would go, pointing at a file of
/// the user's: it is neither followed nor truncated.
#[cfg(unix)]
#[tokio::test]
async fn a_planted_symlink_at_the_part_name_is_not_followed() {
    let fake = FakeAnyfast::start().await;
    let id = task_id("symlink");
    let dir = temp_dir("dl-symlink");
    let victim = dir.join("precious.txt");
    std::fs::write(&victim, b"precious").unwrap();
    let dest = dir.join("cat.mp4");
    std::os::unix::fs::symlink(&victim, part_path(&dest)).unwrap();
    let (result, _) = save(&fake, &id, &dest).await;
    result.unwrap();
    assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
    assert_eq!(std::fs::read(&dest).unwrap(), sample_video());
}

/// The storage host enforces the link's own `Expires`, as OSS does.
#[tokio::test]
async fn a_link_past_its_expires_is_refused_by_the_storage_host() {
    let fake = FakeAnyfast::start().await;
    let id = task_id("pastexpires");
    let dest = temp_dir("dl-pastexpires").join("cat.mp4");
    let url = format!(
        "{}/videos/{id}.mp4?Expires=1700000000&Signature=x",
        fake.storage_url
    );
    let (_cancel, rx) = CancelHandle::new();
    let err = download(
        http().await,
        &url,
        &dest,
        SaveOptions::default(),
        rx,
        |_| {},
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "link_expired", "{err}");
    assert_nothing_left(&dest);
}

/// A save abandoned mid-way (the window closed) leaves no `.part` behind.
#[tokio::test]
async fn an_abandoned_save_takes_its_part_file_with_it() {
    let fake = FakeAnyfast::start().await;
    let id = task_id("abandoned");
    fake.slow_video(&id, std::time::Duration::from_millis(50));
    let dir = temp_dir("dl-abandoned");
    let dest = dir.join("cat.mp4");
    let saving = save(&fake, &id, &dest);
    let stopped = tokio::time::timeout(std::time::Duration::from_millis(300), saving).await;
    assert!(stopped.is_err(), "the save was still running when dropped");
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert!(files_in(&dir).is_empty(), "{:?}", files_in(&dir));
}

/// A `.part` left by a save that died long ago is taken over, not piled up beside.
#[tokio::test]
async fn a_stale_part_file_is_replaced_not_piled_up() {
    let fake = FakeAnyfast::start().await;
    let id = task_id("stalepart");
    let dir = temp_dir("dl-stalepart");
    let dest = dir.join("cat.mp4");
    std::fs::write(part_path(&dest), b"left by a crash").unwrap();
    let touched = Command::new("touch")
        .args(["-d", "2020-01-01"])
        .arg(part_path(&dest))
        .status()
        .unwrap();
    assert!(touched.success());
    let (result, _) = save(&fake, &id, &dest).await;
    result.unwrap();
    assert_eq!(files_in(&dir), ["cat.mp4"]);
    assert_eq!(std::fs::read(&dest).unwrap(), sample_video());
}

/// A video link that redirects to plain http on another host is not followed (the
/// policy refuses before any connection is made), nor is a chain of redirects.
#[tokio::test]
async fn redirects_to_plain_http_or_without_end_are_refused() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut head = [0u8; 4096];
            let n = stream.read(&mut head).await.unwrap_or(0);
            let request = String::from_utf8_lossy(&head[..n]).to_string();
            let location = if request.starts_with("GET /insecure") {
                "http://paddock-test.invalid/video.mp4".to_owned()
            } else {
                format!("http://127.0.0.1:{port}/loop")
            };
            let _ = stream
                .write_all(
                    format!(
                        "HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n"
                    )
                    .as_bytes(),
                )
                .await;
        }
    });
    for path in ["insecure", "loop"] {
        let dir = temp_dir(&format!("dl-redirect-{path}"));
        let dest = dir.join("cat.mp4");
        let (_cancel, rx) = CancelHandle::new();
        let url = format!("http://127.0.0.1:{port}/{path}");
        let err = download(
            http().await,
            &url,
            &dest,
            SaveOptions::default(),
            rx,
            |_| {},
        )
        .await
        .unwrap_err();
        assert_eq!(err.code(), "network", "{path}: {err}");
        assert!(files_in(&dir).is_empty());
    }
}
