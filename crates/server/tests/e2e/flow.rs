//! The main path: articles in, illustrated articles and pictures out, progress over SSE.

use serde_json::Value;

use crate::support::{TestServer, shared_dir};

/// An article of the project's own, so the suite means something without the corpus.
pub const ARTICLE: &str = "\
# Shipping a release

Releases go out every six weeks. This note walks through the process the team follows so
that every release is reproducible, reviewed and announced on time.

## Steps

1. Freeze the branch and tag the release candidate.
2. Build the artifacts on the CI runners.
3. Run the integration suite against the staging cluster.
4. Publish the packages and the container images.
5. Announce the release on the blog.

## Numbers

| quarter | releases | regressions |
|---|---|---|
| Q1 | 3 | 2 |
| Q2 | 2 | 1 |
| Q3 | 3 | 0 |

## Architecture

The build service receives a webhook, schedules a pipeline on the runner pool and stores the
artifacts in object storage. A deploy controller watches the registry and rolls the new
version out to the clusters one region at a time, checking health between regions.

```rust
fn main() {
    println!(\"release\");
}
```
";

/// The lines of `original` stay in order and unchanged; everything added is a picture or
/// blank.
pub fn assert_only_pictures_added(original: &str, illustrated: &str) {
    let mut wanted = original.split_inclusive('\n').peekable();
    for line in illustrated.split_inclusive('\n') {
        if wanted.peek() == Some(&line) {
            wanted.next();
            continue;
        }
        let extra = line.trim();
        assert!(
            extra.is_empty() || extra.contains("/v1/images/"),
            "unexpected line added: {line:?}"
        );
    }
    let missing: Vec<_> = wanted.collect();
    assert!(
        missing.is_empty() || missing == [""],
        "original lines lost: {missing:?}"
    );
}

async fn illustrate_and_check(server: &TestServer, article: &str) -> anyhow::Result<Value> {
    let accepted = server.submit(article, "auto").await?;
    let id = accepted["id"].as_str().unwrap_or_default().to_owned();
    let planned = accepted["images"].as_array().map(Vec::len).unwrap_or(0);

    let events = server.wait_completed(&id).await?;
    assert_eq!(events.first().map(|e| e.event.as_str()), Some("planned"));
    assert!(
        events.windows(2).all(|w| w[0].id < w[1].id),
        "ids not increasing"
    );
    let outcomes = events
        .iter()
        .filter(|e| e.event == "image.generated" || e.event == "image.failed")
        .count();
    assert_eq!(outcomes, planned, "one outcome per planned picture");

    let markdown = server
        .get(&format!("/v1/documents/{id}/markdown"))
        .send()
        .await?
        .text()
        .await?;
    assert_only_pictures_added(article, &markdown);

    for event in events.iter().filter(|e| e.event == "image.generated") {
        let url = event.data["url"].as_str().unwrap_or_default();
        assert!(
            markdown.contains(url),
            "picture {url} is not linked in the article"
        );
        let response = server.get(url).send().await?;
        assert_eq!(response.status(), 200);
        let content_type = response.headers()["content-type"].to_str()?.to_owned();
        assert!(content_type.starts_with("image/"), "{content_type}");
        assert!(!response.bytes().await?.is_empty());
    }

    let document: Value = server
        .get(&format!("/v1/documents/{id}"))
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(document["id"], id.as_str());
    Ok(document)
}

#[tokio::test]
async fn articles_come_back_illustrated_with_every_other_byte_unchanged() -> anyhow::Result<()> {
    let server = TestServer::start().await?;

    let document = illustrate_and_check(&server, ARTICLE).await?;
    assert!(document["images"].as_array().is_some_and(|i| i.len() >= 2));

    match shared_dir() {
        Some(shared) => {
            for name in [
                "blog-en-rust-survey-2024.md",
                "doc-zh-rocketmq-best-practice-crlf.md",
                "readme-zh-freesql-baseentity-bom.md",
                "doc-en-mermaid-flowchart.md",
            ] {
                let article = std::fs::read_to_string(shared.join("corpus").join(name))?;
                illustrate_and_check(&server, &article).await?;
            }
        }
        None => eprintln!("shared/corpus is absent: the corpus articles did not run"),
    }

    server.cleanup().await;
    Ok(())
}

#[tokio::test]
async fn sse_resumes_after_a_disconnect_without_loss_or_duplicates() -> anyhow::Result<()> {
    let server = TestServer::start().await?;
    let accepted = server.submit(ARTICLE, "auto").await?;
    let id = accepted["id"].as_str().unwrap_or_default().to_owned();

    let first = server.events(&id, None, 2).await?;
    let all = server.wait_completed(&id).await?;
    assert_eq!(first[..], all[..2]);

    let rest = server.events(&id, Some(first[1].id), usize::MAX).await?;
    let joined: Vec<_> = first.iter().chain(rest.iter()).cloned().collect();
    assert_eq!(joined, all, "resumed stream differs from the whole history");

    let late = server.wait_completed(&id).await?;
    assert_eq!(late, all, "a late subscriber sees the same history");

    server.cleanup().await;
    Ok(())
}

#[tokio::test]
async fn a_replayed_submission_gets_its_first_answer() -> anyhow::Result<()> {
    let server = TestServer::start().await?;
    let body = serde_json::json!({ "markdown": ARTICLE });

    let first = server
        .post("/v1/documents")
        .header("Idempotency-Key", "release-note-1")
        .json(&body)
        .send()
        .await?;
    assert_eq!(first.status(), 202);
    let first: Value = first.json().await?;

    let again = server
        .post("/v1/documents")
        .header("Idempotency-Key", "release-note-1")
        .json(&body)
        .send()
        .await?;
    assert_eq!(again.status(), 200);
    let again: Value = again.json().await?;
    assert_eq!(again["id"], first["id"]);
    assert_eq!(
        again["images"].as_array().map(Vec::len),
        first["images"].as_array().map(Vec::len)
    );

    let other = serde_json::json!({ "markdown": "# Another article\n" });
    let reused = server
        .post("/v1/documents")
        .header("Idempotency-Key", "release-note-1")
        .json(&other)
        .send()
        .await?;
    assert_eq!(reused.status(), 409);

    let id = first["id"].as_str().unwrap_or_default();
    server.wait_completed(id).await?;
    let subject = server.app.ns.event_subject("document", id);
    let commits = server.app.log.read_subject_after(&subject, 0).await?;
    let submissions = commits
        .iter()
        .flat_map(|c| c.events.iter())
        .filter(|e| e.event_type == "DocumentSubmitted")
        .count();
    assert_eq!(submissions, 1, "the replay was stored again");

    server.cleanup().await;
    Ok(())
}

async fn dump(server: &TestServer) -> anyhow::Result<Vec<String>> {
    let mut rows = Vec::new();
    for query in [
        "SELECT row_to_json(d)::text FROM documents d ORDER BY id",
        "SELECT row_to_json(i)::text FROM document_images i ORDER BY document_id, position",
        "SELECT row_to_json(i)::text FROM images i ORDER BY id",
    ] {
        let found: Vec<(String,)> = sqlx::query_as(query).fetch_all(&server.app.db).await?;
        rows.extend(found.into_iter().map(|(r,)| r));
    }
    Ok(rows)
}

#[tokio::test]
async fn read_models_rebuild_to_the_same_rows() -> anyhow::Result<()> {
    let server = TestServer::start().await?;
    for article in [ARTICLE, "# Small\n\nA short one.\n"] {
        let accepted = server.submit(article, "auto").await?;
        server
            .wait_completed(accepted["id"].as_str().unwrap_or_default())
            .await?;
    }

    let checkpoint = server.last_seq().await?;
    for _ in 0..100 {
        let done = illustrator_server::projector::checkpoint(&server.app.db, "documents").await?;
        if done >= checkpoint {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let before = dump(&server).await?;
    assert!(!before.is_empty());

    illustrator_server::projector::rebuild(&server.app, "documents").await?;
    let after = dump(&server).await?;
    assert_eq!(before, after);

    server.cleanup().await;
    Ok(())
}
