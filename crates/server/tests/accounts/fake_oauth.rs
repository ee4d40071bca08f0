//! A fake OAuth provider on 127.0.0.1 that speaks enough of GitHub's and Google's protocols
//! for the login: authorize (with a PKCE challenge), token (checking the verifier and the
//! client's credentials), and the user endpoints.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use base64::Engine;
use illustrator_server::accounts::config::OAuthProvider;
use illustrator_server::config::Secret;
use serde_json::json;
use sha2::{Digest, Sha256};

pub const CLIENT_ID: &str = "test-client";
pub const CLIENT_SECRET: &str = "test-client-secret";

/// The account the provider logs in as next.
#[derive(Clone, Debug)]
pub struct FakeUser {
    pub subject: u64,
    pub email: String,
    pub verified: bool,
}

#[derive(Default)]
struct Inner {
    next: Option<FakeUser>,
    codes: HashMap<String, (String, FakeUser)>,
    tokens: HashMap<String, FakeUser>,
}

#[derive(Clone, Default)]
pub struct FakeProvider {
    inner: Arc<Mutex<Inner>>,
    pub base: String,
    stop: Option<Arc<tokio::sync::Notify>>,
}

impl FakeProvider {
    pub async fn start() -> anyhow::Result<FakeProvider> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let stop = Arc::new(tokio::sync::Notify::new());
        let provider = FakeProvider {
            base,
            stop: Some(Arc::clone(&stop)),
            ..Default::default()
        };

        let router = Router::new()
            .route("/authorize", get(authorize))
            .route("/token", post(token))
            .route("/user", get(github_user))
            .route("/user/emails", get(github_emails))
            .route("/userinfo", get(google_userinfo))
            .with_state(provider.clone());
        tokio::spawn(async move {
            let stopped = async move { stop.notified().await };
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(stopped)
                .await;
        });
        Ok(provider)
    }

    pub fn stop(&self) {
        if let Some(stop) = &self.stop {
            stop.notify_one();
        }
    }

    pub fn log_in_as(&self, user: FakeUser) {
        if let Ok(mut inner) = self.inner.lock() {
            inner.next = Some(user);
        }
    }

    /// The settings a server needs to use this provider as `github` or `google`.
    pub fn settings(&self, google: bool) -> OAuthProvider {
        let api_url = if google {
            format!("{}/userinfo", self.base)
        } else {
            self.base.clone()
        };
        OAuthProvider {
            client_id: CLIENT_ID.into(),
            client_secret: Secret::new(CLIENT_SECRET),
            auth_url: format!("{}/authorize", self.base),
            token_url: format!("{}/token", self.base),
            api_url,
        }
    }

    fn user(&self, headers: &HeaderMap) -> Option<FakeUser> {
        let token = headers
            .get(header::AUTHORIZATION)?
            .to_str()
            .ok()?
            .strip_prefix("Bearer ")?;
        self.inner.lock().ok()?.tokens.get(token).cloned()
    }
}

fn random() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

async fn authorize(
    State(fake): State<FakeProvider>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let wanted = |name: &str| query.get(name).cloned().unwrap_or_default();
    let well_formed = wanted("client_id") == CLIENT_ID
        && wanted("response_type") == "code"
        && wanted("code_challenge_method") == "S256"
        && !wanted("code_challenge").is_empty()
        && !wanted("state").is_empty();
    let user = fake.inner.lock().ok().and_then(|inner| inner.next.clone());
    let (true, Some(user)) = (well_formed, user) else {
        return (StatusCode::BAD_REQUEST, "bad authorization request").into_response();
    };

    let code = random();
    if let Ok(mut inner) = fake.inner.lock() {
        inner
            .codes
            .insert(code.clone(), (wanted("code_challenge"), user));
    }
    let location = format!(
        "{}?code={code}&state={}",
        wanted("redirect_uri"),
        wanted("state")
    );
    (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
}

async fn token(
    State(fake): State<FakeProvider>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let engine = base64::engine::general_purpose::STANDARD;
    let expected = format!(
        "Basic {}",
        engine.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
    );
    let client_ok = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        == Some(&expected);

    let code = form.get("code").cloned().unwrap_or_default();
    let verifier = form.get("code_verifier").cloned().unwrap_or_default();
    let found = fake
        .inner
        .lock()
        .ok()
        .and_then(|mut inner| inner.codes.remove(&code));
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(verifier.as_bytes()));

    let Some((wanted, user)) = found.filter(|(wanted, _)| *wanted == challenge && client_ok) else {
        let body = Json(json!({ "error": "invalid_grant" }));
        return (StatusCode::BAD_REQUEST, body).into_response();
    };
    drop(wanted);
    let access = random();
    if let Ok(mut inner) = fake.inner.lock() {
        inner.tokens.insert(access.clone(), user);
    }
    Json(json!({ "access_token": access, "token_type": "bearer" })).into_response()
}

async fn github_user(State(fake): State<FakeProvider>, headers: HeaderMap) -> Response {
    match fake.user(&headers) {
        Some(user) => Json(json!({ "id": user.subject, "login": "octo" })).into_response(),
        None => StatusCode::UNAUTHORIZED.into_response(),
    }
}

async fn github_emails(State(fake): State<FakeProvider>, headers: HeaderMap) -> Response {
    match fake.user(&headers) {
        Some(user) => Json(json!([
            { "email": "noreply@users.example.org", "primary": false, "verified": false },
            { "email": user.email, "primary": true, "verified": user.verified },
        ]))
        .into_response(),
        None => StatusCode::UNAUTHORIZED.into_response(),
    }
}

async fn google_userinfo(State(fake): State<FakeProvider>, headers: HeaderMap) -> Response {
    match fake.user(&headers) {
        Some(user) => Json(json!({
            "sub": user.subject.to_string(),
            "email": user.email,
            "email_verified": user.verified,
        }))
        .into_response(),
        None => StatusCode::UNAUTHORIZED.into_response(),
    }
}
