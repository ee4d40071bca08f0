//! The JSON Schemas of the HTTP commands in `schemas/commands/` are the ones the Rust types
//! produce (through the OpenAPI document). After changing a request body on purpose, write
//! them anew with `UPDATE_SCHEMAS=1 cargo test -p illustrator-server --test e2e schemas`.

use std::path::PathBuf;

use illustrator_server::api::ApiDoc;
use utoipa::OpenApi;

#[test]
fn the_committed_command_schemas_match_the_rust_types() {
    let doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    let schemas = &doc["components"]["schemas"];
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../schemas/commands");

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
    ] {
        let schema = &schemas[command];
        assert!(
            schema.is_object(),
            "{command} is missing from the OpenAPI document"
        );
        let generated = format!(
            "{}\n",
            serde_json::to_string_pretty(schema).unwrap_or_default()
        );
        let path = dir.join(format!("{name}.json"));

        if std::env::var_os("UPDATE_SCHEMAS").is_some() {
            std::fs::write(&path, &generated).expect("writing the schema");
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(committed == generated, "{} is out of date", path.display());
    }
}
