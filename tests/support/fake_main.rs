//! `cargo run --example fake-anyfast`: the fake gateway on its own, with a few demo
//! tasks, for trying the app without a real key (`./dev demo`).

#[path = "fake_anyfast.rs"]
mod fake_anyfast;

use fake_anyfast::{FakeAnyfast, Reply};

/// Demo task IDs, in the documented format.
const DEMO: [(&str, &[&str]); 5] = [
    (
        "asyntask_DemoSucceeded00000000000000000001",
        &["success-seed-example"],
    ),
    (
        "asyntask_DemoRunning000000000000000000002",
        &[
            "queued",
            "in-progress",
            "in-progress",
            "success-start-time-zero-video-edit",
        ],
    ),
    (
        "asyntask_DemoFailed0000000000000000000003",
        &["failure-data-inspection"],
    ),
    (
        "asyntask_DemoTimedOut00000000000000000004",
        &["failure-timeout-stale-nested"],
    ),
    ("asyntask_DemoWaiting000000000000000000005", &["not-start"]),
];

#[tokio::main]
async fn main() {
    let fake = FakeAnyfast::start().await;
    for (id, states) in DEMO {
        fake.script(id, states.iter().map(|s| Reply::state(s)).collect());
    }
    println!("ANYFAST_BASE_URL={}", fake.base_url);
    println!("ANYFAST_API_KEY={}", fake_anyfast::FAKE_KEY);
    for (id, _) in DEMO {
        println!("{id}");
    }
    let _ = tokio::signal::ctrl_c().await;
}
