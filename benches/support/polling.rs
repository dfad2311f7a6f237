//! The polling figures: one full refresh of 1,000 unfinished tasks against the fake
//! gateway with a fixed latency, against the bound the concurrency limit sets and
//! against a bare client asking the same fake; then the CPU the process uses per
//! minute once every task is final.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::fake_anyfast::{FakeAnyfast, Reply, FAKE_KEY};
use super::memory_keyring::MemoryKeyring;
use paddock::gateway::{AnyfastClient, ApiKey, BaseUrl, ClientConfig};
use paddock::keys::KeyStore;
use paddock::tasks::{NoEvents, PollConfig, TaskStore, Tracker, Tracking};

/// The same number of queries from a bare client, `at_once` at a time, against the
/// same fake: what the fake's timer and the loopback cost before Paddock does anything.
async fn bare_client_queries(
    fake: &FakeAnyfast,
    tasks: usize,
    at_once: usize,
    latency_ms: u64,
) -> f64 {
    let urls: Vec<String> = (0..tasks)
        .map(|i| {
            let id = format!("asyntask_floor{i:027}");
            fake.script(
                &id,
                vec![Reply::state("in-progress").delayed(Duration::from_millis(latency_ms))],
            );
            format!("{}/v1/video/generations/{id}", fake.base_url)
        })
        .collect();
    let queue = Arc::new(std::sync::Mutex::new(urls));
    // Like Paddock's loopback client: no proxy ever sees a loopback request or its key.
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("a bare client");
    let started = Instant::now();
    let workers: Vec<_> = (0..at_once)
        .map(|_| {
            let (queue, client) = (Arc::clone(&queue), client.clone());
            tokio::spawn(async move {
                loop {
                    let Some(url) = queue.lock().expect("queue").pop() else {
                        break;
                    };
                    let answer = client.get(&url).bearer_auth(FAKE_KEY).send().await;
                    let answer = answer.expect("query the fake");
                    assert!(answer.status().is_success(), "{}", answer.status());
                    let _ = answer.bytes().await;
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.expect("worker");
    }
    started.elapsed().as_secs_f64()
}

pub async fn bench_polling(dir: &Path) {
    const TASKS: usize = 1000;
    const LATENCY_MS: u64 = 20;
    const PER_GATEWAY: usize = 8;
    let fake = FakeAnyfast::start().await;
    let ids: Vec<String> = (0..TASKS)
        .map(|i| format!("asyntask_bench{i:027}"))
        .collect();
    for id in &ids {
        fake.script(
            id,
            vec![
                Reply::state("in-progress").delayed(Duration::from_millis(LATENCY_MS)),
                Reply::state("success-seed-example").delayed(Duration::from_millis(LATENCY_MS)),
            ],
        );
    }
    // First, before Paddock polls anything.
    let before_bare = fake.delays_served();
    let bare = bare_client_queries(&fake, TASKS, PER_GATEWAY, LATENCY_MS).await;
    let bare_held = mean_delay(before_bare, fake.delays_served());
    let keys = KeyStore::new(Arc::new(MemoryKeyring::default()), None);
    let base = BaseUrl::parse(&fake.base_url).expect("base");
    keys.set(&base, ApiKey::new(FAKE_KEY).expect("key"))
        .await
        .expect("set key");
    let store = Arc::new(TaskStore::open(&dir.join("poll")).expect("store").store);
    let config = PollConfig {
        interval: Duration::from_secs(3),
        jitter: 0.1,
        max_backoff: Duration::from_secs(30),
        per_gateway: PER_GATEWAY,
        // The floor is the concurrency cap alone, not the gateway's minute budget.
        per_minute: 1_000_000,
        lifetime_secs: 86_400,
    };
    let client = AnyfastClient::new(ClientConfig::default());
    let tracker = Tracker::new(store, client, keys, Arc::new(NoEvents), config).expect("tracker");
    tokio::spawn(tracker.clone().run());
    let before_refresh = fake.delays_served();
    let started = Instant::now();
    tracker.add_text(ids.join("\n"), &base).await.expect("add");
    let adding = started.elapsed().as_secs_f64();
    // Copying 1,000 rows every 5 ms would take the CPU the poller is measured on:
    // the count is cheap, the rows are looked at only once every query has started.
    while tracker.query_count() < TASKS as u64 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    while tracker.rows().iter().any(|r| r.status.is_none()) {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let refresh = started.elapsed().as_secs_f64();
    let held = mean_delay(before_refresh, fake.delays_served());
    let rounds = TASKS as f64 / PER_GATEWAY as f64;
    let bound = rounds * LATENCY_MS as f64 / 1000.0;
    println!(
        "polling: first refresh of {TASKS} tasks in {refresh:.2} s; bound set by {PER_GATEWAY} at a time x {LATENCY_MS} ms is {bound:.2} s: {:.2}x the bound (a bare reqwest client, {PER_GATEWAY} at a time against the same fake: {bare:.2} s, {:.2}x the bound; Paddock {:.2}x that); the fake's timer held each answer {:.2} ms on average ({:.2} for the bare client), so at the latency it really served the bound is {:.2} s and Paddock is {:.2}x it; adding the {TASKS} tasks to the history took {:.0} ms of the refresh (target ≤ 1.10x the bound)",
        refresh / bound,
        bare / bound,
        refresh / bare,
        held * 1000.0,
        bare_held * 1000.0,
        rounds * held,
        refresh / (rounds * held),
        adding * 1000.0,
    );
    while tracker
        .rows()
        .iter()
        .any(|r| r.tracking == Tracking::Active)
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let cpu_before = cpu_seconds();
    let idle = Duration::from_secs(10);
    tokio::time::sleep(idle).await;
    let per_minute = (cpu_seconds() - cpu_before) * 60.0 / idle.as_secs_f64();
    println!("polling idle: {per_minute:.3} s of CPU per minute with all {TASKS} tasks final (target < 0.5)");
}

/// The mean of the fake's delays that ended between two readings, in seconds.
fn mean_delay(before: (usize, Duration), after: (usize, Duration)) -> f64 {
    let served = after.0.saturating_sub(before.0).max(1);
    after.1.saturating_sub(before.1).as_secs_f64() / served as f64
}

/// User + system CPU seconds of this process so far.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}
