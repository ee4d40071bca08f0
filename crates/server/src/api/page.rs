//! The page: its HTML, style sheet and script modules from `crates/server/web/`, built into
//! the binary so that every API process serves the same page with nothing to deploy beside
//! it. The page's own paths (`/verify`, `/reset-password`, `/admin`) serve the same HTML,
//! so the links in mails land on it.

use std::collections::HashMap;
use std::sync::OnceLock;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::app::App;
use crate::error::ApiError;
use crate::objects::sha256_hex;

/// Scripts and styles only from the page's own origin, no inline code, no frames, and
/// requests only back to the API.
const PAGE_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; form-action 'self'; \
    base-uri 'none'; frame-ancestors 'none'; manifest-src 'self'";

struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

/// One file of `web/`, built into the binary.
macro_rules! asset {
    ($name:literal, $content_type:expr) => {
        Asset {
            name: $name,
            content_type: $content_type,
            bytes: include_bytes!(concat!("../../web/", $name)),
        }
    };
}

const HTML: &str = "text/html; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const SVG: &str = "image/svg+xml";

const INDEX: Asset = asset!("index.html", HTML);

const ASSETS: &[Asset] = &[
    asset!("app.css", CSS),
    asset!("app.js", JS),
    asset!("api.js", JS),
    asset!("i18n.js", JS),
    asset!("document.js", JS),
    asset!("admin.js", JS),
    asset!("icon.svg", SVG),
];

/// The page's routes; `serve` and `api` mount them.
pub fn router() -> Router<App> {
    Router::new()
        .route("/", get(index))
        .route("/verify", get(index))
        .route("/reset-password", get(index))
        .route("/admin", get(index))
        .route("/assets/{name}", get(asset))
}

/// A strong validator per asset: the digest of its bytes, computed once per process.
fn etag(asset: &Asset) -> &'static str {
    static TAGS: OnceLock<HashMap<&'static str, String>> = OnceLock::new();
    let tags = TAGS.get_or_init(|| {
        std::iter::once(&INDEX)
            .chain(ASSETS)
            .map(|a| (a.name, format!("\"{}\"", &sha256_hex(a.bytes)[..16])))
            .collect()
    });
    tags.get(asset.name).map(String::as_str).unwrap_or("\"0\"")
}

/// Every answer revalidates (`no-cache`) with its ETag, so a new build reaches browsers at
/// once while an unchanged asset costs a 304.
fn answer(asset: &Asset, headers: &HeaderMap, page: bool) -> Response {
    let tag = etag(asset);
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag));

    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, asset.content_type)], asset.bytes).into_response()
    };
    let set = response.headers_mut();
    set.insert(header::ETAG, super::header_value(tag));
    set.insert(header::CACHE_CONTROL, super::header_value("no-cache"));
    set.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        super::header_value("nosniff"),
    );
    if page {
        set.insert(
            header::CONTENT_SECURITY_POLICY,
            super::header_value(PAGE_POLICY),
        );
        set.insert(header::REFERRER_POLICY, super::header_value("no-referrer"));
        set.insert(header::X_FRAME_OPTIONS, super::header_value("DENY"));
    }
    response
}

async fn index(headers: HeaderMap) -> Response {
    answer(&INDEX, &headers, true)
}

async fn asset(Path(name): Path<String>, headers: HeaderMap) -> Result<Response, ApiError> {
    let asset = ASSETS
        .iter()
        .find(|a| a.name == name)
        .ok_or(ApiError::NotFound)?;
    Ok(answer(asset, &headers, false))
}

#[cfg(test)]
mod tests {
    use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
    use axum::response::IntoResponse;

    use super::{ASSETS, asset, index};

    #[tokio::test]
    async fn the_page_carries_its_policy_and_revalidates_by_etag() {
        let first = index(HeaderMap::new()).await;
        assert_eq!(first.status(), StatusCode::OK);
        let policy = first.headers()[header::CONTENT_SECURITY_POLICY].to_str();
        assert!(policy.is_ok_and(|p| p.contains("script-src 'self'") && !p.contains("unsafe")));
        let tag = first.headers()[header::ETAG].clone();

        let mut again = HeaderMap::new();
        again.insert(header::IF_NONE_MATCH, tag);
        assert_eq!(index(again).await.status(), StatusCode::NOT_MODIFIED);
        let mut stale = HeaderMap::new();
        stale.insert(header::IF_NONE_MATCH, HeaderValue::from_static("\"old\""));
        assert_eq!(index(stale).await.status(), StatusCode::OK);
    }

    #[tokio::test]
    async fn assets_answer_with_their_content_type_and_unknown_names_are_not_found() {
        for known in ASSETS {
            let path = axum::extract::Path(known.name.to_owned());
            let response = asset(path, HeaderMap::new()).await.into_response();
            assert_eq!(response.status(), StatusCode::OK, "{}", known.name);
            assert_eq!(response.headers()[header::CONTENT_TYPE], known.content_type);
        }
        let missing = axum::extract::Path("../Cargo.toml".to_owned());
        let response = asset(missing, HeaderMap::new()).await.into_response();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    }
}
