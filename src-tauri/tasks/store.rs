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

pub use super::record::{Change, StoredAnswer, StoredError, TaskRecord, Tracking};
use crate::error::Error;

const DB_FILE: &str = "history.sqlite3";

/// The longest stored answer read back; a real one is under 4 KiB and the client
/// never accepts more than 1 MiB, so anything larger was not written by Paddock.
const MAX_STORED_ANSWER: usize = 1 << 20;

/// One row, read leniently (see [`TaskStore::load_all`]).
fn record_from_row(row: &rusqlite::Row<'_>) -> Option<TaskRecord> {
    use rusqlite::types::ValueRef;
    let text = |i: usize| -> Option<String> {
        match row.get_ref(i).ok()? {
            ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
            _ => None,
        }
    };
    let int = |i: usize| -> Option<i64> {
        match row.get_ref(i).ok()? {
            ValueRef::Integer(n) => Some(n),
            ValueRef::Real(f) if f.is_finite() => Some(f as i64),
            _ => None,
        }
    };
    let id = crate::ids::TaskId::parse(&text(0)?).ok()?;
    Some(TaskRecord {
        id: id.as_str().to_owned(),
        base_url: text(1).unwrap_or_default(),
        added_at: int(2).unwrap_or(0),
        tracking: Tracking::parse(&text(3).unwrap_or_default()),
        raw: text(4)
            .filter(|s| s.len() <= MAX_STORED_ANSWER)
            .and_then(StoredAnswer::from_text),
        error: text(5).and_then(|s| serde_json::from_str(&s).ok()),
        checked_at: int(6),
        saved_path: text(7),
        unseen: int(8).is_some_and(|n| n != 0),
        created: text(9)
            .filter(|s| s.len() <= MAX_STORED_ANSWER)
            .and_then(|s| serde_json::from_str(&s).ok()),
        starred: int(10).is_some_and(|n| n != 0),
        tags: text(11)
            .filter(|s| s.len() <= MAX_STORED_ANSWER)
            .map(|s| super::tags::tags_from_stored(&s))
            .unwrap_or_default(),
    })
}

/// Why opening failed: damage (move the file aside) or anything else (say so, touch nothing).
enum OpenFailure {
    Corrupt(String),
    Other(Error),
}

impl OpenFailure {
    fn into_error(self) -> Error {
        match self {
            Self::Corrupt(reason) => Error::HistoryOpen(reason),
            Self::Other(e) => e,
        }
    }
}

impl From<rusqlite::Error> for OpenFailure {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode as C;
        let text = e.to_string();
        match e.sqlite_error_code() {
            Some(C::DatabaseCorrupt | C::NotADatabase) => Self::Corrupt(text),
            Some(C::DatabaseBusy | C::DatabaseLocked) => Self::Other(Error::HistoryOpen(format!(
                "another program has it locked ({text}); close it, or the other Paddock, and try again"
            ))),
            Some(C::ReadOnly) => Self::Other(Error::HistoryOpen(format!(
                "it is read-only ({text}); check the permissions of the data folder"
            ))),
            Some(C::CannotOpen | C::PermissionDenied) => Self::Other(Error::HistoryOpen(format!(
                "it cannot be opened ({text}); check that the data folder exists and is writable"
            ))),
            _ => Self::Other(Error::HistoryOpen(text)),
        }
    }
}

pub(super) fn write_err(e: rusqlite::Error) -> Error {
    Error::HistoryWrite(e.to_string())
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
    /// Opens (or creates) the history in `dir`. A database SQLite calls damaged is
    /// renamed to `history.sqlite3.corrupt-<time>` and a fresh one started; any other
    /// failure (locked by another program past the timeout, read-only, a missing or
    /// unwritable folder) is an error that names the reason, and nothing is renamed.
    pub fn open(dir: &Path) -> Result<Opened, Error> {
        crate::folders::create_private_dir(dir).map_err(|e| {
            Error::HistoryOpen(format!(
                "the data folder {} could not be created: {e}",
                dir.display()
            ))
        })?;
        let path = dir.join(DB_FILE);
        match Self::open_at(&path) {
            Ok(store) => Ok(Opened {
                store,
                notice: None,
            }),
            Err(OpenFailure::Other(e)) => Err(e),
            Err(OpenFailure::Corrupt(first)) => {
                let aside =
                    path.with_extension(format!("sqlite3.corrupt-{}", crate::timefmt::now_unix()));
                std::fs::rename(&path, &aside).map_err(|e| {
                    Error::HistoryOpen(format!("{first}; moving it aside failed: {e}"))
                })?;
                for suffix in ["-wal", "-shm"] {
                    let side = PathBuf::from(format!("{}{suffix}", path.display()));
                    let _ = std::fs::rename(&side, format!("{}{suffix}", aside.display()));
                }
                let store = Self::open_at(&path).map_err(OpenFailure::into_error)?;
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

    fn open_at(path: &Path) -> Result<Self, OpenFailure> {
        let conn = Connection::open(path).map_err(OpenFailure::from)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(OpenFailure::from)?;
        let check: String = conn
            .query_row("PRAGMA quick_check", [], |r| r.get(0))
            .map_err(OpenFailure::from)?;
        if check != "ok" {
            return Err(OpenFailure::Corrupt(format!("integrity check: {check}")));
        }
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(OpenFailure::from)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(OpenFailure::from)?;
        super::schema::migrate(&conn).map_err(OpenFailure::from)?;
        // Prompts and live links: this user's only (the WAL files follow the mode of
        // the database on Unix).
        if let Err(e) = crate::folders::restrict_to_owner(path) {
            tracing::warn!(error = %e, "could not make the history private");
        }
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    pub(super) fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Every task, newest first. The file is untrusted: a row with a wrong type in a
    /// column is read as far as it makes sense (a bad answer as none), and a row
    /// without a usable ID is skipped with a warning, never failing the whole list.
    pub fn load_all(&self) -> Result<Vec<TaskRecord>, Error> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT id, base_url, added_at, tracking, raw_json, error_json, checked_at, saved_path, unseen, created_json, starred, tags_json
                 FROM tasks ORDER BY added_at DESC, id",
            )
            .map_err(write_err)?;
        let mut rows = stmt.query([]).map_err(write_err)?;
        let mut records = Vec::new();
        let mut skipped = 0usize;
        while let Some(row) = rows.next().map_err(write_err)? {
            match record_from_row(row) {
                Some(r) => records.push(r),
                None => skipped += 1,
            }
        }
        if skipped > 0 {
            tracing::warn!(
                skipped,
                "rows of the history without a usable task ID were skipped"
            );
        }
        Ok(records)
    }

    /// Inserts the tasks that are not there yet, in one transaction; returns which were new.
    pub fn insert_new(&self, records: &[TaskRecord]) -> Result<Vec<bool>, Error> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(write_err)?;
        let mut inserted = Vec::with_capacity(records.len());
        {
            let mut stmt = tx
                .prepare(
                    "INSERT OR IGNORE INTO tasks (id, base_url, added_at, tracking, unseen, created_json) VALUES (?1, ?2, ?3, ?4, 0, ?5)",
                )
                .map_err(write_err)?;
            for r in records {
                let n = stmt
                    .execute(params![
                        r.id,
                        r.base_url,
                        r.added_at,
                        r.tracking.as_str(),
                        r.created
                            .as_ref()
                            .and_then(|c| serde_json::to_string(c).ok())
                    ])
                    .map_err(write_err)?;
                inserted.push(n == 1);
            }
        }
        tx.commit().map_err(write_err)?;
        Ok(inserted)
    }

    /// Writes every column of one task but its star and tags, inserting it when
    /// missing. For imports and test fixtures; the app changes rows with
    /// [`update`](Self::update). The marks are left out so that a record read before
    /// the CLI starred it never takes the star away.
    pub fn write_whole(&self, r: &TaskRecord) -> Result<(), Error> {
        let raw = r.raw.as_ref().map(StoredAnswer::text);
        let error = r.error.as_ref().and_then(|e| serde_json::to_string(e).ok());
        let created = r
            .created
            .as_ref()
            .and_then(|c| serde_json::to_string(c).ok());
        self.conn()
            .execute(
                "INSERT INTO tasks (id, base_url, added_at, tracking, raw_json, error_json, checked_at, saved_path, unseen, created_json)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                 ON CONFLICT(id) DO UPDATE SET base_url = ?2, tracking = ?4, raw_json = ?5, error_json = ?6,
                   checked_at = ?7, saved_path = ?8, unseen = ?9, created_json = ?10",
                params![r.id, r.base_url, r.added_at, r.tracking.as_str(), raw, error, r.checked_at, r.saved_path, r.unseen as i64, created],
            )
            .map(|_| ())
            .map_err(write_err)
    }

    /// Changes only the given columns of an existing task, in one transaction. A row
    /// another process removed stays removed (the answer is `Ok(false)`), and an
    /// answer is not written over one checked later (`Change::Answer` carries its time).
    pub fn update(&self, id: &str, changes: &[Change]) -> Result<bool, Error> {
        let mut conn = self.conn();
        // IMMEDIATE: take the write lock first. A deferred transaction that reads and
        // then writes fails at once (no busy wait) when the CLI wrote in between.
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(write_err)?;
        let exists: bool = tx
            .query_row(
                "SELECT EXISTS(SELECT 1 FROM tasks WHERE id = ?1)",
                [id],
                |r| r.get(0),
            )
            .map_err(write_err)?;
        if !exists {
            return Ok(false);
        }
        for change in changes {
            match change {
                Change::Answer {
                    tracking,
                    raw,
                    error,
                    checked_at,
                } => {
                    let raw = raw.as_ref().map(StoredAnswer::text);
                    let error = error.as_ref().and_then(|e| serde_json::to_string(e).ok());
                    // `raw` stays as it was when this answer was an error.
                    tx.execute(
                        "UPDATE tasks SET tracking = ?2, raw_json = COALESCE(?3, raw_json), error_json = ?4, checked_at = ?5
                         WHERE id = ?1 AND (checked_at IS NULL OR checked_at <= ?5)",
                        params![id, tracking.as_str(), raw, error, checked_at],
                    )
                    .map_err(write_err)?;
                }
                Change::Tracking(t) => {
                    tx.execute(
                        "UPDATE tasks SET tracking = ?2 WHERE id = ?1",
                        params![id, t.as_str()],
                    )
                    .map_err(write_err)?;
                }
                Change::Error(e) => {
                    let error = e.as_ref().and_then(|e| serde_json::to_string(e).ok());
                    tx.execute(
                        "UPDATE tasks SET error_json = ?2 WHERE id = ?1",
                        params![id, error],
                    )
                    .map_err(write_err)?;
                }
                Change::SavedPath(p) => {
                    tx.execute(
                        "UPDATE tasks SET saved_path = ?2 WHERE id = ?1",
                        params![id, p],
                    )
                    .map_err(write_err)?;
                }
                Change::Starred(on) => {
                    tx.execute(
                        "UPDATE tasks SET starred = ?2 WHERE id = ?1",
                        params![id, *on as i64],
                    )
                    .map_err(write_err)?;
                }
                Change::Tags(tags) => {
                    let json = serde_json::Value::from(tags.clone()).to_string();
                    tx.execute(
                        "UPDATE tasks SET tags_json = ?2 WHERE id = ?1",
                        params![id, json],
                    )
                    .map_err(write_err)?;
                }
                Change::Unseen(u) => {
                    tx.execute(
                        "UPDATE tasks SET unseen = ?2 WHERE id = ?1",
                        params![id, *u as i64],
                    )
                    .map_err(write_err)?;
                }
            }
        }
        tx.commit().map_err(write_err)?;
        Ok(true)
    }

    pub fn remove(&self, ids: &[String]) -> Result<usize, Error> {
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
