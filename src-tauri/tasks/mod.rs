//! The tasks Paddock watches: the history on disk, the poll policy (a pure function),
//! the poller that carries it out, saving their videos, and the rows the window and
//! the command line show.

mod gate;
mod listing;
mod marks;
pub mod policy;
mod poller;
mod prompts;
mod record;
mod rows;
mod saving;
mod schema;
pub mod store;
pub mod tags;
mod tracker;
pub mod usage;

pub use gate::rate_limit_wait;
pub use listing::{NewestRows, Tally};
pub use policy::PollConfig;
pub use record::CreatedHere;
pub use rows::{AddSummary, NoEvents, TaskDetail, TaskEvents, TaskRow};
pub use store::{Change, StoredAnswer, StoredError, TaskRecord, TaskStore, Tracking};
pub use tracker::{Tracker, MAX_PASTE_BYTES};
