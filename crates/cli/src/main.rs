//! `mi`, the Markdown Illustrator command-line client.

mod account;
mod client;
mod credentials;
mod illustrate;
mod plan;
mod sse;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "mi", version, about = "Illustrate Markdown articles")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Plan the pictures of an article locally, without a server.
    Plan(plan::PlanArgs),
    /// Submit an article, follow its progress, and write it out with its pictures.
    Illustrate(illustrate::IllustrateArgs),
    /// Draw pictures of a document again.
    Regenerate(illustrate::RegenerateArgs),
    /// Log in with email and password; the session is kept for the next commands.
    Login(account::LoginArgs),
    /// End the stored session.
    Logout(client::ServerArgs),
    /// Make, list and revoke API keys.
    #[command(subcommand)]
    Keys(account::KeysCommand),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();

    match cli.command {
        Command::Plan(args) => plan::run(args),
        Command::Illustrate(args) => runtime()?.block_on(illustrate::run(args)),
        Command::Regenerate(args) => runtime()?.block_on(illustrate::regenerate(args)),
        Command::Login(args) => runtime()?.block_on(account::login(args)),
        Command::Logout(args) => runtime()?.block_on(account::logout(args)),
        Command::Keys(command) => runtime()?.block_on(account::keys(command)),
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}
