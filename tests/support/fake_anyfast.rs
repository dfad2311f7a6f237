//! A fake Anyfast gateway and storage host on loopback, following
//! `../shared/anyfast-api.md`: both error body families, HTML pages, Retry-After,
//! slow answers, expired and truncated videos.
//!
//! Tests say which tasks exist and how they evolve (`script`); the fake only knows
//! what it is told. Two listeners on two ports play two origins, the gateway and the
//! video host, and every request is logged with whether it carried Authorization.

#![allow(dead_code)]

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::{json, Value};

/// The key the fake accepts unless told otherwise.
pub const FAKE_KEY: &str = "sk-fake-test-key-0123456789abcd";

/// One scripted answer of the gateway.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    pub headers: Vec<(String, String)>,
    pub delay: Duration,
    /// A fixture body whose ID, times and URLs are filled in when it is served.
    template: Option<Value>,
    /// How long ago the task was submitted (default two minutes).
    age_secs: i64,
    delivery: Delivery,
}

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// A fixture body from `tests/fixtures/anyfast/`, verbatim.
pub fn fixture(name: &str) -> Value {
    let path = fixtures_dir().join("anyfast").join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The small H.264 + AAC clip the storage host serves.
pub fn sample_video() -> Vec<u8> {
    std::fs::read(fixtures_dir().join("sample.mp4")).expect("tests/fixtures/sample.mp4")
}

impl Reply {
    fn raw(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            content_type,
            body: body.into(),
            headers: Vec::new(),
            delay: Duration::ZERO,
            template: None,
            age_secs: 120,
            delivery: Delivery::Whole,
        }
    }

    /// A state fixture (`queued`, `success-seed-example`, ...) made current: the task's
    /// ID, times shifted to now, and the video URL pointing at the fake storage host.
    pub fn state(name: &str) -> Self {
        let mut r = Self::raw(200, "application/json; charset=utf-8", Vec::new());
        r.template = Some(fixture(name));
        r
    }

    /// One state fixture after another, the last one repeating.
    pub fn states(names: &[&str]) -> Vec<Self> {
        names.iter().map(|n| Self::state(n)).collect()
    }

    /// An error fixture with its documented status.
    pub fn error(name: &str) -> Self {
        let status = name
            .strip_prefix("error-")
            .and_then(|s| s.get(..3))
            .and_then(|s| s.parse().ok())
            .unwrap_or(500);
        Self::json(status, fixture(name))
    }

    pub fn json(status: u16, body: Value) -> Self {
        Self::raw(status, "application/json; charset=utf-8", body.to_string())
    }

    /// What a web server (nginx, a CDN, a homepage) answers.
    pub fn html(status: u16) -> Self {
        Self::raw(
            status,
            "text/html; charset=utf-8",
            "<!DOCTYPE html><html><head><title>Welcome</title></head><body><h1>It works</h1></body></html>",
        )
    }

    pub fn empty(status: u16) -> Self {
        Self::raw(status, "text/plain", Vec::new())
    }

    /// A redirect to another origin.
    pub fn redirect(location: &str) -> Self {
        Self::raw(302, "text/plain", Vec::new()).header("Location", location)
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn retry_after(self, secs: u64) -> Self {
        self.header("Retry-After", &secs.to_string())
    }

    /// Makes a state fixture's task this old.
    pub fn aged(mut self, secs: i64) -> Self {
        self.age_secs = secs;
        self
    }

    pub fn delayed(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    /// Sends half the body, then drops the connection.
    pub fn cut_off(mut self) -> Self {
        self.delivery = Delivery::CutOff;
        self
    }

    /// Sends the body a few bytes at a time, `pace` apart.
    pub fn slow_body(mut self, pace: Duration) -> Self {
        self.delivery = Delivery::Slow(pace);
        self
    }

    /// The gateway's own 429 when a token has too many tasks in flight.
    pub fn concurrency_limited() -> Self {
        Self::json(
            429,
            json!({"error": {"message": "token concurrency limit reached, please retry later (request id: 20261128101500999)", "type": "new_api_error", "code": "token_concurrency_limit_reached"}}),
        )
    }
}

/// How a body goes out.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Delivery {
    Whole,
    CutOff,
    Slow(Duration),
}

/// How the storage host signs its links.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum SignStyle {
    /// OSS V1: `Expires=<unix>`.
    #[default]
    OssV1,
    /// OSS V4: `x-oss-date=<compact>` + `x-oss-expires=<secs>`.
    OssV4,
    /// S3: `X-Amz-Date=<compact>` + `X-Amz-Expires=<secs>`.
    S3,
}

/// One request the fake received.
#[derive(Clone, Debug)]
pub struct Logged {
    /// `gateway` or `storage`.
    pub host: &'static str,
    pub path: String,
    pub authorization: Option<String>,
    pub range: Option<String>,
}

#[derive(Default)]
struct Video {
    bytes: Vec<u8>,
    expired: bool,
    /// Send only this many bytes, then drop the connection.
    truncate_at: Option<usize>,
    /// Send the body in 16 KiB pieces this far apart.
    pace: Option<Duration>,
    /// Answer every request with the whole file (200), Range or not; `truncate_at`
    /// then cuts only the first answer.
    ignores_range: bool,
    /// Send a body with no Content-Length that never ends.
    endless: bool,
    sign: SignStyle,
}

struct FakeState {
    key: String,
    scripts: HashMap<String, VecDeque<Reply>>,
    unknown_task_status: u16,
    videos: HashMap<String, Video>,
    log: Vec<Logged>,
    storage_base: String,
    now: i64,
    in_flight: usize,
    max_in_flight: usize,
    /// Scripted delays served, and how long they held in all (see `delays_served`).
    delays: usize,
    delayed_for: Duration,
    /// When each task was first answered: its times and link stay the same on
    /// every later query, as the real gateway's do.
    born: HashMap<String, i64>,
    /// The gateway's own limit per key per minute (Anyfast: 60), when switched on.
    per_minute: Option<usize>,
    recent: VecDeque<std::time::Instant>,
    /// Answer 401s in English (`Invalid API key provided.`) rather than Chinese.
    english: bool,
    /// Every creation request received, in order (the body as sent).
    created: Vec<Value>,
    /// How the next creations end: refused with this reply, or accepted and then
    /// the connection dropped before the answer.
    create_outcome: VecDeque<CreateOutcome>,
    /// The balance route's answer (None: 404, as a gateway that does not tell).
    balance: Option<Value>,
    next_task: u32,
}

/// How the fake answers a creation.
#[derive(Clone, Debug)]
pub enum CreateOutcome {
    /// The gateway refuses with this reply; nothing is created.
    Refuse(Reply),
    /// The task is created, then the connection drops before the answer.
    DropAfterCreating,
}

/// A running fake; dropped at the end of the test (its tasks die with the runtime).
#[derive(Clone)]
pub struct FakeAnyfast {
    pub base_url: String,
    pub storage_url: String,
    state: Arc<Mutex<FakeState>>,
}

fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

impl FakeAnyfast {
    /// Binds both listeners on 127.0.0.1 and serves them on the current runtime.
    pub async fn start() -> Self {
        let gateway = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind gateway");
        let storage = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind storage");
        let gaddr: SocketAddr = gateway.local_addr().expect("addr");
        let saddr: SocketAddr = storage.local_addr().expect("addr");
        // The video host is another origin: the same loopback address, another port.
        let storage_url = format!("http://127.0.0.1:{}", saddr.port());
        let state = Arc::new(Mutex::new(FakeState {
            key: FAKE_KEY.into(),
            scripts: HashMap::new(),
            unknown_task_status: 400,
            videos: HashMap::new(),
            log: Vec::new(),
            storage_base: storage_url.clone(),
            now: now_unix(),
            in_flight: 0,
            max_in_flight: 0,
            delays: 0,
            delayed_for: Duration::ZERO,
            born: HashMap::new(),
            per_minute: None,
            recent: VecDeque::new(),
            english: false,
            created: Vec::new(),
            create_outcome: VecDeque::new(),
            balance: None,
            next_task: 0,
        }));
        let g = Router::new()
            .fallback(gateway_handler)
            .with_state(state.clone());
        let s = Router::new()
            .fallback(storage_handler)
            .with_state(state.clone());
        tokio::spawn(async move { axum::serve(gateway, g).await.ok() });
        tokio::spawn(async move { axum::serve(storage, s).await.ok() });
        Self {
            base_url: format!("http://127.0.0.1:{}", gaddr.port()),
            storage_url,
            state,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, FakeState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The answers for one task, in order; the last one repeats.
    pub fn script(&self, id: &str, replies: Vec<Reply>) {
        self.lock().scripts.insert(id.into(), replies.into());
    }

    /// Which key the gateway accepts.
    pub fn set_key(&self, key: &str) {
        self.lock().key = key.into();
    }

    /// 400 (stock new-api) or 404 (Anyfast's documentation) for unknown tasks.
    pub fn unknown_task_status(&self, status: u16) {
        self.lock().unknown_task_status = status;
    }

    /// The storage host answers 403 with an XML body for this task's video from now on.
    pub fn expire_video(&self, id: &str) {
        self.lock().videos.entry(id.into()).or_default().expired = true;
    }

    /// The storage host sends this video slowly, 16 KiB per `pace`.
    pub fn slow_video(&self, id: &str, pace: Duration) {
        self.lock().videos.entry(id.into()).or_default().pace = Some(pace);
    }

    /// The storage host drops the connection after `bytes` bytes of this video.
    pub fn truncate_video(&self, id: &str, bytes: usize) {
        self.lock().videos.entry(id.into()).or_default().truncate_at = Some(bytes);
    }

    /// The storage host signs this task's link in another style.
    pub fn sign_style(&self, id: &str, style: SignStyle) {
        self.lock().videos.entry(id.into()).or_default().sign = style;
    }

    /// The gateway limits requests per minute, answering its own 429 past it.
    pub fn limit_per_minute(&self, n: usize) {
        self.lock().per_minute = Some(n);
    }

    /// How many answers were the gateway's own rate limit.
    pub fn rate_limited_answers(&self) -> usize {
        self.lock().log.iter().filter(|l| l.path == "429").count()
    }

    /// How many scripted delays have ended and how long they held in all. A timer
    /// sleeps past what it was asked for (`hold` keeps that small, but waking still
    /// takes its turn on a busy runtime): the latency a client really meets.
    pub fn delays_served(&self) -> (usize, Duration) {
        let st = self.lock();
        (st.delays, st.delayed_for)
    }

    /// 401s in English, as English deployments and Anyfast's documentation say them.
    pub fn english(&self) {
        self.lock().english = true;
    }

    /// The next creation ends this way (then the following one, and so on).
    pub fn next_create(&self, outcome: CreateOutcome) {
        self.lock().create_outcome.push_back(outcome);
    }

    /// The bodies of every creation request received, in order.
    pub fn created(&self) -> Vec<Value> {
        self.lock().created.clone()
    }

    /// The IDs of the tasks this fake created.
    pub fn created_ids(&self) -> Vec<String> {
        let st = self.lock();
        (0..st.next_task).map(created_id).collect()
    }

    /// The balance route answers with this body (a stock gateway's), or 404 (None).
    pub fn set_balance(&self, body: Option<Value>) {
        self.lock().balance = body;
    }

    /// The storage host sends this video without a length, forever.
    pub fn endless_video(&self, id: &str) {
        self.lock().videos.entry(id.into()).or_default().endless = true;
    }

    /// The storage host ignores Range headers for this video, as some CDNs do.
    pub fn ignore_ranges(&self, id: &str) {
        self.lock()
            .videos
            .entry(id.into())
            .or_default()
            .ignores_range = true;
    }

    /// The most gateway requests that were ever in progress at once.
    pub fn max_in_flight(&self) -> usize {
        self.lock().max_in_flight
    }

    pub fn log(&self) -> Vec<Logged> {
        self.lock().log.clone()
    }

    pub fn requests_for(&self, id: &str) -> usize {
        self.lock()
            .log
            .iter()
            .filter(|l| l.host == "gateway" && l.path.ends_with(id))
            .count()
    }

    /// The video host was asked, and never with a key.
    pub fn assert_storage_never_saw_a_key(&self) {
        let storage: Vec<_> = self
            .log()
            .into_iter()
            .filter(|l| l.host == "storage")
            .collect();
        assert!(!storage.is_empty());
        assert!(
            storage.iter().all(|l| l.authorization.is_none()),
            "the video host never sees a key: {storage:?}"
        );
    }

    /// The URL the storage host serves this task's video at, signed for 24 hours.
    pub fn video_url(&self, id: &str) -> String {
        let st = self.lock();
        let born = st.born.get(id).copied().unwrap_or(st.now);
        let sign = st.videos.get(id).map(|v| v.sign).unwrap_or_default();
        signed_url(&st.storage_base, "videos", id, born + 86_400, sign)
    }
}

/// A presigned link to `{storage}/{folder}/{id}.mp4` that dies at `expires`.
fn signed_url(storage: &str, folder: &str, id: &str, expires: i64, sign: SignStyle) -> String {
    let base = format!("{storage}/{folder}/{id}.mp4");
    let signed_at = expires - 86_400;
    match sign {
        SignStyle::OssV1 => format!(
            "{base}?Expires={expires}&OSSAccessKeyId=LTAI5tExample&Signature=Zm9vYmFy%3D"
        ),
        SignStyle::OssV4 => format!(
            "{base}?x-oss-date={}&x-oss-expires=86400&x-oss-signature-version=OSS4-HMAC-SHA256&x-oss-signature=abc123",
            compact_utc(signed_at)
        ),
        SignStyle::S3 => format!(
            "{base}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date={}&X-Amz-Expires=86400&X-Amz-Signature=abc123",
            compact_utc(signed_at)
        ),
    }
}

/// `20260428T023742Z`, written independently of the app's own time code.
fn compact_utc(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    // Civil from days (Howard Hinnant), as in any calendar library.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// When a signed link dies, read from its query as the storage host does.
fn link_expiry(query: &str) -> Option<i64> {
    let mut expires = None;
    let mut signed = None;
    let mut lifetime = None;
    for pair in query.split('&') {
        let (k, v) = pair.split_once('=')?;
        match k.to_ascii_lowercase().as_str() {
            "expires" => expires = v.parse::<i64>().ok(),
            "x-oss-date" | "x-amz-date" => signed = parse_compact(v),
            "x-oss-expires" | "x-amz-expires" => lifetime = v.parse::<i64>().ok(),
            _ => {}
        }
    }
    expires.or_else(|| Some(signed? + lifetime?))
}

fn parse_compact(v: &str) -> Option<i64> {
    let b = v.as_bytes();
    if b.len() != 16 || !b.is_ascii() {
        return None;
    }
    let n = |r: std::ops::Range<usize>| v.get(r)?.parse::<i64>().ok();
    let (y, m, d) = (n(0..4)?, n(4..6)?, n(6..8)?);
    let (hh, mm, ss) = (n(9..11)?, n(11..13)?, n(13..15)?);
    // Days from civil (Howard Hinnant).
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2.rem_euclid(400);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hh * 3600 + mm * 60 + ss)
}

/// Fills a state fixture in for one task: its ID, fresh times, the fake's video URL.
fn render_template(mut body: Value, id: &str, st: &FakeState, age_secs: i64) -> Value {
    let Some(data) = body.get_mut("data").filter(|d| d.is_object()) else {
        return body;
    };
    let old_submit = data.get("submit_time").and_then(Value::as_i64).unwrap_or(0);
    let born = st.born.get(id).copied().unwrap_or(st.now);
    let shift = if old_submit > 0 {
        born - age_secs - old_submit
    } else {
        0
    };
    for key in ["submit_time", "start_time", "finish_time"] {
        if let Some(t) = data.get(key).and_then(Value::as_i64).filter(|t| *t > 0) {
            data[key] = json!(t + shift);
        }
    }
    data["task_id"] = json!(id);
    let finish = data
        .get("finish_time")
        .and_then(Value::as_i64)
        .filter(|t| *t > 0)
        .unwrap_or(born);
    let sign = st.videos.get(id).map(|v| v.sign).unwrap_or_default();
    // Three different links, so that reading the wrong field fails a test: only
    // `result_url` points at a video the storage host serves.
    let url = signed_url(&st.storage_base, "videos", id, finish + 86_400, sign);
    let legacy = signed_url(&st.storage_base, "legacy", id, finish + 86_400, sign);
    let upstream = signed_url(&st.storage_base, "dashscope", id, finish + 86_400, sign);
    let is_url = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .is_some_and(|s| s.starts_with("http"))
    };
    if is_url(data.get("result_url")) {
        data["result_url"] = json!(url);
    }
    if is_url(data.get("fail_reason")) {
        data["fail_reason"] = json!(legacy);
    }
    if let Some(output) = data.pointer_mut("/data/output").filter(|o| o.is_object()) {
        if is_url(output.get("video_url")) {
            output["video_url"] = json!(upstream);
        }
    }
    body
}

fn respond(reply: Reply, rendered: Option<Vec<u8>>) -> Response {
    let bytes = rendered.unwrap_or(reply.body);
    let body = match reply.delivery {
        Delivery::Whole => Body::from(bytes),
        Delivery::CutOff => {
            let half = bytes[..bytes.len() / 2].to_vec();
            Body::from_stream(futures_stream(half))
        }
        Delivery::Slow(pace) => Body::from_stream(paced_pieces(bytes, 8, pace)),
    };
    let mut response = Response::new(body);
    *response.status_mut() =
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(reply.content_type) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    for (k, v) in reply.headers {
        if let (Ok(k), Ok(v)) = (
            header::HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_str(&v),
        ) {
            headers.insert(k, v);
        }
    }
    response
}

fn header_string(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

async fn gateway_handler(State(state): State<Arc<Mutex<FakeState>>>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    let auth = header_string(request.headers(), header::AUTHORIZATION);
    if request.method() == axum::http::Method::POST && path == "/v1/video/generations" {
        let body = axum::body::to_bytes(request.into_body(), 64 << 20)
            .await
            .unwrap_or_default();
        return create_handler(&state, auth.as_deref(), &body).await;
    }
    if path == "/api/usage/token/" {
        let st = state.lock().unwrap_or_else(|p| p.into_inner());
        return match (&st.balance, auth) {
            (_, Some(a)) if a != format!("Bearer {}", st.key) => {
                respond(Reply::error("error-401-invalid-token-zh"), None)
            }
            (Some(body), _) => respond(Reply::json(200, body.clone()), None),
            (None, _) => respond(Reply::html(404), None),
        };
    }
    let (reply, rendered) = {
        let mut st = state.lock().unwrap_or_else(|p| p.into_inner());
        st.log.push(Logged {
            host: "gateway",
            path: path.clone(),
            authorization: auth.clone(),
            range: None,
        });
        st.now = now_unix();
        st.in_flight += 1;
        st.max_in_flight = st.max_in_flight.max(st.in_flight);
        pick_reply(&mut st, &path, auth.as_deref())
    };
    let held = (!reply.delay.is_zero()).then(std::time::Instant::now);
    if let Some(since) = held {
        hold(reply.delay).await;
        let mut st = state.lock().unwrap_or_else(|p| p.into_inner());
        st.delays += 1;
        st.delayed_for += since.elapsed();
    }
    state.lock().unwrap_or_else(|p| p.into_inner()).in_flight -= 1;
    respond(reply, rendered)
}

/// Holds an answer for `delay`, to within a fraction of a millisecond. A tokio timer
/// alone wakes on the millisecond after its deadline or later (21.2 ms for 20 asked in
/// the polling bench), which would put the fake's own slack into the bound Paddock is
/// measured against. The timer covers all but the last 2 ms; a blocking-pool thread's
/// sleep, which the kernel wakes on time, covers the rest.
async fn hold(delay: Duration) {
    const FINE: Duration = Duration::from_millis(2);
    // tokio's clock, so that a test with paused time is not held in real time.
    let until = tokio::time::Instant::now() + delay;
    tokio::time::sleep(delay.saturating_sub(FINE)).await;
    let rest = until.saturating_duration_since(tokio::time::Instant::now());
    if !rest.is_zero() {
        let _ = tokio::task::spawn_blocking(move || std::thread::sleep(rest)).await;
    }
}

fn created_id(n: u32) -> String {
    format!("asyntask_created{n:0>24}")
}

/// One creation: the key, the per-model rules of the contract (both error
/// families), then the outcome scripted with `next_create`, else a new task that
/// runs to success.
async fn create_handler(
    state: &Arc<Mutex<FakeState>>,
    auth: Option<&str>,
    body: &[u8],
) -> Response {
    let (reply, drop_after) = {
        let mut st = state.lock().unwrap_or_else(|p| p.into_inner());
        st.log.push(Logged {
            host: "gateway",
            path: "POST /v1/video/generations".into(),
            authorization: auth.map(str::to_owned),
            range: None,
        });
        if auth != Some(format!("Bearer {}", st.key).as_str()) {
            return respond(Reply::error("error-401-invalid-token-zh"), None);
        }
        let json: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        st.created.push(json.clone());
        if let Err(reply) = check_create(&json) {
            return respond(*reply, None);
        }
        match st.create_outcome.pop_front() {
            Some(CreateOutcome::Refuse(reply)) => return respond(reply, None),
            outcome => {
                let id = created_id(st.next_task);
                st.next_task += 1;
                st.scripts.insert(
                    id.clone(),
                    Reply::states(&["queued", "in-progress", "success-seed-example"]).into(),
                );
                let model = json["model"].as_str().unwrap_or("").to_owned();
                let answer = json!({"id": id, "task_id": id, "object": "video", "model": model, "status": "queued", "progress": 0, "created_at": st.now});
                (
                    Reply::json(200, answer),
                    matches!(outcome, Some(CreateOutcome::DropAfterCreating)),
                )
            }
        }
    };
    if drop_after {
        // Accepted and created; the answer never arrives.
        return Response::new(Body::from_stream(futures_stream(Vec::new())));
    }
    respond(reply, None)
}

/// The contract's rules for a creation body, with the gateway's two error families.
fn check_create(body: &Value) -> Result<(), Box<Reply>> {
    let task_shape = |message: &str| {
        Box::new(Reply::json(
            400,
            json!({"code": "invalid_request", "message": message, "data": null}),
        ))
    };
    let openai_shape = |param: &str, message: &str| {
        Box::new(Reply::json(
            400,
            json!({"error": {"message": message, "type": "invalid_request_error", "param": param, "code": "invalid_value"}}),
        ))
    };
    let model = body["model"].as_str().unwrap_or("");
    let flat = match model {
        "happyhorse-1.0-t2v" | "happyhorse-1.0-i2v" | "happyhorse-1.0-r2v" => true,
        "happyhorse-1.0-video-edit" => false,
        other => return Err(task_shape(&format!("model {other} is not supported"))),
    };
    let options = if flat { body } else { &body["parameters"] };
    let prompt = if flat {
        &body["prompt"]
    } else {
        &body["input"]["prompt"]
    };
    if prompt.as_str().is_none_or(|p| p.trim().is_empty()) {
        return Err(task_shape("prompt is required"));
    }
    if let Some(d) = options.get("duration") {
        if !d.as_u64().is_some_and(|d| (3..=15).contains(&d)) {
            return Err(task_shape("duration must be between 3 and 15"));
        }
    }
    if let Some(r) = options.get("ratio") {
        if !["16:9", "9:16", "1:1", "4:3", "3:4"].contains(&r.as_str().unwrap_or("")) {
            return Err(openai_shape(
                "ratio",
                &format!("Invalid value for 'ratio': {r}"),
            ));
        }
    }
    if let Some(r) = options.get("resolution") {
        if !["720P", "1080P"].contains(&r.as_str().unwrap_or("")) {
            return Err(openai_shape(
                "resolution",
                &format!("Invalid value for 'resolution': {r}"),
            ));
        }
    }
    let images = body["images"].as_array().map_or(0, Vec::len);
    let media = body["input"]["media"].as_array().map_or(0, Vec::len);
    match model {
        "happyhorse-1.0-i2v" if body["image"].as_str().is_none() && images == 0 => {
            Err(task_shape("image is required"))
        }
        "happyhorse-1.0-r2v" if !(1..=3).contains(&images) => {
            Err(task_shape("images must hold 1 to 3 items"))
        }
        "happyhorse-1.0-video-edit" if media != 2 => Err(task_shape(
            "input.media must hold a video and a reference_image",
        )),
        _ => Ok(()),
    }
}

/// What the gateway answers for a path; the rendered body when it is a template.
fn pick_reply(st: &mut FakeState, path: &str, auth: Option<&str>) -> (Reply, Option<Vec<u8>>) {
    let Some(rest) = path.strip_prefix("/v1/") else {
        // Outside /v1 the gateway serves its web console: an HTML page with 200.
        return (Reply::html(200), None);
    };
    let Some(id) = rest.strip_prefix("video/generations/") else {
        return (
            Reply::json(
                404,
                json!({"error": {"message": format!("Invalid URL (GET {path})"), "type": "invalid_request_error", "param": "", "code": ""}}),
            ),
            None,
        );
    };
    match auth {
        None if st.english => {
            return (
                Reply::json(401, json!({"error": {"message": "No token provided"}})),
                None,
            )
        }
        None => return (Reply::error("error-401-no-token-zh"), None),
        Some(a) if a != format!("Bearer {}", st.key) => {
            let name = if st.english {
                "error-401-documented"
            } else {
                "error-401-invalid-token-zh"
            };
            return (Reply::error(name), None);
        }
        Some(_) => {}
    }
    if let Some(limit) = st.per_minute {
        let now = std::time::Instant::now();
        while st
            .recent
            .front()
            .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(60))
        {
            st.recent.pop_front();
        }
        if st.recent.len() >= limit {
            st.log.push(Logged {
                host: "gateway",
                path: "429".into(),
                authorization: None,
                range: None,
            });
            return (Reply::error("error-429-rpm"), None);
        }
        st.recent.push_back(now);
    }
    let id = id.to_owned();
    let now = st.now;
    st.born.entry(id.clone()).or_insert(now);
    let reply = match st.scripts.get_mut(&id) {
        Some(queue) if queue.len() > 1 => queue.pop_front(),
        Some(queue) => queue.front().cloned(),
        None => None,
    };
    let Some(reply) = reply else {
        let status = st.unknown_task_status;
        return (
            Reply::json(status, fixture("error-400-task-not-exist")),
            None,
        );
    };
    let rendered = reply.template.clone().map(|t| {
        render_template(t, &id, st, reply.age_secs)
            .to_string()
            .into_bytes()
    });
    (reply, rendered)
}

async fn storage_handler(State(state): State<Arc<Mutex<FakeState>>>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    let range = header_string(request.headers(), header::RANGE);
    // The storage host enforces the link's own expiry, as OSS and S3 do.
    let link_dead = request
        .uri()
        .query()
        .and_then(link_expiry)
        .is_some_and(|at| at < now_unix());
    let (bytes, expired, truncate_at, pace, ignores_range, endless) = {
        let mut st = state.lock().unwrap_or_else(|p| p.into_inner());
        st.log.push(Logged {
            host: "storage",
            path: path.clone(),
            authorization: header_string(request.headers(), header::AUTHORIZATION),
            range: range.clone(),
        });
        let Some(id) = path
            .strip_prefix("/videos/")
            .and_then(|p| p.strip_suffix(".mp4"))
        else {
            return (StatusCode::NOT_FOUND, "no such object").into_response();
        };
        let video = st.videos.entry(id.to_owned()).or_default();
        if video.bytes.is_empty() {
            video.bytes = sample_video();
        }
        let truncate_at = if video.ignores_range {
            video.truncate_at.take()
        } else {
            video.truncate_at
        };
        (
            video.bytes.clone(),
            video.expired,
            truncate_at,
            video.pace,
            video.ignores_range,
            video.endless,
        )
    };
    if endless {
        return Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, "video/mp4")
            .body(Body::from_stream(endless_stream()))
            .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response());
    }
    let range = if ignores_range { None } else { range };
    if expired || link_dead {
        let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>Request has expired.</Message></Error>";
        return (
            StatusCode::FORBIDDEN,
            [(header::CONTENT_TYPE, "application/xml")],
            xml,
        )
            .into_response();
    }
    let total = bytes.len();
    let (start, end) = match range.as_deref().and_then(|r| parse_range(r, total)) {
        Some(r) => r,
        None if range.is_some() => {
            return (
                StatusCode::RANGE_NOT_SATISFIABLE,
                [(header::CONTENT_RANGE, format!("bytes */{total}"))],
            )
                .into_response()
        }
        None => (0, total.saturating_sub(1)),
    };
    let slice = bytes[start..=end].to_vec();
    let mut builder = Response::builder()
        .header(header::CONTENT_TYPE, "video/mp4")
        .header(header::ACCEPT_RANGES, "bytes")
        .header(header::CONTENT_LENGTH, slice.len());
    builder = if range.is_some() {
        builder.status(StatusCode::PARTIAL_CONTENT).header(
            header::CONTENT_RANGE,
            format!("bytes {start}-{end}/{total}"),
        )
    } else {
        builder.status(StatusCode::OK)
    };
    let body = match truncate_at {
        _ if pace.is_some() => Body::from_stream(paced_stream(slice, pace.unwrap_or_default())),
        Some(cut) if cut < slice.len() => {
            let head = slice[..cut].to_vec();
            let stream = futures_stream(head);
            Body::from_stream(stream)
        }
        _ => Body::from(slice),
    };
    builder
        .body(body)
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// Yields the bytes, then (after they had time to leave) an error, so the
/// connection ends early with the headers and part of the body sent.
fn futures_stream(head: Vec<u8>) -> ChannelStream {
    let (tx, rx) = tokio::sync::mpsc::channel(2);
    tokio::spawn(async move {
        let _ = tx.send(Ok(head)).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
        let _ = tx
            .send(Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "cut",
            )))
            .await;
    });
    ChannelStream(rx)
}

/// The bytes in pieces of `size`, `pace` apart.
fn paced_pieces(bytes: Vec<u8>, size: usize, pace: Duration) -> ChannelStream {
    let (tx, rx) = tokio::sync::mpsc::channel(2);
    tokio::spawn(async move {
        for piece in bytes.chunks(size.max(1)) {
            if tx.send(Ok(piece.to_vec())).await.is_err() {
                return;
            }
            tokio::time::sleep(pace).await;
        }
    });
    ChannelStream(rx)
}

/// 64 KiB pieces until the client goes away.
fn endless_stream() -> ChannelStream {
    let (tx, rx) = tokio::sync::mpsc::channel(2);
    tokio::spawn(async move {
        let piece = vec![0u8; 64 * 1024];
        while tx.send(Ok(piece.clone())).await.is_ok() {}
    });
    ChannelStream(rx)
}

/// Sends the bytes in 16 KiB pieces, `pace` apart.
fn paced_stream(bytes: Vec<u8>, pace: Duration) -> ChannelStream {
    let (tx, rx) = tokio::sync::mpsc::channel(2);
    tokio::spawn(async move {
        for piece in bytes.chunks(16 * 1024) {
            if tx.send(Ok(piece.to_vec())).await.is_err() {
                return;
            }
            tokio::time::sleep(pace).await;
        }
    });
    ChannelStream(rx)
}

struct ChannelStream(tokio::sync::mpsc::Receiver<Result<Vec<u8>, std::io::Error>>);

impl futures_core::Stream for ChannelStream {
    type Item = Result<Vec<u8>, std::io::Error>;
    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        self.0.poll_recv(cx)
    }
}

/// `bytes=a-b`, `bytes=a-`, `bytes=-n` within `total`.
fn parse_range(header: &str, total: usize) -> Option<(usize, usize)> {
    // The same reading of Range as Paddock's own media server.
    paddock::videos::media_server::parse_range(header, total as u64)
        .and_then(|(a, b)| Some((usize::try_from(a).ok()?, usize::try_from(b).ok()?)))
}
