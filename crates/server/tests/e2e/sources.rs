//! Online sources through the whole server, against fake providers on 127.0.0.1: stock
//! photos with their credit, the fallback chain, candidates and regeneration.

use std::time::Duration;

use illustrator_server::Components;
use illustrator_server::testing::{Answer, FakeProviders};
use serde_json::{Value, json};

use crate::flow::assert_only_pictures_added;
use crate::support::TestServer;

const PROSE: &str = "\
# Notes from the harbour

We walked down to the harbour before sunrise, when the fishing boats come back and the
market opens under the old stone arches. The light was soft and grey, and the gulls were
louder than the engines. An old man mending nets told us how the town had changed since
he was a boy, when every family had a boat and the catch was sold before breakfast.

## The market

Stalls of crates and ice fill the square by six. Traders shout prices over each other,
restaurant owners walk the rows with notebooks, and children carry buckets of shrimp to
the vans. By eight the square is hosed down and the cafes put their chairs out again, as
if nothing had happened there at all that morning.
";

async fn server_with(fake: &FakeProviders) -> anyhow::Result<TestServer> {
    let providers = fake.config();
    TestServer::start_configured(Components::ALL, move |config| {
        config.providers = providers;
    })
    .await
}

/// The document once the read model shows it settled: completed or failed, nothing pending.
async fn document(server: &TestServer, id: &str) -> anyhow::Result<Value> {
    document_where(server, id, |_| true).await
}

/// The document once it is settled and `wanted` holds: the read model may lag the events.
async fn document_where(
    server: &TestServer,
    id: &str,
    wanted: impl Fn(&Value) -> bool,
) -> anyhow::Result<Value> {
    for _ in 0..100 {
        let doc: Value = server
            .get(&format!("/v1/documents/{id}"))
            .send()
            .await?
            .json()
            .await?;
        let settled = matches!(doc["status"].as_str(), Some("completed" | "failed"));
        let pending = doc["images"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|i| i["status"] == "pending");
        if settled && !pending && wanted(&doc) {
            return Ok(doc);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::bail!("document {id} did not settle")
}

fn candidates(doc: &Value, index: usize) -> usize {
    doc["images"][index]["candidates"]
        .as_array()
        .map_or(0, Vec::len)
}

async fn markdown(server: &TestServer, id: &str) -> anyhow::Result<String> {
    let path = format!("/v1/documents/{id}/markdown");
    Ok(server.get(&path).send().await?.text().await?)
}

#[tokio::test]
async fn stock_photos_are_downloaded_credited_and_their_use_reported() -> anyhow::Result<()> {
    let fake = FakeProviders::start(Answer::Picture(Duration::ZERO), Answer::ContentPolicy).await?;
    let server = server_with(&fake).await?;

    let accepted = server.submit(PROSE, "unsplash").await?;
    let id = accepted["id"].as_str().unwrap_or_default().to_owned();
    server.wait_completed(&id).await?;
    let doc = document(&server, &id).await?;

    let images = doc["images"].as_array().cloned().unwrap_or_default();
    assert!(!images.is_empty());
    for image in &images {
        let candidate = &image["candidates"][0];
        assert_eq!(candidate["source"], "unsplash");
        assert_eq!(candidate["content_type"], "image/png");
        assert!(candidate["credit"]["author"].as_str().is_some());
        assert_eq!(candidate["credit"]["site"], "Unsplash");
    }
    assert_eq!(fake.seen.tracked_downloads(), images.len());

    let text = markdown(&server, &id).await?;
    assert!(text.contains("*Photo by [Photographer "), "{text}");
    assert!(
        text.contains("utm_source="),
        "credit links carry the referral: {text}"
    );
    assert_only_pictures_added(PROSE, &strip_credits(&text));

    server.cleanup().await;
    Ok(())
}

/// The article without the credit lines, which sit under their pictures.
fn strip_credits(text: &str) -> String {
    text.split_inclusive('\n')
        .filter(|line| !line.starts_with("*Photo by ["))
        .collect()
}

#[tokio::test]
async fn a_refusal_falls_back_along_the_chain_and_is_kept_in_the_history() -> anyhow::Result<()> {
    let fake = FakeProviders::start(Answer::Nothing, Answer::ContentPolicy).await?;
    let server = server_with(&fake).await?;

    // Unsplash finds nothing, OpenAI refuses under its content policy, the card draws.
    let accepted = server.submit(PROSE, "unsplash").await?;
    let id = accepted["id"].as_str().unwrap_or_default().to_owned();
    let planned = &accepted["images"][0];
    assert_eq!(planned["source"], "unsplash");

    server.wait_completed(&id).await?;
    let doc = document(&server, &id).await?;
    assert_eq!(doc["status"], "completed");

    let image = &doc["images"][0];
    assert_eq!(image["status"], "generated");
    assert_eq!(image["candidates"][0]["source"], "card");
    let errors: Vec<String> = image["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| format!("{} {}", e["source"], e["error"]))
        .collect();
    assert!(
        errors
            .iter()
            .any(|e| e.contains("unsplash") && e.contains("no picture"))
    );
    assert!(
        errors
            .iter()
            .any(|e| e.contains("dalle") && e.contains("refused"))
    );

    server.cleanup().await;
    Ok(())
}

#[tokio::test]
async fn an_ai_picture_records_its_model_price_and_request_id() -> anyhow::Result<()> {
    let fake = FakeProviders::start(Answer::Nothing, Answer::Picture(Duration::ZERO)).await?;
    let server = server_with(&fake).await?;

    let accepted = server.submit(PROSE, "dalle").await?;
    let id = accepted["id"].as_str().unwrap_or_default().to_owned();
    server.wait_completed(&id).await?;
    let doc = document(&server, &id).await?;

    let candidate = &doc["images"][0]["candidates"][0];
    assert_eq!(candidate["source"], "dalle");
    assert_eq!(candidate["model"], "dall-e-3");
    assert_eq!(candidate["price_milli_fen"], 40_000);
    assert!(candidate["prompt"].as_str().is_some_and(|p| !p.is_empty()));

    let document = illustrator_server::commands::load(
        &server.app.documents,
        illustrator_documents::DocumentId::parse(&id)?,
    )
    .await?
    .ok_or_else(|| anyhow::anyhow!("no document"))?;
    let image = &document.slots[0].candidates[0].image;
    assert_eq!(image.request_id.as_deref(), Some("req_fake_0001"));

    server.cleanup().await;
    Ok(())
}

#[tokio::test]
async fn candidates_are_chosen_and_pictures_drawn_again() -> anyhow::Result<()> {
    let server = TestServer::start().await?;

    let body = json!({ "markdown": crate::flow::ARTICLE, "source": "auto", "batch": 2 });
    let response = server.post("/v1/documents").json(&body).send().await?;
    assert_eq!(response.status().as_u16(), 202);
    let accepted: Value = response.json().await?;
    let id = accepted["id"].as_str().unwrap_or_default().to_owned();
    let first_round = server.wait_completed(&id).await?;
    let mut seen_up_to = first_round.last().map(|e| e.id);

    let doc = document_where(&server, &id, |d| candidates(d, 0) == 2).await?;
    for image in doc["images"].as_array().into_iter().flatten() {
        assert_eq!(image["candidates"].as_array().map(Vec::len), Some(2));
    }

    // Choose the first candidate of the first picture: the article links to it.
    let chosen = doc["images"][0]["candidates"][0]["image_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let select = server
        .post(&format!("/v1/documents/{id}/images/0/select"))
        .json(&json!({ "candidate": 0 }))
        .send()
        .await?;
    assert!(
        select.status().is_success(),
        "select answered {}",
        select.status()
    );
    assert!(markdown(&server, &id).await?.contains(&chosen));

    let missing = server
        .post(&format!("/v1/documents/{id}/images/0/select"))
        .json(&json!({ "candidate": 7 }))
        .send()
        .await?;
    assert_eq!(missing.status().as_u16(), 400);

    // Draw the first picture again: two more candidates, and the newest is selected.
    let again = server
        .post(&format!("/v1/documents/{id}/regenerate"))
        .json(&json!({ "index": 0 }))
        .send()
        .await?;
    assert_eq!(
        again.status().as_u16(),
        202,
        "regenerate answered {}",
        again.status()
    );
    let second_round = server.events(&id, seen_up_to, usize::MAX).await?;
    let generated = second_round
        .iter()
        .filter(|e| e.event == "image.generated")
        .count();
    assert_eq!(generated, 2, "one event per new candidate");
    seen_up_to = second_round.last().map(|e| e.id);

    let doc = document_where(&server, &id, |d| candidates(d, 0) == 4).await?;
    assert_eq!(
        candidates(&doc, 1),
        2,
        "the other pictures keep their two candidates"
    );

    // By type: every picture of that type gets a new generation.
    let kind = doc["images"][1]["type"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let same_kind = doc["images"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|i| i["type"] == kind.as_str())
        .count();
    let by_type = server
        .post(&format!("/v1/documents/{id}/regenerate"))
        .json(&json!({ "type": kind }))
        .send()
        .await?;
    assert_eq!(by_type.status().as_u16(), 202);
    let view: Value = by_type.json().await?;
    assert_eq!(view["status"], "generating");
    server.events(&id, seen_up_to, usize::MAX).await?;
    let doc = document_where(&server, &id, |d| candidates(d, 1) == 4).await?;
    let redrawn = doc["images"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|i| i["candidates"].as_array().map(Vec::len) == Some(4))
        .count();
    assert!(
        redrawn >= same_kind,
        "{redrawn} pictures drawn again for {same_kind}"
    );

    server.cleanup().await;
    Ok(())
}

/// Technical enough for diagrams: code, API and server terms, and numbered steps.
const TECHNICAL: &str = "\
# Deploying the API server

The API server reads its configuration, connects to the database and the message queue,
and serves HTTP requests. This guide deploys it to a Kubernetes cluster with a Helm chart.

## Install

1. Build the container image with `docker build`.
2. Push the image to the registry.
3. Apply the database migrations with `sqlx migrate run`.
4. Install the Helm chart into the cluster.
5. Check the readiness endpoint of every pod.

```sh
docker build -t api:1.4 .
docker push registry.local/api:1.4
helm upgrade --install api ./chart
kubectl rollout status deploy/api
```

## Configure

The server takes `DATABASE_URL`, `NATS_URL` and `BIND` from the environment. The cache, the
queue consumer and the HTTP router are started by `main`, and each exposes metrics.

```rust
fn main() {
    let config = Config::from_env();
    serve(config);
}
```
";

async fn illustrate_with_chat(mermaid: &str) -> anyhow::Result<(Value, String)> {
    let picture = Answer::Picture(Duration::ZERO);
    let fake = FakeProviders::start_with_chat(picture, picture, Some(mermaid)).await?;
    let server = server_with(&fake).await?;

    let body = json!({ "markdown": TECHNICAL, "options": { "mermaid_mode": "code" } });
    let response = server.post("/v1/documents").json(&body).send().await?;
    let accepted: Value = response.json().await?;
    let id = accepted["id"].as_str().unwrap_or_default().to_owned();
    server.wait_completed(&id).await?;

    let doc = document(&server, &id).await?;
    let text = markdown(&server, &id).await?;
    server.cleanup().await;
    Ok((doc, text))
}

#[tokio::test]
async fn the_chat_model_refines_ai_prompts_and_writes_diagrams() -> anyhow::Result<()> {
    let written = "flowchart TD\n    a[\"Written by the chat model\"] --> b[\"Drawn\"]";
    let (doc, text) = illustrate_with_chat(written).await?;

    let cover = &doc["images"][0];
    assert_eq!(cover["type"], "cover");
    assert_eq!(cover["candidates"][0]["source"], "dalle");
    let prompt = cover["candidates"][0]["prompt"]
        .as_str()
        .unwrap_or_default();
    assert!(prompt.starts_with("Refined: "), "{prompt}");

    assert!(text.contains("```mermaid"), "{text}");
    assert!(text.contains("Written by the chat model"), "{text}");
    Ok(())
}

#[tokio::test]
async fn mermaid_from_the_chat_model_that_does_not_parse_is_replaced_by_the_template()
-> anyhow::Result<()> {
    let (doc, text) = illustrate_with_chat("flowchart TD\n    a[unclosed --> b").await?;

    assert!(text.contains("```mermaid"), "{text}");
    assert!(!text.contains("unclosed"), "{text}");
    let diagrams = doc["images"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|i| i["candidates"][0]["source"] == "mermaid")
        .count();
    assert!(diagrams > 0, "the diagrams were drawn from the template");
    Ok(())
}
