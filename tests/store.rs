//! The SQLite history: damaged files, kill -9 in the middle of writing, migrations.

mod support;

use std::process::Command;
use std::time::Duration;

use paddock::store::{TaskRecord, TaskStore, Tracking};
use serde_json::json;
use support::{task_id, temp_dir};

#[test]
fn a_damaged_database_is_moved_aside_and_a_new_one_started() {
    let dir = temp_dir("store-corrupt");
    std::fs::write(
        dir.join("history.sqlite3"),
        b"this is not an sqlite database, it is junk left by a crash".repeat(100),
    )
    .unwrap();
    let opened = TaskStore::open(&dir).expect("the app still opens");
    let notice = opened.notice.expect("the user is told");
    assert!(notice.contains("could not be read"), "{notice}");
    let kept: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("history.sqlite3.corrupt-"))
        .collect();
    assert_eq!(
        kept.len(),
        1,
        "the damaged file is kept, not dropped: {kept:?}"
    );
    let store = opened.store;
    store
        .insert_new(&[TaskRecord::new(
            &task_id("fresh"),
            "https://gw.example.com",
            1,
        )])
        .unwrap();
    assert_eq!(store.load_all().unwrap().len(), 1);
}

#[test]
fn records_round_trip_with_every_field() {
    let dir = temp_dir("store-roundtrip");
    let store = TaskStore::open(&dir).unwrap().store;
    let mut r = TaskRecord::new(
        &task_id("roundtrip"),
        "https://gw.example.com",
        1_700_000_000,
    );
    store.insert_new(std::slice::from_ref(&r)).unwrap();
    r.tracking = Tracking::Final;
    r.raw = Some(json!({"code": "success", "data": {"status": "SUCCESS", "task_id": r.id}}));
    r.saved_path = Some("/videos/a.mp4".into());
    r.unseen = true;
    r.checked_at = Some(1_700_000_100);
    store.update(&r).unwrap();
    drop(store);
    let again = TaskStore::open(&dir).unwrap().store.load_all().unwrap();
    assert_eq!(again, vec![r]);
}

#[test]
fn kill_9_while_writing_keeps_the_database_readable() {
    let dir = temp_dir("store-kill9");
    TaskStore::open(&dir).unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut child = Command::new(exe)
        .args([
            "--ignored",
            "--exact",
            "child_writes_forever",
            "--nocapture",
        ])
        .env("CHILD_DIR", &dir)
        .spawn()
        .unwrap();
    // Let it write for a while, then kill it without warning (SIGKILL on Unix).
    let store_path = dir.join("history.sqlite3");
    for _ in 0..100 {
        std::thread::sleep(Duration::from_millis(30));
        if TaskStore::open(&dir)
            .map(|o| o.store.load_all().map(|r| r.len()).unwrap_or(0))
            .unwrap_or(0)
            > 50
        {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(store_path.exists());
    let opened = TaskStore::open(&dir).unwrap();
    assert!(
        opened.notice.is_none(),
        "no damage after kill -9: {:?}",
        opened.notice
    );
    let rows = opened.store.load_all().unwrap();
    assert!(
        rows.len() > 50,
        "what was committed is still there ({} rows)",
        rows.len()
    );
    // Each write is its own transaction: at most the insert whose update was cut off
    // lacks its answer, exactly as the UI last showed it.
    let without_answer = rows.iter().filter(|r| r.raw.is_none()).count();
    assert!(
        without_answer <= 1,
        "{without_answer} rows lost their answer"
    );
}

#[test]
#[ignore = "run as a child process by kill_9_while_writing_keeps_the_database_readable"]
fn child_writes_forever() {
    let dir = std::path::PathBuf::from(std::env::var("CHILD_DIR").unwrap());
    let store = TaskStore::open(&dir).unwrap().store;
    for i in 0.. {
        let mut r = TaskRecord::new(&task_id(&format!("k{i}")), "https://gw.example.com", i);
        r.raw = Some(
            json!({"code": "success", "data": {"status": "IN_PROGRESS", "progress": format!("{}%", i % 100)}}),
        );
        store.insert_new(std::slice::from_ref(&r)).unwrap();
        store.update(&r).unwrap();
    }
}
