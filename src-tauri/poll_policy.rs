//! What to do after one query of one task: keep asking (when), stop (why), pause
//! the gateway, or tell the user. A pure function of the outcome, the task's state
//! and the clock reading passed in, so every rule is tested without a server or a
//! clock; the tracker only carries the decision out.

use std::time::Duration;

use crate::api::{ApiError, TaskSnapshot};
use crate::keystore::KeyError;
use crate::service::AppError;
use crate::store::{StoredError, Tracking};

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
    Failed(&'a AppError),
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

/// The row's error for an application error.
pub fn stored(e: &AppError) -> StoredError {
    let detail = match e {
        AppError::Api(api) => api.detail(),
        _ => None,
    };
    StoredError {
        code: e.code().to_owned(),
        message: e.to_string(),
        detail,
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
                AppError::Api(ApiError::NotFound { .. }) => Decision {
                    tracking: Tracking::NotFound,
                    error,
                    next_in: None,
                    waiting: false,
                    pause_gateway: false,
                    failures: 0,
                    finished_now: false,
                },
                AppError::Api(ApiError::Unauthorized { .. })
                | AppError::Key(KeyError::Missing | KeyError::NoKeyForGateway(_)) => Decision {
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
                    let asked = match other {
                        AppError::Api(api) => api.retry_after(),
                        _ => None,
                    };
                    // The gateway's own Retry-After is honoured as given; without
                    // one, back off exponentially with jitter.
                    let next = match asked {
                        Some(wait) => wait,
                        None => jittered(backoff),
                    };
                    let waiting = matches!(other, AppError::Api(api) if api.is_transient());
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

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_777_343_862;

    fn task() -> TaskState {
        TaskState {
            added_at: NOW - 60,
            was_final: false,
            failures: 0,
        }
    }

    fn snapshot(status: &str) -> TaskSnapshot {
        TaskSnapshot::from_data(
            "asyntask_x",
            &serde_json::json!({"status": status, "submit_time": NOW - 60}),
        )
    }

    fn api(e: ApiError) -> AppError {
        AppError::Api(e)
    }

    #[test]
    fn a_running_task_is_asked_again_after_the_interval() {
        let d = decide(
            Outcome::Answer(&snapshot("IN_PROGRESS")),
            &task(),
            &PollConfig::default(),
            NOW,
            0.5,
        );
        assert_eq!(d.tracking, Tracking::Active);
        assert_eq!(d.next_in, Some(Duration::from_secs(15)));
        assert!(!d.finished_now && !d.waiting && d.error.is_none());
    }

    #[test]
    fn jitter_spreads_within_its_fraction() {
        let config = PollConfig::default();
        let at = |u| {
            decide(
                Outcome::Answer(&snapshot("QUEUED")),
                &task(),
                &config,
                NOW,
                u,
            )
            .next_in
            .unwrap()
        };
        assert_eq!(at(0.0), Duration::from_secs(12));
        assert_eq!(at(1.0), Duration::from_secs(18));
        assert_eq!(at(f64::NAN), Duration::from_secs(15));
    }

    #[test]
    fn success_finishes_once() {
        let config = PollConfig::default();
        let d = decide(
            Outcome::Answer(&snapshot("SUCCESS")),
            &task(),
            &config,
            NOW,
            0.5,
        );
        assert_eq!(
            (d.tracking, d.next_in, d.finished_now),
            (Tracking::Final, None, true)
        );
        let again = TaskState {
            was_final: true,
            ..task()
        };
        let d = decide(
            Outcome::Answer(&snapshot("SUCCESS")),
            &again,
            &config,
            NOW,
            0.5,
        );
        assert!(
            !d.finished_now,
            "asking again about a finished task is not news"
        );
    }

    #[test]
    fn a_day_old_unfinished_task_is_given_up() {
        let d = decide(
            Outcome::Answer(&snapshot("QUEUED")),
            &task(),
            &PollConfig::default(),
            NOW + 25 * 3600,
            0.5,
        );
        assert_eq!(d.tracking, Tracking::GaveUp);
        assert_eq!(d.error.unwrap().code, "gave_up");
        assert_eq!(d.next_in, None);
    }

    #[test]
    fn a_rate_limit_waits_as_long_as_the_gateway_asks() {
        let e = api(ApiError::RateLimited {
            detail: Some("1分钟内最多请求60次".into()),
            retry_after: Some(Duration::from_secs(1)),
        });
        let d = decide(
            Outcome::Failed(&e),
            &task(),
            &PollConfig::default(),
            NOW,
            0.5,
        );
        assert_eq!(
            d.next_in,
            Some(Duration::from_secs(1)),
            "Retry-After as given"
        );
        assert!(d.waiting, "a 429 is waiting, not an error");
        assert_eq!(d.tracking, Tracking::Active);
        assert_eq!(d.failures, 1);
        let long = api(ApiError::RateLimited {
            detail: None,
            retry_after: Some(Duration::from_secs(900)),
        });
        let d = decide(
            Outcome::Failed(&long),
            &task(),
            &PollConfig::default(),
            NOW,
            0.5,
        );
        assert_eq!(
            d.next_in,
            Some(Duration::from_secs(900)),
            "longer than max_backoff too"
        );
    }

    #[test]
    fn server_faults_back_off_exponentially_up_to_the_cap() {
        let config = PollConfig::default();
        let e = api(ApiError::Server {
            status: 502,
            detail: None,
        });
        let mut state = task();
        let mut waits = Vec::new();
        for _ in 0..7 {
            let d = decide(Outcome::Failed(&e), &state, &config, NOW, 0.5);
            assert!(d.waiting);
            waits.push(d.next_in.unwrap().as_secs());
            state.failures = d.failures;
        }
        assert_eq!(waits, [15, 30, 60, 120, 240, 300, 300]);
        let ok = decide(
            Outcome::Answer(&snapshot("RUNNING")),
            &state,
            &config,
            NOW,
            0.5,
        );
        assert_eq!(ok.failures, 0, "an answer resets the backoff");
    }

    #[test]
    fn a_rejected_key_pauses_the_gateway_and_not_found_stops() {
        let config = PollConfig::default();
        let e = api(ApiError::Unauthorized { detail: None });
        let d = decide(Outcome::Failed(&e), &task(), &config, NOW, 0.5);
        assert!(d.pause_gateway && !d.waiting);
        assert_eq!(d.next_in, None);
        let missing = AppError::Key(KeyError::Missing);
        assert!(decide(Outcome::Failed(&missing), &task(), &config, NOW, 0.5).pause_gateway);
        let gone = api(ApiError::NotFound { detail: None });
        let d = decide(Outcome::Failed(&gone), &task(), &config, NOW, 0.5);
        assert_eq!((d.tracking, d.next_in), (Tracking::NotFound, None));
    }

    #[test]
    fn an_unreadable_answer_is_an_error_not_a_wait() {
        let e = api(ApiError::BadResponse { detail: None });
        let d = decide(
            Outcome::Failed(&e),
            &task(),
            &PollConfig::default(),
            NOW,
            0.5,
        );
        assert!(!d.waiting, "needs the user: shown as an error");
        assert_eq!(d.next_in, Some(Duration::from_secs(15)));
    }

    #[test]
    fn hostile_clock_values_do_not_overflow() {
        let state = TaskState {
            added_at: i64::MIN,
            was_final: false,
            failures: u32::MAX,
        };
        let e = api(ApiError::Timeout);
        let d = decide(
            Outcome::Failed(&e),
            &state,
            &PollConfig::default(),
            i64::MAX,
            0.5,
        );
        assert_eq!(d.failures, u32::MAX);
        let d = decide(
            Outcome::Answer(&snapshot("RUNNING")),
            &state,
            &PollConfig::default(),
            i64::MAX,
            0.5,
        );
        assert_eq!(d.tracking, Tracking::GaveUp);
    }
}
