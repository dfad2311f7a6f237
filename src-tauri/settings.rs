//! Where Paddock keeps its data, and the few preferences the user sets.
//!
//! Settings are a small JSON file written atomically (temporary file, then rename) so
//! a crash mid-write leaves the previous version. A file that cannot be read is moved
//! aside, never silently dropped. The API key is never here: see `keystore`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::gateway::{BaseUrl, DEFAULT_BASE_URL};

/// Overrides the platform's app-data folder (tests, portable installs).
pub const ENV_DATA_DIR: &str = "PADDOCK_DATA_DIR";
/// Overrides the base URL from the settings file.
pub const ENV_BASE_URL: &str = "ANYFAST_BASE_URL";
const APP_DIR_NAME: &str = "app.paddock.desktop";
const SETTINGS_FILE: &str = "settings.json";

/// The folder for settings and history: `PADDOCK_DATA_DIR`, else the platform's
/// per-user data folder (the same one Tauri's `app_data_dir` resolves to).
pub fn data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(ENV_DATA_DIR).filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    platform_data_home().join(APP_DIR_NAME)
}

#[cfg(target_os = "windows")]
fn platform_data_home() -> PathBuf {
    std::env::var_os("APPDATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
}

#[cfg(target_os = "macos")]
fn platform_data_home() -> PathBuf {
    home().join("Library").join("Application Support")
}

#[cfg(not(any(target_os = "windows", target_os = "macos")))]
fn platform_data_home() -> PathBuf {
    std::env::var_os("XDG_DATA_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| home().join(".local").join("share"))
}

#[cfg(not(target_os = "windows"))]
fn home() -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The platform's Videos folder with a `Paddock` subfolder: `XDG_VIDEOS_DIR` (or
/// `~/Videos`) on Linux, `~/Movies` on macOS, `%USERPROFILE%/Videos` on Windows.
pub fn default_save_folder() -> PathBuf {
    videos_dir().join("Paddock")
}

#[cfg(target_os = "windows")]
fn videos_dir() -> PathBuf {
    std::env::var_os("USERPROFILE")
        .map(|h| PathBuf::from(h).join("Videos"))
        .unwrap_or_else(|| PathBuf::from("."))
}

#[cfg(target_os = "macos")]
fn videos_dir() -> PathBuf {
    home().join("Movies")
}

#[cfg(not(any(target_os = "windows", target_os = "macos")))]
fn videos_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("XDG_VIDEOS_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    // xdg-user-dirs writes `XDG_VIDEOS_DIR="$HOME/Videos"` (localised names included).
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| home().join(".config"));
    if let Ok(text) = read_capped(&config.join("user-dirs.dirs"), MAX_SETTINGS_BYTES)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
    {
        for line in text.lines() {
            if let Some(value) = line.trim().strip_prefix("XDG_VIDEOS_DIR=") {
                let value = value.trim().trim_matches('"');
                let home = home();
                let path = value.replace("$HOME", &home.display().to_string());
                if !path.is_empty() {
                    return PathBuf::from(path);
                }
            }
        }
    }
    home().join("Videos")
}

/// Creates `dir` (and its parents) readable by this user only on Unix: the data
/// folder holds prompts and live video links.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Writes `bytes` to a new or truncated file that only this user may read (Unix).
pub fn write_private_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    restrict_to_owner(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Makes an existing file owner-only on Unix (a mode given at creation does not
/// change a file that was already there).
pub fn restrict_to_owner(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// The most of a settings file read: a real one is a few hundred bytes.
const MAX_SETTINGS_BYTES: u64 = 1 << 20;

/// A small file read whole, or an error past `cap` bytes (it is not what it claims).
fn read_capped(path: &Path, cap: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(cap + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("larger than {} KiB", cap / 1024),
        ));
    }
    Ok(bytes)
}

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
    /// The largest video any save accepts, in MiB (2048 = 2 GiB).
    pub max_video_mb: u64,
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
            max_video_mb: crate::videos::DEFAULT_MAX_BYTES >> 20,
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

    fn temp_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("paddock-settings-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn round_trips_and_defaults() {
        let dir = temp_dir("rt");
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
            max_video_mb: 300,
        };
        file.save(&s).unwrap();
        assert_eq!(file.load().settings, s);
    }

    #[test]
    fn corrupt_file_is_moved_aside_and_reported() {
        let dir = temp_dir("corrupt");
        let file = SettingsFile {
            path: dir.join(SETTINGS_FILE),
            env_base_url: None,
        };
        std::fs::write(dir.join(SETTINGS_FILE), b"{not json").unwrap();
        let loaded = file.load();
        assert_eq!(loaded.settings, Settings::default());
        assert!(loaded.notice.unwrap().contains("damaged"));
        let kept = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .any(|e| e.file_name().to_string_lossy().contains("corrupt-"));
        assert!(kept, "the damaged file is kept for the user");
    }

    #[test]
    fn a_relative_save_folder_or_a_huge_file_is_refused() {
        let dir = temp_dir("folder");
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
        let dir = temp_dir("http");
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
