//! Fake picture providers on 127.0.0.1 that speak the documented request and answer shapes
//! of Unsplash (search, download tracking, photo bytes) and of OpenAI's image generations,
//! so that tests and the load tool can run the online sources with no network.
//!
//! Each fake answers the way it is told ([`Answer`]) and counts what it saw: calls, calls
//! in flight now and at most, and Unsplash download-tracking pings. With a chat model it
//! also speaks the OpenAI-compatible chat completions API: prompts come back prefixed with
//! `Refined: `, and a request for Mermaid gets the code the test chose.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use illustrator_sources::ProviderConfig;
use serde_json::json;

/// How a fake provider answers a request for a picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// A picture, after the given delay.
    Picture(Duration),
    /// A refusal under the provider's content policy (HTTP 400).
    ContentPolicy,
    /// Unsplash: a search without results.
    Nothing,
    /// HTTP 503 every time.
    Unavailable,
}

/// What the fakes saw.
#[derive(Debug, Default)]
pub struct Seen {
    pub calls: AtomicUsize,
    pub in_flight: AtomicUsize,
    pub max_in_flight: AtomicUsize,
    pub tracked_downloads: AtomicUsize,
}

impl Seen {
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    pub fn max_in_flight(&self) -> usize {
        self.max_in_flight.load(Ordering::SeqCst)
    }

    pub fn tracked_downloads(&self) -> usize {
        self.tracked_downloads.load(Ordering::SeqCst)
    }
}

struct Fake {
    base: String,
    unsplash: Answer,
    openai: Answer,
    seen: Arc<Seen>,
    picture: Vec<u8>,
    /// What the chat model answers when asked for Mermaid; `None`: no chat model.
    chat_mermaid: Option<String>,
}

/// A running fake of Unsplash and OpenAI behind one address.
pub struct FakeProviders {
    /// `http://127.0.0.1:PORT`: the base URL of both APIs.
    pub base: String,
    pub seen: Arc<Seen>,
    chat: bool,
    task: tokio::task::JoinHandle<()>,
}

impl FakeProviders {
    pub async fn start(unsplash: Answer, openai: Answer) -> std::io::Result<FakeProviders> {
        FakeProviders::start_with_chat(unsplash, openai, None).await
    }

    /// As [`Self::start`], with a chat model that answers Mermaid requests with `mermaid`.
    pub async fn start_with_chat(
        unsplash: Answer,
        openai: Answer,
        mermaid: Option<&str>,
    ) -> std::io::Result<FakeProviders> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let seen = Arc::new(Seen::default());
        let fake = Arc::new(Fake {
            base: base.clone(),
            unsplash,
            openai,
            seen: seen.clone(),
            picture: picture(),
            chat_mermaid: mermaid.map(str::to_owned),
        });
        let chat = fake.chat_mermaid.is_some();

        let router = Router::new()
            .route("/search/photos", get(search))
            .route("/photos/{id}/download", get(track))
            .route("/files/{name}", get(file))
            .route("/images/generations", post(generate))
            .route("/chat/completions", post(complete))
            .with_state(fake);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Ok(FakeProviders {
            base,
            seen,
            chat,
            task,
        })
    }

    /// The environment that points every provider this fake speaks for at it.
    pub fn env(&self) -> Vec<(String, String)> {
        let mut keys = vec!["UNSPLASH", "OPENAI"];
        if self.chat {
            keys.push("LLM");
        }

        let mut env = Vec::new();
        for name in keys {
            let key = match name {
                "UNSPLASH" => "UNSPLASH_ACCESS_KEY".to_owned(),
                other => format!("{other}_API_KEY"),
            };
            env.push((key, format!("fake-{}-key", name.to_ascii_lowercase())));
            env.push((format!("{name}_BASE_URL"), self.base.clone()));
        }
        env
    }
}

impl FakeProviders {
    /// The provider configuration pointing at this fake, with the rest at its defaults.
    pub fn config(&self) -> ProviderConfig {
        let env = self.env();
        ProviderConfig::from_lookup(|name| {
            env.iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.clone())
        })
    }
}

impl Drop for FakeProviders {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A real 64 x 40 PNG, so that whoever reads the picture back finds an image.
fn picture() -> Vec<u8> {
    let svg = br##"<svg xmlns="http://www.w3.org/2000/svg" width="64" height="40">
        <rect width="64" height="40" fill="#3a7"/></svg>"##;
    illustrator_render::to_png(svg).unwrap_or_default()
}

/// Counts a call in flight until dropped.
struct InFlight(Arc<Seen>);

impl InFlight {
    fn new(seen: &Arc<Seen>) -> InFlight {
        seen.calls.fetch_add(1, Ordering::SeqCst);
        let now = seen.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        seen.max_in_flight.fetch_max(now, Ordering::SeqCst);
        InFlight(seen.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Waits or refuses as `answer` says; `Ok` means go on and answer with a picture.
async fn behave(answer: Answer) -> Result<(), Response> {
    match answer {
        Answer::Picture(delay) => {
            tokio::time::sleep(delay).await;
            Ok(())
        }
        Answer::ContentPolicy => Err((
            StatusCode::BAD_REQUEST,
            axum::Json(json!({ "error": {
                "code": "content_policy_violation",
                "message": "Your request was rejected by the safety system.",
                "type": "invalid_request_error" } })),
        )
            .into_response()),
        Answer::Nothing => Ok(()),
        Answer::Unavailable => Err(StatusCode::SERVICE_UNAVAILABLE.into_response()),
    }
}

async fn search(State(fake): State<Arc<Fake>>) -> Response {
    let _call = InFlight::new(&fake.seen);
    if let Err(refusal) = behave(fake.unsplash).await {
        return refusal;
    }
    if fake.unsplash == Answer::Nothing {
        return axum::Json(json!({ "total": 0, "total_pages": 0, "results": [] })).into_response();
    }

    let base = &fake.base;
    let results: Vec<_> = (0..3)
        .map(|n| {
            json!({
                "id": format!("photo{n}"),
                "urls": { "regular": format!("{base}/files/photo{n}.png") },
                "links": {
                    "html": format!("https://unsplash.com/photos/photo{n}"),
                    "download_location": format!("{base}/photos/photo{n}/download"),
                },
                "user": {
                    "name": format!("Photographer {n}"),
                    "links": { "html": format!("https://unsplash.com/@photographer{n}") },
                },
            })
        })
        .collect();
    axum::Json(json!({ "total": 3, "total_pages": 1, "results": results })).into_response()
}

async fn track(State(fake): State<Arc<Fake>>, Path(id): Path<String>) -> Response {
    fake.seen.tracked_downloads.fetch_add(1, Ordering::SeqCst);
    let url = format!("{}/files/{id}.png", fake.base);
    axum::Json(json!({ "url": url })).into_response()
}

async fn file(State(fake): State<Arc<Fake>>, Path(_name): Path<String>) -> Response {
    ([(header::CONTENT_TYPE, "image/png")], fake.picture.clone()).into_response()
}

async fn generate(State(fake): State<Arc<Fake>>) -> Response {
    let _call = InFlight::new(&fake.seen);
    if let Err(refusal) = behave(fake.openai).await {
        return refusal;
    }

    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(&fake.picture);
    let created = chrono::Utc::now().timestamp();
    (
        [("x-request-id", "req_fake_0001")],
        axum::Json(json!({ "created": created, "data": [{ "b64_json": b64 }] })),
    )
        .into_response()
}

async fn complete(
    State(fake): State<Arc<Fake>>,
    axum::Json(request): axum::Json<serde_json::Value>,
) -> Response {
    let messages = request["messages"].as_array().cloned().unwrap_or_default();
    let text = |role: &str| {
        messages
            .iter()
            .find(|m| m["role"] == role)
            .and_then(|m| m["content"].as_str())
            .unwrap_or_default()
            .to_owned()
    };

    let answer = if text("system").contains("Mermaid") {
        fake.chat_mermaid.clone().unwrap_or_default()
    } else {
        format!("Refined: {}", text("user"))
    };
    axum::Json(json!({
        "id": "chat_fake_0001",
        "choices": [{ "index": 0, "message": { "role": "assistant", "content": answer } }],
    }))
    .into_response()
}
