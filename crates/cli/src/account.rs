//! `mi login`, `mi logout` and `mi keys create|list|revoke`.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{Context, bail};
use reqwest::Method;
use serde_json::{Value, json};

use crate::client::{Client, ServerArgs, send};
use crate::credentials::{self, Stored};

#[derive(clap::Args)]
pub struct LoginArgs {
    /// The account's email; asked for when absent.
    #[arg(long)]
    pub email: Option<String>,
    /// Print the session token (for MI_API_KEY) instead of storing it.
    #[arg(long)]
    pub print: bool,
    #[command(flatten)]
    pub server: ServerArgs,
}

#[derive(clap::Subcommand)]
pub enum KeysCommand {
    /// Make a key; it is printed once, on standard output.
    Create {
        /// A name to recognise the key by.
        name: String,
        /// read, illustrate or admin; repeat for several (default: read and illustrate).
        #[arg(long = "scope")]
        scopes: Vec<String>,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// The account's keys, without their secrets.
    List {
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Revoke a key by its id.
    Revoke {
        id: String,
        #[command(flatten)]
        server: ServerArgs,
    },
}

/// One line from standard input; the password is read without echo on a terminal.
pub fn ask(prompt: &str, secret: bool) -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    let terminal = stdin.is_terminal();
    if terminal {
        eprint!("{prompt}: ");
        std::io::stderr().flush()?;
    }

    let hide = secret && terminal;
    if hide {
        let _ = std::process::Command::new("stty").arg("-echo").status();
    }
    let mut line = String::new();
    let read = stdin.lock().read_line(&mut line);
    if hide {
        let _ = std::process::Command::new("stty").arg("echo").status();
        eprintln!();
    }
    read.context("reading standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

pub async fn login(args: LoginArgs) -> anyhow::Result<()> {
    let client = Client::new(&args.server)?;
    let email = match args.email {
        Some(email) => email,
        None => ask("email", false)?,
    };
    let password = ask("password", true)?;

    let request = client
        .request(Method::POST, "/v1/auth/login")
        .json(&json!({ "email": email, "password": password }));
    let answer: Value = send(request).await?.json().await?;
    let token = answer["token"]
        .as_str()
        .context("the server sent no token")?
        .to_owned();

    if args.print {
        println!("{token}");
        return Ok(());
    }
    let stored = Stored {
        server: client.server.clone(),
        token,
    };
    let path = credentials::save(&stored)?;
    eprintln!("logged in; the session is kept in {}", path.display());
    Ok(())
}

pub async fn logout(server: ServerArgs) -> anyhow::Result<()> {
    let client = Client::new(&server)?;
    send(
        client
            .request(Method::POST, "/v1/auth/logout")
            .json(&json!({})),
    )
    .await?;
    credentials::remove();
    eprintln!("logged out");
    Ok(())
}

pub async fn keys(command: KeysCommand) -> anyhow::Result<()> {
    match command {
        KeysCommand::Create {
            name,
            scopes,
            server,
        } => {
            let client = Client::new(&server)?;
            let scopes = if scopes.is_empty() {
                vec!["read".to_owned(), "illustrate".to_owned()]
            } else {
                scopes
            };
            let body = json!({ "name": name, "scopes": scopes });
            let request = client.request(Method::POST, "/v1/api-keys").json(&body);
            let key: Value = send(request).await?.json().await?;
            eprintln!(
                "key {} ({}); it is shown only this once:",
                key["id"].as_str().unwrap_or("?"),
                scopes.join(", ")
            );
            println!("{}", key["key"].as_str().unwrap_or_default());
        }
        KeysCommand::List { server } => {
            let client = Client::new(&server)?;
            let keys: Value = send(client.request(Method::GET, "/v1/api-keys"))
                .await?
                .json()
                .await?;
            println!(
                "{:<18} {:<20} {:<24} {:<10} last used",
                "id", "name", "scopes", "state"
            );
            for key in keys.as_array().into_iter().flatten() {
                let scopes: Vec<&str> = key["scopes"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect();
                let state = if key["revoked_at"].is_string() {
                    "revoked"
                } else {
                    "active"
                };
                println!(
                    "{:<18} {:<20} {:<24} {:<10} {}",
                    key["id"].as_str().unwrap_or("?"),
                    key["name"].as_str().unwrap_or(""),
                    scopes.join(","),
                    state,
                    key["last_used_at"].as_str().unwrap_or("never"),
                );
            }
        }
        KeysCommand::Revoke { id, server } => {
            let client = Client::new(&server)?;
            let path = format!("/v1/api-keys/{id}");
            let response = client.request(Method::DELETE, &path).send().await?;
            if response.status() == reqwest::StatusCode::NOT_FOUND {
                bail!("no key {id} on this account");
            }
            crate::client::checked(response).await?;
            eprintln!("key {id} revoked");
        }
    }
    Ok(())
}
