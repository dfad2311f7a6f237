//! What happens when the window closes: quit, hide into the tray, or keep working
//! in the background only until nothing is left to do. Pure, so the rule is tested
//! without a window, a tray or a clock.

use serde::Serialize;

use super::Paddock;

/// What Paddock is doing, for the tray and for the background rule.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Activity {
    /// Tasks still being watched.
    pub running: usize,
    /// Videos being saved (or waiting for their turn to be auto-saved).
    pub saving: usize,
    /// Creations sent and not answered yet.
    pub creating: usize,
    /// Succeeded tasks the user has not looked at yet.
    pub ready: usize,
    /// A gateway is paused for its key: the user is needed.
    pub needs_user: bool,
}

/// What closing the window does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnClose {
    /// Nothing to keep going, or the user turned the setting off: quit.
    Quit,
    /// Hide the window; the tray brings it back, and Quit there ends Paddock.
    HideToTray,
    /// No tray to come back through: hide, keep working, and exit by itself once
    /// nothing is unfinished and nothing is being saved.
    HideUntilDone,
}

/// The rule. With the setting off, closing quits (saves in progress are asked
/// about by the caller). With it on: into the tray where there is one; else in the
/// background only while there is work, so no invisible process lives forever.
pub fn on_close(keep_watching: bool, tray: bool, activity: &Activity) -> OnClose {
    let busy = !may_exit(activity);
    match (keep_watching, tray, busy) {
        (false, _, _) => OnClose::Quit,
        (true, true, _) => OnClose::HideToTray,
        (true, false, true) => OnClose::HideUntilDone,
        (true, false, false) => OnClose::Quit,
    }
}

/// Whether a background run without a tray may end now.
pub fn may_exit(activity: &Activity) -> bool {
    activity.running == 0 && activity.saving == 0 && activity.creating == 0
}

/// How the tray icon looks: plain when all is quiet, marked while something runs
/// or saves, and marked differently when the user is needed (a rejected key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrayLook {
    Quiet,
    Working,
    NeedsUser,
}

pub fn tray_look(activity: &Activity) -> TrayLook {
    if activity.needs_user {
        TrayLook::NeedsUser
    } else if may_exit(activity) {
        TrayLook::Quiet
    } else {
        TrayLook::Working
    }
}

impl Paddock {
    /// Pauses (false) or resumes (true) all watching.
    pub fn set_watching(&self, on: bool) {
        if let Some(t) = self.tracker.get() {
            t.set_watching(on);
        }
    }

    /// Whether watching goes on.
    pub fn watching(&self) -> bool {
        self.tracker.get().is_none_or(|t| t.watching())
    }

    /// The language of the words Paddock says outside the page.
    pub fn language(&self) -> super::Language {
        super::Language::choose(
            &self.settings().settings.language,
            std::env::var("LANG").ok().as_deref(),
        )
    }

    /// What is going on now.
    pub fn activity(&self) -> Activity {
        let Some(tracker) = self.tracker.get() else {
            return Activity::default();
        };
        let tally = tracker.tally();
        Activity {
            running: tally.running,
            saving: tally.saving.max(tracker.auto_saves_pending()),
            creating: self.creating.load(std::sync::atomic::Ordering::SeqCst),
            ready: tally.ready,
            needs_user: tracker.paused().is_some(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn busy(running: usize, saving: usize) -> Activity {
        Activity {
            running,
            saving,
            ..Activity::default()
        }
    }

    #[test]
    fn closing_follows_the_setting_the_tray_and_the_work() {
        assert_eq!(on_close(false, true, &busy(3, 0)), OnClose::Quit);
        assert_eq!(on_close(true, true, &busy(0, 0)), OnClose::HideToTray);
        assert_eq!(on_close(true, false, &busy(1, 0)), OnClose::HideUntilDone);
        assert_eq!(on_close(true, false, &busy(0, 1)), OnClose::HideUntilDone);
        assert_eq!(on_close(true, false, &busy(0, 0)), OnClose::Quit);
    }

    #[test]
    fn a_background_run_ends_when_nothing_is_left() {
        assert!(!may_exit(&busy(1, 0)));
        assert!(!may_exit(&busy(0, 1)));
        // A creation is out: its answer (and the task it starts) is waited for.
        assert!(!may_exit(&Activity {
            creating: 1,
            ..busy(0, 0)
        }));
        assert!(may_exit(&Activity {
            ready: 4,
            ..busy(0, 0)
        }));
    }

    #[test]
    fn the_icon_shows_work_and_a_needed_user() {
        assert_eq!(tray_look(&busy(0, 0)), TrayLook::Quiet);
        assert_eq!(
            tray_look(&Activity {
                ready: 2,
                ..busy(0, 0)
            }),
            TrayLook::Quiet
        );
        assert_eq!(tray_look(&busy(1, 0)), TrayLook::Working);
        assert_eq!(tray_look(&busy(0, 1)), TrayLook::Working);
        assert_eq!(
            tray_look(&Activity {
                needs_user: true,
                ..busy(2, 0)
            }),
            TrayLook::NeedsUser
        );
    }
}
