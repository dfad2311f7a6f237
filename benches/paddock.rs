//! `./dev bench`: Paddock's figures as ratios against a reference measured in the
//! same run on the same machine. Prints one line per figure; asserts nothing.
//!
//! - download: saving a file from a loopback HTTP server with Range support (in a
//!   process of its own), against `curl -o && sync` of the same file from the same
//!   server (Paddock fsyncs a saved video; curl does not); and the peak memory
//!   growth while saving 100 MiB and 1 GiB (it must not grow with the file).
//! - polling (`support/polling.rs`): one full refresh of 1,000 unfinished tasks
//!   against the fake gateway with a fixed latency, against the bound the
//!   concurrency limit sets and a bare client asking the same fake; and the CPU
//!   time the process uses per minute once every task is final.
//! - list rows: the Rust half of showing 10,000 tasks (building the rows the window
//!   asks for at start-up, and their JSON), which the window bench's "fetching over
//!   IPC" includes.
//! - cli: `paddock query --json ID` of the CLI-only build (`PADDOCK_CLI_BIN`, which
//!   `./dev bench` builds with this profile) against `curl` asking the same fake
//!   gateway for the same task with the same key: wall time and peak memory.

#[path = "support/common.rs"]
mod common;
#[path = "../tests/support/fake_anyfast.rs"]
mod fake_anyfast;
#[path = "support/history.rs"]
mod history;
#[path = "../tests/support/memory_keyring.rs"]
mod memory_keyring;
#[path = "support/polling.rs"]
mod polling;

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use common::{kib_field, median, scratch, wanted};
use fake_anyfast::{FakeAnyfast, Reply, FAKE_KEY};
use memory_keyring::MemoryKeyring;
use paddock::gateway::{AnyfastClient, BaseUrl, ClientConfig};
use paddock::keys::KeyStore;
use paddock::tasks::TaskStore;
use paddock::tasks::{NoEvents, PollConfig, Tracker};
use paddock::videos::MediaServer;
use paddock::videos::{download, CancelHandle, SaveOptions};

const MIB: u64 = 1024 * 1024;

/// A file of `size` bytes with varied content (no sparse shortcuts).
fn make_file(path: &Path, size: u64) {
    use std::io::Write;
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    let block: Vec<u8> = (0..MIB).map(|i| (i * 7 % 251) as u8).collect();
    for _ in 0..size / MIB {
        f.write_all(&block).expect("write");
    }
}

/// Resets the peak-RSS mark (Linux), so each run's peak is its own.
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn settle_disk() {
    let _ = std::process::Command::new("sync").status();
}

/// Paddock's save: (seconds in all, seconds until the last byte was received and
/// handed to the disk writer; the rest is writing out and the final fsync).
async fn ours(url: &str, dest: &Path) -> (f64, f64) {
    let http = AnyfastClient::new(ClientConfig::default())
        .video_client()
        .await
        .expect("client");
    let (_c, rx) = CancelHandle::new();
    let started = Instant::now();
    let options = SaveOptions {
        overwrite: true,
        ..SaveOptions::default()
    };
    let mut received = started;
    download(http, url, dest, options, rx, |_| received = Instant::now())
        .await
        .expect("download");
    (
        started.elapsed().as_secs_f64(),
        (received - started).as_secs_f64(),
    )
}

/// The HTTP stack alone: the same kind of client receiving the same body and
/// dropping it (no disk, no Paddock code). Not a floor: measured over loopback, a
/// reader that wrote each chunk before its next read received faster than this.
async fn reqwest_alone(url: &str) -> f64 {
    let client = AnyfastClient::new(ClientConfig::default());
    let http = client.http().await.expect("client");
    let started = Instant::now();
    let mut response = http.get(url).send().await.expect("request");
    while let Some(_chunk) = response.chunk().await.expect("body") {}
    started.elapsed().as_secs_f64()
}

/// `curl -o`, then `sync`: (seconds for curl alone, seconds including the sync).
/// Paddock flushes a saved video to disk before calling it saved (one `fsync` at
/// the end); curl does not, so the fair floor is curl followed by a sync.
fn curl(url: &str, dest: &Path) -> (f64, f64) {
    let started = Instant::now();
    let status = std::process::Command::new("curl")
        .args(["-s", "-f", "-o"])
        .arg(dest)
        .arg(url)
        .status()
        .expect("curl is installed");
    assert!(status.success(), "curl failed");
    let fetched = started.elapsed().as_secs_f64();
    settle_disk();
    (fetched, started.elapsed().as_secs_f64())
}

/// One timed `curl` into `dest` after a sync, then `dest` removed, as Paddock's
/// file is after its run: each writer leaves the same memory behind.
fn curl_once(url: &str, dest: &Path) -> (f64, f64) {
    settle_disk();
    let timed = curl(url, dest);
    let _ = std::fs::remove_file(dest);
    timed
}

/// The file server, in a process of its own (this bench binary again, with
/// `--serve-file`): Paddock and curl each then share the machine with it the same
/// way, and neither shares a runtime with it.
struct FileServer {
    child: std::process::Child,
    url: String,
}

impl FileServer {
    fn start(file: &Path) -> Self {
        use std::io::BufRead;
        let mut child = std::process::Command::new(std::env::current_exe().expect("bench path"))
            .arg("--serve-file")
            .arg(file)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("start the file server");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("stdout");
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .expect("the file server's URL");
        Self {
            child,
            url: line.trim().to_owned(),
        }
    }
}

impl Drop for FileServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The child side of [`FileServer`]: serves one file until stdin closes.
fn serve_file(file: &Path) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let server = runtime.block_on(MediaServer::start()).expect("server");
    println!("{}", server.url_for(file).expect("url"));
    // The runtime's workers serve; this thread waits for the parent to let go.
    let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut Vec::new());
}

async fn bench_download(dir: &Path) {
    let mut peaks = Vec::new();
    for size_mib in [100u64, 1024] {
        let source = dir.join(format!("source-{size_mib}.bin"));
        make_file(&source, size_mib * MIB);
        let server = FileServer::start(&source);
        let url = server.url.clone();
        // One warm-up run, then six: three with curl first, three with Paddock first.
        let runs = 7;
        let (mut synced_ratios, mut plain_ratios) = (Vec::new(), Vec::new());
        let mut our_times = Vec::new();
        let mut phases = Vec::new();
        let mut peak_growth = 0u64;
        // The ratios with Paddock writing first, then with curl first.
        let mut by_order = [Vec::new(), Vec::new()];
        let curl_dest = dir.join("curl.out");
        let our_dest = dir.join("ours.out");
        for run in 0..runs {
            // Who writes first alternates. On this kind of machine (a VM whose
            // balloon takes free memory back), how fast a writer fills the page
            // cache depends on the writer before it: with `dd` in both places, 1 MiB
            // writes after a 16 KiB writer took 0.8-2.4 s for 1 GiB, after another
            // large writer 0.26-0.31 s; 16 KiB writes (curl's size) took 0.32-0.41 s
            // either way. Paddock's writes are large, so a fixed "curl, then Paddock"
            // order measured the machine, not the save.
            let curl_first = run % 2 == 1;
            let earlier_curl = curl_first.then(|| curl_once(&url, &curl_dest));
            // Each transfer starts with no dirty pages left by the one before, so
            // neither pays for the other's writeback.
            settle_disk();
            reset_peak();
            let before = kib_field("/proc/self/status", "VmRSS:");
            let bare = reqwest_alone(&url).await;
            let (o, o_received) = ours(&url, &our_dest).await;
            peak_growth =
                peak_growth.max(kib_field("/proc/self/status", "VmHWM:").saturating_sub(before));
            let _ = std::fs::remove_file(&our_dest);
            let (c, c_synced) = earlier_curl.unwrap_or_else(|| curl_once(&url, &curl_dest));
            if run > 0 {
                synced_ratios.push(c_synced / o);
                by_order[usize::from(curl_first)].push(c_synced / o);
                plain_ratios.push(c / o);
                our_times.push(o);
                phases.push((o_received, o - o_received, c, c_synced - c, bare));
            }
        }
        drop(server);
        let secs = median(our_times);
        let phase =
            |f: fn(&(f64, f64, f64, f64, f64)) -> f64| median(phases.iter().map(f).collect());
        // The spread of a phase across the runs: one slow run and a slow machine
        // look alike in a median.
        let spread = |f: fn(&(f64, f64, f64, f64, f64)) -> f64| {
            let all: Vec<f64> = phases.iter().map(f).collect();
            let (low, high) = all
                .iter()
                .fold((f64::MAX, 0f64), |(l, h), &x| (l.min(x), h.max(x)));
            format!("{low:.2}–{high:.2}")
        };
        println!(
            "download {size_mib} MiB, where the time goes: Paddock receives in {:.2} s ({}), then writes out and flushes in {:.2} s; curl receives in {:.2} s ({}), then sync takes {:.2} s; reqwest alone, dropping the body, receives in {:.2} s ({}) (medians, then the range over the runs)",
            phase(|p| p.0),
            spread(|p| p.0),
            phase(|p| p.1),
            phase(|p| p.2),
            spread(|p| p.2),
            phase(|p| p.3),
            phase(|p| p.4),
            spread(|p| p.4),
        );
        let [paddock_wrote_first, curl_wrote_first] = by_order.map(median);
        println!(
            "download {size_mib} MiB: {:.0} MiB/s with its fsync, {:.2}x the throughput of `curl -o && sync` ({:.2}x `curl -o` alone, which leaves the file in the page cache) (median of {}, target > 0.95x; {:.2}x with curl writing first, {:.2}x with Paddock first), peak memory growth {:.1} MiB",
            size_mib as f64 / secs,
            median(synced_ratios),
            median(plain_ratios),
            runs - 1,
            curl_wrote_first,
            paddock_wrote_first,
            peak_growth as f64 / 1024.0
        );
        peaks.push(peak_growth);
        let _ = std::fs::remove_file(&source);
    }
    let (small, large) = (peaks[0] as f64 / 1024.0, peaks[1] as f64 / 1024.0);
    // A few write buffers' worth of difference is noise; growth in step with the
    // file would be hundreds of MiB.
    let verdict = if large < small + 8.0 {
        "flat"
    } else {
        "GROWS with the file"
    };
    println!(
        "download memory: peak growth {large:.1} MiB saving 1 GiB against {small:.1} MiB saving 100 MiB, a file 10x larger: {verdict}"
    );
}

async fn bench_list_rows(dir: &Path) {
    const TASKS: usize = 10_000;
    let data = dir.join("rows");
    history::seed_history(&data, TASKS);
    let store = Arc::new(TaskStore::open(&data).expect("store").store);
    let keys = KeyStore::new(Arc::new(MemoryKeyring::default()), None);
    let client = AnyfastClient::new(ClientConfig::default());
    let tracker = Tracker::new(
        store,
        client,
        keys,
        Arc::new(NoEvents),
        PollConfig::from_env(),
    )
    .expect("tracker");
    let (mut build, mut encode, mut size) = (Vec::new(), Vec::new(), 0);
    for _ in 0..5 {
        let started = Instant::now();
        let rows = tracker.rows();
        build.push(started.elapsed().as_secs_f64() * 1000.0);
        let started = Instant::now();
        size = serde_json::to_vec(&rows).expect("JSON").len();
        encode.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    println!(
        "list rows: {TASKS} rows built in {:.0} ms, {:.1} MiB of JSON in {:.0} ms (median of 5; the Rust part of the window's fetch)",
        median(build),
        size as f64 / MIB as f64,
        median(encode)
    );
}

/// Runs `program` under `/usr/bin/time`: (wall ms, peak resident KiB, stdout).
fn timed_run(
    program: &str,
    args: &[&str],
    env: &[(&str, &str)],
    dir: &Path,
) -> (f64, f64, Vec<u8>) {
    let peak_file = dir.join("peak");
    let mut cmd = std::process::Command::new("/usr/bin/time");
    cmd.arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(&peak_file)
        .arg(program)
        .args(args)
        .stdin(std::process::Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let started = Instant::now();
    let output = cmd.output().expect("run under /usr/bin/time");
    let wall = started.elapsed().as_secs_f64() * 1000.0;
    assert!(output.status.success(), "{program} failed: {output:?}");
    let peak = std::fs::read_to_string(&peak_file)
        .ok()
        .and_then(|s| s.trim().lines().last()?.trim().parse::<f64>().ok())
        .unwrap_or(f64::NAN);
    (wall, peak, output.stdout)
}

async fn bench_cli(dir: &Path) {
    const RUNS: usize = 15;
    let Some(cli) = std::env::var_os("PADDOCK_CLI_BIN").map(|p| p.to_string_lossy().into_owned())
    else {
        println!("cli: skipped (PADDOCK_CLI_BIN is not set; `./dev bench` sets it)");
        return;
    };
    let fake = FakeAnyfast::start().await;
    let id = "asyntask_benchcli000000000000000000000001";
    fake.script(id, vec![Reply::state("success-seed-example")]);
    let url = BaseUrl::parse(&fake.base_url)
        .expect("base")
        .task_url(&paddock::ids::TaskId::parse(id).expect("id"))
        .to_string();
    let data = dir.join("cli-data");
    let data_text = data.display().to_string();
    let env = [
        ("ANYFAST_BASE_URL", fake.base_url.as_str()),
        ("ANYFAST_API_KEY", FAKE_KEY),
        ("PADDOCK_DATA_DIR", data_text.as_str()),
        ("RUST_LOG", "warn"),
    ];
    let header = format!("Authorization: Bearer {FAKE_KEY}");
    let ours_args = ["query", "--json", id];
    let curl_args = ["-s", "-H", header.as_str(), url.as_str()];
    // The child processes block this thread only; the fake answers on the workers.
    let (ours, floor) = tokio::task::block_in_place(|| {
        let (_, _, out) = timed_run(&cli, &ours_args, &env, dir);
        assert!(
            String::from_utf8_lossy(&out).contains("\"succeeded\""),
            "the query did not report the task: {}",
            String::from_utf8_lossy(&out)
        );
        timed_run("curl", &curl_args, &[], dir);
        let (mut ours, mut floor) = (Vec::new(), Vec::new());
        for _ in 0..RUNS {
            ours.push(timed_run(&cli, &ours_args, &env, dir));
            floor.push(timed_run("curl", &curl_args, &[], dir));
        }
        (ours, floor)
    });
    let med = |v: &[(f64, f64, Vec<u8>)], f: fn(&(f64, f64, Vec<u8>)) -> f64| {
        median(v.iter().map(f).collect())
    };
    let (wall, peak) = (med(&ours, |r| r.0), med(&ours, |r| r.1));
    let (curl_wall, curl_peak) = (med(&floor, |r| r.0), med(&floor, |r| r.1));
    println!(
        "cli: `paddock query --json ID` (CLI-only build) {wall:.0} ms wall, {:.1} MiB peak; curl {curl_wall:.0} ms, {:.1} MiB: {:.2}x curl's wall time (median of {RUNS}, target < 2x)",
        peak / 1024.0,
        curl_peak / 1024.0,
        wall / curl_wall
    );
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--serve-file") {
        serve_file(Path::new(args.get(at + 1).expect("a file to serve")));
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let dir = scratch("bench");
    runtime.block_on(async {
        if wanted("rows") {
            bench_list_rows(&dir).await;
        }
        if wanted("polling") {
            polling::bench_polling(&dir).await;
        }
        if wanted("download") {
            bench_download(&dir).await;
        }
        if wanted("cli") {
            bench_cli(&dir).await;
        }
    });
    let _ = std::fs::remove_dir_all(&dir);
}
