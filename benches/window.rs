//! `./dev bench`, the whole-window part: the real app as a user starts it, against a
//! bare Tauri 2 window (`benches/bare-window`, same profile, same window size). Runs
//! under the display and keyring that `./dev bench` sets up. Prints one line per
//! figure; asserts nothing.
//!
//! - start-up: launch to the first painted task list (100 tasks in the history), as
//!   the log line the page triggers once its first frame is on screen; the bare
//!   window reports its first frame the same way. Both lines carry the page's own
//!   clock at that paint, which splits each launch into before the page and the page.
//! - memory: resident memory of the app and every WebKit process under it, idle with
//!   those 100 tasks shown, against the bare window's.
//! - both also for the bare window showing a static copy of Paddock's first screen
//!   (`support/first_screen.rs`) with Paddock's WebKit settings: what drawing that
//!   screen costs without Paddock's code.
//! - memory also for the bare window with one word on its page, changed once after
//!   the first frame (`support/bare_in_use.rs`): the floor in use.
//! - both again with a long history: 10,000 tasks against 100, the same app
//!   (`support/long_history.rs`).
//! - list at scale: 10,000 tasks; the page's own Performance API measures from asking
//!   for the history to the painted first screen (the newest 200 rows, one small
//!   call) and to every row in the list (the second call), and from a keystroke in
//!   the search box to the painted filtered list. Read over WebDriver.
//! - gallery at scale: the same 10,000 tasks, 3,000 with posters; opening the view,
//!   scrolling and a keystroke against the list doing the same, and memory before
//!   and after scrolling the whole grid (`support/gallery.rs`).

#[path = "support/bare_in_use.rs"]
mod bare_in_use;
#[path = "support/common.rs"]
mod common;
#[path = "support/first_screen.rs"]
mod first_screen;
#[path = "support/gallery.rs"]
mod gallery;
#[path = "support/history.rs"]
mod history;
#[path = "support/long_history.rs"]
mod long_history;
#[path = "../tests/support/webdriver.rs"]
#[allow(dead_code)]
mod webdriver;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{kib_field, median, scratch, wanted};
use first_screen::copy_first_screen;
use history::seed_history;
use serde_json::json;
use webdriver::{process_tree, Driver, Launch};

const APP: &str = env!("CARGO_BIN_EXE_paddock");
/// Start-up and memory runs of each program, after one warm-up run each.
const RUNS: usize = 8;

fn bare_window() -> PathBuf {
    // Built by `./dev bench` with the same profile: target/release/examples/.
    let exe = std::env::current_exe().expect("bench path");
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target dir")
        .join("examples");
    let path = dir.join("bare-window");
    assert!(
        path.is_file(),
        "{} is missing: run `./dev bench`, which builds it first",
        path.display()
    );
    path
}

/// A program on screen: how long it took to paint, the page's own clock at that
/// paint, and its process.
struct Painted {
    child: Child,
    after: Duration,
    page_ms: f64,
}

/// The page's clock (ms since its navigation began) at its first paint, from the
/// marker line: Paddock logs `first_paint_ms=…`, the bare page asks for `…?at=…`.
/// What the launch took beyond it happened before the page started.
fn page_clock_ms(line: &str) -> Option<f64> {
    let mut plain = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            // A terminal colour code: up to and including its final letter.
            chars.by_ref().find(|c| c.is_ascii_alphabetic());
        } else {
            plain.push(c);
        }
    }
    ["first_paint_ms=", "at="].iter().find_map(|key| {
        let (_, rest) = plain.split_once(key)?;
        let number = rest
            .split(|c: char| !(c.is_ascii_digit() || c == '.'))
            .next()?;
        number.parse().ok()
    })
}

/// Starts `program` in its own process group and waits for `marker` on its stderr.
/// The line Paddock logs once its first screen is painted (`frontend_ready`).
const APP_MARKER: &str = "window painted its task list";

fn launch(program: &Path, env: &[(&str, String)], marker: &'static str) -> Painted {
    let mut cmd = Command::new(program);
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let started = Instant::now();
    let mut child = cmd.spawn().expect("start the program");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    // Keeps draining stderr after the marker, so the program never blocks on it.
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains(marker) {
                let _ = tx.send((Instant::now(), page_clock_ms(&line)));
            }
        }
    });
    let Ok((at, page_ms)) = rx.recv_timeout(Duration::from_secs(60)) else {
        stop(child);
        panic!(
            "{} did not report a painted window within 60 s",
            program.display()
        );
    };
    Painted {
        child,
        after: at - started,
        page_ms: page_ms.unwrap_or(f64::NAN),
    }
}

fn stop(mut child: Child) {
    let _ = Command::new("kill")
        .args(["-TERM", "--", &format!("-{}", child.id())])
        .status();
    let _ = child.wait();
}

/// Resident (RSS) and proportional (PSS, shared pages split between processes)
/// memory of the process tree, in KiB.
fn tree_memory(root: u32) -> (u64, u64) {
    process_tree(root).iter().fold((0, 0), |(rss, pss), pid| {
        (
            rss + kib_field(&format!("/proc/{pid}/status"), "VmRSS:"),
            pss + kib_field(&format!("/proc/{pid}/smaps_rollup"), "Pss:"),
        )
    })
}

struct Sample {
    painted_ms: f64,
    page_ms: f64,
    rss_kib: f64,
    pss_kib: f64,
}

fn sample(program: &Path, env: &[(&str, String)], marker: &'static str) -> Sample {
    let painted = launch(program, env, marker);
    // Idle: let start-up work (keyring probe, history load) settle first.
    std::thread::sleep(Duration::from_secs(3));
    let (rss, pss) = tree_memory(painted.child.id());
    let painted_ms = painted.after.as_secs_f64() * 1000.0;
    stop(painted.child);
    Sample {
        painted_ms,
        page_ms: painted.page_ms,
        rss_kib: rss as f64,
        pss_kib: pss as f64,
    }
}

fn bench_startup_and_memory(dir: &Path, runtime: &tokio::runtime::Runtime) {
    const TASKS: usize = 100;
    let data = dir.join("startup-data");
    seed_history(&data, TASKS);
    let (copy_folder, copy_rows) = runtime.block_on(async {
        let driver = launch_at_scale(&data, dir).await;
        let copied = copy_first_screen(&driver, dir).await;
        driver.quit().await;
        copied
    });
    let copy_env = [
        ("BARE_WINDOW_PAGE", copy_folder.display().to_string()),
        ("BARE_WINDOW_PADDOCK_SETTINGS", "1".to_owned()),
    ];
    let in_use_env = [(
        "BARE_WINDOW_PAGE",
        bare_in_use::page_changed_once(dir).display().to_string(),
    )];
    let app_env = [
        ("PADDOCK_DATA_DIR", data.display().to_string()),
        ("XDG_VIDEOS_DIR", dir.join("videos").display().to_string()),
        ("RUST_LOG", "warn,paddock=info".to_owned()),
    ];
    let bare = bare_window();
    const BARE_MARKER: &str = "bare window painted its page";
    // Warm the page cache for both binaries and their libraries.
    sample(Path::new(APP), &app_env, APP_MARKER);
    sample(&bare, &[], BARE_MARKER);
    sample(&bare, &copy_env, BARE_MARKER);
    sample(&bare, &in_use_env, BARE_MARKER);
    // Who launches first in each pair alternates, as in the download figure. On this
    // kind of machine (a VM that hands freed memory back to its host) Paddock
    // launched right after the smaller bare window took 30-120 ms longer than after
    // itself in some trials, and no longer in others; the line shows both orders.
    // The static copy launches third in every run, after one of the two, and the
    // bare window in use fourth.
    let (mut app, mut floor, mut copy, mut in_use) = (vec![], vec![], vec![], vec![]);
    for run in 0..RUNS {
        if run % 2 == 1 {
            floor.push(sample(&bare, &[], BARE_MARKER));
        }
        app.push(sample(Path::new(APP), &app_env, APP_MARKER));
        if run % 2 == 0 {
            floor.push(sample(&bare, &[], BARE_MARKER));
        }
        copy.push(sample(&bare, &copy_env, BARE_MARKER));
        in_use.push(sample(&bare, &in_use_env, BARE_MARKER));
    }
    let med = |v: &[Sample], f: fn(&Sample) -> f64| median(v.iter().map(f).collect());
    let (app_ms, bare_ms) = (med(&app, |s| s.painted_ms), med(&floor, |s| s.painted_ms));
    let (app_page, bare_page) = (med(&app, |s| s.page_ms), med(&floor, |s| s.page_ms));
    let (copy_ms, copy_page) = (med(&copy, |s| s.painted_ms), med(&copy, |s| s.page_ms));
    let before_page = |s: &Sample| s.painted_ms - s.page_ms;
    let (app_before, bare_before) = (med(&app, before_page), med(&floor, before_page));
    // The ratio within the pairs where Paddock launched first, then the bare window.
    let [app_first, bare_first] = [0, 1].map(|order| {
        let of = |v: &[Sample]| -> Vec<f64> {
            v.iter()
                .skip(order)
                .step_by(2)
                .map(|s| s.painted_ms)
                .collect()
        };
        median(of(&app)) / median(of(&floor))
    });
    println!(
        "start-up: launch to painted list of {TASKS} tasks in {app_ms:.0} ms, bare Tauri window {bare_ms:.0} ms: {:.2}x (median of {RUNS}, target ≤ 1.15x; {app_first:.2}x with Paddock launched first, {bare_first:.2}x with the bare window first); the page's own clock at that paint {app_page:.0} ms against {bare_page:.0}, and before the page started {app_before:.0} ms against {bare_before:.0}; a static copy of Paddock's first screen ({copy_rows} rows, no script, Paddock's WebKit settings) in the bare window {copy_ms:.0} ms, {:.2}x, its page {copy_page:.0} ms",
        app_ms / bare_ms,
        copy_ms / bare_ms,
    );
    let (app_rss, bare_rss) = (med(&app, |s| s.rss_kib), med(&floor, |s| s.rss_kib));
    let (app_pss, bare_pss) = (med(&app, |s| s.pss_kib), med(&floor, |s| s.pss_kib));
    let (copy_pss, in_use_pss) = (med(&copy, |s| s.pss_kib), med(&in_use, |s| s.pss_kib));
    println!(
        "memory: app and its WebKit processes idle with {TASKS} tasks {:.0} MiB resident ({:.0} MiB proportional), bare window {:.0} MiB ({:.0} MiB): {:.2}x resident, {:.2}x proportional (median of {RUNS}, target ≤ 1.15x proportional); the static copy of the first screen {:.0} MiB proportional, {:.2}x; the bare window with one word on its page, changed once after the first frame, {:.0} MiB proportional, {:.2}x, and Paddock {:.2}x that",
        app_rss / 1024.0,
        app_pss / 1024.0,
        bare_rss / 1024.0,
        bare_pss / 1024.0,
        app_rss / bare_rss,
        app_pss / bare_pss,
        copy_pss / 1024.0,
        copy_pss / bare_pss,
        in_use_pss / 1024.0,
        in_use_pss / bare_pss,
        app_pss / in_use_pss,
    );
}

/// A page measure by name: (start, duration) in ms, or null before it exists.
const MEASURE: &str = "const m = performance.getEntriesByName(arguments[0], 'measure')[0];
     return m ? [m.startTime, m.duration] : null;";

/// The app over WebDriver on the history in `data`, saving under `dir`; ready.
async fn launch_at_scale(data: &Path, dir: &Path) -> Driver {
    let driver = Driver::launch(
        APP,
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
    driver
}

async fn bench_list_at_scale(dir: &Path) {
    const TASKS: usize = 10_000;
    let data = dir.join("list-data");
    seed_history(&data, TASKS);
    let driver = launch_at_scale(&data, dir).await;
    let first = driver
        .wait_for(
            "the first render",
            MEASURE,
            vec![json!("list-first-render")],
        )
        .await;
    let all = driver
        .wait_for(
            "every row in the list",
            MEASURE,
            vec![json!("list-all-render")],
        )
        .await;
    let marks = driver
        .exec(
            "return ['tasks-received', 'all-tasks-received'].map((n) => performance.getEntriesByName(n, 'mark')[0]?.startTime ?? null);",
            vec![],
        )
        .await;
    let start = first[0].as_f64().unwrap_or(0.0);
    let at = |i: usize| marks[i].as_f64().map(|t| t - start).unwrap_or(f64::NAN);
    let (first_ms, all_ms) = (
        first[1].as_f64().unwrap_or(f64::NAN),
        all[1].as_f64().unwrap_or(f64::NAN),
    );
    let rows_in_dom = driver
        .exec(
            "return document.querySelectorAll('#task-list > *').length",
            vec![],
        )
        .await;
    println!(
        "list at scale: {TASKS} tasks: the first screen on screen {first_ms:.0} ms after asking ({:.0} ms until its newest 200 rows were in hand: handed over with the page on its first load, over IPC after a reload), every row in the list {all_ms:.0} ms after asking (all {TASKS} arrived after {:.0} ms; {} rows in the DOM) (target < 100 ms)",
        at(0),
        at(1),
        rows_in_dom
    );
    // Narrow with three keystrokes, then widen back to all 10,000 with three more;
    // four rounds, so that the 95th percentile is not simply the worst of six.
    let mut filter_ms = Vec::new();
    let keys = ["1", "2", "3", "\u{E003}", "\u{E003}", "\u{E003}"];
    for key in keys.iter().cycle().take(keys.len() * 4) {
        let before = driver.exec(MEASURE, vec![json!("filter")]).await;
        driver.type_into("#search", key).await;
        let after = driver
            .wait_for(
                "the filtered list",
                "const m = performance.getEntriesByName('filter', 'measure')[0];
                 return m && (arguments[0] === null || m.startTime !== arguments[0][0]) ? [m.startTime, m.duration] : null;",
                vec![before],
            )
            .await;
        filter_ms.push(after[1].as_f64().unwrap_or(f64::NAN));
    }
    driver.screenshot("bench-list-10000").await;
    // The floor: the same page putting a one-word change on screen, timed the same way.
    let mut floor_ms = Vec::new();
    for i in 0..filter_ms.len() {
        let m = driver
            .exec_async(
                "const done = arguments[arguments.length - 1];
                 const start = performance.now();
                 document.getElementById('list-count').textContent = 'floor ' + arguments[0];
                 requestAnimationFrame(() => setTimeout(() => done(performance.now() - start), 0));",
                vec![json!(i)],
            )
            .await;
        floor_ms.push(m.as_f64().unwrap_or(f64::NAN));
    }
    let worst = filter_ms.iter().cloned().fold(0.0, f64::max);
    let (filter, high, floor) = (
        median(filter_ms.clone()),
        gallery::p95(filter_ms.clone()),
        median(floor_ms),
    );
    println!(
        "list at scale: a search keystroke over {TASKS} tasks is on screen in {filter:.0} ms (median of {}, 95th percentile {high:.0} ms, worst {worst:.0} ms); a one-word change on the same page takes {floor:.0} ms: {:.2}x (target: 95th percentile ≤ 50 ms)",
        filter_ms.len(),
        filter / floor
    );
    driver.quit().await;
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    if std::env::var_os("DISPLAY").is_none() {
        eprintln!("skipped: the window benchmarks need a display; run `./dev bench`");
        return;
    }
    let dir = scratch("window-bench");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    if wanted("startup") {
        bench_startup_and_memory(&dir, &runtime);
        long_history::bench_startup_with_long_history(&dir);
    }
    if wanted("list") {
        runtime.block_on(bench_list_at_scale(&dir));
    }
    if wanted("gallery") {
        runtime.block_on(gallery::bench_gallery_at_scale(&dir));
    }
    let _ = std::fs::remove_dir_all(&dir);
}
