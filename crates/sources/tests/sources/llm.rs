//! The chat model: prompt refinement and Mermaid code, OpenAI-compatible.

use axum::http::HeaderMap;
use axum::routing::post;
use axum::{Json, Router};
use illustrator_sources::{ProviderConfig, Providers, SourceError};
use serde_json::{Value, json};

use crate::fake;

/// A chat fake that checks the request and answers `reply`.
async fn chat(reply: &'static str) -> String {
    fake::start(move |_| {
        let complete = move |headers: HeaderMap, Json(body): Json<Value>| async move {
            assert_eq!(headers["authorization"], "Bearer key-llm_api_key");
            assert_eq!(body["model"], "glm-4-flash");
            assert_eq!(body["messages"][0]["role"], "system");
            assert_eq!(body["messages"][1]["role"], "user");
            Json(json!({
                "id": "chat-1",
                "model": "glm-4-flash",
                "choices": [{
                    "index": 0,
                    "finish_reason": "stop",
                    "message": { "role": "assistant", "content": reply },
                }],
            }))
        };
        Router::new().route("/chat/completions", post(complete))
    })
    .await
}

#[tokio::test]
async fn refined_prompt_is_the_answer_without_quotes() {
    let base = chat("\"A misty harbour at dawn, watercolour\"\n").await;
    let llm = fake::providers(&base).llm().unwrap();

    let prompt = llm.refine_prompt("港口", "en").await.unwrap();

    assert_eq!(prompt, "A misty harbour at dawn, watercolour");
}

#[tokio::test]
async fn mermaid_answer_loses_its_fence() {
    let base = chat("```mermaid\nflowchart TD\n  n1[\"a\"] --> n2[\"b\"]\n```").await;
    let llm = fake::providers(&base).llm().unwrap();

    let code = llm.mermaid("a then b").await.unwrap();

    assert_eq!(code, "flowchart TD\n  n1[\"a\"] --> n2[\"b\"]");
}

#[tokio::test]
async fn an_answer_that_is_not_mermaid_is_refused() {
    let base = chat("Sorry, I cannot draw that.").await;
    let llm = fake::providers(&base).llm().unwrap();

    let error = llm.mermaid("a then b").await.unwrap_err();

    assert!(matches!(error, SourceError::Protocol { .. }), "{error}");
}

#[test]
fn without_a_key_there_is_no_chat_model_and_no_online_source() {
    let providers = Providers::new(ProviderConfig::from_lookup(|_| None)).unwrap();

    assert!(matches!(
        providers.llm(),
        Err(SourceError::NotConfigured { .. })
    ));
    assert!(providers.config().available().is_empty());
    assert_eq!(
        providers.config().llm.base_url,
        "https://open.bigmodel.cn/api/paas/v4"
    );
}
