//! The bare window's own page with one word on it, changed once after the first
//! frame (`BARE_WINDOW_PAGE`), as any page in use changes. The bare window draws its
//! empty page once (twice in some launches) and never again, and that is the state
//! the memory line measures it in. A second frame holds a second compositor buffer and what drawing it took,
//! which any window that updates what it shows pays. By hand, 5 launches each: the
//! word alone costs 9.6 MiB (PSS) with WebKit's default settings and 1.9 with
//! Paddock's; the one change after it, 10.6 to 11 MiB with either.

use std::path::{Path, PathBuf};

/// Writes that page into a folder under `dir`, and returns the folder.
pub fn page_changed_once(dir: &Path) -> PathBuf {
    let bare = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/bare-window/page");
    let folder = dir.join("bare-in-use");
    std::fs::create_dir_all(&folder).expect("bare-in-use folder");
    let index = std::fs::read_to_string(bare.join("index.html")).expect("bare page");
    let (painted, body) = (
        r#"<script type="module" src="painted.js"></script>"#,
        "<body></body>",
    );
    assert!(
        index.contains(painted) && index.contains(body),
        "the bare page loads painted.js and has an empty body"
    );
    let index = index
        .replace(
            painted,
            &format!(r#"{painted}<script type="module" src="change-once.js"></script>"#),
        )
        .replace(body, "<body>Paddock</body>");
    std::fs::write(folder.join("index.html"), index).expect("write index.html");
    std::fs::copy(bare.join("painted.js"), folder.join("painted.js")).expect("painted.js");
    std::fs::write(
        folder.join("change-once.js"),
        "// The word changes once the first frame is on screen.\n\
         requestAnimationFrame(() => setTimeout(() => { document.body.textContent = 'Paddock.'; }, 300));\n",
    )
    .expect("write change-once.js");
    folder
}
