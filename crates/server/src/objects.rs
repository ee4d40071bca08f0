//! Article and image bytes in JetStream object store buckets, named by their SHA-256.
//!
//! Content addressing makes a retried put harmless: the second put of the same bytes finds
//! the object and writes nothing.

use async_nats::jetstream::{self, object_store::ObjectStore};
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;

#[derive(Debug, thiserror::Error)]
pub enum ObjectError {
    #[error("object store bucket {bucket} is unavailable: {source}")]
    Bucket {
        bucket: String,
        source: async_nats::Error,
    },
    #[error("storing an object failed: {0}")]
    Put(async_nats::Error),
    #[error("reading an object failed: {0}")]
    Get(async_nats::Error),
    #[error("no such object")]
    NotFound,
}

#[derive(Clone)]
pub struct Bucket {
    store: ObjectStore,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

impl Bucket {
    pub async fn open(js: &jetstream::Context, name: &str) -> Result<Bucket, ObjectError> {
        let store = js
            .get_object_store(name)
            .await
            .map_err(|e| ObjectError::Bucket {
                bucket: name.to_owned(),
                source: e.into(),
            })?;
        Ok(Bucket { store })
    }

    /// Stores `bytes` under their digest and returns it.
    pub async fn put(&self, bytes: &[u8], content_type: &str) -> Result<String, ObjectError> {
        let name = sha256_hex(bytes);

        if self.store.info(&name).await.is_ok() {
            return Ok(name);
        }

        let meta = jetstream::object_store::ObjectMetadata {
            name: name.clone(),
            description: Some(content_type.to_owned()),
            ..Default::default()
        };
        let mut reader = bytes;
        self.store
            .put(meta, &mut reader)
            .await
            .map_err(|e| ObjectError::Put(e.into()))?;
        Ok(name)
    }

    pub async fn get(&self, name: &str) -> Result<Vec<u8>, ObjectError> {
        let mut object = self.store.get(name).await.map_err(|e| {
            if e.kind() == jetstream::object_store::GetErrorKind::NotFound {
                ObjectError::NotFound
            } else {
                ObjectError::Get(e.into())
            }
        })?;

        let mut bytes = Vec::new();
        object
            .read_to_end(&mut bytes)
            .await
            .map_err(|e| ObjectError::Get(e.into()))?;
        Ok(bytes)
    }
}
