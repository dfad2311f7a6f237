//! Gives the memory that start-up used and freed back to the system.
//!
//! Start-up allocates more than the window keeps: the history is read into the
//! tracker, the page's files are unpacked, and the page reads every row again right
//! after its first paint. glibc keeps what is freed inside its arenas (up to eight
//! per core, shared by the app's 25-odd threads) for later allocations, so the
//! window would hold that peak for as long as it runs. `malloc_trim(0)` hands the
//! free pages of every arena back (`madvise`). Measured idle, the app process's PSS
//! (median of 8 launches of the release build): 100 tasks 88.5 to 86.8 MiB, 10,000
//! tasks 134.7 to 130.0 MiB.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How long after the first paint: the page's read of every row, which follows the
/// paint by well under a second even with 10,000 tasks, has been answered by then.
const SETTLE: Duration = Duration::from_secs(2);

/// Set once the trim after start-up is on its way: a reloaded page reports its
/// first paint again, but start-up happened once.
static STARTED: AtomicBool = AtomicBool::new(false);

/// What a trim did: whether glibc released any memory, and the process's resident
/// memory before and after, in KiB, where the system says.
struct Trimmed {
    released: bool,
    resident_kib: Option<(u64, u64)>,
}

/// Waits for start-up to settle, then gives its freed memory back, off the async
/// runtime's threads (the trim walks every arena). Only the first call does.
pub async fn give_back_after_start_up() {
    if STARTED.swap(true, Ordering::Relaxed) {
        return;
    }
    tokio::time::sleep(SETTLE).await;
    match tokio::task::spawn_blocking(give_back).await {
        Ok(Some(Trimmed {
            released,
            resident_kib,
        })) => {
            let (before, after) = resident_kib.unzip();
            tracing::info!(
                released,
                resident_before_kib = before,
                resident_after_kib = after,
                "start-up memory given back"
            );
        }
        Ok(None) => {}
        Err(e) => tracing::warn!("could not give start-up memory back: {e}"),
    }
}

/// Trims the heap.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn give_back() -> Option<Trimmed> {
    let before = resident_kib();
    // SAFETY: malloc_trim only releases free memory to the system; glibc allows it
    // at any time, from any thread, while others allocate (it locks each arena).
    let released = unsafe { libc::malloc_trim(0) } == 1;
    Some(Trimmed {
        released,
        resident_kib: before.zip(resident_kib()),
    })
}

/// Other allocators return free memory in their own way.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn give_back() -> Option<Trimmed> {
    None
}

/// The process's resident memory in KiB (`/proc/self/statm`, in pages).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn resident_kib() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages.saturating_mul(u64::try_from(page_size()?).ok()?) / 1024)
}

/// The system's page size in bytes.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn page_size() -> Option<usize> {
    // SAFETY: sysconf only reads a system constant.
    usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).ok()
}

#[cfg(all(test, target_os = "linux", target_env = "gnu"))]
mod tests {
    use super::*;

    /// Memory freed inside an arena stays resident until the trim hands it back.
    /// mincore reads the freed pages themselves, so other tests' allocations at the
    /// same time do not blur it, as they would the process's resident total.
    #[test]
    fn freed_heap_pages_leave_memory_when_trimmed() {
        const BLOCKS: usize = 256;
        // Under glibc's mmap threshold (128 KiB at least): from an arena.
        const BLOCK: usize = 64 * 1024;
        let page = page_size().expect("the page size");
        if page > BLOCK / 4 {
            eprintln!("skipped: {page}-byte pages leave too few whole pages in a block");
            return;
        }
        // The whole pages inside each block, clear of glibc's chunk header.
        let whole_pages = move |start: usize| {
            let first = (start + 64).div_ceil(page) * page;
            let end = (start + BLOCK) / page * page;
            (first, end.saturating_sub(first))
        };
        let resident = move |blocks: &[usize]| -> usize {
            blocks
                .iter()
                .map(|&start| {
                    let (first, len) = whole_pages(start);
                    let mut pages = vec![0u8; len / page];
                    // SAFETY: `first` is page-aligned and `pages` has a byte for each
                    // page of the range. If the range is no longer mapped, mincore
                    // fails (ENOMEM) and the block counts as not resident.
                    let read = unsafe {
                        libc::mincore(first as *mut libc::c_void, len, pages.as_mut_ptr())
                    };
                    if read == 0 {
                        pages.iter().filter(|p| (**p & 1) == 1).count()
                    } else {
                        0
                    }
                })
                .sum()
        };
        let (before, after, released, pages_freed) = std::thread::spawn(move || {
            let mut blocks: Vec<Vec<u8>> = (0..BLOCKS * 2).map(|_| vec![1u8; BLOCK]).collect();
            let freed: Vec<usize> = blocks
                .iter()
                .step_by(2)
                .map(|b| b.as_ptr() as usize)
                .collect();
            // Every other block freed: the live one after each keeps it from merging
            // into the arena's top, which free() would hand back by itself.
            let mut index = 0;
            blocks.retain(|_| {
                index += 1;
                index % 2 == 0
            });
            let pages_freed: usize = freed.iter().map(|&b| whole_pages(b).1 / page).sum();
            let before = resident(&freed);
            let trimmed = give_back().expect("glibc trims");
            let after = resident(&freed);
            drop(blocks);
            (before, after, trimmed.released, pages_freed)
        })
        .join()
        .expect("the test thread");
        assert!(
            before > pages_freed / 2,
            "freed pages stay resident untrimmed: {before} of {pages_freed}"
        );
        assert!(released, "glibc says it released memory");
        assert!(
            after < before / 4,
            "the trim gave them back: {before} -> {after}"
        );
    }
}
