//! The facade's creation half: send a task to be made, keep how it was asked for,
//! and start watching it; and the balance, where the gateway tells it.

use std::sync::atomic::{AtomicUsize, Ordering};

use super::Paddock;
use crate::error::Error;
use crate::gateway::{Balance, CreateRequest, Model};
use crate::tasks::{CreatedHere, TaskRecord};
use crate::timefmt::now_unix;

/// The model's short name as stored and shown: `t2v`, `i2v`, `r2v`, `edit`.
pub fn model_name(model: Model) -> &'static str {
    match model {
        Model::T2v => "t2v",
        Model::I2v => "i2v",
        Model::R2v => "r2v",
        Model::Edit => "edit",
    }
}

impl Paddock {
    /// Creates one task on the gateway in force and starts watching it. One POST,
    /// never repeated: see `AnyfastClient::create`. Returns the new task's ID.
    pub async fn create(&self, request: &CreateRequest) -> Result<String, Error> {
        request.validate()?;
        let _in_flight = InFlight::start(&self.creating);
        let tracker = self.ready_tracker()?;
        let base = self.base_url()?;
        let key = self.keys.require(&base).await?;
        let sent_at = now_unix();
        let created = self.client.create(&base, &key, request).await?;
        let mut record = TaskRecord::new(&created.task_id, base.as_str(), sent_at);
        record.created = Some(CreatedHere {
            model: model_name(request.model).to_owned(),
            request: request.for_history(),
            sent_at,
        });
        if let Err(e) = tracker.add_created(record).await {
            // The task exists and may be charged: say so rather than lose it.
            tracing::error!(task = %created.task_id, error = %e, "created, but not written to the history");
            return Err(Error::CreatedNotRecorded {
                id: created.task_id,
                reason: e.to_string(),
            });
        }
        Ok(created.task_id)
    }

    /// Prompts used before (tasks created here), newest first, matching `query`.
    pub async fn recent_prompts(&self, query: String) -> Result<Vec<String>, Error> {
        let store = std::sync::Arc::clone(&self.store);
        tokio::task::spawn_blocking(move || store.recent_prompts(&query, 20))
            .await
            .map_err(|e| Error::HistoryOpen(e.to_string()))?
    }

    /// The key's balance on the gateway in force, or None when the gateway does not
    /// tell. Asked only when the user (or a submission) asks, never in a loop.
    pub async fn balance(&self) -> Result<Option<Balance>, Error> {
        let base = self.base_url()?;
        let key = self.keys.require(&base).await?;
        self.client.balance(&base, &key).await
    }
}

/// Counts one creation while it is in flight, however it ends.
struct InFlight(std::sync::Arc<AtomicUsize>);

impl InFlight {
    fn start(counter: &std::sync::Arc<AtomicUsize>) -> Self {
        counter.fetch_add(1, Ordering::SeqCst);
        Self(std::sync::Arc::clone(counter))
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}
