//! The HTTP side of `mi`: which server, which key, and errors in the API's own words.

use anyhow::{Context, bail};
use reqwest::{RequestBuilder, Response};

#[derive(clap::Args, Clone, Debug)]
pub struct ServerArgs {
    /// The server to talk to.
    #[arg(long, env = "MI_SERVER", default_value = "http://127.0.0.1:8080")]
    pub server: String,
    /// The API key or session token to send (default: the session `mi login` stored).
    #[arg(long, env = "MI_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
}

pub struct Client {
    pub http: reqwest::Client,
    pub server: String,
    api_key: Option<String>,
}

impl Client {
    pub fn new(args: &ServerArgs) -> anyhow::Result<Client> {
        let http = reqwest::Client::builder()
            .user_agent(concat!("mi/", env!("CARGO_PKG_VERSION")))
            .build()?;
        let server = args.server.trim_end_matches('/').to_owned();
        let api_key = args
            .api_key
            .clone()
            .or_else(|| crate::credentials::load(&server));
        Ok(Client {
            http,
            server,
            api_key,
        })
    }

    /// A request to `path` (absolute URLs are taken as they are), with the key attached.
    pub fn request(&self, method: reqwest::Method, path: &str) -> RequestBuilder {
        let url = if path.starts_with("http://") || path.starts_with("https://") {
            path.to_owned()
        } else {
            format!("{}{}", self.server, path)
        };
        let request = self.http.request(method, url);
        match &self.api_key {
            Some(key) => request.bearer_auth(key),
            None => request,
        }
    }
}

/// Turns a non-success answer into an error carrying the server's message.
pub async fn checked(response: Response) -> anyhow::Result<Response> {
    if response.status().is_success() {
        return Ok(response);
    }

    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    let message = serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v["error"]["message"].as_str().map(str::to_owned))
        .unwrap_or(body);
    bail!("the server answered {status}: {message}")
}

pub async fn send(request: RequestBuilder) -> anyhow::Result<Response> {
    let response = request.send().await.context("reaching the server")?;
    checked(response).await
}
