//! `mi illustrate` and `mi regenerate`: work with a server, follow progress over SSE, and
//! write the illustrated article with its pictures as files.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};
use reqwest::Method;
use serde_json::{Value, json};

use crate::client::{Client, ServerArgs, send};
use crate::sse::read_events;

#[derive(clap::Args)]
pub struct IllustrateArgs {
    /// The Markdown article.
    pub file: PathBuf,
    /// `auto`, or one source for every picture (mermaid, chart, card, unsplash, ...).
    #[arg(long, default_value = "auto")]
    pub source: String,
    /// Candidates to draw per picture (1 to 4).
    #[arg(long, default_value_t = 1)]
    pub batch: u32,
    /// What the offline sources (mermaid, chart, card) deliver: svg or png.
    #[arg(long, default_value = "svg", value_parser = ["svg", "png"])]
    pub format: String,
    /// Where to write the article; pictures go to an `images` folder beside it.
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub server: ServerArgs,
}

#[derive(clap::Args)]
pub struct RegenerateArgs {
    /// The document id.
    pub document: String,
    /// Draw this picture again.
    #[arg(long, conflicts_with_all = ["kind", "failed"])]
    pub index: Option<u32>,
    /// Draw every picture of this type again (cover, section, diagram, chart, ...).
    #[arg(long = "type", conflicts_with = "failed")]
    pub kind: Option<String>,
    /// Draw every failed picture again.
    #[arg(long)]
    pub failed: bool,
    /// Where to write the article once the pictures are drawn.
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub server: ServerArgs,
}

fn read_article(path: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        anyhow::anyhow!("{} is not valid UTF-8 at byte {offset}", path.display())
    })
}

fn default_output(input: &Path) -> PathBuf {
    let stem = input
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "article".into());
    PathBuf::from(format!("{stem}.illustrated.md"))
}

pub async fn run(args: IllustrateArgs) -> anyhow::Result<()> {
    let markdown = read_article(&args.file)?;
    let client = Client::new(&args.server)?;
    let key = format!(
        "mi-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    );

    let body = json!({
        "markdown": markdown,
        "source": args.source,
        "batch": args.batch,
        "options": { "image_format": args.format },
    });
    let request = client
        .request(Method::POST, "/v1/documents")
        .header("Idempotency-Key", key)
        .json(&body);
    let accepted: Value = send(request).await?.json().await?;
    let id = accepted["id"]
        .as_str()
        .context("the server's answer has no document id")?
        .to_owned();
    let pictures = accepted["images"].as_array().map(Vec::len).unwrap_or(0);
    eprintln!("document {id}: {pictures} pictures planned");

    let expected = pictures as u64 * u64::from(args.batch);
    follow(&client, &id, expected, 0).await?;

    let output = args.output.unwrap_or_else(|| default_output(&args.file));
    write_result(&client, &id, &output).await
}

pub async fn regenerate(args: RegenerateArgs) -> anyhow::Result<()> {
    let client = Client::new(&args.server)?;
    let body = match (args.index, &args.kind, args.failed) {
        (Some(index), None, false) => json!({ "index": index }),
        (None, Some(kind), false) => json!({ "type": kind }),
        (None, None, true) => json!({ "failed": true }),
        _ => bail!("give exactly one of --index, --type or --failed"),
    };

    let path = format!("/v1/documents/{}/regenerate", args.document);
    let document: Value = send(client.request(Method::POST, &path).json(&body))
        .await?
        .json()
        .await?;
    let batch = document["batch"].as_u64().unwrap_or(1);
    let generation = document["generation"].as_u64().unwrap_or(0);
    let pictures = match (args.index, &args.kind) {
        (Some(_), _) => 1,
        (None, Some(kind)) => count(&document, |i| i["type"] == kind.as_str()),
        (None, None) => count(&document, |i| i["status"] == "pending"),
    };
    eprintln!("document {}: drawing again", args.document);

    follow(&client, &args.document, pictures * batch, generation).await?;
    if let Some(output) = args.output {
        write_result(&client, &args.document, &output).await?;
    }
    Ok(())
}

fn count(document: &Value, matches: impl Fn(&Value) -> bool) -> u64 {
    let images = document["images"].as_array().into_iter().flatten();
    images.filter(|image| matches(image)).count() as u64
}

/// Shows progress until the document completes, reconnecting with Last-Event-ID. Events of
/// generations before `generation` (the history of earlier drawings) are skipped.
async fn follow(client: &Client, id: &str, expected: u64, generation: u64) -> anyhow::Result<()> {
    let bar = ProgressBar::new(expected.max(1));
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} pictures {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );

    let mut last_id: Option<String> = None;
    let mut current = 0;
    let mut done = false;
    let mut failures = 0;

    while !done {
        let mut request = client.request(Method::GET, &format!("/v1/documents/{id}/events"));
        if let Some(last) = &last_id {
            request = request.header("Last-Event-ID", last);
        }

        let outcome = match send(request).await {
            Ok(response) => {
                read_events(response, |event| {
                    if event.id.is_some() {
                        last_id = event.id.clone();
                    }
                    if event.event == "regenerating" {
                        current = event_generation(&event.data);
                    }
                    if current < generation {
                        return true;
                    }
                    match event.event.as_str() {
                        "image.generated" => bar.inc(1),
                        "image.failed" => {
                            bar.inc(1);
                            bar.set_message("(some failed)");
                        }
                        "completed" => done = true,
                        _ => {}
                    }
                    !done
                })
                .await
            }
            Err(error) => Err(error),
        };

        if done {
            break;
        }
        failures += 1;
        if failures > 30 {
            bail!("lost the event stream of document {id}: {outcome:?}");
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    bar.finish();
    Ok(())
}

/// The generation a `regenerating` event announces.
fn event_generation(data: &str) -> u64 {
    serde_json::from_str::<Value>(data)
        .ok()
        .and_then(|v| v["generation"].as_u64())
        .unwrap_or(0)
}

fn extension(content_type: &str) -> &'static str {
    match content_type.split(';').next().unwrap_or("").trim() {
        "image/svg+xml" => "svg",
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "image/webp" => "webp",
        "image/gif" => "gif",
        _ => "bin",
    }
}

/// The document once its read model has caught up with the `completed` event, which may
/// take a moment after the event itself.
async fn settled_document(client: &Client, id: &str) -> anyhow::Result<Value> {
    let path = format!("/v1/documents/{id}");
    for _ in 0..100 {
        let document: Value = send(client.request(Method::GET, &path))
            .await?
            .json()
            .await?;
        if matches!(document["status"].as_str(), Some("completed" | "failed")) {
            return Ok(document);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("document {id} did not settle")
}

/// Downloads the article and its selected pictures, rewriting links to the local files.
async fn write_result(client: &Client, id: &str, output: &Path) -> anyhow::Result<()> {
    let document = settled_document(client, id).await?;
    let mut markdown = send(client.request(Method::GET, &format!("/v1/documents/{id}/markdown")))
        .await?
        .text()
        .await?;

    let folder = output.parent().unwrap_or(Path::new("")).join("images");
    std::fs::create_dir_all(&folder).with_context(|| format!("creating {}", folder.display()))?;
    let mut written = 0;
    let mut failed = 0;

    for image in document["images"].as_array().into_iter().flatten() {
        let Some(selected) = image["selected"].as_u64() else {
            failed += 1;
            continue;
        };
        let Some(candidate) = image["candidates"]
            .as_array()
            .and_then(|c| c.iter().find(|c| c["candidate"].as_u64() == Some(selected)))
        else {
            continue;
        };
        let url = candidate["url"].as_str().unwrap_or_default();
        let content_type = candidate["content_type"].as_str().unwrap_or_default();
        let name = format!(
            "{:02}-{}.{}",
            image["index"].as_u64().unwrap_or(0),
            image["type"].as_str().unwrap_or("image"),
            extension(content_type)
        );

        let bytes = send(client.request(Method::GET, url))
            .await?
            .bytes()
            .await?;
        let path = folder.join(&name);
        std::fs::write(&path, &bytes).with_context(|| format!("writing {}", path.display()))?;
        markdown = markdown.replace(url, &format!("images/{name}"));
        written += 1;
    }

    std::fs::write(output, markdown).with_context(|| format!("writing {}", output.display()))?;
    println!(
        "wrote {} with {written} pictures in {}{}",
        output.display(),
        folder.display(),
        if failed > 0 {
            format!(" ({failed} could not be drawn)")
        } else {
            String::new()
        }
    );
    Ok(())
}
