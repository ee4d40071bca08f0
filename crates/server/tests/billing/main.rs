//! Plans, quotas, usage and billing over HTTP on real NATS and Postgres: the race for the
//! last pictures of a day, the monthly budget's boundary, the day boundary at midnight in
//! the configured zone, refunds, redelivered jobs and the export across a rebuild.

mod budget;
mod race;
mod settlement;
#[allow(dead_code)]
#[path = "../accounts/support.rs"]
mod support;
mod usage;
