//! The history's table and its migrations, keyed by `PRAGMA user_version`.

use rusqlite::Connection;

/// Bumped with every migration below.
pub(super) const SCHEMA_VERSION: i64 = 3;

/// Schema migrations, keyed by `PRAGMA user_version`.
pub(super) fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    // The table is made sure of even when the version says it is there: a file
    // whose table was dropped by hand is repaired rather than failing every start.
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS tasks (
           id TEXT PRIMARY KEY NOT NULL,
           base_url TEXT NOT NULL,
           added_at INTEGER NOT NULL,
           tracking TEXT NOT NULL DEFAULT 'active',
           raw_json TEXT,
           error_json TEXT,
           checked_at INTEGER,
           saved_path TEXT,
           unseen INTEGER NOT NULL DEFAULT 0,
           created_json TEXT,
           starred INTEGER NOT NULL DEFAULT 0,
           tags_json TEXT
         );
         CREATE INDEX IF NOT EXISTS tasks_added_at ON tasks(added_at);",
    )?;
    if version < 1 {
        conn.execute_batch("PRAGMA user_version = 1;")?;
    }
    // Version 2: how tasks created from Paddock were asked for; version 3: stars
    // and tags. Looked for on every open, like the table: a table rebuilt by hand
    // may lack them.
    for (column, declaration) in [
        ("created_json", "TEXT"),
        ("starred", "INTEGER NOT NULL DEFAULT 0"),
        ("tags_json", "TEXT"),
    ] {
        let has_column = conn
            .prepare(&format!("SELECT {column} FROM tasks LIMIT 0"))
            .is_ok();
        if !has_column {
            let added = conn.execute_batch(&format!(
                "ALTER TABLE tasks ADD COLUMN {column} {declaration};"
            ));
            // Another Paddock (the CLI beside the window) may have added it first.
            match added {
                Err(e) if e.to_string().contains("duplicate column") => {}
                other => other?,
            }
        }
    }
    if version < SCHEMA_VERSION {
        conn.execute_batch(&format!("PRAGMA user_version = {SCHEMA_VERSION};"))?;
    }
    if version > SCHEMA_VERSION {
        tracing::warn!(
            version,
            "the history was written by a newer Paddock; reading what this version knows"
        );
    }
    Ok(())
}
