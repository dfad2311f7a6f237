//! Helpers both benchmark binaries use.

use std::path::PathBuf;

/// A fresh folder for one run's files, named after the benchmark and this process.
pub fn scratch(bench: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("paddock-{bench}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// The middle value; of an even number, the mean of the two middle ones (taking
/// the upper one would lean every ratio one way). NaN for no values.
pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 0 => (v[n / 2 - 1] + v[n / 2]) / 2.0,
        n => v[n / 2],
    }
}

/// `./dev bench rows list` runs only the figures named; no names runs them all.
pub fn wanted(name: &str) -> bool {
    let names: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    names.is_empty() || names.iter().any(|n| n == name)
}

/// A `Field:   123 kB` value from a /proc file (status, smaps_rollup), in KiB; 0
/// when the process or the field is gone.
pub fn kib_field(file: &str, field: &str) -> u64 {
    std::fs::read_to_string(file)
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}
