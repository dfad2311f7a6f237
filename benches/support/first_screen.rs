//! A static copy of Paddock's painted first screen, for the bare window to show
//! (`BARE_WINDOW_PAGE`): the same DOM and stylesheet without a line of script. Its
//! start-up and memory are what drawing that screen costs in this webview, so the
//! start-up and memory lines can tell the screen's own cost from Paddock's code.

use std::path::{Path, PathBuf};

use crate::webdriver::Driver;

/// Takes the DOM with the first rows painted. Style attributes (the list's height
/// and offset) move to a stylesheet: the bare window's CSP refuses them in markup,
/// as Paddock's does (Paddock sets them from script, which CSP allows). The dialogs
/// go back into a template, where they are at Paddock's first paint (main.js puts
/// them in the page after it).
const COPY_DOM: &str = "
    const copy = document.documentElement.cloneNode(true);
    copy.querySelectorAll('script, link[rel=modulepreload]').forEach((e) => e.remove());
    const dialogs = document.createElement('template');
    copy.querySelectorAll('body > dialog').forEach((e) => dialogs.content.append(e));
    copy.querySelector('body').append(dialogs);
    const rules = [];
    copy.querySelectorAll('[style]').forEach((e, i) => {
      e.setAttribute('data-copied-style', i);
      rules.push(`[data-copied-style=\"${i}\"] { ${e.getAttribute('style')} }`);
      e.removeAttribute('style');
    });
    const head = copy.querySelector('head');
    const sheet = document.createElement('link');
    sheet.rel = 'stylesheet';
    sheet.href = 'copied-styles.css';
    head.append(sheet);
    const painted = document.createElement('script');
    painted.type = 'module';
    painted.src = 'painted.js';
    head.append(painted);
    return ['<!doctype html>\\n' + copy.outerHTML, rules.join('\\n'), copy.querySelectorAll('#task-list > *').length];";

/// Writes the copy of the first screen `driver` shows into `dir`/first-screen, with
/// the stylesheet and logo it links and the bare page's paint report; returns the
/// folder and how many rows the copy holds.
pub async fn copy_first_screen(driver: &Driver, dir: &Path) -> (PathBuf, u64) {
    driver
        .wait_for(
            "the first rows",
            "return document.querySelectorAll('#task-list > *').length > 0 || null",
            vec![],
        )
        .await;
    let copied = driver.exec(COPY_DOM, vec![]).await;
    let text = |i: usize| copied[i].as_str().unwrap_or_default().to_owned();
    let rows = copied[2].as_u64().unwrap_or(0);
    let folder = dir.join("first-screen");
    std::fs::create_dir_all(&folder).expect("first-screen folder");
    std::fs::write(folder.join("index.html"), text(0)).expect("write the copy");
    std::fs::write(folder.join("copied-styles.css"), text(1)).expect("write its styles");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (from, name) in [
        ("ui/styles.css", "styles.css"),
        ("ui/logo.png", "logo.png"),
        ("benches/bare-window/page/painted.js", "painted.js"),
    ] {
        std::fs::copy(root.join(from), folder.join(name)).expect("copy a page file");
    }
    (folder, rows)
}
