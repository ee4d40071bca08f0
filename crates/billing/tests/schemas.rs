//! `schemas/events/usage.json` is the JSON Schema the usage event types produce.
//!
//! After changing an event on purpose, write the new schema with
//! `UPDATE_SCHEMAS=1 cargo test -p illustrator-billing --test schemas`.

use std::path::PathBuf;

use illustrator_billing::UsageEvent;

fn schema_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../schemas/events/usage.json")
}

#[test]
fn the_committed_usage_schema_matches_the_rust_types() {
    let schema = schemars::schema_for!(UsageEvent);
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
        "{} is out of date: run UPDATE_SCHEMAS=1 cargo test -p illustrator-billing --test \
         schemas",
        path.display()
    );
}

#[test]
fn every_usage_event_is_in_the_schema_and_carries_meta() {
    let schema = serde_json::to_value(schemars::schema_for!(UsageEvent)).unwrap_or_default();
    let variants = schema["oneOf"].as_array().cloned().unwrap_or_default();
    let names: Vec<&str> = variants
        .iter()
        .filter_map(|v| v["required"][0].as_str())
        .collect();
    assert_eq!(names, UsageEvent::TYPES);

    for variant in &variants {
        let name = variant["required"][0].as_str().unwrap_or_default();
        let fields = variant["properties"][name]["required"].as_array().cloned();
        let has_meta = fields.is_some_and(|f| f.iter().any(|x| x == "meta"));
        assert!(has_meta, "{name} carries no meta");
    }
}
