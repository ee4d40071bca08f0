//! `mi billing` and `mi usage`: the finance export, corrections, plan and price changes,
//! and the caller's usage.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};
use reqwest::Method;
use serde_json::{Value, json};

use crate::client::{Client, ServerArgs, send};

#[derive(Subcommand)]
pub enum BillingCommand {
    /// Write a month's bill as CSV: a line per user, plan, source and unit price, and one
    /// per correction (admins).
    Export {
        /// The month, YYYY-MM.
        #[arg(long)]
        month: String,
        /// Where to write it; standard output when absent.
        #[arg(short, long)]
        output: Option<PathBuf>,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Credit or amend a user's bill with a reason (admins).
    Correct(CorrectArgs),
    /// Add or replace a plan as a whole (superadmins): what is not given takes its default
    /// (no daily limit, the price as budget, no API access), not the plan's old value.
    Plan(PlanArgs),
    /// Schedule a price per picture of a source from a moment on (superadmins).
    Price(PriceArgs),
}

#[derive(Args)]
pub struct PlanArgs {
    /// The plan's id: 1 to 32 of a-z, 0-9 and -.
    id: String,
    #[arg(long)]
    name: String,
    /// What a subscription costs a month, in fen; 0 is a plan without subscription.
    #[arg(long)]
    monthly_price_fen: i64,
    /// Pictures a day; unlimited when absent.
    #[arg(long)]
    daily_limit: Option<u32>,
    /// What a month's pictures may cost at most, in fen (9900 is 99 yuan), or "unlimited";
    /// the monthly price when absent.
    #[arg(long)]
    monthly_budget_fen: Option<String>,
    /// The sources included, comma-separated (mermaid,chart,card,unsplash,...).
    #[arg(long, value_delimiter = ',', required = true)]
    sources: Vec<String>,
    /// Whether API keys work on the plan.
    #[arg(long)]
    api_access: bool,
    #[command(flatten)]
    server: ServerArgs,
}

#[derive(Args)]
pub struct PriceArgs {
    #[arg(long)]
    source: String,
    /// The price of one picture in fen, e.g. 0.5.
    #[arg(long)]
    unit_fen: String,
    /// When it takes effect (RFC 3339, e.g. 2027-01-01T00:00:00+08:00); now when absent.
    #[arg(long)]
    from: Option<String>,
    #[command(flatten)]
    server: ServerArgs,
}

#[derive(Args)]
pub struct CorrectArgs {
    /// The account id whose bill changes.
    #[arg(long)]
    user: String,
    /// The source the correction is booked on.
    #[arg(long)]
    source: String,
    /// Pictures added to the bill; negative to take some off.
    #[arg(long, allow_hyphen_values = true, default_value_t = 0)]
    pictures: i64,
    /// Fen added to the bill, negative for a credit, e.g. -0.50.
    #[arg(long, allow_hyphen_values = true)]
    amount_fen: String,
    /// Why; finance and auditors read it in the export.
    #[arg(long)]
    reason: String,
    /// The month, YYYY-MM; the current one when absent.
    #[arg(long)]
    month: Option<String>,
    #[command(flatten)]
    server: ServerArgs,
}

pub async fn billing(command: BillingCommand) -> anyhow::Result<()> {
    match command {
        BillingCommand::Export {
            month,
            output,
            server,
        } => {
            let client = Client::new(&server)?;
            let path = format!("/v1/admin/billing/export?month={month}");
            let csv = send(client.request(Method::GET, &path))
                .await?
                .bytes()
                .await?;
            match output {
                Some(file) => {
                    std::fs::write(&file, &csv)
                        .with_context(|| format!("writing {}", file.display()))?;
                    eprintln!("{} written", file.display());
                }
                None => {
                    use std::io::Write;
                    std::io::stdout().write_all(&csv)?;
                }
            }
        }
        BillingCommand::Correct(args) => {
            let client = Client::new(&args.server)?;
            let body = json!({
                "user_id": args.user,
                "month": args.month,
                "source": args.source,
                "pictures": args.pictures,
                "amount_fen": args.amount_fen,
                "reason": args.reason,
            });
            let request = client
                .request(Method::POST, "/v1/admin/billing/corrections")
                .json(&body);
            send(request).await?;
            eprintln!("correction recorded");
        }
        BillingCommand::Plan(args) => {
            let client = Client::new(&args.server)?;
            let body = json!({
                "name": args.name,
                "monthly_price_fen": args.monthly_price_fen,
                "daily_limit": args.daily_limit,
                "monthly_budget_fen": args.monthly_budget_fen,
                "sources": args.sources,
                "api_access": args.api_access,
            });
            let path = format!("/v1/admin/plans/{}", args.id);
            send(client.request(Method::PUT, &path).json(&body)).await?;
            eprintln!("plan {} saved", args.id);
        }
        BillingCommand::Price(args) => {
            if let Some(from) = &args.from {
                chrono::DateTime::parse_from_rfc3339(from).with_context(|| {
                    format!(
                        "--from {from:?} is not an RFC 3339 time like 2027-01-01T00:00:00+08:00"
                    )
                })?;
            }
            let client = Client::new(&args.server)?;
            let body = json!({
                "source": args.source,
                "unit_fen": args.unit_fen,
                "effective_from": args.from,
            });
            let request = client.request(Method::POST, "/v1/admin/prices").json(&body);
            let price: Value = send(request).await?.json().await?;
            eprintln!(
                "{} costs {} fen a picture from {}",
                args.source,
                args.unit_fen,
                price["effective_from"].as_str().unwrap_or("?")
            );
        }
    }
    Ok(())
}

/// Prints the caller's plan, today's pictures and the month's bill.
pub async fn usage(server: ServerArgs) -> anyhow::Result<()> {
    let client = Client::new(&server)?;
    let usage: Value = send(client.request(Method::GET, "/v1/me/usage"))
        .await?
        .json()
        .await?;

    let (plan, day, month) = (&usage["plan"], &usage["day"], &usage["month"]);
    let limit = day["limit"]
        .as_u64()
        .map_or("unlimited".to_owned(), |l| l.to_string());
    println!(
        "plan     {} ({})",
        plan["name"].as_str().unwrap_or("?"),
        plan["id"]
    );
    println!(
        "today    {}: {} used, {} reserved, limit {limit}, resets at {}",
        day["date"].as_str().unwrap_or("?"),
        day["used"],
        day["reserved"],
        day["resets_at"].as_str().unwrap_or("?"),
    );
    println!(
        "month    {}: {} pictures, {} fen",
        month["month"].as_str().unwrap_or("?"),
        month["pictures"],
        month["amount_fen"].as_str().unwrap_or("?"),
    );
    for line in usage["by_source"].as_array().into_iter().flatten() {
        println!(
            "  {:<10} {:>6} {:>10} fen",
            line["source"].as_str().unwrap_or("?"),
            line["count"],
            line["amount_fen"].as_str().unwrap_or("?"),
        );
    }
    Ok(())
}
