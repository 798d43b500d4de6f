//! The web console (`console/` in the repository), served at `/console/`.
//!
//! Vite builds it into `console/dist`, which is committed; its files are compiled into
//! this binary, so the API serves the console with no Node.js and no other server. The
//! console talks to the public `/v1` API only, with the tenant key the user signs in with.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{web, HttpRequest, HttpResponse};
use rust_embed::RustEmbed;

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
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; \
             connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}"
        );
        // The origins were checked when the settings loaded (no byte a header cannot
        // hold); failing that, the strictest policy rather than a looser one.
        Self(
            HeaderValue::from_str(&csp)
                .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'")),
        )
    }
}

pub fn configure(cfg: &mut web::ServiceConfig, policy: ConsolePolicy) {
    cfg.app_data(web::Data::new(policy))
        .route("/console", web::get().to(redirect))
        .route("/console/", web::get().to(index))
        .route("/console/{path:.*}", web::get().to(asset));
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
    // File names carry no content hash, so browsers revalidate each time: a 304 when
    // the embedded file is the one they hold.
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
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::CONTENT_SECURITY_POLICY, policy(req)));
    if fresh {
        return res.finish();
    }
    res.content_type(file.metadata.mimetype())
        .body(file.data.into_owned())
}
