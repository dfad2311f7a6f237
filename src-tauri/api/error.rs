//! What can go wrong when asking the gateway about a task, as the user should read it.

use std::time::Duration;

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use crate::ids::InvalidTaskId;

/// One failed query. Each variant has a stable [`code`](ApiError::code) the UI and the
/// CLI branch on, and a message that names the next step. `detail` carries the
/// gateway's own words (often Chinese), already scrubbed of the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    InvalidId(#[from] InvalidTaskId),
    #[error("The base URL {url:?} is not usable: {reason}")]
    InvalidBaseUrl { url: String, reason: String },
    #[error("The gateway rejected the API key{}. Check the key in Settings.", detail_suffix(.detail))]
    Unauthorized { detail: Option<String> },
    #[error("The gateway refused access{}. Check the key's allowed IPs and group in the Anyfast console.", detail_suffix(.detail))]
    Forbidden { detail: Option<String> },
    #[error("The gateway does not know this task{}. Check the ID, and that it was created with this key and base URL.", detail_suffix(.detail))]
    NotFound { detail: Option<String> },
    #[error("The gateway is limiting requests{}. Paddock will wait{} and try again.", detail_suffix(.detail), retry_suffix(.retry_after))]
    RateLimited {
        detail: Option<String>,
        retry_after: Option<Duration>,
    },
    #[error("The gateway had a server error (HTTP {status}){}. Wait a moment and try again.", detail_suffix(.detail))]
    Server { status: u16, detail: Option<String> },
    #[error("This base URL does not look like an Anyfast gateway{}. Check the base URL in Settings.", detail_suffix(.detail))]
    NotAGateway { detail: Option<String> },
    #[error("The gateway sent an answer Paddock cannot read{}. Try again; if it persists, check the base URL.", detail_suffix(.detail))]
    BadResponse { detail: Option<String> },
    #[error("The gateway did not answer in time. Check your connection and try again.")]
    Timeout,
    #[error("Could not reach the gateway{}. Check your connection and the base URL.", detail_suffix(.detail))]
    Network { detail: Option<String> },
}

fn detail_suffix(detail: &Option<String>) -> String {
    match detail {
        Some(d) if !d.is_empty() => format!(" ({d})"),
        _ => String::new(),
    }
}

fn retry_suffix(after: &Option<Duration>) -> String {
    match after {
        Some(d) => format!(" {} s", d.as_secs().max(1)),
        None => String::new(),
    }
}

impl ApiError {
    /// The stable identifier the UI translates and the CLI maps to an exit code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidId(_) => "invalid_id",
            Self::InvalidBaseUrl { .. } => "invalid_base_url",
            Self::Unauthorized { .. } => "unauthorized",
            Self::Forbidden { .. } => "forbidden",
            Self::NotFound { .. } => "not_found",
            Self::RateLimited { .. } => "rate_limited",
            Self::Server { .. } => "server",
            Self::NotAGateway { .. } => "not_a_gateway",
            Self::BadResponse { .. } => "bad_response",
            Self::Timeout => "timeout",
            Self::Network { .. } => "network",
        }
    }

    /// The gateway's or the system's own words, when there are any.
    pub fn detail(&self) -> Option<String> {
        match self {
            Self::InvalidId(e) => Some(e.to_string()),
            Self::InvalidBaseUrl { reason, .. } => Some(reason.clone()),
            Self::Unauthorized { detail }
            | Self::Forbidden { detail }
            | Self::NotFound { detail }
            | Self::RateLimited { detail, .. }
            | Self::Server { detail, .. }
            | Self::NotAGateway { detail }
            | Self::BadResponse { detail }
            | Self::Network { detail } => detail.clone(),
            Self::Timeout => None,
        }
    }

    /// Faults worth another attempt inside one query.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::RateLimited { .. } | Self::Server { .. } | Self::Network { .. } | Self::Timeout
        )
    }

    /// Whether a stored error code is one of the passing faults above (a row read
    /// back from the history has the code, not the error).
    pub fn is_transient_code(code: &str) -> bool {
        matches!(code, "rate_limited" | "server" | "network" | "timeout")
    }

    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// Written as `{code, message, detail, retry_after_secs}` for the webview and `--json`.
impl Serialize for ApiError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("ApiError", 4)?;
        s.serialize_field("code", self.code())?;
        s.serialize_field("message", &self.to_string())?;
        s.serialize_field("detail", &self.detail())?;
        s.serialize_field("retry_after_secs", &self.retry_after().map(|d| d.as_secs()))?;
        s.end()
    }
}
