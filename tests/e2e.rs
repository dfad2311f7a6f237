//! End to end through the real window: tauri-driver + WebKitWebDriver under Xvfb,
//! the debug binary against the fake gateway, an isolated data folder per test.
//! They type, click and read the page as a user would.

mod support;

use serde_json::json;
use support::fake_anyfast::{FakeAnyfast, Reply, FAKE_KEY};
use support::webdriver::{e2e_available, process_tree, Driver, Launch};
use support::{task_id, temp_dir};

/// One app window at a time: two cores and one X server.
static WINDOW: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const APP: &str = env!("CARGO_BIN_EXE_paddock");

fn env(fake: &FakeAnyfast, data: &std::path::Path, key: Option<&str>) -> Launch {
    let mut env = vec![
        ("ANYFAST_BASE_URL".to_owned(), fake.base_url.clone()),
        ("PADDOCK_DATA_DIR".to_owned(), data.display().to_string()),
        ("LANGUAGE".to_owned(), "en".to_owned()),
        ("LANG".to_owned(), "en_US.UTF-8".to_owned()),
        ("PADDOCK_POLL_INTERVAL_MS".to_owned(), "300".to_owned()),
        // Auto-save (on by default) writes here, not into the real Videos folder.
        (
            "XDG_VIDEOS_DIR".to_owned(),
            data.join("videos").display().to_string(),
        ),
    ];
    let mut env_remove = vec![];
    match key {
        Some(k) => env.push(("ANYFAST_API_KEY".to_owned(), k.to_owned())),
        None => env_remove.push("ANYFAST_API_KEY".to_owned()),
    }
    Launch { env, env_remove }
}

async fn add(driver: &Driver, text: &str) {
    driver.type_into("#paste-box", text).await;
    driver.click("#add-button").await;
}

/// Clicks a row until the detail pane shows that task (rows are rebuilt whenever the
/// backend reports a change, so one click can land while its row is being replaced).
async fn select_row(driver: &Driver, id: &str) {
    for _ in 0..5 {
        driver.click(&format!(".task-row[data-id='{id}']")).await;
        for _ in 0..20 {
            let shown = driver
                .exec(
                    "return document.querySelector('#detail .detail-id')?.textContent",
                    vec![],
                )
                .await;
            if shown == json!(id) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
    panic!("selecting {id} never showed its details");
}

/// The folder holds exactly the fake's video, under the suggested name.
fn assert_one_saved_video(dir: &std::path::Path) {
    let saved: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .collect();
    assert_eq!(saved.len(), 1, "{saved:?}");
    let name = saved[0].file_name().unwrap().to_string_lossy().to_string();
    assert!(
        name.ends_with("_00000000.mp4") && name.contains("一只猫在草地上奔跑"),
        "{name}"
    );
    assert_eq!(
        std::fs::read(&saved[0]).unwrap(),
        support::fake_anyfast::sample_video()
    );
}

async fn chip_of(driver: &Driver, id: &str, want: &str) {
    driver
        .wait_for(
            &format!("{id} to show {want}"),
            "const row = document.querySelector(`.task-row[data-id='${arguments[0]}'] .chip`); return row && row.textContent === arguments[1];",
            vec![json!(id), json!(want)],
        )
        .await;
}

/// A Paddock the test started itself, killed when the test ends if it is still
/// running, passed or failed. A window left open would be the one the next test's
/// `window_state` finds (a full run once failed a second test that way).
struct Spawned(std::process::Child);

impl Spawned {
    fn start(command: &mut std::process::Command) -> Self {
        Self(command.spawn().expect("start paddock"))
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

impl std::ops::Deref for Spawned {
    type Target = std::process::Child;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for Spawned {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

/// Waits up to `limit` for `app` to end by itself; past it, kills it and fails
/// with `what` (a closure, so that a failure can say what the app logged by then).
async fn wait_for_exit(
    app: &mut std::process::Child,
    limit: std::time::Duration,
    what: impl FnOnce() -> String,
) -> std::process::ExitStatus {
    let deadline = std::time::Instant::now() + limit;
    loop {
        if let Some(status) = app.try_wait().unwrap() {
            return status;
        }
        if std::time::Instant::now() > deadline {
            let _ = app.kill();
            panic!("{}", what());
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// A child's stderr, read line by line as it comes and kept whole: a test waits for
/// a line, and reads all of it in its assertions.
struct StderrLog {
    text: std::sync::Arc<std::sync::Mutex<String>>,
    reader: std::thread::JoinHandle<()>,
}

impl StderrLog {
    /// Takes `child`'s piped stderr and reads it on a thread of its own.
    fn follow(child: &mut std::process::Child) -> Self {
        use std::io::BufRead;
        let pipe = child.stderr.take().expect("stderr is piped");
        let text = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let sink = std::sync::Arc::clone(&text);
        let reader = std::thread::spawn(move || {
            // Split on bytes: a line that is not UTF-8 must not stop the reading
            // (the child would block on a full pipe).
            for line in std::io::BufReader::new(pipe)
                .split(b'\n')
                .map_while(Result::ok)
            {
                let mut text = sink.lock().unwrap();
                text.push_str(&String::from_utf8_lossy(&line));
                text.push('\n');
            }
        });
        Self { text, reader }
    }

    fn text(&self) -> String {
        self.text.lock().unwrap().clone()
    }

    /// Waits up to `within` for a line containing `marker`.
    async fn wait_for(&self, marker: &str, within: std::time::Duration) -> bool {
        let deadline = std::time::Instant::now() + within;
        loop {
            if self.text().contains(marker) {
                return true;
            }
            if std::time::Instant::now() > deadline {
                return false;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }

    /// All of it, once the child has ended and its stderr closed.
    fn finish(self) -> String {
        let Self { text, reader } = self;
        let _ = reader.join();
        let all = text.lock().unwrap().clone();
        all
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pasting_an_id_shows_its_status_and_progress_from_the_gateway() {
    if !e2e_available() {
        return;
    }
    let _window = WINDOW.lock().await;
    let fake = FakeAnyfast::start().await;
    let id = task_id("e2equeued");
    // Each state lasts several poll intervals (300 ms) so a busy machine still sees it.
    let mut states: Vec<Reply> = std::iter::repeat_n(Reply::state("queued"), 4).collect();
    states.extend(std::iter::repeat_n(Reply::state("in-progress"), 6));
    states.push(Reply::state("success-seed-example"));
    fake.script(&id, states);
    let data = temp_dir("e2e-status");
    let driver = Driver::launch(APP, env(&fake, &data, Some(FAKE_KEY))).await;
    driver.ready().await;
    assert_eq!(
        driver.exec("return document.title", vec![]).await,
        json!("Paddock")
    );

    add(&driver, &format!("log line: submitted {id} at 10:00")).await;
    chip_of(&driver, &id, "Queued").await;
    driver
        .wait_for(
            "running at 50%",
            "const row = document.querySelector('.task-row .chip'); const bar = document.querySelector('.task-row .progress'); return row && row.textContent === 'Running' && bar && bar.getAttribute('aria-valuenow') === '50';",
            vec![],
        )
        .await;
    let prompt = driver
        .exec(
            "return document.querySelector('.task-row .prompt')?.textContent",
            vec![],
        )
        .await;
    assert_eq!(prompt, json!("一只猫在草地上奔跑"));
    chip_of(&driver, &id, "Succeeded").await;
    driver
        .wait_for(
            "the video link in the detail pane",
            "return document.querySelector('#detail dd.video-url')",
            vec![],
        )
        .await;
    let url = driver.text("#detail dd.video-url").await;
    assert!(url.starts_with(&fake.storage_url), "{url}");
    driver.screenshot("main-light-en").await;

    driver.click("#theme-button").await;
    driver
        .wait_for(
            "dark theme",
            "return document.documentElement.dataset.theme === 'dark'",
            vec![],
        )
        .await;
    driver.screenshot("main-dark-en").await;
    driver.click("#lang-button").await;
    chip_of(&driver, &id, "已成功").await;
    // The detail pane re-renders after asking the backend again: wait for it too.
    driver
        .wait_for(
            "the detail pane in Chinese",
            "return document.querySelector('#detail').innerText.includes('复制 ID')",
            vec![],
        )
        .await;
    driver.screenshot("main-dark-zh").await;
    driver.click("#theme-button").await;
    driver
        .wait_for(
            "light theme",
            "return document.documentElement.dataset.theme === 'light'",
            vec![],
        )
        .await;
    driver.screenshot("main-light-zh").await;
    driver.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_key_shows_the_gateway_message_and_the_key_field() {
    if !e2e_available() {
        return;
    }
    let _window = WINDOW.lock().await;
    let fake = FakeAnyfast::start().await;
    let id = task_id("e2ewrongkey");
    fake.script(&id, vec![Reply::state("queued")]);
    let data = temp_dir("e2e-wrongkey");
    let driver = Driver::launch(APP, env(&fake, &data, Some("sk-wrong-key-000000000000000"))).await;
    driver.ready().await;
    add(&driver, &id).await;
    chip_of(&driver, &id, "Error").await;
    let message = driver.text("#detail-error").await;
    assert!(message.contains("rejected the API key"), "{message}");
    assert!(
        message.contains("无效的令牌"),
        "the gateway's own words: {message}"
    );
    assert!(!message.contains("sk-wrong-key"), "the key never shows");
    let dialog_open = driver
        .exec(
            "return document.getElementById('settings-dialog').open",
            vec![],
        )
        .await;
    assert_eq!(
        dialog_open,
        json!(true),
        "the user is brought to the key field"
    );
    driver.screenshot("wrong-key").await;
    driver.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_task_says_so_in_words() {
    if !e2e_available() {
        return;
    }
    let _window = WINDOW.lock().await;
    let fake = FakeAnyfast::start().await;
    let data = temp_dir("e2e-unknown");
    let driver = Driver::launch(APP, env(&fake, &data, Some(FAKE_KEY))).await;
    driver.ready().await;
    let id = task_id("e2enobody");
    add(&driver, &id).await;
    chip_of(&driver, &id, "Not found").await;
    let message = driver.text("#detail-error").await;
    assert!(message.contains("does not know this task"), "{message}");
    driver.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_entered_in_the_window_is_kept_in_the_keyring_across_restarts() {
    if !e2e_available() || !support::keyring_available() {
        return;
    }
    let _window = WINDOW.lock().await;
    let fake = FakeAnyfast::start().await;
    let id = task_id("e2ekeyring");
    fake.script(&id, vec![Reply::state("in-progress")]);
    let data = temp_dir("e2e-keyring");

    let driver = Driver::launch(APP, env(&fake, &data, None)).await;
    driver.ready().await;
    add(&driver, &id).await;
    chip_of(&driver, &id, "Error").await;
    assert!(driver.text("#detail-error").await.contains("No API key"));
    driver
        .wait_for(
            "the settings dialog",
            "return document.getElementById('settings-dialog').open",
            vec![],
        )
        .await;
    driver.type_into("#api-key", FAKE_KEY).await;
    driver.click("#save-key").await;
    chip_of(&driver, &id, "Running").await;
    driver.click("#settings-button").await;
    driver
        .wait_for(
            "the keyring status",
            "return document.getElementById('key-status').dataset.source === 'keyring'",
            vec![],
        )
        .await;
    let status = driver.text("#key-status").await;
    assert!(status.contains("system keyring"), "{status}");
    assert!(status.contains("…abcd"), "masked hint: {status}");
    assert!(!status.contains(FAKE_KEY));
    let key_field = driver
        .exec("return document.getElementById('api-key').value", vec![])
        .await;
    assert_eq!(key_field, json!(""), "the key does not linger in the page");
    driver.screenshot("settings-keyring").await;
    driver.quit().await;

    let asked = fake.requests_for(&id);
    let driver = Driver::launch(APP, env(&fake, &data, None)).await;
    driver.ready().await;
    chip_of(&driver, &id, "Running").await;
    let started = std::time::Instant::now();
    while fake.requests_for(&id) <= asked {
        assert!(
            started.elapsed().as_secs() < 20,
            "the restarted app queries with the key from the keyring"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let banner = driver
        .exec("return document.getElementById('banner').hidden", vec![])
        .await;
    assert_eq!(banner, json!(true), "no pause, no keyring warning");
    driver.quit().await;

    support::assert_key_not_on_disk(&data, FAKE_KEY);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_secret_service_the_app_opens_and_says_what_to_do() {
    if !e2e_available() {
        return;
    }
    let _window = WINDOW.lock().await;
    let fake = FakeAnyfast::start().await;
    let id = task_id("e2enokeyring");
    fake.script(&id, vec![Reply::state("queued")]);
    let data = temp_dir("e2e-nokeyring");
    let mut launch = env(&fake, &data, Some(FAKE_KEY));
    launch.env.push((
        "DBUS_SESSION_BUS_ADDRESS".into(),
        format!("unix:path={}/no-bus", data.display()),
    ));
    let driver = Driver::launch(APP, launch).await;
    driver.ready().await;
    driver.click("#settings-button").await;
    driver
        .wait_for("the keyring warning", "return document.getElementById('key-status').textContent.includes('No system keyring')", vec![])
        .await;
    let status = driver.text("#key-status").await;
    assert!(status.contains("ANYFAST_API_KEY"), "{status}");
    assert!(status.contains("gnome-keyring"), "{status}");
    driver.screenshot("settings-no-keyring").await;
    driver.click("#settings-cancel").await;
    add(&driver, &id).await;
    chip_of(&driver, &id, "Queued").await;
    driver.quit().await;
}

/// A history another program holds locked: instead of ending without a word (there
/// is no terminal behind a desktop icon), Paddock opens a window that says why, in
/// the language and theme chosen, and its Quit ends Paddock. Nothing is moved aside.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_history_opens_a_window_that_says_why() {
    use std::time::{Duration, Instant};
    if !e2e_available() {
        return;
    }
    let _window = WINDOW.lock().await;
    let fake = FakeAnyfast::start().await;
    let data = temp_dir("e2e-locked-history");
    std::fs::write(
        data.join("settings.json"),
        r#"{"language": "zh", "theme": "dark"}"#,
    )
    .unwrap();
    drop(paddock::tasks::TaskStore::open(&data).unwrap());
    // Out of WAL mode, an exclusive lock keeps readers out too, as a backup tool would.
    let holder = rusqlite::Connection::open(data.join("history.sqlite3")).unwrap();
    holder
        .execute_batch("PRAGMA journal_mode=DELETE; BEGIN EXCLUSIVE;")
        .unwrap();
    let driver = Driver::launch(APP, env(&fake, &data, Some(FAKE_KEY))).await;
    driver.ready().await;
    assert_eq!(
        driver.text("#startup-error-title").await,
        "Paddock 无法启动"
    );
    let reason = driver.text("#startup-error-reason").await;
    assert!(reason.contains("another program has it locked"), "{reason}");
    let dark = driver
        .exec("return document.documentElement.dataset.theme", vec![])
        .await;
    assert_eq!(dark, json!("dark"));
    driver.screenshot("startup-error-dark-zh").await;
    driver.click_closing("#startup-error-quit").await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while !driver.window_gone().await {
        assert!(Instant::now() < deadline, "Quit did not close the window");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    driver.quit().await;
    holder.execute_batch("COMMIT;").unwrap();
    support::assert_nothing_moved_aside(&data);
}

/// A data folder that cannot be made: the same window, found on the X display (and
/// its page loaded, says the log); closing it the way a window manager does ends
/// Paddock with exit 1, not 0 and not a panic.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_data_folder_that_cannot_be_made_opens_the_same_window() {
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};
    if !e2e_available() {
        return;
    }
    let _window = WINDOW.lock().await;
    let fake = FakeAnyfast::start().await;
    let scratch = temp_dir("e2e-no-data-folder");
    // A file where a folder should be: nothing can be made under it.
    std::fs::write(scratch.join("file"), b"").unwrap();
    let launch = env(&fake, &scratch.join("file").join("data"), Some(FAKE_KEY));
    assert_eq!(window_state(), "", "no Paddock window is open before");
    let mut app = Spawned::start(
        Command::new(APP)
            .envs(launch.env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::null())
            .stderr(Stdio::piped()),
    );
    // Its stderr as it comes: the page has loaded when the log says so.
    let log = StderrLog::follow(&mut app);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = app.try_wait().unwrap() {
            panic!("Paddock ended ({status}) without a window: {}", log.text());
        }
        let loaded = log
            .text()
            .contains("a window says why Paddock could not start");
        if loaded && window_state() == "viewable" {
            break;
        }
        assert!(Instant::now() < deadline, "no window came: {}", log.text());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    close_the_window().await;
    let status = wait_for_exit(&mut app, Duration::from_secs(20), || {
        format!("closing the window did not end Paddock: {}", log.text())
    })
    .await;
    let stderr = log.finish();
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("could not be created"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pasted_log_is_watched_to_the_end_and_remembered_after_a_restart() {
    if !e2e_available() {
        return;
    }
    let _window = WINDOW.lock().await;
    let fake = FakeAnyfast::start().await;
    let (ok, bad, slow) = (
        task_id("e2elogok"),
        task_id("e2elogbad"),
        task_id("e2elogslow"),
    );
    fake.script(
        &ok,
        Reply::states(&["queued", "queued", "success-seed-example"]),
    );
    fake.script(
        &bad,
        Reply::states(&["in-progress", "failure-data-inspection"]),
    );
    fake.script(&slow, vec![Reply::state("in-progress")]);
    let data = temp_dir("e2e-log");
    let driver = Driver::launch(APP, env(&fake, &data, Some(FAKE_KEY))).await;
    driver.ready().await;
    let log = format!(
        "2026-11-28 10:00:01 INFO submit ok task_id={ok}\n{{\"code\":\"success\",\"data\":{{\"task_id\":\"{bad}\"}}}}\n任务（{slow}）已提交。"
    );
    add(&driver, &log).await;
    let toast = driver
        .wait_for(
            "the summary",
            "return document.getElementById('toast').textContent",
            vec![],
        )
        .await;
    assert_eq!(toast, json!("3 added, 0 already tracked, 0 not task IDs"));
    chip_of(&driver, &ok, "Succeeded").await;
    chip_of(&driver, &bad, "Failed").await;
    chip_of(&driver, &slow, "Running").await;
    select_row(&driver, &bad).await;
    driver
        .wait_for(
            "the fail reason",
            "return document.querySelector('#detail dd.fail-reason')",
            vec![],
        )
        .await;
    let reason = driver.text("#detail dd.fail-reason").await;
    assert!(reason.contains("DataInspectionFailed"), "{reason}");
    driver.screenshot("list-states-en").await;
    driver.quit().await;

    let driver = Driver::launch(APP, env(&fake, &data, Some(FAKE_KEY))).await;
    driver.ready().await;
    chip_of(&driver, &ok, "Succeeded").await;
    chip_of(&driver, &bad, "Failed").await;
    chip_of(&driver, &slow, "Running").await;
    driver.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_succeeded_task_plays_in_the_app_and_saves_to_disk() {
    if !e2e_available() {
        return;
    }
    let _window = WINDOW.lock().await;
    let fake = FakeAnyfast::start().await;
    let id = task_id("e2evideo");
    fake.script(&id, vec![Reply::state("success-seed-example")]);
    let data = temp_dir("e2e-video");
    let saves = temp_dir("e2e-video-saves");
    // Auto-save off, so the preview streams from the storage host.
    std::fs::write(data.join("settings.json"), r#"{"auto_save": false}"#).unwrap();
    let mut launch = env(&fake, &data, Some(FAKE_KEY));
    launch
        .env
        .push(("PADDOCK_SAVE_PATH".into(), saves.display().to_string()));
    let driver = Driver::launch(APP, launch).await;
    driver.ready().await;
    add(&driver, &id).await;
    chip_of(&driver, &id, "Succeeded").await;
    let can_play = driver
        .exec("return document.createElement('video').canPlayType('video/mp4; codecs=\"avc1.42E01E, mp4a.40.2\"')", vec![])
        .await;
    assert_ne!(
        can_play,
        json!(""),
        "WebKitGTK with gstreamer1.0-libav decodes H.264/AAC"
    );
    driver.find("#preview").await;
    driver
        .wait_for(
            "the video to load",
            "const v = document.getElementById('preview'); return v && v.readyState >= 2;",
            vec![],
        )
        .await;
    driver
        .exec(
            "const v = document.getElementById('preview'); v.muted = true; v.play(); return true;",
            vec![],
        )
        .await;
    driver
        .wait_for(
            "playback to advance",
            "return document.getElementById('preview').currentTime > 0.5",
            vec![],
        )
        .await;
    driver
        .exec(
            "const v = document.getElementById('preview'); v.currentTime = 3; return true;",
            vec![],
        )
        .await;
    driver
        .wait_for(
            "a seek past 3 s",
            "return document.getElementById('preview').currentTime >= 3",
            vec![],
        )
        .await;
    driver.screenshot("video-playing").await;

    // A slow storage host shows the progress bar while saving.
    fake.slow_video(&id, std::time::Duration::from_millis(250));
    driver.click("#save-video").await;
    driver
        .wait_for(
            "download progress",
            "return document.querySelector('.save-progress')?.textContent.includes('KB of')",
            vec![],
        )
        .await;
    driver.screenshot("download-in-progress").await;
    driver
        .wait_for(
            "the saved path",
            "return document.getElementById('saved-to')?.textContent",
            vec![],
        )
        .await;
    assert_one_saved_video(&saves);
    let ranges = fake
        .log()
        .into_iter()
        .filter(|l| l.host == "storage")
        .collect::<Vec<_>>();
    assert!(
        ranges.iter().any(|l| l.range.is_some()),
        "the player asked for byte ranges"
    );
    assert!(
        ranges.iter().all(|l| l.authorization.is_none()),
        "the storage host never sees the key"
    );
    driver.screenshot("video-saved").await;
    driver.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_save_keeps_the_video_and_it_plays_after_the_link_dies() {
    if !e2e_available() {
        return;
    }
    let _window = WINDOW.lock().await;
    let fake = FakeAnyfast::start().await;
    let id = task_id("e2eautosave");
    fake.script(&id, Reply::states(&["in-progress", "success-seed-example"]));
    let data = temp_dir("e2e-autosave");
    let driver = Driver::launch(APP, env(&fake, &data, Some(FAKE_KEY))).await;
    driver.ready().await;
    add(&driver, &id).await;
    chip_of(&driver, &id, "Succeeded").await;
    driver
        .wait_for(
            "auto-save",
            "return document.getElementById('saved-to')?.textContent",
            vec![],
        )
        .await;
    let auto_dir = data.join("videos").join("Paddock");
    assert_one_saved_video(&auto_dir);
    let row_saved = driver
        .exec(
            &format!(
                "return document.querySelector(\".task-row[data-id='{id}'] .saved\")?.textContent"
            ),
            vec![],
        )
        .await;
    assert_eq!(row_saved, json!("Saved"));
    driver.quit().await;

    // The link dies; after a restart the saved copy still plays, from this machine.
    fake.expire_video(&id);
    let driver = Driver::launch(APP, env(&fake, &data, Some(FAKE_KEY))).await;
    driver.ready().await;
    select_row(&driver, &id).await;
    driver
        .wait_for(
            "the local copy",
            "return document.getElementById('preview')?.dataset.source === 'local'",
            vec![],
        )
        .await;
    driver
        .exec(
            "const v = document.getElementById('preview'); v.muted = true; v.play(); return true;",
            vec![],
        )
        .await;
    driver
        .wait_for(
            "local playback to advance",
            "return document.getElementById('preview').currentTime > 0.5",
            vec![],
        )
        .await;
    driver.screenshot("video-local-after-expiry").await;
    driver.quit().await;
}

/// The page's JavaScript runs without a JIT, and a program Paddock opens (here a
/// stand-in for `xdg-open`) gets the user's environment without that setting and
/// without the key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_runs_without_a_jit_and_an_opened_browser_gets_neither_that_nor_the_key() {
    if !e2e_available() {
        return;
    }
    let _window = WINDOW.lock().await;
    let fake = FakeAnyfast::start().await;
    let id = task_id("e2eopenlink");
    fake.script(&id, vec![Reply::state("success-seed-example")]);
    // The link is dead: the preview fails and offers to open the link elsewhere.
    fake.expire_video(&id);
    let data = temp_dir("e2e-open-link");
    std::fs::write(data.join("settings.json"), r#"{"auto_save": false}"#).unwrap();
    let bin = temp_dir("e2e-open-link-bin");
    let opened = bin.join("opened");
    let xdg_open = bin.join("xdg-open");
    std::fs::write(
        &xdg_open,
        format!(
            "#!/bin/sh\nenv > '{0}.env'\nprintf '%s' \"$1\" > '{0}.tmp' && mv '{0}.tmp' '{0}'\n",
            opened.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(
        &xdg_open,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let mut launch = env(&fake, &data, Some(FAKE_KEY));
    let path = std::env::var("PATH").unwrap_or_default();
    launch
        .env
        .push(("PATH".into(), format!("{}:{path}", bin.display())));
    let driver = Driver::launch(APP, launch).await;
    driver.ready().await;

    let web = process_tree(driver.pid())
        .into_iter()
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|name| name.starts_with("WebKitWebProc"))
        })
        .map(|pid| {
            let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
            (pid, environ)
        })
        .collect::<Vec<_>>();
    assert!(!web.is_empty(), "the window's web process runs");
    for (pid, environ) in &web {
        assert!(
            !environ
                .split(|b| *b == 0)
                .any(|var| var.starts_with(b"ANYFAST_API_KEY=")),
            "the page's process does not hold the key"
        );
        assert!(
            environ
                .split(|b| *b == 0)
                .any(|var| var == b"JSC_useJIT=false"),
            "the web process is told to run JavaScript without a JIT"
        );
        // With its JIT, JavaScriptCore reserves a pool for machine code: an anonymous
        // executable mapping of 1 GiB here. Without it there is none of that size.
        let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).unwrap_or_default();
        let pools = maps
            .lines()
            .filter_map(|line| {
                let fields = line.split_whitespace().collect::<Vec<_>>();
                let (range, mode) = (fields.first()?, fields.get(1)?);
                let (start, end) = range.split_once('-')?;
                let size =
                    u64::from_str_radix(end, 16).ok()? - u64::from_str_radix(start, 16).ok()?;
                (fields.len() == 5 && mode.contains('x') && size >= 256 << 20).then_some(size)
            })
            .collect::<Vec<_>>();
        assert!(
            pools.is_empty(),
            "no JIT pool in the web process: {pools:?}"
        );
    }

    add(&driver, &id).await;
    chip_of(&driver, &id, "Succeeded").await;
    let button = driver
        .wait_for(
            "the offer to open the link",
            "return document.getElementById('open-external')?.textContent",
            vec![],
        )
        .await;
    assert_eq!(button, json!("Open the link in the browser"));
    driver.click("#open-external").await;
    let started = std::time::Instant::now();
    while !opened.exists() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "the link was never handed to xdg-open"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let link = std::fs::read_to_string(&opened).unwrap();
    assert!(link.starts_with(&fake.storage_url), "{link}");
    assert!(link.contains(&id), "the task's own link: {link}");
    let env_seen = std::fs::read_to_string(bin.join("opened.env")).unwrap();
    assert!(
        env_seen.contains(&format!("PADDOCK_DATA_DIR={}", data.display())),
        "the user's environment is passed on"
    );
    assert!(
        !env_seen.contains("JSC_useJIT") && !env_seen.contains("WEBKIT_SKIA_ENABLE_CPU_RENDERING"),
        "not Paddock's settings for its own page"
    );
    assert!(
        !env_seen.contains("ANYFAST_API_KEY") && !env_seen.contains(FAKE_KEY),
        "not the key"
    );
    driver.screenshot("video-link-dead").await;

    // No launcher on this desktop can open it: the window says so, in words.
    for launcher in [
        "xdg-open",
        "gio",
        "gnome-open",
        "kde-open6",
        "kde-open5",
        "kde-open",
    ] {
        let path = bin.join(launcher);
        std::fs::write(&path, "#!/bin/sh\nexit 3\n").unwrap();
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
    }
    driver.click("#open-external").await;
    driver
        .wait_for(
            "the error in words",
            "return document.getElementById('toast').textContent.startsWith('No application opened it.')",
            vec![],
        )
        .await;
    driver.screenshot("video-link-no-application").await;
    driver.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_state_has_its_chip_in_english_and_chinese() {
    if !e2e_available() {
        return;
    }
    let _window = WINDOW.lock().await;
    let fake = FakeAnyfast::start().await;
    let unknown = serde_json::json!({"code": "success", "data": {"task_id": "x", "status": "WARMING_UP", "progress": "5%"}});
    let cases: Vec<(&str, Reply, &str, &str)> = vec![
        (
            "statenotstart",
            Reply::state("not-start"),
            "Not started",
            "未开始",
        ),
        ("statequeued", Reply::state("queued"), "Queued", "排队中"),
        (
            "staterunning",
            Reply::state("in-progress"),
            "Running",
            "生成中",
        ),
        (
            "statesuccess",
            Reply::state("success-seed-example"),
            "Succeeded",
            "已成功",
        ),
        (
            "statefailed",
            Reply::state("failure-data-inspection"),
            "Failed",
            "已失败",
        ),
        (
            "stateunknown",
            Reply::json(200, unknown),
            "WARMING_UP",
            "WARMING_UP",
        ),
        (
            "statemissing",
            Reply::error("error-400-task-not-exist"),
            "Not found",
            "未找到",
        ),
        (
            "stategaveup",
            Reply::state("in-progress").aged(30 * 3600),
            "Gave up",
            "已放弃",
        ),
        // A 429 is waited out calmly: not a red "Error".
        (
            "statewaiting",
            Reply::error("error-429-rpm").retry_after(600),
            "Waiting",
            "等待中",
        ),
    ];
    let mut ids = Vec::new();
    for (label, reply, ..) in &cases {
        let id = task_id(label);
        if *label != "statemissing" {
            fake.script(&id, vec![reply.clone()]);
        }
        ids.push(id);
    }
    let data = temp_dir("e2e-states");
    std::fs::write(data.join("settings.json"), r#"{"auto_save": false}"#).unwrap();
    let driver = Driver::launch(APP, env(&fake, &data, Some(FAKE_KEY))).await;
    driver.ready().await;
    add(&driver, &ids.join(" ")).await;
    for (id, (_, _, en, _)) in ids.iter().zip(&cases) {
        chip_of(&driver, id, en).await;
    }
    select_row(&driver, &ids[8]).await;
    let waiting = driver.text("#detail-waiting").await;
    assert!(
        waiting.starts_with("Waiting, next try in ") && waiting.contains("60次"),
        "the next try and the gateway's words: {waiting}"
    );
    driver.screenshot("state-waiting-en").await;
    select_row(&driver, &ids[4]).await;
    driver.find("#detail dd.fail-reason").await;
    driver.screenshot("states-light-en").await;
    driver.click("#lang-button").await;
    for (id, (_, _, _, zh)) in ids.iter().zip(&cases) {
        chip_of(&driver, id, zh).await;
    }
    driver.screenshot("states-light-zh").await;
    driver.click("#theme-button").await;
    driver
        .wait_for(
            "dark theme",
            "return document.documentElement.dataset.theme === 'dark'",
            vec![],
        )
        .await;
    driver.screenshot("states-dark-zh").await;
    driver.click("#lang-button").await;
    chip_of(&driver, &ids[0], "Not started").await;
    driver.screenshot("states-dark-en").await;
    driver.quit().await;
}

/// The app as `launch` says, logging its own lines (info) to a piped stderr.
fn logged_app(launch: &Launch) -> std::process::Command {
    use std::process::Stdio;
    let mut command = std::process::Command::new(APP);
    command
        .envs(launch.env.iter().map(|(k, v)| (k, v)))
        .env("RUST_LOG", "paddock=info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for k in &launch.env_remove {
        command.env_remove(k);
    }
    command
}

/// Opening Paddock again while it runs hands over to the running window (which
/// says so) and exits; one process, one poller.
#[tokio::test]
async fn a_second_launch_hands_over_to_the_running_window() {
    use std::time::{Duration, Instant};
    if !e2e_available() {
        return;
    }
    let _window = WINDOW.lock().await;
    let fake = FakeAnyfast::start().await;
    let data = temp_dir("e2e-single-instance");
    let launch = env(&fake, &data, Some(FAKE_KEY));
    let start = || Spawned::start(&mut logged_app(&launch));
    let mut first = start();
    let log = StderrLog::follow(&mut first);
    let painted = log
        .wait_for("window painted its task list", Duration::from_secs(60))
        .await;
    assert!(painted, "the first window never painted");

    let mut second = start();
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = second.try_wait().unwrap() {
            break Some(status);
        }
        if Instant::now() > deadline {
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let handed_over = log.wait_for("opened again", Duration::from_secs(10)).await;
    let first_alive = first.try_wait().unwrap().is_none();
    let _ = second.kill();
    let _ = first.kill();
    let _ = first.wait();
    let status = status.expect("the second launch exits by itself");
    assert!(status.success(), "{status:?}");
    assert!(handed_over, "the running window was told");
    assert!(first_alive, "the first window is still there");
}

/// Once start-up has settled, the window gives the memory it freed back to the
/// system, and logs that glibc released some.
#[tokio::test]
async fn the_memory_start_up_freed_is_given_back() {
    use std::time::Duration;
    if !e2e_available() {
        return;
    }
    let _window = WINDOW.lock().await;
    let fake = FakeAnyfast::start().await;
    let data = temp_dir("e2e-heap");
    let launch = env(&fake, &data, Some(FAKE_KEY));
    let mut app = Spawned::start(&mut logged_app(&launch));
    let log = StderrLog::follow(&mut app);
    let given_back = log
        .wait_for("start-up memory given back", Duration::from_secs(60))
        .await;
    let _ = app.kill();
    let _ = app.wait();
    let text = log.finish();
    assert!(given_back, "{text}");
    let line = text
        .lines()
        .find(|l| l.contains("start-up memory given back"))
        .unwrap_or_default();
    let painted_at = text.find("window painted its task list");
    let given_at = text.find("start-up memory given back");
    assert!(
        matches!((painted_at, given_at), (Some(p), Some(g)) if p < g),
        "given back after the first paint: {text}"
    );
    // glibc's own word: the resident total could move with other threads' work.
    assert!(line.contains("released=true"), "{line}");
}

/// An auto-save shows its progress like a manual save and can be cancelled; the
/// row then says why the video is not saved, and nothing is left on disk.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_auto_save_shows_progress_and_can_be_cancelled() {
    if !e2e_available() {
        return;
    }
    let _window = WINDOW.lock().await;
    let fake = FakeAnyfast::start().await;
    let id = task_id("e2eautocancel");
    fake.script(&id, Reply::states(&["in-progress", "success-seed-example"]));
    // 145 KB at 16 KiB a second: the save is still running when Cancel is clicked,
    // however slow the machine is at taking the screenshot before it.
    fake.slow_video(&id, std::time::Duration::from_millis(1_000));
    let data = temp_dir("e2e-autocancel");
    let driver = Driver::launch(APP, env(&fake, &data, Some(FAKE_KEY))).await;
    driver.ready().await;
    add(&driver, &id).await;
    select_row(&driver, &id).await;
    driver
        .wait_for(
            "auto-save progress",
            "return document.querySelector('.save-progress')?.textContent.includes('KB')",
            vec![],
        )
        .await;
    driver.screenshot("auto-save-in-progress").await;
    driver.click("#cancel-save").await;
    driver
        .wait_for(
            "the cancelled auto-save on the row",
            "return document.getElementById('detail-error')?.textContent.includes('cancelled')",
            vec![],
        )
        .await;
    let auto_dir = data.join("videos").join("Paddock");
    let left: Vec<_> = std::fs::read_dir(&auto_dir)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "nothing left after a cancel: {left:?}");
    driver.quit().await;
}

/// Write a prompt, see what it costs, create it; watch it finish; run it again with
/// a new seed; a refusal keeps the form; a batch asks first with its total.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_video_is_created_from_the_panel_and_run_again() {
    use support::fake_anyfast::CreateOutcome;
    if !e2e_available() {
        return;
    }
    let _window = WINDOW.lock().await;
    let fake = FakeAnyfast::start().await;
    let data = temp_dir("e2e-create");
    std::fs::write(
        data.join("settings.json"),
        r#"{"auto_save": false, "price_720p": "0.14"}"#,
    )
    .unwrap();
    fake.set_balance(Some(
        json!({"code": true, "data": {"total_available": 3750000, "total_used": 0}}),
    ));
    let driver = Driver::launch(APP, env(&fake, &data, Some(FAKE_KEY))).await;
    driver.ready().await;
    driver.click("#new-video-button").await;
    settle().await;
    driver.screenshot("create-empty-light-en").await;
    driver
        .type_into("#create-prompt", "A cat running on grass")
        .await;
    driver
        .exec("const s = document.getElementById('create-resolution'); s.value = '720P'; s.dispatchEvent(new Event('change', {bubbles: true})); return true;", vec![])
        .await;
    let cost = driver
        .wait_for("the cost", "return document.getElementById('create-cost').textContent.includes('720P') && document.getElementById('create-cost').textContent", vec![])
        .await;
    assert_eq!(cost, json!("1 task: 5 s at 720P ≈ $0.70"));
    let balance = driver
        .wait_for(
            "the balance",
            "return document.getElementById('create-balance').textContent",
            vec![],
        )
        .await;
    assert_eq!(balance, json!("Balance: $7.50"));
    settle().await;
    driver.screenshot("create-filled-light-en").await;
    driver.click("#create-submit").await;
    let id = fake_created_id(&fake, 1).await;
    chip_of(&driver, &id, "Succeeded").await;
    assert_eq!(fake.created()[0]["prompt"], "A cat running on grass");

    // Run again with a new seed: a second POST, another seed, the same prompt.
    select_row(&driver, &id).await;
    driver.click("#run-seed").await;
    let second = fake_created_id(&fake, 2).await;
    chip_of(&driver, &second, "Succeeded").await;
    let sent = fake.created();
    assert_eq!(sent[1]["prompt"], "A cat running on grass");
    assert!(sent[1]["seed"].is_u64(), "a new seed: {}", sent[1]);

    // The prompt history offers what was used before.
    driver.click("#new-video-button").await;
    driver.type_into("#create-recent", "cat").await;
    let offered = driver
        .wait_for(
            "the prompt history",
            "const o = document.querySelector('#create-recent-list option'); return o && o.value",
            vec![],
        )
        .await;
    assert_eq!(offered, json!("A cat running on grass"));
    driver.click("#create-cancel").await;

    // A refusal shows the gateway's words in the panel, and the form stays.
    fake.next_create(CreateOutcome::Refuse(Reply::json(
        403,
        json!({"code": "insufficient_user_quota", "message": "用户额度不足，剩余额度: ＄0.012000", "data": null}),
    )));
    driver.click("#new-video-button").await;
    driver.click("#create-submit").await;
    let refused = driver
        .wait_for("the refusal", "return document.getElementById('create-error').hidden ? null : document.getElementById('create-error').textContent", vec![])
        .await;
    assert!(
        refused.as_str().unwrap().contains("用户额度不足"),
        "{refused}"
    );
    let kept = driver
        .exec(
            "return document.getElementById('create-prompt').value",
            vec![],
        )
        .await;
    assert_eq!(kept, json!("A cat running on grass"));
    settle().await;
    driver.screenshot("create-refused-light-en").await;

    // A batch of 2 prompts × 2 variations asks first, with its total.
    driver
        .exec("const p = document.getElementById('create-prompt'); p.value = 'a cat\\na dog'; const c = document.getElementById('create-count'); c.value = '2'; p.dispatchEvent(new Event('input', {bubbles: true})); return true;", vec![])
        .await;
    driver.click("#create-submit").await;
    let question = driver
        .wait_for("the confirmation", "return document.getElementById('confirm-dialog').open && document.getElementById('confirm-text').textContent", vec![])
        .await;
    assert_eq!(
        question,
        json!("Create 4 tasks: 20 s at 720P ≈ $2.80? Each task may be charged.")
    );
    driver.click("#confirm-ok").await;
    fake_created_id(&fake, 6).await;
    driver.click("#theme-button").await;
    driver.click("#lang-button").await;
    driver.click("#new-video-button").await;
    // The balance asked for in English is drawn again in Chinese.
    driver
        .wait_for(
            "the balance in Chinese",
            "return document.getElementById('create-balance').textContent === '余额：$7.50' || null",
            vec![],
        )
        .await;
    settle().await;
    driver.screenshot("create-filled-dark-zh").await;
    driver.quit().await;
}

/// Waits until the fake has created `n` tasks and returns the newest one's ID.
async fn fake_created_id(fake: &FakeAnyfast, n: usize) -> String {
    for _ in 0..100 {
        let ids = fake.created_ids();
        if ids.len() >= n {
            return ids[n - 1].clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the fake never created task {n}");
}

/// WebKit paints a moment after the DOM changes; a screenshot waits for it.
async fn settle() {
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
}

/// "Edit and run" on a task made elsewhere fills the panel from its answer and
/// says what was guessed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edit_and_run_on_a_pasted_task_says_what_was_guessed() {
    if !e2e_available() {
        return;
    }
    let _window = WINDOW.lock().await;
    let fake = FakeAnyfast::start().await;
    let id = task_id("e2epastedrun");
    fake.script(&id, vec![Reply::state("success-seed-example")]);
    let data = temp_dir("e2e-pasted-run");
    std::fs::write(data.join("settings.json"), r#"{"auto_save": false}"#).unwrap();
    let driver = Driver::launch(APP, env(&fake, &data, Some(FAKE_KEY))).await;
    driver.ready().await;
    add(&driver, &id).await;
    chip_of(&driver, &id, "Succeeded").await;
    select_row(&driver, &id).await;
    driver.click("#run-edit").await;
    let prompt = driver
        .wait_for("the panel, filled in", "return document.getElementById('create-dialog').open && document.getElementById('create-prompt').value", vec![])
        .await;
    assert_eq!(prompt, json!("一只猫在草地上奔跑"));
    let guessed = driver.text("#create-guessed").await;
    assert!(guessed.contains("guess"), "{guessed}");
    let resolution = driver
        .exec(
            "return document.getElementById('create-resolution').value",
            vec![],
        )
        .await;
    assert_eq!(resolution, json!("720P"));
    assert!(fake.created().is_empty(), "nothing is sent until Create");
    driver.quit().await;
}

/// Close the window (WM_DELETE_WINDOW, with no tray host) while a task still runs:
/// Paddock keeps polling in the background, saves the video when the task
/// succeeds, and then exits by itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_the_window_keeps_watching_until_done_then_exits() {
    use std::process::{Command, Stdio};
    use std::time::Duration;
    if !e2e_available() {
        return;
    }
    let _window = WINDOW.lock().await;
    let fake = FakeAnyfast::start().await;
    let id = task_id("e2ebackground");
    // Running until the window has closed (the last reply repeats): a task that
    // finished before a slow first paint would turn the close into a plain quit.
    fake.script(&id, vec![Reply::state("in-progress")]);
    let data = temp_dir("e2e-background");
    let launch = env(&fake, &data, Some(FAKE_KEY));
    let command = || {
        let mut c = Command::new(APP);
        c.envs(launch.env.iter().map(|(k, v)| (k, v)))
            .env("RUST_LOG", "paddock=info");
        for k in &launch.env_remove {
            c.env_remove(k);
        }
        c
    };
    // The task is in the history before the window opens.
    let added = command().args(["add", &id]).output().unwrap();
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let mut app = Spawned::start(command().stdout(Stdio::null()).stderr(Stdio::piped()));
    let log = StderrLog::follow(&mut app);
    assert!(
        log.wait_for("window painted its task list", Duration::from_secs(60))
            .await
    );
    close_the_window().await;
    assert!(
        log.wait_for("watching in the background", Duration::from_secs(10))
            .await,
        "the close was turned into a background run: {}",
        log.text()
    );
    let after_close = fake.requests_for(&id);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(
        app.try_wait().unwrap().is_none(),
        "still running with the window closed"
    );
    assert!(
        fake.requests_for(&id) > after_close,
        "still polling after the close: {after_close} then {}",
        fake.requests_for(&id)
    );
    fake.script(&id, vec![Reply::state("success-seed-example")]);
    let status = wait_for_exit(&mut app, Duration::from_secs(60), || {
        "it never exited by itself".to_owned()
    })
    .await;
    assert!(status.success(), "{status:?}");
    assert_one_saved_video(&data.join("videos").join("Paddock"));
}

/// "Start at login": saving the setting writes the login entry (with `--hidden`),
/// and a hidden start with no tray host does the work (polls, saves) and quits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hidden_start_at_login_works_then_quits() {
    use std::process::{Command, Stdio};
    use std::time::Duration;
    if !e2e_available() {
        return;
    }
    let _window = WINDOW.lock().await;
    let fake = FakeAnyfast::start().await;
    let id = task_id("e2ehidden");
    let mut replies = vec![Reply::state("in-progress"); 4];
    replies.push(Reply::state("success-seed-example"));
    fake.script(&id, replies);
    let data = temp_dir("e2e-hidden");
    let home = data.join("home");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(
        data.join("settings.json"),
        r#"{"start_at_login": true, "keep_watching": true}"#,
    )
    .unwrap();
    let launch = env(&fake, &data, Some(FAKE_KEY));
    let command = || {
        let mut c = Command::new(APP);
        c.envs(launch.env.iter().map(|(k, v)| (k, v)))
            .env("HOME", &home)
            .env("RUST_LOG", "paddock=info");
        for k in &launch.env_remove {
            c.env_remove(k);
        }
        c
    };
    let added = command().args(["add", &id]).output().unwrap();
    assert!(added.status.success());
    let mut app = Spawned::start(
        command()
            .arg("--hidden")
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    );
    let status = wait_for_exit(&mut app, Duration::from_secs(90), || {
        "a hidden start never quit by itself".to_owned()
    })
    .await;
    assert!(status.success(), "{status:?}");
    assert!(
        fake.requests_for(&id) >= 5,
        "it polled until the task was done"
    );
    assert_one_saved_video(&data.join("videos").join("Paddock"));
    let entries: Vec<_> = std::fs::read_dir(home.join(".config/autostart"))
        .expect("a login entry was written")
        .map_while(Result::ok)
        .collect();
    assert_eq!(entries.len(), 1, "one login entry");
    let entry = std::fs::read_to_string(entries[0].path()).unwrap();
    assert!(entry.contains("--hidden"), "{entry}");
    assert!(entry.contains(APP), "{entry}");
}

/// Stars from the list: `S` on the selected row and a click on another row's star.
/// The Starred filter then shows just those two, and the history keeps them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starring_from_the_list_is_kept_and_filters() {
    if !e2e_available() {
        return;
    }
    let _window = WINDOW.lock().await;
    let fake = FakeAnyfast::start().await;
    let ids = [
        task_id("e2estara"),
        task_id("e2estarb"),
        task_id("e2estarc"),
    ];
    for id in &ids {
        fake.script(id, vec![Reply::state("success-seed-example")]);
    }
    let data = temp_dir("e2e-stars");
    let driver = Driver::launch(APP, env(&fake, &data, Some(FAKE_KEY))).await;
    driver.ready().await;
    add(&driver, &ids.join(" ")).await;
    for id in &ids {
        chip_of(&driver, id, "Succeeded").await;
    }
    let starred = |id: &str| {
        format!("return document.querySelector(`.task-row[data-id='{id}'] .star-toggle`)?.getAttribute('aria-pressed') === 'true'")
    };
    select_row(&driver, &ids[0]).await;
    driver
        .type_into(&format!(".task-row[data-id='{}']", ids[0]), "s")
        .await;
    driver
        .wait_for("S to star the selected row", &starred(&ids[0]), vec![])
        .await;
    driver
        .click(&format!(".task-row[data-id='{}'] .star-toggle", ids[2]))
        .await;
    driver
        .wait_for("a click to star its row", &starred(&ids[2]), vec![])
        .await;
    // Tags from the detail pane of the selected task: Enter adds, × takes off.
    select_row(&driver, &ids[0]).await;
    let chips = "return [...document.querySelectorAll('#tags-box .tag-chip')].map((c) => c.firstChild.textContent).join('|')";
    for tag in ["best take", "draft"] {
        driver
            .type_into("#tag-input", &format!("{tag}\u{E007}"))
            .await;
    }
    driver
        .wait_for(
            "two tags on the task",
            &format!("{chips} === 'best take|draft'"),
            vec![],
        )
        .await;
    driver
        .click("#tags-box .tag-chip:nth-child(2) .tag-off")
        .await;
    driver
        .wait_for(
            "the tag taken off",
            &format!("{chips} === 'best take'"),
            vec![],
        )
        .await;
    settle().await;
    driver.screenshot("stars-light-en").await;
    driver
        .exec(
            "const s = document.getElementById('status-filter'); s.value = 'starred'; s.dispatchEvent(new Event('change', {bubbles: true}));",
            vec![],
        )
        .await;
    let mut want = vec![ids[0].clone(), ids[2].clone()];
    want.sort();
    driver
        .wait_for(
            "only the starred rows",
            "return JSON.stringify([...document.querySelectorAll('.task-row')].map((r) => r.dataset.id).sort()) === arguments[0]",
            vec![json!(serde_json::to_string(&want).unwrap())],
        )
        .await;
    driver.click("#theme-button").await;
    driver.click("#lang-button").await;
    chip_of(&driver, &ids[0], "已成功").await;
    settle().await;
    driver.screenshot("stars-dark-zh").await;
    // A task asked for by name (here pasted again) is shown even when the filter
    // hides it: the filter is cleared, and the row is there and selected.
    add(&driver, &ids[1]).await;
    driver
        .wait_for(
            "the pasted task shown and selected, the filter cleared",
            "return document.getElementById('status-filter').value === 'all' && document.querySelector(`.task-row[data-id='${arguments[0]}']`)?.getAttribute('aria-selected') === 'true'",
            vec![json!(ids[1])],
        )
        .await;
    // The same for a task new to Paddock, whose row arrives with the paste.
    let fresh = task_id("e2estard");
    fake.script(&fresh, vec![Reply::state("success-seed-example")]);
    driver
        .exec(
            "const s = document.getElementById('status-filter'); s.value = 'starred'; s.dispatchEvent(new Event('change', {bubbles: true}));",
            vec![],
        )
        .await;
    add(&driver, &fresh).await;
    driver
        .wait_for(
            "the new task shown and selected, the filter cleared",
            "return document.getElementById('status-filter').value === 'all' && document.querySelector(`.task-row[data-id='${arguments[0]}']`)?.getAttribute('aria-selected') === 'true'",
            vec![json!(fresh)],
        )
        .await;
    driver
        .wait_for(
            "the new task's details in the pane",
            "return document.querySelector('#detail .detail-id')?.textContent === arguments[0]",
            vec![json!(fresh)],
        )
        .await;
    driver.screenshot("filters-cleared-dark-zh").await;
    driver.quit().await;

    let launch = env(&fake, &data, Some(FAKE_KEY));
    let mut list = std::process::Command::new(APP);
    list.envs(launch.env.iter().map(|(k, v)| (k, v)))
        .args(["list", "--json", "--starred"]);
    let out = list.output().unwrap();
    let mut kept: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    kept.sort();
    assert_eq!(kept, want, "the history keeps the stars");
    let tagged = std::process::Command::new(APP)
        .envs(launch.env.iter().map(|(k, v)| (k, v)))
        .args(["list", "--json", "--tag", "BEST TAKE"])
        .output()
        .unwrap();
    let tagged: Vec<serde_json::Value> = String::from_utf8_lossy(&tagged.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(tagged.len(), 1);
    assert_eq!(tagged[0]["id"], ids[0].as_str());
    assert_eq!(tagged[0]["tags"], json!(["best take"]));
}

/// The Usage view: billed seconds per local day as bars and as a table.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_usage_view_sums_what_was_billed() {
    if !e2e_available() {
        return;
    }
    let _window = WINDOW.lock().await;
    let fake = FakeAnyfast::start().await;
    let ids = [
        task_id("e2eusagea"),
        task_id("e2eusageb"),
        task_id("e2eusagec"),
    ];
    fake.script(&ids[0], vec![Reply::state("success-seed-example")]);
    fake.script(
        &ids[1],
        vec![Reply::state("success-start-time-zero-video-edit")],
    );
    fake.script(&ids[2], vec![Reply::state("failure-data-inspection")]);
    let data = temp_dir("e2e-usage");
    let driver = Driver::launch(APP, env(&fake, &data, Some(FAKE_KEY))).await;
    driver.ready().await;
    add(&driver, &ids.join(" ")).await;
    chip_of(&driver, &ids[0], "Succeeded").await;
    chip_of(&driver, &ids[1], "Succeeded").await;
    chip_of(&driver, &ids[2], "Failed").await;
    driver.click("#usage-button").await;
    let total = "return [...document.querySelectorAll('#usage-body tr.total td')].map((c) => c.textContent).join('|')";
    driver
        .wait_for(
            "the total row",
            &format!("{total} === 'Total|2|18.24|0|0.00|1'"),
            vec![],
        )
        .await;
    let bars = driver
        .exec(
            "return document.querySelectorAll('#usage-body svg rect.bar-720').length",
            vec![],
        )
        .await;
    assert_eq!(bars, json!(1), "one day, one bar");
    let weeks = driver
        .exec(
            "const t = document.querySelectorAll('#usage-body table.usage-table')[1]; return t ? t.querySelectorAll('tr').length : 0",
            vec![],
        )
        .await;
    assert_eq!(weeks, json!(2), "a head and this week's row");
    settle().await;
    driver.screenshot("usage-light-en").await;
    driver.click("#usage-close").await;
    driver.click("#theme-button").await;
    driver.click("#lang-button").await;
    chip_of(&driver, &ids[0], "已成功").await;
    driver.click("#usage-button").await;
    driver
        .wait_for(
            "the total row in Chinese",
            &format!("{total}.startsWith('合计|2|')"),
            vec![],
        )
        .await;
    settle().await;
    driver.screenshot("usage-dark-zh").await;
    driver.quit().await;
}

/// Whether the window titled "Paddock" is on screen, as X sees it.
fn window_state() -> String {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/close_window.py");
    let out = std::process::Command::new("/usr/bin/python3")
        .args([script, "--state", "Paddock"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Asks the window to close, as its close button does, and waits until it is no
/// longer on screen. A close sent just after the first paint was sometimes not
/// taken at all here (twice in about six full runs; cause not found): after 5 s the
/// helper asks once more and says so, as a user would click again.
async fn close_the_window() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/close_window.py");
    let ask = || {
        let closed = std::process::Command::new("/usr/bin/python3")
            .args([script, "Paddock"])
            .status()
            .unwrap();
        assert!(closed.success(), "the window was found and asked to close");
    };
    ask();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while window_state() == "viewable" {
        if std::time::Instant::now() > deadline {
            eprintln!("the window did not take the close within 5 s; closing it again");
            ask();
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// With a tray host (a StatusNotifier watcher on a private bus): the tray item
/// registers with its menu and counts, its icon changes while a task runs, closing
/// the window hides it into the tray (the work goes on), a click on the "Video
/// ready" notification brings the window back with that task selected, and Pause
/// in the menu pauses.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tray_counts_hides_the_window_and_a_notification_click_selects_the_task() {
    use support::desktop_shell::{menu_labels, DesktopShell};
    if !e2e_available() {
        return;
    }
    let _window = WINDOW.lock().await;
    let mut shell = DesktopShell::start();
    let fake = FakeAnyfast::start().await;
    let id = task_id("e2etray");
    // Running until the window has hidden (the last reply repeats), then done.
    fake.script(&id, vec![Reply::state("in-progress")]);
    let data = temp_dir("e2e-tray");
    let mut launch = env(&fake, &data, Some(FAKE_KEY));
    launch
        .env
        .push(("DBUS_SESSION_BUS_ADDRESS".to_owned(), shell.address.clone()));
    let driver = Driver::launch(APP, launch).await;
    driver.ready().await;
    let quiet = shell.wait_for_tray("the tray item", |item| {
        menu_labels(item).contains(&"Nothing running".to_owned())
    });
    assert_eq!(
        menu_labels(&quiet),
        [
            "Show Paddock",
            "Nothing running",
            "Pause watching",
            "Open save folder",
            "Quit"
        ]
    );
    // Another task (it fails at once) is selected when the window closes, so the
    // click has to change the selection.
    let other = task_id("e2etrayother");
    fake.script(&other, vec![Reply::state("failure-data-inspection")]);
    add(&driver, &format!("{id} {other}")).await;
    // The count and the icon are two updates over D-Bus: a look between them sees
    // the new count with the old icon, so both are waited for.
    let working = shell.wait_for_tray("one running, and the icon marks the work", |item| {
        menu_labels(item).contains(&"1 running".to_owned()) && item["icon"] != quiet["icon"]
    });
    chip_of(&driver, &other, "Failed").await;
    select_row(&driver, &other).await;
    driver.screenshot("tray-window-running").await;

    close_the_window().await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while window_state() != "hidden" {
        assert!(std::time::Instant::now() < deadline, "the window hid");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    fake.script(&id, vec![Reply::state("success-seed-example")]);
    let note = shell.wait_for_note("Video ready");
    assert_eq!(
        window_state(),
        "hidden",
        "the window stays hidden meanwhile"
    );
    shell.wait_for_tray(
        "one ready, none running, and the mark gone with the work",
        |item| menu_labels(item).contains(&"1 ready".to_owned()) && item["icon"] != working["icon"],
    );

    let clicked = shell.ask(&format!("click-note {}", note["id"]));
    assert_eq!(clicked["ok"], true, "{clicked}");
    driver
        .wait_for(
            "the clicked task selected",
            "return document.querySelector('#detail .detail-id')?.textContent === arguments[0] || null",
            vec![json!(id)],
        )
        .await;
    assert_eq!(
        window_state(),
        "viewable",
        "the click brought the window up"
    );
    // Looked at: no longer counted as ready.
    shell.wait_for_tray("nothing ready", |item| {
        menu_labels(item).contains(&"Nothing running".to_owned())
    });

    let paused = shell.ask("click-menu Pause watching");
    assert_eq!(paused["ok"], true, "{paused}");
    shell.wait_for_tray("watching paused", |item| {
        menu_labels(item).contains(&"Resume watching".to_owned())
    });
    driver.quit().await;
}

/// The tray speaks the window's language, and its Quit ends Paddock.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tray_menu_is_in_chinese_and_its_quit_ends_paddock() {
    use std::process::{Command, Stdio};
    use std::time::Duration;
    use support::desktop_shell::{menu_labels, DesktopShell};
    if !e2e_available() {
        return;
    }
    let _window = WINDOW.lock().await;
    let mut shell = DesktopShell::start();
    let fake = FakeAnyfast::start().await;
    let data = temp_dir("e2e-tray-zh");
    std::fs::write(data.join("settings.json"), r#"{"language": "zh"}"#).unwrap();
    let launch = env(&fake, &data, Some(FAKE_KEY));
    let mut app = Spawned::start(
        Command::new(APP)
            .envs(launch.env.iter().map(|(k, v)| (k, v)))
            .env("DBUS_SESSION_BUS_ADDRESS", &shell.address)
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    );
    let item = shell.wait_for_tray("the tray item", |item| !menu_labels(item).is_empty());
    assert_eq!(
        menu_labels(&item),
        [
            "显示 Paddock",
            "没有运行中的任务",
            "暂停查询",
            "打开保存文件夹",
            "退出"
        ]
    );
    let quit = shell.ask("click-menu 退出");
    assert_eq!(quit["ok"], true, "{quit}");
    let status = wait_for_exit(&mut app, Duration::from_secs(20), || {
        "Quit in the tray did not end Paddock".to_owned()
    })
    .await;
    assert!(status.success(), "{status:?}");
}

/// The gallery: posters made from a saved copy and from a live link (through the
/// loopback relay), a placeholder that says why for a file that cannot be decoded,
/// a hovered card that plays, `S` to star and the starred filter, and the view
/// remembered across a restart. Screenshots: light and dark, English and Chinese.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gallery_shows_posters_plays_on_hover_and_filters_stars() {
    use std::process::Command;
    if !e2e_available() {
        return;
    }
    let _window = WINDOW.lock().await;
    let fake = FakeAnyfast::start().await;
    let (saved, linked, broken) = (
        task_id("e2egallerysaved"),
        task_id("e2egallerylink"),
        task_id("e2egallerybroken"),
    );
    for id in [&saved, &broken] {
        fake.script(id, vec![Reply::state("success-seed-example")]);
    }
    // Another kind of task (omniGenerate, 13.24 s) for the kind filter and the sort.
    fake.script(
        &linked,
        vec![Reply::state("success-start-time-zero-video-edit")],
    );
    let data = temp_dir("e2e-gallery");
    std::fs::write(data.join("settings.json"), r#"{"auto_save": false}"#).unwrap();
    let launch = env(&fake, &data, Some(FAKE_KEY));
    let cli = |args: &[&str]| {
        let out = Command::new(APP)
            .envs(launch.env.iter().map(|(k, v)| (k, v)))
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let videos = data.join("saved");
    std::fs::create_dir_all(&videos).unwrap();
    cli(&["add", &saved, &linked, &broken]);
    cli(&["query", &saved, &linked, &broken]);
    cli(&["save", &saved, "--output", videos.to_str().unwrap()]);
    let broken_dir = videos.join("broken");
    std::fs::create_dir_all(&broken_dir).unwrap();
    cli(&["save", &broken, "--output", broken_dir.to_str().unwrap()]);
    for entry in std::fs::read_dir(&broken_dir).unwrap() {
        std::fs::write(entry.unwrap().path(), b"this is not a video at all").unwrap();
    }

    let driver = Driver::launch(APP, env(&fake, &data, Some(FAKE_KEY))).await;
    driver.ready().await;
    driver.click("#view-gallery").await;
    let poster_loaded = |id: &str| {
        format!("const img = document.querySelector(`.card[data-id='{id}'] img.poster`); return img !== null && img.complete && img.naturalWidth > 0")
    };
    for id in [&saved, &linked] {
        driver
            .wait_for(&format!("a poster for {id}"), &poster_loaded(id), vec![])
            .await;
    }
    let reason = driver
        .wait_for(
            "the broken file's placeholder",
            &format!("return document.querySelector(`.card[data-id='{broken}'] .poster-placeholder`)?.textContent.startsWith('No poster') && document.querySelector(`.card[data-id='{broken}'] .poster-placeholder`).textContent"),
            vec![],
        )
        .await;
    assert!(reason.as_str().unwrap().contains("decoded"), "{reason}");
    let kept: Vec<String> = std::fs::read_dir(data.join("posters"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(kept.len(), 2, "{kept:?}");
    for id in [&saved, &linked] {
        let jpeg = std::fs::read(data.join("posters").join(format!("{id}.jpg"))).unwrap();
        assert!(jpeg.starts_with(&[0xFF, 0xD8, 0xFF]), "a JPEG for {id}");
    }
    settle().await;
    driver.screenshot("gallery-light-en").await;

    // Hover plays that card, muted and looped; only the hovered one.
    driver.hover(&format!(".card[data-id='{saved}']")).await;
    let playing = |id: &str| {
        format!("const v = document.querySelector(`.card[data-id='{id}'] video`); return v !== null && !v.paused && v.muted && v.loop && v.currentTime > 0")
    };
    driver
        .wait_for("the hovered card plays", &playing(&saved), vec![])
        .await;
    driver.hover(&format!(".card[data-id='{linked}']")).await;
    driver
        .wait_for("the next card plays", &playing(&linked), vec![])
        .await;
    let videos_playing = driver
        .exec(
            "return document.querySelectorAll('.card video').length",
            vec![],
        )
        .await;
    assert_eq!(videos_playing, json!(1), "only the hovered card plays");

    // S on the focused card stars it; the starred filter keeps only it.
    driver
        .click(&format!(".card[data-id='{linked}'] .card-info"))
        .await;
    driver
        .type_into(&format!(".card[data-id='{linked}']"), "s")
        .await;
    driver
        .wait_for(
            "S to star the card",
            &format!("return document.querySelector(`.card[data-id='{linked}'] .star-toggle`)?.getAttribute('aria-pressed') === 'true'"),
            vec![],
        )
        .await;
    driver
        .exec("const s = document.getElementById('status-filter'); s.value = 'starred'; s.dispatchEvent(new Event('change'));", vec![])
        .await;
    driver
        .wait_for(
            "only the starred card",
            &format!("const cards = [...document.querySelectorAll('.card')].map((c) => c.dataset.id); return cards.length === 1 && cards[0] === '{linked}'"),
            vec![],
        )
        .await;
    driver
        .exec("const s = document.getElementById('status-filter'); s.value = 'all'; s.dispatchEvent(new Event('change'));", vec![])
        .await;
    // The kind filter offers the kinds the tasks have; the longest take sorts first.
    driver.click("#filters-button").await;
    let cards = "return [...document.querySelectorAll('.card')].map((c) => c.dataset.id).join(' ')";
    driver
        .exec("const s = document.getElementById('filter-action'); s.value = 'omniGenerate'; s.dispatchEvent(new Event('change'));", vec![])
        .await;
    assert_eq!(driver.exec(cards, vec![]).await, json!(linked));
    driver
        .exec("const s = document.getElementById('filter-action'); s.value = ''; s.dispatchEvent(new Event('change')); const o = document.getElementById('sort-order'); o.value = 'duration'; o.dispatchEvent(new Event('change'));", vec![])
        .await;
    let order = driver.exec(cards, vec![]).await;
    assert!(
        order.as_str().unwrap().starts_with(linked.as_str()),
        "{order}"
    );
    // Drag out: WebDriver cannot drive a system drag, so the command behind it is
    // called as the card's dragstart calls it. An unsaved take says what to do.
    let drag = |ids: Vec<&String>| {
        format!("return window.__TAURI_INTERNALS__.invoke('drag_out', {{ ids: {} }}).then((n) => ({{ ok: n }}), (e) => e)", json!(ids))
    };
    let refused = driver.exec_promise(&drag(vec![&saved, &linked])).await;
    assert_eq!(refused["code"], "not_saved", "{refused}");
    assert!(refused["message"]
        .as_str()
        .unwrap()
        .contains(linked.as_str()));
    let started = driver.exec_promise(&drag(vec![&saved])).await;
    eprintln!("drag of a saved take: {started}");
    driver.hover("#list-count").await;
    driver.click("#theme-button").await;
    settle().await;
    driver.screenshot("gallery-dark-en").await;
    driver.click("#lang-button").await;
    settle().await;
    // Cards already on screen are kept while they show the same: not in another language.
    let chips = driver
        .exec(
            "return [...document.querySelectorAll('.card .chip')].map((c) => c.textContent)",
            vec![],
        )
        .await;
    assert!(
        chips.as_array().is_some_and(|c| !c.is_empty()
            && c.iter()
                .all(|t| t.as_str().is_some_and(|t| !t.contains("Succeeded")))),
        "every card's status in Chinese: {chips}"
    );
    driver.screenshot("gallery-dark-zh").await;
    driver.click("#theme-button").await;
    settle().await;
    driver.screenshot("gallery-light-zh").await;
    driver.quit().await;

    // The view is remembered, and so are the posters: none is made again.
    let made = |id: &str| {
        std::fs::metadata(data.join("posters").join(format!("{id}.jpg")))
            .and_then(|m| m.modified())
            .unwrap()
    };
    let before = [made(&saved), made(&linked)];
    let driver = Driver::launch(APP, env(&fake, &data, Some(FAKE_KEY))).await;
    driver.ready().await;
    driver
        .wait_for(
            "the gallery again after a restart",
            &poster_loaded(&saved),
            vec![],
        )
        .await;
    // Making one takes well under a second here: long enough to see it happen.
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert_eq!(
        [made(&saved), made(&linked)],
        before,
        "a poster was made again"
    );
    driver.quit().await;
}

/// Waits (a minute: two videos decode at once on a loaded machine) until `script`
/// is truthy; else fails with the state of every video in Compare.
async fn wait_for_videos(driver: &Driver, what: &str, script: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let v = driver.exec(script, vec![]).await;
        if !matches!(v, serde_json::Value::Null | serde_json::Value::Bool(false)) {
            return;
        }
        if std::time::Instant::now() > deadline {
            let state = driver
                .exec("return { marks: ['compare-asked', 'compare-takes'].map((n) => performance.getEntriesByName(n).length), focus: document.activeElement?.id, button: document.getElementById('compare-button').outerHTML, open: document.getElementById('compare-dialog').open, panes: document.getElementById('compare-panes').innerText, toast: document.getElementById('toast').textContent, videos: [...document.querySelectorAll('#compare-panes video')].map((x) => ({ src: x.src, t: x.currentTime, seeking: x.seeking, ready: x.readyState, network: x.networkState, error: x.error && x.error.code, duration: x.duration })) }", vec![])
                .await;
            driver.screenshot("compare-timed-out").await;
            panic!("timed out waiting for {what}: {state}");
        }
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    }
}

/// Compare: `C` on two cards, then Compare: both play under one play/pause, a
/// seek moves both (within 0.1 s), the facts that differ are marked, and a star
/// given there is kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_takes_compare_side_by_side_in_sync() {
    if !e2e_available() {
        return;
    }
    let _window = WINDOW.lock().await;
    let fake = FakeAnyfast::start().await;
    let (a, b) = (task_id("e2ecomparea"), task_id("e2ecompareb"));
    fake.script(&a, vec![Reply::state("success-seed-example")]);
    fake.script(&b, vec![Reply::state("success-start-time-zero-video-edit")]);
    let data = temp_dir("e2e-compare");
    let driver = Driver::launch(APP, env(&fake, &data, Some(FAKE_KEY))).await;
    driver.ready().await;
    add(&driver, &format!("{a} {b}")).await;
    for id in [&a, &b] {
        chip_of(&driver, id, "Succeeded").await;
    }
    // Auto-save (on by default) brings both videos home first: Compare then plays the
    // saved copies, and no save event redraws the grid while the test types.
    for id in [&a, &b] {
        driver
            .wait_for(
                &format!("{id} saved by auto-save"),
                "return document.querySelector(`.task-row[data-id='${arguments[0]}'] .saved`) ? true : null",
                vec![json!(id)],
            )
            .await;
    }
    driver.click("#view-gallery").await;
    for id in [&a, &b] {
        driver
            .type_into(&format!(".card[data-id='{id}']"), "c")
            .await;
    }
    driver
        .wait_for(
            "the Compare button for two",
            "const b = document.getElementById('compare-button'); return !b.hidden && !b.disabled",
            vec![],
        )
        .await;
    driver.click("#compare-button").await;
    let both_ready = "const v = [...document.querySelectorAll('#compare-panes video')]; return v.length === 2 && v.every((x) => x.readyState >= 2 && x.duration > 3)";
    wait_for_videos(&driver, "both videos loaded", both_ready).await;
    let differs = driver
        .exec(
            "return [...document.querySelectorAll('#compare-panes dd.differs')].length",
            vec![],
        )
        .await;
    assert!(differs.as_u64().unwrap() >= 1, "the differences are marked");

    driver
        .exec("const s = document.getElementById('compare-scrubber'); s.value = '2'; s.dispatchEvent(new Event('input'));", vec![])
        .await;
    let in_step = |at: Option<f64>| {
        let near = at.map_or(String::new(), |s| {
            format!(" && t.every((x) => Math.abs(x - {s}) < 0.1)")
        });
        format!("const v = [...document.querySelectorAll('#compare-panes video')]; const t = v.map((x) => x.currentTime); return v.every((x) => !x.seeking) && Math.abs(t[0] - t[1]) < 0.1{near} && t.join(' ')")
    };
    wait_for_videos(&driver, "both at 2 s after the seek", &in_step(Some(2.0))).await;
    driver.click("#compare-play").await;
    driver
        .wait_for(
            "both playing",
            "const v = [...document.querySelectorAll('#compare-panes video')]; return v.every((x) => !x.paused && x.currentTime > 2.3)",
            vec![],
        )
        .await;
    let times = driver
        .wait_for("both in step while playing", &in_step(None), vec![])
        .await;
    settle().await;
    driver.screenshot("compare-light-en").await;
    driver.click("#compare-play").await;
    driver
        .wait_for(
            "one pause for both",
            "return [...document.querySelectorAll('#compare-panes video')].every((x) => x.paused)",
            vec![],
        )
        .await;
    driver
        .click(&format!(
            "#compare-panes .compare-pane[data-id='{b}'] .star-toggle"
        ))
        .await;
    driver
        .wait_for(
            "the star given in Compare",
            &format!("return document.querySelector(`.card[data-id='{b}'] .star-toggle`)?.getAttribute('aria-pressed') === 'true'"),
            vec![],
        )
        .await;
    assert!(!times.is_null());
    driver.click("#compare-close").await;
    driver.click("#theme-button").await;
    driver.click("#lang-button").await;
    driver.click("#compare-button").await;
    wait_for_videos(&driver, "both videos again", both_ready).await;
    settle().await;
    driver.screenshot("compare-dark-zh").await;
    driver.click("#compare-close").await;
    driver.quit().await;
}

/// A long history paints its newest screen from the rows the window was built
/// with, then every task arrives: the count is of all of them at once, and scrolling to the bottom
/// reaches the oldest task (it was not in the first call).
#[tokio::test]
async fn a_long_history_shows_its_newest_tasks_first_then_all_of_them() {
    if !e2e_available() {
        return;
    }
    let _window = WINDOW.lock().await;
    const TASKS: usize = 450;
    let fake = FakeAnyfast::start().await;
    let data = temp_dir("e2e-long-history");
    let now = paddock::timefmt::now_unix();
    {
        let store = paddock::tasks::TaskStore::open(&data).unwrap().store;
        for i in 0..TASKS {
            let id = task_id(&format!("long{i:05}"));
            let added = now - 10_000 + i as i64;
            let mut record = paddock::tasks::TaskRecord::new(&id, &fake.base_url, added);
            record.tracking = paddock::tasks::Tracking::Final;
            store.write_whole(&record).unwrap();
        }
    }
    let driver = Driver::launch(APP, env(&fake, &data, Some(FAKE_KEY))).await;
    driver.ready().await;
    let count = driver
        .exec(
            "return document.getElementById('list-count').textContent",
            vec![],
        )
        .await;
    assert_eq!(count, json!(format!("{TASKS} tasks")));
    // The page draws its own scrollbars (styles.css), and they take room. WebKitGTK's
    // overlay ones take none and fade out after every scroll, a fade that kept both
    // cores busy for seconds without a GPU.
    let gutter = driver
        .exec(
            "const s = document.getElementById('list-scroller'); return s.offsetWidth - s.clientWidth",
            vec![],
        )
        .await;
    assert!(
        gutter.as_i64().is_some_and(|w| w > 0),
        "an overlay scrollbar: {gutter}"
    );
    // The first call brought the newest 200; the rest came after.
    let phases = driver
        .exec(
            "return ['tasks-received', 'all-tasks-received'].map((n) => performance.getEntriesByName(n, 'mark').length)",
            vec![],
        )
        .await;
    assert_eq!(phases, json!([1, 1]), "both steps were taken");
    // The newest rows came with the page (desktop/first_screen.rs), not over IPC.
    let handed_over = driver
        .exec(
            "return sessionStorage.getItem('paddock.first-screen-taken')",
            vec![],
        )
        .await;
    assert_eq!(
        handed_over,
        json!("1"),
        "the page did not take the rows the window was built with"
    );
    let newest = task_id(&format!("long{:05}", TASKS - 1));
    let oldest = task_id("long00000");
    let first_row = driver
        .exec(
            "return document.querySelector('#task-list li')?.dataset.id ?? null",
            vec![],
        )
        .await;
    assert_eq!(first_row, json!(newest));
    driver
        .wait_for(
            "the oldest task at the bottom of the list",
            "const s = document.getElementById('list-scroller');
             s.scrollTop = s.scrollHeight;
             return document.querySelector(`#task-list li[data-id='${arguments[0]}']`) ? true : null;",
            vec![json!(oldest)],
        )
        .await;
    driver.quit().await;
}
