//! Plans, quotas, usage and billing over HTTP on real NATS and Postgres: the race for the
//! last pictures of a day, the monthly budget's boundary, the day boundary at midnight in
//! the configured zone, refunds, redelivered jobs, the export across a rebuild, price and
//! plan changes, API access by plan, and subscriptions with their scheduler.

mod budget;
mod plans;
mod race;
mod settlement;
mod subscriptions;
#[allow(dead_code)]
#[path = "../accounts/support.rs"]
mod support;
mod usage;
