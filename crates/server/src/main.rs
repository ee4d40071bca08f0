//! `illustrator`: the server binary. `serve` runs every component in one process; the other
//! modes run one component each, so that each kind scales out on its own.

use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};
use illustrator_server::{App, Components, Config, projector, setup, telemetry};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "illustrator", version, about = "Markdown Illustrator server")]
struct Cli {
    #[command(subcommand)]
    mode: Option<Mode>,
}

#[derive(Subcommand)]
enum Mode {
    /// Every component in one process (the default); applies migrations and streams first.
    Serve,
    /// The HTTP API.
    Api,
    /// Generator workers and the job dispatcher.
    Worker,
    /// The read-model projectors.
    Projector {
        /// Drop this read model, replay it from the stream, and exit.
        #[arg(long, value_name = "NAME")]
        rebuild: Option<String>,
    },
    /// The server-sent events service.
    Push,
    /// Create the database if needed and apply the migrations.
    Migrate,
    /// Create or update the streams, consumers and buckets from nats/.
    SetupNats {
        /// Allow changes that JetStream can only make by deleting and recreating.
        #[arg(long)]
        allow_destructive: bool,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    telemetry::init();
    let cli = Cli::parse();
    let config = Config::from_env()?;

    match cli.mode.unwrap_or(Mode::Serve) {
        Mode::Serve => {
            setup::migrate(&config).await?;
            setup::setup_nats(&config, false, None).await?;
            serve(config, Components::ALL).await
        }
        Mode::Api => {
            serve(
                config,
                Components {
                    api: true,
                    ..Default::default()
                },
            )
            .await
        }
        Mode::Push => {
            serve(
                config,
                Components {
                    push: true,
                    ..Default::default()
                },
            )
            .await
        }
        Mode::Worker => {
            serve(
                config,
                Components {
                    worker: true,
                    ..Default::default()
                },
            )
            .await
        }
        Mode::Projector { rebuild: None } => {
            serve(
                config,
                Components {
                    projector: true,
                    ..Default::default()
                },
            )
            .await
        }
        Mode::Projector {
            rebuild: Some(name),
        } => {
            let app = App::connect(config).await?;
            let last = projector::rebuild(&app, &name).await?;
            println!("rebuilt {name} up to stream sequence {last}");
            Ok(())
        }
        Mode::Migrate => setup::migrate(&config).await,
        Mode::SetupNats { allow_destructive } => {
            setup::setup_nats(&config, allow_destructive, None)
                .await
                .map(drop)
        }
    }
}

/// Runs the components until SIGTERM or Ctrl-C. Every mode listens on `BIND`: the API and
/// push serve their routes there, and every mode serves /health, /ready and /metrics.
async fn serve(config: Config, components: Components) -> anyhow::Result<()> {
    let bind = config.bind;
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("binding {bind}"))?;
    let app = App::connect(config).await?;
    let nats = app.nats.clone();
    let running = illustrator_server::start(app, components, Some(listener)).await?;
    let addr = running.addr.unwrap_or(bind);
    tracing::info!(addr = %addr, "listening");
    wait_for_signal().await;
    stop(running, nats).await;
    Ok(())
}

/// Stops accepting, lets every component finish or hand its work back, then drains the
/// NATS connection so that nothing published is left in its buffers.
async fn stop(running: illustrator_server::Running, nats: async_nats::Client) {
    tracing::info!("shutting down");
    running.stop().await;

    match tokio::time::timeout(Duration::from_secs(5), nats.drain()).await {
        Ok(Ok(())) => tracing::info!("NATS drained"),
        Ok(Err(error)) => tracing::warn!(error = %error, "NATS drain failed"),
        Err(_) => tracing::warn!("NATS drain timed out"),
    }
    tracing::info!("stopped");
}

async fn wait_for_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
