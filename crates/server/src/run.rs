//! Starting components: each binary mode picks which ones run in the process.

use std::sync::Arc;

use anyhow::Context;
use tokio::sync::watch;

use crate::api;
use crate::app::App;
use crate::billing;
use crate::projector::{
    self, AccountsProjection, DocumentsProjection, SubscriptionEffects, SubscriptionsProjection,
    UsageProjection,
};
use crate::push::Hub;
use crate::worker;

/// Which components a process runs.
#[derive(Clone, Copy, Debug, Default)]
pub struct Components {
    pub api: bool,
    pub push: bool,
    pub worker: bool,
    pub projector: bool,
}

impl Components {
    pub const ALL: Components = Components {
        api: true,
        push: true,
        worker: true,
        projector: true,
    };
}

/// A running process: its HTTP address (if it serves HTTP) and the shutdown switch.
pub struct Running {
    pub addr: Option<std::net::SocketAddr>,
    pub shutdown: watch::Sender<bool>,
    pub tasks: tokio::task::JoinSet<()>,
}

impl Running {
    /// Flips the shutdown switch and waits for every component to finish.
    pub async fn stop(mut self) {
        let _ = self.shutdown.send(true);
        while self.tasks.join_next().await.is_some() {}
    }
}

/// Starts the chosen components on `listener` (if any of them serves HTTP).
pub async fn start(
    app: App,
    components: Components,
    listener: Option<tokio::net::TcpListener>,
) -> anyhow::Result<Running> {
    let (shutdown, stop) = watch::channel(false);
    let mut tasks = tokio::task::JoinSet::new();
    crate::metrics::spawn_sampler(app.clone(), stop.clone());

    if components.projector {
        let app = app.clone();
        let stop = stop.clone();
        tasks.spawn(projector::supervise(
            app.clone(),
            DocumentsProjection,
            stop.clone(),
        ));
        tasks.spawn(projector::supervise(
            app.clone(),
            AccountsProjection,
            stop.clone(),
        ));
        tasks.spawn(projector::supervise(
            app.clone(),
            UsageProjection,
            stop.clone(),
        ));
        tasks.spawn(projector::supervise(
            app.clone(),
            SubscriptionsProjection,
            stop.clone(),
        ));
        let effects = SubscriptionEffects { app: app.clone() };
        tasks.spawn(projector::supervise(app.clone(), effects, stop.clone()));
        tasks.spawn(billing::scheduler::run(app, stop));
    }
    tasks.spawn(billing::prices::follow(app.clone(), stop.clone()));

    if components.worker {
        let (a, s) = (app.clone(), stop.clone());
        tasks.spawn(async move {
            if let Err(error) = worker::run_dispatcher(a, s).await {
                tracing::error!(error = %error, "dispatcher failed");
            }
        });
        let (a, s) = (app.clone(), stop.clone());
        tasks.spawn(async move {
            if let Err(error) = worker::run_dead_letters(a, s).await {
                tracing::error!(error = %error, "dead-letter handler failed");
            }
        });
        let (a, s) = (app.clone(), stop.clone());
        tasks.spawn(async move {
            if let Err(error) = worker::run_workers(a, s).await {
                tracing::error!(error = %error, "worker failed");
            }
        });
    }

    let mut router = axum::Router::new();
    if components.api {
        router = router.merge(api::api_router(app.clone()));
    }
    if components.api || components.push {
        tasks.spawn(api::follow_account_changes(app.clone(), stop.clone()));
    }
    if components.push {
        let hub = Arc::new(Hub::default());
        hub.start(app.clone(), stop.clone());
        router = router.merge(api::push_router(app.clone(), hub, stop.clone()));
    }

    let mut addr = None;
    if let Some(listener) = listener {
        addr = Some(
            listener
                .local_addr()
                .context("reading the listener address")?,
        );
        let router = api::finish(router, app.clone());
        let mut stop = stop.clone();
        tasks.spawn(async move {
            let graceful = async move {
                let _ = stop.wait_for(|s| *s).await;
            };
            let router = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
            let served = axum::serve(listener, router)
                .with_graceful_shutdown(graceful)
                .await;
            if let Err(error) = served {
                tracing::error!(error = %error, "HTTP server failed");
            }
            tracing::info!("HTTP server stopped");
        });
    }

    Ok(Running {
        addr,
        shutdown,
        tasks,
    })
}
