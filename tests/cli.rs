//! The `paddock` binary as a subprocess against the fake gateway: every command, exit
//! code and error path a script would meet.

mod support;

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use serde_json::Value;
use support::fake_anyfast::{sample_video, FakeAnyfast, Reply, FAKE_KEY};
use support::{stored_ids, task_id, temp_dir, CONTRACT_KEYS};
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_paddock");

fn cmd(fake: &FakeAnyfast, data: &Path, key: Option<&str>) -> Command {
    let mut c = Command::new(BIN);
    c.env("ANYFAST_BASE_URL", &fake.base_url)
        .env("PADDOCK_DATA_DIR", data)
        .env("PADDOCK_POLL_INTERVAL_MS", "100")
        // No Secret Service for these runs: the key comes from the environment or nowhere.
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/paddock-cli-test",
        )
        .env_remove("ANYFAST_API_KEY")
        .stdin(std::process::Stdio::null());
    if let Some(k) = key {
        c.env("ANYFAST_API_KEY", k);
    }
    c
}

async fn run(mut c: Command, args: &[&str]) -> Output {
    c.args(args).output().await.expect("run paddock")
}

async fn run_with_stdin(mut c: Command, args: &[&str], input: &str) -> Output {
    let mut child = c
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .await
        .unwrap();
    child.wait_with_output().await.unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn json_lines(o: &Output) -> Vec<Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[tokio::test]
async fn help_is_there_for_every_command() {
    for args in [
        vec!["--help"],
        vec!["query", "--help"],
        vec!["watch", "--help"],
        vec!["export", "--help"],
        vec!["key", "set", "--help"],
    ] {
        let o = std::process::Command::new(BIN)
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{args:?}");
        assert!(
            String::from_utf8_lossy(&o.stdout).contains("Usage"),
            "{args:?}"
        );
    }
    let o = std::process::Command::new(BIN)
        .arg("--version")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("paddock 0."));
    let o = std::process::Command::new(BIN)
        .arg("frobnicate")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "bad usage");
}

#[tokio::test]
async fn query_prints_a_readable_block() {
    let fake = FakeAnyfast::start().await;
    let id = task_id("cliquery");
    fake.script(&id, vec![Reply::state("success-seed-example")]);
    let data = temp_dir("cli-query");
    let o = run(cmd(&fake, &data, Some(FAKE_KEY)), &["query", &id]).await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with(&id), "{out}");
    assert!(
        out.contains("succeeded (SUCCESS)") && out.contains("一只猫在草地上奔跑"),
        "{out}"
    );
    assert!(stderr(&o).is_empty(), "nothing on stderr: {}", stderr(&o));
}

#[tokio::test]
async fn query_json_has_every_key_and_errors_as_objects_with_the_highest_code() {
    let fake = FakeAnyfast::start().await;
    let (ok, failed, missing) = (
        task_id("cliok"),
        task_id("clifailed"),
        task_id("climissing"),
    );
    fake.script(&ok, vec![Reply::state("in-progress")]);
    fake.script(&failed, vec![Reply::state("failure-data-inspection")]);
    let data = temp_dir("cli-json");
    let o = run(
        cmd(&fake, &data, Some(FAKE_KEY)),
        &["query", "--json", &ok, &failed, &missing],
    )
    .await;
    assert_eq!(code(&o), 4, "not found outranks a failed task");
    let lines = json_lines(&o);
    assert_eq!(lines.len(), 3, "every task is printed");
    for l in &lines {
        for k in CONTRACT_KEYS {
            assert!(l.get(k).is_some(), "missing {k} in {l}");
        }
    }
    assert_eq!(lines[0]["status"], "running");
    assert_eq!(lines[0]["progress"], 50);
    assert_eq!(lines[1]["status"], "failed");
    assert_eq!(lines[2]["error"]["code"], "not_found");
    assert_eq!(lines[2]["status"], Value::Null);
    assert_eq!(
        stderr(&o).lines().count(),
        1,
        "one line per error: {}",
        stderr(&o)
    );
}

#[tokio::test]
async fn a_failed_task_exits_1() {
    let fake = FakeAnyfast::start().await;
    let id = task_id("clifail1");
    fake.script(&id, vec![Reply::state("failure-timeout-stale-nested")]);
    let o = run(
        cmd(&fake, &temp_dir("cli-fail1"), Some(FAKE_KEY)),
        &["query", &id],
    )
    .await;
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).contains("任务超时"));
}

#[tokio::test]
async fn a_malformed_id_exits_2_before_any_request() {
    let fake = FakeAnyfast::start().await;
    let o = run(
        cmd(&fake, &temp_dir("cli-bad"), Some(FAKE_KEY)),
        &["query", "asyntask_../../etc"],
    )
    .await;
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("letters, digits"), "{}", stderr(&o));
    assert!(fake.log().is_empty());
}

#[tokio::test]
async fn a_wrong_or_missing_key_exits_3_and_never_prints_the_key() {
    let fake = FakeAnyfast::start().await;
    let id = task_id("clikey");
    fake.script(&id, vec![Reply::state("queued")]);
    let wrong = "sk-wrong-cli-key-00000000000000";
    let o = run(
        cmd(&fake, &temp_dir("cli-wrongkey"), Some(wrong)),
        &["query", &id],
    )
    .await;
    assert_eq!(code(&o), 3);
    assert!(stderr(&o).contains("rejected the API key") && stderr(&o).contains("无效的令牌"));
    assert!(!stderr(&o).contains(wrong) && !stdout(&o).contains(wrong));
    let o = run(cmd(&fake, &temp_dir("cli-nokey"), None), &["query", &id]).await;
    assert_eq!(code(&o), 3);
    assert!(
        stderr(&o).contains("ANYFAST_API_KEY"),
        "names the next step: {}",
        stderr(&o)
    );
}

#[tokio::test]
async fn a_bad_base_url_exits_5_or_2() {
    let fake = FakeAnyfast::start().await;
    let id = task_id("clibase");
    let mut c = cmd(&fake, &temp_dir("cli-base"), Some(FAKE_KEY));
    c.env("ANYFAST_BASE_URL", format!("{}/console", fake.base_url));
    let o = run(c, &["query", &id]).await;
    assert_eq!(code(&o), 5);
    assert!(stderr(&o).contains("does not look like an Anyfast gateway"));
    let mut c = cmd(&fake, &temp_dir("cli-base-http"), Some(FAKE_KEY));
    c.env("ANYFAST_BASE_URL", "http://gateway.example.com");
    let o = run(c, &["query", &id]).await;
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("unencrypted"), "{}", stderr(&o));
}

#[tokio::test]
async fn a_429_storm_exits_5_after_retries() {
    let fake = FakeAnyfast::start().await;
    let id = task_id("cli429");
    fake.script(
        &id,
        vec![Reply::error("error-429-upstream-saturated").retry_after(0)],
    );
    let o = run(
        cmd(&fake, &temp_dir("cli-429"), Some(FAKE_KEY)),
        &["query", "--json", &id],
    )
    .await;
    assert_eq!(code(&o), 5);
    assert_eq!(fake.requests_for(&id), 4);
    assert_eq!(json_lines(&o)[0]["error"]["code"], "rate_limited");
}

/// A log read from a pipe or a file (a terminal is the only place colours mean
/// anything) is plain text: no escape codes around the fields.
#[tokio::test]
async fn logs_into_a_pipe_are_plain_text() {
    let fake = FakeAnyfast::start().await;
    let id = task_id("clilog");
    fake.script(
        &id,
        vec![
            Reply::error("error-429-upstream-saturated").retry_after(0),
            Reply::state("success-seed-example"),
        ],
    );
    let mut c = cmd(&fake, &temp_dir("cli-log"), Some(FAKE_KEY));
    c.env("RUST_LOG", "paddock=debug").env_remove("NO_COLOR");
    let o = run(c, &["query", "--json", &id]).await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let log = stderr(&o);
    assert!(log.contains("transient fault, retrying"), "{log}");
    assert!(
        !log.contains('\u{1b}'),
        "escape codes in a piped log: {log:?}"
    );
}

#[tokio::test]
async fn add_list_and_export_share_one_history() {
    let fake = FakeAnyfast::start().await;
    let (a, b) = (task_id("cliaddA"), task_id("cliaddB"));
    fake.script(&a, vec![Reply::state("success-seed-example")]);
    fake.script(
        &b,
        Reply::states(&["in-progress", "failure-data-inspection"]),
    );
    let data = temp_dir("cli-history");
    let log = format!("2026-11-28 INFO submitted {a}\n{{\"task_id\":\"{b}\"}}\nnot an id\n{a}\n");
    let o = run_with_stdin(cmd(&fake, &data, Some(FAKE_KEY)), &["add"], &log).await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("2 added, 1 already tracked, 1 not task IDs"),
        "{}",
        stdout(&o)
    );
    let o = run(cmd(&fake, &data, Some(FAKE_KEY)), &["add", &a]).await;
    assert!(
        stdout(&o).starts_with("0 added, 1 already tracked"),
        "{}",
        stdout(&o)
    );

    let o = run(cmd(&fake, &data, Some(FAKE_KEY)), &["watch", "--json"]).await;
    assert_eq!(
        code(&o),
        1,
        "every unfinished task is watched; one fails: {}",
        stderr(&o)
    );
    let o = run(
        cmd(&fake, &data, Some(FAKE_KEY)),
        &["list", "--json", "--status", "succeeded"],
    )
    .await;
    let rows = json_lines(&o);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["id"], a.as_str());

    let out = data.join("export.csv");
    let o = run(
        cmd(&fake, &data, None),
        &["export", "--format", "csv", "-o", out.to_str().unwrap()],
    )
    .await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let csv = std::fs::read_to_string(&out).unwrap();
    assert!(
        csv.starts_with("\u{feff}id,status,raw_status"),
        "a header row after the BOM"
    );
    assert_eq!(csv.lines().count(), 3);
    assert!(csv.contains("一只猫在草地上奔跑") && csv.contains(&a) && csv.contains(&b));
    let o = run(cmd(&fake, &data, None), &["export", "--format", "json"]).await;
    let all: Vec<Value> = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(all.len(), 2);
    assert!(all
        .iter()
        .all(|t| t.get("video_expires_at").is_some() && t.get("saved_path").is_some()));
}

#[tokio::test]
async fn watch_follows_tasks_to_the_end_and_saves_videos() {
    let fake = FakeAnyfast::start().await;
    let (ok, bad) = (task_id("cliwatchok"), task_id("cliwatchbad"));
    fake.script(
        &ok,
        Reply::states(&["queued", "in-progress", "success-seed-example"]),
    );
    fake.script(
        &bad,
        Reply::states(&["in-progress", "failure-data-inspection"]),
    );
    let data = temp_dir("cli-watch");
    let saves = temp_dir("cli-watch-saves");
    let o = run(
        cmd(&fake, &data, Some(FAKE_KEY)),
        &["watch", &ok, &bad, "--save", saves.to_str().unwrap()],
    )
    .await;
    assert_eq!(code(&o), 1, "one task failed: {}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains(&format!("{ok}  queued")) && out.contains(&format!("{ok}  running 50%")),
        "{out}"
    );
    assert!(
        out.contains(&format!("{ok}  succeeded")) && out.contains(&format!("{bad}  failed")),
        "{out}"
    );
    let saved: Vec<_> = std::fs::read_dir(&saves)
        .unwrap()
        .filter_map(|e| e.ok())
        .collect();
    assert_eq!(saved.len(), 1);
    assert_eq!(std::fs::read(saved[0].path()).unwrap(), sample_video());
}

#[tokio::test]
async fn an_interrupted_watch_leaves_the_history_consistent() {
    let fake = FakeAnyfast::start().await;
    let id = task_id("clisigint");
    fake.script(&id, vec![Reply::state("in-progress")]);
    let data = temp_dir("cli-sigint");
    let mut c = cmd(&fake, &data, Some(FAKE_KEY));
    let child = c
        .args(["watch", &id])
        .kill_on_drop(true)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id().unwrap();
    while fake.requests_for(&id) < 3 {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    std::process::Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .unwrap();
    // One Ctrl+C is enough: a watch that missed it would run on forever.
    let o = tokio::time::timeout(Duration::from_secs(30), child.wait_with_output())
        .await
        .expect("the watch stopped at the first Ctrl+C")
        .unwrap();
    assert_eq!(code(&o), 130, "{}", stderr(&o));
    let o = run(cmd(&fake, &data, None), &["list", "--json"]).await;
    assert_eq!(code(&o), 0, "the history opens cleanly: {}", stderr(&o));
    let rows = json_lines(&o);
    assert_eq!(rows[0]["status"], "running");
    assert!(!stderr(&o).contains("could not be read"));
}

#[tokio::test]
async fn save_writes_the_video_and_a_read_only_folder_exits_1() {
    let fake = FakeAnyfast::start().await;
    let id = task_id("clisave");
    fake.script(&id, vec![Reply::state("success-seed-example")]);
    let data = temp_dir("cli-save");
    let dest = data.join("out.mp4");
    let o = run(
        cmd(&fake, &data, Some(FAKE_KEY)),
        &["save", &id, "-o", dest.to_str().unwrap()],
    )
    .await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(std::fs::read(&dest).unwrap(), sample_video());
    assert!(
        stderr(&o).is_empty(),
        "no progress bar when piped: {:?}",
        stderr(&o)
    );
    let o = run(cmd(&fake, &data, None), &["list", "--json"]).await;
    assert_eq!(json_lines(&o)[0]["saved_path"], dest.to_str().unwrap());

    // Without -o the video goes into the working directory, and the history keeps
    // its whole path: the window, started elsewhere, finds it there.
    let here = data.join("here");
    std::fs::create_dir_all(&here).unwrap();
    let mut in_here = cmd(&fake, &data, Some(FAKE_KEY));
    in_here.current_dir(&here);
    let o = run(in_here, &["save", &id]).await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let saved = std::fs::read_dir(&here)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let o = run(cmd(&fake, &data, None), &["list", "--json"]).await;
    assert_eq!(json_lines(&o)[0]["saved_path"], saved.to_str().unwrap());

    let blocked = Path::new("/sys/paddock-cli-test/out.mp4");
    let o = run(
        cmd(&fake, &data, Some(FAKE_KEY)),
        &["save", &id, "-o", blocked.to_str().unwrap()],
    )
    .await;
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("may not write"), "{}", stderr(&o));
    assert!(!blocked.exists());
}

#[tokio::test]
async fn the_key_commands_use_the_keyring_and_read_the_key_from_stdin() {
    if !support::keyring_available() {
        return;
    }
    let fake = FakeAnyfast::start().await;
    let id = task_id("clikeyring");
    fake.script(&id, vec![Reply::state("queued")]);
    let data = temp_dir("cli-keyring");
    let keyring_cmd = || {
        let mut c = cmd(&fake, &data, None);
        c.env_remove("DBUS_SESSION_BUS_ADDRESS");
        if let Some(bus) = std::env::var_os("DBUS_SESSION_BUS_ADDRESS") {
            c.env("DBUS_SESSION_BUS_ADDRESS", bus);
        }
        c
    };
    let o = run_with_stdin(keyring_cmd(), &["key", "set"], &format!("{FAKE_KEY}\n")).await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!stdout(&o).contains(FAKE_KEY));
    let o = run(keyring_cmd(), &["key", "status"]).await;
    assert!(
        stdout(&o).contains("stored in the system keyring (sk-…abcd)"),
        "{}",
        stdout(&o)
    );
    let o = run(keyring_cmd(), &["query", &id]).await;
    assert_eq!(code(&o), 0, "the stored key is used: {}", stderr(&o));
    let o = run(keyring_cmd(), &["key", "remove"]).await;
    assert_eq!(code(&o), 0);
    let o = run(keyring_cmd(), &["key", "status"]).await;
    assert_eq!(code(&o), 3);
    assert!(stdout(&o).contains("not set"));
    support::assert_key_not_on_disk(&data, FAKE_KEY);
}

/// Issue 13: this answer made `paddock query` panic with exit 101.
#[tokio::test]
async fn a_multibyte_oss_date_in_a_success_answer_is_read_not_a_crash() {
    let fake = FakeAnyfast::start().await;
    let id = task_id("climultibyte");
    let body = serde_json::json!({
        "code": "success",
        "message": "",
        "data": {
            "task_id": id,
            "status": "SUCCESS",
            "progress": "100%",
            "submit_time": 1_777_343_862,
            "finish_time": 1_777_343_961,
            "result_url": "https://videos.example-oss.aliyuncs.com/v/a.mp4?x-oss-date=1234567%C3%A9T12345Z&x-oss-expires=86400"
        }
    });
    fake.script(&id, vec![Reply::json(200, body)]);
    let data = temp_dir("cli-multibyte");
    let o = run(cmd(&fake, &data, Some(FAKE_KEY)), &["query", "--json", &id]).await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let line = &json_lines(&o)[0];
    assert_eq!(line["status"], "succeeded");
    // The stamp is unreadable, so the expiry is finish_time + 24 h.
    assert_eq!(line["video_expires_at"], "2026-04-29T02:39:21Z");
}

#[tokio::test]
async fn remove_takes_tasks_out_without_the_window() {
    let fake = FakeAnyfast::start().await;
    let (a, b) = (task_id("cliremoveA"), task_id("cliremoveB"));
    let data = temp_dir("cli-remove");
    let o = run(cmd(&fake, &data, None), &["add", &a, &b]).await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let missing = task_id("cliremovemissing");
    let o = run(
        cmd(&fake, &data, None),
        &["remove", &a, &missing, "not/an id"],
    )
    .await;
    assert_eq!(code(&o), 4, "an unknown ID is reported: {}", stderr(&o));
    assert!(stdout(&o).contains("1 removed"), "{}", stdout(&o));
    assert!(stderr(&o).contains("not in the history"), "{}", stderr(&o));
    assert!(stderr(&o).contains("not/an id"), "{}", stderr(&o));
    let o = run(cmd(&fake, &data, None), &["list", "--json"]).await;
    let ids: Vec<String> = json_lines(&o)
        .iter()
        .map(|l| l["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, std::slice::from_ref(&b));
    let o = run(cmd(&fake, &data, None), &["remove", &b]).await;
    assert_eq!(code(&o), 0);
}

#[tokio::test]
async fn save_refuses_an_existing_file_without_force_and_a_video_over_max_size() {
    let fake = FakeAnyfast::start().await;
    let id = task_id("clisaveforce");
    fake.script(&id, vec![Reply::state("success-seed-example")]);
    let data = temp_dir("cli-save-force");
    let dest = data.join("mine.mp4");
    std::fs::write(&dest, b"my own file").unwrap();
    let o = run(
        cmd(&fake, &data, Some(FAKE_KEY)),
        &["save", &id, "-o", dest.to_str().unwrap()],
    )
    .await;
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("already exists"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&dest).unwrap(), b"my own file");

    let o = run(
        cmd(&fake, &data, Some(FAKE_KEY)),
        &[
            "save",
            &id,
            "-o",
            dest.to_str().unwrap(),
            "--max-size",
            "1K",
            "--force",
        ],
    )
    .await;
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("larger than the limit"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read(&dest).unwrap(), b"my own file");

    let o = run(
        cmd(&fake, &data, Some(FAKE_KEY)),
        &["save", &id, "-o", dest.to_str().unwrap(), "--force"],
    )
    .await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(std::fs::read(&dest).unwrap(), sample_video());
    let o = run(
        cmd(&fake, &data, None),
        &["save", &id, "--max-size", "lots"],
    )
    .await;
    assert_eq!(code(&o), 2, "a bad size is a usage error");
}

/// `paddock list | head -1`: a reader that goes away is the end, not a panic.
#[tokio::test]
async fn a_closed_stdout_ends_the_command_quietly() {
    let fake = FakeAnyfast::start().await;
    let data = temp_dir("cli-pipe");
    let ids: Vec<String> = (0..400).map(|i| task_id(&format!("clipipe{i}"))).collect();
    let o = run_with_stdin(cmd(&fake, &data, None), &["add"], &ids.join("\n")).await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let mut child = cmd(&fake, &data, None)
        .args(["list", "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Read nothing and close the pipe at once.
    drop(child.stdout.take());
    let out = child.wait_with_output().await.unwrap();
    assert!(
        !stderr(&out).contains("panicked"),
        "no panic on a closed pipe: {}",
        stderr(&out)
    );
    assert_eq!(code(&out), 141, "what a shell reports for a closed pipe");
}

/// The window (a live tracker) and the CLI on one history: rows the CLI adds are
/// never lost, rows it removes never come back, while the tracker keeps writing.
#[tokio::test]
async fn cli_add_and_remove_beside_a_live_tracker_lose_and_resurrect_nothing() {
    use paddock::gateway::ApiKey;
    use paddock::gateway::{AnyfastClient, BaseUrl, ClientConfig};
    use paddock::keys::KeyStore;
    use paddock::tasks::TaskStore;
    use paddock::tasks::{NoEvents, PollConfig, Tracker};
    use std::sync::Arc;
    use support::memory_keyring::MemoryKeyring;

    let fake = FakeAnyfast::start().await;
    let data = temp_dir("cli-live-tracker");
    let base = BaseUrl::parse(&fake.base_url).unwrap();
    let keys = KeyStore::new(Arc::new(MemoryKeyring::default()), None);
    keys.set(&base, ApiKey::new(FAKE_KEY).unwrap())
        .await
        .unwrap();
    let watched: Vec<String> = (0..3)
        .map(|i| task_id(&format!("clilivewatched{i}")))
        .collect();
    for id in &watched {
        fake.script(id, vec![Reply::state("in-progress")]);
    }
    let store = Arc::new(TaskStore::open(&data).unwrap().store);
    let config = PollConfig {
        interval: Duration::from_millis(50),
        max_backoff: Duration::from_millis(200),
        per_minute: 100_000,
        ..PollConfig::default()
    };
    let client = AnyfastClient::new(ClientConfig::default());
    let tracker = Tracker::new(store, client, keys, Arc::new(NoEvents), config).unwrap();
    let poller = tokio::spawn(tracker.clone().run());
    tracker.add_text(watched.join("\n"), &base).await.unwrap();

    let added: Vec<String> = (0..5)
        .map(|i| task_id(&format!("cliliveadded{i}")))
        .collect();
    for (i, id) in added.iter().enumerate() {
        let o = run(cmd(&fake, &data, None), &["add", id]).await;
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        if i < 2 {
            let o = run(cmd(&fake, &data, None), &["remove", &watched[i]]).await;
            assert_eq!(code(&o), 0, "{}", stderr(&o));
        }
    }
    let o = run(cmd(&fake, &data, None), &["remove", &added[0]]).await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // Several more poll rounds of the tracker, writing its answers.
    tokio::time::sleep(Duration::from_millis(600)).await;
    poller.abort();
    let stored = stored_ids(&data);
    let mut expected: Vec<String> = added[1..].to_vec();
    expected.push(watched[2].clone());
    expected.sort();
    assert_eq!(stored, expected);
    assert!(
        fake.requests_for(&watched[2]) >= 3,
        "the tracker kept polling"
    );
}

#[tokio::test]
async fn create_prints_the_new_task_and_the_history_keeps_its_request() {
    let fake = FakeAnyfast::start().await;
    let data = temp_dir("cli-create");
    let o = run(
        cmd(&fake, &data, Some(FAKE_KEY)),
        &[
            "create",
            "--prompt",
            "A cat running",
            "--resolution",
            "720P",
            "--duration",
            "4",
            "--seed",
            "7",
            "--no-watermark",
        ],
    )
    .await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let id = stdout(&o).trim().to_owned();
    assert_eq!(fake.created_ids(), std::slice::from_ref(&id));
    assert_eq!(
        fake.created()[0],
        serde_json::json!({"model": "happyhorse-1.0-t2v", "prompt": "A cat running", "resolution": "720P", "duration": 4, "watermark": false, "seed": 7})
    );
    let o = run(cmd(&fake, &data, None), &["list", "--json"]).await;
    let line = &json_lines(&o)[0];
    assert_eq!(line["id"], id.as_str());
    assert_eq!(line["model"], "t2v");
    assert_eq!(line["request"]["seed"], 7);
    assert!(
        !stdout(&o).contains(FAKE_KEY),
        "the key is never in the stored request"
    );
}

#[tokio::test]
async fn create_exit_codes_refused_6_unknown_7_usage_2() {
    use support::fake_anyfast::CreateOutcome;
    let fake = FakeAnyfast::start().await;
    let data = temp_dir("cli-create-codes");
    fake.next_create(CreateOutcome::Refuse(Reply::json(
        403,
        serde_json::json!({"code": "insufficient_user_quota", "message": "用户额度不足", "data": null}),
    )));
    let o = run(
        cmd(&fake, &data, Some(FAKE_KEY)),
        &["create", "--prompt", "a cat"],
    )
    .await;
    assert_eq!(code(&o), 6, "{}", stderr(&o));
    assert!(stderr(&o).contains("用户额度不足"), "{}", stderr(&o));

    fake.next_create(CreateOutcome::DropAfterCreating);
    let o = run(
        cmd(&fake, &data, Some(FAKE_KEY)),
        &["create", "--prompt", "a cat"],
    )
    .await;
    assert_eq!(code(&o), 7, "{}", stderr(&o));
    assert!(stderr(&o).contains("Outcome unknown"), "{}", stderr(&o));
    assert_eq!(fake.created().len(), 2, "one POST each time, none repeated");

    let o = run(
        cmd(&fake, &data, Some(FAKE_KEY)),
        &["create", "--prompt", "a cat", "--duration", "20"],
    )
    .await;
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let o = run(
        cmd(&fake, &data, Some(FAKE_KEY)),
        &["create", "--model", "i2v", "--prompt", "a cat"],
    )
    .await;
    assert_eq!(code(&o), 2, "i2v without its image: {}", stderr(&o));
    let o = run(
        cmd(&fake, &data, Some(FAKE_KEY)),
        &["create", "--prompt", "a cat", "--count", "21", "--yes"],
    )
    .await;
    assert_eq!(code(&o), 2, "--count is capped: {}", stderr(&o));
    let many = data.join("many.txt");
    std::fs::write(&many, "a cat\n".repeat(101)).unwrap();
    let o = run(
        cmd(&fake, &data, Some(FAKE_KEY)),
        &["create", "--prompt-file", many.to_str().unwrap(), "--yes"],
    )
    .await;
    assert_eq!(code(&o), 2, "101 tasks in one run: {}", stderr(&o));
    assert!(stderr(&o).contains("at most 100"), "{}", stderr(&o));
    assert_eq!(fake.created().len(), 2, "nothing sent for a usage error");
}

#[tokio::test]
async fn a_batch_asks_first_and_counts_its_seeds() {
    let fake = FakeAnyfast::start().await;
    let data = temp_dir("cli-create-batch");
    let prompts = data.join("prompts.txt");
    std::fs::write(&prompts, "a cat\n\na dog\n").unwrap();
    let args = [
        "create",
        "--prompt-file",
        prompts.to_str().unwrap(),
        "--count",
        "2",
        "--seed",
        "10",
        "--resolution",
        "720P",
    ];
    let o = run(cmd(&fake, &data, Some(FAKE_KEY)), &args).await;
    assert_eq!(code(&o), 2, "no one to ask: --yes is needed");
    assert!(
        stderr(&o).contains("4 tasks, 20 s billed at 720P"),
        "{}",
        stderr(&o)
    );
    assert!(fake.created().is_empty());
    let mut yes = args.to_vec();
    yes.push("--yes");
    let o = run(cmd(&fake, &data, Some(FAKE_KEY)), &yes).await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let sent = fake.created();
    let seeds: Vec<_> = sent
        .iter()
        .map(|b| {
            (
                b["prompt"].as_str().unwrap().to_owned(),
                b["seed"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seeds,
        [
            ("a cat".into(), 10),
            ("a cat".into(), 11),
            ("a dog".into(), 10),
            ("a dog".into(), 11)
        ]
    );
}

#[tokio::test]
async fn create_wait_follows_the_task_to_its_video_and_balance_says_what_it_knows() {
    let fake = FakeAnyfast::start().await;
    let data = temp_dir("cli-create-wait");
    let videos = data.join("videos");
    let o = run(
        cmd(&fake, &data, Some(FAKE_KEY)),
        &[
            "create",
            "--prompt",
            "a cat",
            "--save",
            videos.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let saved: Vec<_> = std::fs::read_dir(&videos)
        .unwrap_or_else(|e| panic!("{e}: {} / {}", stdout(&o), stderr(&o)))
        .collect();
    assert_eq!(saved.len(), 1);
    let o = run(cmd(&fake, &data, Some(FAKE_KEY)), &["balance"]).await;
    assert_eq!(
        (code(&o), stdout(&o).trim()),
        (0, "this gateway does not tell the balance")
    );
    fake.set_balance(Some(serde_json::json!({"code": true, "data": {"total_available": 3750000, "total_used": 1250000}})));
    let o = run(cmd(&fake, &data, Some(FAKE_KEY)), &["balance"]).await;
    assert!(stdout(&o).contains("$7.50"), "{}", stdout(&o));
}

/// Stars and tags round-trip through the history: each command is its own process.
#[tokio::test]
async fn stars_and_tags_are_kept_and_filter_the_list() {
    let fake = FakeAnyfast::start().await;
    let data = temp_dir("cli-marks");
    let (a, b) = (task_id("marksa"), task_id("marksb"));
    let o = run(cmd(&fake, &data, None), &["add", &a, &b]).await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = run(cmd(&fake, &data, None), &["star", &a]).await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = run(
        cmd(&fake, &data, None),
        &["tag", &a, "  best   take ", "猫 🐴", "draft"],
    )
    .await;
    assert_eq!(stdout(&o), "best take\n猫 🐴\ndraft\n", "{}", stderr(&o));
    let o = run(cmd(&fake, &data, None), &["tag", &a, "--remove", "DRAFT"]).await;
    assert_eq!(stdout(&o), "best take\n猫 🐴\n", "{}", stderr(&o));

    let o = run(cmd(&fake, &data, None), &["list", "--json"]).await;
    let rows = json_lines(&o);
    let row_a = rows.iter().find(|r| r["id"] == a.as_str()).unwrap();
    let row_b = rows.iter().find(|r| r["id"] == b.as_str()).unwrap();
    assert_eq!(row_a["starred"], true);
    assert_eq!(row_a["tags"], serde_json::json!(["best take", "猫 🐴"]));
    assert_eq!(
        (row_b["starred"].clone(), row_b["tags"].clone()),
        (false.into(), serde_json::json!([]))
    );
    for filter in [
        &["--starred"][..],
        &["--tag", "BEST TAKE"][..],
        &["--tag", "猫 🐴"][..],
    ] {
        let mut args = vec!["list", "--json"];
        args.extend_from_slice(filter);
        let ids: Vec<_> = json_lines(&run(cmd(&fake, &data, None), &args).await)
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(ids, std::slice::from_ref(&a), "{filter:?}");
    }

    // One unknown and one malformed ID are reported; the good one is still marked.
    let unknown = task_id("marksunknown");
    let o = run(cmd(&fake, &data, None), &["star", &b, &unknown]).await;
    assert_eq!(code(&o), 4, "{}", stderr(&o));
    assert!(stderr(&o).contains("not in the history"), "{}", stderr(&o));
    let o = run(cmd(&fake, &data, None), &["unstar", &a, "asyntask_../x"]).await;
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let starred = json_lines(&run(cmd(&fake, &data, None), &["list", "--json", "--starred"]).await);
    assert_eq!(starred.len(), 1);
    assert_eq!(starred[0]["id"], b.as_str());

    let long = "x".repeat(41);
    let o = run(cmd(&fake, &data, None), &["tag", &b, &long]).await;
    assert_eq!(
        code(&o),
        2,
        "a tag is at most 40 characters: {}",
        stderr(&o)
    );
    let o = run(cmd(&fake, &data, None), &["tag", &b, "a\u{7}b"]).await;
    assert_eq!(code(&o), 2, "{}", stderr(&o));
}

/// `paddock usage`: billed seconds of succeeded tasks by local day and tier, failed
/// ones counted apart; the day follows the system's zone (TZ).
#[tokio::test]
async fn usage_sums_billed_seconds_by_local_day() {
    let fake = FakeAnyfast::start().await;
    let data = temp_dir("cli-usage");
    let (ok, edit, failed, running) = (
        task_id("usageok"),
        task_id("usageedit"),
        task_id("usagefailed"),
        task_id("usagerunning"),
    );
    fake.script(&ok, vec![Reply::state("success-seed-example")]);
    fake.script(
        &edit,
        vec![Reply::state("success-start-time-zero-video-edit")],
    );
    fake.script(&failed, vec![Reply::state("failure-data-inspection")]);
    // Under a loaded machine one watch may end with a task still waiting out a
    // passing fault; watching again finishes it (the sums are what is tested).
    for _ in 0..5 {
        let o = run(
            cmd(&fake, &data, Some(FAKE_KEY)),
            &["watch", &ok, &edit, &failed],
        )
        .await;
        assert!(code(&o) <= 5, "{}", stderr(&o));
        let rows = json_lines(&run(cmd(&fake, &data, None), &["list", "--json"]).await);
        let failed_too = rows
            .iter()
            .any(|r| r["id"] == failed.as_str() && r["status"] == "failed");
        if rows.iter().filter(|r| r["status"] == "succeeded").count() == 2 && failed_too {
            break;
        }
        eprintln!("watching again: {}", stderr(&o));
    }
    fake.script(&running, vec![Reply::state("in-progress")]);
    let o = run(cmd(&fake, &data, Some(FAKE_KEY)), &["add", &running]).await;
    assert_eq!(code(&o), 0);

    let usage = |tz: &'static str, args: &'static [&'static str]| {
        let mut c = cmd(&fake, &data, None);
        c.env("TZ", tz);
        async move { run(c, args).await }
    };
    // The fake's times follow the clock: the local day is checked against `date`,
    // in two zones 25 hours apart, so the days always differ.
    let listed = json_lines(&run(cmd(&fake, &data, None), &["list", "--json"]).await);
    let finished = listed
        .iter()
        .find(|r| r["id"] == ok.as_str())
        .and_then(|r| r["finished_at"].as_str())
        .unwrap()
        .to_owned();
    let mut days = Vec::new();
    for tz in ["ABC+12", "ABC-13"] {
        let o = usage(tz, &["usage", "--json"]).await;
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let v: Value = serde_json::from_str(stdout(&o).trim()).unwrap();
        assert_eq!(
            v["total"],
            serde_json::json!({"720P": {"tasks": 2, "seconds": 18.24}, "1080P": {"tasks": 0, "seconds": 0.0}, "failed": 1}),
            "{v}"
        );
        assert_eq!(v["days"].as_array().unwrap().len(), 1, "{v}");
        let expected = std::process::Command::new("date")
            .env("TZ", tz)
            .args(["-d", &finished, "+%F"])
            .output()
            .unwrap();
        let expected = String::from_utf8_lossy(&expected.stdout).trim().to_owned();
        assert_eq!(v["days"][0]["date"], expected.as_str(), "{tz}: {v}");
        days.push(expected);
    }
    assert_ne!(days[0], days[1]);
    let o = usage("ABC-13", &["usage", "--since", "2999-01-01", "--json"]).await;
    let v: Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(v["total"]["720P"]["tasks"], 0, "{v}");
    let o = usage("ABC-13", &["usage"]).await;
    assert!(
        stdout(&o).contains(&days[1]) && stdout(&o).contains("18.24"),
        "{}",
        stdout(&o)
    );
    let o = usage("UTC", &["usage", "--since", "yesterday"]).await;
    assert_eq!(code(&o), 2, "{}", stderr(&o));
}
