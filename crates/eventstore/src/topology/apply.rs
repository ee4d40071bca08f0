//! Creating and updating the topology on a server, idempotently and without surprises.
//!
//! Each resource is compared with what the server returns. A 2.9 server silently drops
//! settings it does not know, so after every create or update the returned config is
//! compared again, and a setting that did not stick is an error rather than a quiet gap.

use async_nats::jetstream::consumer::{self, pull};
use async_nats::jetstream::context::{ConsumerInfoErrorKind, GetStreamErrorKind};
use async_nats::jetstream::stream;
use async_nats::jetstream::{Context, ErrorCode};

use super::diff::{self, Change};
use super::report::{ApplyReport, Outcome};
use super::{ConsumerSpec, StreamSpec, Topology};
use super::{buckets, consumer_diff};
use crate::StoreError;

impl Topology {
    /// Creates what is missing and updates what differs; reports every resource.
    ///
    /// A change that can lose data or protection (a tighter limit, fewer subjects, turning
    /// off deny-delete, another storage or retention) is refused with
    /// [`StoreError::Destructive`] unless `allow_destructive` is set; with it, changes the
    /// server cannot make in place delete and recreate the resource.
    pub async fn apply(
        &self,
        js: &Context,
        allow_destructive: bool,
    ) -> Result<ApplyReport, StoreError> {
        let mut report = ApplyReport::default();

        for spec in &self.streams {
            let outcome = apply_stream(js, spec, self.replicas, allow_destructive).await?;
            report.push(format!("stream {}", spec.name), outcome);
        }
        for spec in &self.kv {
            let outcome = buckets::apply_kv(js, spec, self.replicas, allow_destructive).await?;
            report.push(format!("kv {}", spec.bucket), outcome);
        }
        for spec in &self.objects {
            let outcome = buckets::apply_object(js, spec, self.replicas, allow_destructive).await?;
            report.push(format!("object store {}", spec.bucket), outcome);
        }
        for spec in &self.consumers {
            let outcome = apply_consumer(js, spec, allow_destructive).await?;
            report.push(
                format!("consumer {}/{}", spec.stream, spec.durable_name),
                outcome,
            );
        }

        tracing::info!(
            created = report.created().len(),
            updated = report.updated().len(),
            unchanged = report.unchanged().len(),
            "nats topology applied"
        );
        Ok(report)
    }
}

/// The server's config of a stream, or `None` if it does not exist.
pub(super) async fn current_stream(
    js: &Context,
    name: &str,
) -> Result<Option<stream::Config>, StoreError> {
    match js.get_stream(name).await {
        Ok(stream) => Ok(Some(stream.cached_info().config.clone())),
        Err(error) => match error.kind() {
            GetStreamErrorKind::JetStream(e) if e.error_code() == ErrorCode::STREAM_NOT_FOUND => {
                Ok(None)
            }
            _ => Err(StoreError::nats("get stream", error)),
        },
    }
}

/// Refuses destructive changes unless allowed; tells whether recreation is needed.
pub(super) fn guard(resource: &str, changes: &[Change], allow: bool) -> Result<bool, StoreError> {
    let destructive: Vec<String> = changes
        .iter()
        .filter(|c| c.destructive)
        .map(Change::to_string)
        .collect();

    if !destructive.is_empty() && !allow {
        return Err(StoreError::Destructive {
            resource: resource.to_owned(),
            changes: destructive,
        });
    }

    Ok(changes.iter().any(|change| change.recreate))
}

/// Fails if the server's returned config still differs from the file.
pub(super) fn verify(resource: &str, changes: Vec<Change>) -> Result<(), StoreError> {
    match changes.into_iter().next() {
        None => Ok(()),
        Some(change) => Err(StoreError::ServerIgnored {
            resource: resource.to_owned(),
            field: change.to_string(),
        }),
    }
}

async fn apply_stream(
    js: &Context,
    spec: &StreamSpec,
    replicas: usize,
    allow: bool,
) -> Result<Outcome, StoreError> {
    let want = spec.to_config(replicas);
    let resource = format!("stream {}", spec.name);

    let Some(have) = current_stream(js, &spec.name).await? else {
        let created = js.create_stream(want.clone()).await;
        let created = created.map_err(|e| StoreError::nats("create stream", e))?;
        let returned = &created.cached_info().config;
        verify(
            &resource,
            diff::stream_changes(&want, returned, diff::STREAM_FIELDS),
        )?;
        return Ok(Outcome::Created);
    };

    let changes = diff::stream_changes(&want, &have, diff::STREAM_FIELDS);
    if changes.is_empty() {
        return Ok(Outcome::Unchanged);
    }

    let recreate = guard(&resource, &changes, allow)?;
    let returned = if recreate {
        js.delete_stream(&spec.name)
            .await
            .map_err(|e| StoreError::nats("delete stream", e))?;
        let created = js.create_stream(want.clone()).await;
        let created = created.map_err(|e| StoreError::nats("create stream", e))?;
        created.cached_info().config.clone()
    } else {
        let updated = js.update_stream(want.clone()).await;
        updated
            .map_err(|e| StoreError::nats("update stream", e))?
            .config
    };

    verify(
        &resource,
        diff::stream_changes(&want, &returned, diff::STREAM_FIELDS),
    )?;
    Ok(if recreate {
        Outcome::Recreated(changes)
    } else {
        Outcome::Updated(changes)
    })
}

async fn apply_consumer(
    js: &Context,
    spec: &ConsumerSpec,
    allow: bool,
) -> Result<Outcome, StoreError> {
    let want = spec.to_config();
    let resource = format!("consumer {}/{}", spec.stream, spec.durable_name);
    let stream = js
        .get_stream_no_info(&spec.stream)
        .await
        .map_err(|e| StoreError::nats("get stream", e))?;

    let have = match stream.consumer_info(&spec.durable_name).await {
        Ok(info) => Some(info.config),
        Err(error) if matches!(error.kind(), ConsumerInfoErrorKind::NotFound) => None,
        Err(error) => return Err(StoreError::nats("consumer info", error)),
    };

    let create = || async {
        let consumer = stream
            .create_consumer(want.clone())
            .await
            .map_err(|e| StoreError::nats("create consumer", e))?;
        Ok::<consumer::Config, StoreError>(consumer.cached_info().config.clone())
    };

    let Some(have) = have else {
        let returned = create().await?;
        verify(&resource, consumer_diff::consumer_changes(&want, &returned))?;
        return Ok(Outcome::Created);
    };

    let changes = consumer_diff::consumer_changes(&want, &have);
    if changes.is_empty() {
        return Ok(Outcome::Unchanged);
    }

    let recreate = guard(&resource, &changes, allow)?;
    let returned = if recreate {
        stream
            .delete_consumer(&spec.durable_name)
            .await
            .map_err(|e| StoreError::nats("delete consumer", e))?;
        create().await?
    } else {
        let consumer: consumer::Consumer<pull::Config> = stream
            .update_consumer(want.clone())
            .await
            .map_err(|e| StoreError::nats("update consumer", e))?;
        consumer.cached_info().config.clone()
    };

    verify(&resource, consumer_diff::consumer_changes(&want, &returned))?;
    Ok(if recreate {
        Outcome::Recreated(changes)
    } else {
        Outcome::Updated(changes)
    })
}
