//! Who is asking and whether they may: the one extractor, [`Allowed`], that turns a
//! credential into a [`Principal`] and checks it against the permission table
//! (`illustrator_accounts::Permission`, printed in `docs/permissions.md`).
//!
//! A credential is a bearer token (`Authorization: Bearer`), an `x-api-key` header, or the
//! session cookie: the bootstrap key, an API key (`mi_...`) or a session token (`mis_...`).

use std::marker::PhantomData;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::{HeaderMap, header, request::Parts};
use illustrator_accounts::Permission;

pub use crate::accounts::{Credential, Principal};

use crate::app::App;
use crate::error::ApiError;

/// Name of the session cookie the page uses.
pub const SESSION_COOKIE: &str = "mi_session";

/// The credential a request presents, if any.
pub fn presented(headers: &HeaderMap) -> Option<String> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let api_key = headers.get("x-api-key").and_then(|v| v.to_str().ok());

    bearer
        .or(api_key)
        .map(|v| v.trim().to_owned())
        .or_else(|| session_cookie(headers))
}

fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_owned())
}

/// The principal behind the request's credential; 401 without a valid one.
pub async fn authenticate(headers: &HeaderMap, app: &App) -> Result<Principal, ApiError> {
    let Some(credential) = presented(headers) else {
        return Err(ApiError::Unauthorized);
    };
    let bootstrap = app.config.bootstrap_key.as_ref().map(|k| k.expose());

    let principal = app
        .accounts
        .authenticate(&credential, bootstrap)
        .await?
        .ok_or(ApiError::UnknownCredential)?;

    if matches!(principal.credential, Credential::ApiKey(_)) {
        crate::billing::quota::check_api_access(app, &principal)?;
    }
    Ok(principal)
}

/// One row of the permission table, as a type a handler names.
pub trait Need: Send + Sync + 'static {
    const PERMISSION: Permission;
}

macro_rules! needs {
    ($($name:ident => $permission:ident),* $(,)?) => {
        $(
            #[doc = concat!("Needs [`Permission::", stringify!($permission), "`].")]
            pub struct $name;
            impl Need for $name {
                const PERMISSION: Permission = Permission::$permission;
            }
        )*
    };
}

needs! {
    Read => Read,
    Illustrate => Illustrate,
    ManageKeys => ManageKeys,
    ManageUsers => ManageUsers,
    ManageRoles => ManageRoles,
    ManageSubscription => ManageSubscription,
    ManagePrices => ManagePrices,
}

/// A principal that holds permission `N`: 401 without a credential, 403 without the role
/// or the scope.
pub struct Allowed<N: Need> {
    pub principal: Principal,
    _need: PhantomData<N>,
}

impl<N: Need> std::ops::Deref for Allowed<N> {
    type Target = Principal;

    fn deref(&self) -> &Principal {
        &self.principal
    }
}

impl<N: Need> FromRequestParts<App> for Allowed<N> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let principal = authenticate(&parts.headers, app).await?;

        if !principal.allows(N::PERMISSION) {
            return Err(ApiError::Missing(N::PERMISSION));
        }
        Ok(Allowed {
            principal,
            _need: PhantomData,
        })
    }
}

/// The client's address, for login throttling: the peer, or the last entry of the header
/// a trusted proxy sets (`ILLUSTRATOR_CLIENT_IP_HEADER`).
pub struct ClientIp(pub String);

impl FromRequestParts<App> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let forwarded = app
            .accounts
            .config
            .client_ip_header
            .as_ref()
            .and_then(|name| parts.headers.get(name.as_str()))
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .map(|v| v.trim().to_owned());
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip().to_string());

        Ok(ClientIp(
            forwarded.or(peer).unwrap_or_else(|| "unknown".into()),
        ))
    }
}

/// Where links in mails and OAuth redirects point: `ILLUSTRATOR_PUBLIC_URL`, else the
/// address the client used.
pub fn public_base(app: &App, headers: &HeaderMap) -> String {
    let configured = app.base_url();
    if !configured.is_empty() {
        return configured;
    }

    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}
