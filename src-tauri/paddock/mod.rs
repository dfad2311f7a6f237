//! The core the window and the command line share: settings, the key store and the
//! client, put together. Nothing here knows about Tauri.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use serde::Serialize;

use crate::error::Error;
use crate::gateway::{AnyfastClient, ApiKey, BaseUrl, ClientConfig, QueryOutcome};
use crate::ids::TaskId;
use crate::keys::{KeyStatus, KeyStore};
use crate::settings::{Settings, SettingsFile};
use crate::tasks::{
    AddSummary, NewestRows, PollConfig, StoredError, TaskDetail, TaskEvents, TaskRow, TaskStore,
    Tracker,
};
use crate::videos::{MediaServer, Posters};

mod background;
mod create;
mod posters;
mod video;
mod words;

pub use background::{may_exit, on_close, tray_look, Activity, OnClose, TrayLook};
pub use create::model_name;
pub use video::DestinationTicket;
use video::HeldDestination;
pub use words::{Language, Word};

/// The folder auto-save writes to: the chosen one, or Videos/Paddock.
pub fn auto_save_folder(settings: &Settings) -> PathBuf {
    if settings.save_folder.trim().is_empty() {
        crate::folders::default_save_folder()
    } else {
        PathBuf::from(settings.save_folder.trim())
    }
}

/// Settings as the settings screen shows them.
#[derive(Debug, Clone, Serialize)]
pub struct SettingsView {
    #[serde(flatten)]
    pub settings: Settings,
    /// The base URL in force when `ANYFAST_BASE_URL` overrides the saved one.
    pub env_base_url: Option<String>,
    pub data_dir: String,
    /// The folder auto-save uses when `save_folder` is empty.
    pub default_save_folder: String,
}

/// Paddock's core, shared by the GUI and the CLI.
pub struct Paddock {
    pub client: AnyfastClient,
    pub keys: KeyStore,
    settings_file: SettingsFile,
    settings: Mutex<Settings>,
    data_dir: PathBuf,
    pub(crate) store: Arc<TaskStore>,
    pub(crate) tracker: OnceLock<Tracker>,
    /// Destinations the user chose in the save dialog, by token: the page holds the
    /// token, never the path, so it cannot make Paddock write anywhere else.
    pub(crate) held_destinations: Mutex<HashMap<String, HeldDestination>>,
    pub(crate) media: tokio::sync::OnceCell<MediaServer>,
    pub(crate) posters: Posters,
    follow_auto_save: std::sync::atomic::AtomicBool,
    /// Creations sent and not answered yet: a background run waits for them.
    pub(crate) creating: Arc<std::sync::atomic::AtomicUsize>,
    /// Things the user should read once after start-up (a settings file moved aside).
    pub notices: Vec<String>,
}

impl Paddock {
    /// Opens the data folder and reads settings; the HTTP client is built on first use.
    pub fn open(data_dir: &Path, keys: KeyStore, config: ClientConfig) -> Result<Self, Error> {
        let settings_file = SettingsFile::in_dir(data_dir);
        let loaded = settings_file.load();
        let opened = TaskStore::open(data_dir)?;
        Ok(Self {
            client: AnyfastClient::new(config),
            keys,
            settings_file,
            settings: Mutex::new(loaded.settings),
            data_dir: data_dir.to_owned(),
            store: Arc::new(opened.store),
            tracker: OnceLock::new(),
            held_destinations: Mutex::new(HashMap::new()),
            media: tokio::sync::OnceCell::new(),
            posters: Posters::new(data_dir),
            follow_auto_save: std::sync::atomic::AtomicBool::new(false),
            creating: Arc::default(),
            notices: loaded.notice.into_iter().chain(opened.notice).collect(),
        })
    }

    /// Loads the history into the tracker (once), reporting to `events`; the caller
    /// runs [`poller`](Self::poller) on its runtime.
    pub fn start_tracker(
        &self,
        events: Arc<dyn TaskEvents>,
        config: PollConfig,
    ) -> Result<(), Error> {
        if self.tracker.get().is_some() {
            return Ok(());
        }
        let tracker = Tracker::new(
            Arc::clone(&self.store),
            self.client.clone(),
            self.keys.clone(),
            events,
            config,
        )?;
        tracker.set_max_video_bytes(self.current().max_video_bytes());
        let _ = self.tracker.set(tracker);
        Ok(())
    }

    /// The poller, to run on the caller's runtime until it shuts down.
    pub fn poller(&self) -> Result<impl std::future::Future<Output = ()>, Error> {
        Ok(self.ready_tracker()?.clone().run())
    }

    /// Every task, newest first.
    pub fn rows(&self) -> Result<Vec<TaskRow>, Error> {
        Ok(self.ready_tracker()?.rows())
    }

    /// The `limit` newest tasks and how many there are: the window's first screen.
    pub fn newest_rows(&self, limit: usize) -> Result<NewestRows, Error> {
        Ok(self.ready_tracker()?.newest_rows(limit))
    }

    /// Everything about one task as last seen (no local playback URL; see
    /// [`detail`](Self::detail)).
    pub fn task(&self, id: &str) -> Result<Option<TaskDetail>, Error> {
        Ok(self.ready_tracker()?.detail(id))
    }

    /// Stars or unstars a task; false when it is not in the history.
    pub async fn set_starred(&self, id: &str, on: bool) -> Result<bool, Error> {
        let id = crate::ids::TaskId::parse(id)?;
        self.ready_tracker()?.set_starred(id.as_str(), on).await
    }

    /// Adds and removes a task's tags; its tags after, or None when it is not in
    /// the history.
    pub async fn change_tags(
        &self,
        id: &str,
        add: &[String],
        remove: &[String],
    ) -> Result<Option<Vec<String>>, Error> {
        let id = crate::ids::TaskId::parse(id)?;
        self.ready_tracker()?
            .change_tags(id.as_str(), add, remove)
            .await
    }

    /// Billed seconds of the finished tasks, per local day and tier, from `since`
    /// (`YYYY-MM-DD`).
    pub async fn usage(&self, since: Option<String>) -> Result<crate::tasks::usage::Usage, Error> {
        use crate::tasks::usage::{billed_of, summarize, Billed};
        let store = Arc::clone(&self.store);
        tokio::task::spawn_blocking(move || {
            let finished: Vec<_> = store.load_all()?.iter().filter_map(billed_of).collect();
            let times: Vec<i64> = finished.iter().map(|f| f.0).collect();
            let dates = store.local_dates(&times)?;
            let items: Vec<Billed> = finished
                .into_iter()
                .zip(dates)
                .map(|((_, succeeded, tier, seconds), date)| Billed {
                    date,
                    succeeded,
                    tier,
                    seconds,
                })
                .collect();
            Ok(summarize(&items, since.as_deref()))
        })
        .await
        .map_err(|e| Error::HistoryOpen(e.to_string()))?
    }

    /// Forgets tasks (history included).
    pub async fn remove(&self, ids: Vec<String>) -> Result<usize, Error> {
        let posters: Vec<TaskId> = ids.iter().filter_map(|i| TaskId::parse(i).ok()).collect();
        let removed = self.ready_tracker()?.remove(ids).await?;
        let kept = self.posters.clone();
        let _ = tokio::task::spawn_blocking(move || posters.iter().for_each(|id| kept.remove(id)))
            .await;
        Ok(removed)
    }

    /// Forgets every task that will not change any more.
    pub async fn clear_finished(&self) -> Result<usize, Error> {
        self.ready_tracker()?.clear_finished().await
    }

    /// Asks the gateway again now about one task, even a finished one.
    pub fn refresh(&self, id: &str) -> Result<(), Error> {
        self.ready_tracker()?.refresh(id);
        Ok(())
    }

    /// Asks again now about every unfinished task.
    pub fn refresh_all(&self) -> Result<(), Error> {
        self.ready_tracker()?.refresh_all();
        Ok(())
    }

    /// Queries one tracked task right now, outside the schedule.
    pub async fn query_now(&self, id: &str) -> Result<Option<TaskDetail>, Error> {
        Ok(self.ready_tracker()?.query_now(id).await)
    }

    /// The user looked at a finished task.
    pub async fn mark_seen(&self, id: &str) -> Result<(), Error> {
        self.ready_tracker()?.mark_seen(id).await
    }

    /// Why querying is paused for some gateway, if it is.
    pub fn paused(&self) -> Option<StoredError> {
        self.tracker.get().and_then(Tracker::paused)
    }

    /// Adds the task IDs found in pasted text, for the gateway in force.
    pub async fn add_text(&self, text: String) -> Result<AddSummary, Error> {
        let base = self.base_url()?;
        self.ready_tracker()?.add_text(text, &base).await
    }

    /// Where settings, history and the webview's storage live.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub(crate) fn current(&self) -> Settings {
        self.settings
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn settings(&self) -> SettingsView {
        SettingsView {
            settings: self.current(),
            env_base_url: self.settings_file.env_base_url.clone(),
            data_dir: self.data_dir.display().to_string(),
            default_save_folder: crate::folders::default_save_folder().display().to_string(),
        }
    }

    pub fn save_settings(&self, new: Settings) -> Result<SettingsView, Error> {
        let mut new = new;
        new.base_url = BaseUrl::parse(&new.base_url)?.as_str().to_owned();
        self.settings_file.save(&new)?;
        self.apply_auto_save(&new);
        *self.settings.lock().unwrap_or_else(|p| p.into_inner()) = new;
        Ok(self.settings())
    }

    /// The gateway in force.
    pub fn base_url(&self) -> Result<BaseUrl, Error> {
        self.settings_file.effective_base_url(&self.current())
    }

    /// The start-up work the window's first paint does not wait for: the HTTP
    /// clients the gateway and its videos will use are built (each reads the system's
    /// certificates), and the keyring is checked once, for the log (the window asks
    /// again with `key_status` and explains it to the user).
    pub async fn after_first_paint(&self) {
        let warmed = match self.base_url() {
            Ok(base) => self.client.warm_up(&base).await,
            Err(e) => Err(e),
        };
        if let Err(e) = warmed {
            tracing::warn!(code = e.code(), "{e}");
        }
        match self.keys.probe().await {
            Ok(()) => tracing::info!("system keyring available"),
            Err(e) => tracing::warn!(code = e.code(), "system keyring unavailable: {e}"),
        }
    }

    pub async fn key_status(&self) -> Result<KeyStatus, Error> {
        Ok(self.keys.status(&self.base_url()?).await)
    }

    /// Stores a key for the current gateway. The text never leaves this function
    /// except into the keyring.
    pub async fn set_key(&self, text: &str) -> Result<KeyStatus, Error> {
        let key = ApiKey::new(text)?;
        let base = self.base_url()?;
        self.keys.set(&base, key).await?;
        if let Some(t) = self.tracker.get() {
            t.resume();
        }
        Ok(self.keys.status(&base).await)
    }

    pub async fn remove_key(&self) -> Result<KeyStatus, Error> {
        let base = self.base_url()?;
        self.keys.remove(&base).await?;
        Ok(self.keys.status(&base).await)
    }

    /// Validates the ID, finds the key, asks the gateway.
    pub async fn query(&self, id_text: &str) -> Result<QueryOutcome, Error> {
        let id = TaskId::parse(id_text).map_err(Error::from)?;
        let base = self.base_url()?;
        let key = self.keys.require(&base).await?;
        self.client.query(&base, &key, &id).await
    }

    pub(crate) fn ready_tracker(&self) -> Result<&Tracker, Error> {
        self.tracker
            .get()
            .ok_or_else(|| Error::HistoryOpen("the task list is not ready".into()))
    }

    /// Lets the auto-save setting act (the window does; the CLI saves only when asked).
    pub fn follow_auto_save_setting(&self) {
        self.follow_auto_save
            .store(true, std::sync::atomic::Ordering::Relaxed);
        self.apply_auto_save(&self.current());
    }

    fn apply_auto_save(&self, settings: &Settings) {
        if let Some(t) = self.tracker.get() {
            t.set_max_video_bytes(settings.max_video_bytes());
        }
        if !self
            .follow_auto_save
            .load(std::sync::atomic::Ordering::Relaxed)
        {
            return;
        }
        if let Some(t) = self.tracker.get() {
            t.set_auto_save(settings.auto_save.then(|| auto_save_folder(settings)));
        }
    }
}
