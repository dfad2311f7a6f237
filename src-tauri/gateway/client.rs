//! The one HTTP client of the app and the query of one task: time limits, retries
//! of passing faults, a size cap on answers, and redirects that never leave the
//! gateway with its key.

use std::time::Duration;

use reqwest::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use reqwest::Url;
use tokio::sync::OnceCell;

use super::balance::Balance;
use super::classify::{classify, gateway_message, QueryOutcome};
use super::create::{classify_created, CreateRequest, Created};
use super::http_clients::{build, Kind};
use super::{ApiKey, BaseUrl};
use crate::error::Error;
use crate::ids::TaskId;

/// How hard one query tries before giving up on a transient fault.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Extra attempts after the first.
    pub max_retries: u32,
    /// The first wait; doubled each time.
    pub base_delay: Duration,
    /// No single wait is longer, whatever `Retry-After` asks, so a query never hangs.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(10),
        }
    }
}

/// Time limits for the JSON call; video bodies use the client's read timeout instead.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    pub read_timeout: Duration,
    pub retry: RetryPolicy,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            read_timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
        }
    }
}

/// The one HTTP client of the app. Cheap to clone (the clones share the clients,
/// and reqwest shares its pool).
///
/// Each reqwest client is built the first time it is needed, not here: building one
/// reads and parses every system root certificate (~140 files on Debian), which made
/// the window's start-up and every CLI call pay four times for clients most of them
/// never use (`./dev bench`, `strace`). The build runs on a blocking thread, once
/// per kind however many requests wait for it.
#[derive(Clone)]
pub struct AnyfastClient {
    clients: std::sync::Arc<[OnceCell<reqwest::Client>; 4]>,
    config: ClientConfig,
}

impl std::fmt::Debug for AnyfastClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnyfastClient")
            .field("config", &self.config)
            .finish()
    }
}

impl AnyfastClient {
    /// Takes the settings; nothing is built or read until the first request.
    pub fn new(config: ClientConfig) -> Self {
        Self {
            clients: std::sync::Arc::new(Default::default()),
            config,
        }
    }

    /// The reqwest client of `kind`, built on first use. A failed build is not
    /// remembered: the next request tries again.
    async fn client(&self, kind: Kind) -> Result<&reqwest::Client, Error> {
        self.clients[kind as usize]
            .get_or_try_init(|| self.build_new(kind))
            .await
    }

    /// A new client of `kind`, built on a blocking thread (it reads the system's
    /// root certificates).
    async fn build_new(&self, kind: Kind) -> Result<reqwest::Client, Error> {
        let (connect, read) = (self.config.connect_timeout, self.config.read_timeout);
        tokio::task::spawn_blocking(move || build(kind, connect, read))
            .await
            .map_err(|e| Error::SecureConnections(e.to_string()))?
            .map_err(|e| Error::SecureConnections(e.to_string()))
    }

    /// The shared reqwest client for requests that carry no key (a live video link
    /// relayed to the poster maker).
    pub async fn http(&self) -> Result<&reqwest::Client, Error> {
        self.client(Kind::Http).await
    }

    /// A new client for one video download, shared with nothing else: the download
    /// runs on a runtime of its own, and the client's connections end with it.
    /// Configured as [`Self::http`] (no key, https redirects only).
    pub async fn video_client(&self) -> Result<reqwest::Client, Error> {
        self.build_new(Kind::Http).await
    }

    /// Builds the shared clients a gateway at `base` and the poster maker's relay
    /// use, so the first query does not wait for them.
    pub async fn warm_up(&self, base: &BaseUrl) -> Result<(), Error> {
        self.for_gateway(base).await?;
        self.http().await.map(|_| ())
    }

    /// The client for requests to `base`: no proxy when it is on this computer.
    async fn for_gateway(&self, base: &BaseUrl) -> Result<&reqwest::Client, Error> {
        self.client(if base.is_loopback() {
            Kind::Direct
        } else {
            Kind::Http
        })
        .await
    }

    /// Asks the gateway about one task, retrying transient faults within the policy.
    pub async fn query(
        &self,
        base: &BaseUrl,
        key: &ApiKey,
        id: &TaskId,
    ) -> Result<QueryOutcome, Error> {
        self.query_with(base, key, id, &self.config.retry).await
    }

    /// [`query`](Self::query) with another retry policy (the poller retries on its own
    /// schedule, so it asks for none).
    pub async fn query_with(
        &self,
        base: &BaseUrl,
        key: &ApiKey,
        id: &TaskId,
        policy: &RetryPolicy,
    ) -> Result<QueryOutcome, Error> {
        let mut attempt = 0;
        loop {
            match self.query_once(base, key, id).await {
                Err(e) if e.is_transient() && attempt < policy.max_retries => {
                    let backoff = policy.base_delay.saturating_mul(1 << attempt.min(16));
                    let wait = e.retry_after().unwrap_or(backoff).min(policy.max_delay);
                    tracing::debug!(code = e.code(), attempt, ?wait, "transient fault, retrying");
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    /// Sends one task to be made. Exactly one POST: a creation may cost money, so it
    /// is never retried here, and an answer lost after sending is reported as an
    /// unknown outcome, never as a failure.
    pub async fn create(
        &self,
        base: &BaseUrl,
        key: &ApiKey,
        request: &CreateRequest,
    ) -> Result<Created, Error> {
        request.validate()?;
        let client = self
            .client(if base.is_loopback() {
                Kind::CreatingDirect
            } else {
                Kind::Creating
            })
            .await?;
        let response = client
            .post(base.create_url())
            .header(AUTHORIZATION, bearer(key)?)
            .header(CONTENT_TYPE, "application/json")
            .body(request.body().to_string())
            // Embedded images can make tens of megabytes to upload.
            .timeout(CREATE_TIMEOUT)
            .send()
            .await
            .map_err(|e| {
                if e.is_connect() {
                    // Nothing reached the gateway: nothing was created.
                    Error::Network {
                        detail: Some(transport_reason(&e).into()),
                    }
                } else {
                    Error::OutcomeUnknown(transport_reason(&e).into())
                }
            })?;
        if !base.same_origin(response.url()) {
            return Err(Error::OutcomeUnknown(format!(
                "the gateway redirected to {}",
                origin_of(response.url())
            )));
        }
        let status = response.status().as_u16();
        // Whatever cut the answer short, the task may exist: the outcome is unknown.
        let body = read_capped(response, MAX_ANSWER_BYTES)
            .await
            .map_err(|e| Error::OutcomeUnknown(e.to_string()))?;
        let message = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|j| gateway_message(&j, key));
        classify_created(status, &body, message)
    }

    /// The balance the gateway reports for this key (`GET /api/usage/token/`), or
    /// None when it does not say: stock new-api gateways answer, Anyfast may not.
    pub async fn balance(&self, base: &BaseUrl, key: &ApiKey) -> Result<Option<Balance>, Error> {
        let response = self
            .for_gateway(base)
            .await?
            .get(base.balance_url())
            .header(AUTHORIZATION, bearer(key)?)
            .timeout(self.config.request_timeout)
            .send()
            .await
            .map_err(|e| Error::Network {
                detail: Some(transport_reason(&e).into()),
            })?;
        let status = response.status();
        if status == reqwest::StatusCode::UNAUTHORIZED {
            return Err(Error::Unauthorized { detail: None });
        }
        if !status.is_success() || !base.same_origin(response.url()) {
            return Ok(None);
        }
        let body = read_capped(response, MAX_ANSWER_BYTES).await?;
        Ok(Balance::read(&body))
    }

    async fn query_once(
        &self,
        base: &BaseUrl,
        key: &ApiKey,
        id: &TaskId,
    ) -> Result<QueryOutcome, Error> {
        let url = base.task_url(id);
        let response = self
            .for_gateway(base)
            .await?
            .get(url)
            .header(AUTHORIZATION, bearer(key)?)
            .timeout(self.config.request_timeout)
            .send()
            .await
            .map_err(classify_transport)?;
        if !base.same_origin(response.url()) {
            // A redirect took us elsewhere; reqwest dropped the key, but the answer is
            // not the gateway's.
            return Err(Error::NotAGateway {
                detail: Some(format!("it redirected to {}", origin_of(response.url()))),
            });
        }
        let status = response.status();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, crate::timefmt::now_unix()));
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        let body = read_capped(response, MAX_ANSWER_BYTES).await?;
        classify(status, &content_type, &body, retry_after, id, key)
    }
}

/// `Retry-After` as seconds or as an HTTP date (a date in the past means "now").
/// Capped at a day: a gateway cannot park a task for longer than its link lives.
pub fn parse_retry_after(value: &str, now: i64) -> Option<Duration> {
    const DAY: u64 = 24 * 3600;
    let value = value.trim();
    let secs = match value.parse::<u64>() {
        Ok(secs) => secs,
        Err(_) => {
            let at = crate::timefmt::parse_http_date(value)?;
            u64::try_from(at.saturating_sub(now)).unwrap_or(0)
        }
    };
    Some(Duration::from_secs(secs.min(DAY)))
}

/// The most of one JSON answer Paddock reads. A real answer is under 4 KiB; anything
/// near this is not a task, and reading on would let a broken or hostile gateway fill
/// memory.
pub const MAX_ANSWER_BYTES: usize = 1 << 20;

/// The body, or `bad_response` as soon as it passes `cap` (announced or streamed).
async fn read_capped(mut response: reqwest::Response, cap: usize) -> Result<Vec<u8>, Error> {
    let too_big = || Error::BadResponse {
        detail: Some(format!(
            "the answer is larger than {} KiB, far more than any task",
            cap / 1024
        )),
    };
    if response.content_length().is_some_and(|n| n > cap as u64) {
        return Err(too_big());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(classify_transport)? {
        if body.len() + chunk.len() > cap {
            return Err(too_big());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn origin_of(url: &Url) -> String {
    url.origin().ascii_serialization()
}

/// How long a creation may take to send and answer.
const CREATE_TIMEOUT: Duration = Duration::from_secs(180);

/// The `Authorization` header, marked sensitive so no log or debug print shows it.
fn bearer(key: &ApiKey) -> Result<HeaderValue, Error> {
    let mut auth = HeaderValue::from_str(&format!("Bearer {}", key.expose())).map_err(|_| {
        Error::Unauthorized {
            detail: Some("the key contains characters that cannot be sent".into()),
        }
    })?;
    auth.set_sensitive(true);
    Ok(auth)
}

/// What went wrong on the wire, in words; shared by the gateway and the video host.
pub fn transport_reason(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        "it timed out"
    } else if e.is_connect() {
        "the connection was refused or the host was not found"
    } else if e.is_redirect() {
        "it redirected too often, or to plain http"
    } else {
        "the connection broke off"
    }
}

fn classify_transport(e: reqwest::Error) -> Error {
    if e.is_timeout() {
        Error::Timeout
    } else {
        Error::Network {
            detail: Some(transport_reason(&e).into()),
        }
    }
}
