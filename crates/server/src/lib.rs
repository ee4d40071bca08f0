//! The illustrator server: the HTTP API, generator workers, projectors and the SSE push
//! service, as a library so that tests build the same application the binary runs.

pub mod accounts;
pub mod api;
pub mod app;
pub mod billing;
pub mod commands;
pub mod config;
pub mod error;
pub mod metrics;
pub mod objects;
pub mod projector;
pub mod push;
pub mod readiness;
pub mod run;
pub mod setup;
pub mod telemetry;
pub mod testing;
pub mod worker;

pub use app::App;
pub use config::Config;
pub use run::{Components, Running, start};
