//! Integration tests of the event store against a real nats-server, one binary for all.

mod concurrency;
mod counter;
mod idempotency;
mod log;
mod restart;
mod snapshots;
mod support;
mod topology;
mod upcast;
