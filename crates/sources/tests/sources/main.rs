//! The online sources against local fake providers that speak each provider's documented
//! request and response shapes.

#![allow(clippy::unwrap_used)]

mod fake;

mod generation;
mod guard;
mod llm;
mod load;
mod resilience;
mod stock;
