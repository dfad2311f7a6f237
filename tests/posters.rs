//! Posters: the files the gallery keeps (checked, bounded, written whole), and the
//! loopback relay the webview draws a live link's frame through (ranges, the app's
//! origin only, no key, a dead link refused). Real files and real sockets against
//! the fake video host.

mod support;

use std::time::Duration;

use paddock::ids::TaskId;
use paddock::videos::{MediaServer, Posters, MAX_POSTER_BYTES};
use support::fake_anyfast::{sample_video, FakeAnyfast, Reply};
use support::{task_id, temp_dir};

/// A tiny but whole JPEG: start marker, a little body, end marker.
fn jpeg(len: usize) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
    bytes.resize(len.max(6) - 2, 0x42);
    bytes.extend_from_slice(&[0xFF, 0xD9]);
    bytes
}

#[test]
fn a_poster_is_kept_listed_and_read_back() {
    let dir = temp_dir("posters-kept");
    let posters = Posters::new(&dir);
    let id = TaskId::parse(&task_id("posterone")).unwrap();
    assert!(posters.ids().is_empty());
    posters.save(&id, &jpeg(2048)).unwrap();
    assert_eq!(posters.ids(), vec![id.as_str().to_owned()]);
    assert_eq!(posters.read(&id), Some(jpeg(2048)));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("posters").join(format!("{}.jpg", id.as_str())))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    posters.remove(&id);
    assert!(posters.ids().is_empty());
    assert_eq!(posters.read(&id), None);
}

#[test]
fn what_is_not_a_whole_jpeg_or_too_large_is_refused_and_nothing_is_left() {
    let dir = temp_dir("posters-refused");
    let posters = Posters::new(&dir);
    let id = TaskId::parse(&task_id("postertwo")).unwrap();
    for bad in [
        b"<svg onload=alert(1)>".to_vec(),
        jpeg(100)[..50].to_vec(),
        Vec::new(),
        jpeg(MAX_POSTER_BYTES + 1),
    ] {
        let error = posters.save(&id, &bad).unwrap_err();
        assert_eq!(error.code(), "invalid_request", "{error}");
    }
    assert!(posters.ids().is_empty());
    let left: Vec<_> = std::fs::read_dir(dir.join("posters"))
        .map(|d| d.map_while(Result::ok).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn strange_files_in_the_folder_are_not_posters() {
    let dir = temp_dir("posters-strange");
    let folder = dir.join("posters");
    std::fs::create_dir_all(&folder).unwrap();
    for name in [
        "notes.txt",
        "asyntask_x.jpg.part",
        "..jpg",
        "asyntask_../a.jpg",
    ] {
        let _ = std::fs::write(folder.join(name), b"x");
    }
    let id = task_id("posterthree");
    // A file that claims the name but is not a JPEG is listed, never served.
    std::fs::write(folder.join(format!("{id}.jpg")), b"not a jpeg").unwrap();
    let posters = Posters::new(&dir);
    assert_eq!(posters.ids(), vec![id.clone()]);
    assert_eq!(posters.read(&TaskId::parse(&id).unwrap()), None);
}

async fn get(url: &str, origin: Option<&str>, range: Option<&str>) -> reqwest::Response {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .no_proxy()
        .build()
        .unwrap();
    let mut request = client.get(url);
    if let Some(o) = origin {
        request = request.header("Origin", o);
    }
    if let Some(r) = range {
        request = request.header("Range", r);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn a_live_link_is_relayed_with_ranges_to_the_app_origin_only_and_without_the_key() {
    let fake = FakeAnyfast::start().await;
    let id = task_id("posterrelay");
    fake.script(&id, vec![Reply::state("success-seed-example")]);
    let server = MediaServer::start().await.unwrap();
    let video_client = reqwest::Client::builder().no_proxy().build().unwrap();
    let relayed = server
        .url_for_link(&fake.video_url(&id), &video_client)
        .unwrap();
    assert!(relayed.starts_with("http://127.0.0.1:"), "{relayed}");

    let answer = get(&relayed, Some("tauri://localhost"), Some("bytes=0-99")).await;
    assert_eq!(answer.status().as_u16(), 206);
    assert_eq!(
        answer.headers()["access-control-allow-origin"],
        "tauri://localhost"
    );
    let total = sample_video().len();
    assert_eq!(
        answer.headers()["content-range"],
        format!("bytes 0-99/{total}").as_str()
    );
    assert_eq!(
        answer.bytes().await.unwrap().as_ref(),
        &sample_video()[..100]
    );

    // Another origin may play it but gets no permission to read its frames.
    let answer = get(&relayed, Some("https://evil.example"), None).await;
    assert_eq!(answer.status().as_u16(), 200);
    assert!(answer
        .headers()
        .get("access-control-allow-origin")
        .is_none());
    assert_eq!(answer.bytes().await.unwrap().len(), total);

    fake.assert_storage_never_saw_a_key();

    // A link that died gives an error, not the host's error page as a video.
    fake.expire_video(&id);
    let answer = get(&relayed, Some("tauri://localhost"), None).await;
    assert_eq!(answer.status().as_u16(), 502);
}
