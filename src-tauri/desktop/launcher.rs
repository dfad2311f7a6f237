//! Opening a file, a folder or a link with the desktop's default application.
//!
//! On Linux the launchers are the `open` crate's, tried in its order (`xdg-open`,
//! then `gio open` and the rest), as the opener plugin tries them. The difference is
//! their environment. What Paddock set for WebKit (`webview_settings`) is left out,
//! so a browser built on WebKit that Paddock starts runs as it would anywhere else,
//! its JIT included. (`ANYFAST_API_KEY` is not there to inherit: `run_window` takes
//! it out of Paddock's environment once the key store has read it.)

use std::ffi::OsStr;
use std::io;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// How long a launcher has to fail before it counts as started: the `open` crate's
/// own figure. `xdg-open` may wait for the application it started.
const FAILURE_CHECK: Duration = Duration::from_millis(250);

/// Opens `target` (a path or a URL) with the desktop's default application. It
/// blocks for up to a quarter of a second per launcher it tries, so it belongs on a
/// thread of its own, not on the main thread or the async runtime.
pub fn open_detached(target: impl AsRef<OsStr>) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        let leave_out = super::webview_settings::variables_set_for_webkit();
        first_that_starts(open::commands(target), &leave_out, FAILURE_CHECK)
    }
    // Elsewhere a launcher's exit status means something else (Explorer's is not a
    // failure): the crate's own rules apply.
    #[cfg(not(target_os = "linux"))]
    open::that_detached(target)
}

/// Starts each command in turn, without the `leave_out` variables, until one has not
/// failed within `wait`. The error is the first launcher's failure, or else why none
/// could be started.
fn first_that_starts(commands: Vec<Command>, leave_out: &[&str], wait: Duration) -> io::Result<()> {
    let mut failure = None;
    let mut not_started = None;
    for mut command in commands {
        for name in leave_out {
            command.env_remove(name);
        }
        command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // Not in Paddock's process group: a Ctrl+C meant for Paddock in a terminal
        // leaves the launcher and what it starts alone.
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let program = command.get_program().to_string_lossy().into_owned();
        match command.spawn() {
            Err(e) => not_started = Some(e),
            // A launcher that cannot be watched may still have opened the target: no
            // second one, which could open it twice.
            Ok(child) => match settle(child, wait)? {
                None => return Ok(()),
                Some(status) => {
                    failure.get_or_insert_with(|| {
                        io::Error::other(format!("{program} failed ({status})"))
                    });
                }
            },
        }
    }
    Err(failure
        .or(not_started)
        .unwrap_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no program to open it with")))
}

/// Waits up to `wait` for a launcher: its exit status if it failed by then, `None`
/// if it succeeded or is still running. One still running, or one that cannot be
/// watched, is reaped by a thread of its own when it exits.
fn settle(mut child: Child, wait: Duration) -> io::Result<Option<ExitStatus>> {
    let started = Instant::now();
    let outcome = loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ok((!status.success()).then_some(status)),
            Ok(None) if started.elapsed() >= wait => break Ok(None),
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => break Err(e),
        }
    };
    // Should no thread start, the launcher stays a zombie until Paddock quits.
    let _ = std::thread::Builder::new()
        .name("launcher-reaper".into())
        .stack_size(64 * 1024)
        .spawn(move || child.wait());
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A launcher that writes its environment to `out` and exits with `code`.
    fn launcher(out: &std::path::Path, code: i32) -> Command {
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(format!("env > '{}'; exit {code}", out.display()))
            .env("PADDOCK_TEST_FOR_WEBKIT", "set by Paddock")
            .env("PADDOCK_TEST_THE_USERS", "set by the user");
        command
    }

    /// A file name of this test run's own in the temporary folder, not there yet.
    fn scratch(name: &str) -> std::path::PathBuf {
        let path =
            std::env::temp_dir().join(format!("paddock-launcher-{}-{name}", std::process::id()));
        let _ = std::fs::remove_file(&path);
        path
    }

    #[test]
    fn a_launcher_gets_the_environment_without_what_paddock_set_for_webkit() {
        let out = scratch("env-seen");
        let missing = Command::new("/nonexistent/paddock-test-launcher");
        first_that_starts(
            vec![missing, launcher(&out, 0)],
            &["PADDOCK_TEST_FOR_WEBKIT"],
            Duration::from_secs(5),
        )
        .expect("the second launcher starts");
        let seen = std::fs::read_to_string(&out).expect("the launcher wrote its environment");
        assert!(seen.contains("PADDOCK_TEST_THE_USERS=set by the user"));
        assert!(!seen.contains("PADDOCK_TEST_FOR_WEBKIT"), "{seen}");
        let _ = std::fs::remove_file(out);
    }

    #[test]
    fn a_failing_launcher_hands_over_and_its_failure_is_the_error() {
        let (first, second) = (scratch("first"), scratch("second"));
        first_that_starts(
            vec![launcher(&first, 3), launcher(&second, 0)],
            &[],
            Duration::from_secs(5),
        )
        .expect("the second launcher starts");
        assert!(first.exists() && second.exists());

        let failed = first_that_starts(
            vec![launcher(&first, 3), Command::new("/nonexistent/launcher")],
            &[],
            Duration::from_secs(5),
        )
        .expect_err("no launcher worked");
        assert!(failed.to_string().contains("sh failed"), "{failed}");
        let none = first_that_starts(Vec::new(), &[], Duration::ZERO).expect_err("nothing to try");
        assert_eq!(none.kind(), io::ErrorKind::NotFound);
        let _ = (std::fs::remove_file(first), std::fs::remove_file(second));
    }

    #[test]
    fn a_launcher_still_running_counts_as_started() {
        let mut slow = Command::new("sh");
        slow.arg("-c").arg("sleep 2; exit 1");
        let started = Instant::now();
        first_that_starts(vec![slow], &[], Duration::from_millis(100)).expect("still running");
        assert!(started.elapsed() < Duration::from_secs(2));
    }
}
