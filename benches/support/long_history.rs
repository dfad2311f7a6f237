//! `./dev bench startup`, with a long history: the same app opening 10,000 tasks
//! and 100, launched in turns, from launch to the painted list and idle memory.
//! Its floor is the short history, not the bare window: the line shows what the
//! extra tasks cost (reading and keeping the history; the first screen is the same
//! 200 rows), so a change that makes a long history slower or heavier shows.

use std::path::Path;

use super::common::median;
use super::history::seed_history;
use super::{sample, Sample, APP, APP_MARKER, RUNS};

pub fn bench_startup_with_long_history(dir: &Path) {
    const LONG: usize = 10_000;
    const SHORT: usize = 100;
    let [long_env, short_env] = [LONG, SHORT].map(|n| {
        let data = dir.join(format!("history-of-{n}"));
        seed_history(&data, n);
        [
            ("PADDOCK_DATA_DIR", data.display().to_string()),
            ("XDG_VIDEOS_DIR", dir.join("videos").display().to_string()),
            ("RUST_LOG", "warn,paddock=info".to_owned()),
        ]
    });
    let app = Path::new(APP);
    // Warm the page cache for both histories.
    sample(app, &long_env, APP_MARKER);
    sample(app, &short_env, APP_MARKER);
    let (mut long, mut short) = (Vec::new(), Vec::new());
    for run in 0..RUNS {
        if run % 2 == 1 {
            short.push(sample(app, &short_env, APP_MARKER));
        }
        long.push(sample(app, &long_env, APP_MARKER));
        if run % 2 == 0 {
            short.push(sample(app, &short_env, APP_MARKER));
        }
    }
    let med = |v: &[Sample], f: fn(&Sample) -> f64| median(v.iter().map(f).collect());
    let before_page = |s: &Sample| s.painted_ms - s.page_ms;
    let (long_ms, short_ms) = (med(&long, |s| s.painted_ms), med(&short, |s| s.painted_ms));
    let (long_before, short_before) = (med(&long, before_page), med(&short, before_page));
    let (long_pss, short_pss) = (med(&long, |s| s.pss_kib), med(&short, |s| s.pss_kib));
    println!(
        "start-up with a long history: launch to painted list with {LONG} tasks in {long_ms:.0} ms, with {SHORT} tasks {short_ms:.0} ms: {:.2}x (median of {RUNS}; before the page started {long_before:.0} ms against {short_before:.0}); idle memory {:.0} MiB proportional against {:.0} MiB: {:.2}x (no target: what the extra tasks cost)",
        long_ms / short_ms,
        long_pss / 1024.0,
        short_pss / 1024.0,
        long_pss / short_pss,
    );
}
