//! Percent-encoding, written once for the two places that hand text to a URI: a
//! dragged file's `file://` path and the fragment of the page that says why Paddock
//! could not start.

/// Every byte but letters, digits, `-._~` and those in `also_kept` as `%XX`, so
/// spaces, `#`, `%`, `&`, non-ASCII and even non-UTF-8 bytes survive the trip.
pub(super) fn percent_encoded(bytes: &[u8], also_kept: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(bytes.len());
    for &byte in bytes {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) || also_kept.contains(&byte) {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}
