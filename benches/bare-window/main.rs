//! The floor that `./dev bench` compares Paddock's start-up and memory against: a
//! bare Tauri 2 window of the same size with an empty page, built with the same
//! profile. The page requests `bench://localhost/painted` once its first frame is
//! on screen; that request is the line the bench waits for.

fn main() {
    let started = std::time::Instant::now();
    let result = tauri::Builder::default()
        .register_uri_scheme_protocol("bench", move |_ctx, request| {
            eprintln!(
                "bare window painted its page ({} ms after start; {})",
                started.elapsed().as_millis(),
                request.uri()
            );
            tauri::http::Response::builder()
                .header("Access-Control-Allow-Origin", "*")
                .body(Vec::new())
                .unwrap_or_default()
        })
        .run(tauri::generate_context!(
            "benches/bare-window/tauri.conf.json"
        ));
    if let Err(e) = result {
        eprintln!("bare-window: {e}");
        std::process::exit(1);
    }
}
