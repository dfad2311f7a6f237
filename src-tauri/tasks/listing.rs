//! The tracker's tasks as the window and the command line read them: one task's
//! detail, or rows in the list's order, all of them or only the newest for the
//! window's first screen (the rest follows in a second call, so the first paint
//! does not wait for ten thousand rows to cross IPC).

use std::cmp::Ordering;

use serde::Serialize;

use super::rows::{TaskDetail, TaskRow};
use super::store::{TaskRecord, Tracking};
use super::tracker::{Tracked, Tracker};
use crate::gateway::Status;

/// The newest rows and the count of all of them.
#[derive(Debug, Clone, Serialize)]
pub struct NewestRows {
    pub rows: Vec<TaskRow>,
    pub total: usize,
}

/// What the tray counts: unfinished tasks being watched, saves under way, finished
/// videos not looked at yet.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub running: usize,
    pub saving: usize,
    pub ready: usize,
}

/// Newest added first; the ID breaks ties, so the order is the same every time.
fn newest_first(a: &Tracked, b: &Tracked) -> Ordering {
    b.record
        .added_at
        .cmp(&a.record.added_at)
        .then_with(|| a.record.id.cmp(&b.record.id))
}

impl Tracker {
    /// Everything about one task as last seen.
    pub fn detail(&self, id: &str) -> Option<TaskDetail> {
        let st = self.lock();
        let t = st.tasks.get(id)?;
        Some(TaskDetail {
            row: t.row(t.in_flight),
            task: t.snapshot().cloned(),
            raw: t.record.raw.as_ref().and_then(|a| a.to_value()),
            created: t.record.created.clone(),
            local_video_url: None,
        })
    }

    /// The record of one task, for saving its video.
    pub fn record(&self, id: &str) -> Option<TaskRecord> {
        self.lock().tasks.get(id).map(|t| t.record.clone())
    }

    /// Every task's ID, in no order: cheaper than the rows when only they count.
    pub fn ids(&self) -> std::collections::HashSet<String> {
        self.lock().tasks.keys().cloned().collect()
    }

    /// The tray's counts, read from the tasks as they stand. It runs on the window's
    /// main thread after every change, so it builds no rows and parses only the
    /// answers of unseen tasks.
    pub fn tally(&self) -> Tally {
        let saving = self.inner.saves.ids();
        let watching = self.watching();
        let st = self.lock();
        let running = st
            .tasks
            .values()
            .filter(|t| {
                // Tasks of a gateway paused for its key make no progress until the
                // user acts, and nothing moves while watching is paused.
                watching
                    && t.record.tracking == Tracking::Active
                    && !st.paused.contains_key(&t.record.base_url)
            })
            .count();
        let ready = st
            .tasks
            .values()
            .filter(|t| {
                t.record.unseen && t.snapshot().is_some_and(|s| s.status == Status::Succeeded)
            })
            .count();
        Tally {
            running,
            saving: saving
                .iter()
                .filter(|id| st.tasks.contains_key(*id))
                .count(),
            ready,
        }
    }

    /// Every task, newest first.
    pub fn rows(&self) -> Vec<TaskRow> {
        self.newest_rows(usize::MAX).rows
    }

    /// The `limit` newest tasks, newest first, and how many tasks there are in all.
    /// Only the rows returned are built.
    pub fn newest_rows(&self, limit: usize) -> NewestRows {
        let st = self.lock();
        let mut newest: Vec<&Tracked> = st.tasks.values().collect();
        if newest.len() > limit {
            newest.select_nth_unstable_by(limit, |a, b| newest_first(a, b));
            newest.truncate(limit);
        }
        newest.sort_by(|a, b| newest_first(a, b));
        NewestRows {
            rows: newest.iter().map(|t| t.row(t.in_flight)).collect(),
            total: st.tasks.len(),
        }
    }
}
