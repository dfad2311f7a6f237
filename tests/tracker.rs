//! The poller and the history against the fake gateway over loopback. Intervals are
//! scaled down (100-300 ms instead of 15 s) so each behaviour shows in about a second;
//! counts are checked with margins, never exact timings.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use paddock::gateway::ApiKey;
use paddock::gateway::{AnyfastClient, BaseUrl, ClientConfig, RetryPolicy};
use paddock::keys::KeyStore;
use paddock::tasks::{PollConfig, Tally, TaskEvents, TaskRow, Tracker};
use paddock::tasks::{StoredError, TaskRecord, TaskStore, Tracking};
use support::fake_anyfast::{FakeAnyfast, Reply, FAKE_KEY};
use support::memory_keyring::MemoryKeyring;
use support::{task_id, temp_dir};

#[derive(Default)]
struct Recorder {
    changed: Mutex<Vec<TaskRow>>,
    finished: Mutex<Vec<String>>,
    paused: Mutex<Vec<Option<String>>>,
}

impl TaskEvents for Recorder {
    fn changed(&self, rows: &[TaskRow]) {
        self.changed.lock().unwrap().extend_from_slice(rows);
    }
    fn removed(&self, _: &[String]) {}
    fn paused(&self, reason: Option<&StoredError>) {
        self.paused
            .lock()
            .unwrap()
            .push(reason.map(|r| r.code.clone()));
    }
    fn finished(&self, row: &TaskRow) {
        self.finished.lock().unwrap().push(row.id.clone());
    }
}

fn config(interval_ms: u64) -> PollConfig {
    PollConfig {
        interval: Duration::from_millis(interval_ms),
        jitter: 0.1,
        max_backoff: Duration::from_millis(interval_ms * 16),
        per_gateway: 4,
        per_minute: 100_000,
        lifetime_secs: 24 * 3600,
    }
}

fn client() -> AnyfastClient {
    AnyfastClient::new(ClientConfig {
        request_timeout: Duration::from_secs(5),
        retry: RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        },
        ..ClientConfig::default()
    })
}

struct Setup {
    fake: FakeAnyfast,
    /// The first tracker's poller, so a test can stop it (a "restart").
    poller: tokio::task::JoinHandle<()>,
    tracker: Tracker,
    events: Arc<Recorder>,
    base: BaseUrl,
    keys: KeyStore,
    dir: std::path::PathBuf,
}

async fn setup(name: &str, cfg: PollConfig) -> Setup {
    let fake = FakeAnyfast::start().await;
    let dir = temp_dir(name);
    let keys = KeyStore::new(Arc::new(MemoryKeyring::default()), None);
    let base = BaseUrl::parse(&fake.base_url).unwrap();
    keys.set(&base, ApiKey::new(FAKE_KEY).unwrap())
        .await
        .unwrap();
    let store = Arc::new(TaskStore::open(&dir).unwrap().store);
    let events = Arc::new(Recorder::default());
    let tracker = Tracker::new(store, client(), keys.clone(), events.clone(), cfg).unwrap();
    let poller = tokio::spawn(tracker.clone().run());
    Setup {
        fake,
        poller,
        tracker,
        events,
        base,
        keys,
        dir,
    }
}

async fn add(s: &Setup, ids: &[&str]) {
    let summary = s.tracker.add_text(ids.join("\n"), &s.base).await.unwrap();
    assert_eq!(summary.added, ids.len());
}

fn tracking(s: &Setup, id: &str) -> Tracking {
    s.tracker.detail(id).unwrap().row.tracking
}

async fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..200 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test]
async fn a_new_task_is_queried_at_once_then_every_interval() {
    let s = setup("interval", config(200)).await;
    let id = task_id("interval");
    s.fake.script(&id, vec![Reply::state("in-progress")]);
    add(&s, &[&id]).await;
    wait_until("the first query", || s.fake.requests_for(&id) == 1).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let n = s.fake.requests_for(&id);
    assert!(
        (5..=8).contains(&n),
        "about one query per 200 ms after the first, got {n}"
    );
}

#[tokio::test]
async fn polling_stops_on_success_and_reports_it_once() {
    let s = setup("success", config(100)).await;
    let id = task_id("success");
    s.fake.script(
        &id,
        Reply::states(&["queued", "in-progress", "success-seed-example"]),
    );
    add(&s, &[&id]).await;
    wait_until("success", || tracking(&s, &id) == Tracking::Final).await;
    let n = s.fake.requests_for(&id);
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        s.fake.requests_for(&id),
        n,
        "no query after the final state"
    );
    assert_eq!(n, 3);
    assert_eq!(*s.events.finished.lock().unwrap(), vec![id.clone()]);
    let row = s.tracker.detail(&id).unwrap().row;
    assert!(row.unseen, "the in-app mark");
    assert!(row.video_url.is_some());
}

#[tokio::test]
async fn polling_stops_on_failure_with_the_reason() {
    let s = setup("failure", config(100)).await;
    let id = task_id("failure");
    s.fake
        .script(&id, vec![Reply::state("failure-data-inspection")]);
    add(&s, &[&id]).await;
    wait_until("failure", || tracking(&s, &id) == Tracking::Final).await;
    let row = s.tracker.detail(&id).unwrap().row;
    assert!(row.fail_reason.unwrap().contains("DataInspectionFailed"));
}

#[tokio::test]
async fn an_unknown_task_is_marked_not_found_and_left_alone() {
    let s = setup("notfound", config(100)).await;
    let id = task_id("notfound");
    add(&s, &[&id]).await;
    wait_until("not found", || tracking(&s, &id) == Tracking::NotFound).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(s.fake.requests_for(&id), 1);
    assert_eq!(
        s.tracker.detail(&id).unwrap().row.error.unwrap().code,
        "not_found"
    );
}

#[tokio::test]
async fn a_rejected_key_pauses_everything_until_the_key_changes() {
    let s = setup("unauthorized", config(100)).await;
    let (a, b) = (task_id("unauthA"), task_id("unauthB"));
    s.fake.script(&a, vec![Reply::state("in-progress")]);
    s.fake.script(&b, vec![Reply::state("in-progress")]);
    s.fake.set_key("sk-rotated-key-000000000000000");
    add(&s, &[&a, &b]).await;
    wait_until("the pause", || s.tracker.paused().is_some()).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    let before = s.fake.requests_for(&a) + s.fake.requests_for(&b);
    assert!(
        before <= 2,
        "at most the first query of each task, got {before}"
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        s.fake.requests_for(&a) + s.fake.requests_for(&b),
        before,
        "no hammering with a bad key"
    );
    assert_eq!(s.tracker.paused().unwrap().code, "unauthorized");

    s.keys
        .set(
            &s.base,
            ApiKey::new("sk-rotated-key-000000000000000").unwrap(),
        )
        .await
        .unwrap();
    s.tracker.resume();
    wait_until("polling again", || {
        s.tracker.detail(&a).unwrap().row.status.is_some()
    })
    .await;
    assert!(s.tracker.paused().is_none());
    assert!(s
        .events
        .paused
        .lock()
        .unwrap()
        .contains(&Some("unauthorized".into())));
}

#[tokio::test]
async fn rate_limits_back_off_and_honour_retry_after() {
    let s = setup("ratelimit", config(100)).await;
    let id = task_id("ratelimit");
    s.fake.script(
        &id,
        vec![
            Reply::error("error-429-rpm").retry_after(1),
            Reply::state("in-progress"),
        ],
    );
    add(&s, &[&id]).await;
    wait_until("the 429", || s.fake.requests_for(&id) == 1).await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(
        s.fake.requests_for(&id),
        1,
        "Retry-After: 1 s is honoured over a 100 ms interval"
    );
    assert_eq!(
        s.tracker.detail(&id).unwrap().row.error.unwrap().code,
        "rate_limited"
    );
    wait_until("the retry", || s.fake.requests_for(&id) >= 2).await;
}

#[tokio::test]
async fn server_faults_back_off_exponentially() {
    let s = setup("backoff", config(50)).await;
    let id = task_id("backoff");
    s.fake.script(&id, vec![Reply::empty(502)]);
    add(&s, &[&id]).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let n = s.fake.requests_for(&id);
    // Without backoff: ~30 queries. With doubling from 50 ms: 50+100+200+400+800 ms.
    assert!((3..=7).contains(&n), "exponential backoff, got {n}");
    assert_eq!(
        tracking(&s, &id),
        Tracking::Active,
        "a server fault never ends tracking"
    );
}

#[tokio::test]
async fn at_most_per_gateway_queries_run_at_once() {
    let mut cfg = config(5000);
    cfg.per_gateway = 2;
    let s = setup("concurrency", cfg).await;
    let ids: Vec<String> = (0..8).map(|i| task_id(&format!("conc{i}"))).collect();
    for id in &ids {
        s.fake.script(
            id,
            vec![Reply::state("in-progress").delayed(Duration::from_millis(150))],
        );
    }
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    add(&s, &refs).await;
    wait_until("all answered", || {
        ids.iter()
            .all(|id| s.fake.requests_for(id) == 1 && !s.tracker.detail(id).unwrap().row.checking)
    })
    .await;
    assert_eq!(s.fake.max_in_flight(), 2);
}

#[tokio::test]
async fn a_task_older_than_a_day_is_given_up() {
    let s = setup("giveup", config(100)).await;
    let id = task_id("giveup");
    s.fake
        .script(&id, vec![Reply::state("in-progress").aged(25 * 3600)]);
    add(&s, &[&id]).await;
    wait_until("giving up", || tracking(&s, &id) == Tracking::GaveUp).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(s.fake.requests_for(&id), 1);
    assert_eq!(
        s.tracker.detail(&id).unwrap().row.error.unwrap().code,
        "gave_up"
    );
}

#[tokio::test]
async fn with_nothing_unfinished_the_poller_does_nothing() {
    let s = setup("idle", config(50)).await;
    let id = task_id("idle");
    s.fake
        .script(&id, vec![Reply::state("success-seed-example")]);
    add(&s, &[&id]).await;
    wait_until("final", || tracking(&s, &id) == Tracking::Final).await;
    // The row is final in memory before its answer is written and reported: count
    // the events once the final row has been reported.
    wait_until("the final row reported", || {
        s.events
            .changed
            .lock()
            .unwrap()
            .last()
            .is_some_and(|r| r.tracking == Tracking::Final)
    })
    .await;
    let queries = s.tracker.query_count();
    let events = s.events.changed.lock().unwrap().len();
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(s.tracker.query_count(), queries);
    assert_eq!(
        s.events.changed.lock().unwrap().len(),
        events,
        "no work, no events"
    );
    assert!(s
        .tracker
        .rows()
        .iter()
        .all(|r| r.tracking != Tracking::Active));
}

#[tokio::test]
async fn manual_refresh_asks_again_now() {
    let s = setup("refresh", config(60_000)).await;
    let id = task_id("refresh");
    s.fake.script(
        &id,
        vec![Reply::state("queued"), Reply::state("in-progress")],
    );
    add(&s, &[&id]).await;
    wait_until("the first answer", || {
        s.tracker.detail(&id).unwrap().row.status.is_some()
    })
    .await;
    s.tracker.refresh(&id);
    wait_until("the refresh", || s.fake.requests_for(&id) == 2).await;
}

#[tokio::test]
async fn pasting_reports_added_tracked_and_rejected() {
    let s = setup("paste", config(60_000)).await;
    let (a, b) = (task_id("pasteA"), task_id("pasteB"));
    add(&s, &[&a]).await;
    let text = format!("log {a} and {b}\nnot an id here\n{b}\nthis too is not one");
    let summary = s.tracker.add_text(text, &s.base).await.unwrap();
    assert_eq!(
        (summary.added, summary.already_tracked, summary.rejected),
        (1, 2, 2)
    );
    assert_eq!(
        s.tracker.detail(&b).unwrap().row.base_url,
        s.base.as_str(),
        "each task remembers its gateway"
    );
}

/// One task that succeeds and one that stays in progress, both answered once.
async fn one_done_one_running(s: &Setup, label: &str) -> (String, String) {
    let (done, running) = (
        task_id(&format!("{label}Done")),
        task_id(&format!("{label}Run")),
    );
    s.fake
        .script(&done, vec![Reply::state("success-seed-example")]);
    s.fake.script(&running, vec![Reply::state("in-progress")]);
    add(s, &[&done, &running]).await;
    wait_until("both answered", || {
        s.tracker.rows().iter().all(|r| r.status.is_some())
    })
    .await;
    (done, running)
}

/// A second tracker over the same history: the app started again.
fn reopen(s: &Setup) -> Tracker {
    let store = Arc::new(TaskStore::open(&s.dir).unwrap().store);
    Tracker::new(
        store,
        client(),
        s.keys.clone(),
        Arc::new(Recorder::default()),
        config(100),
    )
    .unwrap()
}

#[tokio::test]
async fn the_history_survives_a_restart_and_resumes_unfinished_tasks() {
    let s = setup("restart", config(100)).await;
    let (done, running) = one_done_one_running(&s, "restart").await;
    let before = s.tracker.rows();
    // The first app quits: its poller stops, and a query already sent lands.
    s.poller.abort();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let n = s.fake.requests_for(&running);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(s.fake.requests_for(&running), n, "the first poller is gone");

    let reopened = reopen(&s);
    let after = reopened.rows();
    assert_eq!(after.len(), 2);
    for (a, b) in before.iter().zip(&after) {
        assert_eq!(
            (&a.id, a.status, a.tracking, &a.video_url),
            (&b.id, b.status, b.tracking, &b.video_url)
        );
    }
    tokio::spawn(reopened.clone().run());
    wait_until("the unfinished task is polled again", || {
        s.fake.requests_for(&running) > n + 1
    })
    .await;
    assert_eq!(
        s.fake.requests_for(&done),
        1,
        "the finished one is not asked again"
    );
}

/// The tray's counts, read from the tasks as they stand: the unfinished task runs
/// while watched, the finished one is ready until it is looked at, and after a
/// restart (answers not parsed yet) the counts are the same.
#[tokio::test]
async fn the_tally_counts_running_and_ready_tasks() {
    let s = setup("tally", config(100)).await;
    let (done, _running) = one_done_one_running(&s, "tally").await;
    let counted = Tally {
        running: 1,
        saving: 0,
        ready: 1,
    };
    assert_eq!(s.tracker.tally(), counted);
    s.tracker.set_watching(false);
    assert_eq!(s.tracker.tally().running, 0, "nothing runs while paused");
    s.tracker.set_watching(true);
    s.poller.abort();

    let reopened = reopen(&s);
    assert_eq!(reopened.tally(), counted, "the same after a restart");
    reopened.mark_seen(&done).await.unwrap();
    assert_eq!(reopened.tally().ready, 0, "looked at: no longer ready");
}

#[tokio::test]
async fn removing_and_clearing_finished_tasks() {
    let s = setup("remove", config(100)).await;
    let (done, running, other) = (task_id("rmDone"), task_id("rmRun"), task_id("rmOther"));
    s.fake
        .script(&done, vec![Reply::state("success-seed-example")]);
    s.fake.script(&running, vec![Reply::state("in-progress")]);
    s.fake.script(&other, vec![Reply::state("in-progress")]);
    add(&s, &[&done, &running, &other]).await;
    wait_until("final", || tracking(&s, &done) == Tracking::Final).await;
    assert_eq!(s.tracker.remove(vec![other.clone()]).await.unwrap(), 1);
    assert_eq!(s.tracker.clear_finished().await.unwrap(), 1);
    let left: Vec<String> = s.tracker.rows().into_iter().map(|r| r.id).collect();
    assert_eq!(left, vec![running.clone()]);
    let reopened = TaskStore::open(&s.dir).unwrap().store.load_all().unwrap();
    assert_eq!(reopened.len(), 1, "removal reaches the history");
}

/// Records like `Recorder`, and panics when it is told a task with this ID
/// changed normally: a stand-in for a bug that meets one task's answer.
struct PanicsOn {
    id: String,
    inner: Recorder,
}

impl TaskEvents for PanicsOn {
    fn changed(&self, rows: &[TaskRow]) {
        for row in rows {
            let contained = row.error.as_ref().is_some_and(|e| e.code == "internal");
            if row.id == self.id && row.status.is_some() && !contained {
                panic!("a bug met this task's answer");
            }
        }
        self.inner.changed(rows);
    }
    fn removed(&self, ids: &[String]) {
        self.inner.removed(ids);
    }
    fn paused(&self, reason: Option<&StoredError>) {
        self.inner.paused(reason);
    }
    fn finished(&self, row: &TaskRow) {
        self.inner.finished(row);
    }
}

#[tokio::test]
async fn a_panic_with_one_task_sets_it_aside_and_the_others_go_on() {
    let fake = FakeAnyfast::start().await;
    let dir = temp_dir("panic-contained");
    let keys = KeyStore::new(Arc::new(MemoryKeyring::default()), None);
    let base = BaseUrl::parse(&fake.base_url).unwrap();
    keys.set(&base, ApiKey::new(FAKE_KEY).unwrap())
        .await
        .unwrap();
    let (bad, good) = (task_id("panicbad"), task_id("panicgood"));
    fake.script(&bad, vec![Reply::state("in-progress")]);
    fake.script(
        &good,
        Reply::states(&["in-progress", "in-progress", "success-seed-example"]),
    );
    let events = Arc::new(PanicsOn {
        id: bad.clone(),
        inner: Recorder::default(),
    });
    let store = Arc::new(TaskStore::open(&dir).unwrap().store);
    let tracker = Tracker::new(store, client(), keys, events.clone(), config(100)).unwrap();
    let poller = tokio::spawn(tracker.clone().run());
    tracker
        .add_text(format!("{bad}\n{good}"), &base)
        .await
        .unwrap();
    wait_until("the other task to finish", || {
        tracker.detail(&good).unwrap().row.tracking == Tracking::Final
    })
    .await;
    let row = tracker.detail(&bad).unwrap().row;
    let error = row.error.expect("the task is marked");
    assert_eq!(error.code, "internal");
    assert!(
        error.message.contains("a bug met this task"),
        "{}",
        error.message
    );
    assert!(!row.checking, "not left spinning");
    assert!(!poller.is_finished(), "the poller goes on");
    // Set aside for max_backoff (1.6 s here), not hammered.
    let n = fake.requests_for(&bad);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(fake.requests_for(&bad), n);
    // The history says the same after a restart.
    let reopened = TaskStore::open(&dir).unwrap().store.load_all().unwrap();
    let stored = reopened.iter().find(|r| r.id == bad).unwrap();
    assert_eq!(stored.error.as_ref().unwrap().code, "internal");
}

#[tokio::test]
async fn a_rate_limit_reads_as_waiting_with_the_next_try() {
    let s = setup("waiting", config(100)).await;
    let id = task_id("waiting");
    s.fake.script(
        &id,
        vec![
            Reply::error("error-429-rpm").retry_after(30),
            Reply::state("in-progress"),
        ],
    );
    add(&s, &[&id]).await;
    wait_until("the 429", || {
        s.tracker.detail(&id).unwrap().row.error.is_some()
    })
    .await;
    let row = s.tracker.detail(&id).unwrap().row;
    assert_eq!(row.error.as_ref().unwrap().code, "rate_limited");
    let retry_at = row.retry_at.expect("a waiting row says when");
    let json = serde_json::to_value(&s.tracker.detail(&id).unwrap().row).unwrap();
    assert_eq!(json["retry_at"], retry_at);
    assert_eq!(row.tracking, Tracking::Active);
    // An error that needs the user has no next try to show.
    let other = task_id("waitingbad");
    s.fake.script(
        &other,
        vec![Reply::json(200, serde_json::json!({"hello": 1}))],
    );
    add(&s, &[&other]).await;
    wait_until("the odd answer", || {
        s.tracker.detail(&other).unwrap().row.error.is_some()
    })
    .await;
    assert!(s.tracker.detail(&other).unwrap().row.retry_at.is_none());
}

#[tokio::test]
async fn a_rejected_key_pauses_only_its_own_gateway() {
    let s = setup("pause-one", config(100)).await;
    let other = FakeAnyfast::start().await;
    let other_base = BaseUrl::parse(&other.base_url).unwrap();
    s.keys
        .set(
            &other_base,
            ApiKey::new("sk-wrong-key-for-other-00000").unwrap(),
        )
        .await
        .unwrap();
    let (mine, theirs) = (task_id("pauseonemine"), task_id("pauseonetheirs"));
    s.fake.script(
        &mine,
        Reply::states(&["in-progress", "in-progress", "success-seed-example"]),
    );
    other.script(&theirs, vec![Reply::state("in-progress")]);
    s.tracker
        .add_text(theirs.clone(), &other_base)
        .await
        .unwrap();
    wait_until("the other gateway's pause", || s.tracker.paused().is_some()).await;
    add(&s, &[&mine]).await;
    wait_until("this gateway's task to finish", || {
        tracking(&s, &mine) == Tracking::Final
    })
    .await;
    assert_eq!(
        other.requests_for(&theirs),
        1,
        "the paused gateway is left alone"
    );
    assert_eq!(s.tracker.paused().unwrap().code, "unauthorized");
}

#[tokio::test]
async fn the_minute_budget_holds_back_a_burst() {
    let mut cfg = config(100);
    cfg.per_minute = 5;
    let s = setup("budget", cfg).await;
    // The gateway enforces the same limit: Paddock never meets its 429.
    s.fake.limit_per_minute(5);
    let ids: Vec<String> = (0..12).map(|i| task_id(&format!("budget{i}x"))).collect();
    for id in &ids {
        s.fake.script(id, vec![Reply::state("in-progress")]);
    }
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    add(&s, &refs).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let sent: usize = ids.iter().map(|id| s.fake.requests_for(id)).sum();
    assert_eq!(sent, 5, "5 per minute, whatever is due");
    assert_eq!(s.fake.rate_limited_answers(), 0);
}

#[tokio::test]
async fn a_row_removed_by_another_process_is_not_written_back() {
    let s = setup("removed-elsewhere", config(100)).await;
    let id = task_id("removedelsewhere");
    s.fake.script(&id, vec![Reply::state("in-progress")]);
    add(&s, &[&id]).await;
    wait_until("the first answer", || {
        s.tracker.detail(&id).unwrap().row.status.is_some()
    })
    .await;
    // The CLI's `remove`, as another connection to the same file.
    let other = TaskStore::open(&s.dir).unwrap().store;
    assert_eq!(other.remove(std::slice::from_ref(&id)).unwrap(), 1);
    wait_until("the tracker to let it go", || {
        s.tracker.detail(&id).is_none()
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        other.load_all().unwrap().iter().all(|r| r.id != id),
        "the poller's next answer did not bring the row back"
    );
}

/// The window's first screen is exactly the head of the full list: the same order
/// (newest added first, ties by ID) and the count of every task.
#[tokio::test]
async fn the_newest_rows_are_the_head_of_the_full_list() {
    let dir = temp_dir("newest-rows");
    let store = TaskStore::open(&dir).unwrap().store;
    // Added times out of order, with ties, so neither insertion order nor the ID
    // alone gives the list's order.
    for (n, added_at) in [5, 9, 1, 9, 7, 3, 9, 2].into_iter().enumerate() {
        let id = task_id(&format!("newest{}", 8 - n));
        let mut record = TaskRecord::new(&id, "http://127.0.0.1:9", 1_000 + added_at);
        record.tracking = Tracking::Final;
        store.write_whole(&record).unwrap();
    }
    let keys = KeyStore::new(Arc::new(MemoryKeyring::default()), None);
    let tracker = Tracker::new(
        Arc::new(store),
        client(),
        keys,
        Arc::new(paddock::tasks::NoEvents),
        config(60_000),
    )
    .unwrap();
    let all: Vec<String> = tracker.rows().into_iter().map(|r| r.id).collect();
    assert_eq!(all.len(), 8);
    let added: Vec<String> = tracker.rows().into_iter().map(|r| r.added_at).collect();
    assert!(added.windows(2).all(|w| w[0] >= w[1]), "{added:?}");
    // The three added at the same second come by ID, as the page's own order has it.
    let mut tied = all[..3].to_vec();
    tied.sort();
    assert_eq!(all[..3], tied);
    for limit in [0, 1, 3, 8, 50] {
        let newest = tracker.newest_rows(limit);
        assert_eq!(newest.total, 8);
        let ids: Vec<String> = newest.rows.into_iter().map(|r| r.id).collect();
        assert_eq!(ids, all[..limit.min(8)], "limit {limit}");
    }
}

/// Two takes of the same prompt finishing together want the same file name
/// (`date_prompt_<last 8 of the ID>.mp4`; these IDs end alike): both are saved, the
/// second under "name (2).mp4", and neither is dropped as "already being saved".
#[tokio::test]
async fn two_takes_finishing_together_are_both_auto_saved() {
    let s = setup("autosave-twins", config(100)).await;
    let dir = s.dir.join("auto");
    s.tracker.set_auto_save(Some(dir.clone()));
    let (a, b) = (task_id("twina"), task_id("twinb"));
    assert_eq!(a[a.len() - 8..], b[b.len() - 8..], "the names collide");
    for id in [&a, &b] {
        s.fake
            .script(id, Reply::states(&["in-progress", "success-seed-example"]));
    }
    add(&s, &[&a, &b]).await;
    wait_until("both saved", || {
        [&a, &b]
            .iter()
            .all(|id| s.tracker.detail(id).unwrap().row.saved_path.is_some())
    })
    .await;
    let paths: Vec<String> = [&a, &b]
        .iter()
        .map(|id| s.tracker.detail(id).unwrap().row.saved_path.unwrap())
        .collect();
    assert_ne!(paths[0], paths[1]);
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files.len(), 2, "{files:?}");
    assert!(files.iter().any(|f| f.contains(" (2).mp4")), "{files:?}");
}
