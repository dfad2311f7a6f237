//! One task as the history keeps it, and the changes a write makes to it.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;

use crate::gateway::TaskSnapshot;

/// Whether Paddock still asks the gateway about a task, and if not, why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tracking {
    /// Not final yet: the poller asks again.
    Active,
    /// SUCCESS or FAILURE: nothing more will change.
    Final,
    /// The gateway does not know it (404, or 400 task_not_exist).
    NotFound,
    /// 24 hours after submission, the upstream task is gone; Paddock stopped asking.
    GaveUp,
}

impl Tracking {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Final => "final",
            Self::NotFound => "not_found",
            Self::GaveUp => "gave_up",
        }
    }

    pub(super) fn parse(s: &str) -> Self {
        match s {
            "final" => Self::Final,
            "not_found" => Self::NotFound,
            "gave_up" => Self::GaveUp,
            _ => Self::Active,
        }
    }
}

/// The last error a query of this task ended in, as shown on its row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredError {
    pub code: String,
    pub message: String,
    pub detail: Option<String>,
}

/// The gateway's last good answer for a task, kept as its JSON text. Parsed into a
/// `Value`, an answer takes about five times the memory of its text (9,900 tasks:
/// 53 MiB against 11); it is parsed when it is read: for the task's snapshot (once
/// per answer) and for its detail.
#[derive(Debug, Clone)]
pub struct StoredAnswer(Box<RawValue>);

impl StoredAnswer {
    /// The answer as JSON text; None when it cannot be written as JSON.
    pub fn from_value(value: &Value) -> Option<Self> {
        serde_json::value::to_raw_value(value).ok().map(Self)
    }

    /// Text read back from the history, kept only when its syntax is JSON: the file
    /// is untrusted. Text that is JSON but still cannot be read (nested past
    /// serde_json's depth limit, say) gives no snapshot and no detail.
    pub fn from_text(text: String) -> Option<Self> {
        RawValue::from_string(text).ok().map(Self)
    }

    pub fn text(&self) -> &str {
        self.0.get()
    }

    /// The answer parsed again, for one task's detail.
    pub fn to_value(&self) -> Option<Value> {
        serde_json::from_str(self.text()).ok()
    }
}

impl PartialEq for StoredAnswer {
    fn eq(&self, other: &Self) -> bool {
        self.text() == other.text()
    }
}

/// One tracked task as kept in the history.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskRecord {
    pub id: String,
    /// The gateway the task belongs to: it is always queried there.
    pub base_url: String,
    pub added_at: i64,
    pub tracking: Tracking,
    /// The last good answer's body.
    pub raw: Option<StoredAnswer>,
    pub error: Option<StoredError>,
    pub checked_at: Option<i64>,
    pub saved_path: Option<String>,
    /// Finished since the user last looked at it: the in-app mark.
    pub unseen: bool,
    /// Created from Paddock: the model and the request body that was sent (without
    /// the key, local files as a note), for "Run again". None for pasted tasks.
    pub created: Option<CreatedHere>,
    /// The user's star.
    pub starred: bool,
    /// The user's tags (see `marks`).
    pub tags: Vec<String>,
}

/// How a task created from Paddock was asked for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreatedHere {
    /// `t2v`, `i2v`, `r2v` or `edit`.
    pub model: String,
    /// The request as the user described it (see `CreateRequest`).
    pub request: Value,
    /// Unix seconds the POST was sent.
    pub sent_at: i64,
}

impl TaskRecord {
    pub fn new(id: &str, base_url: &str, added_at: i64) -> Self {
        Self {
            id: id.to_owned(),
            base_url: base_url.to_owned(),
            added_at,
            tracking: Tracking::Active,
            raw: None,
            error: None,
            checked_at: None,
            saved_path: None,
            unseen: false,
            created: None,
            starred: false,
            tags: Vec::new(),
        }
    }

    /// The task as last seen, read from the stored answer.
    pub fn snapshot(&self) -> Option<TaskSnapshot> {
        static NO_DATA: Value = Value::Null;
        let raw = self.raw.as_ref()?.to_value()?;
        Some(TaskSnapshot::from_data(
            &self.id,
            raw.get("data").unwrap_or(&NO_DATA),
        ))
    }
}

/// One change to one task's row: only these columns are written.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// What a query ended in: the answer (None keeps the last good one), the error
    /// shown on the row, and when it was checked.
    Answer {
        tracking: Tracking,
        raw: Option<StoredAnswer>,
        error: Option<StoredError>,
        checked_at: i64,
    },
    Tracking(Tracking),
    Error(Option<StoredError>),
    SavedPath(Option<String>),
    Unseen(bool),
    Starred(bool),
    Tags(Vec<String>),
}
