//! The illustrated article with its pictures as one zip: `article.md` beside an `images/`
//! folder, the article's picture links pointing at those files, so it opens offline.

use std::collections::HashMap;
use std::io::Write;

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use illustrator_documents::{Document, GeneratedImage};
use zip::write::SimpleFileOptions;

use super::auth::{Allowed, Read};
use super::documents::{assemble_with, visible_article};
use crate::app::App;
use crate::error::ApiError;
use crate::objects::ObjectError;

/// The file name, inside the archive, of every selected picture, keyed by image id.
fn file_names(document: &Document) -> HashMap<String, (String, String)> {
    document
        .slots
        .iter()
        .filter_map(|slot| {
            let selected = slot.selected?;
            let candidate = slot.candidates.iter().find(|c| c.number == selected)?;
            let image = &candidate.image;
            let kind = slot.placement.kind.as_str();
            let name = format!(
                "images/{:02}-{kind}.{}",
                slot.placement.index + 1,
                extension(&image.content_type)
            );
            Some((image.image_id.clone(), (name, image.object.clone())))
        })
        .collect()
}

fn extension(content_type: &str) -> &'static str {
    match content_type.split(';').next().unwrap_or_default().trim() {
        "image/svg+xml" => "svg",
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "image/webp" => "webp",
        "image/gif" => "gif",
        _ => "bin",
    }
}

/// A file name made of the title's ASCII letters and digits (a header carries it), or
/// `article`.
pub fn slug(title: Option<&str>) -> String {
    let text: String = title
        .unwrap_or_default()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let words: Vec<&str> = text.split('-').filter(|w| !w.is_empty()).collect();
    let slug: String = words.join("-").chars().take(60).collect();
    if slug.is_empty() {
        "article".into()
    } else {
        slug
    }
}

/// The illustrated article and its selected pictures as a zip.
#[utoipa::path(get, path = "/v1/documents/{id}/archive",
    responses((status = 200, content_type = "application/zip"), (status = 404)))]
pub async fn get_archive(
    State(app): State<App>,
    principal: Allowed<Read>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (document, input) = visible_article(&app, &principal, &id).await?;

    let files = file_names(&document);
    let link = |image: &GeneratedImage| {
        files
            .get(&image.image_id)
            .map(|(name, _)| name.clone())
            .unwrap_or_default()
    };
    let text = assemble_with(&document, &input, link)?;

    let mut pictures = Vec::with_capacity(files.len());
    for (name, object) in files.values() {
        let bytes = app.images.get(object).await.map_err(|e| match e {
            ObjectError::NotFound => ApiError::internal(format!("picture {object} is missing")),
            other => ApiError::Unavailable(other.to_string()),
        })?;
        pictures.push((name.clone(), bytes));
    }
    pictures.sort();

    let zipped = tokio::task::spawn_blocking(move || write_zip(&text, &pictures))
        .await
        .map_err(ApiError::internal)??;
    let name = slug(document.title.as_deref());
    let disposition = format!("attachment; filename=\"{name}.zip\"");
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        zipped,
    )
        .into_response())
}

fn write_zip(article: &str, pictures: &[(String, Vec<u8>)]) -> Result<Vec<u8>, ApiError> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let text = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    // Most pictures are already compressed; SVG is text and shrinks well.
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let failed = |e: &dyn std::fmt::Display| ApiError::internal(format!("writing a zip: {e}"));

    zip.start_file("article.md", text).map_err(|e| failed(&e))?;
    zip.write_all(article.as_bytes()).map_err(|e| failed(&e))?;
    for (name, bytes) in pictures {
        let options = if name.ends_with(".svg") { text } else { stored };
        zip.start_file(name.as_str(), options)
            .map_err(|e| failed(&e))?;
        zip.write_all(bytes).map_err(|e| failed(&e))?;
    }

    let cursor = zip.finish().map_err(|e| failed(&e))?;
    Ok(cursor.into_inner())
}

#[cfg(test)]
mod tests {
    use super::{extension, slug};

    #[test]
    fn a_title_becomes_a_file_name_of_its_words() {
        assert_eq!(
            slug(Some("Rust: what people love!")),
            "Rust-what-people-love"
        );
        assert_eq!(slug(Some("结构化 输出")), "article");
        assert_eq!(slug(Some("\"; rm -rf /")), "rm-rf");
        assert_eq!(slug(None), "article");
    }

    #[test]
    fn content_types_name_their_extension() {
        assert_eq!(extension("image/svg+xml"), "svg");
        assert_eq!(extension("image/png"), "png");
        assert_eq!(extension("application/octet-stream"), "bin");
    }
}
