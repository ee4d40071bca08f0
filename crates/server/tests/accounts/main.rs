//! Accounts and access over HTTP, on real NATS and Postgres and the local mail sink: every
//! flow, OAuth against a fake provider, the permission matrix, ownership, throttling across
//! three replicas, and logs free of secrets. One binary for the suite.

mod fake_oauth;
mod flows;
mod keys;
mod logs;
mod oauth;
mod ownership;
mod permissions;
mod support;
mod throttling;
