//! End-to-end tests of the server on real NATS and Postgres, one binary for the suite.

mod bad_input;
mod flow;
mod limits;
mod resilience;
mod schemas;
mod sources;
mod support;
