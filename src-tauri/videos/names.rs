//! Where a video goes: its default file name, the folder's next free name, and
//! the `.part` name beside it. One place, so the window, auto-save and the CLI all
//! name a video the same way.

use std::path::{Path, PathBuf};

use crate::timefmt;

/// `<dest>.part`, beside the destination.
pub fn part_path(dest: &Path) -> PathBuf {
    let mut name = dest
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".part");
    dest.with_file_name(name)
}

/// `dest`, or `name (2).mp4`, `name (3).mp4`... when a file is already there.
pub fn unused_path(dest: &Path) -> PathBuf {
    unused_path_where(dest, |p| p.exists())
}

/// [`unused_path`] with the caller's idea of taken (a file there, or a save on its
/// way to that name).
pub fn unused_path_where(dest: &Path, taken: impl Fn(&Path) -> bool) -> PathBuf {
    if !taken(dest) {
        return dest.to_owned();
    }
    let stem = dest
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = dest
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    (2..)
        .map(|n| dest.with_file_name(format!("{stem} ({n}){ext}")))
        .find(|p| !taken(p))
        .unwrap_or_else(|| dest.to_owned())
}

/// A file name for a task's video: `2026-04-28_a-cat-running_6ya0c3e1.mp4`. The slug
/// keeps letters of any script, drops what Windows, macOS or Linux forbid, and is
/// never a reserved device name.
pub fn default_file_name(id: &str, prompt: Option<&str>, finished_at: Option<i64>) -> String {
    let date = timefmt::date_only(finished_at.unwrap_or_else(timefmt::now_unix));
    let slug = slugify(prompt.unwrap_or(""), 40);
    // Only ID characters: the name must be safe even for an ID that never passed
    // validation (found by the property tests: an ID of "<").
    let short: String = id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .rev()
        .take(8)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if slug.is_empty() {
        format!("{date}_{short}.mp4")
    } else {
        format!("{date}_{slug}_{short}.mp4")
    }
}

/// Letters and digits of any script, runs of anything else as one `-`, at most `max` chars.
pub fn slugify(text: &str, max: usize) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c.to_lowercase().next().unwrap_or(c));
            if out.chars().count() >= max {
                break;
            }
        } else {
            dash = true;
        }
    }
    let upper = out.to_ascii_uppercase();
    let reserved = ["CON", "PRN", "AUX", "NUL"].contains(&upper.as_str())
        || ((upper.starts_with("COM") || upper.starts_with("LPT"))
            && upper.len() == 4
            && upper.as_bytes()[3].is_ascii_digit());
    if reserved {
        out.push_str("-video");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_safe_everywhere() {
        let name = default_file_name(
            "asyntask_jwgfhsG0m2aDjLmiiELRf74eoWmss6ya",
            Some("A cat: running <fast> / on \"grass\"?"),
            Some(1_777_343_961),
        );
        assert_eq!(name, "2026-04-28_a-cat-running-fast-on-grass_oWmss6ya.mp4");
        let zh = default_file_name(
            "asyntask_x",
            Some("一只猫在草地上奔跑。"),
            Some(1_777_343_961),
        );
        assert_eq!(zh, "2026-04-28_一只猫在草地上奔跑_yntask_x.mp4");
        assert_eq!(slugify("con", 40), "con-video");
        assert_eq!(slugify("COM1", 40), "com1-video");
        assert_eq!(slugify("...", 40), "");
        assert_eq!(slugify(&"a".repeat(100), 40).len(), 40);
        for bad in ['<', '>', ':', '"', '/', '\\', '|', '?', '*', '\0'] {
            assert!(!default_file_name("id", Some(&format!("x{bad}y")), Some(0)).contains(bad));
        }
    }

    #[test]
    fn part_file_sits_beside_the_destination() {
        assert_eq!(
            part_path(Path::new("/v/a.mp4")),
            PathBuf::from("/v/a.mp4.part")
        );
    }
}
