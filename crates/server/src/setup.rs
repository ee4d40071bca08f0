//! One-off set-up of the real components: the database and its migrations, and the
//! JetStream topology from `nats/`.

use anyhow::Context;
use illustrator_eventstore::{Namespace, Topology};
use sqlx::migrate::MigrateDatabase;

use crate::app;
use crate::config::Config;

/// Creates the database if needed and applies the migrations.
pub async fn migrate(config: &Config) -> anyhow::Result<()> {
    let url = &config.database_url;
    if !sqlx::Postgres::database_exists(url)
        .await
        .context("checking the database")?
    {
        sqlx::Postgres::create_database(url)
            .await
            .context("creating the database")?;
    }

    let db = app::connect_db(url).await?;
    crate::readiness::migrate(&db)
        .await
        .context("applying migrations")?;
    db.close().await;
    tracing::info!("migrations applied");
    Ok(())
}

/// Creates or updates the streams, consumers and buckets. `max_bytes_cap` (else
/// `ILLUSTRATOR_NATS_MAX_BYTES`) lowers every size limit, for test servers that hold many
/// namespaces at once and for small disks.
pub async fn setup_nats(
    config: &Config,
    allow_destructive: bool,
    max_bytes_cap: Option<i64>,
) -> anyhow::Result<Topology> {
    let nats = app::connect_nats(&config.nats_url).await?;
    let js = app::jetstream_context(nats);
    let ns = Namespace::new(&config.namespace)?;

    let mut topology = Topology::load(&config.nats_dir, &ns, config.replicas)
        .with_context(|| format!("reading {}", config.nats_dir.display()))?;
    if let Some(cap) = max_bytes_cap.or(config.nats_max_bytes) {
        topology.cap_max_bytes(cap);
    }

    let report = topology.apply(&js, allow_destructive).await?;
    tracing::info!(report = %report, "streams and buckets ready");
    Ok(topology)
}
