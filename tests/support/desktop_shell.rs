//! A private session bus with a tray host and a notification server on it
//! (`desktop_shell.py`), so the tray's menu and a notification click are tested
//! through D-Bus as a panel would use them, apart from the session the other
//! tests share.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use serde_json::Value;

pub struct DesktopShell {
    bus: Child,
    shell: Child,
    input: ChildStdin,
    answers: Receiver<String>,
    /// For the app's environment: `DBUS_SESSION_BUS_ADDRESS`.
    pub address: String,
}

impl DesktopShell {
    pub fn start() -> DesktopShell {
        let mut bus = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("dbus-daemon (package dbus)");
        let mut address = String::new();
        BufReader::new(bus.stdout.take().expect("piped"))
            .read_line(&mut address)
            .expect("the bus address");
        let address = address.trim().to_owned();
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/support/desktop_shell.py"
        );
        let mut shell = Command::new("/usr/bin/python3")
            .arg(script)
            .env("DBUS_SESSION_BUS_ADDRESS", &address)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 with python3-gi");
        let input = shell.stdin.take().expect("piped");
        let output = BufReader::new(shell.stdout.take().expect("piped"));
        let (tx, answers) = channel();
        std::thread::spawn(move || {
            for line in output.lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let mut me = DesktopShell {
            bus,
            shell,
            input,
            answers,
            address,
        };
        let ready = me.read();
        assert_eq!(ready["ready"], true, "the shell owns its names: {ready}");
        me
    }

    fn read(&mut self) -> Value {
        let line = self
            .answers
            .recv_timeout(Duration::from_secs(20))
            .expect("the shell answers");
        serde_json::from_str(&line).expect("one JSON line")
    }

    /// Sends one command and returns its answer (see `desktop_shell.py`).
    pub fn ask(&mut self, command: &str) -> Value {
        writeln!(self.input, "{command}").expect("the shell reads");
        self.input.flush().expect("flush");
        self.read()
    }

    /// The first tray item (icon, status, menu), once it matches `want`.
    pub fn wait_for_tray(&mut self, what: &str, want: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let answer = self.ask("tray");
            if let Some(item) = answer["items"].get(0) {
                if want(item) {
                    return item.clone();
                }
            }
            assert!(Instant::now() < deadline, "{what}: last seen {answer}");
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// The notification whose title is `summary`, once one was shown.
    pub fn wait_for_note(&mut self, summary: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let answer = self.ask("notes");
            let notes = answer["notes"].as_array().cloned().unwrap_or_default();
            if let Some(note) = notes.into_iter().find(|n| n["summary"] == summary) {
                return note;
            }
            assert!(Instant::now() < deadline, "no {summary:?} note: {answer}");
            std::thread::sleep(Duration::from_millis(250));
        }
    }
}

/// The labels of a tray item's menu, in order.
pub fn menu_labels(item: &Value) -> Vec<String> {
    item["menu"]
        .as_array()
        .map(|entries| {
            entries
                .iter()
                .filter_map(|e| e["label"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

impl Drop for DesktopShell {
    fn drop(&mut self) {
        let _ = self.shell.kill();
        let _ = self.shell.wait();
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}
