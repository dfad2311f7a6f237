//! Shared test support: the fake gateway and small helpers.
#![allow(dead_code)]

pub mod desktop_shell;
pub mod fake_anyfast;
pub mod memory_keyring;

use std::path::PathBuf;

/// The keys every task object of `--json` carries, as README.md documents them;
/// written out here, apart from the code, so that a key the code drops fails a test.
pub const CONTRACT_KEYS: [&str; 17] = [
    "id",
    "status",
    "raw_status",
    "progress",
    "action",
    "prompt",
    "resolution",
    "duration",
    "ratio",
    "submitted_at",
    "started_at",
    "finished_at",
    "video_url",
    "video_expires_at",
    "fail_reason",
    "saved_path",
    "error",
];

/// The IDs in the history in `dir`, sorted: what is really on disk.
pub fn stored_ids(dir: &std::path::Path) -> Vec<String> {
    let mut ids: Vec<String> = paddock::tasks::TaskStore::open(dir)
        .expect("open the history")
        .store
        .load_all()
        .expect("read the history")
        .into_iter()
        .map(|r| r.id)
        .collect();
    ids.sort();
    ids
}

/// Fails unless each file of `../shared/<shared>` (of the kinds `keep` accepts) is
/// byte for byte the same in `tests/fixtures/<ours>`; skipped when `../shared` is
/// not beside this clone. Returns how many were compared.
pub fn assert_same_as_shared(shared: &str, ours: &str, keep: impl Fn(&str) -> bool) -> usize {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../shared").join(shared);
    if !shared.exists() {
        eprintln!("../shared is not beside this clone; comparing skipped");
        return 0;
    }
    let mut compared = 0;
    for entry in std::fs::read_dir(&shared).expect("read ../shared") {
        let path = entry.expect("an entry").path();
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        if !keep(&name) {
            continue;
        }
        let copy = std::fs::read(root.join("tests/fixtures").join(ours).join(&name))
            .unwrap_or_else(|_| panic!("{name} is missing from tests/fixtures/{ours}"));
        assert_eq!(copy, std::fs::read(&path).expect("read"), "{name} differs");
        compared += 1;
    }
    compared
}

/// A fresh, empty folder under the target dir for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    // Tests of one binary run in parallel in one process, and several may ask
    // for the same name: each call gets a folder of its own, or one test would
    // wipe another's files (CI saw exactly that).
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("{name}-{}-{call}", std::process::id()));
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

/// Fails if a history in `dir` was moved aside as damaged: one that was only locked
/// must be left as it is.
pub fn assert_nothing_moved_aside(dir: &std::path::Path) {
    let names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| !n.contains("corrupt")),
        "nothing moved aside: {names:?}"
    );
}
