//! `paddock save` and the saves of `watch --save`: one video to a file, never over
//! an existing one without `--force`, never past `--max-size`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{fail, start};
use crate::paddock::Paddock;
use crate::tasks::{NoEvents, TaskDetail};
use crate::videos::{unused_path, Progress};

/// `500M`, `2G`, `2GiB`, `1048576`: a size in bytes, units binary.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("{text:?} is not a size such as 500M or 2G"))?;
    let shift = match unit
        .trim()
        .to_ascii_uppercase()
        .trim_end_matches("IB")
        .trim_end_matches('B')
    {
        "" => 0,
        "K" => 10,
        "M" => 20,
        "G" => 30,
        "T" => 40,
        _ => return Err(format!("{text:?} has an unknown unit; use K, M, G or T")),
    };
    n.checked_mul(1u64 << shift)
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("{text:?} is not a usable size"))
}

pub(super) async fn save_into(
    paddock: &Paddock,
    d: &TaskDetail,
    dir: &Path,
    max_size: Option<u64>,
) -> u8 {
    let dest = unused_path(&dir.join(d.video_file_name()));
    download_to(paddock, &d.row.id, &dest, false, max_size).await
}

async fn download_to(
    paddock: &Paddock,
    id: &str,
    dest: &Path,
    force: bool,
    max_size: Option<u64>,
) -> u8 {
    let on_terminal = std::io::stderr().is_terminal();
    let result = paddock
        .save_video(id, dest, force, max_size, |p: Progress| {
            if on_terminal {
                let pct = p
                    .total
                    .map(|t| format!("{:>3}% ", p.received * 100 / t.max(1)))
                    .unwrap_or_default();
                eprint!(
                    "\r  {pct}{:.1} MB  {:.1} MB/s   ",
                    p.received as f64 / 1e6,
                    p.bytes_per_sec / 1e6
                );
            }
        })
        .await;
    if on_terminal {
        eprintln!();
    }
    match result {
        Ok(path) => {
            println!("{}", path.display());
            0
        }
        Err(e) => {
            eprintln!("paddock: {id}: {e}");
            e.exit_code()
        }
    }
}

pub(super) async fn save(
    paddock: &Paddock,
    id: &str,
    output: Option<PathBuf>,
    max_size: Option<u64>,
    force: bool,
) -> u8 {
    if let Err(e) = crate::ids::TaskId::parse(id) {
        eprintln!("paddock: {id}: {e}");
        return 2;
    }
    if let Err(code) = start(paddock, Arc::new(NoEvents)) {
        return code;
    }
    if let Err(e) = paddock.add_text(id.to_owned()).await {
        return fail(&e);
    }
    let known = paddock.task(id).ok().flatten();
    let detail = if known.as_ref().is_some_and(|d| d.row.video_url.is_some()) {
        known
    } else {
        paddock.query_now(id).await.ok().flatten()
    };
    let Some(d) = detail else {
        eprintln!("paddock: {id}: not in the history");
        return 4;
    };
    // An error on the row matters only when there is no video to fetch (an old
    // auto-save failure must not stop a save asked for by hand).
    if let (Some(e), None) = (&d.row.error, &d.row.video_url) {
        eprintln!("paddock: {id}: {}", e.message);
        return crate::error::exit_code_of(&e.code);
    }
    let Some(_) = d.task.as_ref().filter(|_| d.row.video_url.is_some()) else {
        let status = d.task.as_ref().map_or("unknown", |t| t.status.as_str());
        eprintln!("paddock: {id}: the task has no video (status: {status})");
        return 1;
    };
    let name = d.video_file_name();
    let dest = match output {
        Some(p) if p.is_dir() => p.join(name),
        Some(p) => p,
        None => PathBuf::from(name),
    };
    download_to(paddock, id, &dest, force, max_size).await
}
