//! The poller: one loop that sends each due task to its gateway, and what it does
//! with each answer. What an answer means is [`decide`]'s; this carries it out. A
//! panic while handling one task is contained here and costs that task only.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::OwnedSemaphorePermit;
use tokio::time::Instant;

use super::gate::Gate;
use super::policy::{decide, Outcome, TaskState};
use super::rows::TaskDetail;
use super::saving::PendingAutoSave;
use super::store::{Change, StoredAnswer, StoredError, Tracking};
use super::tracker::{State, Tracker};
use crate::error::Error;
use crate::gateway::{RetryPolicy, Status, TaskSnapshot};
use crate::timefmt::now_unix;

impl Tracker {
    /// The poller. Runs until the runtime shuts down.
    pub async fn run(self) {
        loop {
            let (due, next) = self.take_due();
            for id in due {
                let me = self.clone();
                tokio::spawn(async move { me.poll_contained(id).await });
            }
            match next {
                Some(when) => {
                    tokio::select! {
                        _ = tokio::time::sleep_until(when) => {}
                        _ = self.inner.wake.notified() => {}
                    }
                }
                // Nothing to wait for: no timer, no work until something changes.
                None => self.inner.wake.notified().await,
            }
        }
    }

    /// Polls one task on a task of its own, so that a panic while handling its
    /// answer (a parser bug meeting a hostile answer) unwinds only that one: it is
    /// marked "internal error" and asked again much later, and the poller, the other
    /// tasks and the window go on. (The release profile unwinds for this.)
    async fn poll_contained(self, id: String) {
        let me = self.clone();
        let key = id.clone();
        let polled = tokio::spawn(async move { me.poll_one(key).await }).await;
        if let Err(e) = polled {
            if e.is_panic() {
                let text = panic_text(e.into_panic().as_ref());
                self.contain_panic(&id, text).await;
            }
        }
        self.inner.wake.notify_one();
    }

    async fn contain_panic(&self, id: &str, text: String) {
        tracing::error!(task = %id, panic = %text, "handling this task panicked; it is set aside");
        let error = StoredError {
            code: "internal".into(),
            message: format!(
                "Paddock hit an internal error with this task and set it aside ({text}). The other tasks go on; remove this one or try again later."
            ),
            detail: None,
        };
        let backoff = self.inner.config.max_backoff;
        let row = {
            let mut st = self.lock();
            let Some(t) = st.tasks.get_mut(id) else {
                return;
            };
            t.in_flight = false;
            t.retry_at = None;
            t.next_due = Instant::now() + backoff;
            t.record.error = Some(error.clone());
            t.row(false)
        };
        if let Err(e) = self.persist(id, vec![Change::Error(Some(error))]).await {
            tracing::error!(error = %e, "could not write the task history");
        }
        self.inner.events.changed(&[row]);
    }

    /// Marks the due tasks in flight and returns them, with the next wake-up time.
    fn take_due(&self) -> (Vec<String>, Option<Instant>) {
        if !self.watching() {
            return (Vec::new(), None);
        }
        let mut st = self.lock();
        let now = Instant::now();
        let mut due = Vec::new();
        let mut next: Option<Instant> = None;
        let State { tasks, paused, .. } = &mut *st;
        for t in tasks.values_mut() {
            if t.record.tracking != Tracking::Active
                || t.in_flight
                || paused.contains_key(&t.record.base_url)
            {
                continue;
            }
            if t.next_due <= now {
                t.in_flight = true;
                due.push(t.record.id.clone());
            } else {
                next = Some(next.map_or(t.next_due, |n| n.min(t.next_due)));
            }
        }
        (due, next)
    }

    fn gate(&self, base: &str) -> Arc<Gate> {
        let mut st = self.lock();
        let per = self.inner.config.per_gateway;
        Arc::clone(
            st.gates
                .entry(base.to_owned())
                .or_insert_with(|| Arc::new(Gate::new(per))),
        )
    }

    async fn poll_one(&self, id: String) {
        let Some(base_text) = self
            .lock()
            .tasks
            .get(&id)
            .map(|t| t.record.base_url.clone())
        else {
            return;
        };
        let gate = self.gate(&base_text);
        let Some(permit) = gate.admit(self.inner.config.per_minute).await else {
            self.finish_in_flight(&id);
            return;
        };
        if self.lock().paused.contains_key(&base_text) {
            self.finish_in_flight(&id);
            return;
        }
        let row = self.lock().tasks.get(&id).map(|t| t.row(true));
        if let Some(row) = row {
            self.inner.events.changed(&[row]);
        }
        let outcome = self.query(&id).await;
        self.apply(&id, &base_text, outcome, Some(permit)).await;
    }

    /// Queries one tracked task right now, outside the schedule, and records the answer.
    pub async fn query_now(&self, id: &str) -> Option<TaskDetail> {
        let base_text = {
            let mut st = self.lock();
            let t = st.tasks.get_mut(id)?;
            t.in_flight = true;
            t.record.base_url.clone()
        };
        let outcome = self.query(id).await;
        self.apply(id, &base_text, outcome, None).await;
        self.detail(id)
    }

    fn finish_in_flight(&self, id: &str) {
        if let Some(t) = self.lock().tasks.get_mut(id) {
            t.in_flight = false;
        }
    }

    async fn query(&self, id: &str) -> Result<(TaskSnapshot, Value), Error> {
        let target = self.lock().tasks.get(id).map(|t| t.target.clone());
        let (base, id) = target.ok_or(Error::NotFound { detail: None })??;
        let key = self.inner.keys.require(&base).await?;
        self.inner.queries.fetch_add(1, Ordering::Relaxed);
        // No retries inside the query: the poller's own backoff spaces them out.
        let once = RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        };
        let outcome = self.inner.client.query_with(&base, &key, &id, &once).await;
        if let Err(Error::Unauthorized { .. }) = &outcome {
            // Read the keyring again next time: the key may have been fixed elsewhere.
            self.inner.keys.forget(&base);
        }
        let outcome = outcome?;
        Ok((outcome.task, outcome.raw))
    }

    /// Records an answer. `permit` is the gateway gate's: it is let go once the
    /// answer is in memory (a rejected key has paused the gateway by then), before
    /// the history is written, so the next query does not wait for the disk.
    async fn apply(
        &self,
        id: &str,
        base_text: &str,
        outcome: Result<(TaskSnapshot, Value), Error>,
        permit: Option<OwnedSemaphorePermit>,
    ) {
        let now = now_unix();
        let unit = jitter_unit();
        // Written out before the lock is taken.
        let stored = outcome
            .as_ref()
            .ok()
            .and_then(|(_, raw)| StoredAnswer::from_value(raw));
        let (changes, row, decision, auto_save) = {
            let mut st = self.lock();
            let Some(t) = st.tasks.get_mut(id) else {
                return;
            };
            t.in_flight = false;
            let state = TaskState {
                added_at: t.record.added_at,
                was_final: t.snapshot().is_some_and(|s| s.status.is_final()),
                failures: t.failures,
            };
            let config = &self.inner.config;
            let decision = match &outcome {
                Ok((snap, _)) => decide(Outcome::Answer(snap), &state, config, now, unit),
                Err(e) => decide(Outcome::Failed(e), &state, config, now, unit),
            };
            let snapshot = outcome.ok().map(|(snap, _)| snap);
            t.failures = decision.failures;
            t.record.checked_at = Some(now);
            t.record.tracking = decision.tracking;
            t.record.error = decision.error.clone();
            if decision.finished_now {
                t.record.unseen = true;
            }
            if let (Some(raw), Some(snap)) = (&stored, snapshot) {
                // The answer was parsed once, by the client; the same parser reads
                // the stored text again when the snapshot is next made from it.
                t.record.raw = Some(raw.clone());
                t.set_snapshot(snap);
            }
            let wait = decision.next_in.unwrap_or(Duration::ZERO);
            t.next_due = Instant::now() + wait;
            t.retry_at = decision
                .waiting
                .then(|| now.saturating_add(i64::try_from(wait.as_secs()).unwrap_or(i64::MAX)));
            let mut changes = vec![Change::Answer {
                tracking: decision.tracking,
                raw: stored,
                error: decision.error.clone(),
                checked_at: now,
            }];
            if decision.finished_now {
                changes.push(Change::Unseen(true));
            }
            let row = t.row(false);
            if decision.pause_gateway {
                if let Some(reason) = &decision.error {
                    st.paused.insert(base_text.to_owned(), reason.clone());
                }
            }
            // Counted while the lock still hides the task's end: "nothing left to do"
            // (a closed window quitting) must not fall between the two.
            let auto_save = (decision.finished_now
                && row.status == Some(Status::Succeeded)
                && row.saved_path.is_none())
            .then(|| {
                self.inner
                    .auto_save
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .clone()
            })
            .flatten()
            .map(|dir| (dir, PendingAutoSave::start(&self.inner.auto_saves_pending)));
            (changes, row, decision, auto_save)
        };
        drop(permit);
        match self.persist(id, changes).await {
            Ok(true) => {}
            // Removed by another process meanwhile: nothing more to tell.
            Ok(false) => return,
            Err(e) => tracing::error!(error = %e, "could not write the task history"),
        }
        self.inner.events.changed(std::slice::from_ref(&row));
        if decision.finished_now {
            self.inner.events.finished(&row);
            if let Some((dir, pending)) = auto_save {
                let me = self.clone();
                let id = id.to_owned();
                tokio::spawn(async move {
                    me.auto_save(id.clone(), dir).await;
                    drop(pending);
                    me.inner.events.auto_save_ended(&id);
                });
            }
        }
        if decision.pause_gateway {
            self.inner.events.paused(decision.error.as_ref());
        }
    }
}

/// A number in `0..1` for the poll policy's jitter, from the standard library's
/// randomly keyed hasher (spread, not secrecy, is what matters here).
fn jitter_unit() -> f64 {
    use std::hash::BuildHasher;
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    (std::collections::hash_map::RandomState::new().hash_one(n) % 10_000) as f64 / 10_000.0
}

/// The message a panic carried, when it is text.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}
