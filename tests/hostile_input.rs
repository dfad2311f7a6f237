//! Untrusted input, generated with structure: the gateway's real envelope with
//! arbitrary Unicode, huge, negative, fractional and wrongly typed values in every
//! field; signed video links with arbitrary query keys and values; and each time,
//! URL and ID helper fed directly. Nothing may panic. Each bug these found is pinned
//! as a named regression test at the bottom.

use paddock::gateway::ApiKey;
use paddock::gateway::{classify, parse_progress, parse_retry_after, url_expiry, TaskSnapshot};
use paddock::ids::{extract_ids, TaskId};
use paddock::timefmt;
use paddock::videos::{default_file_name, slugify};
use proptest::prelude::*;
use reqwest::StatusCode;
use serde_json::{json, Map, Value};

fn id() -> TaskId {
    TaskId::parse("asyntask_jwgfhsG0m2aDjLmiiELRf74eoWmss6ya").unwrap()
}

fn key() -> ApiKey {
    ApiKey::new("sk-hostile-input-key-0000000").unwrap()
}

/// Text of every kind: arbitrary Unicode (control characters, astral planes,
/// right-to-left marks), and strings that look almost like what the parser expects.
fn arb_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "\\PC{0,40}",
        "[0-9]{0,20}",
        "-?[0-9]{1,25}(\\.[0-9]{1,5})?%?",
        Just("".to_owned()),
        Just("   ".to_owned()),
        Just("2026-04-28 10:37:42.625".to_owned()),
        Just("2026-13-45 99:99:99".to_owned()),
        Just("２０２６-０４-２８ １０:３７:４２".to_owned()),
        sixteen_bytes(),
    ]
}

/// Exactly 16 bytes, often with multibyte characters where a compact stamp has
/// its digits, `T` and `Z`: the shape that broke `parse_compact_utc`.
fn sixteen_bytes() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            proptest::char::range('0', '9'),
            Just('T'),
            Just('Z'),
            Just('é'),
            Just('€'),
            Just('中'),
            Just('😀'),
            any::<char>(),
        ],
        1..16,
    )
    .prop_map(|chars| {
        let mut s = String::new();
        for c in chars {
            if s.len() + c.len_utf8() > 16 {
                break;
            }
            s.push(c);
        }
        while s.len() < 16 {
            s.push('0');
        }
        s
    })
}

/// Numbers at every edge JSON can carry.
fn arb_number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("JSON has no NaN or infinity", |f| f.is_finite())
            .prop_map(Value::from),
        Just(json!(i64::MIN)),
        Just(json!(i64::MAX)),
        Just(json!(u64::MAX)),
        Just(json!(1e308)),
        Just(json!(-1e308)),
        Just(json!(-1)),
        Just(json!(0)),
        Just(json!(0.5)),
    ]
}

/// Any value a field might hold instead of the one documented.
fn arb_field() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        arb_text().prop_map(Value::from),
        arb_number(),
        any::<bool>().prop_map(Value::from),
        Just(Value::Null),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            proptest::collection::btree_map("\\PC{0,8}", inner, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Percent-encodes every byte that is not unreserved, as a URL would carry it.
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A signed video link: the expiry keys of OSS (V1 and V4) and S3 in any case, and
/// arbitrary other keys, with values that are digits, stamps, 16-byte non-ASCII
/// strings, or anything at all; percent-encoded, or raw when it is harmless.
fn arb_video_url() -> impl Strategy<Value = String> {
    let query_key = prop_oneof![
        Just("Expires".to_owned()),
        Just("expires".to_owned()),
        Just("x-oss-date".to_owned()),
        Just("X-OSS-DATE".to_owned()),
        Just("x-oss-expires".to_owned()),
        Just("X-Amz-Date".to_owned()),
        Just("X-Amz-Expires".to_owned()),
        "\\PC{0,12}",
    ];
    let query_value = prop_oneof![
        "[0-9]{0,25}",
        "-[0-9]{1,20}",
        "[0-9]{8}T[0-9]{6}Z",
        sixteen_bytes(),
        any::<String>(),
        Just("1234567%C3%A9T12345Z".to_owned()),
    ];
    // Encoded as a URL would carry it, or raw (a `#` or space then ends up wherever
    // the URL parser puts it); the literal is already encoded.
    let pair = (query_key, query_value, any::<bool>()).prop_map(|(k, v, encode)| {
        if v.contains("%C3%A9") || !encode {
            format!("{k}={v}")
        } else {
            format!("{}={}", percent_encode(&k), percent_encode(&v))
        }
    });
    (
        prop_oneof![
            Just("https".to_owned()),
            Just("http".to_owned()),
            Just("ftp".to_owned()),
            "[a-z]{1,6}"
        ],
        prop_oneof![
            Just("videos.example-oss.aliyuncs.com".to_owned()),
            Just("127.0.0.1:9".to_owned()),
            "[a-z0-9.-]{1,20}"
        ],
        proptest::collection::vec(pair, 0..6),
    )
        .prop_map(|(scheme, host, pairs)| format!("{scheme}://{host}/v/a.mp4?{}", pairs.join("&")))
}

/// A status word: the real ones, in any case, or anything.
fn arb_status() -> impl Strategy<Value = Value> {
    prop_oneof![
        prop_oneof![
            Just("SUCCESS"),
            Just("FAILURE"),
            Just("IN_PROGRESS"),
            Just("QUEUED"),
            Just("NOT_START"),
            Just("success"),
        ]
        .prop_map(Value::from),
        arb_field(),
    ]
}

/// Either a documented-looking value or a hostile one, for one field.
fn field_or(typical: impl Strategy<Value = Value>) -> impl Strategy<Value = Value> {
    prop_oneof![typical, arb_field()]
}

fn put(map: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(v) = value {
        map.insert(key.to_owned(), v);
    }
}

/// The gateway's envelope (see docs of the query), every field generated: present,
/// missing, or of the wrong type.
fn arb_envelope() -> impl Strategy<Value = Value> {
    let time = || {
        field_or(prop_oneof![
            any::<i64>().prop_map(Value::from),
            Just(json!(0))
        ])
    };
    let beijing = || field_or(Just(json!("2026-04-28 10:37:42.625")));
    let output = (
        proptest::option::of(arb_field()),
        proptest::option::of(arb_status()),
        proptest::option::of(beijing()),
        proptest::option::of(beijing()),
        proptest::option::of(beijing()),
        proptest::option::of(arb_field()),
        proptest::option::of(arb_field()),
        proptest::option::of(arb_field()),
        proptest::option::of(arb_field()),
        proptest::option::of(field_or(arb_video_url().prop_map(Value::from))),
    )
        .prop_map(
            |(task_id, status, submit, scheduled, end, orig, actual, code, message, video)| {
                let mut m = Map::new();
                put(&mut m, "task_id", task_id);
                put(&mut m, "task_status", status);
                put(&mut m, "submit_time", submit);
                put(&mut m, "scheduled_time", scheduled);
                put(&mut m, "end_time", end);
                put(&mut m, "orig_prompt", orig);
                put(&mut m, "actual_prompt", actual);
                put(&mut m, "code", code);
                put(&mut m, "message", message);
                put(&mut m, "video_url", video);
                Value::Object(m)
            },
        )
        .boxed();
    let usage = (
        proptest::option::of(field_or(arb_number())),
        proptest::option::of(field_or(arb_number())),
        proptest::option::of(field_or(arb_number())),
        proptest::option::of(field_or(prop_oneof![Just(json!(720)), Just(json!(1080))])),
        proptest::option::of(arb_field()),
        proptest::option::of(field_or(arb_number())),
    )
        .prop_map(|(duration, out, input, sr, ratio, count)| {
            let mut m = Map::new();
            put(&mut m, "duration", duration);
            put(&mut m, "output_video_duration", out);
            put(&mut m, "input_video_duration", input);
            put(&mut m, "SR", sr);
            put(&mut m, "ratio", ratio);
            put(&mut m, "video_count", count);
            Value::Object(m)
        })
        .boxed();
    let nested = (
        proptest::option::of(field_or(output)),
        proptest::option::of(field_or(usage)),
        proptest::option::of(arb_field()),
    )
        .prop_map(|(output, usage, request_id)| {
            let mut m = Map::new();
            put(&mut m, "output", output);
            put(&mut m, "usage", usage);
            put(&mut m, "request_id", request_id);
            Value::Object(m)
        })
        .boxed();
    let data = (
        (
            proptest::option::of(arb_field()),
            proptest::option::of(arb_field()),
            proptest::option::of(arb_status()),
            proptest::option::of(arb_field()),
        ),
        (
            proptest::option::of(time()),
            proptest::option::of(time()),
            proptest::option::of(time()),
        ),
        proptest::option::of(field_or(
            "-?[0-9]{1,4}%?"
                .prop_map(Value::from)
                .boxed()
                .prop_union(arb_number().boxed()),
        )),
        proptest::option::of(field_or(arb_video_url().prop_map(Value::from))),
        proptest::option::of(field_or(nested)),
    )
        .prop_map(
            |((task_id, action, status, fail), (submit, start, finish), progress, url, nested)| {
                let mut m = Map::new();
                put(&mut m, "task_id", task_id);
                put(&mut m, "action", action);
                put(&mut m, "status", status);
                put(&mut m, "fail_reason", fail);
                put(&mut m, "submit_time", submit);
                put(&mut m, "start_time", start);
                put(&mut m, "finish_time", finish);
                put(&mut m, "progress", progress);
                put(&mut m, "result_url", url);
                put(&mut m, "data", nested);
                Value::Object(m)
            },
        )
        .boxed();
    (
        field_or(Just(json!("success"))),
        proptest::option::of(arb_field()),
        field_or(data),
    )
        .prop_map(|(code, message, data)| {
            let mut m = Map::new();
            m.insert("code".into(), code);
            put(&mut m, "message", message);
            m.insert("data".into(), data);
            Value::Object(m)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// The whole path a live answer takes: classify, the snapshot, its JSON form
    /// (RFC 3339 times of any i64), and the snapshot read back from the stored raw.
    #[test]
    fn structured_answers_never_panic(envelope in arb_envelope(), status in prop_oneof![Just(200u16), Just(400), Just(404), 100u16..600]) {
        let body = serde_json::to_vec(&envelope).unwrap();
        let answer = classify(
            StatusCode::from_u16(status).unwrap(),
            "application/json",
            &body,
            None,
            &id(),
            &key(),
        );
        if let Ok(outcome) = answer {
            let text = serde_json::to_string(&outcome.task).unwrap();
            prop_assert!(!text.is_empty());
            let again = TaskSnapshot::from_data(id().as_str(), outcome.raw.get("data").unwrap_or(&Value::Null));
            prop_assert_eq!(again, outcome.task);
        }
        if let Err(e) = classify(StatusCode::OK, "application/json", &body, None, &id(), &key()) {
            prop_assert!(!e.to_string().contains(key().expose()));
        }
    }

    #[test]
    fn video_links_never_panic(url in arb_video_url()) {
        let _ = url_expiry(&url);
        let _ = paddock::gateway::video_link_allowed(&url, "https://www.anyfast.com.cn");
        let data = json!({"status": "SUCCESS", "result_url": url, "finish_time": 1_777_343_961});
        let snap = TaskSnapshot::from_data(id().as_str(), &data);
        let _ = serde_json::to_string(&snap).unwrap();
    }

    #[test]
    fn compact_stamps_never_panic(text in prop_oneof![sixteen_bytes(), any::<String>(), "[0-9]{8}T[0-9]{6}Z"]) {
        if let Some(t) = timefmt::parse_compact_utc(&text) {
            // Whatever was read is a real time that formats back.
            prop_assert_eq!(timefmt::rfc3339(t).len(), 20);
        }
    }

    #[test]
    fn every_time_helper_takes_any_input(text in arb_text(), unix in any::<i64>(), now in any::<i64>()) {
        let _ = timefmt::parse_beijing(&text);
        let _ = timefmt::parse_http_date(&text);
        let _ = timefmt::rfc3339(unix);
        let _ = timefmt::date_only(unix);
        let _ = parse_retry_after(&text, now);
        let _ = parse_progress(Some(&Value::from(text.clone())));
    }

    #[test]
    fn retry_after_is_never_more_than_a_day(secs in any::<u64>(), now in any::<i64>()) {
        let wait = parse_retry_after(&secs.to_string(), now).unwrap();
        prop_assert!(wait.as_secs() <= 86_400);
    }

    #[test]
    fn ids_are_found_in_any_text(noise in any::<String>(), more in "\\PC{0,200}", n in 0usize..3) {
        let id = "asyntask_jwgfhsG0m2aDjLmiiELRf74eoWmss6ya";
        let text = format!("{noise}\n{}{more}\n{id}\n", " ".repeat(n));
        let found = extract_ids(&text);
        prop_assert!(found.ids.iter().any(|i| i.as_str() == id));
        let _ = extract_ids(&noise);
        let _ = TaskId::parse(&noise);
    }

    #[test]
    fn file_names_from_any_prompt_are_safe(id_text in "\\PC{0,60}", prompt in any::<String>(), when in any::<i64>()) {
        let name = default_file_name(&id_text, Some(&prompt), Some(when));
        prop_assert!(name.ends_with(".mp4"));
        prop_assert!(!name.contains(['/', '\\', ':', '*', '?', '"', '<', '>', '|', '\0']));
        let _ = slugify(&prompt, 40);
    }
}

/// Issue 13: a SUCCESS answer whose `result_url` carries
/// `x-oss-date=1234567%C3%A9T12345Z` made `paddock query` panic (exit 101) and the
/// window abort. The stamp is now unreadable, so the expiry falls back to
/// `finish_time` + 24 h.
#[test]
fn regression_multibyte_oss_date_in_a_success_answer() {
    let body = json!({
        "code": "success",
        "data": {
            "task_id": id().as_str(),
            "status": "SUCCESS",
            "finish_time": 1_777_343_961,
            "result_url": "https://videos.example-oss.aliyuncs.com/v/a.mp4?x-oss-date=1234567%C3%A9T12345Z&x-oss-expires=86400"
        }
    });
    let outcome = classify(
        StatusCode::OK,
        "application/json",
        &serde_json::to_vec(&body).unwrap(),
        None,
        &id(),
        &key(),
    )
    .expect("a readable answer");
    assert_eq!(outcome.task.video_expires_at, Some(1_777_343_961 + 86_400));
}

/// Found while writing the generators: a key that straddled the 300-character cut
/// of a gateway message used to leave its head in the message.
#[test]
fn regression_key_at_the_cut_of_a_long_message_is_scrubbed() {
    let k = key();
    let message = format!("{}{}", "x".repeat(290), k.expose());
    let body = json!({"error": {"message": message, "type": "new_api_error"}});
    let err = classify(
        StatusCode::UNAUTHORIZED,
        "application/json",
        &serde_json::to_vec(&body).unwrap(),
        None,
        &id(),
        &k,
    )
    .unwrap_err();
    let shown = err.to_string();
    assert!(!shown.contains(&k.expose()[..10]), "{shown}");
    assert!(shown.contains("[hidden"), "{shown}");
}

/// Found by `file_names_from_any_prompt_are_safe`: the short ID at the end of a file
/// name was taken from the ID unchecked, so an ID of `<` made `2026-04-28_<.mp4`.
#[test]
fn regression_the_short_id_in_a_file_name_keeps_only_id_characters() {
    assert_eq!(default_file_name("<", None, Some(0)), "1970-01-01_.mp4");
    assert_eq!(
        default_file_name("a/b:c*d?e", None, Some(0)),
        "1970-01-01_abcde.mp4"
    );
}
