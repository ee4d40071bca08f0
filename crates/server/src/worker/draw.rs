//! Drawing one candidate: the placement's source first, then its fallbacks, in order.
//!
//! Offline sources draw in the process, one picture per core at a time. Online sources
//! wait for a slot of their provider's shared limits, get the prompt refined by the chat
//! model when one is configured, and are downloaded at once. A source that refuses for good
//! (a content policy, a bad key, nothing found) hands over to the next one in the chain; a
//! source that is only unavailable for now hands the whole job back to the queue, unless
//! this is its last delivery, when the chain goes on instead.
//!
//! A job handed back starts its chain from the first source again on its next delivery,
//! even if that source refused for good the time before: the job message cannot carry what
//! earlier deliveries learnt, and the worker does not read the document's error history.

use illustrator_analysis::{Credit, ImageFormat, Language, Placement, PlacementType, Source};
use illustrator_documents::AttemptError;
use illustrator_render::{RenderError, Rendered, render_offline, to_png, validate_mermaid};
use illustrator_sources::Fetched;

use super::job::JobMessage;
use crate::app::App;

/// A drawn picture and what its event records about it.
pub struct Drawn {
    pub bytes: Vec<u8>,
    pub content_type: String,
    pub width: u32,
    pub height: u32,
    pub source: Source,
    pub price_milli_fen: i64,
    pub model: Option<String>,
    pub request_id: Option<String>,
    /// The prompt an online source was given.
    pub prompt: Option<String>,
    /// Mermaid code the chat model wrote in place of the plan's.
    pub mermaid: Option<String>,
    pub credit: Option<Credit>,
    /// The sources that failed before `source` drew it.
    pub errors: Vec<AttemptError>,
}

/// Why no picture came out of this delivery.
pub enum NotDrawn {
    /// A source is unavailable for now and the job has deliveries left: try again later.
    Later(Vec<AttemptError>),
    /// Every source of the chain failed.
    Failed(Vec<AttemptError>),
}

/// One try of one source.
enum Tried {
    Drawn(Box<Drawn>),
    /// Final for this source: go on with the next one.
    Refused(String),
    /// May work later.
    Unavailable(String),
}

/// A one-pixel SVG that costs nothing to make, for measuring the pipeline itself.
fn noop_picture(source: Source) -> Drawn {
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>"#;
    offline_drawn(
        Rendered {
            bytes: svg.to_vec(),
            content_type: illustrator_render::SVG,
            width: 1,
            height: 1,
        },
        source,
    )
}

/// Tries the job's source and then its fallbacks until one draws the picture.
pub async fn draw(
    app: &App,
    job: &JobMessage,
    attempt: u32,
    last: bool,
) -> Result<Drawn, NotDrawn> {
    if app.config.noop_render {
        return Ok(noop_picture(job.job.source));
    }

    let mut chain = vec![job.job.source];
    chain.extend(job.job.fallbacks.iter().filter(|s| **s != job.job.source));
    let mut errors = Vec::new();

    for source in chain {
        let tried = if source.is_offline() {
            draw_offline(app, job, source).await
        } else {
            fetch_online(app, job, source).await
        };

        let error = match tried {
            Tried::Drawn(mut drawn) => {
                drawn.errors = errors;
                return Ok(*drawn);
            }
            Tried::Unavailable(error) if !last => {
                errors.push(AttemptError {
                    attempt,
                    source,
                    error,
                });
                return Err(NotDrawn::Later(errors));
            }
            Tried::Unavailable(error) | Tried::Refused(error) => error,
        };
        tracing::debug!(source = source.as_str(), error = %error, "source failed");
        errors.push(AttemptError {
            attempt,
            source,
            error,
        });
    }
    Err(NotDrawn::Failed(errors))
}

async fn draw_offline(app: &App, job: &JobMessage, source: Source) -> Tried {
    let mut placement = job.placement.clone();
    let mut written = None;
    if source == Source::Mermaid
        && let Some(code) = written_mermaid(app, &placement).await
    {
        placement.mermaid = Some(code.clone());
        written = Some(code);
    }

    // Drawing is CPU work: one picture per core, off the async threads.
    let Ok(_core) = app.render_slots.acquire().await else {
        return Tried::Unavailable("the worker is shutting down".into());
    };
    let title = job.article_title.clone();
    let format = job.image_format;
    let drawn = tokio::task::spawn_blocking(move || -> Result<Rendered, RenderError> {
        let rendered = render_offline(source, &placement, title.as_deref())?;
        match format {
            ImageFormat::Svg => Ok(rendered),
            ImageFormat::Png => Ok(Rendered {
                bytes: to_png(&rendered.bytes)?,
                content_type: "image/png",
                ..rendered
            }),
        }
    })
    .await;

    match drawn {
        Ok(Ok(rendered)) => {
            let mut drawn = offline_drawn(rendered, source);
            drawn.mermaid = written;
            Tried::Drawn(Box::new(drawn))
        }
        Ok(Err(error)) => Tried::Refused(error.to_string()),
        Err(panic) => Tried::Refused(format!("the renderer crashed: {panic}")),
    }
}

fn offline_drawn(rendered: Rendered, source: Source) -> Drawn {
    Drawn {
        bytes: rendered.bytes,
        content_type: rendered.content_type.to_owned(),
        width: rendered.width,
        height: rendered.height,
        source,
        price_milli_fen: 0,
        model: None,
        request_id: None,
        prompt: None,
        mermaid: None,
        credit: None,
        errors: Vec::new(),
    }
}

/// Mermaid code the chat model writes for a section or diagram, when one is configured and
/// its answer parses; `None` keeps the plan's own code, which is valid by construction.
async fn written_mermaid(app: &App, placement: &Placement) -> Option<String> {
    let llm = app.llm.as_ref()?;
    let wanted = matches!(
        placement.kind,
        PlacementType::Diagram | PlacementType::Section
    );
    if !wanted {
        return None;
    }

    let description = format!(
        "{}\n\n{}",
        placement.heading.as_deref().unwrap_or_default(),
        placement.excerpt
    );
    match llm.mermaid(&description).await {
        Ok(code) if validate_mermaid(&code).is_ok() => Some(code),
        Ok(_) => {
            tracing::debug!("the chat model's Mermaid does not parse; the template is kept");
            None
        }
        Err(error) => {
            tracing::debug!(error = %error, "the chat model wrote no Mermaid");
            None
        }
    }
}

async fn fetch_online(app: &App, job: &JobMessage, source: Source) -> Tried {
    let prompt = refined_prompt(app, job, source).await;

    let slot = match app.provider_limits.acquire(source).await {
        Ok(slot) => slot,
        Err(error) => return Tried::Unavailable(error.to_string()),
    };
    let fetched = app.providers.fetch(source, &prompt, &job.placement).await;
    app.provider_limits.release(slot).await;

    match fetched {
        Ok(fetched) => Tried::Drawn(Box::new(online_drawn(fetched, source, prompt))),
        Err(error) if error.is_retryable() => Tried::Unavailable(error.to_string()),
        Err(error) => Tried::Refused(error.to_string()),
    }
}

/// The placement's prompt, rewritten by the chat model for AI sources when one is
/// configured. Stock photo searches keep the short template prompt, which searches better.
async fn refined_prompt(app: &App, job: &JobMessage, source: Source) -> String {
    let template = job.placement.prompt.clone();
    let Some(llm) = app.llm.as_ref().filter(|_| source.is_ai()) else {
        return template;
    };

    let language = match job.language {
        Some(Language::Zh) => "zh",
        _ => "en",
    };
    match llm.refine_prompt(&template, language).await {
        Ok(refined) if !refined.is_empty() => refined,
        Ok(_) => template,
        Err(error) => {
            tracing::debug!(error = %error, "prompt refinement failed; the template is kept");
            template
        }
    }
}

fn online_drawn(fetched: Fetched, source: Source, prompt: String) -> Drawn {
    let credit = fetched.attribution.map(|a| Credit {
        author: a.author,
        author_url: a.author_url,
        site: site_name(source).to_owned(),
        site_url: a.source_url,
    });

    Drawn {
        bytes: fetched.bytes,
        content_type: fetched.content_type,
        width: fetched.width,
        height: fetched.height,
        source,
        price_milli_fen: fetched.price_milli_fen,
        model: fetched.model,
        request_id: fetched.request_id,
        prompt: Some(prompt),
        mermaid: None,
        credit,
        errors: Vec::new(),
    }
}

fn site_name(source: Source) -> &'static str {
    match source {
        Source::Unsplash => "Unsplash",
        Source::Pexels => "Pexels",
        _ => source.as_str(),
    }
}
