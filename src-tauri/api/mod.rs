//! The Anyfast client: one HTTP client for the whole app, the query of one task, and
//! the classification of everything a gateway (or something pretending to be one)
//! can answer. See `../shared/anyfast-api.md` for the contract this follows.

mod error;
mod model;

use std::time::Duration;

use reqwest::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use reqwest::{StatusCode, Url};
use serde_json::Value;

pub use error::ApiError;
pub use model::{
    parse_progress, url_expiry, Status, TaskSnapshot, Upstream, VIDEO_LINK_LIFETIME_SECS,
};

use crate::ids::TaskId;
use crate::keystore::ApiKey;

/// Redirects followed at most, for the gateway and for video links.
const MAX_REDIRECTS: usize = 5;

/// Where requests go when the user has not chosen another gateway.
pub const DEFAULT_BASE_URL: &str = "https://www.anyfast.com.cn";

/// A gateway address that passed the security rules: http(s) only, and plain http
/// only to loopback, so the key never crosses a network in clear text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BaseUrl(Url);

impl BaseUrl {
    pub fn parse(text: &str) -> Result<Self, ApiError> {
        let trimmed = text.trim().trim_end_matches('/');
        let invalid = |reason: &str| ApiError::InvalidBaseUrl {
            url: trimmed.to_owned(),
            reason: reason.to_owned(),
        };
        let url = Url::parse(trimmed).map_err(|_| {
            invalid("it is not a web address; it should look like https://www.anyfast.com.cn")
        })?;
        if url.query().is_some()
            || url.fragment().is_some()
            || !url.username().is_empty()
            || url.password().is_some()
        {
            return Err(invalid(
                "it must not contain a query, fragment, user name or password",
            ));
        }
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(&url) => {}
            "http" => {
                return Err(invalid(
                    "plain http would send the API key unencrypted; use https (http is allowed only for this computer)",
                ))
            }
            _ => return Err(invalid("only https addresses are supported")),
        }
        if url.host_str().is_none() {
            return Err(invalid("it has no host name"));
        }
        Ok(Self(url))
    }

    /// The address as the user would type it, without a trailing slash.
    pub fn as_str(&self) -> &str {
        self.0.as_str().trim_end_matches('/')
    }

    /// `{base}/v1/video/generations/{id}`, the ID percent-encoded as one path segment.
    pub fn task_url(&self, id: &TaskId) -> Url {
        let mut url = self.0.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments
                .pop_if_empty()
                .extend(["v1", "video", "generations", id.as_str()]);
        }
        url
    }

    /// On this computer: reached directly, never through a proxy.
    pub fn is_loopback(&self) -> bool {
        is_loopback(&self.0)
    }

    fn same_origin(&self, other: &Url) -> bool {
        self.0.scheme() == other.scheme()
            && self.0.host_str() == other.host_str()
            && self.0.port_or_known_default() == other.port_or_known_default()
    }
}

/// Whether a video link may be fetched or played for a task of `base`: https, or
/// plain http only when the gateway itself is on this computer (the tests' fake).
pub fn video_link_allowed(video_url: &str, base: &str) -> bool {
    let Ok(url) = Url::parse(video_url) else {
        return false;
    };
    match url.scheme() {
        "https" => true,
        "http" => Url::parse(base).is_ok_and(|b| is_loopback(&b)),
        _ => false,
    }
}

fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

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

/// The one HTTP client of the app. Cheap to clone (reqwest shares its pool).
#[derive(Clone)]
pub struct AnyfastClient {
    http: reqwest::Client,
    /// The same settings without any proxy, for a gateway on this computer: a
    /// system proxy must never see a loopback request (or its key).
    direct: reqwest::Client,
    config: ClientConfig,
}

impl std::fmt::Debug for AnyfastClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnyfastClient")
            .field("config", &self.config)
            .finish()
    }
}

/// `paddock/0.1.0 (linux; x86_64)`.
pub fn user_agent() -> String {
    format!(
        "paddock/{} ({}; {})",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS,
        std::env::consts::ARCH
    )
}

impl AnyfastClient {
    pub fn new(config: ClientConfig) -> Result<Self, ApiError> {
        let builder = || {
            reqwest::Client::builder()
                .user_agent(user_agent())
                .connect_timeout(config.connect_timeout)
                .read_timeout(config.read_timeout)
                // Video links may redirect to a CDN: https only, a few hops, and no
                // Referer naming where the request came from. The gateway's own
                // redirects are checked again against its origin below.
                .redirect(reqwest::redirect::Policy::custom(|attempt| {
                    if attempt.previous().len() >= MAX_REDIRECTS {
                        attempt.error("too many redirects")
                    } else if attempt.url().scheme() != "https" && !is_loopback(attempt.url()) {
                        attempt.error("a redirect to plain http")
                    } else {
                        attempt.follow()
                    }
                }))
                .referer(false)
        };
        let start_err = |e: reqwest::Error| ApiError::Network {
            detail: Some(format!("the HTTP client could not start: {e}")),
        };
        let http = builder().build().map_err(start_err)?;
        let direct = builder().no_proxy().build().map_err(start_err)?;
        Ok(Self {
            http,
            direct,
            config,
        })
    }

    /// The shared reqwest client, for requests that carry no key (video bodies).
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The client for requests to `base`: no proxy when it is on this computer.
    fn for_gateway(&self, base: &BaseUrl) -> &reqwest::Client {
        if base.is_loopback() {
            &self.direct
        } else {
            &self.http
        }
    }

    /// Asks the gateway about one task, retrying transient faults within the policy.
    pub async fn query(
        &self,
        base: &BaseUrl,
        key: &ApiKey,
        id: &TaskId,
    ) -> Result<QueryOutcome, ApiError> {
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
    ) -> Result<QueryOutcome, ApiError> {
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

    async fn query_once(
        &self,
        base: &BaseUrl,
        key: &ApiKey,
        id: &TaskId,
    ) -> Result<QueryOutcome, ApiError> {
        let url = base.task_url(id);
        let mut auth =
            HeaderValue::from_str(&format!("Bearer {}", key.expose())).map_err(|_| {
                ApiError::Unauthorized {
                    detail: Some("the key contains characters that cannot be sent".into()),
                }
            })?;
        auth.set_sensitive(true);
        let response = self
            .for_gateway(base)
            .get(url)
            .header(AUTHORIZATION, auth)
            .timeout(self.config.request_timeout)
            .send()
            .await
            .map_err(classify_transport)?;
        if !base.same_origin(response.url()) {
            // A redirect took us elsewhere; reqwest dropped the key, but the answer is
            // not the gateway's.
            return Err(ApiError::NotAGateway {
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
async fn read_capped(mut response: reqwest::Response, cap: usize) -> Result<Vec<u8>, ApiError> {
    let too_big = || ApiError::BadResponse {
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

/// A successful answer: the normalised task and the raw body it came from.
#[derive(Debug, Clone)]
pub struct QueryOutcome {
    pub task: TaskSnapshot,
    pub raw: Value,
}

fn origin_of(url: &Url) -> String {
    url.origin().ascii_serialization()
}

fn classify_transport(e: reqwest::Error) -> ApiError {
    if e.is_timeout() {
        ApiError::Timeout
    } else if e.is_connect() {
        ApiError::Network {
            detail: Some("the connection was refused or the host was not found".into()),
        }
    } else {
        ApiError::Network {
            detail: Some("the connection broke off".into()),
        }
    }
}

fn looks_like_markup(content_type: &str, body: &[u8]) -> bool {
    if content_type.contains("html") || content_type.contains("xml") {
        return true;
    }
    let start = body.iter().position(|b| !b.is_ascii_whitespace());
    matches!(start.map(|i| body[i]), Some(b'<'))
}

/// The gateway's message from either error family, with the key scrubbed out.
fn gateway_message(body: &Value, key: &ApiKey) -> Option<String> {
    let msg = body
        .get("error")
        .and_then(|e| e.get("message"))
        .and_then(Value::as_str)
        .or_else(|| body.get("message").and_then(Value::as_str))
        .map(str::trim)
        .filter(|m| !m.is_empty())?;
    // Scrubbed before it is cut: a key across the cut would leave its head behind.
    Some(key.scrub(msg).chars().take(300).collect())
}

fn envelope_code(body: &Value) -> Option<&str> {
    body.get("code").and_then(Value::as_str)
}

/// Turns one HTTP answer into a task or an error. Pure, so tests can feed it fixtures.
pub fn classify(
    status: StatusCode,
    content_type: &str,
    body: &[u8],
    retry_after: Option<Duration>,
    id: &TaskId,
    key: &ApiKey,
) -> Result<QueryOutcome, ApiError> {
    let markup = looks_like_markup(content_type, body);
    let json: Option<Value> = if markup {
        None
    } else {
        serde_json::from_slice(body).ok()
    };
    let detail = json.as_ref().and_then(|j| gateway_message(j, key));
    let code = status.as_u16();
    match status {
        StatusCode::UNAUTHORIZED => Err(ApiError::Unauthorized { detail }),
        StatusCode::FORBIDDEN => Err(ApiError::Forbidden { detail }),
        StatusCode::TOO_MANY_REQUESTS => Err(ApiError::RateLimited {
            detail,
            retry_after,
        }),
        s if s.is_server_error() => Err(ApiError::Server {
            status: code,
            detail,
        }),
        _ if markup => Err(ApiError::NotAGateway {
            detail: Some(format!("it answered with a web page (HTTP {code})")),
        }),
        _ => {
            let Some(json) = json else {
                return Err(if body.iter().all(u8::is_ascii_whitespace) {
                    ApiError::BadResponse {
                        detail: Some(format!("an empty answer (HTTP {code})")),
                    }
                } else {
                    ApiError::BadResponse {
                        detail: Some(format!("not JSON (HTTP {code})")),
                    }
                });
            };
            if envelope_code(&json) == Some("task_not_exist") {
                return Err(ApiError::NotFound { detail: None });
            }
            if status == StatusCode::NOT_FOUND {
                let msg = detail.clone().unwrap_or_default();
                return Err(if msg.starts_with("Invalid URL") {
                    ApiError::NotAGateway {
                        detail: Some("the gateway does not know the task path; the base URL should not end in /v1".into()),
                    }
                } else {
                    ApiError::NotFound { detail }
                });
            }
            if !status.is_success() {
                return Err(ApiError::BadResponse {
                    detail: detail.or(Some(format!("HTTP {code}"))),
                });
            }
            match envelope_code(&json) {
                Some("success") => {}
                Some(other) => {
                    return Err(ApiError::BadResponse {
                        detail: Some(detail.unwrap_or_else(|| other.to_owned())),
                    })
                }
                None if json.get("error").is_some() => {
                    return Err(ApiError::BadResponse { detail })
                }
                None if !json.is_object() || json.get("data").is_none() => {
                    return Err(ApiError::NotAGateway {
                        detail: Some("the answer has none of the gateway's fields".into()),
                    })
                }
                None => {}
            }
            let data = json.get("data").cloned().unwrap_or(Value::Null);
            let task = TaskSnapshot::from_data(id.as_str(), &data);
            Ok(QueryOutcome { task, raw: json })
        }
    }
}
