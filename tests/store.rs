//! The SQLite history: damaged files, kill -9 in the middle of writing, migrations.

mod support;

use std::process::Command;
use std::time::Duration;

use paddock::tasks::{StoredAnswer, TaskRecord, TaskStore, Tracking};
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
    r.raw = StoredAnswer::from_value(
        &json!({"code": "success", "data": {"status": "SUCCESS", "task_id": r.id}}),
    );
    r.saved_path = Some("/videos/a.mp4".into());
    r.unseen = true;
    r.checked_at = Some(1_700_000_100);
    store.write_whole(&r).unwrap();
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
        r.raw = StoredAnswer::from_value(
            &json!({"code": "success", "data": {"status": "IN_PROGRESS", "progress": format!("{}%", i % 100)}}),
        );
        store.insert_new(std::slice::from_ref(&r)).unwrap();
        store.write_whole(&r).unwrap();
    }
}

/// A history another program holds a write lock on is not damaged: opening says
/// so, and nothing is renamed.
#[test]
fn a_locked_history_is_an_error_that_says_so_and_renames_nothing() {
    let dir = temp_dir("store-locked");
    drop(TaskStore::open(&dir).unwrap());
    let holder = rusqlite::Connection::open(dir.join("history.sqlite3")).unwrap();
    // Out of WAL mode, an exclusive lock keeps readers out too, as a backup tool would.
    holder
        .execute_batch("PRAGMA journal_mode=DELETE; BEGIN EXCLUSIVE;")
        .unwrap();
    let err = match TaskStore::open(&dir) {
        Ok(_) => panic!("opened a database another program has locked"),
        Err(e) => e,
    };
    assert!(err.to_string().contains("locked"), "{err}");
    holder.execute_batch("COMMIT;").unwrap();
    support::assert_nothing_moved_aside(&dir);
    TaskStore::open(&dir).expect("opens once the lock is gone");
}

/// A history folder that cannot be created is an error naming the folder.
#[test]
fn a_missing_unwritable_folder_is_a_clear_error() {
    let err = match TaskStore::open(std::path::Path::new("/proc/paddock-no-such/data")) {
        Ok(_) => panic!("opened a history under /proc"),
        Err(e) => e,
    };
    assert!(
        err.to_string().contains("/proc/paddock-no-such/data"),
        "{err}"
    );
}

/// The data folder holds prompts and live video links: this user's only.
#[cfg(unix)]
#[test]
fn the_history_and_its_folder_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir("store-private").join("data");
    drop(TaskStore::open(&dir).unwrap());
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&dir.join("history.sqlite3")), 0o600);
}

/// A row with the wrong type in a column (written by hand, or by a broken tool) is
/// read as far as it makes sense; a row without a usable ID is skipped; the rest of
/// the history loads.
#[test]
fn rows_with_wrong_types_do_not_cost_the_whole_history() {
    let dir = temp_dir("store-wrong-types");
    drop(TaskStore::open(&dir).unwrap());
    let conn = rusqlite::Connection::open(dir.join("history.sqlite3")).unwrap();
    let good = task_id("wrongtypesgood");
    let odd = task_id("wrongtypesodd");
    conn.execute(
        "INSERT INTO tasks (id, base_url, added_at, tracking) VALUES (?1, 'https://gw.example.com', 5, 'active')",
        [&good],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO tasks (id, base_url, added_at, tracking, raw_json, saved_path, checked_at) VALUES (?1, 'https://gw.example.com', 'yesterday', 7, x'00ff', x'01', 'soon')",
        [&odd],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO tasks (id, base_url, added_at) VALUES ('../../etc/passwd', 'x', 1)",
        [],
    )
    .unwrap();
    drop(conn);
    let mut expected = vec![good, odd];
    expected.sort();
    assert_eq!(support::stored_ids(&dir), expected);
}

/// The last answer is kept as the text that was written: it reads back the same and
/// gives the same snapshot. A stored answer that is not JSON (cut short, or text
/// after it) reads as no answer, and the task is still there.
#[test]
fn stored_answers_read_back_as_written_and_broken_ones_as_none() {
    let dir = temp_dir("store-answers");
    let store = TaskStore::open(&dir).unwrap().store;
    let good = task_id("answersgood");
    let mut r = TaskRecord::new(&good, "https://gw.example.com", 1);
    let answer = json!({"code": "success", "data": {"status": "SUCCESS", "task_id": good, "progress": "100%", "prompt": "一只猫 \u{2028} \"quoted\""}});
    r.raw = StoredAnswer::from_value(&answer);
    store.insert_new(std::slice::from_ref(&r)).unwrap();
    store.write_whole(&r).unwrap();
    drop(store);
    let conn = rusqlite::Connection::open(dir.join("history.sqlite3")).unwrap();
    let broken = [
        (
            task_id("answerscut"),
            r#"{"code":"success","data":{"status":"SUCC"#,
        ),
        (task_id("answerstail"), r#"{"code":"success"} and more"#),
    ];
    for (i, (id, text)) in broken.iter().enumerate() {
        conn.execute(
            "INSERT INTO tasks (id, base_url, added_at, tracking, raw_json) VALUES (?1, 'https://gw.example.com', ?2, 'final', ?3)",
            rusqlite::params![id, 2 + i as i64, text],
        )
        .unwrap();
    }
    drop(conn);
    let records = TaskStore::open(&dir).unwrap().store.load_all().unwrap();
    assert_eq!(records.len(), 3, "every task is still there");
    let read = records.iter().find(|x| x.id == good).unwrap();
    assert_eq!(read.raw, r.raw, "the answer reads back as written");
    assert_eq!(read.raw.as_ref().and_then(|a| a.to_value()), Some(answer));
    assert_eq!(read.snapshot(), r.snapshot());
    assert!(read.snapshot().is_some());
    for (id, _) in &broken {
        let record = records.iter().find(|x| &x.id == id).unwrap();
        assert!(record.raw.is_none(), "{id}: a broken answer reads as none");
        assert!(record.snapshot().is_none());
    }
}

/// The panel's prompt history: prompts of tasks created here, newest first, each
/// once, filtered by what is typed.
#[test]
fn recent_prompts_come_newest_first_once_each() {
    use paddock::tasks::CreatedHere;
    let dir = temp_dir("store-prompts");
    let store = TaskStore::open(&dir).unwrap().store;
    let made = |label: &str, at: i64, prompt: &str| {
        let mut r = TaskRecord::new(&task_id(label), "https://gw.example.com", at);
        r.created = Some(CreatedHere {
            model: "t2v".into(),
            request: json!({"model": "happyhorse-1.0-t2v", "prompt": prompt}),
            sent_at: at,
        });
        r
    };
    store
        .insert_new(&[
            made("p1", 1, "A cat running"),
            made("p2", 2, "A dog barking"),
            made("p3", 3, "A cat running"),
            TaskRecord::new(&task_id("pasted"), "https://gw.example.com", 4),
        ])
        .unwrap();
    assert_eq!(
        store.recent_prompts("", 20).unwrap(),
        ["A cat running", "A dog barking"]
    );
    assert_eq!(store.recent_prompts("DOG", 20).unwrap(), ["A dog barking"]);
    assert_eq!(store.recent_prompts("", 1).unwrap(), ["A cat running"]);
}

/// A history from 0.1.0 (version 1: no created_json, no stars, no tags) opens,
/// keeps its rows, and takes stars and tags; garbage in the tags column is dropped.
#[test]
fn a_version_1_history_gains_stars_and_tags() {
    use paddock::tasks::Change;
    let dir = temp_dir("store-v1");
    let old = task_id("versiononeold");
    {
        let conn = rusqlite::Connection::open(dir.join("history.sqlite3")).unwrap();
        conn.execute_batch(
            "CREATE TABLE tasks (id TEXT PRIMARY KEY NOT NULL, base_url TEXT NOT NULL,
               added_at INTEGER NOT NULL, tracking TEXT NOT NULL DEFAULT 'active', raw_json TEXT,
               error_json TEXT, checked_at INTEGER, saved_path TEXT, unseen INTEGER NOT NULL DEFAULT 0);
             PRAGMA user_version = 1;",
        )
        .unwrap();
        conn.execute(
            "INSERT INTO tasks (id, base_url, added_at) VALUES (?1, 'https://gw.example.com', 3)",
            [&old],
        )
        .unwrap();
    }
    let store = TaskStore::open(&dir).unwrap().store;
    let loaded = store.load_all().unwrap();
    assert_eq!(loaded.len(), 1);
    assert!(!loaded[0].starred && loaded[0].tags.is_empty());
    let tags = vec!["best take".to_owned(), "猫".to_owned()];
    assert!(store
        .update(&old, &[Change::Starred(true), Change::Tags(tags.clone())])
        .unwrap());
    drop(store);
    let again = TaskStore::open(&dir).unwrap().store.load_all().unwrap();
    assert!(again[0].starred);
    assert_eq!(again[0].tags, tags);

    let conn = rusqlite::Connection::open(dir.join("history.sqlite3")).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 3);
    conn.execute(
        "UPDATE tasks SET tags_json = '[\"ok\", 7, \"bad\\u0001tag\", {\"x\": 1}]', starred = 'yes'",
        [],
    )
    .unwrap();
    drop(conn);
    let odd = TaskStore::open(&dir).unwrap().store.load_all().unwrap();
    assert_eq!(odd[0].tags, ["ok"]);
    assert!(!odd[0].starred, "a star that is not a number is no star");
}
