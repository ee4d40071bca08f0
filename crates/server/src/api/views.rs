//! The JSON shapes the API answers with, built from the read model or, for a document the
//! projector has not reached yet, from the aggregate itself.

use chrono::{DateTime, Utc};
use illustrator_analysis::Credit;
use illustrator_documents::{Document, DocumentId};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CandidateView {
    pub candidate: u32,
    pub image_id: String,
    pub url: String,
    pub source: String,
    pub content_type: String,
    pub width: u32,
    pub height: u32,
    /// What this picture costs, in thousandths of a fen.
    pub price_milli_fen: i64,
    /// The model that drew it, for AI sources.
    pub model: Option<String>,
    /// The prompt an online source was given.
    pub prompt: Option<String>,
    /// The photographer and stock site a stock photo must credit.
    #[schema(value_type = Option<Object>)]
    pub credit: Option<Credit>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ImageView {
    /// Position in the plan, 0-based.
    pub index: u32,
    #[serde(rename = "type")]
    pub kind: String,
    pub source: String,
    pub prompt: String,
    pub alt: String,
    /// `pending`, `generated` or `failed`.
    pub status: String,
    pub selected: Option<u32>,
    pub candidates: Vec<CandidateView>,
    #[schema(value_type = Vec<Object>)]
    pub errors: serde_json::Value,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct DocumentView {
    pub id: String,
    /// `accepted`, `generating`, `completed` or `failed`.
    pub status: String,
    pub title: Option<String>,
    pub source: String,
    pub batch: u32,
    pub images: Vec<ImageView>,
    pub events_url: String,
    pub markdown_url: String,
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    /// The latest generation of pictures: 0 for the first drawing, one more for each
    /// regeneration. SSE `regenerating` events carry it, so a client can wait for the
    /// `completed` that follows its own regeneration.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generation: Option<u32>,
}

pub fn image_url(base: &str, image_id: &str) -> String {
    format!("{base}/v1/images/{image_id}")
}

pub fn document_urls(base: &str, id: DocumentId) -> (String, String) {
    (
        format!("{base}/v1/documents/{id}/events"),
        format!("{base}/v1/documents/{id}/markdown"),
    )
}

impl DocumentView {
    pub fn from_aggregate(document: &Document, base: &str) -> DocumentView {
        let id = document.id.unwrap_or_default();
        let (events_url, markdown_url) = document_urls(base, id);
        let source = serde_json::to_value(document.source)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_else(|| "auto".into());

        let images = document
            .slots
            .iter()
            .map(|slot| ImageView {
                index: slot.placement.index,
                kind: slot.placement.kind.as_str().to_owned(),
                source: slot.placement.source.as_str().to_owned(),
                prompt: slot.placement.prompt.clone(),
                alt: slot.placement.alt.clone(),
                status: format!("{:?}", slot.status).to_lowercase(),
                selected: slot.selected,
                candidates: slot
                    .candidates
                    .iter()
                    .map(|c| CandidateView {
                        candidate: c.number,
                        image_id: c.image.image_id.clone(),
                        url: image_url(base, &c.image.image_id),
                        source: c.image.source.as_str().to_owned(),
                        content_type: c.image.content_type.clone(),
                        width: c.image.width,
                        height: c.image.height,
                        price_milli_fen: c.image.price_milli_fen,
                        model: c.image.model.clone(),
                        prompt: c.image.prompt.clone(),
                        credit: c.image.credit.clone(),
                    })
                    .collect(),
                errors: serde_json::to_value(&slot.errors).unwrap_or_default(),
            })
            .collect();

        DocumentView {
            id: id.to_string(),
            status: document.status.as_str().to_owned(),
            title: document.title.clone(),
            source,
            batch: document.batch,
            images,
            events_url,
            markdown_url,
            created_at: None,
            updated_at: None,
            generation: Some(document.generation),
        }
    }
}
