//! Reading the server's JSON log lines: the spans a correlation id shows up in, and
//! secrets that must never appear.

use serde_json::Value;

/// The names of the spans around every log line that carries `correlation_id`.
fn spans_with(logs: &str, correlation_id: &str) -> Vec<String> {
    let mut names = Vec::new();
    for line in logs.lines() {
        let Ok(record) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        for span in record["spans"].as_array().into_iter().flatten() {
            if span["correlation_id"] == correlation_id
                && let Some(name) = span["name"].as_str()
            {
                names.push(name.to_owned());
            }
        }
    }
    names
}

/// The id a request carried reaches the dispatcher, the worker and the projector.
pub fn assert_correlated(logs: &str, correlation_id: &str) -> anyhow::Result<()> {
    let names = spans_with(logs, correlation_id);
    for wanted in ["dispatch", "job", "project"] {
        anyhow::ensure!(
            names.iter().any(|n| n == wanted),
            "no {wanted} span logged with correlation id {correlation_id}; saw {names:?}"
        );
    }
    Ok(())
}

pub fn assert_no_secret(logs: &str, secrets: &[&str]) -> anyhow::Result<()> {
    anyhow::ensure!(!logs.is_empty(), "no log lines were written");
    for secret in secrets {
        anyhow::ensure!(!logs.contains(secret), "a secret was logged");
    }
    Ok(())
}
