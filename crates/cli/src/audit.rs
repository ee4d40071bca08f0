//! `mi audit replay`: recomputes the bills of whole months from the usage events alone and
//! reports every line where the server's export, made from its read model, differs.

use anyhow::{Context, bail};
use chrono::{Duration, NaiveDate};
use clap::{Args, Subcommand};
use illustrator_billing::{Difference, FeedParser, bills, compare, parse_month};
use reqwest::Method;

use crate::client::{Client, ServerArgs, send};

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Recompute usage and bills of the months FROM to TO from the events and compare them
    /// with the server's export (admins).
    Replay(ReplayArgs),
}

#[derive(Args)]
pub struct ReplayArgs {
    /// The first month, YYYY-MM.
    #[arg(long)]
    from: String,
    /// The last month, YYYY-MM; FROM when absent.
    #[arg(long)]
    to: Option<String>,
    #[command(flatten)]
    server: ServerArgs,
}

pub async fn audit(command: AuditCommand) -> anyhow::Result<()> {
    let AuditCommand::Replay(args) = command;
    let to = args.to.clone().unwrap_or_else(|| args.from.clone());
    let (Some(first), Some(last)) = (parse_month(&args.from), parse_month(&to)) else {
        bail!("--from and --to are months, YYYY-MM");
    };
    let client = Client::new(&args.server)?;

    // A day on either side covers every time zone; the events' own month field decides.
    let since = (first - Duration::days(1)).format("%Y-%m-%dT00:00:00Z");
    let until = (next_month(last) + Duration::days(1)).format("%Y-%m-%dT00:00:00Z");
    let path = format!("/v1/admin/audit/events?from={since}&to={until}");
    let mut feed = send(client.request(Method::GET, &path)).await?;
    let mut parser = FeedParser::default();
    while let Some(chunk) = feed.chunk().await.context("reading the audit feed")? {
        parser.push(&chunk)?;
    }
    let events = parser.finish()?;
    let months = bills(&events);

    let mut month = first;
    let mut differences = 0;
    while month <= last {
        let name = month.format("%Y-%m").to_string();
        let rows = months.get(&name).cloned().unwrap_or_default();
        let path = format!("/v1/admin/billing/export?month={name}");
        let export = send(client.request(Method::GET, &path))
            .await?
            .text()
            .await?;

        for difference in compare(&name, &rows, &export) {
            differences += 1;
            match difference {
                Difference::Missing(line) => println!("{name} missing from the read model: {line}"),
                Difference::Unexpected(line) => println!("{name} not in the events: {line}"),
            }
        }
        month = next_month(month);
    }

    eprintln!(
        "{} events replayed, {differences} differences",
        events.len()
    );
    if differences > 0 {
        bail!("the read model differs from the events in {differences} lines");
    }
    Ok(())
}

fn next_month(first: NaiveDate) -> NaiveDate {
    first
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(first)
}
