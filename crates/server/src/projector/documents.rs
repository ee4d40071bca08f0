//! The `documents` read model: documents, their placements and their drawn candidates.

use illustrator_documents::{DocumentEvent, EventMeta};
use illustrator_eventstore::Commit;
use serde_json::json;
use sqlx::{Postgres, Transaction};
use uuid::Uuid;

use super::{Projection, ProjectorError};
use crate::app::App;

pub struct DocumentsProjection;

type Tx = Transaction<'static, Postgres>;

impl Projection for DocumentsProjection {
    const NAME: &'static str = "documents";

    fn filter(app: &App) -> String {
        app.ns.events_filter(illustrator_documents::AGGREGATE_TYPE)
    }

    async fn apply(&self, tx: &mut Tx, commit: &Commit) -> Result<(), ProjectorError> {
        let id = Uuid::parse_str(&commit.aggregate_id).map_err(|e| ProjectorError::BadEvent {
            stream_seq: commit.stream_seq,
            event_type: "commit".into(),
            reason: e.to_string(),
        })?;

        super::check_contiguous(tx, "documents", id, commit).await?;

        for raw in &commit.events {
            let event: DocumentEvent = super::decode(commit, raw)?;
            apply_event(tx, id, &event).await?;
        }

        let version = commit.first_sequence + commit.events.len() as u64 - 1;
        sqlx::query("UPDATE documents SET version = $2, last_stream_seq = $3 WHERE id = $1")
            .bind(id)
            .bind(version as i64)
            .bind(commit.stream_seq as i64)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    async fn clear(&self, tx: &mut Tx) -> Result<(), ProjectorError> {
        sqlx::query("DELETE FROM documents")
            .execute(&mut **tx)
            .await?;
        Ok(())
    }
}

async fn touch(tx: &mut Tx, id: Uuid, meta: &EventMeta) -> Result<(), ProjectorError> {
    sqlx::query("UPDATE documents SET updated_at = $2 WHERE id = $1")
        .bind(id)
        .bind(meta.at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn recount(tx: &mut Tx, id: Uuid) -> Result<(), ProjectorError> {
    sqlx::query(
        "UPDATE documents SET \
           generated_count = (SELECT count(*) FROM document_images \
                              WHERE document_id = $1 AND status = 'generated'), \
           failed_count = (SELECT count(*) FROM document_images \
                           WHERE document_id = $1 AND status = 'failed') \
         WHERE id = $1",
    )
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn apply_event(tx: &mut Tx, id: Uuid, event: &DocumentEvent) -> Result<(), ProjectorError> {
    match event {
        DocumentEvent::DocumentSubmitted {
            meta,
            owner,
            article,
            source,
            batch,
            ..
        } => {
            let source = serde_json::to_value(source).unwrap_or(json!("auto"));
            sqlx::query(
                "INSERT INTO documents (id, owner, status, source, batch, article_sha256, \
                   article_bytes, version, last_stream_seq, created_at, updated_at) \
                 VALUES ($1, $2, 'accepted', $3, $4, $5, $6, 0, 0, $7, $7)",
            )
            .bind(id)
            .bind(owner)
            .bind(source.as_str().unwrap_or("auto"))
            .bind(*batch as i32)
            .bind(&article.sha256)
            .bind(article.bytes as i64)
            .bind(meta.at)
            .execute(&mut **tx)
            .await?;
        }
        DocumentEvent::IllustrationPlanned {
            meta,
            title,
            language,
            classification,
            placements,
        } => {
            let language = serde_json::to_value(language).unwrap_or(json!(null));
            let status = if placements.is_empty() {
                "accepted"
            } else {
                "generating"
            };
            sqlx::query(
                "UPDATE documents SET title = $2, language = $3, technical = $4, \
                   image_count = $5, status = $6 WHERE id = $1",
            )
            .bind(id)
            .bind(title)
            .bind(language.as_str())
            .bind(classification.technical)
            .bind(placements.len() as i32)
            .bind(status)
            .execute(&mut **tx)
            .await?;

            for placement in placements {
                let json = serde_json::to_value(placement).unwrap_or(json!({}));
                sqlx::query(
                    "INSERT INTO document_images (document_id, position, kind, source, prompt, \
                       alt, status, placement) VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7)",
                )
                .bind(id)
                .bind(placement.index as i32)
                .bind(placement.kind.as_str())
                .bind(placement.source.as_str())
                .bind(&placement.prompt)
                .bind(&placement.alt)
                .bind(json)
                .execute(&mut **tx)
                .await?;
            }
            touch(tx, id, meta).await?;
        }
        DocumentEvent::ImageRequested { meta, job } => {
            sqlx::query(
                "UPDATE document_images SET status = 'pending' \
                 WHERE document_id = $1 AND position = $2 AND selected IS NULL",
            )
            .bind(id)
            .bind(job.index as i32)
            .execute(&mut **tx)
            .await?;
            touch(tx, id, meta).await?;
        }
        DocumentEvent::ImageGenerated {
            meta,
            index,
            image,
            errors,
            ..
        } => {
            let (number,): (i64,) = sqlx::query_as(
                "SELECT count(*) FROM images WHERE document_id = $1 AND position = $2",
            )
            .bind(id)
            .bind(*index as i32)
            .fetch_one(&mut **tx)
            .await?;

            sqlx::query(
                "INSERT INTO images (id, document_id, position, candidate, source, object, \
                   content_type, bytes, width, height, price_milli_fen, created_at, model, \
                   request_id, prompt, credit) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
                   $16)",
            )
            .bind(&image.image_id)
            .bind(id)
            .bind(*index as i32)
            .bind(number as i32)
            .bind(image.source.as_str())
            .bind(&image.object)
            .bind(&image.content_type)
            .bind(image.bytes as i64)
            .bind(image.width as i32)
            .bind(image.height as i32)
            .bind(image.price_milli_fen)
            .bind(meta.at)
            .bind(&image.model)
            .bind(&image.request_id)
            .bind(&image.prompt)
            .bind(
                image
                    .credit
                    .as_ref()
                    .and_then(|c| serde_json::to_value(c).ok()),
            )
            .execute(&mut **tx)
            .await?;

            sqlx::query(
                "UPDATE document_images SET status = 'generated', selected = $3, \
                   errors = errors || $4 WHERE document_id = $1 AND position = $2",
            )
            .bind(id)
            .bind(*index as i32)
            .bind(number as i32)
            .bind(serde_json::to_value(errors).unwrap_or(json!([])))
            .execute(&mut **tx)
            .await?;
            recount(tx, id).await?;
            touch(tx, id, meta).await?;
        }
        DocumentEvent::ImageAttemptFailed {
            meta, index, error, ..
        } => {
            sqlx::query(
                "UPDATE document_images SET errors = errors || jsonb_build_array($3::jsonb) \
                 WHERE document_id = $1 AND position = $2",
            )
            .bind(id)
            .bind(*index as i32)
            .bind(serde_json::to_value(error).unwrap_or(json!({})))
            .execute(&mut **tx)
            .await?;
            touch(tx, id, meta).await?;
        }
        DocumentEvent::ImageFailed {
            meta,
            index,
            errors,
            ..
        } => {
            sqlx::query(
                "UPDATE document_images SET errors = $3, \
                   status = CASE WHEN selected IS NULL THEN 'failed' ELSE status END \
                 WHERE document_id = $1 AND position = $2",
            )
            .bind(id)
            .bind(*index as i32)
            .bind(serde_json::to_value(errors).unwrap_or(json!([])))
            .execute(&mut **tx)
            .await?;
            recount(tx, id).await?;
            touch(tx, id, meta).await?;
        }
        DocumentEvent::CandidateSelected {
            meta,
            index,
            candidate,
        } => {
            sqlx::query(
                "UPDATE document_images SET selected = $3 WHERE document_id = $1 AND position = $2",
            )
            .bind(id)
            .bind(*index as i32)
            .bind(*candidate as i32)
            .execute(&mut **tx)
            .await?;
            touch(tx, id, meta).await?;
        }
        DocumentEvent::RegenerationRequested { meta, .. } => {
            sqlx::query("UPDATE documents SET status = 'generating' WHERE id = $1")
                .bind(id)
                .execute(&mut **tx)
                .await?;
            touch(tx, id, meta).await?;
        }
        DocumentEvent::DocumentCompleted { meta, status, .. } => {
            sqlx::query("UPDATE documents SET status = $2 WHERE id = $1")
                .bind(id)
                .bind(status)
                .execute(&mut **tx)
                .await?;
            touch(tx, id, meta).await?;
        }
    }
    Ok(())
}
