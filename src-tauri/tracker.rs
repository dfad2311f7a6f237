//! The task list and its poller: which tasks Paddock watches, when it asks the
//! gateway about each, and what it tells the UI.
//!
//! One tokio task owns the schedule. It sleeps until the earliest due task, or, when
//! nothing is unfinished, waits on a `Notify` with no timer at all, so an idle app does
//! no work. Queries run concurrently, at most `per_gateway` at a time per gateway;
//! each answer is written to the history before the UI hears of it, so a crash never
//! loses what was shown.

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;
use tokio::sync::{Notify, Semaphore};
use tokio::time::Instant;

use crate::api::{AnyfastClient, ApiError, BaseUrl, RetryPolicy, Status, TaskSnapshot};
use crate::download::{self, CancelHandle, DownloadError, Progress, SaveOptions};
use crate::ids::{extract_ids, TaskId};
use crate::keystore::KeyStore;
pub use crate::poll_policy::PollConfig;
use crate::poll_policy::{decide, Outcome, TaskState};
use crate::service::AppError;
use crate::store::{Change, StoreError, StoredError, TaskRecord, TaskStore, Tracking};
use crate::timefmt::{now_unix, rfc3339};

/// The most text one paste may hold: a log of this size has hundreds of thousands
/// of IDs; anything larger is not a paste.
pub const MAX_PASTE_BYTES: usize = 16 << 20;

/// Where the tracker reports changes; the GUI turns these into Tauri events, the
/// CLI into lines on stdout.
pub trait TaskEvents: Send + Sync + 'static {
    fn changed(&self, rows: &[TaskRow]);
    fn removed(&self, ids: &[String]);
    /// Querying stopped because the key was rejected (`Some`), or resumed (`None`).
    fn paused(&self, reason: Option<&StoredError>);
    /// A task reached SUCCESS or FAILURE while being watched.
    fn finished(&self, row: &TaskRow);
    /// A save of this task's video moved on (`Some`) or ended (`None`), whichever
    /// started it: auto-save, the Save button or the CLI.
    fn saving(&self, _id: &str, _progress: Option<&Progress>) {}
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
    /// Set while a passing fault (429, 5xx, network) is waited out: when the next
    /// try is due. The row reads "waiting", not "error".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_at: Option<String>,
    /// The error is a passing fault being waited out (429, 5xx, network): shown
    /// calmly as "waiting", not as an error that needs the user.
    pub waiting: bool,
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

fn row_of(t: &Tracked, checking: bool) -> TaskRow {
    let record = &t.record;
    let s = t.snapshot.as_ref();
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
        // Plain http only from a gateway on this computer (see `video_link_allowed`);
        // the https test is first so ten thousand rows need no URL parsing.
        video_url: s.and_then(|t| t.video_url.clone()).filter(|u| {
            u.starts_with("https://") || crate::api::video_link_allowed(u, &record.base_url)
        }),
        video_expires_at: s.and_then(|t| t.video_expires_at).map(rfc3339),
        saved_path: record.saved_path.clone(),
        fail_reason: s.and_then(|t| t.fail_reason.clone()),
        error: record.error.clone(),
        retry_at: t.retry_at.map(rfc3339),
        waiting: record.tracking == Tracking::Active
            && record
                .error
                .as_ref()
                .is_some_and(|e| ApiError::is_transient_code(&e.code)),
        unseen: record.unseen,
        checking,
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
    /// Unix time of the next try while a passing fault is waited out.
    retry_at: Option<i64>,
}

impl Tracked {
    fn new(record: TaskRecord, due: Instant) -> Self {
        Self {
            snapshot: record.snapshot(),
            record,
            next_due: due,
            failures: 0,
            in_flight: false,
            retry_at: None,
        }
    }
}

/// One gateway's share of the poller: queries in flight, and a sliding window of
/// when the last ones were sent.
struct Gate {
    in_flight: Arc<Semaphore>,
    sent: tokio::sync::Mutex<VecDeque<Instant>>,
}

/// How long to wait before one more query fits `limit` per `window`, given when
/// the last ones went out (oldest first). Pure, for tests.
pub fn rate_limit_wait(
    sent: &VecDeque<Instant>,
    now: Instant,
    limit: usize,
    window: Duration,
) -> Option<Duration> {
    let limit = limit.max(1);
    let recent: Vec<&Instant> = sent
        .iter()
        .filter(|at| now.saturating_duration_since(**at) < window)
        .collect();
    if recent.len() < limit {
        return None;
    }
    // The one that must leave the window before another query fits.
    let leaving = recent[recent.len() - limit];
    Some((*leaving + window).saturating_duration_since(now))
}

struct State {
    tasks: HashMap<String, Tracked>,
    /// Gateways that rejected their key, and why: only their tasks wait.
    paused: HashMap<String, StoredError>,
    gates: HashMap<String, Arc<Gate>>,
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
    /// The size cap of every save, from Settings.
    max_video_bytes: AtomicU64,
    /// Saves in progress, keyed by task: auto-save, the Save button and the CLI all
    /// go through here, so one task is never written by two saves at once.
    saves: Mutex<HashMap<String, SaveEntry>>,
    /// Auto-saves at most this many at a time, so a batch finishing together does
    /// not open dozens of connections to the storage host.
    auto_save_slots: Arc<Semaphore>,
}

/// One save in progress.
struct SaveEntry {
    dest: PathBuf,
    cancel: CancelHandle,
}

/// Auto-saves running at once.
const AUTO_SAVES_AT_ONCE: usize = 2;

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
            .map(|record| (record.id.clone(), Tracked::new(record, now)))
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
                    paused: HashMap::new(),
                    gates: HashMap::new(),
                }),
                wake: Notify::new(),
                queries: AtomicU64::new(0),
                auto_save: Mutex::new(None),
                max_video_bytes: AtomicU64::new(download::DEFAULT_MAX_BYTES),
                saves: Mutex::new(HashMap::new()),
                auto_save_slots: Arc::new(Semaphore::new(AUTO_SAVES_AT_ONCE)),
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
            .map(|t| (t.record.added_at, row_of(t, t.in_flight)))
            .collect();
        rows.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.id.cmp(&b.1.id)));
        rows.into_iter().map(|(_, r)| r).collect()
    }

    pub fn detail(&self, id: &str) -> Option<TaskDetail> {
        let st = self.lock();
        let t = st.tasks.get(id)?;
        Some(TaskDetail {
            row: row_of(t, t.in_flight),
            task: t.snapshot.clone(),
            raw: t.record.raw.clone(),
            local_video_url: None,
        })
    }

    /// The record of one task, for saving its video.
    pub fn record(&self, id: &str) -> Option<TaskRecord> {
        self.lock().tasks.get(id).map(|t| t.record.clone())
    }

    /// Why querying is paused for some gateway (a rejected or missing key), if it is.
    pub fn paused(&self) -> Option<StoredError> {
        self.lock().paused.values().next().cloned()
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
        if text.len() > MAX_PASTE_BYTES {
            return Err(StoreError::TooLarge(MAX_PASTE_BYTES >> 20));
        }
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
                let tracked = Tracked::new(record, due);
                rows.push(row_of(&tracked, false));
                st.tasks.insert(tracked.record.id.clone(), tracked);
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
            if let Some(t) = st.tasks.get_mut(id) {
                t.record.tracking = Tracking::Active;
                t.next_due = Instant::now();
                t.failures = 0;
                let base = t.record.base_url.clone();
                st.paused.remove(&base);
            }
        }
        // Another gateway may still be paused: the banner shows what remains.
        let remaining = self.paused();
        self.inner.events.paused(remaining.as_ref());
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
            st.paused.clear();
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
        self.update_record(id, |r| {
            r.unseen = false;
            vec![Change::Unseen(false)]
        })
        .await
    }

    /// Records where a task's video was saved.
    pub async fn set_saved_path(&self, id: &str, path: &str) -> Result<(), StoreError> {
        let path = path.to_owned();
        self.update_record(id, move |r| {
            r.saved_path = Some(path.clone());
            vec![Change::SavedPath(Some(path))]
        })
        .await
    }

    /// Changes one task in memory and the same columns on disk.
    async fn update_record(
        &self,
        id: &str,
        change: impl FnOnce(&mut TaskRecord) -> Vec<Change>,
    ) -> Result<(), StoreError> {
        let (changes, row) = {
            let mut st = self.lock();
            let Some(t) = st.tasks.get_mut(id) else {
                return Ok(());
            };
            let changes = change(&mut t.record);
            (changes, row_of(t, t.in_flight))
        };
        if self.persist(id, changes).await? {
            self.inner.events.changed(&[row]);
        }
        Ok(())
    }

    /// Writes the changed columns; false when the row is gone. A row another process
    /// (the CLI's `remove`) took out of the history is dropped here too, never
    /// written back.
    async fn persist(&self, id: &str, changes: Vec<Change>) -> Result<bool, StoreError> {
        let store = Arc::clone(&self.inner.store);
        let key = id.to_owned();
        let exists = tokio::task::spawn_blocking(move || store.update(&key, &changes))
            .await
            .map_err(|e| StoreError::Write(e.to_string()))??;
        if !exists {
            self.lock().tasks.remove(id);
            self.inner.events.removed(&[id.to_owned()]);
        }
        Ok(exists)
    }

    /// Turns auto-save on (into `dir`) or off.
    pub fn set_auto_save(&self, dir: Option<PathBuf>) {
        *self
            .inner
            .auto_save
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = dir;
    }

    /// Sets the size cap of every later save.
    pub fn set_max_video_bytes(&self, max: u64) {
        self.inner.max_video_bytes.store(max, Ordering::Relaxed);
    }

    /// The size cap of every save.
    pub fn max_video_bytes(&self) -> u64 {
        self.inner.max_video_bytes.load(Ordering::Relaxed)
    }

    /// Downloads a task's video to `dest` and records where it went. Refused while
    /// the same task, or another save to the same file, is in progress.
    pub async fn save_video(
        &self,
        id: &str,
        dest: &Path,
        options: SaveOptions,
        on_progress: impl FnMut(Progress),
    ) -> Result<PathBuf, AppError> {
        let url = self
            .detail(id)
            .and_then(|d| d.row.video_url)
            .ok_or(DownloadError::NoVideo)?;
        let (cancel, rx) = CancelHandle::new();
        {
            let mut saves = self.saves();
            if let Some(running) = saves.get(id) {
                return Err(
                    DownloadError::AlreadySaving(Some(running.dest.display().to_string())).into(),
                );
            }
            if saves.values().any(|s| s.dest == dest) {
                return Err(DownloadError::AlreadySaving(Some(dest.display().to_string())).into());
            }
            saves.insert(
                id.to_owned(),
                SaveEntry {
                    dest: dest.to_owned(),
                    cancel,
                },
            );
        }
        let mut on_progress = on_progress;
        let events = Arc::clone(&self.inner.events);
        let result = download::download(
            self.inner.client.http(),
            &url,
            dest,
            options,
            rx,
            |p: Progress| {
                events.saving(id, Some(&p));
                on_progress(p);
            },
        )
        .await;
        self.saves().remove(id);
        self.inner.events.saving(id, None);
        result?;
        self.set_saved_path(id, &dest.display().to_string()).await?;
        Ok(dest.to_owned())
    }

    fn saves(&self) -> std::sync::MutexGuard<'_, HashMap<String, SaveEntry>> {
        self.inner.saves.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Stops the save of this task's video, if one is running (any of the three kinds).
    pub fn cancel_save(&self, id: &str) -> bool {
        match self.saves().get(id) {
            Some(entry) => {
                entry.cancel.cancel();
                true
            }
            None => false,
        }
    }

    /// Whether this task's video is being saved right now.
    pub fn is_saving(&self, id: &str) -> bool {
        self.saves().contains_key(id)
    }

    /// Saves a newly succeeded task's video into the auto-save folder, next to (not
    /// over) any file of the same name. A failure is shown on the task's row.
    async fn auto_save(&self, id: String, dir: PathBuf) {
        let Ok(_slot) = Arc::clone(&self.inner.auto_save_slots)
            .acquire_owned()
            .await
        else {
            return;
        };
        let Some(detail) = self.detail(&id) else {
            return;
        };
        if detail.row.saved_path.is_some() {
            return;
        }
        let task = detail.task.as_ref();
        let name = download::default_file_name(
            &id,
            task.and_then(|t| t.prompt.as_deref()),
            task.and_then(|t| t.finished_at),
        );
        let dest = download::unused_path(&dir.join(name));
        let options = SaveOptions {
            max_bytes: self.max_video_bytes(),
            overwrite: false,
        };
        match self.save_video(&id, &dest, options, |_| {}).await {
            Ok(_) => {}
            // Already being saved by hand: that save records the path.
            Err(AppError::Download(DownloadError::AlreadySaving(_))) => {}
            Err(e) => {
                tracing::warn!(task = %id, code = e.code(), "auto-save failed");
                let error = StoredError {
                    code: e.code().to_owned(),
                    message: format!("Auto-save failed: {e}"),
                    detail: None,
                };
                let _ = self
                    .update_record(&id, move |r| {
                        r.error = Some(error.clone());
                        vec![Change::Error(Some(error))]
                    })
                    .await;
            }
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
                tokio::spawn(async move { me.poll_contained(id).await });
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

    /// Polls one task on a task of its own, so that a panic while handling its
    /// answer (a parser bug meeting a hostile answer) unwinds only that one: it is
    /// marked "internal error" and asked again much later, and the poller, the other
    /// tasks and the window go on. (The release profile unwinds for this.)
    async fn poll_contained(self, id: String) {
        let me = self.clone();
        let key = id.clone();
        let polled = tokio::spawn(async move { me.poll_one(key).await }).await;
        if let Err(e) = polled {
            if e.is_panic() {
                let text = panic_text(e.into_panic().as_ref());
                self.contain_panic(&id, text).await;
            }
        }
        self.inner.wake.notify_one();
    }

    async fn contain_panic(&self, id: &str, text: String) {
        tracing::error!(task = %id, panic = %text, "handling this task panicked; it is set aside");
        let error = StoredError {
            code: "internal".into(),
            message: format!(
                "Paddock hit an internal error with this task and set it aside ({text}). The other tasks go on; remove this one or try again later."
            ),
            detail: None,
        };
        let backoff = self.inner.config.max_backoff;
        let row = {
            let mut st = self.lock();
            let Some(t) = st.tasks.get_mut(id) else {
                return;
            };
            t.in_flight = false;
            t.retry_at = None;
            t.next_due = Instant::now() + backoff;
            t.record.error = Some(error.clone());
            row_of(t, false)
        };
        if let Err(e) = self.persist(id, vec![Change::Error(Some(error))]).await {
            tracing::error!(error = %e, "could not write the task history");
        }
        self.inner.events.changed(&[row]);
    }

    /// Marks the due tasks in flight and returns them, with the next wake-up time.
    fn take_due(&self) -> (Vec<String>, Option<Instant>) {
        let mut st = self.lock();
        let now = Instant::now();
        let mut due = Vec::new();
        let mut next: Option<Instant> = None;
        let State { tasks, paused, .. } = &mut *st;
        for t in tasks.values_mut() {
            if t.record.tracking != Tracking::Active
                || t.in_flight
                || paused.contains_key(&t.record.base_url)
            {
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

    fn gate(&self, base: &str) -> Arc<Gate> {
        let mut st = self.lock();
        let per = self.inner.config.per_gateway.max(1);
        Arc::clone(st.gates.entry(base.to_owned()).or_insert_with(|| {
            Arc::new(Gate {
                in_flight: Arc::new(Semaphore::new(per)),
                sent: tokio::sync::Mutex::new(VecDeque::new()),
            })
        }))
    }

    /// Waits for a free slot at this gateway, within its per-minute budget.
    async fn admit(&self, gate: &Gate) -> Option<tokio::sync::OwnedSemaphorePermit> {
        const WINDOW: Duration = Duration::from_secs(60);
        let permit = Arc::clone(&gate.in_flight).acquire_owned().await.ok()?;
        let limit = self.inner.config.per_minute.max(1);
        loop {
            let mut sent = gate.sent.lock().await;
            let now = Instant::now();
            while sent
                .front()
                .is_some_and(|at| now.saturating_duration_since(*at) >= WINDOW)
            {
                sent.pop_front();
            }
            match rate_limit_wait(&sent, now, limit, WINDOW) {
                None => {
                    sent.push_back(now);
                    return Some(permit);
                }
                Some(wait) => {
                    drop(sent);
                    tokio::time::sleep(wait.max(Duration::from_millis(10))).await;
                }
            }
        }
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
        let Some(_permit) = self.admit(&gate).await else {
            self.finish_in_flight(&id);
            return;
        };
        if self.lock().paused.contains_key(&base_text) {
            self.finish_in_flight(&id);
            return;
        }
        let row = self.lock().tasks.get(&id).map(|t| row_of(t, true));
        if let Some(row) = row {
            self.inner.events.changed(&[row]);
        }
        let outcome = self.query(&base_text, &id).await;
        self.apply(&id, &base_text, outcome).await;
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
        self.apply(id, &base_text, outcome).await;
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
        let key = self.inner.keys.require(&base).await?;
        self.inner.queries.fetch_add(1, Ordering::Relaxed);
        // No retries inside the query: the poller's own backoff spaces them out.
        let once = RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        };
        let outcome = self.inner.client.query_with(&base, &key, &id, &once).await;
        if let Err(ApiError::Unauthorized { .. }) = &outcome {
            // Read the keyring again next time: the key may have been fixed elsewhere.
            self.inner.keys.forget(&base);
        }
        let outcome = outcome?;
        Ok((outcome.task, outcome.raw))
    }

    async fn apply(
        &self,
        id: &str,
        base_text: &str,
        outcome: Result<(TaskSnapshot, Value), AppError>,
    ) {
        let now = now_unix();
        let unit = jitter_unit();
        let (changes, row, decision) = {
            let mut st = self.lock();
            let Some(t) = st.tasks.get_mut(id) else {
                return;
            };
            t.in_flight = false;
            let state = TaskState {
                added_at: t.record.added_at,
                was_final: t.snapshot.as_ref().is_some_and(|s| s.status.is_final()),
                failures: t.failures,
            };
            let config = &self.inner.config;
            let decision = match &outcome {
                Ok((snap, _)) => decide(Outcome::Answer(snap), &state, config, now, unit),
                Err(e) => decide(Outcome::Failed(e), &state, config, now, unit),
            };
            let raw = outcome.ok().map(|(_, raw)| raw);
            t.failures = decision.failures;
            t.record.checked_at = Some(now);
            t.record.tracking = decision.tracking;
            t.record.error = decision.error.clone();
            if decision.finished_now {
                t.record.unseen = true;
            }
            if let Some(raw) = &raw {
                t.record.raw = Some(raw.clone());
                t.snapshot = t.record.snapshot();
            }
            let wait = decision.next_in.unwrap_or(Duration::ZERO);
            t.next_due = Instant::now() + wait;
            t.retry_at = decision
                .waiting
                .then(|| now.saturating_add(i64::try_from(wait.as_secs()).unwrap_or(i64::MAX)));
            let mut changes = vec![Change::Answer {
                tracking: decision.tracking,
                raw,
                error: decision.error.clone(),
                checked_at: now,
            }];
            if decision.finished_now {
                changes.push(Change::Unseen(true));
            }
            let row = row_of(t, false);
            if decision.pause_gateway {
                if let Some(reason) = &decision.error {
                    st.paused.insert(base_text.to_owned(), reason.clone());
                }
            }
            (changes, row, decision)
        };
        match self.persist(id, changes).await {
            Ok(true) => {}
            // Removed by another process meanwhile: nothing more to tell.
            Ok(false) => return,
            Err(e) => tracing::error!(error = %e, "could not write the task history"),
        }
        self.inner.events.changed(std::slice::from_ref(&row));
        if decision.finished_now {
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
        if decision.pause_gateway {
            self.inner.events.paused(decision.error.as_ref());
        }
    }
}

/// A number in `0..1` for the poll policy's jitter, from the standard library's
/// randomly keyed hasher (spread, not secrecy, is what matters here).
fn jitter_unit() -> f64 {
    use std::hash::BuildHasher;
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    (std::collections::hash_map::RandomState::new().hash_one(n) % 10_000) as f64 / 10_000.0
}

/// The message a panic carried, when it is text.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}
