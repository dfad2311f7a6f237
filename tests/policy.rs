//! The poll policy, a pure function: every rule of when to ask again, when to stop
//! and when to pause, tested without a server or a clock.

use std::time::Duration;

use paddock::gateway::TaskSnapshot;
use paddock::tasks::policy::{decide, Outcome, PollConfig, TaskState};
use paddock::tasks::Tracking;
use paddock::Error;

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
    let e = Error::RateLimited {
        detail: Some("1分钟内最多请求60次".into()),
        retry_after: Some(Duration::from_secs(1)),
    };
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
    let long = Error::RateLimited {
        detail: None,
        retry_after: Some(Duration::from_secs(900)),
    };
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
    let e = Error::Server {
        status: 502,
        detail: None,
    };
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
    let e = Error::Unauthorized { detail: None };
    let d = decide(Outcome::Failed(&e), &task(), &config, NOW, 0.5);
    assert!(d.pause_gateway && !d.waiting);
    assert_eq!(d.next_in, None);
    let missing = Error::MissingKey;
    assert!(decide(Outcome::Failed(&missing), &task(), &config, NOW, 0.5).pause_gateway);
    let gone = Error::NotFound { detail: None };
    let d = decide(Outcome::Failed(&gone), &task(), &config, NOW, 0.5);
    assert_eq!((d.tracking, d.next_in), (Tracking::NotFound, None));
}

#[test]
fn an_unreadable_answer_is_an_error_not_a_wait() {
    let e = Error::BadResponse { detail: None };
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
    let e = Error::Timeout;
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
