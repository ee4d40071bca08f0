//! The JSON Schema in `schemas/events/account.json` is the one the Rust types produce.
//!
//! After changing an event on purpose, write the new schema with
//! `UPDATE_SCHEMAS=1 cargo test -p illustrator-accounts --test schemas`, and bump the
//! event version with an upcaster if old events no longer fit.

use std::path::PathBuf;

use illustrator_accounts::AccountEvent;

fn schema_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../schemas/events/account.json")
}

#[test]
fn the_committed_event_schema_matches_the_rust_types() {
    let schema = schemars::schema_for!(AccountEvent);
    let generated = format!(
        "{}\n",
        serde_json::to_string_pretty(&schema).unwrap_or_default()
    );
    let path = schema_path();

    if std::env::var_os("UPDATE_SCHEMAS").is_some() {
        std::fs::write(&path, &generated).expect("writing the schema");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} is out of date: run UPDATE_SCHEMAS=1 cargo test -p illustrator-accounts \
         --test schemas",
        path.display()
    );
}

#[test]
fn every_event_type_is_in_the_schema() {
    let schema = serde_json::to_value(schemars::schema_for!(AccountEvent)).unwrap_or_default();
    let variants = schema["oneOf"].as_array().cloned().unwrap_or_default();
    let names: Vec<&str> = variants
        .iter()
        .filter_map(|v| v["required"][0].as_str())
        .collect();

    assert_eq!(
        names,
        AccountEvent::TYPES,
        "schema variants and AccountEvent::TYPES differ"
    );
    for variant in &variants {
        let name = variant["required"][0].as_str().unwrap_or_default();
        let fields = &variant["properties"][name]["required"];
        let has_meta = fields
            .as_array()
            .is_some_and(|f| f.iter().any(|x| x == "meta"));
        assert!(
            has_meta,
            "{name} carries no meta (time, actor, correlation id)"
        );
    }
}
