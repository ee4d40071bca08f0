//! Drawing one candidate: the placement's source first, then its fallbacks, in order.

use illustrator_analysis::Source;
use illustrator_documents::AttemptError;
use illustrator_render::{Rendered, render_offline};

use super::job::JobMessage;

pub struct Drawn {
    pub rendered: Rendered,
    pub source: Source,
    /// The sources that failed before `source` drew it.
    pub errors: Vec<AttemptError>,
}

/// A one-pixel SVG that costs nothing to make, for measuring the pipeline itself.
fn noop_picture() -> Rendered {
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>"#;
    Rendered {
        bytes: svg.to_vec(),
        content_type: "image/svg+xml",
        width: 1,
        height: 1,
    }
}

/// Tries each source in turn; drawing is CPU work, so it runs off the async threads.
pub async fn draw(job: &JobMessage, attempt: u32, noop: bool) -> Result<Drawn, Vec<AttemptError>> {
    if noop {
        return Ok(Drawn {
            rendered: noop_picture(),
            source: job.job.source,
            errors: Vec::new(),
        });
    }

    let mut chain = vec![job.job.source];
    chain.extend(
        job.job
            .fallbacks
            .iter()
            .copied()
            .filter(|s| *s != job.job.source),
    );
    let mut errors = Vec::new();

    for source in chain {
        if !source.is_offline() {
            errors.push(AttemptError {
                attempt,
                source,
                error: format!("{} is not configured on this server", source.as_str()),
            });
            continue;
        }

        let placement = job.placement.clone();
        let title = job.article_title.clone();
        let result = tokio::task::spawn_blocking(move || {
            render_offline(source, &placement, title.as_deref())
        })
        .await;

        match result {
            Ok(Ok(rendered)) => {
                return Ok(Drawn {
                    rendered,
                    source,
                    errors,
                });
            }
            Ok(Err(error)) => errors.push(AttemptError {
                attempt,
                source,
                error: error.to_string(),
            }),
            Err(panic) => errors.push(AttemptError {
                attempt,
                source,
                error: format!("the renderer crashed: {panic}"),
            }),
        }
    }
    Err(errors)
}
