//! Mermaid code that is valid by construction: generated ids, quoted and cleaned labels.
//!
//! Node ids are `n1`, `n2`, ... so no reserved word (`end`, `graph`, `subgraph`...) can be
//! an id. Labels go between double quotes after the characters that can end a quoted
//! label, start an entity (`#`), a comment (`%%`), a Markdown string (`` ` ``), HTML
//! (`<`, `&`) or an arrow (`-`, `=`) are replaced by look-alikes, so any text, CJK
//! included, is safe.

use crate::text;

/// Characters kept per label: diagrams are for glancing at.
const LABEL_CHARS: usize = 40;
/// Nodes per diagram beyond which a diagram stops being readable.
pub const MAX_NODES: usize = 12;

/// `text` made safe to put between double quotes in any Mermaid diagram, and short.
pub fn label(text: &str) -> String {
    let short = text::excerpt(text, LABEL_CHARS);
    let mut out = String::with_capacity(short.len());

    for c in short.chars() {
        match c {
            '"' => out.push('\''),
            '`' => out.push('\''),
            '\\' => out.push('/'),
            '#' => out.push('＃'),
            '%' => out.push('％'),
            '<' => out.push('‹'),
            '>' => out.push('›'),
            '&' => out.push('＋'),
            ';' => out.push('；'),
            '|' => out.push('¦'),
            // Runs of `-` and `=` read as arrows even inside quotes to some parsers.
            '-' => out.push('‐'),
            '=' => out.push('＝'),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }

    // `:::` attaches a class to a node, even from inside a quoted label in some parsers.
    let out = out.replace("::", "∶∶");
    let trimmed = out.trim();
    if trimmed.is_empty() {
        "…".to_string()
    } else {
        trimmed.to_string()
    }
}

/// A top-down flowchart of `steps` in order.
pub fn flowchart(steps: &[String]) -> String {
    let steps = &steps[..steps.len().min(MAX_NODES)];
    let mut out = String::from("flowchart TD\n");

    for (i, step) in steps.iter().enumerate() {
        out.push_str(&format!("    n{}[\"{}\"]\n", i + 1, label(step)));
    }
    for i in 1..steps.len() {
        out.push_str(&format!("    n{i} --> n{}\n", i + 1));
    }

    out
}

/// A mindmap: `root` with `branches`, each a child and its own children.
pub fn mindmap(root: &str, branches: &[(String, Vec<String>)]) -> String {
    let mut out = format!("mindmap\n  n0[\"{}\"]\n", label(root));
    let mut id = 0;

    for (child, grandchildren) in branches.iter().take(MAX_NODES / 2) {
        id += 1;
        out.push_str(&format!("    n{id}[\"{}\"]\n", label(child)));
        for leaf in grandchildren.iter().take(3) {
            id += 1;
            out.push_str(&format!("      n{id}[\"{}\"]\n", label(leaf)));
        }
    }

    out
}

/// One message of a sequence diagram.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub from: String,
    pub to: String,
    pub text: String,
}

/// A sequence diagram of actors exchanging `messages`.
pub fn sequence(messages: &[Message]) -> String {
    let messages = &messages[..messages.len().min(MAX_NODES)];
    let mut actors: Vec<&str> = Vec::new();
    for m in messages {
        for name in [m.from.as_str(), m.to.as_str()] {
            if !actors.contains(&name) {
                actors.push(name);
            }
        }
    }

    let mut out = String::from("sequenceDiagram\n");
    for (i, name) in actors.iter().enumerate() {
        out.push_str(&format!("    participant p{} as {}\n", i + 1, label(name)));
    }

    let id = |name: &str| actors.iter().position(|a| *a == name).map_or(0, |i| i + 1);
    for m in messages {
        let text = label(&m.text);
        out.push_str(&format!("    p{}->>p{}: {text}\n", id(&m.from), id(&m.to)));
    }

    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_lose_their_dangerous_characters() {
        assert_eq!(
            label("say \"hi\" #1; 100% <b>&</b>"),
            "say 'hi' ＃1； 100％ ‹b›＋‹/b›"
        );
        assert_eq!(label("   "), "…");
        assert_eq!(label("end"), "end");
        assert_eq!(label("部署(生产)[环境]"), "部署(生产)[环境]");
    }

    #[test]
    fn flowchart_links_steps_in_order() {
        let code = flowchart(&["a".to_string(), "b".to_string()]);
        assert_eq!(
            code,
            "flowchart TD\n    n1[\"a\"]\n    n2[\"b\"]\n    n1 --> n2\n"
        );
    }
}
