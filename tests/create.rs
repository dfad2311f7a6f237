//! Creating tasks against the fake gateway's POST, which checks bodies as the
//! contract says: one body per model, the refusals in both error families, a lost
//! answer, and never a second POST.

mod support;

use std::time::Duration;

use paddock::gateway::{AnyfastClient, ApiKey, BaseUrl, ClientConfig, CreateRequest, Model};
use serde_json::{json, Value};
use support::fake_anyfast::{CreateOutcome, FakeAnyfast, Reply, FAKE_KEY};

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/anyfast-create/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()
}

fn client() -> AnyfastClient {
    AnyfastClient::new(ClientConfig {
        request_timeout: Duration::from_secs(3),
        ..ClientConfig::default()
    })
}

fn key() -> ApiKey {
    ApiKey::new(FAKE_KEY).unwrap()
}

fn request(model: Model) -> CreateRequest {
    CreateRequest {
        model,
        prompt: "A cat running".into(),
        images: Vec::new(),
        video: None,
        reference: None,
        resolution: None,
        ratio: None,
        duration: None,
        seed: None,
        watermark: None,
    }
}

/// One text-to-video creation at `base`.
async fn create_t2v(base: &BaseUrl) -> Result<paddock::gateway::Created, paddock::Error> {
    client().create(base, &key(), &request(Model::T2v)).await
}

/// Our copies are the shared contract's, byte for byte, when it is beside the repo.
#[test]
fn fixtures_match_the_shared_contract() {
    support::assert_same_as_shared("fixtures-create", "anyfast-create", |_| true);
}

/// The body built for each model equals the contract's example, as JSON values.
#[test]
fn each_model_builds_the_documented_body() {
    let t2v = CreateRequest {
        prompt: "一只猫在草地上奔跑，阳光明媚".into(),
        resolution: Some("720P".into()),
        ratio: Some("16:9".into()),
        duration: Some(5),
        watermark: Some(false),
        seed: Some(42),
        ..request(Model::T2v)
    };
    assert_eq!(t2v.body(), fixture("request-t2v"));
    let i2v = CreateRequest {
        prompt: "The girl turns and smiles".into(),
        images: vec!["https://example.com/first-frame.png".into()],
        resolution: Some("1080P".into()),
        ratio: Some("16:9".into()),
        duration: Some(5),
        ..request(Model::I2v)
    };
    assert_eq!(
        i2v.body(),
        fixture("request-i2v"),
        "i2v drops the ratio it ignores"
    );
    let r2v = CreateRequest {
        prompt: "character1 walks into the cafe and waves at character2".into(),
        images: vec![
            "https://example.com/a.png".into(),
            "https://example.com/b.png".into(),
        ],
        resolution: Some("720P".into()),
        ratio: Some("9:16".into()),
        duration: Some(8),
        ..request(Model::R2v)
    };
    assert_eq!(r2v.body(), fixture("request-r2v"));
    let edit = CreateRequest {
        prompt: "Replace the jacket with the red one from the reference image".into(),
        video: Some("https://example.com/source.mp4".into()),
        reference: Some("https://example.com/jacket.png".into()),
        resolution: Some("720P".into()),
        watermark: Some(true),
        duration: Some(5),
        ..request(Model::Edit)
    };
    assert_eq!(
        edit.body(),
        fixture("request-video-edit"),
        "edits: native shape, no duration"
    );
}

#[test]
fn everything_is_checked_before_sending() {
    let code = |r: CreateRequest| r.validate().unwrap_err().code();
    assert_eq!(
        code(CreateRequest {
            prompt: " ".into(),
            ..request(Model::T2v)
        }),
        "invalid_request"
    );
    assert_eq!(
        code(CreateRequest {
            duration: Some(20),
            ..request(Model::T2v)
        }),
        "invalid_request"
    );
    assert_eq!(
        code(CreateRequest {
            ratio: Some("2:1".into()),
            ..request(Model::T2v)
        }),
        "invalid_request"
    );
    assert_eq!(
        code(request(Model::I2v)),
        "invalid_request",
        "i2v needs its image"
    );
    assert_eq!(
        code(CreateRequest {
            images: vec!["https://e.com/a.png".into(); 4],
            ..request(Model::R2v)
        }),
        "invalid_request"
    );
    let long = CreateRequest {
        prompt: "猫".repeat(2_501),
        ..request(Model::T2v)
    };
    assert!(
        long.validate().unwrap_err().to_string().contains("2501"),
        "the count is said"
    );
    assert!(CreateRequest {
        prompt: "a".repeat(5_000),
        ..request(Model::T2v)
    }
    .validate()
    .is_ok());
}

#[tokio::test]
async fn every_model_is_created_with_one_post() {
    let fake = FakeAnyfast::start().await;
    let base = BaseUrl::parse(&fake.base_url).unwrap();
    let cases = [
        request(Model::T2v),
        CreateRequest {
            images: vec!["https://example.com/a.png".into()],
            ..request(Model::I2v)
        },
        CreateRequest {
            images: vec!["https://example.com/a.png".into()],
            ..request(Model::R2v)
        },
        CreateRequest {
            video: Some("https://example.com/v.mp4".into()),
            reference: Some("https://example.com/r.png".into()),
            ..request(Model::Edit)
        },
    ];
    for r in &cases {
        let created = client().create(&base, &key(), r).await.unwrap();
        assert!(
            created.task_id.starts_with("asyntask_created"),
            "{}",
            created.task_id
        );
    }
    let sent = fake.created();
    assert_eq!(sent.len(), 4, "one POST each");
    assert_eq!(sent[3]["input"]["media"][0]["type"], "video");
    assert_eq!(sent[0]["model"], "happyhorse-1.0-t2v");
}

#[tokio::test]
async fn refusals_keep_the_gateway_words_and_charge_nothing() {
    let fake = FakeAnyfast::start().await;
    let base = BaseUrl::parse(&fake.base_url).unwrap();
    for (name, status, words) in [
        ("error-403-insufficient-quota", 403, "用户额度不足"),
        ("error-503-no-channel", 503, "无可用渠道"),
        (
            "error-400-task-shape",
            400,
            "duration must be between 3 and 15",
        ),
        ("error-400-openai-shape", 400, "Invalid value for 'ratio'"),
    ] {
        fake.next_create(CreateOutcome::Refuse(Reply::json(status, fixture(name))));
        let err = create_t2v(&base).await.unwrap_err();
        assert_eq!(err.code(), "refused", "{name}: {err}");
        assert_eq!(err.exit_code(), 6);
        assert!(err.to_string().contains(words), "{name}: {err}");
    }
    assert!(fake.created_ids().is_empty());
}

/// The POST arrives and the task is made, but the answer is lost: the outcome is
/// unknown, said as such, and the client did not send it again.
#[tokio::test]
async fn a_lost_answer_is_an_unknown_outcome_and_never_a_second_post() {
    let fake = FakeAnyfast::start().await;
    let base = BaseUrl::parse(&fake.base_url).unwrap();
    fake.next_create(CreateOutcome::DropAfterCreating);
    let err = create_t2v(&base).await.unwrap_err();
    assert_eq!(err.code(), "outcome_unknown", "{err}");
    assert_eq!(err.exit_code(), 7);
    assert!(
        err.to_string()
            .contains("may have been created and charged"),
        "{err}"
    );
    assert_eq!(fake.created().len(), 1, "exactly one POST");
    assert_eq!(
        fake.created_ids().len(),
        1,
        "the task exists on the gateway"
    );
}

/// A server fault after the POST may come after the upstream took the task, and a
/// redirect would carry the prompt elsewhere: both are "unknown", never followed.
#[tokio::test]
async fn a_server_fault_or_a_redirect_is_unknown_and_not_followed() {
    let fake = FakeAnyfast::start().await;
    let base = BaseUrl::parse(&fake.base_url).unwrap();
    let elsewhere = format!("{}/v1/video/generations?again=1", fake.base_url);
    for reply in [
        Reply::json(500, json!({"code": "fail", "message": "upstream error"})),
        // 307 keeps the method and the body: followed, it would POST again.
        Reply::empty(307).header("Location", &elsewhere),
        // A 303 says "done, look there": with a JSON body it is still no refusal.
        Reply::json(303, json!({"message": "see other"})).header("Location", &elsewhere),
    ] {
        let before = fake.created().len();
        fake.next_create(CreateOutcome::Refuse(reply));
        let err = create_t2v(&base).await.unwrap_err();
        assert_eq!(err.code(), "outcome_unknown", "{err}");
        assert_eq!(
            fake.created().len(),
            before + 1,
            "one POST, nothing followed"
        );
    }
}

#[tokio::test]
async fn the_balance_is_read_where_the_gateway_tells_it() {
    let fake = FakeAnyfast::start().await;
    let base = BaseUrl::parse(&fake.base_url).unwrap();
    assert_eq!(
        client().balance(&base, &key()).await.unwrap(),
        None,
        "a 404 says nothing"
    );
    fake.set_balance(Some(fixture("usage-token-200")));
    let b = client().balance(&base, &key()).await.unwrap().unwrap();
    assert_eq!(b.available, 3_750_000.0);
    assert_eq!(b.dollars(500_000.0), 7.5);
    let wrong = ApiKey::new("sk-wrong-key-for-balance-000").unwrap();
    assert_eq!(
        client().balance(&base, &wrong).await.unwrap_err().code(),
        "unauthorized"
    );
}
