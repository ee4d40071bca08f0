//! The JSON Schemas in `schemas/` are the ones the Rust types produce: the events of every
//! aggregate (`schemas/events/`) and the HTTP commands (`schemas/commands/`, through the
//! OpenAPI document). After changing an event or a request body on purpose, write them anew
//! with `UPDATE_SCHEMAS=1 cargo test -p illustrator-server --test e2e schemas`, and bump an
//! event's version with an upcaster if old events no longer fit.

use std::path::{Path, PathBuf};

use illustrator_accounts::AccountEvent;
use illustrator_billing::{PriceListEvent, SubscriptionEvent, UsageEvent};
use illustrator_documents::DocumentEvent;
use illustrator_server::api::ApiDoc;
use serde_json::Value;
use utoipa::OpenApi;

fn schemas_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../schemas")
}

/// Compares a generated schema with the committed file, writing it first when asked to.
/// The comparison is of JSON values, not bytes: the order of an object's keys depends on
/// which serde_json features the build happens to unify, and means nothing.
fn assert_committed(path: &Path, schema: &Value) {
    if std::env::var_os("UPDATE_SCHEMAS").is_some() {
        let pretty = serde_json::to_string_pretty(schema).unwrap_or_default();
        std::fs::write(path, format!("{pretty}\n")).expect("writing the schema");
    }
    let committed: Value = std::fs::read_to_string(path)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default();
    assert!(
        &committed == schema,
        "{} is out of date: run UPDATE_SCHEMAS=1 cargo test -p illustrator-server --test e2e \
         schemas",
        path.display()
    );
}

/// Every event type is a variant of the schema, in order, and carries its metadata (time,
/// actor, correlation id, schema version).
fn assert_events(schema: &Value, types: &[&str], name: &str) {
    let variants = schema["oneOf"].as_array().cloned().unwrap_or_default();
    let names: Vec<&str> = variants
        .iter()
        .filter_map(|v| v["required"][0].as_str())
        .collect();
    assert_eq!(
        names, types,
        "the schema's variants and {name}::TYPES differ"
    );

    for variant in &variants {
        let event = variant["required"][0].as_str().unwrap_or_default();
        let fields = &variant["properties"][event]["required"];
        let has_meta = fields
            .as_array()
            .is_some_and(|f| f.iter().any(|x| x == "meta"));
        assert!(has_meta, "{event} carries no meta");
    }
}

#[test]
fn the_committed_event_schemas_match_the_rust_types() {
    let documents = serde_json::to_value(schemars::schema_for!(DocumentEvent)).unwrap_or_default();
    assert_events(&documents, &DocumentEvent::TYPES, "DocumentEvent");
    assert_committed(&schemas_dir().join("events/document.json"), &documents);

    let accounts = serde_json::to_value(schemars::schema_for!(AccountEvent)).unwrap_or_default();
    assert_events(&accounts, &AccountEvent::TYPES, "AccountEvent");
    assert_committed(&schemas_dir().join("events/account.json"), &accounts);

    let usage = serde_json::to_value(schemars::schema_for!(UsageEvent)).unwrap_or_default();
    assert_events(&usage, &UsageEvent::TYPES, "UsageEvent");
    assert_committed(&schemas_dir().join("events/usage.json"), &usage);

    let prices = serde_json::to_value(schemars::schema_for!(PriceListEvent)).unwrap_or_default();
    assert_events(&prices, &PriceListEvent::TYPES, "PriceListEvent");
    assert_committed(&schemas_dir().join("events/price-list.json"), &prices);

    let subscriptions =
        serde_json::to_value(schemars::schema_for!(SubscriptionEvent)).unwrap_or_default();
    assert_events(
        &subscriptions,
        &SubscriptionEvent::TYPES,
        "SubscriptionEvent",
    );
    assert_committed(
        &schemas_dir().join("events/subscription.json"),
        &subscriptions,
    );
}

#[test]
fn the_committed_command_schemas_match_the_rust_types() {
    let doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    let schemas = &doc["components"]["schemas"];

    for (command, name) in [
        ("SubmitRequest", "illustrate-document"),
        ("RegenerateRequest", "regenerate"),
        ("SelectRequest", "select-candidate"),
        ("Credentials", "register-or-login"),
        ("TokenRequest", "verify-email"),
        ("EmailRequest", "request-password-reset"),
        ("ResetRequest", "reset-password"),
        ("PasswordChange", "change-password"),
        ("CreateKey", "create-api-key"),
        ("UserChange", "change-user"),
        ("CorrectionRequest", "correct-usage"),
        ("PlanRequest", "define-plan"),
        ("PriceRequest", "schedule-price"),
    ] {
        let schema = &schemas[command];
        assert!(
            schema.is_object(),
            "{command} is missing from the OpenAPI document"
        );
        assert_committed(&schemas_dir().join(format!("commands/{name}.json")), schema);
    }
}
