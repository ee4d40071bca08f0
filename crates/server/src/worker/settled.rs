//! What a settled job adds to the metrics: its picture's source, outcome and price.

use std::time::Duration;

use illustrator_analysis::Source;
use illustrator_documents::ImageOutcome;

use crate::metrics::{self, AttemptOutcome, PictureOutcome};

/// What a settled job adds to the metrics: its picture's source, outcome and price.
pub struct Settled {
    source: Source,
    outcome: PictureOutcome,
    cost_milli_fen: u64,
}

impl Settled {
    pub fn of(outcome: &ImageOutcome, requested: Source) -> Settled {
        match outcome {
            ImageOutcome::Generated { image, .. } => Settled {
                source: image.source,
                outcome: PictureOutcome::Generated,
                cost_milli_fen: image.price_milli_fen.max(0) as u64,
            },
            _ => Settled {
                source: requested,
                outcome: PictureOutcome::Failed,
                cost_milli_fen: 0,
            },
        }
    }

    pub fn count(self, elapsed: Duration) {
        let attempt = match self.outcome {
            PictureOutcome::Generated => AttemptOutcome::Generated,
            PictureOutcome::Failed => AttemptOutcome::Failed,
        };
        metrics::job_attempt(self.source, attempt, Some(elapsed));
        metrics::picture_settled(self.source, self.outcome, self.cost_milli_fen);
    }
}
