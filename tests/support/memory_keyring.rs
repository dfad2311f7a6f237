//! An in-memory secret store for tests of the logic above the keyring (keyring 4
//! picks its store once per process, so a test cannot swap the real one).

use paddock::keys::SecretBackend;
use paddock::Error;

#[derive(Default)]
pub struct MemoryKeyring {
    pub entries: std::sync::Mutex<std::collections::HashMap<String, String>>,
    pub unavailable: bool,
}

impl SecretBackend for MemoryKeyring {
    fn probe(&self) -> Result<(), Error> {
        if self.unavailable {
            Err(Error::KeyringUnavailable("test store switched off".into()))
        } else {
            Ok(())
        }
    }
    fn get(&self, account: &str) -> Result<Option<String>, Error> {
        self.probe()?;
        Ok(self.lock().get(account).cloned())
    }
    fn set(&self, account: &str, secret: &str) -> Result<(), Error> {
        self.probe()?;
        self.lock().insert(account.to_owned(), secret.to_owned());
        Ok(())
    }
    fn delete(&self, account: &str) -> Result<(), Error> {
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
