//! A gateway address that passed the security rules: http(s) only, plain http only
//! to this computer, no user name or password in it. The key goes nowhere else.

use reqwest::Url;

use crate::error::Error;
use crate::ids::TaskId;

/// Redirects followed at most, for the gateway and for video links.
pub(crate) const MAX_REDIRECTS: usize = 5;

/// Where requests go when the user has not chosen another gateway.
pub const DEFAULT_BASE_URL: &str = "https://www.anyfast.com.cn";

/// A gateway address that passed the security rules: http(s) only, and plain http
/// only to loopback, so the key never crosses a network in clear text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BaseUrl(Url);

impl BaseUrl {
    pub fn parse(text: &str) -> Result<Self, Error> {
        let trimmed = text.trim().trim_end_matches('/');
        let invalid = |reason: &str| Error::InvalidBaseUrl {
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

    /// `{base}/v1/video/generations`, where tasks are created.
    pub fn create_url(&self) -> Url {
        self.joined(&["v1", "video", "generations"])
    }

    /// `{base}/api/usage/token/`, where stock gateways tell a key's balance.
    pub fn balance_url(&self) -> Url {
        self.joined(&["api", "usage", "token", ""])
    }

    fn joined(&self, segments: &[&str]) -> Url {
        let mut url = self.0.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    pub(crate) fn same_origin(&self, other: &Url) -> bool {
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

pub(crate) fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}
