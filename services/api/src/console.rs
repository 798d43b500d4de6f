//! The web console (`console/` in the repository), served at `/console/`.
//!
//! Vite builds it into `console/dist`, which is committed; its files are compiled into
//! this binary, so the API serves the console with no Node.js and no other server. The
//! console talks to the public `/v1` API only, with the tenant key the user signs in with.
//!
//! Fast on a slow link: the page's CSS is inlined in `index.html` (so the first paint
//! waits for no second request), hashed assets are cached for a year, and everything is
//! served compressed (brotli, gzip or zstd, as the browser accepts).

use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Compress;
use actix_web::{web, HttpRequest, HttpResponse};
use base64::Engine;
use rust_embed::RustEmbed;
use sha2::{Digest, Sha256};

#[derive(RustEmbed)]
#[folder = "../../console/dist"]
struct Assets;

/// The console's Content-Security-Policy: scripts and styles from this origin only (no
/// inline script or style, so an injected string cannot run), calls to `/v1` here only,
/// images also from https (a tenant's logo), and frames only on this origin and the
/// configured ones (`api.console_frame_ancestors`).
#[derive(Clone)]
pub struct ConsolePolicy(HeaderValue);

impl ConsolePolicy {
    pub fn new(frame_ancestors: &[String]) -> Self {
        let ancestors = std::iter::once("'self'")
            .chain(frame_ancestors.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" ");
        let csp = format!(
            "default-src 'none'; script-src 'self'; style-src 'self'{styles}; img-src 'self' data: https:; \
             connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}",
            styles = inline_style_hashes()
        );
        // The origins were checked when the settings loaded (no byte a header cannot
        // hold); failing that, the strictest policy rather than a looser one.
        Self(
            HeaderValue::from_str(&csp)
                .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'")),
        )
    }
}

/// `'sha256-...'` of each `<style>` block of the built `index.html`: the inlined CSS, the
/// only inline content the policy allows.
fn inline_style_hashes() -> String {
    let Some(index) = Assets::get("index.html") else {
        return String::new();
    };
    let html = String::from_utf8_lossy(&index.data);
    let mut hashes = String::new();
    let mut rest = html.as_ref();
    while let Some(open) = rest.find("<style>") {
        let body = &rest[open + "<style>".len()..];
        let Some(close) = body.find("</style>") else {
            break;
        };
        let digest = Sha256::digest(&body.as_bytes()[..close]);
        hashes.push_str(" 'sha256-");
        hashes.push_str(&base64::engine::general_purpose::STANDARD.encode(digest));
        hashes.push('\'');
        rest = &body[close..];
    }
    hashes
}

pub fn configure(cfg: &mut web::ServiceConfig, policy: ConsolePolicy) {
    cfg.app_data(web::Data::new(policy))
        .route("/console", web::get().to(redirect))
        .service(
            web::scope("/console")
                .wrap(Compress::default())
                .route("/", web::get().to(index))
                .route("/{path:.*}", web::get().to(asset)),
        );
}

async fn redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "/console/"))
        .finish()
}

async fn index(req: HttpRequest) -> HttpResponse {
    serve(&req, "index.html")
}

async fn asset(req: HttpRequest, path: web::Path<String>) -> HttpResponse {
    serve(&req, &path)
}

fn policy(req: &HttpRequest) -> HeaderValue {
    req.app_data::<web::Data<ConsolePolicy>>()
        .map(|p| p.0.clone())
        .unwrap_or_else(|| ConsolePolicy::new(&[]).0)
}

fn serve(req: &HttpRequest, path: &str) -> HttpResponse {
    let Some(file) = Assets::get(path) else {
        return HttpResponse::NotFound()
            .content_type("application/json")
            .body(
                r#"{"error":{"code":"not_found","message":"no such console file","field":null}}"#,
            );
    };
    // Files under assets/ carry their content's hash in their name, so they never change:
    // cached for a year. The page itself is revalidated each time (a 304 when the
    // embedded file is the one the browser holds).
    let cache = if path.starts_with("assets/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let etag = format!("\"{}\"", hex::encode(&file.metadata.sha256_hash()[..16]));
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let mut res = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, cache))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::CONTENT_SECURITY_POLICY, policy(req)));
    if fresh {
        return res.finish();
    }
    res.content_type(file.metadata.mimetype())
        .body(file.data.into_owned())
}
