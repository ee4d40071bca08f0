//! Queries of the `documents` read model.

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::views::{CandidateView, DocumentView, ImageView, document_urls, image_url};
use illustrator_documents::DocumentId;

type DocumentRow = (
    String,
    String,
    Option<String>,
    String,
    i32,
    DateTime<Utc>,
    DateTime<Utc>,
);
type ImageRow = (
    i32,
    String,
    String,
    String,
    String,
    String,
    Option<i32>,
    serde_json::Value,
);
#[derive(sqlx::FromRow)]
struct CandidateRow {
    id: String,
    position: i32,
    candidate: i32,
    source: String,
    content_type: String,
    width: i32,
    height: i32,
    price_milli_fen: i64,
    model: Option<String>,
    prompt: Option<String>,
    credit: Option<serde_json::Value>,
}

impl CandidateRow {
    fn view(&self, base: &str) -> CandidateView {
        CandidateView {
            candidate: self.candidate as u32,
            url: image_url(base, &self.id),
            image_id: self.id.clone(),
            source: self.source.clone(),
            content_type: self.content_type.clone(),
            width: self.width as u32,
            height: self.height as u32,
            price_milli_fen: self.price_milli_fen,
            model: self.model.clone(),
            prompt: self.prompt.clone(),
            credit: self
                .credit
                .clone()
                .and_then(|c| serde_json::from_value(c).ok()),
        }
    }
}

/// The document and its owner, or `None` when the projector has not written it yet.
pub async fn document(
    db: &PgPool,
    id: DocumentId,
    base: &str,
) -> Result<Option<(String, DocumentView)>, sqlx::Error> {
    let row: Option<DocumentRow> = sqlx::query_as(
        "SELECT owner, status, title, source, batch, created_at, updated_at \
         FROM documents WHERE id = $1",
    )
    .bind(id.0)
    .fetch_optional(db)
    .await?;
    let Some((owner, status, title, source, batch, created_at, updated_at)) = row else {
        return Ok(None);
    };

    let images: Vec<ImageRow> = sqlx::query_as(
        "SELECT position, kind, source, prompt, alt, status, selected, errors \
         FROM document_images WHERE document_id = $1 ORDER BY position",
    )
    .bind(id.0)
    .fetch_all(db)
    .await?;
    let candidates: Vec<CandidateRow> = sqlx::query_as(
        "SELECT id, position, candidate, source, content_type, width, height, \
           price_milli_fen, model, prompt, credit \
         FROM images WHERE document_id = $1 ORDER BY position, candidate",
    )
    .bind(id.0)
    .fetch_all(db)
    .await?;

    let images = images
        .into_iter()
        .map(
            |(position, kind, source, prompt, alt, status, selected, errors)| ImageView {
                index: position as u32,
                kind,
                source,
                prompt,
                alt,
                status,
                selected: selected.map(|s| s as u32),
                candidates: candidates
                    .iter()
                    .filter(|c| c.position == position)
                    .map(|c| c.view(base))
                    .collect(),
                errors,
            },
        )
        .collect();

    let (events_url, markdown_url) = document_urls(base, id);
    let view = DocumentView {
        id: id.to_string(),
        status,
        title,
        source,
        batch: batch as u32,
        images,
        events_url,
        markdown_url,
        created_at: Some(created_at),
        updated_at: Some(updated_at),
        generation: None,
    };
    Ok(Some((owner, view)))
}

/// Where an image's bytes are: its object name, content type and owning document.
pub async fn image(
    db: &PgPool,
    image_id: &str,
) -> Result<Option<(String, String, Uuid)>, sqlx::Error> {
    sqlx::query_as("SELECT object, content_type, document_id FROM images WHERE id = $1")
        .bind(image_id)
        .fetch_optional(db)
        .await
}
