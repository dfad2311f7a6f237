//! The app's reqwest clients: which kinds there are and how each is built. reqwest
//! fixes the proxy and redirect policies per client, so each combination the
//! gateway client needs is a client of its own.

use std::time::Duration;

use super::base_url::{is_loopback, MAX_REDIRECTS};

/// Which of the app's reqwest clients a request needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// Queries and video bodies: a few https redirects, a system proxy if any.
    Http,
    /// The same without any proxy, for a gateway on this computer: a system proxy
    /// must never see a loopback request (or its key).
    Direct,
    /// Creations: follows no redirect.
    Creating,
    /// Creations on this computer: no redirect, no proxy.
    CreatingDirect,
}

/// A reqwest client of `kind`. Blocking: it reads the system's root certificates.
pub(super) fn build(
    kind: Kind,
    connect_timeout: Duration,
    read_timeout: Duration,
) -> Result<reqwest::Client, reqwest::Error> {
    let builder = reqwest::Client::builder()
        .user_agent(user_agent())
        .connect_timeout(connect_timeout)
        .referer(false);
    let builder = match kind {
        // Video links may redirect to a CDN: https only, a few hops, and no
        // Referer naming where the request came from. The gateway's own
        // redirects are checked again against its origin (client.rs).
        Kind::Http | Kind::Direct => builder
            .redirect(reqwest::redirect::Policy::custom(|attempt| {
                if attempt.previous().len() >= MAX_REDIRECTS {
                    attempt.error("too many redirects")
                } else if attempt.url().scheme() != "https" && !is_loopback(attempt.url()) {
                    attempt.error("a redirect to plain http")
                } else {
                    attempt.follow()
                }
            }))
            .read_timeout(read_timeout),
        // No redirects for a creation: a 307/308 would send the prompt and any
        // embedded images to wherever it points.
        Kind::Creating | Kind::CreatingDirect => {
            builder.redirect(reqwest::redirect::Policy::none())
        }
    };
    match kind {
        Kind::Direct | Kind::CreatingDirect => builder.no_proxy().build(),
        Kind::Http | Kind::Creating => builder.build(),
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
