//! `mi plans` and `mi subscription`: the price list, and the caller's subscription.

use clap::Subcommand;
use reqwest::Method;
use serde_json::Value;

use illustrator_billing::MilliFen;

use crate::client::{Client, ServerArgs, send};

#[derive(Subcommand)]
pub enum SubscriptionCommand {
    /// The plan, the paid period and whether it renews.
    Show(ServerArgs),
    /// Stop the renewal: the plan lasts to the end of the paid period, then the account
    /// moves to the free plan.
    Cancel(ServerArgs),
}

/// Prints every plan, then every price per picture with the moment it took or takes effect.
pub async fn plans(server: ServerArgs) -> anyhow::Result<()> {
    let client = Client::new(&server)?;
    let list: Value = send(client.request(Method::GET, "/v1/plans"))
        .await?
        .json()
        .await?;

    let header = ["plan", "yuan/mo", "per day", "budget fen", "api"];
    let [plan, month, day, budget, api] = header;
    println!("{plan:<12} {month:>9} {day:>9} {budget:>12}  {api:<4} sources");
    for plan in list["plans"].as_array().into_iter().flatten() {
        let fen = plan["monthly_price_fen"].as_i64().unwrap_or(0);
        let daily = plan["daily_limit"]
            .as_u64()
            .map_or("unlimited".to_owned(), |d| d.to_string());
        let budget = plan["monthly_budget"]
            .as_i64()
            .map_or("unlimited".to_owned(), |milli| MilliFen(milli).fen_string());
        let api = if plan["api_access"] == true {
            "yes"
        } else {
            "no"
        };
        let sources: Vec<&str> = plan["sources"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        println!(
            "{:<12} {:>9} {daily:>9} {budget:>12}  {api:<4} {}",
            plan["id"].as_str().unwrap_or("?"),
            format!("{}.{:02}", fen / 100, fen % 100),
            sources.join(",")
        );
    }

    println!("\n{:<10} {:>12}  from", "source", "fen/picture");
    for price in list["prices"].as_array().into_iter().flatten() {
        let milli = price["unit"].as_i64().unwrap_or(0);
        println!(
            "{:<10} {:>12}  {}",
            price["source"].as_str().unwrap_or("?"),
            MilliFen(milli).fen_string(),
            price["effective_from"].as_str().unwrap_or("?"),
        );
    }
    Ok(())
}

pub async fn subscription(command: SubscriptionCommand) -> anyhow::Result<()> {
    let (server, method) = match command {
        SubscriptionCommand::Show(server) => (server, Method::GET),
        SubscriptionCommand::Cancel(server) => (server, Method::DELETE),
    };
    let client = Client::new(&server)?;
    let view: Value = send(client.request(method.clone(), "/v1/me/subscription"))
        .await?
        .json()
        .await?;

    println!("plan     {}", view["plan"].as_str().unwrap_or("?"));
    if view["subscribed"] != true {
        println!("no paid subscription");
        return Ok(());
    }
    let fen = view["monthly_price_fen"].as_i64().unwrap_or(0);
    println!(
        "period   {} to {}",
        view["period_start"].as_str().unwrap_or("?"),
        view["period_end"].as_str().unwrap_or("?"),
    );
    println!("price    {}.{:02} yuan a month", fen / 100, fen % 100);
    if view["renews"] == true {
        let reminder = view["reminder_at"].as_str().unwrap_or("?");
        let sent = if view["reminder_sent"] == true {
            "sent"
        } else {
            "due"
        };
        println!("renews   at the end of the period; reminder {sent} at {reminder}");
    } else {
        println!("ends     at the end of the period; the account then moves to the free plan");
    }
    if method == Method::DELETE {
        eprintln!("renewal cancelled");
    }
    Ok(())
}
