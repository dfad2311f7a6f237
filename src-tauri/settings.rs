//! The few preferences the user sets, in a small JSON file in the data folder.
//!
//! Settings are a small JSON file written atomically (temporary file, then rename) so
//! a crash mid-write leaves the previous version. A file that cannot be read is moved
//! aside, never silently dropped. The API key is never here: see `keystore`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::folders::{create_private_dir, read_capped, write_private_file};
pub use crate::folders::{data_dir, default_save_folder, ENV_DATA_DIR};
use crate::gateway::{BaseUrl, DEFAULT_BASE_URL};

/// Overrides the base URL from the settings file.
pub const ENV_BASE_URL: &str = "ANYFAST_BASE_URL";
const SETTINGS_FILE: &str = "settings.json";
/// The most of a settings file read: a real one is a few hundred bytes.
const MAX_SETTINGS_BYTES: u64 = 1 << 20;

/// The user's preferences.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub base_url: String,
    /// `system`, `en` or `zh`.
    pub language: String,
    /// `system`, `light` or `dark`.
    pub theme: String,
    /// Save each video as soon as its task succeeds.
    pub auto_save: bool,
    /// Where auto-save puts videos; empty means the Videos folder's `Paddock`.
    pub save_folder: String,
    /// A desktop notification when a task succeeds or fails.
    pub notifications: bool,
    /// Closing the window keeps Paddock watching and saving (in the tray, or in the
    /// background until nothing is left to do).
    pub keep_watching: bool,
    /// Start Paddock (hidden) when the user logs in.
    pub start_at_login: bool,
    /// The largest video any save accepts, in MiB (2048 = 2 GiB).
    pub max_video_mb: u64,
    /// What a second costs at 720P and at 1080P, in `currency`; empty: unknown
    /// (Anyfast publishes no price list, so only the user can say).
    pub price_720p: String,
    pub price_1080p: String,
    /// The currency symbol prices are written in.
    pub currency: String,
}

impl Settings {
    /// The size cap of every save, in bytes.
    pub fn max_video_bytes(&self) -> u64 {
        self.max_video_mb.saturating_mul(1 << 20)
    }
}

/// The range the video size cap may take, in MiB.
pub const MAX_VIDEO_MB_RANGE: std::ops::RangeInclusive<u64> = 1..=1_048_576;

impl Default for Settings {
    fn default() -> Self {
        Self {
            base_url: DEFAULT_BASE_URL.into(),
            language: "system".into(),
            theme: "system".into(),
            auto_save: true,
            save_folder: String::new(),
            notifications: true,
            keep_watching: true,
            start_at_login: false,
            max_video_mb: crate::videos::DEFAULT_MAX_BYTES >> 20,
            price_720p: String::new(),
            price_1080p: String::new(),
            currency: "$".into(),
        }
    }
}

/// The settings file and what the environment overrides.
#[derive(Debug)]
pub struct SettingsFile {
    path: PathBuf,
    /// `ANYFAST_BASE_URL`, when set: it wins over the file.
    pub env_base_url: Option<String>,
}

/// What loading found: the settings, and a notice when the file had to be moved aside.
#[derive(Debug)]
pub struct Loaded {
    pub settings: Settings,
    pub notice: Option<String>,
}

impl SettingsFile {
    pub fn in_dir(dir: &Path) -> Self {
        Self {
            path: dir.join(SETTINGS_FILE),
            env_base_url: std::env::var(ENV_BASE_URL)
                .ok()
                .filter(|s| !s.trim().is_empty()),
        }
    }

    /// Reads the file; a missing file gives defaults, a corrupt one is renamed to
    /// `settings.json.corrupt-<time>` and reported.
    pub fn load(&self) -> Loaded {
        let settings = match read_capped(&self.path, MAX_SETTINGS_BYTES) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Loaded {
                settings: Settings::default(),
                notice: None,
            },
            Err(e) => Loaded {
                settings: Settings::default(),
                notice: Some(format!(
                    "Could not read {}: {e}. Using default settings.",
                    self.path.display()
                )),
            },
            Ok(bytes) => match serde_json::from_slice::<Settings>(&bytes) {
                Ok(mut s) => {
                    // A hand-edited value out of range would refuse every save.
                    s.max_video_mb = s
                        .max_video_mb
                        .clamp(*MAX_VIDEO_MB_RANGE.start(), *MAX_VIDEO_MB_RANGE.end());
                    Loaded {
                        settings: s,
                        notice: None,
                    }
                }
                Err(e) => {
                    let aside = self
                        .path
                        .with_extension(format!("json.corrupt-{}", crate::timefmt::now_unix()));
                    let moved = std::fs::rename(&self.path, &aside).is_ok();
                    Loaded {
                        settings: Settings::default(),
                        notice: Some(if moved {
                            format!(
                                "The settings file was damaged ({e}); it was kept as {} and defaults are in use.",
                                aside.display()
                            )
                        } else {
                            format!("The settings file was damaged ({e}); defaults are in use.")
                        }),
                    }
                }
            },
        };
        settings
    }

    /// Validates, then writes atomically.
    pub fn save(&self, settings: &Settings) -> Result<(), Error> {
        BaseUrl::parse(&settings.base_url)?;
        if !["system", "en", "zh"].contains(&settings.language.as_str()) {
            return Err(Error::InvalidSetting {
                value: settings.language.clone(),
                what: "language",
            });
        }
        if !["system", "light", "dark"].contains(&settings.theme.as_str()) {
            return Err(Error::InvalidSetting {
                value: settings.theme.clone(),
                what: "theme",
            });
        }
        let folder = settings.save_folder.trim();
        if !folder.is_empty() && !Path::new(folder).is_absolute() {
            return Err(Error::InvalidSetting {
                value: folder.to_owned(),
                what: "the save folder (a full path, such as /home/me/Videos)",
            });
        }
        for (price, what) in [
            (&settings.price_720p, "the price per second at 720P"),
            (&settings.price_1080p, "the price per second at 1080P"),
        ] {
            let ok = price.trim().is_empty()
                || price
                    .trim()
                    .parse::<f64>()
                    .is_ok_and(|p| p.is_finite() && p >= 0.0);
            if !ok {
                return Err(Error::InvalidSetting {
                    value: price.clone(),
                    what,
                });
            }
        }
        if settings.currency.chars().count() > 8 {
            return Err(Error::InvalidSetting {
                value: settings.currency.clone(),
                what: "the currency",
            });
        }
        if !MAX_VIDEO_MB_RANGE.contains(&settings.max_video_mb) {
            return Err(Error::InvalidSetting {
                value: settings.max_video_mb.to_string(),
                what: "the largest video (MiB)",
            });
        }
        let disk = |e: std::io::Error| Error::Disk {
            path: self.path.display().to_string(),
            reason: e.to_string(),
        };
        if let Some(dir) = self.path.parent() {
            create_private_dir(dir).map_err(disk)?;
        }
        let json = serde_json::to_vec_pretty(settings).map_err(|e| Error::Disk {
            path: self.path.display().to_string(),
            reason: e.to_string(),
        })?;
        let tmp = self.path.with_extension("json.tmp");
        write_private_file(&tmp, &json).map_err(disk)?;
        std::fs::rename(&tmp, &self.path).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            disk(e)
        })
    }

    /// The base URL in force: the environment's, else the file's.
    pub fn effective_base_url(&self, settings: &Settings) -> Result<BaseUrl, Error> {
        BaseUrl::parse(self.env_base_url.as_deref().unwrap_or(&settings.base_url))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh folder for one test, removed when the test ends, passed or failed
    /// (a run of the unit tests used to leave four folders in /tmp).
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str) -> Self {
            let dir = std::env::temp_dir()
                .join(format!("paddock-settings-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            Self(dir)
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn round_trips_and_defaults() {
        let scratch = Scratch::new("rt");
        let dir = &scratch.0;
        let file = SettingsFile {
            path: dir.join(SETTINGS_FILE),
            env_base_url: None,
        };
        assert_eq!(file.load().settings, Settings::default());
        let s = Settings {
            base_url: "https://gw.example.com".into(),
            language: "zh".into(),
            theme: "dark".into(),
            auto_save: false,
            save_folder: "/tmp/videos".into(),
            notifications: false,
            keep_watching: false,
            start_at_login: false,
            max_video_mb: 300,
            price_720p: "0.14".into(),
            price_1080p: String::new(),
            currency: "¥".into(),
        };
        file.save(&s).unwrap();
        assert_eq!(file.load().settings, s);
    }

    #[test]
    fn corrupt_file_is_moved_aside_and_reported() {
        let scratch = Scratch::new("corrupt");
        let dir = &scratch.0;
        let file = SettingsFile {
            path: dir.join(SETTINGS_FILE),
            env_base_url: None,
        };
        std::fs::write(dir.join(SETTINGS_FILE), b"{not json").unwrap();
        let loaded = file.load();
        assert_eq!(loaded.settings, Settings::default());
        assert!(loaded.notice.unwrap().contains("damaged"));
        let kept = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .any(|e| e.file_name().to_string_lossy().contains("corrupt-"));
        assert!(kept, "the damaged file is kept for the user");
    }

    #[test]
    fn a_relative_save_folder_or_a_huge_file_is_refused() {
        let scratch = Scratch::new("folder");
        let dir = &scratch.0;
        let file = SettingsFile {
            path: dir.join(SETTINGS_FILE),
            env_base_url: None,
        };
        let s = Settings {
            save_folder: "../../somewhere".into(),
            ..Settings::default()
        };
        assert_eq!(file.save(&s).unwrap_err().code(), "invalid_setting");
        std::fs::write(dir.join(SETTINGS_FILE), vec![b' '; 2 << 20]).unwrap();
        let loaded = file.load();
        assert_eq!(loaded.settings, Settings::default());
        assert!(loaded.notice.unwrap().contains("larger than"));
    }

    #[test]
    fn rejects_plain_http_to_another_host() {
        let scratch = Scratch::new("http");
        let dir = &scratch.0;
        let file = SettingsFile {
            path: dir.join(SETTINGS_FILE),
            env_base_url: None,
        };
        let s = Settings {
            base_url: "http://gw.example.com".into(),
            ..Settings::default()
        };
        assert_eq!(file.save(&s).unwrap_err().code(), "invalid_base_url");
        assert!(!dir.join(SETTINGS_FILE).exists());
    }
}
