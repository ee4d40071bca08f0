//! End-to-end tests of the server on real NATS and Postgres, one binary for the suite.

mod bad_input;
mod flow;
mod resilience;
mod schemas;
mod support;
