//! `mi`, the Markdown Illustrator command-line client.

mod account;
mod audit;
mod billing;
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
    /// Your plan, today's pictures and quota, and the month's bill.
    Usage(client::ServerArgs),
    /// The finance export and corrections of bills (admins).
    #[command(subcommand)]
    Billing(billing::BillingCommand),
    /// Replay the usage events and compare them with the bills (admins).
    #[command(subcommand)]
    Audit(audit::AuditCommand),
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
        Command::Usage(args) => runtime()?.block_on(billing::usage(args)),
        Command::Billing(command) => runtime()?.block_on(billing::billing(command)),
        Command::Audit(command) => runtime()?.block_on(audit::audit(command)),
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}
