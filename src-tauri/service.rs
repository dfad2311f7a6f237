//! The core the window and the command line share: settings, the key store and the
//! client, put together. Nothing here knows about Tauri.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use serde::{Serialize, Serializer};

use crate::api::{AnyfastClient, ApiError, BaseUrl, ClientConfig, QueryOutcome};
use crate::download::{self, DownloadError, Progress, SaveOptions};
use crate::ids::TaskId;
use crate::keystore::{ApiKey, KeyError, KeyStatus, KeyStore};
use crate::media_server::MediaServer;
use crate::settings::{Settings, SettingsError, SettingsFile};
use crate::store::{StoreError, TaskStore};
use crate::tracker::{AddSummary, PollConfig, TaskDetail, TaskEvents, Tracker};

/// Any error a user action can end in; serialised as the inner error's `{code, message}`.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Download(#[from] DownloadError),
}

impl AppError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Api(e) => e.code(),
            Self::Key(e) => e.code(),
            Self::Settings(e) => e.code(),
            Self::Store(e) => e.code(),
            Self::Download(e) => e.code(),
        }
    }
}

impl Serialize for AppError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Api(e) => e.serialize(serializer),
            Self::Key(e) => e.serialize(serializer),
            Self::Settings(_) | Self::Store(_) | Self::Download(_) => {
                use serde::ser::SerializeStruct;
                let mut s = serializer.serialize_struct("AppError", 2)?;
                s.serialize_field("code", self.code())?;
                s.serialize_field("message", &self.to_string())?;
                s.end()
            }
        }
    }
}

/// The folder auto-save writes to: the chosen one, or Videos/Paddock.
pub fn auto_save_folder(settings: &Settings) -> PathBuf {
    if settings.save_folder.trim().is_empty() {
        crate::settings::default_save_folder()
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

/// A save destination chosen by the user, waiting for its save to start.
struct HeldDestination {
    task: String,
    path: PathBuf,
    /// The dialog already asked about replacing an existing file.
    overwrite: bool,
}

/// Destinations waiting for their save at most; more means tickets were abandoned.
const MAX_HELD_DESTINATIONS: usize = 64;

/// What the page learns of a chosen destination: a token to save with, and the
/// path to show.
#[derive(Debug, Clone, Serialize)]
pub struct DestinationTicket {
    pub token: String,
    pub path: String,
}

/// Paddock's core, shared by the GUI and the CLI.
pub struct Paddock {
    pub client: AnyfastClient,
    pub keys: KeyStore,
    settings_file: SettingsFile,
    settings: Mutex<Settings>,
    data_dir: PathBuf,
    store: Arc<TaskStore>,
    tracker: OnceLock<Tracker>,
    /// Destinations the user chose in the save dialog, by token: the page holds the
    /// token, never the path, so it cannot make Paddock write anywhere else.
    held_destinations: Mutex<HashMap<String, HeldDestination>>,
    media: tokio::sync::OnceCell<MediaServer>,
    follow_auto_save: std::sync::atomic::AtomicBool,
    /// Things the user should read once after start-up (a settings file moved aside).
    pub notices: Vec<String>,
}

impl Paddock {
    /// Opens the data folder, reads settings and builds the one HTTP client.
    pub fn open(data_dir: &Path, keys: KeyStore, config: ClientConfig) -> Result<Self, AppError> {
        let settings_file = SettingsFile::in_dir(data_dir);
        let loaded = settings_file.load();
        let opened = TaskStore::open(data_dir)?;
        Ok(Self {
            client: AnyfastClient::new(config)?,
            keys,
            settings_file,
            settings: Mutex::new(loaded.settings),
            data_dir: data_dir.to_owned(),
            store: Arc::new(opened.store),
            tracker: OnceLock::new(),
            held_destinations: Mutex::new(HashMap::new()),
            media: tokio::sync::OnceCell::new(),
            follow_auto_save: std::sync::atomic::AtomicBool::new(false),
            notices: loaded.notice.into_iter().chain(opened.notice).collect(),
        })
    }

    /// Creates the task tracker (once) reporting to `events`; the caller spawns
    /// `tracker.clone().run()` on its runtime.
    pub fn start_tracker(
        &self,
        events: Arc<dyn TaskEvents>,
        config: PollConfig,
    ) -> Result<Tracker, AppError> {
        if let Some(t) = self.tracker.get() {
            return Ok(t.clone());
        }
        let tracker = Tracker::new(
            Arc::clone(&self.store),
            self.client.clone(),
            self.keys.clone(),
            events,
            config,
        )?;
        tracker.set_max_video_bytes(self.current().max_video_bytes());
        Ok(self.tracker.get_or_init(|| tracker).clone())
    }

    /// The tracker, once started.
    pub fn tracker(&self) -> Option<&Tracker> {
        self.tracker.get()
    }

    /// Adds the task IDs found in pasted text, for the gateway in force.
    pub async fn add_text(&self, text: String) -> Result<AddSummary, AppError> {
        let base = self.base_url()?;
        Ok(self.ready_tracker()?.add_text(text, &base).await?)
    }

    /// Where settings, history and the webview's storage live.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    fn current(&self) -> Settings {
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
            default_save_folder: crate::settings::default_save_folder().display().to_string(),
        }
    }

    pub fn save_settings(&self, new: Settings) -> Result<SettingsView, AppError> {
        let mut new = new;
        new.base_url = BaseUrl::parse(&new.base_url)?.as_str().to_owned();
        self.settings_file.save(&new)?;
        self.apply_auto_save(&new);
        *self.settings.lock().unwrap_or_else(|p| p.into_inner()) = new;
        Ok(self.settings())
    }

    /// The gateway in force.
    pub fn base_url(&self) -> Result<BaseUrl, AppError> {
        Ok(self.settings_file.effective_base_url(&self.current())?)
    }

    pub async fn key_status(&self) -> Result<KeyStatus, AppError> {
        Ok(self.keys.status(&self.base_url()?).await)
    }

    /// Stores a key for the current gateway. The text never leaves this function
    /// except into the keyring.
    pub async fn set_key(&self, text: &str) -> Result<KeyStatus, AppError> {
        let key = ApiKey::new(text)?;
        let base = self.base_url()?;
        self.keys.set(&base, key).await?;
        if let Some(t) = self.tracker() {
            t.resume();
        }
        Ok(self.keys.status(&base).await)
    }

    pub async fn remove_key(&self) -> Result<KeyStatus, AppError> {
        let base = self.base_url()?;
        self.keys.remove(&base).await?;
        Ok(self.keys.status(&base).await)
    }

    /// Validates the ID, finds the key, asks the gateway.
    pub async fn query(&self, id_text: &str) -> Result<QueryOutcome, AppError> {
        let id = TaskId::parse(id_text).map_err(ApiError::from)?;
        let base = self.base_url()?;
        let key = self.keys.require(&base).await?;
        Ok(self.client.query(&base, &key, &id).await?)
    }

    fn ready_tracker(&self) -> Result<&Tracker, AppError> {
        Ok(self
            .tracker()
            .ok_or_else(|| StoreError::Open("the task list is not ready".into()))?)
    }

    /// A sensible file name for a task's video: date, prompt slug, short ID.
    pub fn default_file_name(&self, id: &str) -> Result<String, AppError> {
        let detail = self.ready_tracker()?.detail(id);
        let task = detail.as_ref().and_then(|d| d.task.as_ref());
        Ok(download::default_file_name(
            id,
            task.and_then(|t| t.prompt.as_deref()),
            task.and_then(|t| t.finished_at),
        ))
    }

    /// Saves a succeeded task's video to `dest` and records the path in the history.
    /// One save per task at a time; [`cancel_download`](Self::cancel_download) stops it.
    /// `overwrite` replaces an existing file (the user confirmed it).
    pub async fn save_video(
        &self,
        id: &str,
        dest: &Path,
        overwrite: bool,
        max_bytes: Option<u64>,
        on_progress: impl FnMut(Progress),
    ) -> Result<PathBuf, AppError> {
        let tracker = self.ready_tracker()?;
        let options = SaveOptions {
            max_bytes: max_bytes.unwrap_or_else(|| self.current().max_video_bytes()),
            overwrite,
        };
        tracker.save_video(id, dest, options, on_progress).await
    }

    /// Keeps a destination the user chose for one task's video and returns a ticket
    /// for it. Only [`save_to_destination`](Self::save_to_destination) redeems it.
    pub fn hold_destination(
        &self,
        id: &TaskId,
        path: PathBuf,
        overwrite: bool,
    ) -> Result<DestinationTicket, AppError> {
        let token = crate::token::random_token().map_err(|e| DownloadError::Disk {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        let ticket = DestinationTicket {
            token: token.clone(),
            path: path.display().to_string(),
        };
        let mut held = self
            .held_destinations
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        // Chosen and never used (the save was abandoned): at most a few are kept.
        if held.len() >= MAX_HELD_DESTINATIONS {
            held.clear();
        }
        held.insert(
            token,
            HeldDestination {
                task: id.as_str().to_owned(),
                path,
                overwrite,
            },
        );
        Ok(ticket)
    }

    /// Saves a task's video to the destination held under `token` (once; the token
    /// is spent). A token for another task is refused.
    pub async fn save_to_destination(
        &self,
        id: &TaskId,
        token: &str,
        on_progress: impl FnMut(Progress),
    ) -> Result<PathBuf, AppError> {
        let held = self
            .held_destinations
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(token)
            .filter(|h| h.task == id.as_str())
            .ok_or(DownloadError::NoDestination)?;
        self.save_video(id.as_str(), &held.path, held.overwrite, None, on_progress)
            .await
    }

    /// The saved copy of a task's video: a regular file that exists and is not a
    /// program. A path in the history that is anything else (a folder, something
    /// executable a tampered history points at) is refused.
    pub async fn saved_video(&self, id: &TaskId) -> Result<PathBuf, AppError> {
        let path = self
            .ready_tracker()?
            .record(id.as_str())
            .and_then(|r| r.saved_path)
            .map(PathBuf::from)
            .ok_or(DownloadError::NoVideo)?;
        let meta = tokio::fs::symlink_metadata(&path)
            .await
            .map_err(|_| DownloadError::SavedCopyGone(path.display().to_string()))?;
        #[cfg(unix)]
        let executable = {
            use std::os::unix::fs::PermissionsExt;
            meta.permissions().mode() & 0o111 != 0
        };
        #[cfg(not(unix))]
        let executable = path.extension().is_some_and(|e| {
            ["exe", "bat", "cmd", "com", "lnk", "ps1", "msi", "app"]
                .iter()
                .any(|x| e.eq_ignore_ascii_case(x))
        });
        if meta.is_file() && !executable {
            Ok(path)
        } else {
            Err(DownloadError::SavedCopyGone(path.display().to_string()).into())
        }
    }

    /// A task's video link, when it is one Paddock would fetch itself.
    pub fn video_link(&self, id: &TaskId) -> Result<String, AppError> {
        Ok(self
            .ready_tracker()?
            .detail(id.as_str())
            .and_then(|d| d.row.video_url)
            .ok_or(DownloadError::NoVideo)?)
    }

    /// Everything about a task; a saved copy gets a loopback URL the webview can play.
    pub async fn detail(&self, id: &str) -> Result<Option<TaskDetail>, AppError> {
        let Some(mut detail) = self.ready_tracker()?.detail(id) else {
            return Ok(None);
        };
        let id = TaskId::parse(id).map_err(ApiError::from)?;
        if detail.row.saved_path.is_some() {
            if let Ok(saved) = self.saved_video(&id).await {
                let server = self
                    .media
                    .get_or_try_init(MediaServer::start)
                    .await
                    .map_err(|e| DownloadError::Disk {
                        path: saved.display().to_string(),
                        reason: e.to_string(),
                    })?;
                let url = server.url_for(&saved).map_err(|e| DownloadError::Disk {
                    path: saved.display().to_string(),
                    reason: e.to_string(),
                })?;
                detail.local_video_url = Some(url);
            }
        }
        Ok(Some(detail))
    }

    /// Lets the auto-save setting act (the window does; the CLI saves only when asked).
    pub fn follow_auto_save_setting(&self) {
        self.follow_auto_save
            .store(true, std::sync::atomic::Ordering::Relaxed);
        self.apply_auto_save(&self.current());
    }

    fn apply_auto_save(&self, settings: &Settings) {
        if let Some(t) = self.tracker() {
            t.set_max_video_bytes(settings.max_video_bytes());
        }
        if !self
            .follow_auto_save
            .load(std::sync::atomic::Ordering::Relaxed)
        {
            return;
        }
        if let Some(t) = self.tracker() {
            t.set_auto_save(settings.auto_save.then(|| auto_save_folder(settings)));
        }
    }

    /// Stops a running save of this task's video, if there is one.
    pub fn cancel_download(&self, id: &str) -> bool {
        self.tracker().is_some_and(|t| t.cancel_save(id))
    }
}
