//! The seat-selection widget in a real browser: `tests/browser/widget.mjs` drives Debian's
//! Chromium (playwright-core, no browser download) as two buyers against the real application,
//! and checks a hold is seen by the other buyer within a second, resumes after a reload and is
//! released. The test is skipped, saying why, when Chromium, Node or `tests/browser/node_modules`
//! is missing (`scripts/install-browser.sh` installs them).
//!
//! The application runs on the system clock, not the manual clock of `spawn_app`: the page
//! counts down to `lock_expires` against the browser's clock (corrected by the server's `Date`
//! header), so a lock stamped by a clock standing at [`START`] would look long expired.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use holdfast::actor::SystemClock;
use holdfast::config::Config;
use holdfast::startup::Application;
use serde_json::json;

use crate::helpers::*;

/// Why the browser test cannot run here, or `None` when it can.
fn missing_tools(browser_dir: &Path, chromium: &Path) -> Option<String> {
    if !chromium.exists() {
        return Some(format!("no Chromium at {}", chromium.display()));
    }
    if Command::new("node").arg("--version").output().is_err() {
        return Some("no node on PATH".into());
    }
    if !browser_dir.join("node_modules/playwright-core").is_dir() {
        return Some("tests/browser/node_modules missing; run npm ci in tests/browser".into());
    }
    None
}

#[actix_web::test]
async fn the_widget_holds_two_seats_and_a_second_browser_sees_them_within_a_second() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let browser_dir = root.join("tests/browser");
    let chromium =
        std::env::var_os("CHROMIUM").map_or_else(|| "/usr/bin/chromium".into(), PathBuf::from);
    if let Some(reason) = missing_tools(&browser_dir, &chromium) {
        eprintln!("skipped: {reason}");
        return;
    }

    // The demo catalogue: a 1,000-seat house with aisles, rules forbidding single-seat gaps.
    let data_dir = tempfile::tempdir().expect("a temporary directory");
    let config = Config {
        bind: "127.0.0.1:0".into(),
        data_dir: data_dir.path().to_path_buf(),
        admin_key: Some(ADMIN_KEY.into()),
        demo: true,
        actor_threads: 2,
        http_workers: 2,
        exit_on_storage_failure: false,
        ..Config::default()
    };
    let app = Application::build(config, Arc::new(SystemClock))
        .await
        .expect("the application builds");
    let base = format!("http://{}", app.address());
    let server = app.server_handle();
    let running = actix_web::rt::spawn(app.run_until_stopped());

    let answer = reqwest::Client::new()
        .post(format!("{base}/clients"))
        .header("X-API-Key", ADMIN_KEY)
        .json(&json!({"name": "widget", "role": "widget"}))
        .send()
        .await
        .expect("the request is sent");
    let answer = TestApp::answer(answer).await;
    let key = answer.assert_status(201)["key"]
        .as_str()
        .expect("a key")
        .to_owned();

    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let screenshots = target.join("widget-screenshots");
    let performance = holdfast::demo::PERFORMANCE_IDS[0];
    // The browser runs for several seconds: off the runtime's thread, which keeps serving.
    let output = actix_web::rt::task::spawn_blocking(move || {
        Command::new("node")
            .arg("widget.mjs")
            .args([base.as_str(), performance, key.as_str()])
            .arg(&screenshots)
            .env("CHROMIUM", &chromium)
            .current_dir(&browser_dir)
            .output()
    })
    .await
    .expect("the browser task ends")
    .expect("node starts");

    server.stop(true).await;
    running
        .await
        .expect("the server task ends")
        .expect("the server stops cleanly");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "widget.mjs failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    println!("{stdout}");
}
