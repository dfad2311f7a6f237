//! The gallery at scale: 10,000 tasks, 3,000 of them with a poster. Each figure is
//! the same action timed the same way in the list and in the gallery, in one
//! window: switching to the view, scrolling from top to bottom, and a search
//! keystroke (the page's own `filter` measure). The 95th percentile of 20 runs,
//! and the webview's memory before and after scrolling the whole grid.

use std::path::Path;

use serde_json::{json, Value};

use super::history::seed_history;
use super::webdriver::Driver;

const TASKS: usize = 10_000;
const WITH_POSTERS: usize = 3_000;
const RUNS: usize = 20;

/// From an action to the frame that shows it: the action, then a frame, then the
/// first task after that frame (the paint). The action is data, not code: the
/// page's CSP refuses `eval`. `arguments[0]`: "click" or "scroll"; `[1]`: the
/// element's ID; `[2]`: for a scroll, to the bottom (true) or the top.
const TIMED: &str = "const done = arguments[arguments.length - 1];
    const [action, id, bottom] = arguments;
    const node = document.getElementById(id);
    const start = performance.now();
    if (action === 'click') node.click();
    else node.scrollTop = bottom ? node.scrollHeight : 0;
    requestAnimationFrame(() => setTimeout(() => done(performance.now() - start), 0));";

/// The 95th percentile of the values (nearest rank).
pub fn p95(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() as f64) * 0.95).ceil() as usize - 1]
}

async fn timed(driver: &Driver, action: &str, id: &str, bottom: bool) -> f64 {
    driver
        .exec_async(TIMED, vec![json!(action), json!(id), json!(bottom)])
        .await
        .as_f64()
        .unwrap_or(f64::NAN)
}

async fn click(driver: &Driver, id: &str) -> f64 {
    timed(driver, "click", id, false).await
}

/// Switching to a view (from the other), timed `RUNS` times.
async fn switching(driver: &Driver, to: &str, from: &str) -> Vec<f64> {
    let mut out = Vec::new();
    for _ in 0..RUNS {
        click(driver, from).await;
        out.push(click(driver, to).await);
    }
    out
}

/// Scrolling the view's scroller to the bottom and back to the top.
async fn scrolling(driver: &Driver, scroller: &str) -> Vec<f64> {
    let mut out = Vec::new();
    for i in 0..RUNS {
        out.push(timed(driver, "scroll", scroller, i % 2 == 0).await);
    }
    out
}

/// A keystroke in the search box (narrowing, then widening), by the page's measure.
async fn searching(driver: &Driver) -> Vec<f64> {
    const MEASURE: &str = "const m = performance.getEntriesByName('filter', 'measure')[0];
        return m && (arguments[0] === null || m.startTime !== arguments[0][0]) ? [m.startTime, m.duration] : null;";
    let mut out = Vec::new();
    for i in 0..RUNS {
        let key = if i % 2 == 0 { "h" } else { "\u{E003}" };
        let before = driver
            .exec(
                "const m = performance.getEntriesByName('filter', 'measure')[0]; return m ? [m.startTime, m.duration] : null;",
                vec![],
            )
            .await;
        driver.type_into("#search", key).await;
        let after: Value = driver
            .wait_for("the filtered view", MEASURE, vec![before])
            .await;
        out.push(after[1].as_f64().unwrap_or(f64::NAN));
    }
    out
}

fn line(what: &str, gallery: Vec<f64>, list: Vec<f64>) {
    let (g, l) = (p95(gallery), p95(list));
    println!(
        "gallery at scale: {what} over {TASKS} tasks ({WITH_POSTERS} with posters) painted in {g:.0} ms, the list {l:.0} ms: {:.2}x (95th percentile of {RUNS}, target < 100 ms)",
        g / l
    );
}

pub async fn bench_gallery_at_scale(dir: &Path) {
    let data = dir.join("gallery-data");
    seed_history(&data, TASKS);
    let posters = data.join("posters");
    std::fs::create_dir_all(&posters).expect("posters folder");
    let jpeg = include_bytes!("poster.jpg");
    for i in 0..WITH_POSTERS {
        std::fs::write(posters.join(format!("asyntask_bench{i:027}.jpg")), jpeg).expect("poster");
    }
    let driver = super::launch_at_scale(&data, dir).await;
    let open_list = switching(&driver, "view-list", "view-gallery").await;
    let open_gallery = switching(&driver, "view-gallery", "view-list").await;
    line("opening the view", open_gallery, open_list);

    click(&driver, "view-list").await;
    let scroll_list = scrolling(&driver, "list-scroller").await;
    click(&driver, "view-gallery").await;
    let scroll_gallery = scrolling(&driver, "gallery-scroller").await;
    line("scrolling top to bottom", scroll_gallery, scroll_list);

    let search_gallery = searching(&driver).await;
    click(&driver, "view-list").await;
    let search_list = searching(&driver).await;
    line("a search keystroke", search_gallery, search_list);

    // Memory: the whole list, then the whole grid, scrolled through a viewport at
    // a time; resident memory before and after each, by process.
    click(&driver, "view-list").await;
    let list = scroll_through(&driver, "list-scroller").await;
    click(&driver, "view-gallery").await;
    let cards = driver
        .exec(
            "return document.querySelectorAll('#gallery-grid .card').length",
            vec![],
        )
        .await;
    let gallery = scroll_through(&driver, "gallery-scroller").await;
    // A second pass over the same grid: what the first left behind that is bounded
    // (caches that fill once) does not grow again; a leak does.
    let again = scroll_through(&driver, "gallery-scroller").await;
    driver.screenshot("bench-gallery-10000").await;
    println!(
        "gallery at scale: resident memory of the app and its WebKit processes {:.0} MiB before scrolling the whole grid ({} screens, {cards} cards in the DOM at a time), {:.0} MiB after: {:.2}x; the list scrolled through the same way: {:.0} MiB, then {:.0} MiB: {:.2}x (target: flat)",
        gallery.before.total() / 1024.0,
        gallery.steps,
        gallery.after.total() / 1024.0,
        gallery.after.total() / gallery.before.total(),
        list.before.total() / 1024.0,
        list.after.total() / 1024.0,
        list.after.total() / list.before.total(),
    );
    println!(
        "gallery at scale: by process, before and after the grid: {}",
        gallery.before.compare(&gallery.after)
    );
    println!(
        "gallery at scale: a second pass over the whole grid: {:.0} MiB before, {:.0} MiB after: {:.2}x (by process: {})",
        again.before.total() / 1024.0,
        again.after.total() / 1024.0,
        again.after.total() / again.before.total(),
        again.before.compare(&again.after)
    );
    driver.quit().await;
}

/// Resident memory (KiB) of each process under tauri-driver, by command name.
struct ByProcess(Vec<(String, f64)>);

impl ByProcess {
    fn now(root: u32) -> Self {
        let mut out: Vec<(String, f64)> = Vec::new();
        for pid in super::process_tree(root) {
            let name = std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .unwrap_or_default()
                .trim()
                .to_owned();
            let rss = super::common::kib_field(&format!("/proc/{pid}/status"), "VmRSS:") as f64;
            match out.iter_mut().find(|(n, _)| *n == name) {
                Some((_, total)) => *total += rss,
                None => out.push((name, rss)),
            }
        }
        Self(out)
    }

    fn total(&self) -> f64 {
        self.0.iter().map(|(_, r)| r).sum()
    }

    fn compare(&self, after: &ByProcess) -> String {
        self.0
            .iter()
            .map(|(name, before)| {
                let now = after
                    .0
                    .iter()
                    .find(|(n, _)| n == name)
                    .map_or(0.0, |(_, r)| *r);
                format!("{name} {:.0} -> {:.0} MiB", before / 1024.0, now / 1024.0)
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

struct ScrolledThrough {
    before: ByProcess,
    after: ByProcess,
    steps: usize,
}

/// Scrolls the view from top to bottom a viewport at a time, after a rest.
async fn scroll_through(driver: &Driver, scroller: &str) -> ScrolledThrough {
    driver
        .exec(
            "document.getElementById(arguments[0]).scrollTop = 0",
            vec![json!(scroller)],
        )
        .await;
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let before = ByProcess::now(driver.pid());
    let mut steps = 0;
    loop {
        let at_end = driver
            .exec_async(
                "const done = arguments[arguments.length - 1];
                 const s = document.getElementById(arguments[0]);
                 s.scrollTop += s.clientHeight;
                 requestAnimationFrame(() => setTimeout(() => done(s.scrollTop + s.clientHeight >= s.scrollHeight - 1), 0));",
                vec![json!(scroller)],
            )
            .await;
        steps += 1;
        if at_end == json!(true) || steps > 5_000 {
            break;
        }
    }
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    ScrolledThrough {
        before,
        after: ByProcess::now(driver.pid()),
        steps,
    }
}
