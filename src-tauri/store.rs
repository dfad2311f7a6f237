//! The task history: an SQLite database in the data folder.
//!
//! Each change is one small transaction in WAL mode, so killing the app at any moment
//! keeps everything that was already shown. The last raw answer is stored, not a
//! derived form: the snapshot is re-read from it with the same parser as a live
//! answer, so a parser fix also fixes old rows. A database that cannot be opened is
//! moved aside with a notice, never deleted.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::api::TaskSnapshot;

const DB_FILE: &str = "history.sqlite3";
/// Bumped with every migration below.
const SCHEMA_VERSION: i64 = 1;

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
    fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Final => "final",
            Self::NotFound => "not_found",
            Self::GaveUp => "gave_up",
        }
    }

    fn parse(s: &str) -> Self {
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

/// One tracked task as kept in the history.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskRecord {
    pub id: String,
    /// The gateway the task belongs to: it is always queried there.
    pub base_url: String,
    pub added_at: i64,
    pub tracking: Tracking,
    /// The last good answer's body.
    pub raw: Option<Value>,
    pub error: Option<StoredError>,
    pub checked_at: Option<i64>,
    pub saved_path: Option<String>,
    /// Finished since the user last looked at it: the in-app mark.
    pub unseen: bool,
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
        }
    }

    /// The task as last seen, read from the stored answer.
    pub fn snapshot(&self) -> Option<TaskSnapshot> {
        static NO_DATA: Value = Value::Null;
        let raw = self.raw.as_ref()?;
        Some(TaskSnapshot::from_data(
            &self.id,
            raw.get("data").unwrap_or(&NO_DATA),
        ))
    }
}

/// The history could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("Could not write the task history ({0}). Check that the disk is not full and the data folder is writable.")]
    Write(String),
    #[error("Could not open the task history ({0}).")]
    Open(String),
}

impl StoreError {
    pub fn code(&self) -> &'static str {
        "disk"
    }
}

fn write_err(e: rusqlite::Error) -> StoreError {
    StoreError::Write(e.to_string())
}

/// The SQLite history. Calls are short and synchronous; async callers run them on
/// the blocking pool.
pub struct TaskStore {
    conn: Mutex<Connection>,
}

/// What opening found: the store, and a notice when a damaged file was moved aside.
pub struct Opened {
    pub store: TaskStore,
    pub notice: Option<String>,
}

impl TaskStore {
    /// Opens (or creates) the history in `dir`. A damaged database is renamed to
    /// `history.sqlite3.corrupt-<time>` and a fresh one started.
    pub fn open(dir: &Path) -> Result<Opened, StoreError> {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::Open(e.to_string()))?;
        let path = dir.join(DB_FILE);
        match Self::open_at(&path) {
            Ok(store) => Ok(Opened {
                store,
                notice: None,
            }),
            Err(first) => {
                let aside =
                    path.with_extension(format!("sqlite3.corrupt-{}", crate::timefmt::now_unix()));
                std::fs::rename(&path, &aside).map_err(|e| {
                    StoreError::Open(format!("{first}; moving it aside failed: {e}"))
                })?;
                for suffix in ["-wal", "-shm"] {
                    let side = PathBuf::from(format!("{}{suffix}", path.display()));
                    let _ = std::fs::rename(&side, format!("{}{suffix}", aside.display()));
                }
                let store = Self::open_at(&path)?;
                Ok(Opened {
                    store,
                    notice: Some(format!(
                        "The task history could not be read ({first}). It was kept as {} and a new, empty history was started.",
                        aside.display()
                    )),
                })
            }
        }
    }

    fn open_at(path: &Path) -> Result<Self, StoreError> {
        let open = |e: rusqlite::Error| StoreError::Open(e.to_string());
        let conn = Connection::open(path).map_err(open)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(open)?;
        let check: String = conn
            .query_row("PRAGMA quick_check", [], |r| r.get(0))
            .map_err(open)?;
        if check != "ok" {
            return Err(StoreError::Open(format!("integrity check: {check}")));
        }
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(open)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(open)?;
        migrate(&conn).map_err(open)?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Every task, newest first.
    pub fn load_all(&self) -> Result<Vec<TaskRecord>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT id, base_url, added_at, tracking, raw_json, error_json, checked_at, saved_path, unseen
                 FROM tasks ORDER BY added_at DESC, id",
            )
            .map_err(write_err)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(TaskRecord {
                    id: r.get(0)?,
                    base_url: r.get(1)?,
                    added_at: r.get(2)?,
                    tracking: Tracking::parse(&r.get::<_, String>(3)?),
                    raw: r
                        .get::<_, Option<String>>(4)?
                        .and_then(|s| serde_json::from_str(&s).ok()),
                    error: r
                        .get::<_, Option<String>>(5)?
                        .and_then(|s| serde_json::from_str(&s).ok()),
                    checked_at: r.get(6)?,
                    saved_path: r.get(7)?,
                    unseen: r.get::<_, i64>(8)? != 0,
                })
            })
            .map_err(write_err)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(write_err)
    }

    /// Inserts the tasks that are not there yet, in one transaction; returns which were new.
    pub fn insert_new(&self, records: &[TaskRecord]) -> Result<Vec<bool>, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(write_err)?;
        let mut inserted = Vec::with_capacity(records.len());
        {
            let mut stmt = tx
                .prepare(
                    "INSERT OR IGNORE INTO tasks (id, base_url, added_at, tracking, unseen) VALUES (?1, ?2, ?3, ?4, 0)",
                )
                .map_err(write_err)?;
            for r in records {
                let n = stmt
                    .execute(params![r.id, r.base_url, r.added_at, r.tracking.as_str()])
                    .map_err(write_err)?;
                inserted.push(n == 1);
            }
        }
        tx.commit().map_err(write_err)?;
        Ok(inserted)
    }

    /// Writes everything about one task.
    pub fn update(&self, r: &TaskRecord) -> Result<(), StoreError> {
        let raw = r.raw.as_ref().map(Value::to_string);
        let error = r.error.as_ref().and_then(|e| serde_json::to_string(e).ok());
        self.conn()
            .execute(
                "INSERT INTO tasks (id, base_url, added_at, tracking, raw_json, error_json, checked_at, saved_path, unseen)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT(id) DO UPDATE SET base_url = ?2, tracking = ?4, raw_json = ?5, error_json = ?6,
                   checked_at = ?7, saved_path = ?8, unseen = ?9",
                params![r.id, r.base_url, r.added_at, r.tracking.as_str(), raw, error, r.checked_at, r.saved_path, r.unseen as i64],
            )
            .map(|_| ())
            .map_err(write_err)
    }

    pub fn remove(&self, ids: &[String]) -> Result<usize, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(write_err)?;
        let mut n = 0;
        {
            let mut stmt = tx
                .prepare("DELETE FROM tasks WHERE id = ?1")
                .map_err(write_err)?;
            for id in ids {
                n += stmt.execute([id]).map_err(write_err)?;
            }
        }
        tx.commit().map_err(write_err)?;
        Ok(n)
    }
}

/// Schema migrations, keyed by `PRAGMA user_version`.
fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version < 1 {
        conn.execute_batch(
            "BEGIN;
             CREATE TABLE IF NOT EXISTS tasks (
               id TEXT PRIMARY KEY NOT NULL,
               base_url TEXT NOT NULL,
               added_at INTEGER NOT NULL,
               tracking TEXT NOT NULL DEFAULT 'active',
               raw_json TEXT,
               error_json TEXT,
               checked_at INTEGER,
               saved_path TEXT,
               unseen INTEGER NOT NULL DEFAULT 0
             );
             CREATE INDEX IF NOT EXISTS tasks_added_at ON tasks(added_at);
             PRAGMA user_version = 1;
             COMMIT;",
        )?;
    }
    if version > SCHEMA_VERSION {
        tracing::warn!(
            version,
            "the history was written by a newer Paddock; reading what this version knows"
        );
    }
    Ok(())
}
