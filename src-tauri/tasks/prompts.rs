//! The prompt history: what the user asked for before, read back from the requests
//! the history keeps of tasks created from Paddock.

use serde_json::Value;

use super::store::{write_err, TaskStore};
use crate::error::Error;

impl TaskStore {
    /// The prompts of tasks created from Paddock, newest first, each once, that
    /// contain `query` (any case): the panel's prompt history.
    pub fn recent_prompts(&self, query: &str, limit: usize) -> Result<Vec<String>, Error> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT created_json FROM tasks WHERE created_json IS NOT NULL
                 ORDER BY added_at DESC LIMIT 2000",
            )
            .map_err(write_err)?;
        let mut rows = stmt.query([]).map_err(write_err)?;
        let wanted = query.trim().to_lowercase();
        let mut prompts: Vec<String> = Vec::new();
        while let Some(row) = rows.next().map_err(write_err)? {
            let Ok(text) = row.get::<_, String>(0) else {
                continue;
            };
            let Ok(created) = serde_json::from_str::<Value>(&text) else {
                continue;
            };
            let request = &created["request"];
            let prompt = request["prompt"]
                .as_str()
                .or_else(|| request["input"]["prompt"].as_str())
                .unwrap_or("")
                .trim();
            if prompt.is_empty()
                || prompts.iter().any(|p| p == prompt)
                || !prompt.to_lowercase().contains(&wanted)
            {
                continue;
            }
            prompts.push(prompt.to_owned());
            if prompts.len() >= limit {
                break;
            }
        }
        Ok(prompts)
    }
}
