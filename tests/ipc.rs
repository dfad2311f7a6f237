//! The webview's door, through Tauri's real IPC layer on a mock runtime: the
//! command names the page calls, the capability that grants them, and the
//! `{code, message}` shape of every error.
#![cfg(feature = "desktop")]

mod support;

use std::sync::Arc;

use paddock::gateway::ClientConfig;
use paddock::keys::KeyStore;
use paddock::paddock::Paddock;
use serde_json::{json, Value};
use support::memory_keyring::MemoryKeyring;
use support::temp_dir;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::Manager;

fn app(name: &str) -> tauri::App<tauri::test::MockRuntime> {
    let dir = temp_dir(name);
    std::env::set_var("PADDOCK_DATA_DIR", &dir);
    let keys = KeyStore::new(Arc::new(MemoryKeyring::default()), None);
    let paddock = Paddock::open(&dir, keys, ClientConfig::default()).expect("open the core");
    let mut app = paddock::desktop::build_app(mock_builder(), paddock)
        .build(tauri::generate_context!("tauri.conf.json"))
        .expect("build the app");
    // The app's own setup (the core managed, the poller started) runs with the event
    // loop: one turn of it is all a test needs, so the busy-loop warning does not apply.
    #[allow(deprecated)]
    app.run_iteration(|_, _| {});
    // On the mock runtime the window the app's setup builds may not exist yet; the
    // label is what the capability is granted to.
    if app.get_webview_window("main").is_none() {
        tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .expect("the main window");
    }
    app
}

fn invoke(
    app: &tauri::App<tauri::test::MockRuntime>,
    cmd: &str,
    args: Value,
) -> Result<Value, Value> {
    let window = app.get_webview_window("main").expect("the main window");
    get_ipc_response(
        &window,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|body| body.deserialize::<Value>().expect("a JSON answer"))
}

#[test]
fn the_page_commands_answer_and_errors_are_code_and_message() {
    let app = app("ipc");
    assert_eq!(invoke(&app, "list_tasks", json!({})), Ok(json!([])));
    let added = invoke(
        &app,
        "add_tasks",
        json!({"text": "asyntask_jwgfhsG0m2aDjLmiiELRf74eoWmss6ya"}),
    )
    .unwrap();
    assert_eq!(added["added"], 1);
    let rows = invoke(&app, "list_tasks", json!({})).unwrap();
    assert_eq!(rows[0]["id"], "asyntask_jwgfhsG0m2aDjLmiiELRf74eoWmss6ya");
    assert_eq!(rows[0]["tracking"], "active");
    let newest = invoke(&app, "list_newest_tasks", json!({"limit": 0})).unwrap();
    assert_eq!(newest, json!({"rows": [], "total": 1}));
    let newest = invoke(&app, "list_newest_tasks", json!({"limit": 5})).unwrap();
    assert_eq!(newest["total"], 1);
    assert_eq!(newest["rows"][0]["id"], rows[0]["id"]);

    let err = invoke(&app, "task_detail", json!({"id": "../../etc/passwd"})).unwrap_err();
    assert_eq!(err["code"], "invalid_id");
    assert!(
        err["message"].as_str().unwrap().contains("letters, digits"),
        "{err}"
    );

    // The page cannot name a path to save to: a ticket it was never given is refused.
    let err = invoke(
        &app,
        "save_video",
        json!({"id": "asyntask_jwgfhsG0m2aDjLmiiELRf74eoWmss6ya", "ticket": "/etc/passwd", "onProgress": "__CHANNEL__:1"}),
    );
    assert!(err.is_err(), "{err:?}");
}

#[test]
fn a_command_the_capability_does_not_grant_is_refused() {
    let app = app("ipc-denied");
    let denied = invoke(
        &app,
        "plugin:opener|open_url",
        json!({"url": "https://example.com"}),
    );
    assert!(denied.is_err(), "{denied:?}");
    let unknown = invoke(&app, "delete_everything", json!({}));
    assert!(unknown.is_err(), "{unknown:?}");
}

/// Drag out names tasks, never paths, and every one must be saved: an unsaved one
/// says so (the system drag itself needs a real window; the e2e test starts one).
#[test]
fn dragging_out_refuses_what_is_not_a_saved_task() {
    let app = app("ipc-drag");
    let id = "asyntask_jwgfhsG0m2aDjLmiiELRf74eoWmss6ya";
    invoke(&app, "add_tasks", json!({ "text": id })).unwrap();
    let err = invoke(&app, "drag_out", json!({ "ids": [id] })).unwrap_err();
    assert_eq!(err["code"], "not_saved", "{err}");
    assert!(err["message"].as_str().unwrap().contains(id));
    let err = invoke(&app, "drag_out", json!({ "ids": ["/etc/passwd"] })).unwrap_err();
    assert_eq!(err["code"], "invalid_id", "{err}");
    let err = invoke(&app, "drag_out", json!({ "ids": [] })).unwrap_err();
    assert_eq!(err["code"], "invalid_request", "{err}");
}
