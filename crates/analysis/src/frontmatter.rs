//! The title of a YAML (`---`) or TOML (`+++`) front matter block.
//!
//! pulldown-cmark finds the block; this reads only its top-level `title` key, which is all
//! the planner needs, so no YAML or TOML parser is pulled in.

/// Bytes of front matter text kept for reading the title.
pub(crate) const CAP: usize = 64 * 1024;

/// The `title` of front matter text, unquoted; `None` when absent or empty.
pub(crate) fn title(front: &str) -> Option<String> {
    for line in front.lines() {
        if line.starts_with('[') {
            // A TOML table header: keys after it are not the document's own.
            break;
        }

        let Some(rest) = line.strip_prefix("title") else {
            continue;
        };
        let rest = rest.trim_start();
        let Some(value) = rest.strip_prefix(':').or_else(|| rest.strip_prefix('=')) else {
            continue;
        };

        let value = unquote(value.trim());
        if !value.is_empty() {
            return Some(value.to_string());
        }
    }

    None
}

fn unquote(value: &str) -> &str {
    for q in ['"', '\''] {
        if value.len() >= 2 && value.starts_with(q) && value.ends_with(q) {
            return &value[1..value.len() - 1];
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_and_toml_titles() {
        assert_eq!(
            title("title: Trip notes\ntags: [x]\n").as_deref(),
            Some("Trip notes")
        );
        assert_eq!(
            title("date = 1\ntitle = \"Rust 2024\"\n").as_deref(),
            Some("Rust 2024")
        );
        assert_eq!(title("title: '京都'\n").as_deref(), Some("京都"));
        assert_eq!(title("[extra]\ntitle = \"no\"\n"), None);
        assert_eq!(title("subtitle: x\n  title: nested\n"), None);
        assert_eq!(title("titles: x\n"), None);
    }
}
