//! The task list and its poller: which tasks Paddock watches, when it asks the
//! gateway about each, and what it tells the UI.
//!
//! One tokio task owns the schedule. It sleeps until the earliest due task, or, when
//! nothing is unfinished, waits on a `Notify` with no timer at all, so an idle app does
//! no work. Queries run concurrently, at most `per_gateway` at a time per gateway;
//! each answer is written to the history before the UI hears of it, so a crash never
//! loses what was shown.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;
use tokio::sync::{Notify, Semaphore};
use tokio::time::Instant;

use crate::api::{AnyfastClient, ApiError, BaseUrl, RetryPolicy, Status, TaskSnapshot};
use crate::download::{self, CancelHandle, DownloadError, Progress};
use crate::ids::{extract_ids, TaskId};
use crate::keystore::KeyStore;
use crate::service::AppError;
use crate::store::{StoreError, StoredError, TaskRecord, TaskStore, Tracking};
use crate::timefmt::{now_unix, rfc3339};

/// How politely to poll.
#[derive(Debug, Clone)]
pub struct PollConfig {
    /// Anyfast advises about 15 s between queries of one task.
    pub interval: Duration,
    /// ± this fraction of the interval, so many tasks do not query in lockstep.
    pub jitter: f64,
    /// The longest wait after repeated 429s or server faults.
    pub max_backoff: Duration,
    /// Queries in flight at once per gateway.
    pub per_gateway: usize,
    /// Upstream tasks live 24 h; past that Paddock stops asking.
    pub lifetime_secs: i64,
}

impl Default for PollConfig {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(15),
            jitter: 0.2,
            max_backoff: Duration::from_secs(300),
            per_gateway: 4,
            lifetime_secs: 24 * 3600,
        }
    }
}

impl PollConfig {
    /// The default schedule. Debug builds accept `PADDOCK_POLL_INTERVAL_MS` so the
    /// end-to-end and CLI tests need not wait 15 s between answers; release builds
    /// ignore it.
    pub fn from_env() -> Self {
        let mut config = Self::default();
        if cfg!(debug_assertions) {
            if let Some(ms) = std::env::var("PADDOCK_POLL_INTERVAL_MS")
                .ok()
                .and_then(|v| v.parse::<u64>().ok())
            {
                config.interval = Duration::from_millis(ms.max(50));
                config.max_backoff = config.interval * 4;
            }
        }
        config
    }
}

/// Where the tracker reports changes; the GUI turns these into Tauri events, the
/// CLI into lines on stdout.
pub trait TaskEvents: Send + Sync + 'static {
    fn changed(&self, rows: &[TaskRow]);
    fn removed(&self, ids: &[String]);
    /// Querying stopped because the key was rejected (`Some`), or resumed (`None`).
    fn paused(&self, reason: Option<&StoredError>);
    /// A task reached SUCCESS or FAILURE while being watched.
    fn finished(&self, row: &TaskRow);
}

/// Events nobody listens to.
pub struct NoEvents;

impl TaskEvents for NoEvents {
    fn changed(&self, _: &[TaskRow]) {}
    fn removed(&self, _: &[String]) {}
    fn paused(&self, _: Option<&StoredError>) {}
    fn finished(&self, _: &TaskRow) {}
}

/// One task as the list shows it: small, so ten thousand of them cross IPC quickly
/// (absent values are left out rather than sent as null).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TaskRow {
    pub id: String,
    pub base_url: String,
    pub added_at: String,
    pub tracking: Tracking,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw_status: Option<String>,
    pub status_recognized: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub progress: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub submitted_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub video_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub video_expires_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub saved_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fail_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<StoredError>,
    pub unseen: bool,
    /// A query is in flight right now.
    pub checking: bool,
}

/// Everything about one task, for the detail pane.
#[derive(Debug, Clone, Serialize)]
pub struct TaskDetail {
    pub row: TaskRow,
    pub task: Option<TaskSnapshot>,
    pub raw: Option<Value>,
    /// Where the webview can play the saved copy (filled in by the service).
    pub local_video_url: Option<String>,
}

/// What a paste did: "3 added, 1 already tracked, 2 not task IDs".
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct AddSummary {
    pub added: usize,
    pub already_tracked: usize,
    pub rejected: usize,
    pub ids: Vec<String>,
}

const PROMPT_SNIPPET: usize = 160;

fn row_of(record: &TaskRecord, snapshot: Option<&TaskSnapshot>, checking: bool) -> TaskRow {
    let s = snapshot;
    TaskRow {
        id: record.id.clone(),
        base_url: record.base_url.clone(),
        added_at: rfc3339(record.added_at),
        tracking: record.tracking,
        status: s.map(|t| t.status),
        raw_status: s.and_then(|t| t.raw_status.clone()),
        status_recognized: s.is_none_or(|t| t.status_recognized),
        progress: s.and_then(|t| t.progress),
        prompt: s
            .and_then(|t| t.prompt.as_ref())
            .map(|p| p.chars().take(PROMPT_SNIPPET).collect()),
        submitted_at: s.and_then(|t| t.submitted_at).map(rfc3339),
        finished_at: s.and_then(|t| t.finished_at).map(rfc3339),
        video_url: s.and_then(|t| t.video_url.clone()),
        video_expires_at: s.and_then(|t| t.video_expires_at).map(rfc3339),
        saved_path: record.saved_path.clone(),
        fail_reason: s.and_then(|t| t.fail_reason.clone()),
        error: record.error.clone(),
        unseen: record.unseen,
        checking,
    }
}

fn stored(e: &AppError) -> StoredError {
    let detail = match e {
        AppError::Api(api) => api.detail(),
        _ => None,
    };
    StoredError {
        code: e.code().to_owned(),
        message: e.to_string(),
        detail,
    }
}

struct Tracked {
    record: TaskRecord,
    /// `record.snapshot()`, parsed once per answer rather than on every list request
    /// (ten thousand rows are rebuilt each time the window asks for them).
    snapshot: Option<TaskSnapshot>,
    next_due: Instant,
    failures: u32,
    in_flight: bool,
}

struct State {
    tasks: HashMap<String, Tracked>,
    paused: Option<StoredError>,
    gates: HashMap<String, Arc<Semaphore>>,
}

struct Inner {
    store: Arc<TaskStore>,
    client: AnyfastClient,
    keys: KeyStore,
    events: Arc<dyn TaskEvents>,
    config: PollConfig,
    state: Mutex<State>,
    wake: Notify,
    /// How many queries the poller has sent; for tests and benchmarks.
    queries: AtomicU64,
    /// Where to save videos the moment their task succeeds (None: auto-save off).
    auto_save: Mutex<Option<PathBuf>>,
}

/// The watched tasks and their poller. Cheap to clone.
#[derive(Clone)]
pub struct Tracker {
    inner: Arc<Inner>,
}

impl Tracker {
    /// Loads the history; unfinished tasks are due at once when `run` starts.
    pub fn new(
        store: Arc<TaskStore>,
        client: AnyfastClient,
        keys: KeyStore,
        events: Arc<dyn TaskEvents>,
        config: PollConfig,
    ) -> Result<Self, StoreError> {
        let now = Instant::now();
        let tasks = store
            .load_all()?
            .into_iter()
            .map(|record| {
                let id = record.id.clone();
                (
                    id,
                    Tracked {
                        snapshot: record.snapshot(),
                        record,
                        next_due: now,
                        failures: 0,
                        in_flight: false,
                    },
                )
            })
            .collect();
        Ok(Self {
            inner: Arc::new(Inner {
                store,
                client,
                keys,
                events,
                config,
                state: Mutex::new(State {
                    tasks,
                    paused: None,
                    gates: HashMap::new(),
                }),
                wake: Notify::new(),
                queries: AtomicU64::new(0),
                auto_save: Mutex::new(None),
            }),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.inner.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Every task, newest first.
    pub fn rows(&self) -> Vec<TaskRow> {
        let st = self.lock();
        let mut rows: Vec<_> = st
            .tasks
            .values()
            .map(|t| {
                let row = row_of(&t.record, t.snapshot.as_ref(), t.in_flight);
                (t.record.added_at, row)
            })
            .collect();
        rows.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.id.cmp(&b.1.id)));
        rows.into_iter().map(|(_, r)| r).collect()
    }

    pub fn detail(&self, id: &str) -> Option<TaskDetail> {
        let st = self.lock();
        let t = st.tasks.get(id)?;
        Some(TaskDetail {
            row: row_of(&t.record, t.snapshot.as_ref(), t.in_flight),
            task: t.snapshot.clone(),
            raw: t.record.raw.clone(),
            local_video_url: None,
        })
    }

    /// The record of one task, for saving its video.
    pub fn record(&self, id: &str) -> Option<TaskRecord> {
        self.lock().tasks.get(id).map(|t| t.record.clone())
    }

    /// Why querying is paused, if it is.
    pub fn paused(&self) -> Option<StoredError> {
        self.lock().paused.clone()
    }

    /// How many gateway queries the poller has made.
    pub fn query_count(&self) -> u64 {
        self.inner.queries.load(Ordering::Relaxed)
    }

    /// Adds every task ID in the text, for the given gateway; new ones are queried at once.
    pub async fn add_text(
        &self,
        text: String,
        base_url: &BaseUrl,
    ) -> Result<AddSummary, StoreError> {
        let extraction = tokio::task::spawn_blocking(move || extract_ids(&text))
            .await
            .unwrap_or_default();
        let mut summary = AddSummary {
            already_tracked: extraction.duplicates,
            rejected: extraction.rejected,
            ..AddSummary::default()
        };
        let now = now_unix();
        let fresh: Vec<TaskRecord> = {
            let st = self.lock();
            extraction
                .ids
                .iter()
                .filter(|id| {
                    let known = st.tasks.contains_key(id.as_str());
                    if known {
                        summary.already_tracked += 1;
                    }
                    !known
                })
                .map(|id| TaskRecord::new(id.as_str(), base_url.as_str(), now))
                .collect()
        };
        let store = Arc::clone(&self.inner.store);
        let to_insert = fresh.clone();
        let inserted = tokio::task::spawn_blocking(move || store.insert_new(&to_insert))
            .await
            .map_err(|e| StoreError::Write(e.to_string()))??;
        let mut rows = Vec::new();
        {
            let mut st = self.lock();
            let due = Instant::now();
            for (record, new) in fresh.into_iter().zip(inserted) {
                if !new {
                    summary.already_tracked += 1;
                    continue;
                }
                summary.added += 1;
                summary.ids.push(record.id.clone());
                rows.push(row_of(&record, None, false));
                st.tasks.insert(
                    record.id.clone(),
                    Tracked {
                        record,
                        snapshot: None,
                        next_due: due,
                        failures: 0,
                        in_flight: false,
                    },
                );
            }
        }
        if !rows.is_empty() {
            self.inner.events.changed(&rows);
            self.inner.wake.notify_one();
        }
        Ok(summary)
    }

    /// Forgets tasks (history included).
    pub async fn remove(&self, ids: Vec<String>) -> Result<usize, StoreError> {
        let store = Arc::clone(&self.inner.store);
        let to_delete = ids.clone();
        let n = tokio::task::spawn_blocking(move || store.remove(&to_delete))
            .await
            .map_err(|e| StoreError::Write(e.to_string()))??;
        {
            let mut st = self.lock();
            for id in &ids {
                st.tasks.remove(id);
            }
        }
        self.inner.events.removed(&ids);
        Ok(n)
    }

    /// Forgets every task that will not change any more.
    pub async fn clear_finished(&self) -> Result<usize, StoreError> {
        let ids: Vec<String> = self
            .lock()
            .tasks
            .values()
            .filter(|t| t.record.tracking != Tracking::Active)
            .map(|t| t.record.id.clone())
            .collect();
        self.remove(ids).await
    }

    /// Asks again now, even about a finished task.
    pub fn refresh(&self, id: &str) {
        {
            let mut st = self.lock();
            st.paused = None;
            if let Some(t) = st.tasks.get_mut(id) {
                t.record.tracking = Tracking::Active;
                t.next_due = Instant::now();
                t.failures = 0;
            }
        }
        self.inner.events.paused(None);
        self.inner.wake.notify_one();
    }

    /// Asks again now about every unfinished task.
    pub fn refresh_all(&self) {
        self.resume();
    }

    /// Lifts a pause (the key changed) and makes every unfinished task due.
    pub fn resume(&self) {
        {
            let mut st = self.lock();
            st.paused = None;
            let now = Instant::now();
            for t in st
                .tasks
                .values_mut()
                .filter(|t| t.record.tracking == Tracking::Active)
            {
                t.next_due = now;
                t.failures = 0;
            }
        }
        self.inner.events.paused(None);
        self.inner.wake.notify_one();
    }

    /// The user looked at a finished task: drop its "new" mark.
    pub async fn mark_seen(&self, id: &str) -> Result<(), StoreError> {
        self.update_record(id, |r| r.unseen = false).await
    }

    /// Records where a task's video was saved.
    pub async fn set_saved_path(&self, id: &str, path: &str) -> Result<(), StoreError> {
        let path = path.to_owned();
        self.update_record(id, move |r| r.saved_path = Some(path))
            .await
    }

    async fn update_record(
        &self,
        id: &str,
        change: impl FnOnce(&mut TaskRecord),
    ) -> Result<(), StoreError> {
        let (record, row) = {
            let mut st = self.lock();
            let Some(t) = st.tasks.get_mut(id) else {
                return Ok(());
            };
            change(&mut t.record);
            t.snapshot = t.record.snapshot();
            (
                t.record.clone(),
                row_of(&t.record, t.snapshot.as_ref(), t.in_flight),
            )
        };
        self.persist(record).await?;
        self.inner.events.changed(&[row]);
        Ok(())
    }

    async fn persist(&self, record: TaskRecord) -> Result<(), StoreError> {
        let store = Arc::clone(&self.inner.store);
        tokio::task::spawn_blocking(move || store.update(&record))
            .await
            .map_err(|e| StoreError::Write(e.to_string()))?
    }

    /// Turns auto-save on (into `dir`) or off.
    pub fn set_auto_save(&self, dir: Option<PathBuf>) {
        *self
            .inner
            .auto_save
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = dir;
    }

    /// Downloads a task's video to `dest` and records where it went.
    pub async fn save_video(
        &self,
        id: &str,
        dest: &Path,
        cancel: tokio::sync::watch::Receiver<bool>,
        on_progress: impl FnMut(Progress),
    ) -> Result<PathBuf, AppError> {
        let url = self
            .detail(id)
            .and_then(|d| d.task)
            .and_then(|t| t.video_url)
            .ok_or(DownloadError::NoVideo)?;
        download::download(self.inner.client.http(), &url, dest, cancel, on_progress).await?;
        self.set_saved_path(id, &dest.display().to_string()).await?;
        Ok(dest.to_owned())
    }

    /// Saves a newly succeeded task's video into the auto-save folder, next to (not
    /// over) any file of the same name. A failure is shown on the task's row.
    async fn auto_save(&self, id: String, dir: PathBuf) {
        let Some(detail) = self.detail(&id) else {
            return;
        };
        let task = detail.task.as_ref();
        let name = download::default_file_name(
            &id,
            task.and_then(|t| t.prompt.as_deref()),
            task.and_then(|t| t.finished_at),
        );
        let dest = download::unused_path(&dir.join(name));
        let (_cancel, rx) = CancelHandle::new();
        if let Err(e) = self.save_video(&id, &dest, rx, |_| {}).await {
            tracing::warn!(task = %id, error = %e, "auto-save failed");
            let error = StoredError {
                code: e.code().to_owned(),
                message: format!("Auto-save failed: {e}"),
                detail: None,
            };
            let _ = self
                .update_record(&id, move |r| r.error = Some(error))
                .await;
        }
    }

    /// Whether any task is still being watched.
    pub fn has_unfinished(&self) -> bool {
        self.lock()
            .tasks
            .values()
            .any(|t| t.record.tracking == Tracking::Active)
    }

    /// The poller. Runs until the runtime shuts down.
    pub async fn run(self) {
        loop {
            let (due, next) = self.take_due();
            for id in due {
                let me = self.clone();
                tokio::spawn(async move { me.poll_one(id).await });
            }
            match next {
                Some(when) => {
                    tokio::select! {
                        _ = tokio::time::sleep_until(when) => {}
                        _ = self.inner.wake.notified() => {}
                    }
                }
                // Nothing to wait for: no timer, no work until something changes.
                None => self.inner.wake.notified().await,
            }
        }
    }

    /// Marks the due tasks in flight and returns them, with the next wake-up time.
    fn take_due(&self) -> (Vec<String>, Option<Instant>) {
        let mut st = self.lock();
        if st.paused.is_some() {
            return (Vec::new(), None);
        }
        let now = Instant::now();
        let mut due = Vec::new();
        let mut next: Option<Instant> = None;
        for t in st.tasks.values_mut() {
            if t.record.tracking != Tracking::Active || t.in_flight {
                continue;
            }
            if t.next_due <= now {
                t.in_flight = true;
                due.push(t.record.id.clone());
            } else {
                next = Some(next.map_or(t.next_due, |n| n.min(t.next_due)));
            }
        }
        (due, next)
    }

    fn gate(&self, base: &str) -> Arc<Semaphore> {
        let mut st = self.lock();
        let per = self.inner.config.per_gateway.max(1);
        Arc::clone(
            st.gates
                .entry(base.to_owned())
                .or_insert_with(|| Arc::new(Semaphore::new(per))),
        )
    }

    async fn poll_one(&self, id: String) {
        let Some(base_text) = self
            .lock()
            .tasks
            .get(&id)
            .map(|t| t.record.base_url.clone())
        else {
            return;
        };
        let gate = self.gate(&base_text);
        let _permit = gate.acquire_owned().await;
        if self.lock().paused.is_some() {
            self.finish_in_flight(&id);
            return;
        }
        if let Some(t) = self.lock().tasks.get(&id) {
            self.inner
                .events
                .changed(&[row_of(&t.record, t.snapshot.as_ref(), true)]);
        }
        let outcome = self.query(&base_text, &id).await;
        self.apply(&id, outcome).await;
        self.inner.wake.notify_one();
    }

    /// Queries one tracked task right now, outside the schedule, and records the answer.
    pub async fn query_now(&self, id: &str) -> Option<TaskDetail> {
        let base_text = {
            let mut st = self.lock();
            let t = st.tasks.get_mut(id)?;
            t.in_flight = true;
            t.record.base_url.clone()
        };
        let outcome = self.query(&base_text, id).await;
        self.apply(id, outcome).await;
        self.detail(id)
    }

    fn finish_in_flight(&self, id: &str) {
        if let Some(t) = self.lock().tasks.get_mut(id) {
            t.in_flight = false;
        }
    }

    async fn query(&self, base_text: &str, id: &str) -> Result<(TaskSnapshot, Value), AppError> {
        let base = BaseUrl::parse(base_text)?;
        let id = TaskId::parse(id).map_err(ApiError::from)?;
        let key = self
            .inner
            .keys
            .resolve(&base)
            .await?
            .ok_or(ApiError::MissingKey)?;
        self.inner.queries.fetch_add(1, Ordering::Relaxed);
        // No retries inside the query: the poller's own backoff spaces them out.
        let once = RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        };
        let outcome = self
            .inner
            .client
            .query_with(&base, &key, &id, &once)
            .await?;
        Ok((outcome.task, outcome.raw))
    }

    fn jittered(&self, base: Duration) -> Duration {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let unit = (RandomState::new().hash_one(n) % 10_000) as f64 / 10_000.0; // 0..1
        let factor = 1.0 + self.inner.config.jitter * (unit * 2.0 - 1.0);
        base.mul_f64(factor.max(0.0))
    }

    async fn apply(&self, id: &str, outcome: Result<(TaskSnapshot, Value), AppError>) {
        let config = &self.inner.config;
        let now = now_unix();
        let mut paused = None;
        let mut finished = false;
        let (record, row) = {
            let mut st = self.lock();
            let Some(t) = st.tasks.get_mut(id) else {
                return;
            };
            t.in_flight = false;
            t.record.checked_at = Some(now);
            match outcome {
                Ok((snap, raw)) => {
                    let was_final = t.snapshot.as_ref().is_some_and(|s| s.status.is_final());
                    t.failures = 0;
                    t.record.error = None;
                    t.record.raw = Some(raw);
                    t.snapshot = t.record.snapshot();
                    if snap.status.is_final() {
                        t.record.tracking = Tracking::Final;
                        if !was_final {
                            finished = true;
                            t.record.unseen = true;
                        }
                    } else {
                        let born = snap.submitted_at.unwrap_or(t.record.added_at);
                        if now - born > config.lifetime_secs {
                            t.record.tracking = Tracking::GaveUp;
                            t.record.error = Some(StoredError {
                                code: "gave_up".into(),
                                message: "The task is more than 24 hours old and still not finished; the gateway will not finish it now. Paddock stopped asking.".into(),
                                detail: None,
                            });
                        }
                        t.next_due = Instant::now() + self.jittered(config.interval);
                    }
                }
                Err(e) => {
                    t.record.error = Some(stored(&e));
                    match &e {
                        AppError::Api(ApiError::NotFound { .. }) => {
                            t.record.tracking = Tracking::NotFound
                        }
                        AppError::Api(ApiError::Unauthorized { .. } | ApiError::MissingKey) => {
                            paused = Some(stored(&e));
                            t.next_due = Instant::now();
                        }
                        other => {
                            t.failures = t.failures.saturating_add(1);
                            let backoff = config
                                .interval
                                .saturating_mul(1 << (t.failures - 1).min(10));
                            let asked = match other {
                                AppError::Api(api) => api.retry_after(),
                                _ => None,
                            };
                            let wait = asked
                                .unwrap_or_default()
                                .max(backoff)
                                .min(config.max_backoff);
                            t.next_due = Instant::now() + self.jittered(wait);
                        }
                    }
                }
            }
            let record = t.record.clone();
            let row = row_of(&record, t.snapshot.as_ref(), false);
            if paused.is_some() {
                st.paused = paused.clone();
            }
            (record, row)
        };
        if let Err(e) = self.persist(record).await {
            tracing::error!(error = %e, "could not write the task history");
        }
        self.inner.events.changed(std::slice::from_ref(&row));
        if finished {
            self.inner.events.finished(&row);
            let dir = self
                .inner
                .auto_save
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone();
            if let (Some(dir), Some(Status::Succeeded), None) = (dir, row.status, &row.saved_path) {
                let me = self.clone();
                let id = id.to_owned();
                tokio::spawn(async move { me.auto_save(id, dir).await });
            }
        }
        if let Some(reason) = paused {
            self.inner.events.paused(Some(&reason));
        }
    }
}
