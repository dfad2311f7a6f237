//! The first screen's data, handed to the main window's page with the page itself:
//! a script Tauri runs before the page's own, which holds the settings and the
//! newest rows as `get_settings` and `list_newest_tasks` would answer them. The page
//! (`ui/js/boot.js`) then draws without waiting on an IPC round trip, whose answers
//! would also have queued behind the page's module fetches on the same path: about
//! 10 ms of start-up (`./dev bench`). The script is fixed when the window is built,
//! so the page takes it only on its first load; a reload asks over IPC.

use crate::paddock::{Paddock, SettingsView};
use crate::tasks::NewestRows;

/// The rows of the first screen, as `ui/js/boot.js` asks for them (FIRST_SCREEN_ROWS).
pub const FIRST_SCREEN_ROWS: usize = 200;

/// The global the page reads the data from, once.
const GLOBAL: &str = "__PADDOCK_FIRST_SCREEN__";

/// The script for `WebviewWindowBuilder::initialization_script`. The data goes in as
/// a JSON string given to `JSON.parse`, not as a JavaScript literal: nothing in it
/// (a prompt from the gateway, a `"__proto__"` key) can be read as code or reach a
/// prototype. Tauri runs the script in whatever the window shows, so it hands the
/// data only to Paddock's own page (`tauri://localhost` here and on macOS,
/// `http(s)://tauri.localhost` on Windows), never to a page the webview was taken to
/// (a dropped link). Rows that cannot be read now are left out; the page asks.
pub fn script(paddock: &Paddock) -> String {
    let data = FirstScreen {
        settings: paddock.settings(),
        newest: paddock.newest_rows(FIRST_SCREEN_ROWS).ok(),
    };
    script_for(&data)
}

/// What `get_settings` and `list_newest_tasks` would answer.
#[derive(serde::Serialize)]
struct FirstScreen {
    settings: SettingsView,
    newest: Option<NewestRows>,
}

fn script_for(data: &impl serde::Serialize) -> String {
    // Nothing here fails to serialize (string keys only); were it to, the page asks.
    let json = serde_json::to_string(data).unwrap_or_else(|_| "null".to_owned());
    // A JSON string literal is a JavaScript string literal (ES2019 and later).
    let literal = serde_json::Value::String(json).to_string();
    format!(
        "if ((location.protocol === 'tauri:' && location.host === 'localhost') || ((location.protocol === 'http:' || location.protocol === 'https:') && location.host === 'tauri.localhost')) \
         Object.defineProperty(window, '{GLOBAL}', {{ value: JSON.parse({literal}), configurable: true }});"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The JSON text the script hands to `JSON.parse`, read back the way it does.
    fn handed_over(script: &str) -> serde_json::Value {
        let start = script.find("JSON.parse(").expect("JSON.parse") + "JSON.parse(".len();
        let end = script.rfind("), configurable").expect("the call's end");
        let literal = script.get(start..end).expect("the literal's bounds");
        let text: String = serde_json::from_str(literal).expect("a string literal");
        serde_json::from_str(&text).expect("JSON")
    }

    #[test]
    fn the_page_and_the_window_agree_on_the_first_screen() {
        let boot = include_str!("../../ui/js/boot.js");
        assert!(boot.contains(&format!("FIRST_SCREEN_ROWS = {FIRST_SCREEN_ROWS};")));
        assert!(boot.contains(GLOBAL));
    }

    #[test]
    fn hostile_text_stays_data() {
        let prompt = "\"); alert(1); (\" \\ </script> \u{2028}\u{2029} \u{0} 猫 🐎 ${x} `y`";
        let data = serde_json::json!({
            "settings": {"language": "zh"},
            "newest": {"rows": [{"id": "asyntask_1", "prompt": prompt, "__proto__": {"polluted": true}}], "total": 1},
        });
        let script = script_for(&data);
        assert_eq!(handed_over(&script), data);
        // Only for Paddock's own page, as one statement.
        assert!(script.starts_with(
            "if ((location.protocol === 'tauri:' && location.host === 'localhost') || ((location.protocol === 'http:' || location.protocol === 'https:') && location.host === 'tauri.localhost')) Object.defineProperty(window, '__PADDOCK_FIRST_SCREEN__', { value: JSON.parse(\""
        ));
        assert!(!script.contains('\n'));
    }
}
