//! Removes what one run left behind: its database and its streams, buckets included.

use anyhow::{Context, bail};
use futures::TryStreamExt;
use sqlx::{Connection, PgConnection};

/// Only names this tool makes are ever dropped, so a typo can never reach other data.
fn is_own_name(name: &str) -> bool {
    name.len() > 2
        && name.starts_with("lg")
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
}

/// DROP DATABASE ... WITH (FORCE), through the server's `postgres` database.
pub async fn drop_database(postgres_root: &str, database: &str) -> anyhow::Result<()> {
    if !is_own_name(database) {
        bail!("refusing to drop database {database:?}, which this tool did not create");
    }

    let mut connection = PgConnection::connect(&format!("{postgres_root}/postgres"))
        .await
        .context("connecting to postgres")?;
    let statement = format!("DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)");
    sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
        .execute(&mut connection)
        .await
        .with_context(|| format!("dropping database {database}"))?;
    connection.close().await.context("closing postgres")?;
    Ok(())
}

/// Whether `stream` belongs to `namespace`: its own streams, key-value and object buckets.
pub fn stream_of(namespace: &str, stream: &str) -> bool {
    let upper = format!("{}_", namespace.to_uppercase());
    let bucket = |prefix: &str| {
        stream
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with(&format!("{namespace}_")))
    };
    stream.starts_with(&upper) || bucket("KV_") || bucket("OBJ_")
}

/// Deletes every stream of `namespace`; returns how many there were.
pub async fn delete_streams(nats_url: &str, namespace: &str) -> anyhow::Result<usize> {
    if !is_own_name(namespace) {
        bail!("refusing to delete the streams of {namespace:?}");
    }

    let client = async_nats::connect(nats_url)
        .await
        .context("connecting to nats")?;
    let js = async_nats::jetstream::new(client);
    let names: Vec<String> = js
        .stream_names()
        .try_collect()
        .await
        .context("listing streams")?;

    let mut deleted = 0;
    for name in names.iter().filter(|n| stream_of(namespace, n)) {
        js.delete_stream(name)
            .await
            .with_context(|| format!("deleting stream {name}"))?;
        deleted += 1;
    }
    Ok(deleted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_namespace_s_streams_are_its_own() {
        let ns = "lg0123abcd";

        assert!(stream_of(ns, "LG0123ABCD_EVENTS"));
        assert!(stream_of(ns, "KV_lg0123abcd_snapshots"));
        assert!(stream_of(ns, "OBJ_lg0123abcd_images"));
        assert!(!stream_of(ns, "MI_EVENTS"));
        assert!(!stream_of(ns, "KV_mi_snapshots"));
        assert!(!stream_of(ns, "OBJ_lg0123abcdef_images"));
        assert!(!stream_of(ns, "LG0123ABCDEF_EVENTS"));
    }

    #[test]
    fn foreign_names_are_refused() {
        assert!(is_own_name("lg0123abcd"));
        assert!(!is_own_name("postgres"));
        assert!(!is_own_name("lg\"; drop"));
        assert!(!is_own_name("lg"));
    }
}
