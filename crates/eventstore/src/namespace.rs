//! Names of every stream, subject, consumer and bucket, derived from one namespace.

use crate::StoreError;

const TOKEN_CHARS: &str = "letters, digits, '_' and '-'";

/// Names of everything in JetStream, derived from one namespace so test runs never collide.
///
/// The production namespace is `mi`; tests use a random one such as `t3f9a0c`. Lower-case
/// names are used in subjects and buckets, the upper-case form in stream names.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Namespace {
    lower: String,
    upper: String,
}

impl Namespace {
    /// Checks that `name` is non-empty and made of `[a-z0-9_]` only.
    pub fn new(name: &str) -> Result<Namespace, StoreError> {
        let valid = !name.is_empty()
            && name.len() <= 32
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');

        if !valid {
            return Err(StoreError::InvalidName {
                what: "namespace",
                value: name.to_owned(),
                allowed: "1 to 32 of [a-z0-9_]",
            });
        }

        Ok(Namespace {
            lower: name.to_owned(),
            upper: name.to_ascii_uppercase(),
        })
    }

    /// The namespace as given, used in subjects and bucket names.
    pub fn as_str(&self) -> &str {
        &self.lower
    }

    /// The upper-case form, used in stream names.
    pub fn upper(&self) -> &str {
        &self.upper
    }

    /// The stream that holds every aggregate's commits.
    pub fn events_stream(&self) -> String {
        format!("{}_EVENTS", self.upper)
    }

    /// The subject of one aggregate instance: `<ns>.es.<type>.<id>`.
    pub fn event_subject(&self, aggregate_type: &str, aggregate_id: &str) -> String {
        format!("{}.es.{}.{}", self.lower, aggregate_type, aggregate_id)
    }

    /// The filter that matches every instance of one aggregate type.
    pub fn events_filter(&self, aggregate_type: &str) -> String {
        format!("{}.es.{}.>", self.lower, aggregate_type)
    }

    /// The filter that matches every commit of every aggregate type.
    pub fn all_events_filter(&self) -> String {
        format!("{}.es.>", self.lower)
    }

    /// The work-queue stream of image jobs.
    pub fn jobs_stream(&self) -> String {
        format!("{}_JOBS", self.upper)
    }

    /// The subject a job for one picture source is published on.
    pub fn job_subject(&self, source: &str) -> String {
        format!("{}.jobs.{}", self.lower, source)
    }

    /// The one durable pull consumer shared by all workers.
    pub fn jobs_consumer(&self) -> String {
        format!("{}_workers", self.lower)
    }

    /// The stream that keeps max-deliveries and terminated advisories of the jobs consumer.
    pub fn dead_letters_stream(&self) -> String {
        format!("{}_DEAD_LETTERS", self.upper)
    }

    /// A key-value bucket, e.g. `kv_bucket("idempotency")` is `mi_idempotency`.
    pub fn kv_bucket(&self, name: &str) -> String {
        format!("{}_{}", self.lower, name)
    }

    /// An object store bucket, e.g. `object_bucket("images")` is `mi_images`.
    pub fn object_bucket(&self, name: &str) -> String {
        format!("{}_{}", self.lower, name)
    }

    /// Fills the `{ns}` and `{NS}` placeholders of a topology file.
    pub fn fill(&self, text: &str) -> String {
        text.replace("{ns}", &self.lower)
            .replace("{NS}", &self.upper)
    }
}

/// Checks that an aggregate id or type is a single safe subject token.
pub(crate) fn check_token(what: &'static str, value: &str) -> Result<(), StoreError> {
    let valid = !value.is_empty()
        && value.len() <= 128
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');

    if valid {
        Ok(())
    } else {
        Err(StoreError::InvalidName {
            what,
            value: value.to_owned(),
            allowed: TOKEN_CHARS,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespace_rejects_subject_wildcards_and_upper_case() {
        assert!(Namespace::new("mi").is_ok());
        assert!(Namespace::new("t_01").is_ok());
        assert!(Namespace::new("").is_err());
        assert!(Namespace::new("Mi").is_err());
        assert!(Namespace::new("m.i").is_err());
        assert!(Namespace::new("m>").is_err());
    }

    #[test]
    fn names_follow_the_namespace() {
        let ns = Namespace::new("mi").unwrap();
        assert_eq!(ns.events_stream(), "MI_EVENTS");
        assert_eq!(ns.event_subject("document", "abc"), "mi.es.document.abc");
        assert_eq!(ns.events_filter("document"), "mi.es.document.>");
        assert_eq!(ns.job_subject("mermaid"), "mi.jobs.mermaid");
        assert_eq!(ns.kv_bucket("snapshots"), "mi_snapshots");
        assert_eq!(ns.fill("{NS}_JOBS {ns}.jobs.>"), "MI_JOBS mi.jobs.>");
    }

    #[test]
    fn tokens_allow_uuids_and_reject_dots() {
        assert!(check_token("aggregate id", "0190f3a2-7b1c-7def-8000-000000000001").is_ok());
        assert!(check_token("aggregate id", "a.b").is_err());
        assert!(check_token("aggregate id", "a*").is_err());
        assert!(check_token("aggregate id", "").is_err());
    }
}
