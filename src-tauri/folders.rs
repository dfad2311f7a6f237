//! Where Paddock keeps its files: the data folder (settings, history, the webview's
//! storage), the folder videos are saved to, and files only this user may read.

use std::path::{Path, PathBuf};

/// Overrides the platform's app-data folder (tests, portable installs).
pub const ENV_DATA_DIR: &str = "PADDOCK_DATA_DIR";
const APP_DIR_NAME: &str = "app.paddock.desktop";
/// The most of `user-dirs.dirs` read.
const MAX_USER_DIRS_BYTES: u64 = 1 << 20;

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
    if let Ok(text) = read_capped(&config.join("user-dirs.dirs"), MAX_USER_DIRS_BYTES)
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

/// A small file read whole, or an error past `cap` bytes (it is not what it claims).
pub fn read_capped(path: &Path, cap: u64) -> std::io::Result<Vec<u8>> {
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
