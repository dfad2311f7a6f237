//! The Anyfast client against the fake gateway over real loopback sockets: every
//! state, every error family, retries, and who receives the key.

mod support;

use std::time::Duration;

use paddock::gateway::{AnyfastClient, ApiKey, BaseUrl, ClientConfig, RetryPolicy, Status};
use paddock::ids::TaskId;
use serde_json::json;
use support::fake_anyfast::{FakeAnyfast, Reply, FAKE_KEY};
use support::task_id;

fn client() -> AnyfastClient {
    AnyfastClient::new(ClientConfig {
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_millis(800),
        read_timeout: Duration::from_secs(2),
        retry: RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(300),
        },
    })
}

fn key() -> ApiKey {
    ApiKey::new(FAKE_KEY).unwrap()
}

async fn query(
    fake: &FakeAnyfast,
    id: &str,
) -> Result<paddock::gateway::QueryOutcome, paddock::Error> {
    let base = BaseUrl::parse(&fake.base_url).unwrap();
    client()
        .query(&base, &key(), &TaskId::parse(id).unwrap())
        .await
}

async fn scripted(label: &str, replies: Vec<Reply>) -> (FakeAnyfast, String) {
    let fake = FakeAnyfast::start().await;
    let id = task_id(label);
    fake.script(&id, replies);
    (fake, id)
}

#[tokio::test]
async fn success_reads_every_field() {
    let (fake, id) = scripted("success", vec![Reply::state("success-seed-example")]).await;
    let t = query(&fake, &id).await.unwrap().task;
    assert_eq!(t.id, id);
    assert_eq!(t.status, Status::Succeeded);
    assert_eq!(t.raw_status.as_deref(), Some("SUCCESS"));
    assert_eq!(t.progress, Some(100));
    assert_eq!(t.action.as_deref(), Some("generate"));
    assert_eq!(t.prompt.as_deref(), Some("一只猫在草地上奔跑"));
    assert_eq!(t.resolution.as_deref(), Some("720P"));
    assert_eq!(t.duration, Some(5.0));
    assert_eq!(t.ratio.as_deref(), Some("16:9"));
    assert!(t
        .video_url
        .as_deref()
        .unwrap()
        .starts_with(&fake.storage_url));
    assert_eq!(t.video_expires_at, Some(t.finished_at.unwrap() + 86_400));
    assert_eq!(
        t.fail_reason, None,
        "on success fail_reason is a copy of the URL"
    );
    assert_eq!(
        t.request_id.as_deref(),
        Some("20260428023742441081000FMrSbjcs")
    );
}

#[tokio::test]
async fn running_states_are_not_final() {
    for (fixture, status, progress) in [
        ("not-start", Status::NotStarted, Some(0)),
        ("queued", Status::Queued, Some(10)),
        ("in-progress", Status::Running, Some(50)),
        ("stock-gateway-extra-fields", Status::NotStarted, None),
    ] {
        let (fake, id) = scripted(fixture, vec![Reply::state(fixture)]).await;
        let t = query(&fake, &id).await.unwrap().task;
        assert_eq!((t.status, t.progress), (status, progress), "{fixture}");
        assert!(!t.status.is_final());
        assert_eq!(t.video_url, None);
    }
}

#[tokio::test]
async fn failure_reads_the_reason_not_the_url_field() {
    let (fake, id) = scripted(
        "fail",
        vec![Reply::state("failure-result-url-holds-error-text")],
    )
    .await;
    let t = query(&fake, &id).await.unwrap().task;
    assert_eq!(t.status, Status::Failed);
    assert_eq!(t.fail_reason.as_deref(), Some("task failed"));
    assert_eq!(t.video_url, None, "result_url holds error text on failure");
}

#[tokio::test]
async fn timed_out_task_trusts_the_outer_status_over_stale_nested_data() {
    let (fake, id) = scripted(
        "timeout",
        vec![Reply::state("failure-timeout-stale-nested")],
    )
    .await;
    let t = query(&fake, &id).await.unwrap().task;
    assert_eq!(t.status, Status::Failed);
    assert_eq!(t.fail_reason.as_deref(), Some("任务超时（60分钟）"));
    assert_eq!(t.upstream.unwrap().task_status.as_deref(), Some("RUNNING"));
}

#[tokio::test]
async fn data_null_is_no_data_yet() {
    let (fake, id) = scripted(
        "null",
        vec![Reply::json(200, json!({"code": "success", "data": null}))],
    )
    .await;
    let t = query(&fake, &id).await.unwrap().task;
    assert!(t.no_data);
    assert!(!t.status.is_final());
}

#[tokio::test]
async fn unknown_status_is_kept_raw_and_still_running() {
    let body = json!({"code": "success", "data": {"task_id": "x", "status": "WARMING_UP", "action": "remixGenerate", "progress": ""}});
    let (fake, id) = scripted("unknown", vec![Reply::json(200, body)]).await;
    let t = query(&fake, &id).await.unwrap().task;
    assert_eq!(t.status, Status::Running);
    assert!(!t.status_recognized);
    assert_eq!(t.raw_status.as_deref(), Some("WARMING_UP"));
    assert_eq!(t.action.as_deref(), Some("remixGenerate"));
    assert_eq!(t.progress, None);
}

async fn error_of(label: &str, reply: Reply) -> (paddock::Error, usize) {
    let (fake, id) = scripted(label, vec![reply]).await;
    let err = query(&fake, &id).await.unwrap_err();
    (err, fake.requests_for(&id))
}

#[tokio::test]
async fn wrong_key_is_unauthorized_and_not_retried() {
    let fake = FakeAnyfast::start().await;
    let id = task_id("wrongkey");
    fake.script(&id, vec![Reply::state("queued")]);
    fake.set_key("sk-another-key-entirely-000000");
    let err = query(&fake, &id).await.unwrap_err();
    assert_eq!(err.code(), "unauthorized");
    assert!(err.to_string().contains("无效的令牌"), "{err}");
    assert!(err.to_string().contains("Check the key"), "{err}");
    assert!(!err.to_string().contains(FAKE_KEY));
    assert_eq!(fake.requests_for(&id), 1);
}

#[tokio::test]
async fn every_401_shape_is_unauthorized() {
    for name in [
        "error-401-documented",
        "error-401-no-token-zh",
        "error-401-invalid-token-zh",
    ] {
        let (err, n) = error_of(name, Reply::error(name)).await;
        assert_eq!((err.code(), n), ("unauthorized", 1), "{name}");
    }
    let (err, _) = error_of("401empty", Reply::empty(401)).await;
    assert_eq!(err.code(), "unauthorized");
}

#[tokio::test]
async fn forbidden_is_not_retried() {
    let (err, n) = error_of("403", Reply::error("error-403-ip-not-allowed")).await;
    assert_eq!((err.code(), n), ("forbidden", 1));
    assert!(err.to_string().contains("IP"));
}

#[tokio::test]
async fn unknown_task_is_not_found_for_400_and_404() {
    let fake = FakeAnyfast::start().await;
    let err = query(&fake, &task_id("missing400")).await.unwrap_err();
    assert_eq!(err.code(), "not_found");
    fake.unknown_task_status(404);
    let err = query(&fake, &task_id("missing404")).await.unwrap_err();
    assert_eq!(err.code(), "not_found");
    assert_eq!(
        fake.requests_for(&task_id("missing404")),
        1,
        "never retried"
    );
}

#[tokio::test]
async fn rate_limit_retries_then_reports_with_retry_after() {
    let (err, n) = error_of(
        "429",
        Reply::error("error-429-upstream-saturated").retry_after(0),
    )
    .await;
    assert_eq!(err.code(), "rate_limited");
    assert_eq!(n, 4, "one try and three retries");
    assert!(err.to_string().contains("当前分组上游负载已饱和"));
    assert_eq!(err.retry_after(), Some(Duration::ZERO));
}

#[tokio::test]
async fn retry_after_is_honoured_but_capped() {
    let (fake, id) = scripted(
        "429cap",
        vec![
            Reply::error("error-429-rpm").retry_after(3600),
            Reply::state("queued"),
        ],
    )
    .await;
    let started = std::time::Instant::now();
    let t = query(&fake, &id).await.unwrap().task;
    assert_eq!(t.status, Status::Queued);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "an hour's Retry-After is capped"
    );
    assert_eq!(fake.requests_for(&id), 2);
}

#[tokio::test]
async fn transient_server_error_then_success_recovers() {
    let (fake, id) = scripted(
        "503then",
        vec![
            Reply::error("error-503-concurrency-unavailable"),
            Reply::empty(502),
            Reply::state("in-progress"),
        ],
    )
    .await;
    assert_eq!(
        query(&fake, &id).await.unwrap().task.status,
        Status::Running
    );
    assert_eq!(fake.requests_for(&id), 3);
}

#[tokio::test]
async fn server_errors_in_every_body_family() {
    for (label, reply) in [
        ("500json", Reply::error("error-500-get-task-failed")),
        (
            "503openai",
            Reply::error("error-503-concurrency-unavailable"),
        ),
        ("502html", Reply::html(502)),
        ("504empty", Reply::empty(504)),
    ] {
        let (err, n) = error_of(label, reply).await;
        assert_eq!((err.code(), n), ("server", 4), "{label}");
        assert!(err.to_string().contains("Wait"), "{err}");
    }
}

#[tokio::test]
async fn html_page_with_200_is_not_a_gateway() {
    let (err, n) = error_of("html200", Reply::html(200)).await;
    assert_eq!((err.code(), n), ("not_a_gateway", 1));
    assert!(err
        .to_string()
        .contains("does not look like an Anyfast gateway"));
}

#[tokio::test]
async fn a_base_url_with_a_wrong_prefix_is_not_a_gateway() {
    let fake = FakeAnyfast::start().await;
    for base in [
        format!("{}/console", fake.base_url),
        format!("{}/v1", fake.base_url),
    ] {
        let base = BaseUrl::parse(&base).unwrap();
        let err = client()
            .query(&base, &key(), &TaskId::parse(&task_id("prefix")).unwrap())
            .await
            .unwrap_err();
        assert_eq!(err.code(), "not_a_gateway", "{base:?}");
    }
}

#[tokio::test]
async fn invalid_json_and_foreign_codes_are_bad_responses() {
    let (err, _) = error_of("badjson", Reply::json(200, json!("x")).header("X", "1")).await;
    assert_eq!(err.code(), "not_a_gateway");
    let mut broken = Reply::json(200, json!({}));
    broken.body = b"{\"code\":\"success\",\"data\":{".to_vec();
    let (err, _) = error_of("truncjson", broken).await;
    assert_eq!(err.code(), "bad_response");
    let (err, _) = error_of(
        "foreign",
        Reply::json(
            200,
            json!({"code": "quota_exceeded", "message": "额度不足", "data": null}),
        ),
    )
    .await;
    assert_eq!(err.code(), "bad_response");
    assert!(err.to_string().contains("额度不足"));
}

#[tokio::test]
async fn slow_answer_times_out_after_retries() {
    let (err, n) = error_of(
        "slow",
        Reply::state("queued").delayed(Duration::from_secs(3)),
    )
    .await;
    assert_eq!(err.code(), "timeout");
    assert_eq!(n, 4);
}

#[tokio::test]
async fn nothing_listening_is_a_network_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let base = BaseUrl::parse(&format!("http://127.0.0.1:{port}")).unwrap();
    let err = client()
        .query(&base, &key(), &TaskId::parse(&task_id("down")).unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "network");
    assert!(err.to_string().contains("base URL"));
}

#[tokio::test]
async fn redirect_to_another_host_drops_the_key() {
    let fake = FakeAnyfast::start().await;
    let id = task_id("redirect");
    fake.script(
        &id,
        vec![Reply::redirect(&format!(
            "{}/videos/{id}.mp4",
            fake.storage_url
        ))],
    );
    let err = query(&fake, &id).await.unwrap_err();
    assert_eq!(err.code(), "not_a_gateway");
    let storage: Vec<_> = fake
        .log()
        .into_iter()
        .filter(|l| l.host == "storage")
        .collect();
    assert_eq!(storage.len(), 1, "the redirect was followed");
    assert!(
        storage[0].authorization.is_none(),
        "the storage host never sees the key"
    );
}

#[tokio::test]
async fn the_key_goes_only_to_the_gateway_and_the_video_url_is_on_the_other_host() {
    let (fake, id) = scripted("who", vec![Reply::state("success-seed-example")]).await;
    let t = query(&fake, &id).await.unwrap().task;
    let url = t.video_url.unwrap();
    let body = client()
        .http()
        .await
        .unwrap()
        .get(&url)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(body.len(), support::fake_anyfast::sample_video().len());
    for entry in fake.log() {
        match entry.host {
            "gateway" => assert_eq!(entry.authorization, Some(format!("Bearer {FAKE_KEY}"))),
            _ => assert_eq!(entry.authorization, None, "{entry:?}"),
        }
    }
}

#[tokio::test]
async fn the_user_agent_names_paddock() {
    assert!(paddock::gateway::user_agent().starts_with("paddock/0."));
}

#[test]
fn base_url_rules() {
    assert!(BaseUrl::parse("https://www.anyfast.com.cn/").is_ok());
    assert!(BaseUrl::parse("http://127.0.0.1:8080").is_ok());
    assert!(BaseUrl::parse("http://localhost:8080").is_ok());
    assert!(BaseUrl::parse("http://[::1]:8080").is_ok());
    assert_eq!(
        BaseUrl::parse("http://www.anyfast.com.cn")
            .unwrap_err()
            .code(),
        "invalid_base_url"
    );
    assert_eq!(
        BaseUrl::parse("ftp://x").unwrap_err().code(),
        "invalid_base_url"
    );
    assert_eq!(
        BaseUrl::parse("anyfast").unwrap_err().code(),
        "invalid_base_url"
    );
    for with_user_info in [
        "https://user:pw@gw.example.com",
        "https://:pw@gw.example.com",
        "https://user@gw.example.com",
    ] {
        assert_eq!(
            BaseUrl::parse(with_user_info).unwrap_err().code(),
            "invalid_base_url",
            "{with_user_info}"
        );
    }
    let base = BaseUrl::parse("https://gw.example.com/proxy/").unwrap();
    let url = base.task_url(&TaskId::parse("asyntask_x").unwrap());
    assert_eq!(
        url.as_str(),
        "https://gw.example.com/proxy/v1/video/generations/asyntask_x"
    );
}

/// A real answer is under 4 KiB; past 1 MiB the body is not read on.
#[tokio::test]
async fn an_answer_over_a_mebibyte_is_a_bad_response() {
    let huge = "x".repeat(2 << 20);
    let body = json!({"code": "success", "data": {"status": "IN_PROGRESS", "junk": huge}});
    let (fake, id) = scripted("huge", vec![Reply::json(200, body)]).await;
    let err = query(&fake, &id).await.unwrap_err();
    assert_eq!(err.code(), "bad_response", "{err}");
    assert!(err.to_string().contains("larger than 1024 KiB"), "{err}");
}

/// `Retry-After` may be an HTTP date; it is read as the wait until then.
#[tokio::test]
async fn retry_after_as_an_http_date_is_read() {
    let now = paddock::timefmt::now_unix();
    let date = http_date(now + 120);
    let (fake, id) = scripted(
        "retrydate",
        vec![Reply::error("error-429-rpm").header("Retry-After", &date)],
    )
    .await;
    let base = BaseUrl::parse(&fake.base_url).unwrap();
    let once = RetryPolicy {
        max_retries: 0,
        ..RetryPolicy::default()
    };
    let err = client()
        .query_with(&base, &key(), &TaskId::parse(&id).unwrap(), &once)
        .await
        .unwrap_err();
    let wait = err.retry_after().expect("a wait was read").as_secs();
    assert!((110..=120).contains(&wait), "{date} read as {wait} s");
    assert_eq!(
        paddock::gateway::parse_retry_after(&http_date(now - 10), now),
        Some(Duration::ZERO),
        "a date in the past means now"
    );
}

/// `Sun, 06 Nov 1994 08:49:37 GMT` for unix seconds.
fn http_date(unix: i64) -> String {
    let rfc = paddock::timefmt::rfc3339(unix); // 1994-11-06T08:49:37Z
    let days = unix.div_euclid(86_400);
    let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][days.rem_euclid(7) as usize];
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = months[rfc[5..7].parse::<usize>().unwrap() - 1];
    format!(
        "{weekday}, {} {month} {} {} GMT",
        &rfc[8..10],
        &rfc[0..4],
        &rfc[11..19]
    )
}

#[tokio::test]
async fn an_english_401_is_unauthorized_too() {
    let fake = FakeAnyfast::start().await;
    fake.english();
    let id = task_id("english401");
    fake.script(&id, vec![Reply::state("queued")]);
    let base = BaseUrl::parse(&fake.base_url).unwrap();
    let wrong = ApiKey::new("sk-wrong-english-key-0000000").unwrap();
    let err = client()
        .query(&base, &wrong, &TaskId::parse(&id).unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "unauthorized");
    assert_eq!(err.detail().as_deref(), Some("Invalid API key provided."));
}

#[tokio::test]
async fn the_gateways_concurrency_limit_is_a_rate_limit() {
    let (fake, id) = scripted("concurrency", vec![Reply::concurrency_limited()]).await;
    let err = query(&fake, &id).await.unwrap_err();
    assert_eq!(err.code(), "rate_limited", "{err}");
    assert!(err.to_string().contains("concurrency limit"), "{err}");
    assert_eq!(fake.requests_for(&id), 4, "retried within the policy");
}

#[tokio::test]
async fn a_json_body_cut_off_midway_is_a_network_fault() {
    let (fake, id) = scripted("cutjson", vec![Reply::state("queued").cut_off()]).await;
    let err = query(&fake, &id).await.unwrap_err();
    assert!(
        ["network", "bad_response"].contains(&err.code()),
        "{}: {err}",
        err.code()
    );
    assert!(err.is_transient() || err.code() == "bad_response");
}

#[tokio::test]
async fn a_json_body_that_trickles_in_times_out() {
    let (fake, id) = scripted(
        "slowjson",
        vec![Reply::state("queued").slow_body(Duration::from_millis(200))],
    )
    .await;
    let err = query(&fake, &id).await.unwrap_err();
    assert_eq!(err.code(), "timeout", "{err}");
}

/// The three signing styles the storage hosts use all give the same expiry: a
/// day after the task finished, read from the link itself.
#[tokio::test]
async fn oss_v4_and_s3_links_give_their_expiry() {
    use support::fake_anyfast::SignStyle;
    for style in [SignStyle::OssV1, SignStyle::OssV4, SignStyle::S3] {
        let fake = FakeAnyfast::start().await;
        let id = task_id(&format!("sign{style:?}"));
        fake.sign_style(&id, style);
        fake.script(&id, vec![Reply::state("success-seed-example")]);
        let t = query(&fake, &id).await.unwrap().task;
        let url = t.video_url.clone().unwrap();
        assert!(
            url.contains("/videos/"),
            "result_url, not another field: {url}"
        );
        assert_eq!(
            t.video_expires_at,
            t.finished_at.map(|f| f + 86_400),
            "{style:?}: {url}"
        );
        // Asked again, the gateway gives the same link and times.
        let again = query(&fake, &id).await.unwrap().task;
        assert_eq!(again.video_url.as_deref(), Some(url.as_str()));
        assert_eq!(again.finished_at, t.finished_at);
    }
}
