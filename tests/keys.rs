//! The key store's logic over an in-memory secret store: one entry per gateway,
//! the environment's key bound to its own gateway, and the per-session cache. The
//! real keyring is tested in `keyring.rs`.

mod support;

use std::sync::Arc;

use paddock::gateway::{ApiKey, BaseUrl};
use paddock::keys::{KeySource, KeyStore, SecretBackend};
use support::memory_keyring::MemoryKeyring;

const KEY: &str = "sk-test0123456789abcdef9f2c";

fn base(s: &str) -> BaseUrl {
    BaseUrl::parse(s).unwrap()
}

#[tokio::test]
async fn one_entry_per_gateway() {
    let store = KeyStore::new(Arc::new(MemoryKeyring::default()), None);
    let a = base("https://www.anyfast.com.cn");
    let b = base("https://gw.example.com");
    store.set(&a, ApiKey::new(KEY).unwrap()).await.unwrap();
    assert_eq!(store.resolve(&a).await.unwrap().unwrap().expose(), KEY);
    assert!(store.resolve(&b).await.unwrap().is_none());
    assert_eq!(store.status(&a).await.source, KeySource::Keyring);
    assert_eq!(store.status(&b).await.source, KeySource::None);
    store.remove(&a).await.unwrap();
    assert!(store.resolve(&a).await.unwrap().is_none());
}

#[tokio::test]
async fn environment_wins_and_is_reported() {
    let env = ApiKey::new("sk-fromenvironment00001111").unwrap();
    let a = base("https://www.anyfast.com.cn");
    let store = KeyStore::new(Arc::new(MemoryKeyring::default()), Some((a.clone(), env)));
    store.set(&a, ApiKey::new(KEY).unwrap()).await.unwrap();
    assert_eq!(
        store.resolve(&a).await.unwrap().unwrap().expose(),
        "sk-fromenvironment00001111"
    );
    let status = store.status(&a).await;
    assert_eq!(status.source, KeySource::Environment);
    assert_eq!(status.hint.as_deref(), Some("sk-…1111"));
}

#[tokio::test]
async fn the_environment_key_is_never_used_for_another_gateway() {
    let env = ApiKey::new("sk-fromenvironment00001111").unwrap();
    let mine = base("https://www.anyfast.com.cn");
    let other = base("https://gw.example.com");
    let store = KeyStore::new(Arc::new(MemoryKeyring::default()), Some((mine, env)));
    assert!(store.resolve(&other).await.unwrap().is_none());
    assert_eq!(
        store.require(&other).await.unwrap_err().code(),
        "no_key_for_gateway"
    );
    assert_eq!(store.status(&other).await.source, KeySource::None);
    // A key stored for that gateway is its own, and is used.
    store.set(&other, ApiKey::new(KEY).unwrap()).await.unwrap();
    assert_eq!(store.require(&other).await.unwrap().expose(), KEY);
}

/// The keyring is read once per gateway and session, and read again after a
/// set, a remove or a `forget` (a 401).
#[tokio::test]
async fn keys_are_cached_until_changed_or_rejected() {
    let backend = Arc::new(MemoryKeyring::default());
    let store = KeyStore::new(backend.clone(), None);
    let a = base("https://www.anyfast.com.cn");
    store.set(&a, ApiKey::new(KEY).unwrap()).await.unwrap();
    assert_eq!(store.resolve(&a).await.unwrap().unwrap().expose(), KEY);
    // Changed behind the store's back: the cache still answers.
    backend
        .set(a.as_str(), "sk-changedelsewhere000000")
        .unwrap();
    assert_eq!(store.resolve(&a).await.unwrap().unwrap().expose(), KEY);
    store.forget(&a);
    assert_eq!(
        store.resolve(&a).await.unwrap().unwrap().expose(),
        "sk-changedelsewhere000000"
    );
    store.remove(&a).await.unwrap();
    assert!(store.resolve(&a).await.unwrap().is_none());
}

#[tokio::test]
async fn unavailable_store_is_reported_not_fatal() {
    let backend = MemoryKeyring {
        unavailable: true,
        ..Default::default()
    };
    let store = KeyStore::new(Arc::new(backend), None);
    let a = base("https://www.anyfast.com.cn");
    let status = store.status(&a).await;
    assert!(!status.keyring_available);
    assert_eq!(status.keyring_error.unwrap().code(), "keyring_unavailable");
    assert_eq!(
        store
            .set(&a, ApiKey::new(KEY).unwrap())
            .await
            .unwrap_err()
            .code(),
        "keyring_unavailable"
    );
}
