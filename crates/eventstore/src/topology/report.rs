//! What `Topology::apply` did, resource by resource.

use std::fmt;

use super::Change;

/// The result of applying one resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Created,
    Updated(Vec<Change>),
    /// Deleted and created again, losing its data; only with `allow_destructive`.
    Recreated(Vec<Change>),
    Unchanged,
}

/// One line per resource, in the order they were applied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplyReport {
    pub entries: Vec<(String, Outcome)>,
}

impl ApplyReport {
    pub(crate) fn push(&mut self, resource: String, outcome: Outcome) {
        self.entries.push((resource, outcome));
    }

    fn names(&self, keep: impl Fn(&Outcome) -> bool) -> Vec<&str> {
        self.entries
            .iter()
            .filter(|(_, outcome)| keep(outcome))
            .map(|(name, _)| name.as_str())
            .collect()
    }

    pub fn created(&self) -> Vec<&str> {
        self.names(|outcome| matches!(outcome, Outcome::Created))
    }

    /// Resources changed in place or recreated.
    pub fn updated(&self) -> Vec<&str> {
        self.names(|outcome| matches!(outcome, Outcome::Updated(_) | Outcome::Recreated(_)))
    }

    pub fn unchanged(&self) -> Vec<&str> {
        self.names(|outcome| matches!(outcome, Outcome::Unchanged))
    }

    /// True when the server already matched every file.
    pub fn is_unchanged(&self) -> bool {
        self.entries
            .iter()
            .all(|(_, outcome)| matches!(outcome, Outcome::Unchanged))
    }
}

impl fmt::Display for ApplyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (resource, outcome) in &self.entries {
            let (verb, changes) = match outcome {
                Outcome::Created => ("created", &[][..]),
                Outcome::Updated(changes) => ("updated", changes.as_slice()),
                Outcome::Recreated(changes) => ("recreated", changes.as_slice()),
                Outcome::Unchanged => ("unchanged", &[][..]),
            };

            write!(f, "{verb:<9} {resource}")?;
            let shown: Vec<String> = changes.iter().map(Change::to_string).collect();
            if !shown.is_empty() {
                write!(f, ": {}", shown.join("; "))?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}
