//! `mi billing correct|export|plan|price`, `mi plans` and `mi usage` against a real server.

use std::process::{Command, Output};

use illustrator_server::Components;
use illustrator_server::testing::LocalServer;

fn mi(server: &LocalServer, args: &[&str]) -> anyhow::Result<Output> {
    let config = std::env::temp_dir().join(format!("mi-billing-{}", server.config.namespace));
    let output = Command::new(env!("CARGO_BIN_EXE_mi"))
        .args(args)
        .env("MI_SERVER", &server.base)
        .env("MI_CONFIG_DIR", &config)
        .env("MI_API_KEY", &server.key)
        .output()?;
    anyhow::ensure!(
        output.status.success(),
        "mi {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(output)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_correction_made_with_mi_shows_in_the_export_mi_writes() {
    let server = LocalServer::start(Components::ALL).await.expect("server");
    let user = illustrator_accounts::AccountId::bootstrap().to_string();

    let correct = [
        "billing",
        "correct",
        "--user",
        &user,
        "--source",
        "dalle",
        "--pictures",
        "-1",
        "--amount-fen",
        "-40",
        "--reason",
        "a blurred picture",
        "--month",
        "2026-11",
    ];
    mi(&server, &correct).expect("correct");

    let file = std::env::temp_dir().join(format!("bill-{}.csv", server.config.namespace));
    let path = file.to_string_lossy().into_owned();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let csv = loop {
        mi(
            &server,
            &["billing", "export", "--month", "2026-11", "-o", &path],
        )
        .expect("export");
        let csv = std::fs::read_to_string(&file).unwrap_or_default();
        if csv.lines().count() > 1 || std::time::Instant::now() > deadline {
            break csv;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    let _ = std::fs::remove_file(&file);

    let expected = format!("2026-11,{user},free,dalle,correction,-1,,-40.00,a blurred picture\r\n");
    assert!(
        csv.starts_with("month,user_id,plan,source,kind,count,"),
        "{csv}"
    );
    assert!(csv.ends_with(&expected), "{csv}");

    let replay = ["audit", "replay", "--from", "2026-10", "--to", "2026-12"];
    let matched = mi(&server, &replay).expect("a replay that matches");
    assert!(String::from_utf8_lossy(&matched.stderr).contains(", 0 differences"));

    // A projection row changed behind the events' back.
    sqlx::query("UPDATE usage_corrections SET amount_milli_fen = -4000")
        .execute(&server.app.db)
        .await
        .expect("tamper");
    let tampered = Command::new(env!("CARGO_BIN_EXE_mi"))
        .args(replay)
        .env("MI_SERVER", &server.base)
        .env("MI_API_KEY", &server.key)
        .output()
        .expect("replay");
    assert!(!tampered.status.success());
    let report = String::from_utf8_lossy(&tampered.stdout);
    assert!(
        report.contains("2026-11 missing from the read model: 2026-11,"),
        "{report}"
    );
    assert!(report.contains("not in the events: 2026-11,") && report.contains(",-4.00,"));

    let usage = mi(&server, &["usage"]).expect("usage");
    let text = String::from_utf8_lossy(&usage.stdout);
    assert!(text.contains("limit unlimited"), "{text}");
    server.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_superadmin_changes_plans_and_prices_with_mi() {
    let server = LocalServer::start(Components {
        api: true,
        ..Default::default()
    })
    .await
    .expect("server");

    let price = ["billing", "price", "--source", "flux", "--unit-fen", "0.8"];
    let from = ["--from", "2030-01-01T00:00:00+08:00"];
    let args: Vec<&str> = price.iter().chain(&from).copied().collect();
    let said = mi(&server, &args).expect("price");
    let said = String::from_utf8_lossy(&said.stderr);
    assert!(said.contains("from 2029-12-31T16:00:00Z"), "{said}");

    let plan = [
        "billing",
        "plan",
        "team",
        "--name",
        "Team",
        "--monthly-price-fen",
        "5000",
        "--daily-limit",
        "50",
        "--sources",
        "card,mermaid",
        "--api-access",
    ];
    mi(&server, &plan).expect("plan");

    let listed = mi(&server, &["plans"]).expect("plans");
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(listed.contains("team"), "{listed}");
    assert!(
        listed.contains("50.00") && listed.contains("card,mermaid"),
        "{listed}"
    );
    assert!(
        listed.contains("flux") && listed.contains("0.80  2029-12-31T16:00:00Z"),
        "{listed}"
    );

    let refused = Command::new(env!("CARGO_BIN_EXE_mi"))
        .args(["billing", "price", "--source", "flux", "--unit-fen", "1"])
        .args(["--from", "2020-01-01T00:00:00Z"])
        .env("MI_SERVER", &server.base)
        .env("MI_API_KEY", &server.key)
        .output()
        .expect("price in the past");
    assert!(!refused.status.success());
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(
        message.contains("cannot take effect in the past"),
        "{message}"
    );
    server.cleanup().await;
}
