//! The watched tasks and their poller: which tasks Paddock watches, when it asks
//! the gateway about each, and what it tells the UI.
//!
//! One tokio task owns the schedule. It sleeps until the earliest due task, or, when
//! nothing is unfinished, waits on a `Notify` with no timer at all, so an idle app does
//! no work. Queries run concurrently, at most `per_gateway` at a time and `per_minute`
//! a minute per gateway; what each answer means is [`decide`]'s, and it is written to
//! the history before the UI hears of it, so a crash never loses what was shown.

use std::cell::OnceCell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::{Notify, Semaphore};
use tokio::time::Instant;

use super::gate::Gate;
use super::policy::PollConfig;
use super::rows::{row_of, AddSummary, TaskEvents, TaskRow};
use super::store::{Change, StoredError, TaskRecord, TaskStore, Tracking};
use crate::error::Error;
use crate::gateway::{AnyfastClient, BaseUrl, TaskSnapshot};
use crate::ids::{extract_ids, TaskId};
use crate::keys::KeyStore;
use crate::timefmt::now_unix;
use crate::videos::{Saves, DEFAULT_MAX_BYTES};

/// The most text one paste may hold: a log of this size has hundreds of thousands
/// of IDs; anything larger is not a paste.
pub const MAX_PASTE_BYTES: usize = 16 << 20;

pub(super) struct Tracked {
    pub(super) record: TaskRecord,
    /// `record.snapshot()`, parsed once per answer rather than on every list request
    /// (ten thousand rows are rebuilt each time the window asks for them), and at
    /// first use: the first screen needs the newest 200, and parsing all of 9,900
    /// tasks' answers before the window opened took 70 ms. The rest are parsed when
    /// every row is first asked for (the page's second call, the CLI's list).
    snapshot: OnceCell<Option<TaskSnapshot>>,
    pub(super) next_due: Instant,
    pub(super) failures: u32,
    pub(super) in_flight: bool,
    /// Unix time of the next try while a passing fault is waited out.
    pub(super) retry_at: Option<i64>,
    /// Where and what to ask, parsed once when the task was added or loaded: the
    /// ID and the gateway, or why they cannot be asked about.
    pub(super) target: Result<(BaseUrl, TaskId), Error>,
}

impl Tracked {
    fn new(record: TaskRecord, due: Instant) -> Self {
        let target = BaseUrl::parse(&record.base_url)
            .and_then(|base| Ok((base, TaskId::parse(&record.id)?)));
        Self {
            snapshot: OnceCell::new(),
            target,
            record,
            next_due: due,
            failures: 0,
            in_flight: false,
            retry_at: None,
        }
    }

    pub(super) fn snapshot(&self) -> Option<&TaskSnapshot> {
        self.snapshot
            .get_or_init(|| self.record.snapshot())
            .as_ref()
    }

    /// The snapshot of a new answer, parsed by the client; `record.raw` holds the
    /// same answer.
    pub(super) fn set_snapshot(&mut self, snapshot: TaskSnapshot) {
        self.snapshot = OnceCell::from(Some(snapshot));
    }

    pub(super) fn row(&self, checking: bool) -> TaskRow {
        row_of(&self.record, self.snapshot(), self.retry_at, checking)
    }
}

pub(super) struct State {
    pub(super) tasks: HashMap<String, Tracked>,
    /// Gateways that rejected their key, and why: only their tasks wait.
    pub(super) paused: HashMap<String, StoredError>,
    pub(super) gates: HashMap<String, Arc<Gate>>,
}

pub(super) struct Inner {
    pub(super) store: Arc<TaskStore>,
    pub(super) client: AnyfastClient,
    pub(super) keys: KeyStore,
    pub(super) events: Arc<dyn TaskEvents>,
    pub(super) config: PollConfig,
    pub(super) state: Mutex<State>,
    pub(super) wake: Notify,
    /// How many queries the poller has sent; for tests and benchmarks.
    pub(super) queries: AtomicU64,
    /// The user paused all watching (the tray's Pause): nothing is asked until resumed.
    pub(super) held: std::sync::atomic::AtomicBool,
    /// Where to save videos the moment their task succeeds (None: auto-save off).
    pub(super) auto_save: Mutex<Option<PathBuf>>,
    /// The size cap of every save, from Settings.
    pub(super) max_video_bytes: AtomicU64,
    /// Saves in progress: auto-save, the Save button and the CLI all go through it.
    pub(super) saves: Saves,
    /// Auto-saves at most this many at a time, so a batch finishing together does
    /// not open dozens of connections to the storage host.
    pub(super) auto_save_slots: Arc<Semaphore>,
    /// Auto-saves started and not yet over (waiting for a slot included), so a
    /// background run does not quit between a success and its save.
    pub(super) auto_saves_pending: Arc<std::sync::atomic::AtomicUsize>,
}

/// Auto-saves running at once.
pub(super) const AUTO_SAVES_AT_ONCE: usize = 2;

/// The watched tasks and their poller. Cheap to clone.
#[derive(Clone)]
pub struct Tracker {
    pub(super) inner: Arc<Inner>,
}

impl Tracker {
    /// Loads the history; unfinished tasks are due at once when `run` starts.
    pub fn new(
        store: Arc<TaskStore>,
        client: AnyfastClient,
        keys: KeyStore,
        events: Arc<dyn TaskEvents>,
        config: PollConfig,
    ) -> Result<Self, Error> {
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
                held: std::sync::atomic::AtomicBool::new(false),
                auto_save: Mutex::new(None),
                max_video_bytes: AtomicU64::new(DEFAULT_MAX_BYTES),
                saves: Saves::default(),
                auto_save_slots: Arc::new(Semaphore::new(AUTO_SAVES_AT_ONCE)),
                auto_saves_pending: Arc::default(),
            }),
        })
    }

    pub(super) fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.inner.state.lock().unwrap_or_else(|p| p.into_inner())
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
    pub async fn add_text(&self, text: String, base_url: &BaseUrl) -> Result<AddSummary, Error> {
        if text.len() > MAX_PASTE_BYTES {
            return Err(Error::PasteTooLarge(MAX_PASTE_BYTES >> 20));
        }
        let extraction = tokio::task::spawn_blocking(move || extract_ids(&text))
            .await
            .unwrap_or_default();
        let mut summary = AddSummary {
            already_tracked: extraction.duplicates,
            rejected: extraction.rejected,
            first: extraction.ids.first().map(|id| id.as_str().to_owned()),
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
        for (record, new) in self.add_records(fresh).await? {
            if new {
                summary.added += 1;
                summary.ids.push(record);
            } else {
                summary.already_tracked += 1;
            }
        }
        Ok(summary)
    }

    /// Starts watching a task just created from Paddock (its request is kept with it).
    pub async fn add_created(&self, record: TaskRecord) -> Result<(), Error> {
        self.add_records(vec![record]).await.map(|_| ())
    }

    /// Writes new tasks to the history and starts watching them at once; says for
    /// each ID whether it was new.
    async fn add_records(&self, fresh: Vec<TaskRecord>) -> Result<Vec<(String, bool)>, Error> {
        let store = Arc::clone(&self.inner.store);
        let to_insert = fresh.clone();
        let inserted = tokio::task::spawn_blocking(move || store.insert_new(&to_insert))
            .await
            .map_err(|e| Error::HistoryWrite(e.to_string()))??;
        let mut rows = Vec::new();
        let mut outcome = Vec::new();
        {
            let mut st = self.lock();
            let due = Instant::now();
            for (record, new) in fresh.into_iter().zip(inserted) {
                outcome.push((record.id.clone(), new));
                if new {
                    let tracked = Tracked::new(record, due);
                    rows.push(tracked.row(false));
                    st.tasks.insert(tracked.record.id.clone(), tracked);
                }
            }
        }
        if !rows.is_empty() {
            self.inner.events.changed(&rows);
            self.inner.wake.notify_one();
        }
        Ok(outcome)
    }

    /// Pauses (false) or resumes (true) all watching, as the user asked.
    pub fn set_watching(&self, on: bool) {
        self.inner.held.store(!on, Ordering::Relaxed);
        if on {
            self.resume();
        }
    }

    /// Whether watching goes on (not paused by the user).
    pub fn watching(&self) -> bool {
        !self.inner.held.load(Ordering::Relaxed)
    }

    /// Forgets tasks (history included).
    pub async fn remove(&self, ids: Vec<String>) -> Result<usize, Error> {
        let store = Arc::clone(&self.inner.store);
        let to_delete = ids.clone();
        let n = tokio::task::spawn_blocking(move || store.remove(&to_delete))
            .await
            .map_err(|e| Error::HistoryWrite(e.to_string()))??;
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
    pub async fn clear_finished(&self) -> Result<usize, Error> {
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
    pub async fn mark_seen(&self, id: &str) -> Result<(), Error> {
        self.update_record(id, |r| {
            r.unseen = false;
            vec![Change::Unseen(false)]
        })
        .await
    }

    /// Records where a task's video was saved.
    pub async fn set_saved_path(&self, id: &str, path: &str) -> Result<(), Error> {
        let path = path.to_owned();
        self.update_record(id, move |r| {
            r.saved_path = Some(path.clone());
            vec![Change::SavedPath(Some(path))]
        })
        .await
    }

    /// Changes one task in memory and the same columns on disk.
    pub(super) async fn update_record(
        &self,
        id: &str,
        change: impl FnOnce(&mut TaskRecord) -> Vec<Change>,
    ) -> Result<(), Error> {
        let (changes, row) = {
            let mut st = self.lock();
            let Some(t) = st.tasks.get_mut(id) else {
                return Ok(());
            };
            let changes = change(&mut t.record);
            (changes, t.row(t.in_flight))
        };
        if self.persist(id, changes).await? {
            self.inner.events.changed(&[row]);
        }
        Ok(())
    }

    /// Writes the changed columns; false when the row is gone. A row another process
    /// (the CLI's `remove`) took out of the history is dropped here too, never
    /// written back.
    pub(super) async fn persist(&self, id: &str, changes: Vec<Change>) -> Result<bool, Error> {
        let store = Arc::clone(&self.inner.store);
        let key = id.to_owned();
        let exists = tokio::task::spawn_blocking(move || store.update(&key, &changes))
            .await
            .map_err(|e| Error::HistoryWrite(e.to_string()))??;
        if !exists {
            self.lock().tasks.remove(id);
            self.inner.events.removed(&[id.to_owned()]);
        }
        Ok(exists)
    }
}
