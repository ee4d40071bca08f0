//! Local fake providers on 127.0.0.1:0 and the configuration that points at them.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use illustrator_analysis::{Placement, PlacementType, Source};
use illustrator_sources::{ProviderConfig, Providers};

/// Starts a fake provider serving the router `app` builds from the fake's own base URL
/// (for the picture links it hands out), until the test ends. Returns the base URL.
pub async fn start(app: impl FnOnce(String) -> Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = app(base.clone());
    tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    base
}

/// A listener that counts the connections made to it and answers none.
pub struct Trap {
    pub port: u16,
    pub connections: Arc<AtomicUsize>,
}

impl Trap {
    pub async fn start() -> Trap {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(AtomicUsize::new(0));
        let seen = connections.clone();
        tokio::spawn(async move {
            while let Ok((_socket, _)) = listener.accept().await {
                seen.fetch_add(1, Ordering::SeqCst);
            }
        });
        Trap { port, connections }
    }

    pub fn hits(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

/// A counter shared with fake handlers.
#[derive(Clone, Default)]
pub struct Counter(Arc<AtomicUsize>);

impl Counter {
    /// Counts one hit and returns how many came before it.
    pub fn hit(&self) -> usize {
        self.0.fetch_add(1, Ordering::SeqCst)
    }

    pub fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// Every provider keyed and pointed at `base`, with the short timeouts tests want.
pub fn config(base: &str) -> ProviderConfig {
    let base = base.to_string();
    let mut config = ProviderConfig::from_lookup(|name| match name {
        n if n.ends_with("_KEY") => Some(format!("key-{}", n.to_ascii_lowercase())),
        n if n.ends_with("_BASE_URL") => Some(base.clone()),
        _ => None,
    });
    config.request_timeout = Duration::from_secs(1);
    config.download_timeout = Duration::from_secs(1);
    config.retry.max_attempts = 3;
    config.retry.base_delay = Duration::from_millis(50);
    config.retry.max_delay = Duration::from_millis(500);
    config.retry.total = Duration::from_secs(5);
    config.poll_interval = Duration::from_millis(50);
    config.poll_timeout = Duration::from_secs(2);
    config
}

pub fn providers(base: &str) -> Providers {
    Providers::new(config(base)).unwrap()
}

pub fn placement(kind: PlacementType, source: Source) -> Placement {
    Placement {
        index: 0,
        kind,
        source,
        fallbacks: vec![],
        offset: 0,
        heading: Some("Harbour at dawn".to_string()),
        excerpt: "Boats in the harbour".to_string(),
        prompt: "a quiet harbour at dawn, fishing boats".to_string(),
        alt: "harbour".to_string(),
        mermaid: None,
        table: None,
        replaces: None,
    }
}

/// The header of a PNG of the given size: enough for any reader of image sizes.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
    bytes.extend_from_slice(&13u32.to_be_bytes());
    bytes.extend_from_slice(b"IHDR");
    bytes.extend_from_slice(&width.to_be_bytes());
    bytes.extend_from_slice(&height.to_be_bytes());
    bytes.extend_from_slice(&[8, 2, 0, 0, 0]);
    bytes.extend_from_slice(&[0, 0, 0, 0]);
    bytes.extend_from_slice(&[0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xae, 0x42, 0x60, 0x82]);
    bytes
}

/// An axum answer carrying `png(width, height)`.
pub fn png_response(width: u32, height: u32) -> axum::response::Response {
    use axum::response::IntoResponse;
    ([("content-type", "image/png")], png(width, height)).into_response()
}

pub fn b64_png(width: u32, height: u32) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(png(width, height))
}
