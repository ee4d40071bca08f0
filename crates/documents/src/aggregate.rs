//! The Document aggregate's state, its decisions (`handle`) and their effects (`apply`).

use std::collections::{BTreeMap, BTreeSet};

use cqrs_es::Aggregate;
use cqrs_es::event_sink::EventSink;
use illustrator_analysis::{
    AnalysisError, Classification, Language, Placement, PlanOptions, SourceRequest,
};
use serde::{Deserialize, Serialize};

use crate::commands::{CommandContext, DocumentCommand, IllustrateDocument, ImageOutcome};
use crate::error::DocumentError;
use crate::events::{ArticleRef, AttemptError, DocumentEvent, GeneratedImage, ImageJob};
use crate::ids::{DocumentId, JobId};
use crate::{AGGREGATE_TYPE, MAX_BATCH};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DocumentStatus {
    #[default]
    Accepted,
    Generating,
    Completed,
    Failed,
}

impl DocumentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentStatus::Accepted => "accepted",
            DocumentStatus::Generating => "generating",
            DocumentStatus::Completed => "completed",
            DocumentStatus::Failed => "failed",
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SlotStatus {
    #[default]
    Pending,
    Generated,
    Failed,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub number: u32,
    pub job_id: JobId,
    pub image: GeneratedImage,
}

/// One placement of the plan and what became of it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Slot {
    pub placement: Placement,
    pub status: SlotStatus,
    pub candidates: Vec<Candidate>,
    pub selected: Option<u32>,
    pub pending: BTreeMap<JobId, ImageJob>,
    pub errors: Vec<AttemptError>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub id: Option<DocumentId>,
    pub owner: String,
    pub article: Option<ArticleRef>,
    pub batch: u32,
    pub source: SourceRequest,
    pub options: PlanOptions,
    pub title: Option<String>,
    pub language: Option<Language>,
    pub classification: Option<Classification>,
    pub slots: Vec<Slot>,
    pub generation: u32,
    pub status: DocumentStatus,
    /// Jobs whose outcome is recorded, so that a redelivered job changes nothing.
    pub settled: BTreeSet<JobId>,
}

impl Document {
    fn slot(&self, index: u32) -> Result<&Slot, DocumentError> {
        self.slots
            .get(index as usize)
            .ok_or(DocumentError::NoSuchImage { index })
    }

    /// Finds the slot waiting for `job`, or says whether the job was already settled.
    fn pending_job(&self, job: &JobId) -> Option<(u32, &ImageJob)> {
        self.slots
            .iter()
            .enumerate()
            .find_map(|(index, slot)| slot.pending.get(job).map(|j| (index as u32, j)))
    }

    fn requests(&self, ctx: &CommandContext, index: u32, generation: u32) -> Vec<DocumentEvent> {
        let Some(slot) = self.slots.get(index as usize) else {
            return Vec::new();
        };
        let id = self.id.unwrap_or_default();

        (0..self.batch)
            .map(|candidate| DocumentEvent::ImageRequested {
                meta: ctx.meta(),
                job: ImageJob {
                    job_id: JobId::new(id, index, candidate, generation),
                    index,
                    candidate,
                    generation,
                    source: slot.placement.source,
                    fallbacks: slot.placement.fallbacks.clone(),
                },
            })
            .collect()
    }

    fn illustrate(
        &self,
        ctx: &CommandContext,
        command: &IllustrateDocument,
    ) -> Result<Vec<DocumentEvent>, DocumentError> {
        if self.id.is_some() {
            return Err(DocumentError::AlreadySubmitted);
        }

        if command.batch == 0 || command.batch > MAX_BATCH {
            return Err(DocumentError::BadBatch { max: MAX_BATCH });
        }

        let mut options = command.options.clone();
        options.source = command.source;
        let plan =
            illustrator_analysis::plan(&command.markdown, &options).map_err(
                |error| match error {
                    AnalysisError::NotUtf8 { offset } => DocumentError::NotUtf8 { offset },
                    other => DocumentError::Unplannable(other.to_string()),
                },
            )?;

        let mut events = vec![
            DocumentEvent::DocumentSubmitted {
                meta: ctx.meta(),
                document_id: command.document_id,
                owner: command.owner.clone(),
                article: command.article.clone(),
                source: command.source,
                batch: command.batch,
                options,
            },
            DocumentEvent::IllustrationPlanned {
                meta: ctx.meta(),
                title: plan.title,
                language: plan.language,
                classification: plan.classification,
                placements: plan.placements.clone(),
            },
        ];

        for placement in &plan.placements {
            for candidate in 0..command.batch {
                events.push(DocumentEvent::ImageRequested {
                    meta: ctx.meta(),
                    job: ImageJob {
                        job_id: JobId::new(command.document_id, placement.index, candidate, 0),
                        index: placement.index,
                        candidate,
                        generation: 0,
                        source: placement.source,
                        fallbacks: placement.fallbacks.clone(),
                    },
                });
            }
        }
        Ok(events)
    }

    fn record(
        &self,
        ctx: &CommandContext,
        job_id: JobId,
        outcome: ImageOutcome,
    ) -> Result<Vec<DocumentEvent>, DocumentError> {
        let Some((index, job)) = self.pending_job(&job_id) else {
            // A redelivered job whose outcome is already recorded changes nothing.
            if self.settled.contains(&job_id) {
                return Ok(Vec::new());
            }
            return Err(DocumentError::UnknownJob { job: job_id.0 });
        };
        let candidate = job.candidate;

        let event = match outcome {
            ImageOutcome::Generated { image, errors } => DocumentEvent::ImageGenerated {
                meta: ctx.meta(),
                job_id,
                index,
                candidate,
                image,
                errors,
            },
            ImageOutcome::AttemptFailed { error } => DocumentEvent::ImageAttemptFailed {
                meta: ctx.meta(),
                job_id,
                index,
                error,
            },
            ImageOutcome::Failed { error } => {
                let mut errors = self.slot(index)?.errors.clone();
                errors.push(error);
                DocumentEvent::ImageFailed {
                    meta: ctx.meta(),
                    job_id,
                    index,
                    candidate,
                    errors,
                }
            }
        };
        Ok(vec![event])
    }

    fn complete(&self, ctx: &CommandContext) -> Vec<DocumentEvent> {
        let open = matches!(
            self.status,
            DocumentStatus::Accepted | DocumentStatus::Generating
        );
        let waiting = self.slots.iter().any(|slot| !slot.pending.is_empty());

        if self.id.is_none() || !open || waiting {
            return Vec::new();
        }

        let generated = self
            .slots
            .iter()
            .filter(|slot| slot.status == SlotStatus::Generated)
            .count() as u32;
        let failed = self.slots.len() as u32 - generated;
        let status = if generated == 0 && failed > 0 {
            DocumentStatus::Failed
        } else {
            DocumentStatus::Completed
        };

        vec![DocumentEvent::DocumentCompleted {
            meta: ctx.meta(),
            status: status.as_str().to_owned(),
            generated,
            failed,
        }]
    }

    fn regenerate(
        &self,
        ctx: &CommandContext,
        indexes: Vec<u32>,
    ) -> Result<Vec<DocumentEvent>, DocumentError> {
        for &index in &indexes {
            self.slot(index)?;
        }

        let generation = self.generation + 1;
        let mut events = vec![DocumentEvent::RegenerationRequested {
            meta: ctx.meta(),
            indexes: indexes.clone(),
            generation,
        }];

        for index in indexes {
            events.extend(self.requests(ctx, index, generation));
        }
        Ok(events)
    }
}

impl Aggregate for Document {
    const TYPE: &'static str = AGGREGATE_TYPE;
    type Command = DocumentCommand;
    type Event = DocumentEvent;
    type Error = DocumentError;
    type Services = ();

    async fn handle(
        &mut self,
        command: Self::Command,
        _services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        if self.id.is_none() && !matches!(command, DocumentCommand::Illustrate(..)) {
            return Err(DocumentError::NotFound);
        }

        let events = match command {
            DocumentCommand::Illustrate(ctx, command) => self.illustrate(&ctx, &command)?,
            DocumentCommand::RecordOutcome(ctx, job, outcome) => self.record(&ctx, job, outcome)?,
            DocumentCommand::Complete(ctx) => self.complete(&ctx),
            DocumentCommand::SelectCandidate(ctx, index, candidate) => {
                let slot = self.slot(index)?;
                if !slot.candidates.iter().any(|c| c.number == candidate) {
                    return Err(DocumentError::NoSuchCandidate { index, candidate });
                }
                vec![DocumentEvent::CandidateSelected {
                    meta: ctx.meta(),
                    index,
                    candidate,
                }]
            }
            DocumentCommand::Regenerate(ctx, indexes) => self.regenerate(&ctx, indexes)?,
        };

        for event in events {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        match event {
            DocumentEvent::DocumentSubmitted {
                document_id,
                owner,
                article,
                source,
                batch,
                options,
                ..
            } => {
                self.id = Some(document_id);
                self.owner = owner;
                self.article = Some(article);
                self.source = source;
                self.batch = batch;
                self.options = options;
                self.status = DocumentStatus::Accepted;
            }
            DocumentEvent::IllustrationPlanned {
                title,
                language,
                classification,
                placements,
                ..
            } => {
                self.title = title;
                self.language = Some(language);
                self.classification = Some(classification);
                self.slots = placements
                    .into_iter()
                    .map(|placement| Slot {
                        placement,
                        status: SlotStatus::Pending,
                        candidates: Vec::new(),
                        selected: None,
                        pending: BTreeMap::new(),
                        errors: Vec::new(),
                    })
                    .collect();
                if !self.slots.is_empty() {
                    self.status = DocumentStatus::Generating;
                }
            }
            DocumentEvent::ImageRequested { job, .. } => {
                if let Some(slot) = self.slots.get_mut(job.index as usize) {
                    if slot.candidates.is_empty() {
                        slot.status = SlotStatus::Pending;
                    }
                    slot.pending.insert(job.job_id.clone(), job);
                }
            }
            DocumentEvent::ImageGenerated {
                job_id,
                index,
                image,
                errors,
                ..
            } => {
                if let Some(slot) = self.slots.get_mut(index as usize) {
                    slot.pending.remove(&job_id);
                    self.settled.insert(job_id.clone());
                    let number = slot.candidates.len() as u32;
                    slot.candidates.push(Candidate {
                        number,
                        job_id,
                        image,
                    });
                    slot.selected = Some(number);
                    slot.errors.extend(errors);
                    slot.status = SlotStatus::Generated;
                }
            }
            DocumentEvent::ImageAttemptFailed { index, error, .. } => {
                if let Some(slot) = self.slots.get_mut(index as usize) {
                    slot.errors.push(error);
                }
            }
            DocumentEvent::ImageFailed {
                job_id,
                index,
                errors,
                ..
            } => {
                if let Some(slot) = self.slots.get_mut(index as usize) {
                    slot.pending.remove(&job_id);
                    self.settled.insert(job_id);
                    slot.errors = errors;
                    if slot.candidates.is_empty() {
                        slot.status = SlotStatus::Failed;
                    }
                }
            }
            DocumentEvent::CandidateSelected {
                index, candidate, ..
            } => {
                if let Some(slot) = self.slots.get_mut(index as usize) {
                    slot.selected = Some(candidate);
                }
            }
            DocumentEvent::RegenerationRequested { generation, .. } => {
                self.generation = generation;
                self.status = DocumentStatus::Generating;
            }
            DocumentEvent::DocumentCompleted { status, .. } => {
                self.status = if status == DocumentStatus::Failed.as_str() {
                    DocumentStatus::Failed
                } else {
                    DocumentStatus::Completed
                };
            }
        }
    }
}
