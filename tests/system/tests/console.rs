//! The web console in headless Chromium against the real API and dispatcher: the steps
//! live in `console/e2e/console.e2e.mjs` (Playwright); this test starts the services on
//! a fresh database, hands the script the API's address and a tenant key, and fails if
//! any step fails. Screenshots land in `console/screenshots/`.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use hookrelay_api::startup::Application;
use hookrelay_dispatcher::startup::Dispatcher;
use hookrelay_testkit::api::ApiClient;
use hookrelay_testkit::{test_settings, TestDb};
use tokio_util::sync::CancellationToken;

fn console_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../console")
}

/// Why the browser test cannot run here, if it cannot: `scripts/ensure-console.sh`
/// (run by `make test`) installs what is missing where it can.
fn missing_tools(chromium: &Path) -> Option<String> {
    if std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_err()
    {
        return Some("node is not installed".into());
    }
    if !console_dir().join("node_modules/playwright-core").is_dir() {
        return Some("console/node_modules is missing (run `npm ci` in console/)".into());
    }
    if !chromium.exists() {
        return Some(format!("{} is not installed", chromium.display()));
    }
    None
}

#[tokio::test]
async fn console_works_in_a_real_browser() {
    let chromium = PathBuf::from(std::env::var("CHROMIUM").unwrap_or("/usr/bin/chromium".into()));
    if let Some(why) = missing_tools(&chromium) {
        // CI sets HOOKRELAY_REQUIRE_BROWSER: there, a missing browser is a failure.
        assert!(
            std::env::var_os("HOOKRELAY_REQUIRE_BROWSER").is_none(),
            "the console's browser test cannot run: {why}"
        );
        eprintln!("skipped: the console's browser test cannot run: {why}");
        return;
    }
    let db = TestDb::create().await;
    let settings = test_settings(&db.url);
    let app = Application::build(settings.clone(), db.pool.clone()).expect("build api");
    let api = ApiClient::new(format!("http://127.0.0.1:{}", app.port()));
    tokio::spawn(app.run_until_stopped());
    let stop = CancellationToken::new();
    Dispatcher::start(settings, db.pool.clone(), stop.clone()).expect("start dispatcher");
    let _stop = stop.drop_guard();
    let key = api.create_tenant("acme").await.key;
    // A workflow's refused callback, as the ingester logs it (its own tests cover that):
    // the console's callback page lists it.
    let tenant = api.get_json(&key, "/v1/tenant").await;
    let tenant_id: uuid::Uuid = tenant["id"].as_str().expect("id").parse().expect("uuid");
    db.pool
        .get()
        .await
        .expect("client")
        .execute(
            "INSERT INTO callbacks (tenant_id, post_id, outcome, http_status, error, body_excerpt) \
             VALUES ($1, 7, 'invalid_fields', 422, 'status: unknown variant `PUBLISHED`', \
                     '{\"post_id\": 7, \"status\": \"PUBLISHED\"}')",
            &[&tenant_id],
        )
        .await
        .expect("a logged callback");
    let mut child = tokio::process::Command::new("node")
        .arg(console_dir().join("e2e/console.e2e.mjs"))
        .env("HOOKRELAY_URL", &api.address)
        .env("HOOKRELAY_KEY", &key)
        .env("SCREENSHOT_DIR", console_dir().join("screenshots"))
        .env("CHROMIUM", &chromium)
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start node");
    let status = tokio::time::timeout(Duration::from_secs(240), child.wait())
        .await
        .expect("the browser test finished within 4 minutes")
        .expect("wait for node");
    assert!(
        status.success(),
        "a console step failed (see its output above): {status}"
    );
}
