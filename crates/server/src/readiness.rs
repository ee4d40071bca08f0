//! What /ready checks: each real component the process needs, by name.

use async_nats::connection::State;

use crate::app::App;

/// The migrations built into this binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");

pub async fn migrate(db: &sqlx::PgPool) -> Result<(), sqlx::migrate::MigrateError> {
    MIGRATOR.run(db).await
}

/// `(name, passed, detail)` for NATS, Postgres, the streams and the migrations.
pub async fn check(app: &App) -> Vec<(&'static str, bool, String)> {
    let nats = app.nats.connection_state() == State::Connected;

    let postgres = sqlx::query("SELECT 1").execute(&app.db).await;
    let streams = async {
        let names = [
            app.ns.events_stream(),
            app.ns.jobs_stream(),
            app.ns.dead_letters_stream(),
        ];
        for name in names {
            if let Err(error) = app.js.get_stream(&name).await {
                return Err(format!("{name}: {error}"));
            }
        }
        Ok(())
    }
    .await;

    let expected = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
    let applied: Result<Option<(i64,)>, _> =
        sqlx::query_as("SELECT max(version) FROM _sqlx_migrations WHERE success")
            .fetch_optional(&app.db)
            .await;
    let applied = applied.ok().flatten().map(|(v,)| v).unwrap_or(0);

    vec![
        ("nats", nats, format!("{:?}", app.nats.connection_state())),
        (
            "postgres",
            postgres.is_ok(),
            postgres.err().map(|e| e.to_string()).unwrap_or_default(),
        ),
        (
            "streams",
            streams.is_ok(),
            streams.err().unwrap_or_default(),
        ),
        (
            "migrations",
            applied == expected,
            format!("applied {applied}, expected {expected}"),
        ),
    ]
}
