//! The one error type of Paddock. Every failure a user can meet is one variant with
//! a stable [`code`](Error::code) (the window translates it, scripts branch on it),
//! a message that names the next step, and an [`exit_code`](Error::exit_code) for
//! the command line. It reaches the webview and `--json` as `{code, message}` (plus
//! the gateway's own words and a wait, when there are any).
//!
//! `detail` fields carry the gateway's or the system's own words, already scrubbed
//! of the key.

use std::time::Duration;

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use crate::ids::InvalidTaskId;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    // What the user typed or chose.
    #[error("{0}")]
    InvalidId(#[from] InvalidTaskId),
    #[error("The base URL {url:?} is not usable: {reason}")]
    InvalidBaseUrl { url: String, reason: String },
    #[error("This is not a valid API key: {0}.")]
    InvalidKey(String),
    #[error("{value:?} is not a known choice for {what}.")]
    InvalidSetting { value: String, what: &'static str },
    #[error("That is too much text to paste at once (more than {0} MiB). Paste it in parts.")]
    PasteTooLarge(usize),
    #[error("{0}")]
    InvalidRequest(String),

    // Creating a task (it may cost money: never sent twice by itself).
    #[error("The gateway refused to create the task (HTTP {status}){}. Nothing was charged.", suffix(.detail))]
    Refused { status: u16, detail: Option<String> },
    #[error("Outcome unknown: the task may have been created and charged ({0}). Check the list in a minute before sending again.")]
    OutcomeUnknown(String),
    #[error("The task {id} was created (and may be charged), but could not be added to the list: {reason}. Paste its ID to watch it; do not send it again.")]
    CreatedNotRecorded { id: String, reason: String },

    // The key.
    #[error("No API key is set. Enter your Anyfast API key in Settings.")]
    MissingKey,
    #[error("No key for this gateway ({0}). ANYFAST_API_KEY belongs to another gateway and is never sent elsewhere; store a key for this one in Settings.")]
    NoKeyForGateway(String),
    #[error("No system keyring was found ({0}). On Linux install and start a Secret Service such as gnome-keyring or KeePassXC; meanwhile the ANYFAST_API_KEY environment variable works.")]
    KeyringUnavailable(String),
    #[error("The system keyring is locked or refused access ({0}). Unlock it and try again.")]
    KeyringLocked(String),
    #[error("The system keyring did not answer in time. Check that it is running and not waiting for a password prompt.")]
    KeyringTimeout,
    #[error("The system keyring failed: {0}")]
    KeyringFailed(String),

    // What the gateway answered.
    #[error("The gateway rejected the API key{}. Check the key in Settings.", suffix(.detail))]
    Unauthorized { detail: Option<String> },
    #[error("The gateway refused access{}. Check the key's allowed IPs and group in the Anyfast console.", suffix(.detail))]
    Forbidden { detail: Option<String> },
    #[error("The gateway does not know this task{}. Check the ID, and that it was created with this key and base URL.", suffix(.detail))]
    NotFound { detail: Option<String> },
    #[error("The gateway is limiting requests{}. Paddock will wait{} and try again.", suffix(.detail), wait_suffix(.retry_after))]
    RateLimited {
        detail: Option<String>,
        retry_after: Option<Duration>,
    },
    #[error("The gateway had a server error (HTTP {status}){}. Wait a moment and try again.", suffix(.detail))]
    Server { status: u16, detail: Option<String> },
    #[error("This base URL does not look like an Anyfast gateway{}. Check the base URL in Settings.", suffix(.detail))]
    NotAGateway { detail: Option<String> },
    #[error("The gateway sent an answer Paddock cannot read{}. Try again; if it persists, check the base URL.", suffix(.detail))]
    BadResponse { detail: Option<String> },
    #[error("The gateway did not answer in time. Check your connection and try again.")]
    Timeout,
    #[error("Could not reach the gateway{}. Check your connection and the base URL.", suffix(.detail))]
    Network { detail: Option<String> },

    // Saving a video.
    #[error("The video link has expired (the storage host answered 403). Links last 24 hours after the task finishes; the video can no longer be saved.")]
    LinkExpired,
    #[error("The storage host answered HTTP {0}. Try again later.")]
    DownloadHttp(u16),
    #[error("The download stopped early ({got} of {expected} bytes) and could not be resumed. Try again.")]
    Truncated { got: u64, expected: u64 },
    #[error(
        "The connection to the storage host failed ({0}). Check your connection and try again."
    )]
    StorageNetwork(String),
    #[error("The storage host sent more than the {expected} bytes it announced; the file was not kept. Try again.")]
    LongerThanAnnounced { expected: u64 },
    #[error("The video is larger than the limit of {} (Settings, or --max-size); nothing was kept.", human_bytes(*.limit))]
    TooLarge { limit: u64 },
    #[error("{0} already exists; Paddock does not overwrite a file unless you confirm it (in a terminal: --force).")]
    FileExists(String),
    #[error("This video is already being saved{}.", .0.as_deref().map(|p| format!(" to {p}")).unwrap_or_default())]
    AlreadySaving(Option<String>),
    #[error("The download was cancelled.")]
    Cancelled,
    #[error("This task has no video to save.")]
    NoVideo,
    #[error("Choose where to save the video first.")]
    NoDestination,
    #[error("The saved copy at {0} is gone or is not a video file.")]
    SavedCopyGone(String),
    #[error("The video of {0} is not saved yet. Save it first, then drag it out.")]
    NotSaved(String),

    // The disk.
    #[error("The disk is full: {0}. Free some space and try again.")]
    DiskFull(String),
    #[error("Paddock may not write to {0}. Choose another folder.")]
    Permission(String),
    #[error("Could not write {path}: {reason}. Check that the folder is writable and the disk is not full.")]
    Disk { path: String, reason: String },
    #[error("Could not write the task history ({0}). Check that the disk is not full and the data folder is writable.")]
    HistoryWrite(String),
    #[error("Could not open the task history ({0}).")]
    HistoryOpen(String),

    // This computer.
    #[error("No application opened {target} ({reason}). Check that the desktop has a default application for it: a video player, a browser or a file manager.")]
    OpenFailed { target: String, reason: String },
    #[error("Paddock could not set up secure connections ({0}). Check that the system's CA certificates are installed (on Debian and Ubuntu, the ca-certificates package).")]
    SecureConnections(String),

    // A bug met an input, and was contained.
    #[error("Paddock hit an internal error ({0}). The other tasks go on; remove this one or try again later.")]
    Internal(String),
}

fn suffix(detail: &Option<String>) -> String {
    match detail {
        Some(d) if !d.is_empty() => format!(" ({d})"),
        _ => String::new(),
    }
}

fn wait_suffix(after: &Option<Duration>) -> String {
    match after {
        Some(d) => format!(" {} s", d.as_secs().max(1)),
        None => String::new(),
    }
}

/// `2.0 GiB`, `350 MiB`, `900 KiB`.
pub fn human_bytes(n: u64) -> String {
    const KIB: f64 = 1024.0;
    let f = n as f64;
    if f >= KIB * KIB * KIB {
        format!("{:.1} GiB", f / (KIB * KIB * KIB))
    } else if f >= KIB * KIB {
        format!("{:.0} MiB", f / (KIB * KIB))
    } else {
        format!("{:.0} KiB", f / KIB)
    }
}

impl Error {
    /// The stable identifier the window translates (`error.<code>` in i18n.js) and
    /// scripts read in `--json`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidId(_) => "invalid_id",
            Self::InvalidBaseUrl { .. } => "invalid_base_url",
            Self::InvalidKey(_) => "invalid_key",
            Self::InvalidSetting { .. } => "invalid_setting",
            Self::PasteTooLarge(_) => "too_large",
            Self::InvalidRequest(_) => "invalid_request",
            Self::Refused { .. } => "refused",
            Self::OutcomeUnknown(_) => "outcome_unknown",
            Self::CreatedNotRecorded { .. } => "created_unrecorded",
            Self::MissingKey => "missing_key",
            Self::NoKeyForGateway(_) => "no_key_for_gateway",
            Self::KeyringUnavailable(_) => "keyring_unavailable",
            Self::KeyringLocked(_) => "keyring_locked",
            Self::KeyringTimeout => "keyring_timeout",
            Self::KeyringFailed(_) => "keyring_failed",
            Self::Unauthorized { .. } => "unauthorized",
            Self::Forbidden { .. } => "forbidden",
            Self::NotFound { .. } => "not_found",
            Self::RateLimited { .. } => "rate_limited",
            Self::Server { .. } => "server",
            Self::NotAGateway { .. } => "not_a_gateway",
            Self::BadResponse { .. } => "bad_response",
            Self::Timeout => "timeout",
            Self::Network { .. } | Self::StorageNetwork(_) => "network",
            Self::LinkExpired => "link_expired",
            Self::DownloadHttp(_) => "download_http",
            Self::Truncated { .. } => "truncated",
            Self::LongerThanAnnounced { .. } => "bad_length",
            Self::TooLarge { .. } => "too_large",
            Self::FileExists(_) => "file_exists",
            Self::AlreadySaving(_) => "already_saving",
            Self::Cancelled => "cancelled",
            Self::NoVideo => "no_video",
            Self::NoDestination => "no_destination",
            Self::SavedCopyGone(_) => "saved_copy_gone",
            Self::NotSaved(_) => "not_saved",
            Self::DiskFull(_) => "disk_full",
            Self::Permission(_) => "permission",
            Self::Disk { .. } | Self::HistoryWrite(_) | Self::HistoryOpen(_) => "disk",
            Self::OpenFailed { .. } => "open_failed",
            Self::SecureConnections(_) => "tls_setup",
            Self::Internal(_) => "internal",
        }
    }

    /// The command line's exit code (see [`exit_code_of`]).
    pub fn exit_code(&self) -> u8 {
        exit_code_of(self.code())
    }

    /// The gateway's or the system's own words, when there are any.
    pub fn detail(&self) -> Option<String> {
        match self {
            Self::InvalidBaseUrl { reason, .. } => Some(reason.clone()),
            Self::CreatedNotRecorded { id, .. } => Some(id.clone()),
            Self::Unauthorized { detail }
            | Self::Forbidden { detail }
            | Self::NotFound { detail }
            | Self::RateLimited { detail, .. }
            | Self::Server { detail, .. }
            | Self::Refused { detail, .. }
            | Self::NotAGateway { detail }
            | Self::BadResponse { detail }
            | Self::Network { detail } => detail.clone(),
            _ => None,
        }
    }

    /// A passing fault of the gateway: worth another attempt, and shown as
    /// "waiting" rather than as an error that needs the user.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::RateLimited { .. } | Self::Server { .. } | Self::Network { .. } | Self::Timeout
        )
    }

    /// [`is_transient`](Self::is_transient) for a code read back from the history.
    pub fn is_transient_code(code: &str) -> bool {
        matches!(code, "rate_limited" | "server" | "network" | "timeout")
    }

    /// The key is missing or rejected: querying that gateway stops until it changes.
    pub fn needs_a_key(&self) -> bool {
        matches!(
            self,
            Self::Unauthorized { .. } | Self::MissingKey | Self::NoKeyForGateway(_)
        )
    }

    /// How long the gateway asked to wait (`Retry-After`).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// Maps an I/O error on `path` to what the user can do about it.
    pub fn from_io(path: &std::path::Path, e: &std::io::Error) -> Self {
        let shown = path.display().to_string();
        match e.kind() {
            std::io::ErrorKind::StorageFull => Self::DiskFull(shown),
            std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => {
                Self::Permission(shown)
            }
            _ => Self::Disk {
                path: shown,
                reason: e.to_string(),
            },
        }
    }
}

/// Written as `{code, message, detail, retry_after_secs}` for the webview and `--json`.
impl Serialize for Error {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Error", 4)?;
        s.serialize_field("code", self.code())?;
        s.serialize_field("message", &self.to_string())?;
        s.serialize_field("detail", &self.detail())?;
        s.serialize_field("retry_after_secs", &self.retry_after().map(|d| d.as_secs()))?;
        s.end()
    }
}

/// The command line's exit code for an error code, also for one read back from
/// the history: 2 bad usage or input, 3 the key, 4 not found, 5 the gateway or the
/// network after retries, 6 the gateway refused to create a task, 7 a creation's
/// outcome is unknown, 1 anything else that failed.
pub fn exit_code_of(code: &str) -> u8 {
    match code {
        "invalid_id" | "invalid_base_url" | "invalid_key" | "invalid_setting"
        | "invalid_request" => 2,
        "missing_key"
        | "no_key_for_gateway"
        | "unauthorized"
        | "forbidden"
        | "keyring_unavailable"
        | "keyring_locked"
        | "keyring_timeout"
        | "keyring_failed" => 3,
        "not_found" => 4,
        "network" | "server" | "rate_limited" | "not_a_gateway" | "timeout" | "bad_response" => 5,
        "refused" => 6,
        "outcome_unknown" => 7,
        "created_unrecorded" => 8,
        _ => 1,
    }
}

/// Results of the whole crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialised_as_code_and_message() {
        let e = Error::RateLimited {
            detail: Some("1分钟内最多请求60次".into()),
            retry_after: Some(Duration::from_secs(40)),
        };
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["code"], "rate_limited");
        assert_eq!(v["retry_after_secs"], 40);
        assert!(v["message"].as_str().unwrap().contains("60次"));
        assert_eq!(e.exit_code(), 5);
        assert!(e.is_transient());
    }

    #[test]
    fn exit_codes_follow_the_documented_table() {
        assert_eq!(Error::InvalidId(InvalidTaskId::Empty).exit_code(), 2);
        assert_eq!(Error::NoKeyForGateway("x".into()).exit_code(), 3);
        assert_eq!(Error::NotFound { detail: None }.exit_code(), 4);
        assert_eq!(Error::Timeout.exit_code(), 5);
        assert_eq!(Error::LinkExpired.exit_code(), 1);
        assert_eq!(Error::PasteTooLarge(16).exit_code(), 1);
        assert_eq!(Error::HistoryOpen("x".into()).code(), "disk");
    }

    #[test]
    fn a_file_no_application_opened_is_not_a_disk_error() {
        let e = Error::OpenFailed {
            target: "/videos/a.mp4".into(),
            reason: "xdg-open failed (exit status: 3)".into(),
        };
        assert_eq!(e.code(), "open_failed");
        assert_eq!(e.exit_code(), 1);
        let message = e.to_string();
        assert!(message.contains("/videos/a.mp4") && message.contains("exit status: 3"));
        assert!(!message.contains("write"), "{message}");
    }

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(human_bytes(2 << 30), "2.0 GiB");
        assert_eq!(human_bytes(300 << 20), "300 MiB");
        assert_eq!(human_bytes(1024), "1 KiB");
    }
}
