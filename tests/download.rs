//! Saving videos from the fake storage host over loopback: whole files, resumed
//! files, cut-off bodies, expired links, folders that refuse writes, a full disk.
//! Every test also checks that the storage host never saw the API key.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use paddock::api::{AnyfastClient, ClientConfig};
use paddock::download::{download, part_path, CancelHandle, DownloadError, Progress};
use support::fake_anyfast::{sample_video, FakeAnyfast};
use support::{task_id, temp_dir};

fn http() -> reqwest::Client {
    AnyfastClient::new(ClientConfig::default())
        .unwrap()
        .http()
        .clone()
}

async fn save(
    fake: &FakeAnyfast,
    id: &str,
    dest: &Path,
) -> (Result<u64, DownloadError>, Vec<Progress>) {
    let (_cancel, rx) = CancelHandle::new();
    let mut seen = Vec::new();
    let result = download(&http(), &fake.video_url(id), dest, rx, |p| seen.push(p)).await;
    (result, seen)
}

fn assert_storage_never_saw_a_key(fake: &FakeAnyfast) {
    let storage: Vec<_> = fake
        .log()
        .into_iter()
        .filter(|l| l.host == "storage")
        .collect();
    assert!(!storage.is_empty());
    assert!(
        storage.iter().all(|l| l.authorization.is_none()),
        "{storage:?}"
    );
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
    assert_storage_never_saw_a_key(&fake);
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
    assert_storage_never_saw_a_key(&fake);
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
    assert_storage_never_saw_a_key(&fake);
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
    assert_storage_never_saw_a_key(&fake);
}

#[tokio::test]
async fn cancelling_stops_and_cleans_up() {
    let fake = FakeAnyfast::start().await;
    let id = task_id("cancel");
    let dest = temp_dir("dl-cancel").join("cat.mp4");
    let (cancel, rx) = CancelHandle::new();
    cancel.cancel();
    let err = download(&http(), &fake.video_url(&id), &dest, rx, |_| {})
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
