//! The bare window's own page, changed once after its first frame
//! (`BARE_WINDOW_PAGE`): one word appears, as on any page in use. The bare window
//! draws its empty page once and never again, and that is the state the memory line
//! measures it in. Its second frame, with nothing else changed, holds a second
//! compositor buffer and whatever drawing it took (12-20 MiB here; see the memory
//! line), which any window that updates what it shows pays.

use std::path::{Path, PathBuf};

/// Writes that page into a folder under `dir`, and returns the folder.
pub fn page_changed_once(dir: &Path) -> PathBuf {
    let bare = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/bare-window/page");
    let folder = dir.join("bare-in-use");
    std::fs::create_dir_all(&folder).expect("bare-in-use folder");
    let index = std::fs::read_to_string(bare.join("index.html")).expect("bare page");
    let painted = r#"<script type="module" src="painted.js"></script>"#;
    assert!(index.contains(painted), "the bare page loads painted.js");
    let index = index.replace(
        painted,
        &format!(r#"{painted}<script type="module" src="change-once.js"></script>"#),
    );
    std::fs::write(folder.join("index.html"), index).expect("write index.html");
    std::fs::copy(bare.join("painted.js"), folder.join("painted.js")).expect("painted.js");
    std::fs::write(
        folder.join("change-once.js"),
        "// A word appears once the first frame is on screen.\n\
         requestAnimationFrame(() => setTimeout(() => { document.body.textContent = 'Paddock'; }, 300));\n",
    )
    .expect("write change-once.js");
    folder
}
