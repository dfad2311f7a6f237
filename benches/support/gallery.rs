//! The gallery at scale: 10,000 tasks, 3,000 of them with a poster. Each figure is
//! the same action timed the same way in the list and in the gallery, in one
//! window: switching to the view, scrolling from top to bottom, and a search
//! keystroke (the page's own `filter` measure). The 95th percentile of 20 runs,
//! and the webview's memory before and after scrolling the whole grid.

use std::path::Path;

use serde_json::{json, Value};

use super::history::seed_history;
use super::webdriver::{Driver, Launch};

const TASKS: usize = 10_000;
const WITH_POSTERS: usize = 3_000;
const RUNS: usize = 20;

/// From an action to the frame that shows it: the action, then a frame, then the
/// first task after that frame (the paint).
const TIMED: &str = "const done = arguments[arguments.length - 1];
    const start = performance.now();
    (new Function(arguments[0]))();
    requestAnimationFrame(() => setTimeout(() => done(performance.now() - start), 0));";

fn p95(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() as f64) * 0.95).ceil() as usize - 1]
}

async fn timed(driver: &Driver, action: &str) -> f64 {
    driver
        .exec_async(TIMED, vec![json!(action)])
        .await
        .as_f64()
        .unwrap_or(f64::NAN)
}

/// Switching to a view (from the other), timed `RUNS` times.
async fn switching(driver: &Driver, to: &str, from: &str) -> Vec<f64> {
    let mut out = Vec::new();
    for _ in 0..RUNS {
        timed(
            driver,
            &format!("document.getElementById('{from}').click()"),
        )
        .await;
        out.push(timed(driver, &format!("document.getElementById('{to}').click()")).await);
    }
    out
}

/// Scrolling the view's scroller to the bottom and back to the top.
async fn scrolling(driver: &Driver, scroller: &str) -> Vec<f64> {
    let mut out = Vec::new();
    for i in 0..RUNS {
        let to = if i % 2 == 0 { "s.scrollHeight" } else { "0" };
        out.push(
            timed(
                driver,
                &format!("const s = document.getElementById('{scroller}'); s.scrollTop = {to};"),
            )
            .await,
        );
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

pub async fn bench_gallery_at_scale(dir: &Path, app: &str, tree_memory: fn(u32) -> (u64, u64)) {
    let data = dir.join("gallery-data");
    seed_history(&data, TASKS);
    let posters = data.join("posters");
    std::fs::create_dir_all(&posters).expect("posters folder");
    let jpeg = include_bytes!("poster.jpg");
    for i in 0..WITH_POSTERS {
        std::fs::write(posters.join(format!("asyntask_bench{i:027}.jpg")), jpeg).expect("poster");
    }
    let driver = Driver::launch(
        app,
        Launch {
            env: vec![
                ("PADDOCK_DATA_DIR".into(), data.display().to_string()),
                (
                    "XDG_VIDEOS_DIR".into(),
                    dir.join("videos").display().to_string(),
                ),
                ("RUST_LOG".into(), "warn".into()),
            ],
            env_remove: vec![],
        },
    )
    .await;
    driver.ready().await;
    let open_list = switching(&driver, "view-list", "view-gallery").await;
    let open_gallery = switching(&driver, "view-gallery", "view-list").await;
    line("opening the view", open_gallery, open_list);

    timed(&driver, "document.getElementById('view-list').click()").await;
    let scroll_list = scrolling(&driver, "list-scroller").await;
    timed(&driver, "document.getElementById('view-gallery').click()").await;
    let scroll_gallery = scrolling(&driver, "gallery-scroller").await;
    line("scrolling top to bottom", scroll_gallery, scroll_list);

    let search_gallery = searching(&driver).await;
    timed(&driver, "document.getElementById('view-list').click()").await;
    let search_list = searching(&driver).await;
    line("a search keystroke", search_gallery, search_list);

    // Memory: the whole grid scrolled through, a viewport at a time.
    timed(&driver, "document.getElementById('view-gallery').click()").await;
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let (before, _) = tree_memory(driver.pid());
    let cards = driver
        .exec(
            "return document.querySelectorAll('#gallery-grid .card').length",
            vec![],
        )
        .await;
    let mut steps = 0;
    loop {
        let at_end = driver
            .exec_async(
                "const done = arguments[arguments.length - 1];
                 const s = document.getElementById('gallery-scroller');
                 s.scrollTop += s.clientHeight;
                 requestAnimationFrame(() => setTimeout(() => done(s.scrollTop + s.clientHeight >= s.scrollHeight - 1), 0));",
                vec![],
            )
            .await;
        steps += 1;
        if at_end == json!(true) || steps > 5_000 {
            break;
        }
    }
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let (after, _) = tree_memory(driver.pid());
    driver.screenshot("bench-gallery-10000").await;
    println!(
        "gallery at scale: resident memory of the app and its WebKit processes {:.0} MiB before scrolling the whole grid ({steps} screens, {cards} cards in the DOM at a time), {:.0} MiB after: {:.2}x (target: flat)",
        before as f64 / 1024.0,
        after as f64 / 1024.0,
        after as f64 / before as f64
    );
    driver.quit().await;
}
