//! Helpers of the accounts suite: servers, users, the mail sink, and captured logs.

use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use illustrator_server::testing::LocalServer;
use illustrator_server::{Components, Config};
use reqwest::StatusCode;
use serde_json::{Value, json};

pub const PASSWORD: &str = "correct horse battery staple";

/// Everything at debug, except the chattiest libraries.
const FILTER: &str = "debug,async_nats=info,sqlx=warn,hyper=info,h2=info,rustls=info,\
                      reqwest=info,tower=info,lettre=info";

/// Every log line the suite's servers write, for the test that looks for secrets in them.
pub fn captured_logs() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let writer = Capture(Arc::clone(&buffer));
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(FILTER)
            .with_writer(move || writer.clone())
            .json()
            .finish();
        let _ = tracing::subscriber::set_global_default(subscriber);
        buffer
    })
    .clone()
}

#[derive(Clone)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut buffer) = self.0.lock() {
            buffer.extend_from_slice(bytes);
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub async fn start() -> anyhow::Result<LocalServer> {
    start_with(|_| {}).await
}

pub async fn start_with(tune: impl FnOnce(&mut Config)) -> anyhow::Result<LocalServer> {
    captured_logs();
    LocalServer::start_with(Components::ALL, tune).await
}

/// A unique address for one test.
pub fn email(name: &str) -> String {
    format!(
        "{name}-{}@example.org",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    )
}

pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_default()
}

/// The newest token mailed to `to` in a mail whose subject contains `subject`.
pub async fn mailed_token(dir: &Path, to: &str, subject: &str) -> anyhow::Result<String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let mut found: Vec<(std::time::SystemTime, String)> = Vec::new();
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.extension().is_none_or(|e| e != "eml") {
                continue;
            }
            let text = std::fs::read_to_string(&path)?;
            let addressed = text.lines().any(|l| l.starts_with("To:") && l.contains(to));
            if !addressed || !text.contains(subject) {
                continue;
            }
            if let Some(at) = text.find("token=") {
                let token: String = text[at + 6..]
                    .chars()
                    .take_while(char::is_ascii_hexdigit)
                    .collect();
                found.push((std::fs::metadata(&path)?.modified()?, token));
            }
        }
        found.sort();
        if let Some((_, token)) = found.pop() {
            return Ok(token);
        }
        anyhow::ensure!(Instant::now() < deadline, "no mail {subject:?} to {to}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub async fn post(
    base: &str,
    path: &str,
    credential: Option<&str>,
    body: Value,
) -> anyhow::Result<reqwest::Response> {
    let mut request = http().post(format!("{base}{path}")).json(&body);
    if let Some(credential) = credential {
        request = request.bearer_auth(credential);
    }
    Ok(request.send().await?)
}

pub async fn get(
    base: &str,
    path: &str,
    credential: Option<&str>,
) -> anyhow::Result<reqwest::Response> {
    let mut request = http().get(format!("{base}{path}"));
    if let Some(credential) = credential {
        request = request.bearer_auth(credential);
    }
    Ok(request.send().await?)
}

/// A registered and verified account, logged in.
pub struct User {
    pub id: String,
    pub email: String,
    pub session: String,
}

pub async fn register(server: &LocalServer, email: &str) -> anyhow::Result<String> {
    let body = json!({ "email": email, "password": PASSWORD });
    let response = post(&server.base, "/v1/auth/register", None, body).await?;
    anyhow::ensure!(
        response.status() == StatusCode::CREATED,
        "register: {}",
        response.status()
    );
    let body: Value = response.json().await?;
    Ok(body["id"].as_str().unwrap_or_default().to_owned())
}

pub async fn verify(server: &LocalServer, email: &str) -> anyhow::Result<()> {
    let dir = &server.config.accounts.mail_dir;
    let token = mailed_token(dir, email, "Confirm your address").await?;
    let response = post(
        &server.base,
        "/v1/auth/verify",
        None,
        json!({ "token": token }),
    )
    .await?;
    anyhow::ensure!(
        response.status() == StatusCode::OK,
        "verify: {}",
        response.status()
    );
    Ok(())
}

pub async fn login(base: &str, email: &str, password: &str) -> anyhow::Result<reqwest::Response> {
    post(
        base,
        "/v1/auth/login",
        None,
        json!({ "email": email, "password": password }),
    )
    .await
}

pub async fn session(base: &str, email: &str) -> anyhow::Result<String> {
    let response = login(base, email, PASSWORD).await?;
    anyhow::ensure!(
        response.status() == StatusCode::OK,
        "login: {}",
        response.status()
    );
    let body: Value = response.json().await?;
    Ok(body["token"].as_str().unwrap_or_default().to_owned())
}

pub async fn user(server: &LocalServer, name: &str) -> anyhow::Result<User> {
    let email = email(name);
    let id = register(server, &email).await?;
    verify(server, &email).await?;
    let session = session(&server.base, &email).await?;
    Ok(User { id, email, session })
}

/// Gives `user` a role, as the bootstrap superadmin.
pub async fn promote(server: &LocalServer, user: &User, role: &str) -> anyhow::Result<()> {
    let response = http()
        .patch(format!("{}/v1/admin/users/{}", server.base, user.id))
        .bearer_auth(&server.key)
        .json(&json!({ "role": role }))
        .send()
        .await?;
    anyhow::ensure!(
        response.status() == StatusCode::OK,
        "promote: {}",
        response.status()
    );
    Ok(())
}

/// Puts the account `id` on `plan`, as the bootstrap superadmin.
pub async fn subscribe(server: &LocalServer, id: &str, plan: &str) -> anyhow::Result<()> {
    let response = http()
        .patch(format!("{}/v1/admin/users/{id}", server.base))
        .bearer_auth(&server.key)
        .json(&json!({ "plan": plan }))
        .send()
        .await?;
    anyhow::ensure!(
        response.status() == StatusCode::OK,
        "subscribe: {}",
        response.status()
    );
    Ok(())
}

/// A user on the pro plan, whose API keys work.
pub async fn pro_user(server: &LocalServer, name: &str) -> anyhow::Result<User> {
    let user = user(server, name).await?;
    subscribe(server, &user.id, "pro").await?;
    Ok(user)
}

/// Issues a key with `scopes` through `credential`; returns (id, key).
pub async fn key(
    base: &str,
    credential: &str,
    scopes: &[&str],
) -> anyhow::Result<(String, String)> {
    let body = json!({ "name": "test key", "scopes": scopes });
    let response = post(base, "/v1/api-keys", Some(credential), body).await?;
    anyhow::ensure!(
        response.status() == StatusCode::CREATED,
        "key: {}",
        response.status()
    );
    let body: Value = response.json().await?;
    let id = body["id"].as_str().unwrap_or_default().to_owned();
    Ok((id, body["key"].as_str().unwrap_or_default().to_owned()))
}

/// Polls `path` with `credential` until it answers `status`; returns how long that took.
pub async fn until_status(
    base: &str,
    path: &str,
    credential: &str,
    status: u16,
    within: Duration,
) -> anyhow::Result<Duration> {
    let started = Instant::now();
    loop {
        let answered = get(base, path, Some(credential)).await?.status().as_u16();
        if answered == status {
            return Ok(started.elapsed());
        }
        anyhow::ensure!(
            started.elapsed() < within,
            "{path} still answers {answered}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
