//! Creating and updating KV and object store buckets through their backing streams.

use std::time::Duration;

use async_nats::jetstream::Context;
use async_nats::jetstream::stream;

use super::apply::{current_stream, guard, verify};
use super::diff::{self, Field};
use super::report::Outcome;
use super::{KvSpec, ObjectSpec};
use crate::StoreError;

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

pub(super) async fn apply_kv(
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

pub(super) async fn apply_object(
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
