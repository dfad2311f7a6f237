//! Tags are free text, so they are cleaned once here (a size, no control or
//! invisible characters) whether they come from the window, the command line or
//! the history file. Pure: no store, no tracker.

use crate::error::Error;

/// Tags one task may carry at most.
pub const MAX_TAGS: usize = 20;
/// Characters one tag may have at most.
pub const MAX_TAG_CHARS: usize = 40;

/// A tag as kept: trimmed, inner runs of white space made one space, no control
/// characters, not empty, at most [`MAX_TAG_CHARS`].
pub fn clean_tag(tag: &str) -> Result<String, Error> {
    let words: Vec<&str> = tag.split_whitespace().collect();
    let cleaned = words.join(" ");
    if cleaned.is_empty() {
        return Err(Error::InvalidRequest("A tag cannot be empty.".into()));
    }
    if cleaned
        .chars()
        .any(|c| c.is_control() || is_invisible_format(c))
    {
        return Err(Error::InvalidRequest(
            "A tag cannot contain control characters.".into(),
        ));
    }
    let n = cleaned.chars().count();
    if n > MAX_TAG_CHARS {
        return Err(Error::InvalidRequest(format!(
            "A tag is at most {MAX_TAG_CHARS} characters; this one has {n}."
        )));
    }
    Ok(cleaned)
}

/// Zero-width and direction-changing characters: a tag that hides or reverses text.
fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// The tags after adding and removing (case-insensitive, the first spelling kept).
pub fn apply_tags(
    current: &[String],
    add: &[String],
    remove: &[String],
) -> Result<Vec<String>, Error> {
    if add.len() > MAX_TAGS || remove.len() > MAX_TAGS {
        return Err(Error::InvalidRequest(format!(
            "A task has at most {MAX_TAGS} tags."
        )));
    }
    let remove: Vec<String> = remove
        .iter()
        .map(|t| clean_tag(t).map(|t| t.to_lowercase()))
        .collect::<Result<_, _>>()?;
    let mut tags: Vec<String> = current
        .iter()
        .filter(|t| !remove.contains(&t.to_lowercase()))
        .cloned()
        .collect();
    for tag in add {
        let tag = clean_tag(tag)?;
        if !tags.iter().any(|t| t.to_lowercase() == tag.to_lowercase()) {
            tags.push(tag);
        }
    }
    if tags.len() > MAX_TAGS {
        return Err(Error::InvalidRequest(format!(
            "A task has at most {MAX_TAGS} tags."
        )));
    }
    Ok(tags)
}

/// The tags stored in the history, which is untrusted: anything that is not a
/// clean tag is dropped, and at most [`MAX_TAGS`] are kept.
pub fn tags_from_stored(text: &str) -> Vec<String> {
    let Ok(values) = serde_json::from_str::<Vec<serde_json::Value>>(text) else {
        return Vec::new();
    };
    let strings: Vec<String> = values
        .iter()
        .filter_map(|v| v.as_str())
        .filter_map(|t| clean_tag(t).ok())
        .collect();
    apply_tags(&[], &strings[..strings.len().min(MAX_TAGS)], &[]).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|t| (*t).to_owned()).collect()
    }

    #[test]
    fn tags_are_cleaned_and_bounded() {
        assert_eq!(clean_tag("  best   take ").unwrap(), "best take");
        assert_eq!(clean_tag("猫 🐴").unwrap(), "猫 🐴");
        assert!(clean_tag("   ").is_err());
        assert!(clean_tag("a\u{7}b").is_err());
        assert!(clean_tag("best\u{202E}ekat").is_err());
        assert!(clean_tag("\u{200B}").is_err());
        assert!(clean_tag(&"x".repeat(MAX_TAG_CHARS + 1)).is_err());
        assert!(clean_tag(&"猫".repeat(MAX_TAG_CHARS)).is_ok());
    }

    #[test]
    fn adding_and_removing_ignores_case_and_keeps_order() {
        let tags = apply_tags(&s(&["Best", "cat"]), &s(&["best", "dog"]), &s(&["CAT"])).unwrap();
        assert_eq!(tags, s(&["Best", "dog"]));
        let full: Vec<String> = (0..MAX_TAGS).map(|i| format!("t{i}")).collect();
        assert!(apply_tags(&full, &s(&["one more"]), &[]).is_err());
        assert_eq!(apply_tags(&full, &s(&["t3"]), &[]).unwrap().len(), MAX_TAGS);
    }

    #[test]
    fn stored_tags_are_untrusted() {
        assert_eq!(
            tags_from_stored(r#"["a", 3, null, "", "b\u0007", "A", "c"]"#),
            s(&["a", "c"])
        );
        assert!(tags_from_stored("not json").is_empty());
        assert!(tags_from_stored(r#"{"a": 1}"#).is_empty());
        let many: Vec<String> = (0..100).map(|i| format!("\"t{i}\"")).collect();
        assert_eq!(
            tags_from_stored(&format!("[{}]", many.join(","))).len(),
            MAX_TAGS
        );
    }
}
