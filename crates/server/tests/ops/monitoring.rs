//! The alert rules and the dashboard: `promtool check rules` and the rules' unit tests
//! pass, every panel's query is valid PromQL, and every metric the dashboard and the
//! rules read is one the server exports.

use std::collections::BTreeSet;
use std::process::Command;

use illustrator_server::Components;
use illustrator_server::testing::LocalServer;

use crate::support::{run, tool, workspace};

fn monitoring(file: &str) -> std::path::PathBuf {
    workspace().join("deploy/monitoring").join(file)
}

#[test]
fn alert_rules_pass_their_unit_tests() -> anyhow::Result<()> {
    let promtool = tool("promtool")?;
    run(Command::new(&promtool)
        .args(["check", "rules"])
        .arg(monitoring("alerts.yaml")))?;

    let said = run(Command::new(&promtool)
        .args(["test", "rules"])
        .arg(monitoring("alerts.test.yaml")))?;
    assert!(said.contains("SUCCESS"), "{said}");
    Ok(())
}

fn dashboard_queries() -> anyhow::Result<Vec<String>> {
    let text = std::fs::read_to_string(monitoring("dashboard.json"))?;
    let dashboard: serde_json::Value = serde_json::from_str(&text)?;
    let mut queries = Vec::new();
    for panel in dashboard["panels"].as_array().into_iter().flatten() {
        for target in panel["targets"].as_array().into_iter().flatten() {
            queries.push(target["expr"].as_str().unwrap_or_default().to_owned());
        }
    }
    Ok(queries)
}

/// Each panel query as a recording rule, so that promtool parses it.
#[test]
fn every_dashboard_query_is_valid_promql() -> anyhow::Result<()> {
    let queries = dashboard_queries()?;
    assert!(queries.len() >= 15, "only {} queries", queries.len());

    let mut rules = String::from("groups:\n  - name: dashboard\n    rules:\n");
    for (n, query) in queries.iter().enumerate() {
        let quoted = serde_json::to_string(query)?;
        rules.push_str(&format!(
            "      - record: dashboard:panel_{n}\n        expr: {quoted}\n"
        ));
    }
    let path = std::env::temp_dir().join(format!("mi-dashboard-{}.yaml", uuid::Uuid::new_v4()));
    std::fs::write(&path, rules)?;
    let checked = run(Command::new(tool("promtool")?)
        .args(["check", "rules"])
        .arg(&path));
    let _ = std::fs::remove_file(&path);
    checked?;
    Ok(())
}

fn metric_names(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find("illustrator_") {
        let tail = &rest[at..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        // `illustrator_(dispatch|job)_...` is a name pattern, not a name.
        if !tail[..end].ends_with('_') {
            names.insert(tail[..end].to_owned());
        }
        rest = &tail[end..];
    }
    names
}

#[tokio::test]
async fn dashboard_and_alerts_read_only_exported_metrics() -> anyhow::Result<()> {
    let server = LocalServer::start(Components::ALL).await?;
    let http = reqwest::Client::new();
    crate::metrics::illustrate(&http, &server.base, &server.key, "monitoring-test").await?;
    illustrator_server::metrics::sample(&server.app).await;
    let exported = reqwest::get(format!("{}/metrics", server.base))
        .await?
        .text()
        .await?;
    server.cleanup().await;

    let mut read = metric_names(&dashboard_queries()?.join("\n"));
    read.extend(metric_names(&std::fs::read_to_string(monitoring(
        "alerts.yaml",
    ))?));
    for name in &read {
        let family = ["_bucket", "_count", "_sum"]
            .iter()
            .find_map(|suffix| name.strip_suffix(suffix))
            .unwrap_or(name);
        let family = format!("# TYPE {family} ");
        assert!(
            exported.contains(&family),
            "{name} is read but not exported"
        );
    }
    Ok(())
}
