//! The task as Paddock understands it, read tolerantly from whatever the gateway sent.
//!
//! The body is walked as a `serde_json::Value` rather than derived into strict structs:
//! gateways disagree on types (`progress` as `"50%"` or a number, durations as
//! integers or floats, `data` null or missing) and one odd field must never cost the
//! user the rest of the answer.

use serde::{Serialize, Serializer};
use serde_json::Value;

use crate::timefmt;

/// Where a task stands, reduced to what the user cares about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    NotStarted,
    Queued,
    Running,
    Succeeded,
    Failed,
}

impl Status {
    /// Maps the gateway's and DashScope's words. Anything unrecognised counts as
    /// still running: only SUCCESS and FAILURE are final (new-api issue 5045).
    pub fn from_raw(raw: &str) -> (Self, bool) {
        match raw.trim().to_ascii_uppercase().as_str() {
            "NOT_START" | "NOT_STARTED" | "SUBMITTED" => (Self::NotStarted, true),
            "QUEUED" | "PENDING" => (Self::Queued, true),
            "IN_PROGRESS" | "RUNNING" | "PROCESSING" => (Self::Running, true),
            "SUCCESS" | "SUCCEEDED" => (Self::Succeeded, true),
            "FAILURE" | "FAILED" => (Self::Failed, true),
            _ => (Self::Running, false),
        }
    }

    pub fn is_final(self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotStarted => "not_started",
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
        }
    }
}

/// DashScope's own view of the task (`data.data`), shown in the detail pane.
/// It may be stale, so nothing here decides the task's state.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Upstream {
    pub task_id: Option<String>,
    pub task_status: Option<String>,
    pub request_id: Option<String>,
    pub actual_prompt: Option<String>,
    pub code: Option<String>,
    pub message: Option<String>,
    #[serde(serialize_with = "opt_rfc3339")]
    pub submitted_at: Option<i64>,
    #[serde(serialize_with = "opt_rfc3339")]
    pub scheduled_at: Option<i64>,
    #[serde(serialize_with = "opt_rfc3339")]
    pub ended_at: Option<i64>,
    pub billed_duration: Option<f64>,
    pub input_video_duration: Option<f64>,
    pub video_count: Option<i64>,
}

/// One task, normalised. Serialised as the JSON contract of the CLI and the UI:
/// every key present, `null` where there is no value, times as RFC 3339.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskSnapshot {
    pub id: String,
    pub status: Status,
    pub raw_status: Option<String>,
    /// False when `raw_status` is a word Paddock does not know; the UI shows it as is.
    pub status_recognized: bool,
    pub progress: Option<u8>,
    pub action: Option<String>,
    pub prompt: Option<String>,
    pub resolution: Option<String>,
    pub duration: Option<f64>,
    pub ratio: Option<String>,
    #[serde(serialize_with = "opt_rfc3339")]
    pub submitted_at: Option<i64>,
    #[serde(serialize_with = "opt_rfc3339")]
    pub started_at: Option<i64>,
    #[serde(serialize_with = "opt_rfc3339")]
    pub finished_at: Option<i64>,
    pub video_url: Option<String>,
    #[serde(serialize_with = "opt_rfc3339")]
    pub video_expires_at: Option<i64>,
    pub fail_reason: Option<String>,
    pub request_id: Option<String>,
    /// The gateway answered `data: null`: it knows nothing about the task yet.
    pub no_data: bool,
    pub upstream: Option<Upstream>,
}

fn opt_rfc3339<S: Serializer>(v: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(t) => s.serialize_str(&timefmt::rfc3339(*t)),
        None => s.serialize_none(),
    }
}

/// A non-empty string field, trimmed.
fn text(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A number that may arrive as an integer, a float or a numeric string.
fn number(v: &Value, key: &str) -> Option<f64> {
    match v.get(key)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|f: &f64| f.is_finite())
}

/// Unix seconds; 0 and negatives mean "not yet".
fn unix_time(v: &Value, key: &str) -> Option<i64> {
    number(v, key).map(|f| f as i64).filter(|t| *t > 0)
}

/// `"50%"`, `"50"`, `50` or `""`. Clamped to 0..=100; anything else is unknown.
pub fn parse_progress(v: Option<&Value>) -> Option<u8> {
    let n = match v? {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().trim_end_matches('%').trim().parse::<f64>().ok()?,
        _ => return None,
    };
    n.is_finite().then(|| n.clamp(0.0, 100.0).round() as u8)
}

/// An http(s) URL, or nothing: on failure stock gateways put error text in `result_url`.
fn http_url(s: &str) -> Option<String> {
    let url = reqwest::Url::parse(s.trim()).ok()?;
    matches!(url.scheme(), "http" | "https").then(|| url.to_string())
}

/// When a presigned URL stops working, read from its query: OSS `Expires`, OSS V4
/// `x-oss-date` + `x-oss-expires`, or S3 `X-Amz-Date` + `X-Amz-Expires`.
pub fn url_expiry(url: &str) -> Option<i64> {
    let url = reqwest::Url::parse(url).ok()?;
    let mut expires = None;
    let mut signed_at = None;
    let mut lifetime = None;
    for (k, v) in url.query_pairs() {
        match k.to_ascii_lowercase().as_str() {
            "expires" => expires = v.trim().parse::<i64>().ok(),
            "x-oss-date" | "x-amz-date" => signed_at = timefmt::parse_compact_utc(&v),
            "x-oss-expires" | "x-amz-expires" => lifetime = v.trim().parse::<i64>().ok(),
            _ => {}
        }
    }
    expires.or_else(|| signed_at?.checked_add(lifetime?))
}

/// How long a finished video stays downloadable when its URL does not say.
pub const VIDEO_LINK_LIFETIME_SECS: i64 = 24 * 3600;

impl TaskSnapshot {
    /// Reads the `data` object of a success envelope. `data` may be `null`.
    pub fn from_data(requested_id: &str, data: &Value) -> Self {
        if !data.is_object() {
            return Self::empty(requested_id);
        }
        let raw_status = text(data, "status");
        let (status, status_recognized) = match &raw_status {
            Some(raw) => Status::from_raw(raw),
            None => (Status::NotStarted, false),
        };
        let nested = data.get("data").filter(|v| v.is_object());
        let output = nested
            .and_then(|n| n.get("output"))
            .filter(|v| v.is_object());
        let usage = nested
            .and_then(|n| n.get("usage"))
            .filter(|v| v.is_object());

        let video_url = (status == Status::Succeeded)
            .then(|| text(data, "result_url").and_then(|u| http_url(&u)))
            .flatten();
        let finished_at = unix_time(data, "finish_time");
        let video_expires_at = video_url.as_deref().and_then(|u| {
            url_expiry(u)
                .or_else(|| finished_at.map(|f| f.saturating_add(VIDEO_LINK_LIFETIME_SECS)))
        });
        let fail_reason = (status == Status::Failed)
            .then(|| {
                text(data, "fail_reason")
                    .or_else(|| output.and_then(|o| text(o, "message")))
                    .or_else(|| text(data, "result_url"))
            })
            .flatten();

        let upstream = nested.map(|n| Upstream {
            task_id: output.and_then(|o| text(o, "task_id")),
            task_status: output.and_then(|o| text(o, "task_status")),
            request_id: text(n, "request_id"),
            actual_prompt: output.and_then(|o| text(o, "actual_prompt")),
            code: output.and_then(|o| text(o, "code")),
            message: output.and_then(|o| text(o, "message")),
            submitted_at: output
                .and_then(|o| text(o, "submit_time"))
                .and_then(|t| timefmt::parse_beijing(&t)),
            scheduled_at: output
                .and_then(|o| text(o, "scheduled_time"))
                .and_then(|t| timefmt::parse_beijing(&t)),
            ended_at: output
                .and_then(|o| text(o, "end_time"))
                .and_then(|t| timefmt::parse_beijing(&t)),
            billed_duration: usage.and_then(|u| number(u, "duration")),
            input_video_duration: usage.and_then(|u| number(u, "input_video_duration")),
            video_count: usage
                .and_then(|u| number(u, "video_count"))
                .map(|f| f as i64),
        });

        Self {
            id: text(data, "task_id").unwrap_or_else(|| requested_id.to_owned()),
            status,
            raw_status,
            status_recognized,
            progress: parse_progress(data.get("progress")),
            action: text(data, "action"),
            prompt: output.and_then(|o| text(o, "orig_prompt").or_else(|| text(o, "prompt"))),
            resolution: usage.and_then(|u| text(u, "SR")).map(|sr| format!("{sr}P")),
            duration: usage.and_then(|u| {
                number(u, "output_video_duration")
                    .filter(|d| *d > 0.0)
                    .or_else(|| number(u, "duration"))
            }),
            ratio: usage.and_then(|u| text(u, "ratio")),
            submitted_at: unix_time(data, "submit_time"),
            started_at: unix_time(data, "start_time"),
            finished_at,
            video_url,
            video_expires_at,
            fail_reason,
            request_id: text(data, "request_id"),
            no_data: false,
            upstream,
        }
    }

    /// What `{"code":"success","data":null}` means: the gateway has nothing yet.
    pub fn empty(id: &str) -> Self {
        Self {
            id: id.to_owned(),
            status: Status::NotStarted,
            raw_status: None,
            status_recognized: true,
            progress: None,
            action: None,
            prompt: None,
            resolution: None,
            duration: None,
            ratio: None,
            submitted_at: None,
            started_at: None,
            finished_at: None,
            video_url: None,
            video_expires_at: None,
            fail_reason: None,
            request_id: None,
            no_data: true,
            upstream: None,
        }
    }
}
