//! Operations tests: metrics, readiness, alerts, manifests, graceful shutdown and a NATS
//! cluster losing a node, on the real NATS and PostgreSQL. One binary for the suite.

mod cluster;
mod deploy;
mod logs;
mod metrics;
mod monitoring;
mod ready;
mod shutdown;
mod support;
