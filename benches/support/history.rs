//! A task history for the benchmarks, written straight into the app's store.

use std::path::Path;

use paddock::tasks::{StoredAnswer, TaskRecord, TaskStore, Tracking};
use serde_json::{json, Value};

fn fixture(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/anyfast")
        .join(name);
    serde_json::from_slice(&std::fs::read(path).expect("fixture")).expect("fixture JSON")
}

/// A history of `n` finished tasks (four in five succeeded), so nothing is polled
/// while measuring. Prompts differ, so a search narrows the list.
pub fn seed_history(dir: &Path, n: usize) {
    const PROMPTS: [&str; 4] = [
        "一只猫在草地上奔跑",
        "A horse galloping along a beach at sunset",
        "城市夜景延时摄影",
        "Paper boats drifting down a rainy street",
    ];
    let store = TaskStore::open(dir).expect("history").store;
    let success = fixture("success-seed-example.json");
    let failure = fixture("failure-data-inspection.json");
    let now = paddock::timefmt::now_unix();
    for i in 0..n {
        let id = format!("asyntask_bench{i:027}");
        let mut raw = if i % 5 == 4 {
            failure.clone()
        } else {
            success.clone()
        };
        raw["data"]["task_id"] = json!(id);
        raw["data"]["data"]["output"]["orig_prompt"] =
            json!(format!("{} #{i}", PROMPTS[i % PROMPTS.len()]));
        let mut record = TaskRecord::new(&id, "http://127.0.0.1:9", now - (n - i) as i64);
        record.tracking = Tracking::Final;
        record.raw = StoredAnswer::from_value(&raw);
        record.checked_at = Some(now);
        store.write_whole(&record).expect("seed task");
    }
}
