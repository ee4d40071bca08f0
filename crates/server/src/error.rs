//! Every failure a client can see, and the one place where each becomes an HTTP answer.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use illustrator_accounts::AccountError;
use serde_json::json;

use crate::accounts::AccountsError;
use crate::billing::BillingError;
use illustrator_billing::{PriceListError, SubscriptionError};

/// What the API answers when a request cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request is malformed or breaks a rule; `code` is a stable machine-readable word.
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    #[error("an API key or a session is required")]
    Unauthorized,
    /// A credential was presented but is not one: unknown, revoked, expired or of a
    /// disabled account.
    #[error("the API key or session is unknown, revoked or expired")]
    UnknownCredential,
    /// A login with a wrong email or password.
    #[error("{0}")]
    InvalidCredentials(String),
    #[error("not allowed")]
    Forbidden,
    /// The caller lacks a permission of the table: its role or its credential's scope.
    #[error("not allowed: this needs the {} permission (role {} or above, scope {})",
        .0.name(), .0.role().as_str(), .0.scope().as_str())]
    Missing(illustrator_accounts::Permission),
    /// Not allowed for a reason the client can act on (`disabled`, `email_unverified`).
    #[error("{message}")]
    Denied { code: &'static str, message: String },
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    TooLarge(String),
    #[error("{message}")]
    TooManyRequests { message: String, retry_after: u64 },
    /// The plan's daily limit or monthly budget is used up until `retry_after` seconds.
    #[error("{message}")]
    QuotaExceeded { message: String, retry_after: u64 },
    /// NATS or Postgres cannot be reached; the client should retry.
    #[error("a backing service is unavailable")]
    Unavailable(String),
    /// A bug or an unexpected failure: logged, never shown.
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    pub fn bad(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::BadRequest {
            code,
            message: message.into(),
        }
    }

    pub fn internal(error: impl std::fmt::Display) -> ApiError {
        ApiError::Internal(error.to_string())
    }

    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::BadRequest { code, .. } => (StatusCode::BAD_REQUEST, code),
            ApiError::Unauthorized | ApiError::UnknownCredential => {
                (StatusCode::UNAUTHORIZED, "unauthorized")
            }
            ApiError::InvalidCredentials(_) => (StatusCode::UNAUTHORIZED, "invalid_credentials"),
            ApiError::Forbidden | ApiError::Missing(_) => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::Denied { code, .. } => (StatusCode::FORBIDDEN, code),
            ApiError::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            ApiError::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            ApiError::TooManyRequests { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            ApiError::QuotaExceeded { .. } => (StatusCode::TOO_MANY_REQUESTS, "quota_exceeded"),
            ApiError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

/// The text of a failure the client does not see, left on the response for the trace
/// middleware to log once inside the request's span.
#[derive(Clone, Debug)]
pub struct HiddenError(pub String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let body = json!({ "error": { "code": code, "message": self.to_string() } });
        let mut response = (status, axum::Json(body)).into_response();

        match &self {
            ApiError::Internal(detail) | ApiError::Unavailable(detail) => {
                response
                    .extensions_mut()
                    .insert(HiddenError(detail.clone()));
            }
            ApiError::TooManyRequests { retry_after, .. }
            | ApiError::QuotaExceeded { retry_after, .. } => {
                if let Ok(value) = HeaderValue::from_str(&retry_after.to_string()) {
                    response.headers_mut().insert(header::RETRY_AFTER, value);
                }
            }
            _ => {}
        }
        response
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> ApiError {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return ApiError::TooLarge("the request body is too large".into());
        }
        match rejection {
            JsonRejection::MissingJsonContentType(_) => ApiError::bad(
                "unsupported_media_type",
                "send the body as application/json",
            ),
            other => ApiError::bad("invalid_json", other.body_text()),
        }
    }
}

impl From<AccountsError> for ApiError {
    fn from(error: AccountsError) -> ApiError {
        let message = error.to_string();
        match error {
            AccountsError::Invalid(_) => ApiError::bad("invalid", message),
            AccountsError::EmailTaken | AccountsError::Conflict => ApiError::Conflict(message),
            AccountsError::BadCredentials => ApiError::InvalidCredentials(message),
            AccountsError::BadToken => ApiError::bad("invalid_token", message),
            AccountsError::Disabled | AccountsError::Rejected(AccountError::Disabled) => {
                ApiError::Denied {
                    code: "disabled",
                    message,
                }
            }
            AccountsError::Unverified => ApiError::Denied {
                code: "email_unverified",
                message,
            },
            AccountsError::Forbidden => ApiError::Forbidden,
            AccountsError::NotFound
            | AccountsError::Rejected(AccountError::NotFound | AccountError::NoSuchKey) => {
                ApiError::NotFound
            }
            AccountsError::Throttled { retry_after } => ApiError::TooManyRequests {
                message,
                retry_after,
            },
            AccountsError::Rejected(_) => ApiError::bad("rejected", message),
            AccountsError::OAuth(_) => ApiError::bad("oauth_failed", message),
            AccountsError::Mail(_) | AccountsError::Store { .. } => ApiError::Unavailable(message),
            AccountsError::Internal(_) => ApiError::Internal(message),
        }
    }
}

impl From<BillingError<PriceListError>> for ApiError {
    fn from(error: BillingError<PriceListError>) -> ApiError {
        let message = error.to_string();
        match error {
            BillingError::Refused(PriceListError::InvalidPlan(_)) => {
                ApiError::bad("invalid_plan", message)
            }
            BillingError::Refused(PriceListError::PastPrice { .. }) => {
                ApiError::bad("price_in_the_past", message)
            }
            BillingError::Refused(PriceListError::NegativePrice) => {
                ApiError::bad("invalid_amount", message)
            }
            BillingError::Conflict => ApiError::Conflict(message),
            BillingError::Store(_) => ApiError::Unavailable(message),
        }
    }
}

impl From<BillingError<SubscriptionError>> for ApiError {
    fn from(error: BillingError<SubscriptionError>) -> ApiError {
        let message = error.to_string();
        match error {
            BillingError::Refused(SubscriptionError::NotSubscribed) | BillingError::Conflict => {
                ApiError::Conflict(message)
            }
            BillingError::Store(_) => ApiError::Unavailable(message),
        }
    }
}

impl From<PathRejection> for ApiError {
    fn from(_: PathRejection) -> ApiError {
        ApiError::NotFound
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> ApiError {
        ApiError::bad("invalid_query", rejection.body_text())
    }
}
