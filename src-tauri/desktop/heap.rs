//! Gives the memory that start-up used and freed back to the system.
//!
//! Start-up allocates more than the window keeps: the history is read into the
//! tracker, the page's files are unpacked, and the page reads every row again right
//! after its first paint. glibc keeps what is freed inside its arenas, one per
//! thread that allocated, for later allocations, so the window would hold that peak
//! for as long as it runs. `malloc_trim(0)` hands the free pages of every arena back
//! (`madvise`). Measured idle, the app process's PSS (median of 8 launches of the
//! release build): 100 tasks 88.5 to 86.8 MiB, 10,000 tasks 134.7 to 130.0 MiB.

use std::time::Duration;

/// How long after the first paint: the page's read of every row, which follows the
/// paint by well under a second even with 10,000 tasks, has been answered by then.
const SETTLE: Duration = Duration::from_secs(2);

/// Waits for start-up to settle, then gives its freed memory back, off the async
/// runtime's threads (the trim walks every arena).
pub async fn give_back_after_start_up() {
    tokio::time::sleep(SETTLE).await;
    match tokio::task::spawn_blocking(give_back).await {
        Ok(Some((before, after))) => tracing::info!(
            resident_before_kib = before,
            resident_after_kib = after,
            "start-up memory given back"
        ),
        Ok(None) => {}
        Err(e) => tracing::warn!("could not give start-up memory back: {e}"),
    }
}

/// Trims the heap; the process's resident memory before and after, in KiB, where
/// the system says (Linux).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn give_back() -> Option<(u64, u64)> {
    let before = resident_kib();
    // SAFETY: malloc_trim only releases free memory to the system; glibc allows it
    // at any time, from any thread, while others allocate.
    unsafe { libc::malloc_trim(0) };
    Some((before?, resident_kib()?))
}

/// Other allocators return free memory in their own way.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn give_back() -> Option<(u64, u64)> {
    None
}

/// The process's resident memory in KiB (`/proc/self/statm`, in pages).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn resident_kib() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    // SAFETY: sysconf only reads a system constant.
    let page_size = u64::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).ok()?;
    Some(pages.saturating_mul(page_size) / 1024)
}

#[cfg(all(test, target_os = "linux", target_env = "gnu"))]
mod tests {
    use super::*;

    /// Memory freed inside an arena stays resident until the trim hands it back.
    /// mincore reads the freed pages themselves, so other tests' allocations at
    /// the same time do not blur it, as they would the process's resident total.
    #[test]
    fn freed_heap_pages_leave_memory_when_trimmed() {
        const BLOCKS: usize = 256;
        const BLOCK: usize = 64 * 1024; // under glibc's mmap threshold: from an arena
        let resident = |blocks: &[usize]| -> usize {
            let page = 4096;
            blocks
                .iter()
                .map(|&start| {
                    // Whole pages inside the block, clear of glibc's chunk headers.
                    let first = start.div_ceil(page) * page + page;
                    let mut vec = [0u8; BLOCK / 4096];
                    // SAFETY: the range lies inside the arena's mapping, which stays
                    // mapped while the guard block lives; `vec` has a byte per page.
                    let ok = unsafe {
                        libc::mincore(first as *mut libc::c_void, BLOCK / 2, vec.as_mut_ptr())
                    } == 0;
                    if ok {
                        vec.iter()
                            .take(BLOCK / 2 / page)
                            .filter(|b| (**b & 1) == 1)
                            .count()
                    } else {
                        0
                    }
                })
                .sum()
        };
        // On a thread of its own: its arena is not the one the test harness uses.
        let (before, after) = std::thread::spawn(move || {
            let blocks: Vec<Vec<u8>> = (0..BLOCKS).map(|_| vec![1u8; BLOCK]).collect();
            // Keeps the arena's top in use, so freeing the rest does not shrink it.
            let guard = vec![1u8; 64];
            let starts: Vec<usize> = blocks.iter().map(|b| b.as_ptr() as usize).collect();
            drop(blocks);
            let before = resident(&starts);
            let trimmed = give_back();
            let after = resident(&starts);
            drop(guard);
            assert!(trimmed.is_some());
            (before, after)
        })
        .join()
        .expect("the test thread");
        assert!(
            before > BLOCKS * 4,
            "freed pages stay resident untrimmed: {before}"
        );
        assert!(
            after < before / 4,
            "the trim gave them back: {before} -> {after}"
        );
    }
}
