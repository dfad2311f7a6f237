//! One gateway's share of the poller: how many queries are in flight, and how many
//! went out in the last minute (Anyfast allows 60).

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// One gateway's share of the poller: queries in flight, and a sliding window of
/// when the last ones were sent.
pub(super) struct Gate {
    in_flight: Arc<Semaphore>,
    sent: tokio::sync::Mutex<VecDeque<Instant>>,
}

/// How long to wait before one more query fits `limit` per `window`, given when
/// the last ones went out (oldest first). Pure, for tests.
pub fn rate_limit_wait(
    sent: &VecDeque<Instant>,
    now: Instant,
    limit: usize,
    window: Duration,
) -> Option<Duration> {
    let limit = limit.max(1);
    let recent: Vec<&Instant> = sent
        .iter()
        .filter(|at| now.saturating_duration_since(**at) < window)
        .collect();
    if recent.len() < limit {
        return None;
    }
    // The one that must leave the window before another query fits.
    let leaving = recent[recent.len() - limit];
    Some((*leaving + window).saturating_duration_since(now))
}

impl Gate {
    pub(super) fn new(per_gateway: usize) -> Self {
        Self {
            in_flight: Arc::new(Semaphore::new(per_gateway.max(1))),
            sent: tokio::sync::Mutex::new(VecDeque::new()),
        }
    }

    /// Waits for a free slot, within `per_minute` queries a minute.
    pub(super) async fn admit(&self, per_minute: usize) -> Option<OwnedSemaphorePermit> {
        const WINDOW: Duration = Duration::from_secs(60);
        let permit = Arc::clone(&self.in_flight).acquire_owned().await.ok()?;
        loop {
            let mut sent = self.sent.lock().await;
            let now = Instant::now();
            while sent
                .front()
                .is_some_and(|at| now.saturating_duration_since(*at) >= WINDOW)
            {
                sent.pop_front();
            }
            match rate_limit_wait(&sent, now, per_minute, WINDOW) {
                None => {
                    sent.push_back(now);
                    return Some(permit);
                }
                Some(wait) => {
                    drop(sent);
                    tokio::time::sleep(wait.max(Duration::from_millis(10))).await;
                }
            }
        }
    }
}
