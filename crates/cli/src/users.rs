//! `mi register`, `mi verify`, `mi password` and `mi whoami` for one's own account, and
//! `mi users` for admins.

use anyhow::{Context, bail};
use reqwest::Method;
use serde_json::{Value, json};

use crate::account::ask;
use crate::client::{Client, ServerArgs, send};

#[derive(clap::Args)]
pub struct RegisterArgs {
    /// The address to register; asked for when absent.
    #[arg(long)]
    pub email: Option<String>,
    #[command(flatten)]
    pub server: ServerArgs,
}

#[derive(clap::Subcommand)]
pub enum PasswordCommand {
    /// Ask for a reset link to be mailed to the address.
    Reset {
        #[arg(long)]
        email: Option<String>,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Set a new password with the token from a reset mail; every session ends.
    Set {
        token: String,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Change the password of the logged-in account; every session ends.
    Change {
        #[command(flatten)]
        server: ServerArgs,
    },
}

#[derive(clap::Subcommand)]
pub enum UsersCommand {
    /// Accounts, newest first; `--search` matches part of the email.
    List {
        #[arg(long)]
        search: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Change an account's role (superadmins only), disable and enable it, or move it to a
    /// plan (a paid plan starts a subscription).
    Change {
        id: String,
        /// user, admin or superadmin.
        #[arg(long)]
        role: Option<String>,
        /// A plan of `mi plans`, e.g. pro.
        #[arg(long)]
        plan: Option<String>,
        #[arg(long, conflicts_with = "enable")]
        disable: bool,
        #[arg(long)]
        enable: bool,
        #[command(flatten)]
        server: ServerArgs,
    },
}

/// A password typed twice, so that a slip of the finger does not lock the writer out.
fn new_password() -> anyhow::Result<String> {
    let password = ask("new password", true)?;
    let again = ask("the same password again", true)?;
    if password != again {
        bail!("the two passwords differ");
    }
    Ok(password)
}

fn email_or_ask(email: Option<String>) -> anyhow::Result<String> {
    match email {
        Some(email) => Ok(email),
        None => ask("email", false),
    }
}

pub async fn register(args: RegisterArgs) -> anyhow::Result<()> {
    let client = Client::new(&args.server)?;
    let email = email_or_ask(args.email)?;
    let password = new_password()?;

    let body = json!({ "email": email, "password": password });
    send(
        client
            .request(Method::POST, "/v1/auth/register")
            .json(&body),
    )
    .await?;
    eprintln!("registered {email}; follow the link mailed to it, or run `mi verify TOKEN`");
    Ok(())
}

pub async fn verify(token: String, server: ServerArgs) -> anyhow::Result<()> {
    let client = Client::new(&server)?;
    let body = json!({ "token": token });
    send(client.request(Method::POST, "/v1/auth/verify").json(&body)).await?;
    eprintln!("the address is verified; `mi login` works now");
    Ok(())
}

pub async fn password(command: PasswordCommand) -> anyhow::Result<()> {
    match command {
        PasswordCommand::Reset { email, server } => {
            let client = Client::new(&server)?;
            let body = json!({ "email": email_or_ask(email)? });
            let path = "/v1/auth/password-reset";
            send(client.request(Method::POST, path).json(&body)).await?;
            eprintln!("if the address has an account, a reset link is on its way");
        }
        PasswordCommand::Set { token, server } => {
            let client = Client::new(&server)?;
            let body = json!({ "token": token, "password": new_password()? });
            let path = "/v1/auth/password-reset/confirm";
            send(client.request(Method::POST, path).json(&body)).await?;
            eprintln!("the password is set and every session has ended; log in again");
        }
        PasswordCommand::Change { server } => {
            let client = Client::new(&server)?;
            let current = ask("current password", true)?;
            let body = json!({ "current_password": current, "new_password": new_password()? });
            send(client.request(Method::POST, "/v1/me/password").json(&body)).await?;
            crate::credentials::remove();
            eprintln!("the password is changed and every session has ended; log in again");
        }
    }
    Ok(())
}

pub async fn whoami(server: ServerArgs) -> anyhow::Result<()> {
    let client = Client::new(&server)?;
    let me: Value = send(client.request(Method::GET, "/v1/me"))
        .await?
        .json()
        .await?;
    println!(
        "{} ({}), role {}, plan {}{}",
        me["email"].as_str().unwrap_or("?"),
        me["id"].as_str().unwrap_or("?"),
        me["role"].as_str().unwrap_or("?"),
        me["plan"].as_str().unwrap_or("?"),
        if me["verified"] == json!(false) {
            ", not verified"
        } else {
            ""
        },
    );
    Ok(())
}

pub async fn users(command: UsersCommand) -> anyhow::Result<()> {
    match command {
        UsersCommand::List {
            search,
            limit,
            server,
        } => {
            let client = Client::new(&server)?;
            let mut query = vec![("limit", limit.to_string())];
            query.extend(search.map(|q| ("q", q)));
            let request = client.request(Method::GET, "/v1/admin/users").query(&query);
            let users: Value = send(request).await?.json().await?;

            println!(
                "{:<28} {:<32} {:<11} {:<9} state",
                "id", "email", "role", "plan"
            );
            for user in users.as_array().into_iter().flatten() {
                let state = match (user["disabled"].as_bool(), user["verified"].as_bool()) {
                    (Some(true), _) => "disabled",
                    (_, Some(false)) => "unverified",
                    _ => "active",
                };
                println!(
                    "{:<28} {:<32} {:<11} {:<9} {state}",
                    user["id"].as_str().unwrap_or("?"),
                    user["email"].as_str().unwrap_or("?"),
                    user["role"].as_str().unwrap_or("?"),
                    user["plan"].as_str().unwrap_or("?"),
                );
            }
        }
        UsersCommand::Change {
            id,
            role,
            plan,
            disable,
            enable,
            server,
        } => {
            let mut change = serde_json::Map::new();
            if let Some(role) = role {
                change.insert("role".into(), json!(role));
            }
            if disable || enable {
                change.insert("disabled".into(), json!(disable));
            }
            if let Some(plan) = plan {
                change.insert("plan".into(), json!(plan));
            }
            if change.is_empty() {
                bail!("nothing to change: give --role, --plan, --disable or --enable");
            }

            let client = Client::new(&server)?;
            let path = format!("/v1/admin/users/{id}");
            let request = client.request(Method::PATCH, &path).json(&change);
            let user: Value = send(request)
                .await
                .with_context(|| format!("changing account {id}"))?
                .json()
                .await?;
            eprintln!(
                "{}: role {}, plan {}, {}",
                user["email"].as_str().unwrap_or(&id),
                user["role"].as_str().unwrap_or("?"),
                user["plan"].as_str().unwrap_or("?"),
                if user["disabled"] == json!(true) {
                    "disabled"
                } else {
                    "enabled"
                }
            );
        }
    }
    Ok(())
}
