//! Stars and tags: the user's own marks on a task, kept in the history beside it
//! (the tags themselves are cleaned in `tags`).

use super::store::Change;
use super::tags::apply_tags;
use super::tracker::Tracker;
use crate::error::Error;

impl Tracker {
    /// Stars or unstars a task; false when it is not in the history.
    pub async fn set_starred(&self, id: &str, starred: bool) -> Result<bool, Error> {
        if !self.lock().tasks.contains_key(id) {
            return Ok(false);
        }
        self.update_record(id, |r| {
            r.starred = starred;
            vec![Change::Starred(starred)]
        })
        .await?;
        Ok(true)
    }

    /// Adds and removes tags; the task's tags after, or None when it is not in the
    /// history.
    pub async fn change_tags(
        &self,
        id: &str,
        add: &[String],
        remove: &[String],
    ) -> Result<Option<Vec<String>>, Error> {
        let current = match self.lock().tasks.get(id) {
            Some(t) => t.record.tags.clone(),
            None => return Ok(None),
        };
        // Checked here for the error; applied again under the lock, to the tags as
        // they are then, so two quick changes do not undo each other.
        let mut tags = apply_tags(&current, add, remove)?;
        self.update_record(id, |r| {
            if let Ok(now) = apply_tags(&r.tags, add, remove) {
                tags = now;
            }
            r.tags = tags.clone();
            vec![Change::Tags(tags.clone())]
        })
        .await?;
        Ok(Some(tags))
    }
}
