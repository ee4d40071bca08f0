//! The illustrated article rendered to HTML for the page's preview. Raw HTML in the
//! article is shown as text, never run, and links keep only harmless schemes, so an
//! article cannot put script or a tracking request into the page that shows it.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use pulldown_cmark::{CowStr, Event, Options, Parser, Tag};

use super::auth::{Allowed, Read};
use super::documents::{assemble, visible_article};
use crate::app::App;
use crate::error::ApiError;

/// What a preview may load when opened on its own: the API's own pictures and nothing else.
const PREVIEW_POLICY: &str = "default-src 'none'; img-src 'self'; style-src 'self'; \
    frame-ancestors 'self'; base-uri 'none'; form-action 'none'";

/// The illustrated article as an HTML fragment.
#[utoipa::path(get, path = "/v1/documents/{id}/preview",
    responses((status = 200, content_type = "text/html"), (status = 404)))]
pub async fn get_preview(
    State(app): State<App>,
    principal: Allowed<Read>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (document, input) = visible_article(&app, &principal, &id).await?;
    let text = assemble(&document, &input, &app.base_url())?;

    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
            (header::CONTENT_SECURITY_POLICY, PREVIEW_POLICY),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        render(&text),
    )
        .into_response())
}

/// Markdown (with GFM tables, strikethrough and task lists) to HTML, raw HTML escaped.
pub fn render(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS;
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: safe_url(dest_url),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: safe_url(dest_url),
            title,
            id,
        }),
        other => other,
    });

    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events);
    html
}

/// Keeps web, mail and relative links; anything else (`javascript:`, `data:`, ...) becomes
/// an inert `#`.
fn safe_url(url: CowStr<'_>) -> CowStr<'_> {
    let lower = url.trim_start().to_ascii_lowercase();
    let scheme = lower
        .split_once(':')
        .map(|(scheme, _)| scheme)
        .filter(|s| !s.contains(['/', '?', '#']));
    match scheme {
        None | Some("http" | "https" | "mailto") => url,
        Some(_) => CowStr::Borrowed("#"),
    }
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn raw_html_is_shown_as_text() {
        let html = render("<script>alert(1)</script>\n\nHi <img src=x onerror=alert(1)>\n");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img src=x"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn only_harmless_link_schemes_stay() {
        let html = render("[a](javascript:alert(1)) [b](https://example.org) [c](/v1/x)\n");
        assert!(html.contains("href=\"#\""), "{html}");
        assert!(html.contains("href=\"https://example.org\""), "{html}");
        assert!(html.contains("href=\"/v1/x\""), "{html}");
        assert!(!html.contains("javascript"), "{html}");
    }

    #[test]
    fn pictures_and_tables_render() {
        let html = render("![a cover](/v1/images/abc)\n\n| a | b |\n|---|---|\n| 1 | 2 |\n");
        assert!(
            html.contains("<img src=\"/v1/images/abc\" alt=\"a cover\""),
            "{html}"
        );
        assert!(html.contains("<table>"), "{html}");
    }
}
