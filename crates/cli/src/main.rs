//! `mi`, the Markdown Illustrator command-line client.

mod account;
mod audit;
mod billing;
mod client;
mod credentials;
mod illustrate;
mod plan;
mod sse;
mod subscription;
mod users;

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
    /// Make an account with email and password; a verification link is mailed.
    Register(users::RegisterArgs),
    /// Verify the account's address with the token from the mailed link.
    Verify {
        token: String,
        #[command(flatten)]
        server: client::ServerArgs,
    },
    /// Reset, set or change the password.
    #[command(subcommand)]
    Password(users::PasswordCommand),
    /// The account the stored session or key belongs to.
    Whoami(client::ServerArgs),
    /// List, search, disable and change the role of accounts (admins).
    #[command(subcommand)]
    Users(users::UsersCommand),
    /// Your plan, today's pictures and quota, and the month's bill.
    Usage(client::ServerArgs),
    /// Every plan and the prices per picture.
    Plans(client::ServerArgs),
    /// Your subscription: show it, or cancel its renewal.
    #[command(subcommand)]
    Subscription(subscription::SubscriptionCommand),
    /// The finance export and corrections of bills (admins); plans and prices
    /// (superadmins).
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
        Command::Register(args) => runtime()?.block_on(users::register(args)),
        Command::Verify { token, server } => runtime()?.block_on(users::verify(token, server)),
        Command::Password(command) => runtime()?.block_on(users::password(command)),
        Command::Whoami(server) => runtime()?.block_on(users::whoami(server)),
        Command::Users(command) => runtime()?.block_on(users::users(command)),
        Command::Usage(args) => runtime()?.block_on(billing::usage(args)),
        Command::Plans(args) => runtime()?.block_on(subscription::plans(args)),
        Command::Subscription(command) => runtime()?.block_on(subscription::subscription(command)),
        Command::Billing(command) => runtime()?.block_on(billing::billing(command)),
        Command::Audit(command) => runtime()?.block_on(audit::audit(command)),
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}
