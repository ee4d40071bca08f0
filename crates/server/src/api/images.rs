//! Picture bytes, choosing a candidate, and drawing pictures again.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use illustrator_analysis::{Placement, PlacementType};
use illustrator_documents::{CommandContext, DocumentCommand, DocumentId, SlotStatus};
use serde::Deserialize;
use utoipa::ToSchema;

use super::auth::{Allowed, Illustrate, Principal, Read};
use super::documents::{command_error, parse_id, visible_document};
use super::views::DocumentView;
use super::{ApiJson, RequestContext, read_model};
use crate::app::App;
use crate::billing::quota;
use crate::commands::{self, Metadata};
use crate::error::ApiError;

/// Image ids are job ids, which start with the document id's 32 hex digits.
fn document_of_image(image_id: &str) -> Option<DocumentId> {
    let hex = image_id.get(..32)?;
    uuid::Uuid::try_parse(hex).ok().map(DocumentId)
}

/// The picture's bytes with their content type.
#[utoipa::path(get, path = "/v1/images/{id}",
    responses((status = 200, description = "image bytes"), (status = 404)))]
pub async fn get_image(
    State(app): State<App>,
    principal: Allowed<Read>,
    Path(image_id): Path<String>,
) -> Result<Response, ApiError> {
    let found = read_model::image(&app.db, &image_id)
        .await
        .map_err(|e| ApiError::Unavailable(e.to_string()))?;

    let (object, content_type) = match found {
        Some((object, content_type, document_id)) => {
            visible_document(&app, &principal, DocumentId(document_id)).await?;
            (object, content_type)
        }
        None => {
            // Not projected yet: find it on the document itself.
            let id = document_of_image(&image_id).ok_or(ApiError::NotFound)?;
            let document = visible_document(&app, &principal, id).await?;
            let image = document
                .slots
                .iter()
                .flat_map(|slot| slot.candidates.iter())
                .find(|c| c.image.image_id == image_id)
                .map(|c| c.image.clone())
                .ok_or(ApiError::NotFound)?;
            (image.object, image.content_type)
        }
    };

    let bytes = app.images.get(&object).await.map_err(|e| match e {
        crate::objects::ObjectError::NotFound => ApiError::NotFound,
        other => ApiError::Unavailable(other.to_string()),
    })?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (
                header::CACHE_CONTROL,
                "private, max-age=31536000, immutable".into(),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegenerateRequest {
    pub index: Option<u32>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub failed: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SelectRequest {
    pub candidate: u32,
}

async fn run(
    app: &App,
    principal: &Principal,
    ctx: &RequestContext,
    id: DocumentId,
    at: DateTime<Utc>,
    command: impl FnOnce(CommandContext) -> DocumentCommand,
) -> Result<DocumentView, ApiError> {
    let context = ctx.command(&principal.id, at);
    let metadata = Metadata {
        actor: principal.id.clone(),
        correlation_id: ctx.correlation_id.clone(),
        idempotency_key: None,
    };

    commands::execute(&app.documents, id, command(context), &metadata)
        .await
        .map_err(command_error)?;
    let document = visible_document(app, principal, id).await?;
    Ok(DocumentView::from_aggregate(&document, &app.base_url()))
}

/// Draws pictures again: one by index, every one of a type, or every failed one.
#[utoipa::path(post, path = "/v1/documents/{id}/regenerate", request_body = RegenerateRequest,
    responses((status = 202, body = DocumentView), (status = 400), (status = 404)))]
pub async fn regenerate(
    State(app): State<App>,
    principal: Allowed<Illustrate>,
    ctx: RequestContext,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<RegenerateRequest>,
) -> Result<(StatusCode, axum::Json<DocumentView>), ApiError> {
    let id = parse_id(&id)?;
    let document = visible_document(&app, &principal, id).await?;
    let rate = app.accounts.config.regenerate;
    app.accounts
        .limiter
        .hit("regenerate", &principal.id, rate)
        .await?;

    let indexes: Vec<u32> = match (request.index, request.kind.as_deref(), request.failed) {
        (Some(index), None, None) => vec![index],
        (None, Some(kind), None) => {
            let kind = PlacementType::parse(kind)
                .ok_or_else(|| ApiError::bad("unknown_type", format!("unknown type {kind:?}")))?;
            document
                .slots
                .iter()
                .filter(|s| s.placement.kind == kind)
                .map(|s| s.placement.index)
                .collect()
        }
        (None, None, Some(true)) => document
            .slots
            .iter()
            .filter(|s| s.status == SlotStatus::Failed)
            .map(|s| s.placement.index)
            .collect(),
        _ => {
            return Err(ApiError::bad(
                "invalid_request",
                "give exactly one of index, type or failed: true",
            ));
        }
    };
    if indexes.is_empty() {
        return Err(ApiError::bad("nothing_to_regenerate", "no picture matches"));
    }

    // The new pictures count on the owner's quota when the owner asks for them; an admin
    // regenerating another account's document reserves nothing, and the owner is billed
    // for what is drawn.
    let at = app.billing.clock.now();
    let reservation = if document.owner == principal.id {
        let placements: Vec<&Placement> = document
            .slots
            .iter()
            .map(|slot| &slot.placement)
            .filter(|placement| indexes.contains(&placement.index))
            .collect();
        let generation = document.generation + 1;
        let jobs = quota::jobs(&app, id, &placements, document.batch, generation, at);
        quota::reserve(&app, &principal, &ctx.correlation_id, at, jobs).await?
    } else {
        None
    };

    let result = run(&app, &principal, &ctx, id, at, |c| {
        DocumentCommand::Regenerate(c, indexes)
    })
    .await;
    if let (Err(_), Some(reservation)) = (&result, reservation) {
        quota::release(&app, reservation, &ctx.correlation_id).await;
    }
    Ok((StatusCode::ACCEPTED, axum::Json(result?)))
}

/// Chooses which candidate the article shows.
#[utoipa::path(post, path = "/v1/documents/{id}/images/{index}/select",
    request_body = SelectRequest,
    responses((status = 200, body = DocumentView), (status = 400), (status = 404)))]
pub async fn select(
    State(app): State<App>,
    principal: Allowed<Illustrate>,
    ctx: RequestContext,
    Path((id, index)): Path<(String, u32)>,
    ApiJson(request): ApiJson<SelectRequest>,
) -> Result<axum::Json<DocumentView>, ApiError> {
    let id = parse_id(&id)?;
    visible_document(&app, &principal, id).await?;

    let view = run(&app, &principal, &ctx, id, Utc::now(), |c| {
        DocumentCommand::SelectCandidate(c, index, request.candidate)
    })
    .await?;
    Ok(axum::Json(view))
}
