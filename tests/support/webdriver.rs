//! Just enough of the W3C WebDriver protocol to drive the real Paddock window through
//! tauri-driver and WebKitWebDriver, on the reqwest already in the tree (fantoccini
//! would rebuild the GTK stack with other features).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Whether end-to-end tests must run (the README's test command sets this). When
/// unset and tauri-driver or a display is missing, they are skipped with a message.
pub fn e2e_available() -> bool {
    let required = std::env::var_os("PADDOCK_REQUIRE_E2E").is_some();
    let has_display =
        std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some();
    let has_driver = which("tauri-driver").is_some();
    if has_display && has_driver {
        return true;
    }
    assert!(
        !required,
        "PADDOCK_REQUIRE_E2E is set but tauri-driver or a display is missing"
    );
    eprintln!(
        "skipped: end-to-end tests need tauri-driver and a display (run the README's test command)"
    );
    false
}

fn which(name: &str) -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    if let Some(home) = std::env::var_os("CARGO_HOME")
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo").into_os_string()))
    {
        dirs.push(Path::new(&home).join("bin"));
    }
    dirs.into_iter().map(|d| d.join(name)).find(|p| p.is_file())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// One tauri-driver process and the app session it drives.
pub struct Driver {
    child: Child,
    base: String,
    session: String,
    http: reqwest::Client,
}

/// Launch options for one app instance.
pub struct Launch {
    pub env: Vec<(String, String)>,
    pub env_remove: Vec<String>,
}

impl Driver {
    /// Starts tauri-driver with the app's environment, then a session on the debug binary.
    pub async fn launch(app: &str, launch: Launch) -> Driver {
        let port = free_port();
        let native_port = free_port();
        let driver_bin = which("tauri-driver").expect("tauri-driver on PATH or in ~/.cargo/bin");
        let mut cmd = Command::new(driver_bin);
        // Its own process group, so that stopping it also stops the WebKitWebDriver
        // and app processes it started.
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        cmd.args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native_port.to_string(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
        for (k, v) in &launch.env {
            cmd.env(k, v);
        }
        for k in &launch.env_remove {
            cmd.env_remove(k);
        }
        let child = cmd.spawn().expect("start tauri-driver");
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .expect("http");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "tauri-driver did not start"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let caps =
            json!({"capabilities": {"alwaysMatch": {"tauri:options": {"application": app}}}});
        let mut driver = Driver {
            child,
            base,
            session: String::new(),
            http,
        };
        // tauri-driver accepts connections before WebKitWebDriver behind it is ready.
        let url = format!("{}/session", driver.base);
        for attempt in 0.. {
            let sent = driver
                .http
                .post(&url)
                .header("content-type", "application/json")
                .body(caps.to_string())
                .send()
                .await;
            if let Ok(resp) = sent {
                let bytes = resp.bytes().await.unwrap_or_default();
                let v: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
                if let Some(id) = v["value"]["sessionId"].as_str() {
                    driver.session = id.to_owned();
                    return driver;
                }
                assert!(attempt < 20, "no session: {v}");
            }
            assert!(attempt < 20, "tauri-driver never answered");
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        unreachable!()
    }

    async fn request(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        match self.try_request(method, path, body).await {
            Ok(v) => v,
            Err(e) => panic!("{e}"),
        }
    }

    /// The request, or the driver's error as text.
    async fn try_request(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, String> {
        let url = if path == "/session" {
            format!("{}{path}", self.base)
        } else {
            format!("{}/session/{}{path}", self.base, self.session)
        };
        let mut req = self.http.request(method, &url);
        if let Some(b) = body {
            req = req
                .header("content-type", "application/json")
                .body(b.to_string());
        }
        let resp = req
            .send()
            .await
            .map_err(|e| format!("webdriver {path}: {e}"))?;
        let status = resp.status();
        let bytes = resp.bytes().await.unwrap_or_default();
        let v: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if !status.is_success() {
            return Err(format!("webdriver {path}: {status} {v}"));
        }
        Ok(v.get("value").cloned().unwrap_or(v))
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        self.request(reqwest::Method::POST, path, Some(body)).await
    }

    async fn get(&self, path: &str) -> Value {
        self.request(reqwest::Method::GET, path, None).await
    }

    /// Runs a script in the page; `arguments[i]` are `args`.
    pub async fn exec(&self, script: &str, args: Vec<Value>) -> Value {
        self.post("/execute/sync", json!({"script": script, "args": args}))
            .await
    }

    /// Runs a script that calls its last argument with the result, and returns it.
    pub async fn exec_async(&self, script: &str, args: Vec<Value>) -> Value {
        self.post("/execute/async", json!({"script": script, "args": args}))
            .await
    }

    /// Runs a script that returns a promise, and returns what it resolves to.
    pub async fn exec_promise(&self, script: &str) -> Value {
        let wrapped = format!(
            "const done = arguments[arguments.length - 1]; (async () => {{ {script} }})().then(done, (e) => done({{ thrown: String(e) }}));"
        );
        self.exec_async(&wrapped, vec![]).await
    }

    /// Waits until the script returns something truthy, and returns it.
    pub async fn wait_for(&self, what: &str, script: &str, args: Vec<Value>) -> Value {
        let started = Instant::now();
        loop {
            let v = self.exec(script, args.clone()).await;
            let truthy =
                !matches!(&v, Value::Null | Value::Bool(false)) && v != json!("") && v != json!(0);
            if truthy {
                return v;
            }
            if started.elapsed() > Duration::from_secs(30) {
                let body = self.exec("return document.body.innerText", vec![]).await;
                panic!(
                    "timed out waiting for {what}; the page shows:\n{}",
                    body.as_str().unwrap_or("")
                );
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// Finds an element, waiting for it to appear (the page renders asynchronously).
    pub async fn find(&self, css: &str) -> String {
        self.wait_for(
            &format!("an element {css}"),
            "return document.querySelector(arguments[0]) !== null",
            vec![json!(css)],
        )
        .await;
        // The element may be replaced (a list re-render) between the wait and the
        // lookup: WebKit then says "stale element reference". Look again.
        for _ in 0..10 {
            let found = self
                .try_request(
                    reqwest::Method::POST,
                    "/element",
                    Some(json!({"using": "css selector", "value": css})),
                )
                .await;
            match found {
                Ok(v) => {
                    return v[ELEMENT_KEY]
                        .as_str()
                        .unwrap_or_else(|| panic!("no element {css}: {v}"))
                        .to_owned()
                }
                Err(e) if e.contains("stale element") => {
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                Err(e) => panic!("{e}"),
            }
        }
        panic!("{css} kept going stale")
    }

    /// Types into an element as a user would (key events included).
    pub async fn type_into(&self, css: &str, text: &str) {
        // A re-render may replace the element between finding and typing: again.
        for _ in 0..10 {
            let id = self.find(css).await;
            let typed = self
                .try_request(
                    reqwest::Method::POST,
                    &format!("/element/{id}/value"),
                    Some(json!({"text": text})),
                )
                .await;
            match typed {
                Ok(_) => return,
                Err(e) if e.contains("stale element") => {
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                Err(e) => panic!("{e}"),
            }
        }
        panic!("{css} kept going stale");
    }

    /// Clicks an element as a user would. The list re-renders its rows when the
    /// backend reports a change, so a row found a moment ago may be gone: find it again.
    pub async fn click(&self, css: &str) {
        self.on_element(css, reqwest::Method::POST, "click", Some(json!({})))
            .await;
    }

    /// Runs one element command, finding the element again if it went stale.
    async fn on_element(
        &self,
        css: &str,
        method: reqwest::Method,
        command: &str,
        body: Option<Value>,
    ) -> Value {
        let mut attempt = 0;
        loop {
            let id = self.find(css).await;
            let path = format!("/element/{id}/{command}");
            match self.try_request(method.clone(), &path, body.clone()).await {
                Ok(v) => return v,
                Err(e) if e.contains("stale element") && attempt < 20 => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => panic!("{e}"),
            }
        }
    }

    /// Moves the mouse over an element's centre (WebDriver actions), as a user
    /// pointing at it would.
    pub async fn hover(&self, css: &str) {
        let id = self.find(css).await;
        let actions = json!({"actions": [{
            "type": "pointer",
            "id": "mouse",
            "parameters": {"pointerType": "mouse"},
            "actions": [{"type": "pointerMove", "duration": 0, "origin": {ELEMENT_KEY: id}, "x": 0, "y": 0}]
        }]});
        self.post("/actions", actions).await;
    }

    pub async fn text(&self, css: &str) -> String {
        self.on_element(css, reqwest::Method::GET, "text", None)
            .await
            .as_str()
            .unwrap_or("")
            .to_owned()
    }

    /// Waits for the page to finish its start-up.
    pub async fn ready(&self) {
        self.wait_for(
            "the app to start",
            "return document.body.dataset.ready === 'true'",
            vec![],
        )
        .await;
    }

    /// Saves a PNG of the window under `target/screens/`.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let b64 = self.get("/screenshot").await;
        let bytes = base64_decode(b64.as_str().unwrap_or(""));
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screens");
        std::fs::create_dir_all(&dir).expect("screens dir");
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, bytes).expect("write screenshot");
        path
    }

    /// Clicks something that closes the window: the driver may answer with an
    /// error when the app ends during the click, so the answer is not read; see
    /// [`window_gone`](Self::window_gone).
    pub async fn click_closing(&self, css: &str) {
        let id = self.find(css).await;
        let path = format!("/element/{id}/click");
        let _ = self
            .try_request(reqwest::Method::POST, &path, Some(json!({})))
            .await;
    }

    /// Whether the window has gone (closed, or the app ended): the driver can no
    /// longer read its title.
    pub async fn window_gone(&self) -> bool {
        self.try_request(reqwest::Method::GET, "/title", None)
            .await
            .is_err()
    }

    /// The process of tauri-driver, under which the app and WebKit run.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Ends the session (the app quits) and stops tauri-driver.
    pub async fn quit(mut self) {
        let _ = self
            .http
            .delete(format!("{}/session/{}", self.base, self.session))
            .send()
            .await;
        stop_group(&mut self.child);
        self.session.clear();
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        stop_group(&mut self.child);
    }
}

/// Every process under `root`, `root` included.
pub fn process_tree(root: u32) -> Vec<u32> {
    let parents: Vec<(u32, u32)> = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            let ppid = stat
                .rsplit(')')
                .next()?
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()?;
            Some((pid, ppid))
        })
        .collect();
    let mut tree = vec![root];
    let mut i = 0;
    while i < tree.len() {
        let parent = tree[i];
        tree.extend(
            parents
                .iter()
                .filter(|(_, pp)| *pp == parent)
                .map(|(p, _)| *p),
        );
        i += 1;
    }
    tree
}

/// Stops tauri-driver and everything it started.
fn stop_group(child: &mut Child) {
    #[cfg(unix)]
    {
        let _ = Command::new("kill")
            .args(["-TERM", "--", &format!("-{}", child.id())])
            .stderr(Stdio::null())
            .status();
    }
    let _ = child.kill();
    let _ = child.wait();
}

fn base64_decode(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut buf = 0u32;
    let mut bits = 0;
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => continue,
        };
        buf = (buf << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
        }
    }
    out
}
