//! The online picture sources: stock photo search (Unsplash, Pexels) and AI image
//! generation (OpenAI, Zhipu CogView, Volcengine Ark Seedream, FLUX), plus the
//! OpenAI-compatible chat model that refines prompts and writes Mermaid code.
//!
//! Every call is real HTTP through one shared `reqwest` client: per-attempt timeouts,
//! bounded retries of 429 and 5xx answers that honour `Retry-After`, refusals (content
//! policy and other 4xx) reported as final, and pictures downloaded at once, bounded in
//! size, checked to be images, and never fetched from private, loopback or link-local
//! addresses unless that address is a configured provider host. The crate keeps no state
//! beyond a per-provider concurrency limit in the process.

#![cfg_attr(test, allow(clippy::unwrap_used))]

mod config;
mod error;
mod guard;
mod http;
mod llm;
mod picture;
mod providers;
mod shape;

mod flux;
mod generations;
mod pexels;
mod unsplash;

pub use config::{ApiKey, Endpoint, ProviderConfig, RetryPolicy};
pub use error::SourceError;
pub use llm::LlmClient;
pub use picture::{Attribution, Fetched};
pub use providers::{Providers, price_milli_fen};
