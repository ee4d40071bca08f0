//! `loadgen`: starts its own `illustrator serve`, runs bounded load scenarios against it,
//! prints the figures beside their goals, then stops the server and removes its data.

mod accept;
mod article;
mod batch;
mod cleanup;
mod client;
mod pictures;
mod push;
mod report;
mod server;
mod slow;
mod sse;
mod stats;

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};

use illustrator_server::testing::{Answer, FakeProviders, Seen};

use crate::report::Row;
use crate::server::{Server, ServerSpec};

#[derive(Parser)]
#[command(name = "loadgen", about = "Measures an illustrator server under load")]
struct Cli {
    #[command(subcommand)]
    run: Run,
    #[command(flatten)]
    options: Options,
}

#[derive(Subcommand, Clone, Copy)]
enum Run {
    /// Every scenario, each on a fresh server.
    All,
    /// One scenario.
    Only {
        #[arg(value_enum)]
        scenario: Scenario,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Scenario {
    Accept,
    Pictures,
    Push,
    Slow,
}

impl Scenario {
    fn name(self) -> &'static str {
        match self {
            Scenario::Accept => "accept",
            Scenario::Pictures => "pictures",
            Scenario::Push => "push",
            Scenario::Slow => "slow",
        }
    }
}

#[derive(clap::Args)]
struct Options {
    /// The `illustrator` binary [default: $CARGO_TARGET_DIR/release/illustrator, else
    /// target/release/illustrator in the workspace].
    #[arg(long, global = true)]
    server_bin: Option<PathBuf>,
    #[arg(long, global = true, default_value = "nats://127.0.0.1:4222")]
    nats_url: String,
    /// Postgres without a database name; each server gets its own database under it.
    #[arg(
        long,
        global = true,
        default_value = "postgres://postgres:postgres@127.0.0.1:5432"
    )]
    postgres: String,
    /// Where the servers' logs go.
    #[arg(long, global = true, default_value = "/tmp")]
    log_dir: PathBuf,
    /// Concurrent HTTP clients that submit documents.
    #[arg(long, global = true, default_value_t = 32)]
    clients: usize,
    /// Accept scenario: at most this many POSTs...
    #[arg(long, global = true, default_value_t = 20_000)]
    accept_requests: u64,
    /// ...and at most this many seconds.
    #[arg(long, global = true, default_value_t = 10)]
    accept_secs: u64,
    /// Pictures scenario: documents submitted.
    #[arg(long, global = true, default_value_t = 2_000)]
    documents: u64,
    /// Pictures scenario: give up after this many seconds.
    #[arg(long, global = true, default_value_t = 300)]
    pictures_secs: u64,
    /// Push scenario: documents the connections are spread over.
    #[arg(long, global = true, default_value_t = 100)]
    push_documents: u64,
    /// Push scenario: SSE connections.
    #[arg(long, global = true, default_value_t = 1_000)]
    subscribers: usize,
    /// Push scenario: rounds of drawing one picture of every document again.
    #[arg(long, global = true, default_value_t = 5)]
    rounds: u32,
    /// Push scenario: give up after this many seconds.
    #[arg(long, global = true, default_value_t = 180)]
    push_secs: u64,
    /// Slow scenario: documents of five AI pictures each, every call taking two seconds.
    #[arg(long, global = true, default_value_t = 30)]
    slow_documents: u64,
}

fn default_binary() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("release").join("illustrator")
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let options = &cli.options;
    let spec = ServerSpec {
        binary: options.server_bin.clone().unwrap_or_else(default_binary),
        nats_url: options.nats_url.clone(),
        postgres_root: options.postgres.trim_end_matches('/').to_owned(),
        log_dir: options.log_dir.clone(),
    };
    let scenarios = match cli.run {
        Run::All => vec![
            Scenario::Accept,
            Scenario::Pictures,
            Scenario::Push,
            Scenario::Slow,
        ],
        Run::Only { scenario } => vec![scenario],
    };

    println!("{}", machine());
    let mut rows = Vec::new();
    let mut failed = false;
    for scenario in scenarios {
        println!("running {} on a fresh server", scenario.name());
        match on_fresh_server(&spec, options, scenario).await {
            Ok(found) => rows.extend(found),
            Err(error) => {
                failed = true;
                rows.push(report::failed_row(scenario.name(), &error));
            }
        }
    }

    println!("\n{}", report::render(&rows));
    println!("{}", machine());
    if failed {
        anyhow::bail!("a scenario did not run to its end");
    }
    Ok(())
}

/// Cores and load, since the figures mean little without them.
fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load: Vec<&str> = load.split_whitespace().take(3).collect();
    format!("machine: nproc {cores}, load average {}", load.join(" "))
}

/// Starts a server, runs the scenario, reads the server's peak memory, and always stops the
/// server by its process id and removes its database and streams, also on error or Ctrl-C.
async fn on_fresh_server(
    spec: &ServerSpec,
    options: &Options,
    scenario: Scenario,
) -> anyhow::Result<Vec<Row>> {
    // The slow scenario's provider: a fake image API on 127.0.0.1 that takes two seconds.
    let fake = match scenario {
        Scenario::Slow => Some(FakeProviders::start(Answer::Nothing, slow_picture()).await?),
        _ => None,
    };
    let env = match &fake {
        Some(fake) => slow_env(fake),
        None => Vec::new(),
    };
    let mut server = Server::start(spec, Duration::from_secs(60), &env).await?;
    println!(
        "  server pid {} on {}, namespace {}, log {}",
        server.pid(),
        server.api.base(),
        server.namespace,
        server.log_file.display()
    );

    let seen = fake.as_ref().map(|f| f.seen.clone());
    let outcome = tokio::select! {
        outcome = run_scenario(&server, options, scenario, seen.as_deref()) => outcome,
        _ = tokio::signal::ctrl_c() => Err(anyhow::anyhow!("interrupted")),
    };
    let memory = server.memory();
    server.stop().await;

    if let Err(error) = cleanup::drop_database(&spec.postgres_root, &server.database).await {
        eprintln!("  could not drop database {}: {error:#}", server.database);
    }
    match cleanup::delete_streams(&spec.nats_url, &server.namespace).await {
        Ok(count) => println!("  removed database and {count} streams"),
        Err(error) => eprintln!("  could not delete streams: {error:#}"),
    }

    let mut rows = outcome?;
    rows.push(report::memory_row(scenario.name(), memory));
    Ok(rows)
}

fn slow_picture() -> Answer {
    Answer::Picture(slow::PROVIDER_DELAY)
}

/// The fake provider's keys and address, real drawing instead of the no-op one, and
/// provider limits above the hundred calls the scenario wants in flight.
fn slow_env(fake: &FakeProviders) -> Vec<(String, String)> {
    let mut env = fake.env();
    for (name, value) in [
        ("ILLUSTRATOR_WORKER_RENDER", "offline"),
        ("ILLUSTRATOR_WORKER_CONCURRENCY", "128"),
        ("ILLUSTRATOR_PROVIDER_CONCURRENCY", "128"),
        ("ILLUSTRATOR_PROVIDER_RATE", "100000"),
    ] {
        env.push((name.to_owned(), value.to_owned()));
    }
    env
}

async fn run_scenario(
    server: &Server,
    options: &Options,
    scenario: Scenario,
    seen: Option<&Seen>,
) -> anyhow::Result<Vec<Row>> {
    let api = &server.api;
    match scenario {
        Scenario::Accept => {
            let load = accept::AcceptLoad {
                clients: options.clients,
                requests: options.accept_requests,
                duration: Duration::from_secs(options.accept_secs),
            };
            let mut result = accept::run(api, load).await;
            if let Some(error) = &result.first_error {
                println!("  first failure: {error}");
            }
            Ok(report::accept_rows(&mut result))
        }
        Scenario::Pictures => {
            let load = pictures::PicturesLoad {
                documents: options.documents,
                clients: options.clients,
                timeout: Duration::from_secs(options.pictures_secs),
            };
            let result = pictures::run(api, load).await?;
            Ok(report::pictures_rows(&result))
        }
        Scenario::Push => {
            let load = push::PushLoad {
                documents: options.push_documents,
                subscribers: options.subscribers,
                rounds: options.rounds,
                clients: options.clients,
                timeout: Duration::from_secs(options.push_secs),
            };
            let mut result = push::run(api, load).await?;
            if let Some(error) = &result.first_error {
                println!("  first regenerate failure: {error}");
            }
            Ok(report::push_rows(&mut result))
        }
        Scenario::Slow => {
            let seen = seen.ok_or_else(|| anyhow::anyhow!("no fake provider"))?;
            let load = slow::SlowLoad {
                documents: options.slow_documents,
                clients: options.clients,
                timeout: Duration::from_secs(options.pictures_secs),
            };
            let result = slow::run(api, seen, load).await?;
            Ok(report::slow_rows(&result))
        }
    }
}
