//! The few things Paddock says outside the page (the tray, notifications, the quit
//! question), in the page's two languages. The page keeps its own table
//! (`ui/js/strings`); these are the native ones, in one place, so a missing
//! translation is a compile error rather than an English word in a Chinese menu.

use super::Activity;

/// The language of the native words: the setting, else the system's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    English,
    Chinese,
}

impl Language {
    /// `setting` is Settings' `language` ("en", "zh", or "" for the system's);
    /// `system` is `LANG`.
    pub fn choose(setting: &str, system: Option<&str>) -> Self {
        match setting {
            "zh" => Self::Chinese,
            "en" => Self::English,
            _ if system.is_some_and(|l| l.starts_with("zh")) => Self::Chinese,
            _ => Self::English,
        }
    }

    pub fn say(self, word: Word) -> &'static str {
        let (en, zh) = word.texts();
        match self {
            Self::English => en,
            Self::Chinese => zh,
        }
    }

    /// The tray's line: "3 running, 1 saving, 2 ready", or that all is quiet. A
    /// rejected key comes first: it is why nothing moves.
    pub fn summary(self, activity: &Activity) -> String {
        let zh = self == Self::Chinese;
        let mut parts = Vec::new();
        if activity.needs_user {
            parts.push(self.say(Word::KeyNeeded).to_owned());
        }
        for (n, en, cn) in [
            (activity.running, "running", "个运行中"),
            (activity.saving, "saving", "个保存中"),
            (activity.ready, "ready", "个待查看"),
        ] {
            if n > 0 {
                parts.push(if zh {
                    format!("{n} {cn}")
                } else {
                    format!("{n} {en}")
                });
            }
        }
        if parts.is_empty() {
            self.say(Word::NothingRunning).to_owned()
        } else {
            parts.join(if zh { "，" } else { ", " })
        }
    }

    /// The question before quitting while videos are still being saved.
    pub fn quit_while_saving(self, saving: usize) -> String {
        match self {
            Self::English => {
                format!("{saving} video(s) are still being saved. Quit and stop saving them?")
            }
            Self::Chinese => format!("仍有 {saving} 个视频正在保存。退出并停止保存吗？"),
        }
    }
}

/// Every native word, each with its English and Chinese text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Word {
    ShowPaddock,
    PauseWatching,
    ResumeWatching,
    OpenSaveFolder,
    Quit,
    KeepSaving,
    NothingRunning,
    KeyNeeded,
    VideoReady,
    TaskFailed,
    KeepsWorkingTitle,
    KeepsWorkingBody,
    QuitWhileCreating,
}

impl Word {
    pub const ALL: [Word; 13] = [
        Word::ShowPaddock,
        Word::PauseWatching,
        Word::ResumeWatching,
        Word::OpenSaveFolder,
        Word::Quit,
        Word::KeepSaving,
        Word::NothingRunning,
        Word::KeyNeeded,
        Word::VideoReady,
        Word::TaskFailed,
        Word::KeepsWorkingTitle,
        Word::KeepsWorkingBody,
        Word::QuitWhileCreating,
    ];

    fn texts(self) -> (&'static str, &'static str) {
        match self {
            Word::ShowPaddock => ("Show Paddock", "显示 Paddock"),
            Word::PauseWatching => ("Pause watching", "暂停查询"),
            Word::ResumeWatching => ("Resume watching", "恢复查询"),
            Word::OpenSaveFolder => ("Open save folder", "打开保存文件夹"),
            Word::Quit => ("Quit", "退出"),
            Word::KeepSaving => ("Keep saving", "继续保存"),
            Word::NothingRunning => ("Nothing running", "没有运行中的任务"),
            Word::KeyNeeded => ("The API key needs you", "API 密钥需要处理"),
            Word::VideoReady => ("Video ready", "视频已生成"),
            Word::TaskFailed => ("Task failed", "任务失败"),
            Word::KeepsWorkingTitle => ("Paddock keeps working", "Paddock 仍在后台工作"),
            Word::KeepsWorkingBody => (
                "It quits by itself once your tasks are done and their videos saved. Open Paddock again to see them.",
                "任务完成、视频保存后会自动退出。再次打开 Paddock 即可查看。",
            ),
            Word::QuitWhileCreating => (
                "A new task is being sent to the gateway. Quit before its answer arrives? The task may still be created and charged, and Paddock would not know its ID.",
                "新任务正在发送到网关。要在收到回复前退出吗？任务仍可能被创建并计费，而 Paddock 将无法得知其 ID。",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_follows_the_setting_then_the_system() {
        assert_eq!(Language::choose("zh", Some("en_US")), Language::Chinese);
        assert_eq!(Language::choose("en", Some("zh_CN")), Language::English);
        assert_eq!(Language::choose("", Some("zh_CN.UTF-8")), Language::Chinese);
        assert_eq!(Language::choose("", None), Language::English);
    }

    #[test]
    fn every_word_has_both_languages_and_they_differ() {
        for word in Word::ALL {
            let (en, zh) = (Language::English.say(word), Language::Chinese.say(word));
            assert!(!en.is_empty() && !zh.is_empty(), "{word:?}");
            assert_ne!(en, zh, "{word:?} is not translated");
        }
    }

    #[test]
    fn the_summary_counts_in_both_languages() {
        let a = Activity {
            running: 3,
            saving: 1,
            ..Activity::default()
        };
        assert_eq!(Language::English.summary(&a), "3 running, 1 saving");
        assert_eq!(Language::Chinese.summary(&a), "3 个运行中，1 个保存中");
        assert_eq!(
            Language::English.summary(&Activity::default()),
            "Nothing running"
        );
        let stuck = Activity {
            running: 2,
            needs_user: true,
            ..Activity::default()
        };
        assert_eq!(
            Language::English.summary(&stuck),
            "The API key needs you, 2 running"
        );
    }
}
