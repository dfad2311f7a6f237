//! `paddock key`: the key in the system keyring, read from stdin and never echoed.

use std::io::{IsTerminal, Read};

use super::{fail, KeyAction};
use crate::keys::KeySource;
use crate::paddock::Paddock;

/// One line from stdin, at most 4 KiB (a key is far shorter). From a terminal the
/// typing is not echoed: `stty -echo` for the read, and the old mode back after.
fn read_secret_line() -> std::io::Result<String> {
    use std::io::BufRead;
    let on_terminal = std::io::stdin().is_terminal();
    set_echo(false);
    let mut line = Vec::new();
    let read = std::io::stdin()
        .lock()
        .take(4096)
        .read_until(b'\n', &mut line);
    set_echo(true);
    if on_terminal {
        eprintln!();
    }
    read?;
    Ok(String::from_utf8_lossy(&line).into_owned())
}

/// Turns the terminal's echo off or on (Unix, and only when stdin is a terminal).
fn set_echo(on: bool) {
    if cfg!(unix) && std::io::stdin().is_terminal() {
        let _ = std::process::Command::new("stty")
            .arg(if on { "echo" } else { "-echo" })
            .stdin(std::process::Stdio::inherit())
            .status();
    }
}

pub(super) async fn key(paddock: &Paddock, action: KeyAction) -> u8 {
    match action {
        KeyAction::Set => {
            if std::io::stdin().is_terminal() {
                eprintln!(
                    "Paste the API key and press Enter (it is not echoed to the history or logs):"
                );
            }
            // Read on a blocking thread; Ctrl+C meanwhile turns echo back on first.
            let read = tokio::task::spawn_blocking(read_secret_line);
            let line = tokio::select! {
                read = read => match read {
                    Ok(Ok(line)) => line,
                    Ok(Err(e)) => {
                        eprintln!("paddock: could not read stdin: {e}");
                        return 2;
                    }
                    Err(e) => {
                        eprintln!("paddock: could not read stdin: {e}");
                        return 2;
                    }
                },
                _ = tokio::signal::ctrl_c() => {
                    set_echo(true);
                    eprintln!();
                    return 130;
                }
            };
            match paddock.set_key(&line).await {
                Ok(status) => {
                    println!(
                        "stored in the system keyring ({})",
                        status.hint.unwrap_or_default()
                    );
                    0
                }
                Err(e) => fail(&e),
            }
        }
        KeyAction::Status => match paddock.key_status().await {
            Ok(s) => {
                let base = paddock
                    .base_url()
                    .map(|b| b.as_str().to_owned())
                    .unwrap_or_default();
                let hint = s.hint.unwrap_or_default();
                match s.source {
                    KeySource::Keyring => println!("{base}: stored in the system keyring ({hint})"),
                    KeySource::Environment => {
                        println!("{base}: from the ANYFAST_API_KEY environment variable ({hint})")
                    }
                    KeySource::None => println!("{base}: not set"),
                }
                if let Some(e) = s.keyring_error {
                    eprintln!("paddock: {e}");
                }
                if s.source == KeySource::None {
                    3
                } else {
                    0
                }
            }
            Err(e) => fail(&e),
        },
        KeyAction::Remove => match paddock.remove_key().await {
            Ok(_) => {
                println!("removed from the system keyring");
                0
            }
            Err(e) => fail(&e),
        },
    }
}
