//! The response parser fed the contract's fixtures (`docs/gateway.md`) verbatim, the
//! odd shapes the contract lists, and arbitrary input (no panic, ever).

mod support;

use paddock::gateway::ApiKey;
use paddock::gateway::{classify, url_expiry, Status};
use paddock::ids::TaskId;
use proptest::prelude::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

const SEED_URL_EXPIRES: i64 = 1_777_430_361;

fn id() -> TaskId {
    TaskId::parse("asyntask_jwgfhsG0m2aDjLmiiELRf74eoWmss6ya").unwrap()
}

fn key() -> ApiKey {
    ApiKey::new("sk-parser-test-key-000000000").unwrap()
}

fn parse(status: u16, body: &[u8]) -> Result<paddock::gateway::QueryOutcome, paddock::Error> {
    classify(
        StatusCode::from_u16(status).unwrap(),
        "application/json",
        body,
        None,
        &id(),
        &key(),
    )
}

fn fixture_bytes(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/anyfast/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// The copies in this repository are the shared contract's, byte for byte (the
/// bodies; our README points at `docs/gateway.md` instead of the shared page).
#[test]
fn fixtures_match_the_shared_contract_when_it_is_beside_the_repo() {
    let compared =
        support::assert_same_as_shared("fixtures", "anyfast", |name| name.ends_with(".json"));
    let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures");
    assert!(
        compared >= 20 || !shared.exists(),
        "only {compared} compared"
    );
}

#[test]
fn every_state_fixture_parses_to_its_status() {
    for (name, status) in [
        ("success-seed-example", Status::Succeeded),
        ("success-start-time-zero-video-edit", Status::Succeeded),
        ("not-start", Status::NotStarted),
        ("queued", Status::Queued),
        ("in-progress", Status::Running),
        ("failure-data-inspection", Status::Failed),
        ("failure-result-url-holds-error-text", Status::Failed),
        ("failure-timeout-stale-nested", Status::Failed),
        ("stock-gateway-extra-fields", Status::NotStarted),
    ] {
        let t = parse(200, &fixture_bytes(name))
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .task;
        assert_eq!(t.status, status, "{name}");
    }
}

#[test]
fn seed_example_expiry_comes_from_the_url() {
    let t = parse(200, &fixture_bytes("success-seed-example"))
        .unwrap()
        .task;
    assert_eq!(t.video_expires_at, Some(SEED_URL_EXPIRES));
    assert_eq!(t.submitted_at, Some(1_777_343_862));
    assert_eq!(t.started_at, Some(1_777_343_866));
    assert_eq!(t.finished_at, Some(1_777_343_961));
    let up = t.upstream.unwrap();
    assert_eq!(
        up.submitted_at,
        Some(1_777_343_862),
        "Beijing time read as UTC+8"
    );
    assert_eq!(up.task_status.as_deref(), Some("SUCCEEDED"));
    assert_eq!(up.video_count, Some(1));
}

#[test]
fn video_edit_has_float_durations_and_start_time_zero() {
    let t = parse(200, &fixture_bytes("success-start-time-zero-video-edit"))
        .unwrap()
        .task;
    assert_eq!(t.started_at, None);
    assert_eq!(t.duration, Some(6.62));
    assert_eq!(t.ratio, None);
    assert_eq!(t.upstream.unwrap().billed_duration, Some(13.24));
    assert_eq!(t.action.as_deref(), Some("omniGenerate"));
}

#[test]
fn data_inspection_failure_keeps_the_reason() {
    let t = parse(200, &fixture_bytes("failure-data-inspection"))
        .unwrap()
        .task;
    assert!(t.fail_reason.unwrap().contains("DataInspectionFailed"));
    assert_eq!(
        t.upstream.unwrap().code.as_deref(),
        Some("DataInspectionFailed")
    );
}

#[test]
fn success_with_data_null() {
    let t = parse(200, &fixture_bytes("success-data-null"))
        .unwrap()
        .task;
    assert!(t.no_data);
}

#[test]
fn missing_nested_data_and_odd_progress() {
    for (progress, want) in [
        (json!("50%"), Some(50)),
        (json!(""), None),
        (json!(75), Some(75)),
        (json!(" 30 % "), Some(30)),
        (json!("n/a"), None),
    ] {
        let body = json!({"code": "success", "data": {"task_id": "t", "status": "IN_PROGRESS", "progress": progress}});
        let t = parse(200, body.to_string().as_bytes()).unwrap().task;
        assert_eq!(t.progress, want, "{body}");
        assert!(t.upstream.is_none());
    }
}

#[test]
fn error_fixtures_map_to_codes() {
    for (name, status, code) in [
        ("error-400-task-not-exist", 400, "not_found"),
        ("error-401-documented", 401, "unauthorized"),
        ("error-401-invalid-token-zh", 401, "unauthorized"),
        ("error-401-no-token-zh", 401, "unauthorized"),
        ("error-403-ip-not-allowed", 403, "forbidden"),
        ("error-404-invalid-url", 404, "not_a_gateway"),
        ("error-429-rpm", 429, "rate_limited"),
        ("error-429-upstream-saturated", 429, "rate_limited"),
        ("error-500-get-task-failed", 500, "server"),
        ("error-503-concurrency-unavailable", 503, "server"),
    ] {
        let err = parse(status, &fixture_bytes(name)).unwrap_err();
        assert_eq!(err.code(), code, "{name}");
        assert!(!err.to_string().is_empty());
    }
}

#[test]
fn signed_url_expiry_forms() {
    assert_eq!(
        url_expiry("https://b.oss.aliyuncs.com/v.mp4?Expires=1777430361&Signature=x"),
        Some(1_777_430_361)
    );
    assert_eq!(
        url_expiry("https://b.oss.aliyuncs.com/v.mp4?x-oss-date=20260428T023742Z&x-oss-expires=86400&x-oss-signature=x"),
        Some(1_777_343_862 + 86_400)
    );
    assert_eq!(
        url_expiry("https://s3.example.com/v.mp4?X-Amz-Date=20260428T023742Z&X-Amz-Expires=3600&X-Amz-Signature=x"),
        Some(1_777_343_862 + 3600)
    );
    assert_eq!(url_expiry("https://example.com/v.mp4"), None);
}

#[test]
fn expiry_falls_back_to_finish_plus_a_day() {
    let body = json!({"code": "success", "data": {"task_id": "t", "status": "SUCCESS", "finish_time": 1_000_000, "result_url": "https://gw.example.com/v1/videos/t/content"}});
    let t = parse(200, body.to_string().as_bytes()).unwrap().task;
    assert_eq!(t.video_expires_at, Some(1_000_000 + 86_400));
}

#[test]
fn the_json_contract_has_every_key() {
    let t = parse(200, &fixture_bytes("queued")).unwrap().task;
    let v: Value = serde_json::to_value(&t).unwrap();
    // Every key of the contract but the two the CLI adds (`saved_path`, `error`).
    for key in &support::CONTRACT_KEYS[..15] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["status"], "queued");
    assert_eq!(v["submitted_at"], "2026-04-28T02:37:42Z");
    assert_eq!(v["video_url"], Value::Null);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(status in 100u16..600, body in proptest::collection::vec(any::<u8>(), 0..512)) {
        if let Ok(s) = StatusCode::from_u16(status) {
            let _ = classify(s, "application/json", &body, None, &id(), &key());
            let _ = classify(s, "text/html", &body, None, &id(), &key());
        }
    }

    #[test]
    fn arbitrary_json_never_panics(body in arb_json()) {
        let wrapped = json!({"code": "success", "data": body.clone()});
        let _ = parse(200, wrapped.to_string().as_bytes());
        let _ = parse(200, body.to_string().as_bytes());
        let nested = json!({"code": "success", "data": {"status": "SUCCESS", "result_url": body.clone(), "progress": body.clone(), "data": {"output": body.clone(), "usage": body}}});
        let _ = parse(200, nested.to_string().as_bytes());
    }
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        ".{0,40}".prop_map(Value::String),
        prop_oneof![
            Just("SUCCESS"),
            Just("FAILURE"),
            Just("50%"),
            Just("https://x.example/v.mp4?Expires=99999999999999999999"),
            Just("2026-02-30 25:61:00.000")
        ]
        .prop_map(|s| Value::String(s.into())),
    ];
    leaf.prop_recursive(3, 32, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::hash_map(
                prop_oneof![
                    Just("status".to_string()),
                    Just("progress".to_string()),
                    Just("result_url".to_string()),
                    Just("submit_time".to_string()),
                    Just("finish_time".to_string()),
                    Just("data".to_string()),
                    Just("output".to_string()),
                    Just("usage".to_string()),
                    Just("SR".to_string()),
                    ".{0,8}".prop_map(|s: String| s),
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}
