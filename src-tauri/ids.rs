//! Task IDs: validating one, and finding them in whatever the user pastes.
//!
//! Anyfast documents `asyntask_` + 32 letters and digits, stock new-api gateways use
//! `task_` + 32, and old rows may carry a bare UUID, so any `[A-Za-z0-9_-]{1,128}` is a
//! valid ID. Inside free text only the documented form is recognised wherever it
//! stands; any other ID counts only when it is alone on its own line, because a
//! word like `error_code` in a log would otherwise become a "task".

use std::collections::HashSet;
use std::fmt;

use serde::Serialize;

/// The documented prefix of Anyfast task IDs.
pub const ANYFAST_PREFIX: &str = "asyntask_";
/// How many letters and digits follow the prefix.
const ANYFAST_SUFFIX_LEN: usize = 32;
const MAX_ID_LEN: usize = 128;

/// A task ID that passed validation, so it is safe to put in a URL path.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct TaskId(String);

impl TaskId {
    /// Accepts `[A-Za-z0-9_-]{1,128}` after trimming surrounding whitespace.
    pub fn parse(text: &str) -> Result<Self, InvalidTaskId> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(InvalidTaskId::Empty);
        }
        if trimmed.chars().count() > MAX_ID_LEN {
            return Err(InvalidTaskId::TooLong);
        }
        if let Some(bad) = trimmed.chars().find(|c| !is_id_char(*c)) {
            return Err(InvalidTaskId::BadChar(bad));
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TaskId({})", self.0)
    }
}

/// Why a text is not a task ID; the message tells the user what an ID looks like.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidTaskId {
    #[error("Enter a task ID, such as asyntask_ followed by 32 letters and digits.")]
    Empty,
    #[error("This is too long to be a task ID (at most 128 characters).")]
    TooLong,
    #[error("A task ID contains only letters, digits, '_' and '-', not {0:?}.")]
    BadChar(char),
}

fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// What a paste yielded: the IDs in order of first appearance, without duplicates,
/// and how many lines looked like something but were not task IDs.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct Extraction {
    pub ids: Vec<TaskId>,
    pub duplicates: usize,
    pub rejected: usize,
}

/// Finds every task ID in pasted text: `asyntask_` + 32 alphanumerics anywhere
/// (inside JSON, CSV, logs, next to Chinese punctuation), and any other valid ID
/// standing alone on its own line. Linear in the text length.
pub fn extract_ids(text: &str) -> Extraction {
    let mut out = Extraction::default();
    let mut seen = HashSet::new();
    let mut push = |id: TaskId, out: &mut Extraction| {
        if seen.insert(id.clone()) {
            out.ids.push(id);
        } else {
            out.duplicates += 1;
        }
    };
    for line in text.lines() {
        let found = documented_ids_in(line);
        if !found.is_empty() {
            for id in found {
                push(id, &mut out);
            }
            continue;
        }
        let candidate = line
            .trim()
            .trim_matches(|c: char| c == '"' || c == '\'' || c == ',');
        if candidate.is_empty() {
            continue;
        }
        match TaskId::parse(candidate) {
            Ok(id) => push(id, &mut out),
            Err(_) => out.rejected += 1,
        }
    }
    out
}

/// The documented IDs in one line. A match must not be glued to more ID characters
/// on either side, so `xasyntask_…` or an ID with a 33rd letter is not taken.
fn documented_ids_in(line: &str) -> Vec<TaskId> {
    let bytes = line.as_bytes();
    let mut ids = Vec::new();
    let mut from = 0;
    while let Some(pos) = line[from..].find(ANYFAST_PREFIX) {
        let start = from + pos;
        let body_start = start + ANYFAST_PREFIX.len();
        let body_len = bytes[body_start..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        let end = body_start + body_len;
        let glued_before = start > 0 && is_id_char(bytes[start - 1] as char);
        let glued_after = end < bytes.len() && (bytes[end] == b'_' || bytes[end] == b'-');
        if body_len == ANYFAST_SUFFIX_LEN && !glued_before && !glued_after {
            ids.push(TaskId(line[start..end].to_owned()));
        }
        from = end.max(body_start);
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "asyntask_jwgfhsG0m2aDjLmiiELRf74eoWmss6ya";
    const B: &str = "asyntask_ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

    fn ids(text: &str) -> Vec<String> {
        extract_ids(text)
            .ids
            .iter()
            .map(|i| i.to_string())
            .collect()
    }

    #[test]
    fn parse_accepts_every_documented_shape() {
        assert!(TaskId::parse(A).is_ok());
        assert!(TaskId::parse("task_Q2hpY2tlbkVnZ1NvdXBCb3dsMTIzNDU2").is_ok());
        assert!(TaskId::parse("e45a6a1b-6f05-43e5-ab06-ddfdc97587a7").is_ok());
        assert_eq!(TaskId::parse(&format!("  {A}\n")).unwrap().as_str(), A);
    }

    #[test]
    fn parse_rejects_with_a_reason() {
        assert_eq!(TaskId::parse("  "), Err(InvalidTaskId::Empty));
        assert_eq!(TaskId::parse("a/b"), Err(InvalidTaskId::BadChar('/')));
        assert_eq!(TaskId::parse("任务"), Err(InvalidTaskId::BadChar('任')));
        assert_eq!(TaskId::parse(&"a".repeat(129)), Err(InvalidTaskId::TooLong));
        assert!(TaskId::parse(&"a".repeat(128)).is_ok());
    }

    #[test]
    fn finds_ids_inside_json_logs_and_csv() {
        let json = format!(r#"{{"code":"success","data":{{"task_id":"{A}"}}}}"#);
        assert_eq!(ids(&json), [A]);
        let log =
            format!("2026-11-28 10:00:01 INFO submitted task={A} ok\n[warn] retry {B}, later");
        assert_eq!(ids(&log), [A, B]);
        let csv = format!("id,prompt\n{A},\"a cat\"\n{B},dog");
        assert_eq!(ids(&csv), [A, B]);
    }

    #[test]
    fn finds_ids_next_to_chinese_punctuation() {
        let text = format!("任务（{A}）已提交，另一个：{B}。");
        assert_eq!(ids(&text), [A, B]);
    }

    #[test]
    fn drops_duplicates_and_counts_them() {
        let e = extract_ids(&format!("{A}\n{A} {B}\n{A}"));
        assert_eq!(e.ids.len(), 2);
        assert_eq!(e.duplicates, 2);
    }

    #[test]
    fn other_ids_count_only_alone_on_a_line() {
        let e =
            extract_ids("task_Q2hpY2tlbkVnZ1NvdXBCb3dsMTIzNDU2\nerror_code in a sentence\nhello");
        assert_eq!(
            e.ids.len(),
            2,
            "the task_ ID and the bare word 'hello' line"
        );
        assert_eq!(e.rejected, 1);
        let e = extract_ids("the task task_Q2hp failed");
        assert!(e.ids.is_empty());
    }

    #[test]
    fn does_not_take_ids_glued_to_more_characters() {
        assert!(ids(&format!("see x{A} here")).is_empty());
        assert!(ids(&format!("see {A}Z here")).is_empty());
        assert!(ids(&format!("see {A}_x here")).is_empty());
        assert_eq!(ids(&format!("\"{A}\"")), [A]);
    }

    #[test]
    fn megabytes_of_text_are_handled() {
        let mut text = String::new();
        for i in 0..100_000 {
            text.push_str(&format!("line {i} some log noise 一些中文 {A}\n"));
        }
        text.push_str(B);
        assert!(text.len() > 5_000_000);
        let e = extract_ids(&text);
        assert_eq!(e.ids.len(), 2);
        assert_eq!(e.duplicates, 99_999);
    }
}
