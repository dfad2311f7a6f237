//! The API key: kept in the operating system's keyring and nowhere else.
//!
//! One keyring entry per gateway (service `paddock`, account = the base URL), so a
//! self-hosted gateway and Anyfast keep separate keys. `ANYFAST_API_KEY` overrides the
//! keyring for scripts and for machines without a Secret Service. Keyring calls talk
//! to D-Bus or an OS prompt, so they run on the blocking pool under a time limit: a
//! wedged daemon must not freeze the window.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;

use crate::error::Error;
use crate::gateway::{ApiKey, BaseUrl};

/// The keyring service name under which every Paddock key is stored.
pub const SERVICE: &str = "paddock";
/// The environment variable that overrides the keyring.
pub const ENV_KEY: &str = "ANYFAST_API_KEY";
const KEYRING_TIMEOUT: Duration = Duration::from_secs(8);

/// Where secrets are kept. The system keyring in the app; an in-memory map in unit
/// tests of the logic above it (keyring 4 picks its store once per process).
pub trait SecretBackend: Send + Sync + 'static {
    /// Ok when the store can be used at all.
    fn probe(&self) -> Result<(), Error>;
    fn get(&self, account: &str) -> Result<Option<String>, Error>;
    fn set(&self, account: &str, secret: &str) -> Result<(), Error>;
    /// Removing an entry that does not exist is not an error.
    fn delete(&self, account: &str) -> Result<(), Error>;
}

/// The platform's persistent store: Secret Service, Keychain or Credential Manager.
pub struct SystemKeyring;

fn map_keyring_error(e: keyring::Error) -> Error {
    use keyring::Error as E;
    match e {
        E::NoDefaultStore => {
            Error::KeyringUnavailable("no credential store could be opened".into())
        }
        E::NoStorageAccess(inner) => Error::KeyringLocked(inner.to_string()),
        E::PlatformFailure(inner) => {
            let text = inner.to_string();
            let lower = text.to_ascii_lowercase();
            if lower.contains("serviceunknown")
                || lower.contains("not provided by any .service")
                || lower.contains("no such file")
                || lower.contains("connection refused")
                || lower.contains("dbus")
            {
                Error::KeyringUnavailable(text)
            } else if lower.contains("locked") || lower.contains("prompt") {
                Error::KeyringLocked(text)
            } else {
                Error::KeyringFailed(text)
            }
        }
        other => Error::KeyringFailed(other.to_string()),
    }
}

impl SystemKeyring {
    fn entry(account: &str) -> Result<keyring::Entry, Error> {
        if let Err(e) = keyring::Entry::store_status() {
            return Err(Error::KeyringUnavailable(e.to_string()));
        }
        keyring::Entry::new(SERVICE, account).map_err(map_keyring_error)
    }
}

impl SecretBackend for SystemKeyring {
    fn probe(&self) -> Result<(), Error> {
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
            Err(e) => Err(Error::KeyringUnavailable(e.to_string())),
        }
    }

    fn get(&self, account: &str) -> Result<Option<String>, Error> {
        match Self::entry(account)?.get_password() {
            Ok(s) => Ok(Some(s)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_keyring_error(e)),
        }
    }

    fn set(&self, account: &str, secret: &str) -> Result<(), Error> {
        Self::entry(account)?
            .set_password(secret)
            .map_err(map_keyring_error)
    }

    fn delete(&self, account: &str) -> Result<(), Error> {
        match Self::entry(account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_keyring_error(e)),
        }
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
    pub keyring_error: Option<Error>,
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
            .unwrap_or_else(|| crate::gateway::DEFAULT_BASE_URL.to_owned());
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
        job: impl FnOnce(&dyn SecretBackend) -> Result<T, Error> + Send + 'static,
    ) -> Result<T, Error> {
        let backend = Arc::clone(&self.backend);
        let task = tokio::task::spawn_blocking(move || job(backend.as_ref()));
        match tokio::time::timeout(KEYRING_TIMEOUT, task).await {
            Ok(Ok(result)) => result,
            Ok(Err(join)) => Err(Error::KeyringFailed(format!(
                "the keyring call crashed: {join}"
            ))),
            Err(_) => Err(Error::KeyringTimeout),
        }
    }

    /// Whether the keyring works; the app checks it once at start-up.
    pub async fn probe(&self) -> Result<(), Error> {
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
    pub async fn resolve(&self, base: &BaseUrl) -> Result<Option<ApiKey>, Error> {
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
    pub async fn require(&self, base: &BaseUrl) -> Result<ApiKey, Error> {
        match self.resolve(base).await? {
            Some(k) => Ok(k),
            None => match &self.env_key {
                Some((other, _)) => Err(Error::NoKeyForGateway(format!(
                    "the variable is for {}",
                    other.as_str()
                ))),
                None => Err(Error::MissingKey),
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

    pub async fn set(&self, base: &BaseUrl, key: ApiKey) -> Result<(), Error> {
        self.forget(base);
        let account = base.as_str().to_owned();
        let result = self.blocking(move |b| b.set(&account, key.expose())).await;
        self.forget(base);
        result
    }

    pub async fn remove(&self, base: &BaseUrl) -> Result<(), Error> {
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
