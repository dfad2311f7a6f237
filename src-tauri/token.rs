//! Unguessable tokens from the operating system's secure random source.

/// 128 random bits as 32 hex digits. Fails only when the OS has no random source
/// (never seen on a desktop); callers refuse rather than fall back to a guessable one.
pub fn random_token() -> std::io::Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_are_long_and_differ() {
        let (a, b) = (
            super::random_token().unwrap(),
            super::random_token().unwrap(),
        );
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}
