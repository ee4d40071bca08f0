//! Who is asking. Until accounts exist, the one principal is the holder of the bootstrap key,
//! who acts as the first superadmin.

use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};

use crate::app::App;
use crate::error::ApiError;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// The id events record as their actor and documents as their owner.
    pub id: String,
    pub admin: bool,
}

impl Principal {
    /// Owners see their own documents; admins see everyone's. Others get a 404, so that
    /// ids cannot be probed.
    pub fn may_see(&self, owner: &str) -> bool {
        self.admin || self.id == owner
    }
}

fn presented_key(parts: &Parts) -> Option<&str> {
    let bearer = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let api_key = parts.headers.get("x-api-key").and_then(|v| v.to_str().ok());
    bearer.or(api_key).map(str::trim)
}

/// Compares without stopping at the first differing byte.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

impl FromRequestParts<App> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let Some(key) = presented_key(parts) else {
            return Err(ApiError::Unauthorized);
        };

        match &app.config.bootstrap_key {
            Some(bootstrap) if same_secret(bootstrap.expose(), key) => Ok(Principal {
                id: "bootstrap".into(),
                admin: true,
            }),
            _ => Err(ApiError::Unauthorized),
        }
    }
}
