//! What to do after one query of one task: keep asking (when), stop (why), pause
//! the gateway, or tell the user. A pure function of the outcome, the task's state
//! and the clock reading passed in, so every rule is tested without a server or a
//! clock; the tracker only carries the decision out.

use std::time::Duration;

use crate::error::Error;
use crate::gateway::TaskSnapshot;
use crate::tasks::store::{StoredError, Tracking};

/// How politely to poll.
#[derive(Debug, Clone)]
pub struct PollConfig {
    /// Anyfast advises about 15 s between queries of one task.
    pub interval: Duration,
    /// ± this fraction of the interval, so many tasks do not query in lockstep.
    pub jitter: f64,
    /// The longest wait after repeated 429s or server faults (unless the gateway
    /// asks for longer with Retry-After).
    pub max_backoff: Duration,
    /// Queries in flight at once per gateway.
    pub per_gateway: usize,
    /// Queries sent per gateway per minute at most: Anyfast's own limit is 60
    /// (its 429 says `1分钟内最多请求60次`).
    pub per_minute: usize,
    /// Upstream tasks live 24 h; past that Paddock stops asking.
    pub lifetime_secs: i64,
}

impl Default for PollConfig {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(15),
            jitter: 0.2,
            max_backoff: Duration::from_secs(300),
            per_gateway: 4,
            per_minute: 60,
            lifetime_secs: 24 * 3600,
        }
    }
}

impl PollConfig {
    /// The default schedule. Debug builds accept `PADDOCK_POLL_INTERVAL_MS` so the
    /// end-to-end and CLI tests need not wait 15 s between answers; release builds
    /// ignore it.
    pub fn from_env() -> Self {
        let mut config = Self::default();
        if cfg!(debug_assertions) {
            if let Some(ms) = std::env::var("PADDOCK_POLL_INTERVAL_MS")
                .ok()
                .and_then(|v| v.parse::<u64>().ok())
            {
                config.interval = Duration::from_millis(ms.max(50));
                config.max_backoff = config.interval * 4;
                config.per_minute = 100_000;
            }
        }
        config
    }
}

/// What the tracker knows of a task before this answer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TaskState {
    /// Unix seconds the task was added to Paddock.
    pub added_at: i64,
    /// The last answer said SUCCESS or FAILURE.
    pub was_final: bool,
    /// Transient failures in a row before this answer.
    pub failures: u32,
}

/// What one query ended in.
#[derive(Debug, Clone, Copy)]
pub enum Outcome<'a> {
    Answer(&'a TaskSnapshot),
    Failed(&'a Error),
}

/// What to do now.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub tracking: Tracking,
    /// Shown on the row (None clears the last one).
    pub error: Option<StoredError>,
    /// Ask again after this long; None when the task needs no more asking (final,
    /// not found, given up) or its gateway is paused.
    pub next_in: Option<Duration>,
    /// The fault is passing (429, 5xx, network): the row shows "waiting", not "error".
    pub waiting: bool,
    /// Stop asking this gateway until the user fixes the key.
    pub pause_gateway: bool,
    /// Transient failures in a row, after this answer.
    pub failures: u32,
    /// The task reached SUCCESS or FAILURE just now.
    pub finished_now: bool,
}

/// The row's error for an error.
pub fn stored(e: &Error) -> StoredError {
    StoredError {
        code: e.code().to_owned(),
        message: e.to_string(),
        detail: e.detail(),
    }
}

/// Decides what follows one query. `jitter_unit` is a number in `0..1` drawn by the
/// caller, so the spread is testable.
pub fn decide(
    outcome: Outcome<'_>,
    task: &TaskState,
    config: &PollConfig,
    now: i64,
    jitter_unit: f64,
) -> Decision {
    let jittered = |base: Duration| {
        let unit = if jitter_unit.is_finite() {
            jitter_unit.clamp(0.0, 1.0)
        } else {
            0.5
        };
        let factor = 1.0 + config.jitter.clamp(0.0, 1.0) * (unit * 2.0 - 1.0);
        base.mul_f64(factor.max(0.0))
    };
    match outcome {
        Outcome::Answer(snap) => {
            if snap.status.is_final() {
                return Decision {
                    tracking: Tracking::Final,
                    error: None,
                    next_in: None,
                    waiting: false,
                    pause_gateway: false,
                    failures: 0,
                    finished_now: !task.was_final,
                };
            }
            let born = snap.submitted_at.unwrap_or(task.added_at);
            if now.saturating_sub(born) > config.lifetime_secs {
                return Decision {
                    tracking: Tracking::GaveUp,
                    error: Some(StoredError {
                        code: "gave_up".into(),
                        message: "The task is more than 24 hours old and still not finished; the gateway will not finish it now. Paddock stopped asking.".into(),
                        detail: None,
                    }),
                    next_in: None,
                    waiting: false,
                    pause_gateway: false,
                    failures: 0,
                    finished_now: false,
                };
            }
            Decision {
                tracking: Tracking::Active,
                error: None,
                next_in: Some(jittered(config.interval)),
                waiting: false,
                pause_gateway: false,
                failures: 0,
                finished_now: false,
            }
        }
        Outcome::Failed(e) => {
            let error = Some(stored(e));
            match e {
                Error::NotFound { .. } => Decision {
                    tracking: Tracking::NotFound,
                    error,
                    next_in: None,
                    waiting: false,
                    pause_gateway: false,
                    failures: 0,
                    finished_now: false,
                },
                e if e.needs_a_key() => Decision {
                    tracking: Tracking::Active,
                    error,
                    next_in: None,
                    waiting: false,
                    pause_gateway: true,
                    failures: task.failures,
                    finished_now: false,
                },
                other => {
                    let failures = task.failures.saturating_add(1);
                    let backoff = config
                        .interval
                        .saturating_mul(1 << (failures - 1).min(10))
                        .min(config.max_backoff);
                    let asked = other.retry_after();
                    // The gateway's own Retry-After is honoured as given; without
                    // one, back off exponentially with jitter.
                    let next = match asked {
                        Some(wait) => wait,
                        None => jittered(backoff),
                    };
                    let waiting = other.is_transient();
                    Decision {
                        tracking: Tracking::Active,
                        error,
                        next_in: Some(next),
                        waiting,
                        pause_gateway: false,
                        failures,
                        finished_now: false,
                    }
                }
            }
        }
    }
}
