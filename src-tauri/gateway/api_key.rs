//! The API key as a value that cannot leak by accident: its `Debug` is masked, and
//! only the one header that needs it sees the text.

use std::fmt;

use crate::error::Error;

/// A secret API key. Its `Debug` and `Display` never show it; only
/// [`expose`](ApiKey::expose) does, for the one header that needs it.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Trims whitespace and a pasted `Bearer ` prefix; rejects empty or multi-line input.
    pub fn new(text: &str) -> Result<Self, Error> {
        let trimmed = text.trim();
        let trimmed = trimmed.strip_prefix("Bearer ").unwrap_or(trimmed).trim();
        if trimmed.is_empty() {
            return Err(Error::InvalidKey("the key is empty".into()));
        }
        if trimmed.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(Error::InvalidKey(
                "a key has no spaces or line breaks".into(),
            ));
        }
        if trimmed.len() > 512 {
            return Err(Error::InvalidKey(
                "this is too long to be an API key".into(),
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `sk-…9f2c`: enough to tell two keys apart, never enough to use one.
    pub fn hint(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        if chars.len() < 12 {
            return "…".into();
        }
        let tail: String = chars[chars.len() - 4..].iter().collect();
        let head = if self.0.starts_with("sk-") { "sk-" } else { "" };
        format!("{head}…{tail}")
    }

    /// Replaces any occurrence of the key in text that came from elsewhere.
    pub fn scrub(&self, text: &str) -> String {
        text.replace(&self.0, "[hidden key]")
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKey({})", self.hint())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "sk-test0123456789abcdef9f2c";

    #[test]
    fn debug_and_hint_never_show_the_key() {
        let k = ApiKey::new(KEY).unwrap();
        assert_eq!(k.hint(), "sk-…9f2c");
        assert!(!format!("{k:?}").contains("0123456789"));
        assert_eq!(ApiKey::new("short").unwrap().hint(), "…");
    }

    #[test]
    fn key_input_is_cleaned_and_checked() {
        assert_eq!(
            ApiKey::new(&format!("  Bearer {KEY}\n")).unwrap().expose(),
            KEY
        );
        assert_eq!(ApiKey::new(" ").unwrap_err().code(), "invalid_key");
        assert!(ApiKey::new("two words").is_err());
    }

    #[test]
    fn scrub_hides_the_key_in_foreign_text() {
        let k = ApiKey::new(KEY).unwrap();
        assert_eq!(
            k.scrub(&format!("bad token {KEY}!")),
            "bad token [hidden key]!"
        );
    }
}
