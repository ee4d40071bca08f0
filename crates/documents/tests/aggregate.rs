//! The Document aggregate's decisions: given past events, when a command, then events or an
//! error.

use chrono::{TimeZone, Utc};
use cqrs_es::test::TestFramework;
use illustrator_analysis::{PlanOptions, Source, SourceRequest};
use illustrator_documents::{
    ArticleRef, AttemptError, CommandContext, Document, DocumentCommand, DocumentError,
    DocumentEvent, DocumentId, GeneratedImage, IllustrateDocument, ImageOutcome, JobId,
};

const ARTICLE: &str = "# Release notes\n\nShort intro.\n\n## Numbers\n\n| q | n |\n|---|---|\n| Q1 | 3 |\n| Q2 | 5 |\n";

fn ctx() -> CommandContext {
    CommandContext {
        actor: "writer".into(),
        correlation_id: "req-1".into(),
        at: Utc
            .with_ymd_and_hms(2026, 12, 3, 10, 0, 0)
            .single()
            .unwrap_or_default(),
    }
}

fn id() -> DocumentId {
    DocumentId::for_idempotency_key("writer", "k1")
}

fn illustrate(batch: u32) -> DocumentCommand {
    DocumentCommand::Illustrate(
        ctx(),
        Box::new(IllustrateDocument {
            document_id: id(),
            owner: "writer".into(),
            markdown: ARTICLE.as_bytes().to_vec(),
            article: ArticleRef {
                sha256: "ab".into(),
                bytes: ARTICLE.len() as u64,
            },
            source: SourceRequest::Auto,
            batch,
            options: PlanOptions::default(),
        }),
    )
}

/// The events a submission records, taken from the aggregate itself.
fn submitted(batch: u32) -> Vec<DocumentEvent> {
    TestFramework::<Document>::with(())
        .given_no_previous_events()
        .when(illustrate(batch))
        .inspect_result()
        .unwrap_or_default()
}

fn image(job: &JobId) -> GeneratedImage {
    GeneratedImage {
        image_id: job.to_string(),
        source: Source::Card,
        object: "digest".into(),
        content_type: "image/svg+xml".into(),
        bytes: 10,
        width: 1200,
        height: 630,
        price_milli_fen: 0,
        model: None,
        request_id: None,
        prompt: None,
        mermaid: None,
        credit: None,
    }
}

fn jobs(events: &[DocumentEvent]) -> Vec<JobId> {
    events
        .iter()
        .filter_map(|e| match e {
            DocumentEvent::ImageRequested { job, .. } => Some(job.job_id.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_submission_records_the_plan_and_one_job_per_picture_and_candidate() {
    let events = submitted(2);
    assert!(matches!(events[0], DocumentEvent::DocumentSubmitted { .. }));
    let DocumentEvent::IllustrationPlanned { placements, .. } = &events[1] else {
        panic!("second event is the plan: {events:?}");
    };
    assert!(!placements.is_empty());
    assert_eq!(jobs(&events).len(), placements.len() * 2);
    assert!(events.iter().all(|e| e.meta().correlation_id == "req-1"));
}

#[test]
fn a_second_submission_of_the_same_document_is_refused() {
    TestFramework::<Document>::with(())
        .given(submitted(1))
        .when(illustrate(1))
        .then_expect_error(DocumentError::AlreadySubmitted);
}

#[test]
fn a_batch_outside_one_to_four_is_refused() {
    TestFramework::<Document>::with(())
        .given_no_previous_events()
        .when(illustrate(5))
        .then_expect_error(DocumentError::BadBatch { max: 4 });
}

#[test]
fn an_outcome_recorded_twice_changes_nothing_the_second_time() {
    let history = submitted(1);
    let job = jobs(&history)[0].clone();
    let outcome = ImageOutcome::Generated {
        image: image(&job),
        errors: Vec::new(),
    };

    let first = TestFramework::<Document>::with(())
        .given(history.clone())
        .when(DocumentCommand::RecordOutcome(
            ctx(),
            job.clone(),
            outcome.clone(),
        ))
        .inspect_result()
        .unwrap_or_default();
    assert_eq!(first.len(), 1);

    let mut replayed = history;
    replayed.extend(first);
    TestFramework::<Document>::with(())
        .given(replayed)
        .when(DocumentCommand::RecordOutcome(ctx(), job, outcome))
        .then_expect_events(Vec::new());
}

#[test]
fn a_document_completes_only_when_every_picture_has_an_outcome() {
    let mut history = submitted(1);
    let all = jobs(&history);

    TestFramework::<Document>::with(())
        .given(history.clone())
        .when(DocumentCommand::Complete(ctx()))
        .then_expect_events(Vec::new());

    for (n, job) in all.iter().enumerate() {
        let index = n as u32;
        history.push(DocumentEvent::ImageFailed {
            meta: ctx().meta(),
            job_id: job.clone(),
            index,
            candidate: 0,
            errors: vec![AttemptError {
                attempt: 5,
                source: Source::Card,
                error: "no font".into(),
            }],
        });
    }

    TestFramework::<Document>::with(())
        .given(history)
        .when(DocumentCommand::Complete(ctx()))
        .then_expect_events(vec![DocumentEvent::DocumentCompleted {
            meta: ctx().meta(),
            status: "failed".into(),
            generated: 0,
            failed: all.len() as u32,
        }]);
}

#[test]
fn an_unknown_job_is_refused() {
    TestFramework::<Document>::with(())
        .given(submitted(1))
        .when(DocumentCommand::RecordOutcome(
            ctx(),
            JobId("nope".into()),
            ImageOutcome::Failed {
                error: AttemptError {
                    attempt: 1,
                    source: Source::Card,
                    error: "x".into(),
                },
            },
        ))
        .then_expect_error(DocumentError::UnknownJob { job: "nope".into() });
}

#[test]
fn commands_on_a_document_never_submitted_are_not_found() {
    TestFramework::<Document>::with(())
        .given_no_previous_events()
        .when(DocumentCommand::Complete(ctx()))
        .then_expect_error(DocumentError::NotFound);
}

#[test]
fn regeneration_asks_for_a_new_generation_of_jobs() {
    let history = submitted(1);
    let events = TestFramework::<Document>::with(())
        .given(history.clone())
        .when(DocumentCommand::Regenerate(ctx(), vec![0]))
        .inspect_result()
        .unwrap_or_default();
    assert!(matches!(
        events[0],
        DocumentEvent::RegenerationRequested { generation: 1, .. }
    ));
    let new_jobs = jobs(&events);
    assert_eq!(new_jobs.len(), 1);
    assert!(!jobs(&history).contains(&new_jobs[0]));
}
