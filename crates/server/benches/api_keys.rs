//! API-key verification in the process, paced at 1,000 requests a second, on the real NATS
//! and Postgres: prints p50, p99 and the largest latency. Run it with
//! `cargo bench -p illustrator-server --bench api_keys` (needs the local services).
//!
//! Two runs: with the credential cache as configured (the API's normal path) and with the
//! cache off, where every check reads the key index and loads the account.

use std::time::{Duration, Instant};

use illustrator_accounts::{AccountCommand, AccountId, Register, Role, Scope};
use illustrator_server::accounts::command::{self, Actor};
use illustrator_server::accounts::{keys, password};
use illustrator_server::testing::LocalServer;
use illustrator_server::testing::bench::{measure_on, percentile};
use illustrator_server::{App, Components};

const KEYS: usize = 100;
const RATE: u64 = 1_000;
const SECONDS: u64 = 10;

async fn issue_keys(server: &LocalServer) -> anyhow::Result<Vec<String>> {
    let accounts = &server.app.accounts;
    let mut issued = Vec::new();

    for n in 0..KEYS {
        let id = AccountId::new();
        let actor = Actor {
            id: id.to_string(),
            correlation_id: "bench".into(),
        };
        let register = Register {
            account_id: id,
            email: format!("bench-{n}@example.org"),
            password_hash: None,
            role: Role::User,
            via: "password".into(),
            verified: true,
        };
        command::execute(&accounts.store, id, &actor, move |ctx| {
            AccountCommand::Register(ctx, Box::new(register.clone()))
        })
        .await?;
        let scopes = vec![Scope::Read, Scope::Illustrate];
        let key = keys::issue(accounts, id, &actor, format!("bench {n}"), scopes).await?;
        issued.push(key.key);
    }
    Ok(issued)
}

/// Verifies the keys in turn at `RATE` a second for `SECONDS` and prints the latencies.
async fn measure(app: &App, keys: &[String], label: &str) -> anyhow::Result<()> {
    let accounts = &app.accounts;
    let total = (RATE * SECONDS) as usize;
    let mut latencies = Vec::with_capacity(total);
    let mut ticks = tokio::time::interval(Duration::from_micros(1_000_000 / RATE));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let started = Instant::now();

    for n in 0..total {
        ticks.tick().await;
        let key = &keys[n % keys.len()];
        let began = Instant::now();
        let principal = accounts.authenticate(key, None).await?;
        latencies.push(began.elapsed());
        anyhow::ensure!(principal.is_some(), "a valid key was refused");
    }

    let elapsed = started.elapsed();
    latencies.sort();
    println!(
        "{label}: {total} verifications of {} keys in {:.1} s ({:.0}/s): \
         p50 {:?}, p99 {:?}, max {:?}",
        keys.len(),
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64(),
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
        latencies.last().copied().unwrap_or_default(),
    );
    Ok(())
}

/// What one password hash costs at the default (OWASP minimum) parameters.
async fn hash_cost() -> anyhow::Result<()> {
    let cost = password::Cost {
        memory_kib: 19 * 1024,
        iterations: 2,
    };
    let mut times = Vec::new();
    for _ in 0..10 {
        let began = Instant::now();
        password::hash("a benchmark passphrase".into(), cost).await?;
        times.push(began.elapsed());
    }
    times.sort();
    println!(
        "argon2id (19 MiB, 2 passes): median {:?} over 10 hashes",
        percentile(&times, 0.5)
    );
    Ok(())
}

fn main() -> anyhow::Result<()> {
    measure_on(Components::default(), async |server| {
        let keys = issue_keys(server).await?;
        let ttl = server.config.accounts.auth_cache_ttl;
        measure(&server.app, &keys, &format!("cache {ttl:?}")).await?;

        // A second process's worth of handles on the same streams, with the cache off.
        let mut config = server.config.clone();
        config.accounts.auth_cache_ttl = Duration::ZERO;
        let uncached = App::connect(config).await?;
        measure(&uncached, &keys, "no cache").await?;
        hash_cost().await
    })
}
