//! The Anyfast gateway: its address, its key, the query of one task and the
//! reading of every answer. See `docs/gateway.md` for the contract this follows.
//! Task creation will land here too.

mod api_key;
mod balance;
mod base_url;
mod classify;
mod client;
mod create;
mod http_clients;
mod local_image;
mod model;

pub use api_key::ApiKey;
pub use balance::{Balance, DEFAULT_UNITS_PER_DOLLAR};
pub use base_url::{video_link_allowed, BaseUrl, DEFAULT_BASE_URL};
pub use classify::{classify, QueryOutcome};
pub use client::{
    parse_retry_after, transport_reason, AnyfastClient, ClientConfig, RetryPolicy, MAX_ANSWER_BYTES,
};
pub use create::{
    classify_created, prompt_limit, CreateRequest, Created, Model, DEFAULT_DURATION, DURATIONS,
    MAX_SEED, RATIOS, RESOLUTIONS,
};
pub use http_clients::user_agent;
pub use local_image::{base64, data_url_from_file, ImageUse};
pub use model::{
    parse_progress, url_expiry, Status, TaskSnapshot, Upstream, VIDEO_LINK_LIFETIME_SECS,
};
