//! Settings of accounts and access, read from the environment with documented defaults.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};

use crate::config::Secret;

/// At most `count` events per `window`, for one subject (an account, an address, a user).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    pub count: u64,
    pub window: Duration,
}

impl Limit {
    /// Reads `COUNT/WINDOW`, e.g. `5/15m`; the window is `<n>s`, `<n>m` or `<n>h`, at most
    /// a day (the rate-limit bucket keeps counters for a day).
    pub fn parse(text: &str) -> anyhow::Result<Limit> {
        let (count, window) = text.split_once('/').context("expected COUNT/WINDOW")?;
        let count: u64 = count.trim().parse().context("the count")?;
        let window = window.trim();

        let (number, unit) = window.split_at(window.len().saturating_sub(1));
        let number: u64 = number.parse().context("the window")?;
        let seconds = match unit {
            "s" => number,
            "m" => number * 60,
            "h" => number * 3600,
            _ => bail!("a window ends in s, m or h"),
        };
        if seconds == 0 || seconds > 86_400 || count == 0 {
            bail!("the count must be positive and the window between 1 s and 24 h");
        }
        Ok(Limit {
            count,
            window: Duration::from_secs(seconds),
        })
    }
}

/// One OAuth provider: the app's credentials and the provider's endpoints.
#[derive(Clone, Debug)]
pub struct OAuthProvider {
    pub client_id: String,
    pub client_secret: Secret,
    pub auth_url: String,
    pub token_url: String,
    /// GitHub: the API root (`/user`, `/user/emails`); Google: the userinfo URL.
    pub api_url: String,
}

#[derive(Clone, Debug)]
pub struct AccountsConfig {
    /// `ILLUSTRATOR_MAIL_DIR`: where .eml files go when `SMTP_URL` is not set.
    pub mail_dir: PathBuf,
    /// `SMTP_URL`: e.g. `smtps://user:pass@smtp.example.org`.
    pub smtp_url: Option<Secret>,
    /// `ILLUSTRATOR_MAIL_FROM`: the sender of account mail.
    pub mail_from: String,
    /// `ILLUSTRATOR_BOOTSTRAP_EMAIL`: the address of the superadmin the bootstrap key seeds.
    pub bootstrap_email: String,
    /// `ILLUSTRATOR_ARGON2_MEMORY_KIB`, `ILLUSTRATOR_ARGON2_ITERATIONS`: argon2id cost.
    /// The defaults (19 MiB, 2 passes, 1 lane) are OWASP's minimum; tests lower them.
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    /// `ILLUSTRATOR_SESSION_TTL`: how long a login lasts (default 30 days).
    pub session_ttl: Duration,
    /// `ILLUSTRATOR_COOKIE_SECURE`: mark the session cookie `Secure` (default true; turn
    /// off only for plain-HTTP development).
    pub cookie_secure: bool,
    /// `ILLUSTRATOR_AUTH_CACHE_TTL_MS`: how long a verified credential is trusted without
    /// looking again (default 2 s; revocations reach every replica well within 5 s).
    pub auth_cache_ttl: Duration,
    /// `ILLUSTRATOR_LIMIT_LOGIN_ACCOUNT`: failed logins per account (default `5/15m`).
    pub login_account: Limit,
    /// `ILLUSTRATOR_LIMIT_LOGIN_IP`: login attempts per client address (default `30/15m`).
    pub login_ip: Limit,
    /// `ILLUSTRATOR_LIMIT_SUBMIT`: document submissions per user (default `60/1m`).
    pub submit: Limit,
    /// `ILLUSTRATOR_LIMIT_REGENERATE`: regenerations per user (default `30/1m`).
    pub regenerate: Limit,
    /// `ILLUSTRATOR_LIMIT_MAIL`: verification and reset mails per address (default `5/1h`).
    pub mail: Limit,
    /// `ILLUSTRATOR_CLIENT_IP_HEADER`: a header a trusted proxy sets to the client's
    /// address (e.g. `x-forwarded-for`, whose last entry is used). Unset: the peer address.
    pub client_ip_header: Option<String>,
    pub github: Option<OAuthProvider>,
    pub google: Option<OAuthProvider>,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn number<T: std::str::FromStr>(name: &str, default: T) -> anyhow::Result<T>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    match var(name) {
        Some(text) => text
            .trim()
            .parse()
            .with_context(|| format!("reading {name}")),
        None => Ok(default),
    }
}

fn limit(name: &str, default: &str) -> anyhow::Result<Limit> {
    let text = var(name).unwrap_or_else(|| default.to_owned());
    Limit::parse(&text).with_context(|| format!("reading {name}"))
}

/// A provider is configured when its client id and secret are set.
fn provider(prefix: &str, auth: &str, token: &str, api: &str) -> Option<OAuthProvider> {
    let client_id = var(&format!("{prefix}_CLIENT_ID"))?;
    let client_secret = var(&format!("{prefix}_CLIENT_SECRET"))?;
    let url = |name: &str, default: &str| {
        var(&format!("{prefix}_{name}")).unwrap_or_else(|| default.to_owned())
    };

    Some(OAuthProvider {
        client_id,
        client_secret: Secret::new(client_secret),
        auth_url: url("AUTH_URL", auth),
        token_url: url("TOKEN_URL", token),
        api_url: url("API_URL", api),
    })
}

impl AccountsConfig {
    pub fn from_env() -> anyhow::Result<AccountsConfig> {
        let mail_dir = var("ILLUSTRATOR_MAIL_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| std::env::temp_dir().join("illustrator-mail"));
        let cookie_secure = !matches!(
            var("ILLUSTRATOR_COOKIE_SECURE").as_deref(),
            Some("false" | "0" | "no")
        );

        Ok(AccountsConfig {
            mail_dir,
            smtp_url: var("SMTP_URL").map(Secret::new),
            mail_from: var("ILLUSTRATOR_MAIL_FROM")
                .unwrap_or_else(|| "Markdown Illustrator <no-reply@illustrator.localhost>".into()),
            bootstrap_email: var("ILLUSTRATOR_BOOTSTRAP_EMAIL")
                .unwrap_or_else(|| "superadmin@illustrator.localhost".into()),
            argon2_memory_kib: number("ILLUSTRATOR_ARGON2_MEMORY_KIB", 19 * 1024)?,
            argon2_iterations: number("ILLUSTRATOR_ARGON2_ITERATIONS", 2)?,
            session_ttl: Duration::from_secs(number("ILLUSTRATOR_SESSION_TTL_SECS", 30 * 86_400)?),
            cookie_secure,
            auth_cache_ttl: Duration::from_millis(number("ILLUSTRATOR_AUTH_CACHE_TTL_MS", 2_000)?),
            login_account: limit("ILLUSTRATOR_LIMIT_LOGIN_ACCOUNT", "5/15m")?,
            login_ip: limit("ILLUSTRATOR_LIMIT_LOGIN_IP", "30/15m")?,
            submit: limit("ILLUSTRATOR_LIMIT_SUBMIT", "60/1m")?,
            regenerate: limit("ILLUSTRATOR_LIMIT_REGENERATE", "30/1m")?,
            mail: limit("ILLUSTRATOR_LIMIT_MAIL", "5/1h")?,
            client_ip_header: var("ILLUSTRATOR_CLIENT_IP_HEADER").map(|h| h.to_lowercase()),
            github: provider(
                "GITHUB",
                "https://github.com/login/oauth/authorize",
                "https://github.com/login/oauth/access_token",
                "https://api.github.com",
            ),
            google: provider(
                "GOOGLE",
                "https://accounts.google.com/o/oauth2/v2/auth",
                "https://oauth2.googleapis.com/token",
                "https://openidconnect.googleapis.com/v1/userinfo",
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_read_count_and_window() {
        let limit = Limit::parse("5/15m").unwrap_or(Limit {
            count: 0,
            window: Duration::ZERO,
        });
        assert_eq!(limit.count, 5);
        assert_eq!(limit.window, Duration::from_secs(900));
        assert!(Limit::parse("5/2d").is_err());
        assert!(Limit::parse("0/1m").is_err());
        assert!(Limit::parse("five").is_err());
    }
}
