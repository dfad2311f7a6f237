//! The key store against a real Secret Service: gnome-keyring-daemon in the private
//! D-Bus session that `./dev test` starts. "A new process" is this test binary run
//! again on one of the `child_` tests below, which are ignored in a normal run.

mod support;

use std::process::Command;
use std::sync::Arc;

use paddock::gateway::ApiKey;
use paddock::gateway::BaseUrl;
use paddock::keys::{KeySource, KeyStore, SystemKeyring};

const KEY_A: &str = "sk-keyring-test-aaaaaaaaaaaa1111";
const KEY_B: &str = "sk-keyring-test-bbbbbbbbbbbb2222";

fn store() -> KeyStore {
    KeyStore::new(Arc::new(SystemKeyring), None)
}

/// A gateway address no other test uses, so parallel tests never share an entry.
fn base(label: &str) -> BaseUrl {
    BaseUrl::parse(&format!(
        "https://{label}-{}.keyring-test.invalid",
        std::process::id()
    ))
    .unwrap()
}

/// Runs one `child_` test in a new process with extra environment.
fn run_child(test: &str, env: &[(&str, &str)]) -> std::process::Output {
    let exe = std::env::current_exe().expect("test binary");
    let mut cmd = Command::new(exe);
    cmd.args(["--ignored", "--exact", test, "--nocapture"]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let output = cmd.output().expect("run child");
    // A child whose filter matched nothing "passes" too: it must have run its test.
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("running 1 test"),
        "the child ran no test: {stdout}"
    );
    output
}

#[tokio::test]
async fn set_read_back_in_a_new_process_replace_and_remove() {
    if !support::keyring_available() {
        return;
    }
    let base = base("lifecycle");
    let store = store();
    assert_eq!(store.status(&base).await.source, KeySource::None);

    store.set(&base, ApiKey::new(KEY_A).unwrap()).await.unwrap();
    let status = store.status(&base).await;
    assert_eq!(
        (status.source, status.hint.as_deref()),
        (KeySource::Keyring, Some("sk-…1111"))
    );
    assert!(status.keyring_available);

    let child = run_child(
        "child_reads_key",
        &[("CHILD_BASE", base.as_str()), ("CHILD_EXPECT", KEY_A)],
    );
    assert!(
        child.status.success(),
        "a new process reads the key: {}",
        String::from_utf8_lossy(&child.stdout)
    );

    store.set(&base, ApiKey::new(KEY_B).unwrap()).await.unwrap();
    assert_eq!(store.resolve(&base).await.unwrap().unwrap().expose(), KEY_B);
    assert_eq!(store.status(&base).await.hint.as_deref(), Some("sk-…2222"));

    store.remove(&base).await.unwrap();
    assert!(store.resolve(&base).await.unwrap().is_none());
    assert_eq!(store.status(&base).await.source, KeySource::None);
    store.remove(&base).await.expect("removing twice is fine");

    let child = run_child(
        "child_reads_key",
        &[("CHILD_BASE", base.as_str()), ("CHILD_EXPECT", "")],
    );
    assert!(
        child.status.success(),
        "the removal is seen by a new process: {}",
        String::from_utf8_lossy(&child.stdout)
    );
}

#[tokio::test]
async fn each_gateway_has_its_own_entry() {
    if !support::keyring_available() {
        return;
    }
    let (a, b) = (base("gw-a"), base("gw-b"));
    let store = store();
    store.set(&a, ApiKey::new(KEY_A).unwrap()).await.unwrap();
    store.set(&b, ApiKey::new(KEY_B).unwrap()).await.unwrap();
    assert_eq!(store.resolve(&a).await.unwrap().unwrap().expose(), KEY_A);
    assert_eq!(store.resolve(&b).await.unwrap().unwrap().expose(), KEY_B);
    store.remove(&a).await.unwrap();
    store.remove(&b).await.unwrap();
}

#[test]
fn without_a_secret_service_the_error_says_what_to_do() {
    let child = run_child(
        "child_reports_no_keyring",
        &[(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/paddock-test-bus",
        )],
    );
    assert!(
        child.status.success(),
        "{}",
        String::from_utf8_lossy(&child.stdout)
    );
}

#[tokio::test]
#[ignore = "run as a child process by the tests above"]
async fn child_reads_key() {
    let base = BaseUrl::parse(&std::env::var("CHILD_BASE").unwrap()).unwrap();
    let expect = std::env::var("CHILD_EXPECT").unwrap();
    let got = store().resolve(&base).await.unwrap();
    assert_eq!(got.as_ref().map(|k| k.expose()).unwrap_or(""), expect);
}

#[tokio::test]
#[ignore = "run as a child process by the tests above"]
async fn child_reports_no_keyring() {
    let store = store();
    let err = store.probe().await.unwrap_err();
    assert_eq!(err.code(), "keyring_unavailable", "{err}");
    let message = err.to_string();
    assert!(
        message.contains("gnome-keyring") && message.contains("ANYFAST_API_KEY"),
        "{message}"
    );
    let base = base("nobus");
    let status = store.status(&base).await;
    assert!(!status.keyring_available);
    assert_eq!(status.source, KeySource::None);
    let err = store
        .set(&base, ApiKey::new(KEY_A).unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "keyring_unavailable");
    assert!(!err.to_string().contains(KEY_A));
}
