//! The API key: kept in the operating system's keyring and nowhere else.
//!
//! One keyring entry per gateway (service `paddock`, account = the base URL), so a
//! self-hosted gateway and Anyfast keep separate keys. `ANYFAST_API_KEY` overrides the
//! keyring for scripts and for machines without a Secret Service. Keyring calls talk
//! to D-Bus or an OS prompt, so they run on the blocking pool under a time limit: a
//! wedged daemon must not freeze the window.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use crate::api::BaseUrl;

/// The keyring service name under which every Paddock key is stored.
pub const SERVICE: &str = "paddock";
/// The environment variable that overrides the keyring.
pub const ENV_KEY: &str = "ANYFAST_API_KEY";
const KEYRING_TIMEOUT: Duration = Duration::from_secs(8);

/// A secret API key. Its `Debug` and `Display` never show it; only
/// [`expose`](ApiKey::expose) does, for the one header that needs it.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Trims whitespace and a pasted `Bearer ` prefix; rejects empty or multi-line input.
    pub fn new(text: &str) -> Result<Self, KeyError> {
        let trimmed = text.trim();
        let trimmed = trimmed.strip_prefix("Bearer ").unwrap_or(trimmed).trim();
        if trimmed.is_empty() {
            return Err(KeyError::Invalid("the key is empty".into()));
        }
        if trimmed.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(KeyError::Invalid(
                "a key has no spaces or line breaks".into(),
            ));
        }
        if trimmed.len() > 512 {
            return Err(KeyError::Invalid(
                "this is too long to be an API key".into(),
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `sk-…9f2c`: enough to tell two keys apart, never enough to use one.
    pub fn hint(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        if chars.len() < 12 {
            return "…".into();
        }
        let tail: String = chars[chars.len() - 4..].iter().collect();
        let head = if self.0.starts_with("sk-") { "sk-" } else { "" };
        format!("{head}…{tail}")
    }

    /// Replaces any occurrence of the key in text that came from elsewhere.
    pub fn scrub(&self, text: &str) -> String {
        text.replace(&self.0, "[hidden key]")
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKey({})", self.hint())
    }
}

/// What can go wrong with the key store.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("No system keyring was found ({0}). On Linux install and start a Secret Service such as gnome-keyring or KeePassXC; meanwhile the ANYFAST_API_KEY environment variable works.")]
    Unavailable(String),
    #[error("The system keyring is locked or refused access ({0}). Unlock it and try again.")]
    Locked(String),
    #[error("The system keyring did not answer in time. Check that it is running and not waiting for a password prompt.")]
    Timeout,
    #[error("The system keyring failed: {0}")]
    Failed(String),
    #[error("This is not a valid API key: {0}.")]
    Invalid(String),
    #[error("No API key is set. Enter your Anyfast API key in Settings.")]
    Missing,
    #[error("No key for this gateway ({0}). ANYFAST_API_KEY belongs to another gateway and is never sent elsewhere; store a key for this one in Settings.")]
    NoKeyForGateway(String),
}

impl KeyError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unavailable(_) => "keyring_unavailable",
            Self::Locked(_) => "keyring_locked",
            Self::Timeout => "keyring_timeout",
            Self::Failed(_) => "keyring_failed",
            Self::Invalid(_) => "invalid_key",
            Self::Missing => "missing_key",
            Self::NoKeyForGateway(_) => "no_key_for_gateway",
        }
    }
}

impl Serialize for KeyError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("KeyError", 2)?;
        s.serialize_field("code", self.code())?;
        s.serialize_field("message", &self.to_string())?;
        s.end()
    }
}

/// Where secrets are kept. The system keyring in the app; an in-memory map in unit
/// tests of the logic above it (keyring 4 picks its store once per process).
pub trait SecretBackend: Send + Sync + 'static {
    /// Ok when the store can be used at all.
    fn probe(&self) -> Result<(), KeyError>;
    fn get(&self, account: &str) -> Result<Option<String>, KeyError>;
    fn set(&self, account: &str, secret: &str) -> Result<(), KeyError>;
    /// Removing an entry that does not exist is not an error.
    fn delete(&self, account: &str) -> Result<(), KeyError>;
}

/// The platform's persistent store: Secret Service, Keychain or Credential Manager.
pub struct SystemKeyring;

fn map_keyring_error(e: keyring::Error) -> KeyError {
    use keyring::Error as E;
    match e {
        E::NoDefaultStore => KeyError::Unavailable("no credential store could be opened".into()),
        E::NoStorageAccess(inner) => KeyError::Locked(inner.to_string()),
        E::PlatformFailure(inner) => {
            let text = inner.to_string();
            let lower = text.to_ascii_lowercase();
            if lower.contains("serviceunknown")
                || lower.contains("not provided by any .service")
                || lower.contains("no such file")
                || lower.contains("connection refused")
                || lower.contains("dbus")
            {
                KeyError::Unavailable(text)
            } else if lower.contains("locked") || lower.contains("prompt") {
                KeyError::Locked(text)
            } else {
                KeyError::Failed(text)
            }
        }
        other => KeyError::Failed(other.to_string()),
    }
}

impl SystemKeyring {
    fn entry(account: &str) -> Result<keyring::Entry, KeyError> {
        if let Err(e) = keyring::Entry::store_status() {
            return Err(KeyError::Unavailable(e.to_string()));
        }
        keyring::Entry::new(SERVICE, account).map_err(map_keyring_error)
    }
}

impl SecretBackend for SystemKeyring {
    fn probe(&self) -> Result<(), KeyError> {
        match keyring::Entry::store_status() {
            Ok(()) => {
                // The store opened; a read proves the daemon answers and is unlocked.
                Self::entry("paddock-probe")?
                    .get_password()
                    .map(|_| ())
                    .or_else(|e| match e {
                        keyring::Error::NoEntry => Ok(()),
                        other => Err(map_keyring_error(other)),
                    })
            }
            Err(e) => Err(KeyError::Unavailable(e.to_string())),
        }
    }

    fn get(&self, account: &str) -> Result<Option<String>, KeyError> {
        match Self::entry(account)?.get_password() {
            Ok(s) => Ok(Some(s)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_keyring_error(e)),
        }
    }

    fn set(&self, account: &str, secret: &str) -> Result<(), KeyError> {
        Self::entry(account)?
            .set_password(secret)
            .map_err(map_keyring_error)
    }

    fn delete(&self, account: &str) -> Result<(), KeyError> {
        match Self::entry(account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_keyring_error(e)),
        }
    }
}

/// An in-memory store for unit tests of the logic above the keyring.
#[derive(Default)]
pub struct MemoryKeyring {
    entries: std::sync::Mutex<std::collections::HashMap<String, String>>,
    pub unavailable: bool,
}

impl SecretBackend for MemoryKeyring {
    fn probe(&self) -> Result<(), KeyError> {
        if self.unavailable {
            Err(KeyError::Unavailable("test store switched off".into()))
        } else {
            Ok(())
        }
    }
    fn get(&self, account: &str) -> Result<Option<String>, KeyError> {
        self.probe()?;
        Ok(self.lock().get(account).cloned())
    }
    fn set(&self, account: &str, secret: &str) -> Result<(), KeyError> {
        self.probe()?;
        self.lock().insert(account.to_owned(), secret.to_owned());
        Ok(())
    }
    fn delete(&self, account: &str) -> Result<(), KeyError> {
        self.probe()?;
        self.lock().remove(account);
        Ok(())
    }
}

impl MemoryKeyring {
    fn lock(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, String>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Where the key in use comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeySource {
    Keyring,
    Environment,
    None,
}

/// What the settings screen shows. Never the key itself.
#[derive(Debug, Clone, Serialize)]
pub struct KeyStatus {
    pub source: KeySource,
    /// `sk-…9f2c`, or null when there is no key.
    pub hint: Option<String>,
    /// Whether the system keyring can be used, and if not, why.
    pub keyring_available: bool,
    pub keyring_error: Option<KeyError>,
}

/// The key store the app and the CLI share. Cheap to clone; clones share the cache.
#[derive(Clone)]
pub struct KeyStore {
    backend: Arc<dyn SecretBackend>,
    /// `ANYFAST_API_KEY` and the one gateway it belongs to.
    env_key: Option<(BaseUrl, ApiKey)>,
    /// Keys read from the keyring this session, by gateway, so a query is not a
    /// keyring round trip. Dropped on set, remove and a 401. "No key" is not kept:
    /// a key stored meanwhile (`paddock key set`) is found on the next query.
    cache: Arc<Mutex<KeyCache>>,
}

#[derive(Default)]
struct KeyCache {
    keys: HashMap<String, ApiKey>,
    /// Bumped by every `forget`: a keyring read that started before it does not put
    /// its (now stale) answer in the cache.
    generation: u64,
}

impl KeyStore {
    /// The system keyring, with `ANYFAST_API_KEY` from the environment when set. The
    /// variable's key belongs to `ANYFAST_BASE_URL` when that is set, else to the
    /// default gateway, and is used for no other.
    pub fn system() -> Self {
        let env_key = std::env::var(ENV_KEY)
            .ok()
            .and_then(|k| ApiKey::new(&k).ok());
        let env_base = std::env::var(crate::settings::ENV_BASE_URL)
            .ok()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| crate::api::DEFAULT_BASE_URL.to_owned());
        let env_key = env_key.and_then(|k| BaseUrl::parse(&env_base).ok().map(|b| (b, k)));
        Self::new(Arc::new(SystemKeyring), env_key)
    }

    /// A store over `backend`; `env_key` is a key and the gateway it belongs to.
    pub fn new(backend: Arc<dyn SecretBackend>, env_key: Option<(BaseUrl, ApiKey)>) -> Self {
        Self {
            backend,
            env_key,
            cache: Arc::default(),
        }
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, KeyCache> {
        self.cache.lock().unwrap_or_else(|p| p.into_inner())
    }

    async fn blocking<T: Send + 'static>(
        &self,
        job: impl FnOnce(&dyn SecretBackend) -> Result<T, KeyError> + Send + 'static,
    ) -> Result<T, KeyError> {
        let backend = Arc::clone(&self.backend);
        let task = tokio::task::spawn_blocking(move || job(backend.as_ref()));
        match tokio::time::timeout(KEYRING_TIMEOUT, task).await {
            Ok(Ok(result)) => result,
            Ok(Err(join)) => Err(KeyError::Failed(format!(
                "the keyring call crashed: {join}"
            ))),
            Err(_) => Err(KeyError::Timeout),
        }
    }

    /// Whether the keyring works; the app checks it once at start-up.
    pub async fn probe(&self) -> Result<(), KeyError> {
        self.blocking(|b| b.probe()).await
    }

    /// The environment's key when it belongs to this gateway.
    fn env_key_for(&self, base: &BaseUrl) -> Option<&ApiKey> {
        self.env_key
            .as_ref()
            .filter(|(b, _)| b == base)
            .map(|(_, k)| k)
    }

    /// The key to use for a gateway: the environment's when it belongs to this
    /// gateway, else the keyring's (read once per session).
    pub async fn resolve(&self, base: &BaseUrl) -> Result<Option<ApiKey>, KeyError> {
        if let Some(k) = self.env_key_for(base) {
            return Ok(Some(k.clone()));
        }
        let generation = {
            let cache = self.cache();
            if let Some(cached) = cache.keys.get(base.as_str()) {
                return Ok(Some(cached.clone()));
            }
            cache.generation
        };
        let account = base.as_str().to_owned();
        let stored = self.blocking(move |b| b.get(&account)).await?;
        let key = stored.and_then(|s| ApiKey::new(&s).ok());
        if let Some(k) = &key {
            let mut cache = self.cache();
            if cache.generation == generation {
                cache.keys.insert(base.as_str().to_owned(), k.clone());
            }
        }
        Ok(key)
    }

    /// Like [`resolve`](Self::resolve), with no key as an error that says why.
    pub async fn require(&self, base: &BaseUrl) -> Result<ApiKey, KeyError> {
        match self.resolve(base).await? {
            Some(k) => Ok(k),
            None => match &self.env_key {
                Some((other, _)) => Err(KeyError::NoKeyForGateway(format!(
                    "the variable is for {}",
                    other.as_str()
                ))),
                None => Err(KeyError::Missing),
            },
        }
    }

    /// Forgets the cached key of a gateway (it answered 401): the next query reads
    /// the keyring again, so a key fixed elsewhere is picked up.
    pub fn forget(&self, base: &BaseUrl) {
        let mut cache = self.cache();
        cache.keys.remove(base.as_str());
        cache.generation = cache.generation.wrapping_add(1);
    }

    pub async fn set(&self, base: &BaseUrl, key: ApiKey) -> Result<(), KeyError> {
        self.forget(base);
        let account = base.as_str().to_owned();
        let result = self.blocking(move |b| b.set(&account, key.expose())).await;
        self.forget(base);
        result
    }

    pub async fn remove(&self, base: &BaseUrl) -> Result<(), KeyError> {
        self.forget(base);
        let account = base.as_str().to_owned();
        let result = self.blocking(move |b| b.delete(&account)).await;
        self.forget(base);
        result
    }

    pub async fn status(&self, base: &BaseUrl) -> KeyStatus {
        let account = base.as_str().to_owned();
        let stored = self.blocking(move |b| b.get(&account)).await;
        let (keyring_available, keyring_error, stored) = match stored {
            Ok(s) => (true, None, s.and_then(|s| ApiKey::new(&s).ok())),
            Err(e) => (false, Some(e), None),
        };
        let (source, hint) = match (self.env_key_for(base), stored) {
            (Some(k), _) => (KeySource::Environment, Some(k.hint())),
            (None, Some(k)) => (KeySource::Keyring, Some(k.hint())),
            (None, None) => (KeySource::None, None),
        };
        KeyStatus {
            source,
            hint,
            keyring_available,
            keyring_error,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "sk-test0123456789abcdef9f2c";

    #[test]
    fn debug_and_hint_never_show_the_key() {
        let k = ApiKey::new(KEY).unwrap();
        assert_eq!(k.hint(), "sk-…9f2c");
        assert!(!format!("{k:?}").contains("0123456789"));
        assert_eq!(ApiKey::new("short").unwrap().hint(), "…");
    }

    #[test]
    fn key_input_is_cleaned_and_checked() {
        assert_eq!(
            ApiKey::new(&format!("  Bearer {KEY}\n")).unwrap().expose(),
            KEY
        );
        assert_eq!(ApiKey::new(" ").unwrap_err().code(), "invalid_key");
        assert!(ApiKey::new("two words").is_err());
    }

    #[test]
    fn scrub_hides_the_key_in_foreign_text() {
        let k = ApiKey::new(KEY).unwrap();
        assert_eq!(
            k.scrub(&format!("bad token {KEY}!")),
            "bad token [hidden key]!"
        );
    }

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
}
