//! The console's files, as hookrelay-api serves them.

use reqwest::header;
use reqwest::StatusCode;
use sha2::Digest;

use crate::helpers::{spawn_app, spawn_app_with};

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

#[tokio::test]
async fn console_is_served_from_the_binary_with_a_strict_policy() {
    let app = spawn_app().await;
    let client = no_redirects();

    let res = client
        .get(format!("{}/console", app.address))
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(res.headers()[header::LOCATION], "/console/");

    let res = client
        .get(format!("{}/console/", app.address))
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), StatusCode::OK);
    let headers = res.headers().clone();
    assert!(headers[header::CONTENT_TYPE]
        .to_str()
        .expect("ascii")
        .starts_with("text/html"));
    let csp = headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .expect("ascii");
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(headers[header::CACHE_CONTROL], "no-cache");
    let html = res.text().await.expect("body");
    assert!(html.contains(r#"<div id="app">"#));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no external CDN or font"
    );
    // Nothing holds up the first paint: the CSS is inline, allowed by its hash alone.
    assert!(!html.contains(r#"rel="stylesheet""#), "{html}");
    let style = html
        .split_once("<style>")
        .and_then(|(_, rest)| rest.split_once("</style>"))
        .map(|(css, _)| css)
        .expect("an inline <style>");
    let hash = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        sha2::Sha256::digest(style.as_bytes()),
    );
    assert!(
        csp.contains(&format!("style-src 'self' 'sha256-{hash}';")),
        "{csp}"
    );
    let script = html
        .split_once(r#"src="/console/assets/"#)
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(name, _)| format!("/console/assets/{name}"))
        .expect("the script");
    assert!(
        script.ends_with(".js") && script.contains("console-"),
        "{script}"
    );

    let res = client
        .get(format!("{}{script}", app.address))
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), StatusCode::OK);
    // Its name carries its content hash: cached for good.
    assert_eq!(
        res.headers()[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    assert!(res.headers()[header::CONTENT_TYPE]
        .to_str()
        .expect("ascii")
        .contains("javascript"));
    let etag = res.headers()[header::ETAG].clone();
    assert!(!res.bytes().await.expect("body").is_empty());

    let plain_len = {
        let res = client
            .get(format!("{}{script}", app.address))
            .send()
            .await
            .expect("get");
        res.bytes().await.expect("body").len()
    };
    // Served compressed to browsers that accept it.
    for encoding in ["br", "gzip"] {
        let res = client
            .get(format!("{}{script}", app.address))
            .header(header::ACCEPT_ENCODING, encoding)
            .send()
            .await
            .expect("get");
        assert_eq!(res.headers()[header::CONTENT_ENCODING], encoding);
        let len = res.bytes().await.expect("body").len();
        assert!(
            len * 2 < plain_len,
            "{encoding}: {len} of {plain_len} bytes"
        );
    }

    // Revalidation: the same file again is a 304 without a body.
    let res = client
        .get(format!("{}{script}", app.address))
        .header(header::IF_NONE_MATCH, etag)
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);

    let res = client
        .get(format!("{}/console/assets/missing.js", app.address))
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let body: serde_json::Value = res.json().await.expect("json error");
    assert_eq!(body["error"]["code"], "not_found");
}

/// The console page's Content-Security-Policy.
async fn console_csp(address: &str) -> String {
    let res = no_redirects()
        .get(format!("{address}/console/"))
        .send()
        .await
        .expect("get");
    res.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .expect("ascii")
        .to_string()
}

/// Issue 26, item 2: a product embeds the console in an iframe on its own origin.
#[tokio::test]
async fn the_console_may_be_framed_by_the_configured_origins_only() {
    let app = spawn_app_with(|s| {
        s.api.console_frame_ancestors = vec!["https://app.example.com".into()];
    })
    .await;
    let csp = console_csp(&app.address).await;
    assert!(
        csp.contains("frame-ancestors 'self' https://app.example.com"),
        "{csp}"
    );
    // Logos may come from https; scripts still only from here.
    assert!(csp.contains("img-src 'self' data: https:"), "{csp}");
    assert!(csp.contains("script-src 'self';"), "{csp}");
    let default = spawn_app().await;
    let csp = console_csp(&default.address).await;
    assert!(csp.ends_with("frame-ancestors 'self'"), "{csp}");
}
