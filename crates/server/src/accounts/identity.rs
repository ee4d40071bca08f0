//! The provider side of an OAuth login: oauth2's HTTP calls made with reqwest, and the
//! user endpoints that give the provider's subject and verified email.

use std::pin::Pin;

use serde::Deserialize;

use super::AccountsError;

/// oauth2's HTTP calls, made with reqwest. The future owns its client, so no borrow has
/// to outlive oauth2's higher-ranked bounds.
pub struct Http(pub reqwest::Client);

type Sent = Pin<Box<dyn Future<Output = Result<oauth2::HttpResponse, reqwest::Error>> + Send>>;

impl<'c> oauth2::AsyncHttpClient<'c> for Http {
    type Error = reqwest::Error;
    type Future = Sent;

    fn call(&'c self, request: oauth2::HttpRequest) -> Sent {
        Box::pin(send(self.0.clone(), request))
    }
}

async fn send(
    http: reqwest::Client,
    request: oauth2::HttpRequest,
) -> Result<oauth2::HttpResponse, reqwest::Error> {
    let (parts, body) = request.into_parts();
    let response = http
        .request(parts.method, parts.uri.to_string())
        .headers(parts.headers)
        .body(body)
        .send()
        .await?;

    let status = response.status();
    let headers = response.headers().clone();
    let mut answer = oauth2::HttpResponse::new(response.bytes().await?.to_vec());
    *answer.status_mut() = status;
    *answer.headers_mut() = headers;
    Ok(answer)
}

/// The provider's account: its stable subject and a verified email.
pub struct Identity {
    pub subject: String,
    pub email: String,
}

async fn get_json<T: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    url: &str,
    access: &str,
) -> Result<T, AccountsError> {
    let failed = |_| AccountsError::OAuth("the provider's user data could not be read".into());
    http.get(url)
        .bearer_auth(access)
        .header("accept", "application/json")
        .send()
        .await
        .and_then(|r| r.error_for_status())
        .map_err(failed)?
        .json()
        .await
        .map_err(failed)
}

pub fn unverified() -> AccountsError {
    AccountsError::OAuth("the provider has no verified email for this login".into())
}

pub async fn github_identity(
    http: &reqwest::Client,
    api: &str,
    access: &str,
) -> Result<Identity, AccountsError> {
    #[derive(Deserialize)]
    struct User {
        id: u64,
    }
    #[derive(Deserialize)]
    struct Email {
        email: String,
        primary: bool,
        verified: bool,
    }

    let api = api.trim_end_matches('/');
    let user: User = get_json(http, &format!("{api}/user"), access).await?;
    let emails: Vec<Email> = get_json(http, &format!("{api}/user/emails"), access).await?;
    let email = emails
        .into_iter()
        .filter(|e| e.verified)
        .max_by_key(|e| e.primary)
        .ok_or_else(unverified)?;

    Ok(Identity {
        subject: user.id.to_string(),
        email: email.email,
    })
}

pub async fn google_identity(
    http: &reqwest::Client,
    url: &str,
    access: &str,
) -> Result<Identity, AccountsError> {
    #[derive(Deserialize)]
    struct UserInfo {
        sub: String,
        email: Option<String>,
        #[serde(default)]
        email_verified: bool,
    }

    let info: UserInfo = get_json(http, url, access).await?;
    match info.email {
        Some(email) if info.email_verified => Ok(Identity {
            subject: info.sub,
            email,
        }),
        _ => Err(unverified()),
    }
}
