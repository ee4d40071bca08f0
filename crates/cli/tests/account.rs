//! `mi register|verify|login|logout|whoami`, `mi password`, `mi keys` and `mi users` against
//! a real server.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use illustrator_server::Components;
use illustrator_server::testing::LocalServer;
use serde_json::{Value, json};

const PASSWORD: &str = "a long enough passphrase";

fn mi(server: &LocalServer, config: &Path, args: &[&str], stdin: &str) -> anyhow::Result<Output> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mi"))
        .args(args)
        .env("MI_SERVER", &server.base)
        .env("MI_CONFIG_DIR", config)
        .env_remove("MI_API_KEY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    if let Some(mut input) = child.stdin.take() {
        input.write_all(stdin.as_bytes())?;
    }
    let output = child.wait_with_output()?;
    anyhow::ensure!(
        output.status.success(),
        "mi {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(output)
}

/// Registers an account and follows the verification link from the mail sink; returns
/// its id.
async fn verified_account(server: &LocalServer, email: &str) -> anyhow::Result<String> {
    let http = reqwest::Client::new();
    let body = json!({ "email": email, "password": PASSWORD });
    let registered = http
        .post(format!("{}/v1/auth/register", server.base))
        .json(&body)
        .send()
        .await?;
    anyhow::ensure!(
        registered.status() == 201,
        "register: {}",
        registered.status()
    );
    let account: Value = registered.json().await?;

    let mut token = None;
    for entry in std::fs::read_dir(&server.config.accounts.mail_dir)? {
        let text = std::fs::read_to_string(entry?.path())?;
        if let Some(at) = text.find("token=").filter(|_| text.contains(email)) {
            token = Some(text[at + 6..at + 70].to_owned());
        }
    }
    let token = token.ok_or_else(|| anyhow::anyhow!("no verification mail"))?;
    let verified = http
        .post(format!("{}/v1/auth/verify", server.base))
        .json(&json!({ "token": token }))
        .send()
        .await?;
    anyhow::ensure!(verified.status() == 200, "verify: {}", verified.status());
    Ok(account["id"].as_str().unwrap_or_default().to_owned())
}

async fn me_status(server: &LocalServer, credential: &str) -> anyhow::Result<u16> {
    let response = reqwest::Client::new()
        .get(format!("{}/v1/me", server.base))
        .bearer_auth(credential)
        .send()
        .await?;
    Ok(response.status().as_u16())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mi_logs_in_and_manages_keys() -> anyhow::Result<()> {
    let server = LocalServer::start(Components {
        api: true,
        ..Default::default()
    })
    .await?;
    let config = std::env::temp_dir().join(format!("mi-config-{}", std::process::id()));
    let email = format!("cli-{}@example.org", std::process::id());
    let id = verified_account(&server, &email).await?;

    mi(
        &server,
        &config,
        &["login", "--email", &email],
        &format!("{PASSWORD}\n"),
    )?;
    let stored: Value =
        serde_json::from_str(&std::fs::read_to_string(config.join("credentials.json"))?)?;
    let session = stored["token"].as_str().unwrap_or_default().to_owned();
    assert!(session.starts_with("mis_"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(config.join("credentials.json"))?
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "the stored session is readable by others");
    }

    // API keys come with the pro plan, which is a subscription.
    let refused = Command::new(env!("CARGO_BIN_EXE_mi"))
        .args(["keys", "create", "early", "--scope", "read"])
        .env("MI_SERVER", &server.base)
        .env("MI_CONFIG_DIR", &config)
        .env_remove("MI_API_KEY")
        .output()?;
    assert!(!refused.status.success());
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(message.contains("does not include API access"), "{message}");
    let admin = std::env::temp_dir().join(format!("mi-admin-{}", std::process::id()));
    let changed = Command::new(env!("CARGO_BIN_EXE_mi"))
        .args(["users", "change", &id, "--plan", "pro"])
        .env("MI_SERVER", &server.base)
        .env("MI_CONFIG_DIR", &admin)
        .env("MI_API_KEY", &server.key)
        .output()?;
    let said = String::from_utf8_lossy(&changed.stderr);
    assert!(
        changed.status.success() && said.contains("plan pro"),
        "{said}"
    );
    let shown = String::from_utf8(mi(&server, &config, &["subscription", "show"], "")?.stdout)?;
    assert!(
        shown.contains("plan     pro") && shown.contains("99.00 yuan a month"),
        "{shown}"
    );

    let created = mi(
        &server,
        &config,
        &["keys", "create", "laptop", "--scope", "read"],
        "",
    )?;
    let key = String::from_utf8(created.stdout)?.trim().to_owned();
    assert!(key.starts_with("mi_"), "{key}");
    assert_eq!(me_status(&server, &key).await?, 200);

    let listed = String::from_utf8(mi(&server, &config, &["keys", "list"], "")?.stdout)?;
    let key_id = &key[3..19];
    assert!(
        listed.contains(key_id) && listed.contains("laptop") && listed.contains("active"),
        "{listed}"
    );
    assert!(!listed.contains(&key[20..]), "the list shows a secret");

    mi(&server, &config, &["keys", "revoke", key_id], "")?;
    assert_eq!(me_status(&server, &key).await?, 401);
    let listed = String::from_utf8(mi(&server, &config, &["keys", "list"], "")?.stdout)?;
    assert!(listed.contains("revoked"), "{listed}");

    let cancelled = mi(&server, &config, &["subscription", "cancel"], "")?;
    let shown = String::from_utf8(cancelled.stdout)?;
    assert!(
        shown.contains("ends     at the end of the period"),
        "{shown}"
    );

    mi(&server, &config, &["logout"], "")?;
    assert!(!config.join("credentials.json").exists());
    assert_eq!(me_status(&server, &session).await?, 401);

    let printed = mi(
        &server,
        &config,
        &["login", "--email", &email, "--print"],
        &format!("{PASSWORD}\n"),
    )?;
    let token = String::from_utf8(printed.stdout)?.trim().to_owned();
    assert_eq!(me_status(&server, &token).await?, 200);

    let _ = std::fs::remove_dir_all(&config);
    server.cleanup().await;
    Ok(())
}

/// The token of the one mail that arrived since `before` was listed.
fn token_of_new_mail(
    server: &LocalServer,
    before: &[std::path::PathBuf],
) -> anyhow::Result<String> {
    let mut fresh = Vec::new();
    for entry in std::fs::read_dir(&server.config.accounts.mail_dir)? {
        let path = entry?.path();
        if !before.contains(&path) {
            fresh.push(path);
        }
    }
    anyhow::ensure!(
        fresh.len() == 1,
        "expected one new mail, found {}",
        fresh.len()
    );

    let text = std::fs::read_to_string(&fresh[0])?;
    let at = text
        .find("token=")
        .ok_or_else(|| anyhow::anyhow!("no token in the mail"))?;
    Ok(text[at + 6..at + 70].to_owned())
}

fn mails(server: &LocalServer) -> anyhow::Result<Vec<std::path::PathBuf>> {
    let dir = &server.config.accounts.mail_dir;
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        paths.push(entry?.path());
    }
    Ok(paths)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mi_registers_verifies_resets_and_admins_disable() -> anyhow::Result<()> {
    let server = LocalServer::start(Components {
        api: true,
        projector: true,
        ..Default::default()
    })
    .await?;
    let config = std::env::temp_dir().join(format!("mi-config-reg-{}", std::process::id()));
    let email = format!("cli-reg-{}@example.org", std::process::id());
    let twice = format!("{PASSWORD}\n{PASSWORD}\n");

    let before = mails(&server)?;
    mi(&server, &config, &["register", "--email", &email], &twice)?;
    let token = token_of_new_mail(&server, &before)?;
    mi(&server, &config, &["verify", &token], "")?;
    mi(
        &server,
        &config,
        &["login", "--email", &email],
        &format!("{PASSWORD}\n"),
    )?;
    let whoami = String::from_utf8(mi(&server, &config, &["whoami"], "")?.stdout)?;
    assert!(
        whoami.contains(&email) && whoami.contains("role user"),
        "{whoami}"
    );

    let mismatch = Command::new(env!("CARGO_BIN_EXE_mi"))
        .args(["password", "change"])
        .env("MI_SERVER", &server.base)
        .env("MI_CONFIG_DIR", &config)
        .stdin(Stdio::piped())
        .output()?;
    assert!(
        !mismatch.status.success(),
        "an empty confirmation was taken"
    );

    let before = mails(&server)?;
    mi(
        &server,
        &config,
        &["password", "reset", "--email", &email],
        "",
    )?;
    let token = token_of_new_mail(&server, &before)?;
    let renewed = "another long passphrase";
    mi(
        &server,
        &config,
        &["password", "set", &token],
        &format!("{renewed}\n{renewed}\n"),
    )?;
    let session = mi(
        &server,
        &config,
        &["login", "--email", &email, "--print"],
        &format!("{renewed}\n"),
    )?;
    let session = String::from_utf8(session.stdout)?.trim().to_owned();
    assert_eq!(me_status(&server, &session).await?, 200);

    let admin = ["--api-key", server.key.as_str()];
    let mut list = vec!["users", "list", "--search", "cli-reg-"];
    list.extend(admin);
    // The list is a read model, which the projector fills a moment after registration.
    let mut id = None;
    for _ in 0..50 {
        let listed = String::from_utf8(mi(&server, &config, &list, "")?.stdout)?;
        id = listed
            .lines()
            .find(|line| line.contains(&email))
            .and_then(|line| line.split_whitespace().next())
            .map(str::to_owned);
        if id.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let id = id.ok_or_else(|| anyhow::anyhow!("the user is never listed"))?;

    let mut disable = vec!["users", "change", id.as_str(), "--disable"];
    disable.extend(admin);
    mi(&server, &config, &disable, "")?;
    assert_eq!(
        me_status(&server, &session).await?,
        401,
        "a disabled user's session still works"
    );

    let _ = std::fs::remove_dir_all(&config);
    server.cleanup().await;
    Ok(())
}
