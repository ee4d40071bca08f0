//! An OpenAI-compatible chat model (Zhipu GLM by default) that turns article text into
//! better picture prompts and into Mermaid code.

use std::sync::Arc;

use serde::Deserialize;
use serde_json::json;

use crate::error::SourceError;
use crate::providers::{Inner, Providers};

/// The diagram keywords a Mermaid answer may start with.
const MERMAID_STARTS: [&str; 12] = [
    "flowchart",
    "graph",
    "sequenceDiagram",
    "classDiagram",
    "stateDiagram",
    "erDiagram",
    "gantt",
    "pie",
    "mindmap",
    "timeline",
    "journey",
    "quadrantChart",
];

/// The chat model, sharing the client and limits of the [`Providers`] it came from.
#[derive(Clone, Debug)]
pub struct LlmClient {
    inner: Arc<Inner>,
}

#[derive(Deserialize)]
struct Completion {
    choices: Vec<Choice>,
}

#[derive(Deserialize)]
struct Choice {
    message: Message,
}

#[derive(Deserialize)]
struct Message {
    #[serde(default)]
    content: Option<String>,
}

impl Providers {
    /// The chat model of `LLM_API_KEY` and `LLM_BASE_URL`; fails when no key is set.
    pub fn llm(&self) -> Result<LlmClient, SourceError> {
        if self.inner.config.llm.key.is_none() {
            return Err(SourceError::NotConfigured {
                source_name: "llm",
                reason: "no API key".to_string(),
            });
        }
        Ok(LlmClient {
            inner: self.inner.clone(),
        })
    }
}

impl LlmClient {
    /// Rewrites `prompt` as one vivid picture description in `language` (`zh` or `en`).
    pub async fn refine_prompt(&self, prompt: &str, language: &str) -> Result<String, SourceError> {
        let language = match language {
            "zh" => "Chinese",
            _ => "English",
        };
        let system = format!(
            "You write prompts for an image model. Rewrite the user's text as one \
             description of a single picture: subject, setting, style, light. No text or \
             letters in the picture. Answer in {language} with the prompt only, at most 80 words."
        );

        let answer = self.chat(&system, prompt).await?;
        Ok(answer.trim().trim_matches('"').trim().to_string())
    }

    /// Mermaid code for a diagram of `description`, without Markdown fences. Fails when
    /// the answer does not start with a Mermaid diagram keyword.
    pub async fn mermaid(&self, description: &str) -> Result<String, SourceError> {
        let system = "You draw diagrams in Mermaid. Answer with Mermaid code only, no \
                      explanation and no Markdown fence. Quote every node label.";

        let answer = self.chat(system, description).await?;
        let code = strip_fence(&answer);
        let known = MERMAID_STARTS.iter().any(|k| code.starts_with(k));
        if !known {
            return Err(SourceError::protocol(
                "llm",
                "the answer is not Mermaid code",
            ));
        }
        Ok(code)
    }

    /// One chat completion with a system and a user message; the reply's text.
    async fn chat(&self, system: &str, user: &str) -> Result<String, SourceError> {
        let (call, _permit) = self.inner.start("llm", &self.inner.config.llm).await?;
        let body = json!({
            "model": call.model,
            "messages": [
                { "role": "system", "content": system },
                { "role": "user", "content": user },
            ],
            "temperature": 0.3,
        });
        let client = &self.inner.http.client;
        let url = format!("{}/chat/completions", call.base);
        let build = || client.post(&url).bearer_auth(call.key).json(&body);

        let resp = self
            .inner
            .http
            .send("llm", true, call.timeout(), build)
            .await?;
        let (completion, _): (Completion, _) =
            crate::http::json("llm", resp, 4 * 1024 * 1024).await?;
        completion
            .choices
            .into_iter()
            .next()
            .and_then(|c| c.message.content)
            .filter(|c| !c.trim().is_empty())
            .ok_or_else(|| SourceError::protocol("llm", "an empty answer"))
    }
}

/// The code inside a ```` ``` ```` fence when the answer has one, else the answer.
fn strip_fence(answer: &str) -> String {
    let text = answer.trim();
    let Some(start) = text.find("```") else {
        return text.to_string();
    };

    let after = &text[start + 3..];
    let body = after.split_once('\n').map_or("", |(_, rest)| rest);
    let end = body.rfind("```").unwrap_or(body.len());
    body[..end].trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::strip_fence;

    #[test]
    fn fenced_mermaid_loses_its_fence() {
        let answer = "Here:\n```mermaid\nflowchart TD\n  a --> b\n```\n";
        assert_eq!(strip_fence(answer), "flowchart TD\n  a --> b");
        assert_eq!(strip_fence("graph LR\n a-->b"), "graph LR\n a-->b");
    }
}
