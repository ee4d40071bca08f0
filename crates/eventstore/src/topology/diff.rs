//! Differences between the files and what the server holds, and which of them lose data.

use async_nats::jetstream::stream;

use super::units::{show_size, show_span};

/// One setting that differs between the file and the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub field: &'static str,
    pub from: String,
    pub to: String,
    /// Applying it can lose stored data or protection against losing it.
    pub destructive: bool,
    /// The server cannot change it in place: the resource must be deleted and recreated.
    pub recreate: bool,
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} -> {}", self.field, self.from, self.to)
    }
}

/// Which stream settings a resource manages; KV and object buckets manage only some.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    Subjects,
    Retention,
    Storage,
    Discard,
    MaxBytes,
    MaxMsgs,
    MaxMsgsPerSubject,
    MaxAge,
    MaxMsgSize,
    DuplicateWindow,
    DenyDelete,
    DenyPurge,
    AllowDirect,
    AllowRollup,
    Replicas,
    Description,
}

pub(crate) const STREAM_FIELDS: &[Field] = &[
    Field::Subjects,
    Field::Retention,
    Field::Storage,
    Field::Discard,
    Field::MaxBytes,
    Field::MaxMsgs,
    Field::MaxAge,
    Field::MaxMsgSize,
    Field::DuplicateWindow,
    Field::DenyDelete,
    Field::DenyPurge,
    Field::AllowDirect,
    Field::AllowRollup,
    Field::Replicas,
    Field::Description,
];

pub(crate) const KV_FIELDS: &[Field] = &[
    Field::Storage,
    Field::MaxBytes,
    Field::MaxMsgsPerSubject,
    Field::MaxAge,
    Field::MaxMsgSize,
    Field::Replicas,
    Field::Description,
];

pub(crate) const OBJECT_FIELDS: &[Field] = &[
    Field::Storage,
    Field::MaxBytes,
    Field::MaxAge,
    Field::Replicas,
    Field::Description,
];

pub(super) fn limit(value: i64) -> i64 {
    if value <= 0 { -1 } else { value }
}

/// A limit that was unlimited or higher and becomes lower can delete stored messages.
fn tightens(from: i64, to: i64) -> bool {
    to > 0 && (from <= 0 || to < from)
}

pub(super) fn text(description: &Option<String>) -> String {
    description.clone().unwrap_or_default()
}

pub(super) fn change(field: &'static str, from: String, to: String) -> Change {
    Change {
        field,
        from,
        to,
        destructive: false,
        recreate: false,
    }
}

/// Settings in `fields` where `current` differs from `desired`.
pub(crate) fn stream_changes(
    desired: &stream::Config,
    current: &stream::Config,
    fields: &[Field],
) -> Vec<Change> {
    let mut changes = Vec::new();

    for field in fields {
        if let Some(change) = stream_field(*field, desired, current) {
            changes.push(change);
        }
    }

    changes
}

fn stream_field(field: Field, want: &stream::Config, have: &stream::Config) -> Option<Change> {
    match field {
        Field::Subjects => {
            let mut wanted = want.subjects.clone();
            let mut held = have.subjects.clone();
            wanted.sort();
            held.sort();
            let removed = held.iter().any(|subject| !wanted.contains(subject));
            (wanted != held).then(|| Change {
                destructive: removed,
                ..change("subjects", held.join(","), wanted.join(","))
            })
        }
        Field::Retention => (want.retention != have.retention).then(|| Change {
            destructive: true,
            recreate: true,
            ..change(
                "retention",
                format!("{:?}", have.retention),
                format!("{:?}", want.retention),
            )
        }),
        Field::Storage => (want.storage != have.storage).then(|| Change {
            destructive: true,
            recreate: true,
            ..change(
                "storage",
                format!("{:?}", have.storage),
                format!("{:?}", want.storage),
            )
        }),
        Field::Discard => (want.discard != have.discard).then(|| Change {
            destructive: want.discard == stream::DiscardPolicy::Old,
            ..change(
                "discard",
                format!("{:?}", have.discard),
                format!("{:?}", want.discard),
            )
        }),
        Field::MaxBytes => limit_change("max_bytes", have.max_bytes, want.max_bytes, show_size),
        Field::MaxMsgs => limit_change("max_msgs", have.max_messages, want.max_messages, count),
        Field::MaxMsgsPerSubject => {
            let (from, to) = (have.max_messages_per_subject, want.max_messages_per_subject);
            limit_change("history", from, to, count)
        }
        Field::MaxAge => {
            let (from, to) = (have.max_age, want.max_age);
            let tightened = !to.is_zero() && (from.is_zero() || to < from);
            (from != to).then(|| Change {
                destructive: tightened,
                ..change("max_age", show_span(from), show_span(to))
            })
        }
        Field::MaxMsgSize => {
            let (from, to) = (
                limit(have.max_message_size.into()),
                limit(want.max_message_size.into()),
            );
            (from != to).then(|| change("max_msg_size", show_size(from), show_size(to)))
        }
        Field::DuplicateWindow => {
            let (from, to) = (have.duplicate_window, want.duplicate_window);
            (!to.is_zero() && from != to)
                .then(|| change("duplicate_window", show_span(from), show_span(to)))
        }
        Field::DenyDelete => flag("deny_delete", have.deny_delete, want.deny_delete, true),
        Field::DenyPurge => flag("deny_purge", have.deny_purge, want.deny_purge, true),
        Field::AllowDirect => flag("allow_direct", have.allow_direct, want.allow_direct, false),
        Field::AllowRollup => {
            let change = flag("allow_rollup", have.allow_rollup, want.allow_rollup, false);
            change.map(|c| Change {
                destructive: want.allow_rollup,
                ..c
            })
        }
        Field::Replicas => {
            let (from, to) = (have.num_replicas.max(1), want.num_replicas.max(1));
            (from != to).then(|| change("replicas", from.to_string(), to.to_string()))
        }
        Field::Description => {
            let (from, to) = (text(&have.description), text(&want.description));
            (from != to).then(|| change("description", from, to))
        }
    }
}

pub(super) fn count(value: i64) -> String {
    if value < 0 {
        "unlimited".to_owned()
    } else {
        value.to_string()
    }
}

fn limit_change(
    field: &'static str,
    from: i64,
    to: i64,
    show: fn(i64) -> String,
) -> Option<Change> {
    let (from, to) = (limit(from), limit(to));

    (from != to).then(|| Change {
        destructive: tightens(from, to),
        ..change(field, show(from), show(to))
    })
}

/// A protection flag is destructive to turn off when `protects` is set.
fn flag(field: &'static str, from: bool, to: bool, protects: bool) -> Option<Change> {
    (from != to).then(|| Change {
        destructive: protects && from && !to,
        ..change(field, from.to_string(), to.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events() -> stream::Config {
        stream::Config {
            name: "E".into(),
            subjects: vec!["e.>".into()],
            max_bytes: 1 << 30,
            deny_delete: true,
            ..Default::default()
        }
    }

    #[test]
    fn the_same_config_has_no_changes() {
        assert!(stream_changes(&events(), &events(), STREAM_FIELDS).is_empty());
    }

    #[test]
    fn raising_a_limit_is_safe_and_lowering_it_is_destructive() {
        let held = events();
        let raised = stream::Config {
            max_bytes: 2 << 30,
            ..events()
        };
        let lowered = stream::Config {
            max_bytes: 1 << 20,
            ..events()
        };

        let up = stream_changes(&raised, &held, STREAM_FIELDS);
        let down = stream_changes(&lowered, &held, STREAM_FIELDS);

        assert_eq!(up.len(), 1);
        assert!(!up[0].destructive);
        assert!(down[0].destructive);
        assert_eq!(down[0].to_string(), "max_bytes 1GiB -> 1MiB");
    }

    #[test]
    fn dropping_protection_or_subjects_is_destructive() {
        let held = events();
        let unprotected = stream::Config {
            deny_delete: false,
            ..events()
        };
        let narrowed = stream::Config {
            subjects: vec!["e.a.>".into()],
            ..events()
        };

        assert!(stream_changes(&unprotected, &held, STREAM_FIELDS)[0].destructive);
        assert!(stream_changes(&narrowed, &held, STREAM_FIELDS)[0].destructive);
    }

    #[test]
    fn a_storage_change_needs_recreation() {
        let memory = stream::Config {
            storage: stream::StorageType::Memory,
            ..events()
        };

        let changes = stream_changes(&memory, &events(), STREAM_FIELDS);

        assert!(changes[0].recreate && changes[0].destructive);
    }
}
