//! Submitting documents and reading them back: status, illustrated article, pictures.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use illustrator_analysis::{
    MermaidMode, Picture, Placement, Plan, PlanOptions, Source, SourceRequest,
};
use illustrator_documents::{
    ArticleRef, Document, DocumentCommand, DocumentError, DocumentId, GeneratedImage,
    IllustrateDocument,
};
use serde::Deserialize;
use utoipa::ToSchema;

use super::auth::{Allowed, Illustrate, Principal, Read};
use super::views::{DocumentView, image_url};
use super::{RequestContext, read_model};
use crate::app::App;
use crate::billing::quota;
use crate::commands::{self, CommandError, Metadata};
use crate::error::ApiError;
use crate::objects::sha256_hex;

/// Body of POST /v1/documents (or send the article itself as `text/markdown`, with `source`
/// and `batch` in the query string).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitRequest {
    pub markdown: String,
    /// `auto` (default) or a source name: mermaid, chart, card, unsplash, pexels, doubao,
    /// flux, zhipu, dalle.
    pub source: Option<String>,
    /// Candidates per placement, 1 to 4.
    pub batch: Option<u32>,
    /// Planning rules: cover, sections (all, smart, none), long_paragraph, min_gap,
    /// max_images, mermaid_mode (image, code).
    #[schema(value_type = Option<Object>)]
    pub options: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
pub struct SubmitQuery {
    pub source: Option<String>,
    pub batch: Option<u32>,
}

pub fn parse_source(name: Option<&str>, app: &App) -> Result<SourceRequest, ApiError> {
    let name = name.unwrap_or("auto");
    if name == "auto" {
        return Ok(SourceRequest::Auto);
    }

    let Some(source) = Source::parse(name) else {
        return Err(ApiError::bad(
            "unknown_source",
            format!(
                "unknown source {name:?}; use auto or one of mermaid, chart, card, \
                     unsplash, pexels, doubao, flux, zhipu, dalle"
            ),
        ));
    };
    if !available_sources(app).contains(&source) {
        return Err(ApiError::bad(
            "source_unavailable",
            format!("source {name} needs an API key that this server does not have"),
        ));
    }
    Ok(SourceRequest::Explicit(source))
}

/// Offline sources always; online ones when their API key is configured.
pub fn available_sources(app: &App) -> Vec<Source> {
    let online = app.providers.config().available();
    Source::ALL
        .into_iter()
        .filter(|s| s.is_offline() || online.contains(s))
        .collect()
}

fn read_submission(
    headers: &HeaderMap,
    query: SubmitQuery,
    body: Bytes,
) -> Result<SubmitRequest, ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json");

    if content_type.starts_with("text/markdown") || content_type.starts_with("text/plain") {
        let markdown = String::from_utf8(body.to_vec()).map_err(|e| {
            let offset = e.utf8_error().valid_up_to();
            ApiError::bad(
                "not_utf8",
                format!("the article is not valid UTF-8 at byte {offset}"),
            )
        })?;
        return Ok(SubmitRequest {
            markdown,
            source: query.source,
            batch: query.batch,
            options: None,
        });
    }

    if !content_type.starts_with("application/json") {
        return Err(ApiError::bad(
            "unsupported_media_type",
            "send application/json or text/markdown",
        ));
    }
    serde_json::from_slice(&body).map_err(|e| ApiError::bad("invalid_json", e.to_string()))
}

/// IllustrateDocument.
#[utoipa::path(post, path = "/v1/documents", request_body = SubmitRequest,
    responses((status = 202, body = DocumentView), (status = 400), (status = 401),
              (status = 413)))]
pub async fn submit(
    State(app): State<App>,
    principal: Allowed<Illustrate>,
    ctx: RequestContext,
    Query(query): Query<SubmitQuery>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let accounts = &app.accounts;
    let rate = accounts.config.submit;
    accounts.limiter.hit("submit", &principal.id, rate).await?;

    let limit = app.config.max_article_bytes;
    let body = body.map_err(|_| too_large(limit))?;
    let request = read_submission(&headers, query, body)?;

    if request.markdown.len() > limit {
        return Err(too_large(limit));
    }
    let source = parse_source(request.source.as_deref(), &app)?;
    let mut options: PlanOptions = match request.options {
        Some(value) => serde_json::from_value(value)
            .map_err(|e| ApiError::bad("invalid_options", e.to_string()))?,
        None => PlanOptions::default(),
    };
    options.available = available_sources(&app);

    // The plan decides the sources, unless the caller is unlimited (a superadmin).
    let unlimited = app.billing.unlimited(&principal);
    if !unlimited {
        let plan = app.billing.plan(&principal.plan);
        quota::check_source(&plan, source)?;
        options.available = quota::allowed(&plan, options.available);
    }
    let batch = request.batch.unwrap_or(1);

    let idempotency_key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let id = match &idempotency_key {
        Some(key) => DocumentId::for_idempotency_key(&principal.id, key),
        None => DocumentId::new(),
    };

    let markdown = request.markdown.into_bytes();
    let sha256 = app
        .articles
        .put(&markdown, "text/markdown")
        .await
        .map_err(|e| ApiError::Unavailable(e.to_string()))?;
    debug_assert_eq!(sha256, sha256_hex(&markdown));
    let article = ArticleRef {
        sha256,
        bytes: markdown.len() as u64,
    };

    let at = app.billing.clock.now();
    let reservation = if unlimited {
        None
    } else {
        reserve(
            &app,
            &principal,
            &ctx,
            id,
            &markdown,
            (source, batch),
            &options,
            at,
        )
        .await?
    };

    let command = IllustrateDocument {
        document_id: id,
        owner: principal.id.clone(),
        markdown,
        article: article.clone(),
        source,
        batch,
        options,
    };
    let context = ctx.command(&principal.id, at);
    let metadata = Metadata {
        actor: principal.id.clone(),
        correlation_id: ctx.correlation_id.clone(),
        idempotency_key: idempotency_key.clone(),
    };
    let command = DocumentCommand::Illustrate(context, Box::new(command));

    let executed = if idempotency_key.is_some() {
        commands::execute(&app.documents, id, command, &metadata).await
    } else {
        commands::execute_new(&app.documents, id, command, &metadata).await
    };
    let replay = match executed {
        Ok(_) => false,
        Err(CommandError::Rejected(DocumentError::AlreadySubmitted))
            if idempotency_key.is_some() =>
        {
            true
        }
        Err(error) => {
            if let Some(reservation) = reservation {
                quota::release(&app, reservation, &ctx.correlation_id).await;
            }
            return Err(command_error(error));
        }
    };

    let document = commands::load(&app.documents, id)
        .await
        .map_err(command_error)?
        .ok_or_else(|| ApiError::internal("a committed document could not be loaded"))?;
    if replay && document.article.as_ref() != Some(&article) {
        return Err(ApiError::Conflict(
            "this Idempotency-Key was used for a different article".into(),
        ));
    }
    tracing::debug!(document_id = %id, user_id = %principal.id, replay, "document accepted");

    let view = DocumentView::from_aggregate(&document, &app.base_url());
    let status = if replay {
        StatusCode::OK
    } else {
        StatusCode::ACCEPTED
    };
    Ok((
        status,
        [(header::LOCATION, format!("/v1/documents/{id}"))],
        axum::Json(view),
    )
        .into_response())
}

/// Plans the article as the document will, to learn how many pictures it asks for, and
/// reserves them on the caller's month. An article that cannot be planned reserves nothing:
/// its document command refuses it.
#[allow(clippy::too_many_arguments)]
async fn reserve(
    app: &App,
    principal: &Principal,
    ctx: &RequestContext,
    id: DocumentId,
    markdown: &[u8],
    (source, batch): (SourceRequest, u32),
    options: &PlanOptions,
    at: DateTime<Utc>,
) -> Result<Option<quota::Reservation>, ApiError> {
    if batch == 0 || batch > illustrator_documents::MAX_BATCH {
        return Ok(None);
    }
    let mut options = options.clone();
    options.source = source;
    let Ok(plan) = illustrator_analysis::plan(markdown, &options) else {
        return Ok(None);
    };

    let placements: Vec<&Placement> = plan.placements.iter().collect();
    let jobs = quota::jobs(app, id, &placements, batch, 0, at);
    quota::reserve(app, principal, &ctx.correlation_id, at, jobs).await
}

fn too_large(limit: usize) -> ApiError {
    ApiError::TooLarge(format!(
        "the article is larger than the limit of {limit} bytes"
    ))
}

pub fn command_error(error: CommandError) -> ApiError {
    match error {
        CommandError::Rejected(DocumentError::NotFound) => ApiError::NotFound,
        CommandError::Rejected(DocumentError::NotUtf8 { offset }) => ApiError::bad(
            "not_utf8",
            format!("the article is not valid UTF-8 at byte {offset}"),
        ),
        CommandError::Rejected(rejected) => ApiError::bad("rejected", rejected.to_string()),
        CommandError::Conflict => ApiError::Conflict(error.to_string()),
        CommandError::Store(detail) => ApiError::Unavailable(detail),
    }
}

pub fn parse_id(text: &str) -> Result<DocumentId, ApiError> {
    DocumentId::parse(text).map_err(|_| ApiError::NotFound)
}

/// A document the principal may see, by the id in its path, with its stored article: what
/// every view of the illustrated article (Markdown, preview, archive) starts from.
pub async fn visible_article(
    app: &App,
    principal: &Principal,
    id: &str,
) -> Result<(Document, Vec<u8>), ApiError> {
    let document = visible_document(app, principal, parse_id(id)?).await?;
    let input = stored_article(app, &document).await?;
    Ok((document, input))
}

/// Loads a document the principal may see, from the event store.
pub async fn visible_document(
    app: &App,
    principal: &Principal,
    id: DocumentId,
) -> Result<Document, ApiError> {
    let document = commands::load(&app.documents, id)
        .await
        .map_err(command_error)?
        .ok_or(ApiError::NotFound)?;
    if !principal.may_see(&document.owner) {
        return Err(ApiError::NotFound);
    }
    Ok(document)
}

/// Status and pictures.
#[utoipa::path(get, path = "/v1/documents/{id}",
    responses((status = 200, body = DocumentView), (status = 404)))]
pub async fn get_document(
    State(app): State<App>,
    principal: Allowed<Read>,
    Path(id): Path<String>,
) -> Result<axum::Json<DocumentView>, ApiError> {
    let id = parse_id(&id)?;
    let base = app.base_url();

    let projected = read_model::document(&app.db, id, &base)
        .await
        .map_err(|e| ApiError::Unavailable(e.to_string()))?;
    if let Some((owner, view)) = projected {
        if !principal.may_see(&owner) {
            return Err(ApiError::NotFound);
        }
        return Ok(axum::Json(view));
    }

    // Not projected yet: answer from the event store, which is never behind.
    let document = visible_document(&app, &principal, id).await?;
    Ok(axum::Json(DocumentView::from_aggregate(&document, &base)))
}

/// The article with its pictures inserted, assembled from the event store so that it is
/// never behind the events a client has seen.
#[utoipa::path(get, path = "/v1/documents/{id}/markdown",
    responses((status = 200, content_type = "text/markdown"), (status = 404)))]
pub async fn get_markdown(
    State(app): State<App>,
    principal: Allowed<Read>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (document, input) = visible_article(&app, &principal, &id).await?;

    let text = assemble(&document, &input, &app.base_url())?;
    Ok((
        [(header::CONTENT_TYPE, "text/markdown; charset=utf-8")],
        text,
    )
        .into_response())
}

/// The article as it was submitted, from the articles bucket.
pub async fn stored_article(app: &App, document: &Document) -> Result<Vec<u8>, ApiError> {
    let article = document
        .article
        .as_ref()
        .ok_or_else(|| ApiError::internal("document without article"))?;
    let input = app
        .articles
        .get(&article.sha256)
        .await
        .map_err(|e| ApiError::Unavailable(e.to_string()))?;
    Ok(input)
}

pub fn assemble(document: &Document, input: &[u8], base: &str) -> Result<String, ApiError> {
    assemble_with(document, input, |image| image_url(base, &image.image_id))
}

/// The article with its selected pictures, each linked where `link` says: the API's image
/// route for the served article, a file beside it in the archive.
pub fn assemble_with(
    document: &Document,
    input: &[u8],
    link: impl Fn(&GeneratedImage) -> String,
) -> Result<String, ApiError> {
    let plan = Plan {
        language: document
            .language
            .unwrap_or(illustrator_analysis::Language::En),
        title: document.title.clone(),
        classification: document.classification.clone().unwrap_or(
            illustrator_analysis::Classification {
                technical: false,
                score: 0.0,
                confidence: 0.0,
                reasons: Vec::new(),
            },
        ),
        placements: document.slots.iter().map(|s| s.placement.clone()).collect(),
    };

    let code_mode = document.options.mermaid_mode == MermaidMode::Code;
    let pictures: Vec<Picture> = document
        .slots
        .iter()
        .filter_map(|slot| {
            let selected = slot.selected?;
            let candidate = slot.candidates.iter().find(|c| c.number == selected)?;
            let image = &candidate.image;
            let mermaid = (code_mode && image.source == Source::Mermaid)
                .then(|| image.mermaid.clone().or(slot.placement.mermaid.clone()))
                .flatten();
            Some(Picture {
                index: slot.placement.index,
                url: link(image),
                alt: slot.placement.alt.clone(),
                mermaid_code: mermaid,
                credit: image.credit.clone(),
            })
        })
        .collect();

    illustrator_analysis::assemble(input, &plan, &pictures)
        .map_err(|e| ApiError::internal(format!("assembling a stored article: {e}")))
}
