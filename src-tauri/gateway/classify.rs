//! Everything a gateway (or something pretending to be one) can answer, turned into
//! a task or an error. Pure, so tests feed it the contract's fixtures directly.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;

use super::{ApiKey, TaskSnapshot};
use crate::error::Error;
use crate::ids::TaskId;

/// A successful answer: the normalised task and the raw body it came from.
#[derive(Debug, Clone)]
pub struct QueryOutcome {
    pub task: TaskSnapshot,
    pub raw: Value,
}

fn looks_like_markup(content_type: &str, body: &[u8]) -> bool {
    if content_type.contains("html") || content_type.contains("xml") {
        return true;
    }
    let start = body.iter().position(|b| !b.is_ascii_whitespace());
    matches!(start.map(|i| body[i]), Some(b'<'))
}

/// The gateway's message from either error family, with the key scrubbed out.
pub(crate) fn gateway_message(body: &Value, key: &ApiKey) -> Option<String> {
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
) -> Result<QueryOutcome, Error> {
    let markup = looks_like_markup(content_type, body);
    let json: Option<Value> = if markup {
        None
    } else {
        serde_json::from_slice(body).ok()
    };
    let detail = json.as_ref().and_then(|j| gateway_message(j, key));
    let code = status.as_u16();
    match status {
        StatusCode::UNAUTHORIZED => Err(Error::Unauthorized { detail }),
        StatusCode::FORBIDDEN => Err(Error::Forbidden { detail }),
        StatusCode::TOO_MANY_REQUESTS => Err(Error::RateLimited {
            detail,
            retry_after,
        }),
        s if s.is_server_error() => Err(Error::Server {
            status: code,
            detail,
        }),
        _ if markup => Err(Error::NotAGateway {
            detail: Some(format!("it answered with a web page (HTTP {code})")),
        }),
        _ => {
            let Some(json) = json else {
                return Err(if body.iter().all(u8::is_ascii_whitespace) {
                    Error::BadResponse {
                        detail: Some(format!("an empty answer (HTTP {code})")),
                    }
                } else {
                    Error::BadResponse {
                        detail: Some(format!("not JSON (HTTP {code})")),
                    }
                });
            };
            if envelope_code(&json) == Some("task_not_exist") {
                return Err(Error::NotFound { detail: None });
            }
            if status == StatusCode::NOT_FOUND {
                let msg = detail.clone().unwrap_or_default();
                return Err(if msg.starts_with("Invalid URL") {
                    Error::NotAGateway {
                        detail: Some("the gateway does not know the task path; the base URL should not end in /v1".into()),
                    }
                } else {
                    Error::NotFound { detail }
                });
            }
            if !status.is_success() {
                return Err(Error::BadResponse {
                    detail: detail.or(Some(format!("HTTP {code}"))),
                });
            }
            match envelope_code(&json) {
                Some("success") => {}
                Some(other) => {
                    return Err(Error::BadResponse {
                        detail: Some(detail.unwrap_or_else(|| other.to_owned())),
                    })
                }
                None if json.get("error").is_some() => return Err(Error::BadResponse { detail }),
                None if !json.is_object() || json.get("data").is_none() => {
                    return Err(Error::NotAGateway {
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
