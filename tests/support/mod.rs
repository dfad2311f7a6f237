//! Shared test support: the fake gateway and small helpers.
#![allow(dead_code)]

pub mod fake_anyfast;
pub mod memory_keyring;

use std::path::PathBuf;

/// A fresh, empty folder under the target dir for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

/// A task ID in the documented format, unique per label.
pub fn task_id(label: &str) -> String {
    let mut s: String = label
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    s.push_str(&"0".repeat(32));
    format!("asyntask_{}", &s[..32])
}
pub mod webdriver;

/// Whether a real Secret Service answers. The README's test command starts
/// gnome-keyring in a private D-Bus session and sets `PADDOCK_REQUIRE_KEYRING`, so
/// there a missing keyring fails the run instead of skipping.
pub fn keyring_available() -> bool {
    use paddock::keys::{SecretBackend, SystemKeyring};
    let required = std::env::var_os("PADDOCK_REQUIRE_KEYRING").is_some();
    match SystemKeyring.probe() {
        Ok(()) => true,
        Err(e) => {
            assert!(
                !required,
                "PADDOCK_REQUIRE_KEYRING is set but the keyring is unusable: {e}"
            );
            eprintln!("skipped: no Secret Service ({e}); run the README's test command");
            false
        }
    }
}

/// Fails if the key's bytes appear in any file under `dir`.
pub fn assert_key_not_on_disk(dir: &std::path::Path, key: &str) {
    let mut stack = vec![dir.to_path_buf()];
    let mut scanned = 0;
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).expect("read dir").flatten() {
                stack.push(entry.path());
            }
        } else if let Ok(bytes) = std::fs::read(&path) {
            scanned += 1;
            assert!(
                !bytes.windows(key.len()).any(|w| w == key.as_bytes()),
                "the API key was written to {}",
                path.display()
            );
        }
    }
    assert!(
        scanned > 0,
        "nothing was written under {}: the scan proves nothing",
        dir.display()
    );
}
