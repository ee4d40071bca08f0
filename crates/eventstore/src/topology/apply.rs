//! Creating and updating the topology on a server, idempotently and without surprises.
//!
//! Each resource is compared with what the server returns. A 2.9 server silently drops
//! settings it does not know, so after every create or update the returned config is
//! compared again, and a setting that did not stick is an error rather than a quiet gap.

use std::time::Duration;

use async_nats::jetstream::consumer::{self, pull};
use async_nats::jetstream::context::{ConsumerInfoErrorKind, GetStreamErrorKind};
use async_nats::jetstream::stream;
use async_nats::jetstream::{Context, ErrorCode};

use super::diff::{self, Change, Field};
use super::report::{ApplyReport, Outcome};
use super::{ConsumerSpec, KvSpec, ObjectSpec, StreamSpec, Topology};
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
            let outcome = apply_kv(js, spec, self.replicas, allow_destructive).await?;
            report.push(format!("kv {}", spec.bucket), outcome);
        }
        for spec in &self.objects {
            let outcome = apply_object(js, spec, self.replicas, allow_destructive).await?;
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
async fn current_stream(js: &Context, name: &str) -> Result<Option<stream::Config>, StoreError> {
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
fn guard(resource: &str, changes: &[Change], allow: bool) -> Result<bool, StoreError> {
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
fn verify(resource: &str, changes: Vec<Change>) -> Result<(), StoreError> {
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

/// Changes the managed fields of a bucket's backing stream in place.
async fn update_backing(
    js: &Context,
    mut have: stream::Config,
    want: &stream::Config,
    fields: &[Field],
) -> Result<stream::Config, StoreError> {
    for field in fields {
        match field {
            Field::MaxBytes => have.max_bytes = want.max_bytes,
            Field::MaxMsgsPerSubject => {
                have.max_messages_per_subject = want.max_messages_per_subject
            }
            Field::MaxAge => have.max_age = want.max_age,
            Field::MaxMsgSize => have.max_message_size = want.max_message_size,
            Field::Replicas => have.num_replicas = want.num_replicas,
            Field::Description => have.description = want.description.clone(),
            _ => {}
        }
    }

    let info = js
        .update_stream(have)
        .await
        .map_err(|e| StoreError::nats("update stream", e))?;
    Ok(info.config)
}

/// The backing stream of a KV bucket, laid out the way KV clients expect (`KV_<bucket>`,
/// subjects `$KV.<bucket>.>`, rollups, direct get). It is built here rather than with
/// `Context::create_key_value`, whose account-info request fails to decode on 2.9.10.
fn kv_stream(spec: &KvSpec, replicas: usize) -> stream::Config {
    let config = spec.to_config(replicas);
    let window = Duration::from_secs(120);
    let duplicate_window = if config.max_age.is_zero() {
        window
    } else {
        config.max_age.min(window)
    };

    stream::Config {
        name: format!("KV_{}", config.bucket),
        description: Some(config.description).filter(|text| !text.is_empty()),
        subjects: vec![format!("$KV.{}.>", config.bucket)],
        max_messages_per_subject: config.history.max(1),
        max_bytes: config.max_bytes,
        max_age: config.max_age,
        max_message_size: config.max_value_size,
        storage: config.storage,
        allow_rollup: true,
        deny_delete: true,
        allow_direct: true,
        discard: stream::DiscardPolicy::New,
        duplicate_window,
        num_replicas: replicas,
        ..Default::default()
    }
}

async fn apply_kv(
    js: &Context,
    spec: &KvSpec,
    replicas: usize,
    allow: bool,
) -> Result<Outcome, StoreError> {
    let want = kv_stream(spec, replicas);
    let resource = format!("kv {}", spec.bucket);
    let fields = diff::KV_FIELDS;

    let create = || async {
        let created = js.create_stream(want.clone()).await;
        let created = created.map_err(|e| StoreError::nats("create kv bucket", e))?;
        Ok::<stream::Config, StoreError>(created.cached_info().config.clone())
    };

    let Some(have) = current_stream(js, &want.name).await? else {
        let returned = create().await?;
        verify(&resource, diff::stream_changes(&want, &returned, fields))?;
        return Ok(Outcome::Created);
    };

    let changes = diff::stream_changes(&want, &have, fields);
    if changes.is_empty() {
        return Ok(Outcome::Unchanged);
    }

    let recreate = guard(&resource, &changes, allow)?;
    let returned = if recreate {
        js.delete_stream(&want.name)
            .await
            .map_err(|e| StoreError::nats("delete kv", e))?;
        create().await?
    } else {
        update_backing(js, have, &want, fields).await?
    };

    verify(&resource, diff::stream_changes(&want, &returned, fields))?;
    Ok(if recreate {
        Outcome::Recreated(changes)
    } else {
        Outcome::Updated(changes)
    })
}

async fn apply_object(
    js: &Context,
    spec: &ObjectSpec,
    replicas: usize,
    allow: bool,
) -> Result<Outcome, StoreError> {
    let config = spec.to_config(replicas);
    let want = stream::Config {
        storage: config.storage,
        max_bytes: config.max_bytes,
        max_age: config.max_age,
        num_replicas: replicas,
        description: config.description.clone(),
        ..Default::default()
    };
    let backing = format!("OBJ_{}", spec.bucket);
    let resource = format!("object store {}", spec.bucket);
    let fields = diff::OBJECT_FIELDS;

    let create = || async {
        let config = config.clone();
        js.create_object_store(config)
            .await
            .map_err(|e| StoreError::nats("create object store", e))?;
        current_stream(js, &backing)
            .await?
            .ok_or_else(|| StoreError::Missing(backing.clone()))
    };

    let Some(have) = current_stream(js, &backing).await? else {
        let returned = create().await?;
        verify(&resource, diff::stream_changes(&want, &returned, fields))?;
        return Ok(Outcome::Created);
    };

    let changes = diff::stream_changes(&want, &have, fields);
    if changes.is_empty() {
        return Ok(Outcome::Unchanged);
    }

    let recreate = guard(&resource, &changes, allow)?;
    let returned = if recreate {
        js.delete_object_store(&spec.bucket)
            .await
            .map_err(|e| StoreError::nats("delete object store", e))?;
        create().await?
    } else {
        update_backing(js, have, &want, fields).await?
    };

    verify(&resource, diff::stream_changes(&want, &returned, fields))?;
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
        verify(&resource, diff::consumer_changes(&want, &returned))?;
        return Ok(Outcome::Created);
    };

    let changes = diff::consumer_changes(&want, &have);
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

    verify(&resource, diff::consumer_changes(&want, &returned))?;
    Ok(if recreate {
        Outcome::Recreated(changes)
    } else {
        Outcome::Updated(changes)
    })
}
