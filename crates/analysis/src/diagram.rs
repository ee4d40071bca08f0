//! Which diagram a piece of content makes: ordered steps give a flowchart, actors
//! exchanging messages a sequence diagram, a section's tree of headings a mindmap.

use crate::mermaid::{self, Message};
use crate::parse::{Block, Kind};
use crate::text;

/// Whether a list's items read as steps or as messages, without building the diagram.
pub(crate) fn is_diagram_list(block: &Block) -> bool {
    match block.kind {
        Kind::List { ordered: true } if block.items.len() >= 3 => true,
        Kind::List { .. } => messages(&block.items).is_some(),
        _ => false,
    }
}

/// Mermaid code for a list's items, if they read as steps or as messages.
pub(crate) fn for_list(block: &Block) -> Option<String> {
    let Kind::List { ordered } = block.kind else {
        return None;
    };

    if let Some(messages) = messages(&block.items) {
        return Some(mermaid::sequence(&messages));
    }
    if ordered && block.items.len() >= 3 {
        return Some(mermaid::flowchart(&block.items));
    }
    None
}

/// Mermaid code for a section: its steps, its messages, or a mindmap of its headings,
/// list items or first sentences (in that order of preference).
pub(crate) fn for_section(heading: &str, body: &[Block]) -> String {
    for block in body {
        if let Some(code) = for_list(block) {
            return code;
        }
    }

    let mut branches: Vec<(String, Vec<String>)> = Vec::new();
    let top = body
        .iter()
        .filter_map(|b| match b.kind {
            Kind::Heading(level) => Some(level),
            _ => None,
        })
        .min();
    if let Some(top) = top {
        for block in body {
            match block.kind {
                Kind::Heading(level) if level == top => branches.push((block.text.clone(), vec![])),
                Kind::Heading(_) => {
                    if let Some(last) = branches.last_mut() {
                        last.1.push(block.text.clone());
                    }
                }
                _ => {}
            }
        }
    }

    if branches.len() < 2 {
        branches = body
            .iter()
            .flat_map(|b| b.items.iter())
            .take(mermaid::MAX_NODES / 2)
            .map(|item| (item.clone(), vec![]))
            .collect();
    }

    if branches.len() < 2 {
        let prose: String = body
            .iter()
            .filter(|b| matches!(b.kind, Kind::Paragraph))
            .take(3)
            .map(|b| b.text.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        branches = text::phrases(&prose, 5, 30)
            .into_iter()
            .map(|p| (p, vec![]))
            .collect();
    }

    mermaid::mindmap(heading, &branches)
}

/// Items of the form `A -> B: text`, `A → B：text`, `A sends text to B` or
/// `A 向 B 发送 text`, when at least two of them are.
pub(crate) fn messages(items: &[String]) -> Option<Vec<Message>> {
    let found: Vec<Message> = items.iter().filter_map(|i| message(i)).collect();
    (found.len() >= 2 && found.len() * 2 >= items.len()).then_some(found)
}

fn message(item: &str) -> Option<Message> {
    let item = item.trim();

    for arrow in ["->>", "-->", "->", "→", "=>"] {
        if let Some((from, rest)) = item.split_once(arrow) {
            let (to, text) = rest.split_once([':', '：']).unwrap_or((rest, ""));
            return actor_pair(from, to, text);
        }
    }

    if let Some((from, rest)) = item.split_once(" sends ")
        && let Some((text, to)) = rest.rsplit_once(" to ")
    {
        return actor_pair(from, to, text);
    }

    if let Some((from, rest)) = item.split_once('向')
        && let Some((to, text)) = rest.split_once("发送")
    {
        return actor_pair(from, to, text);
    }

    None
}

/// A message between two short actor names (long ones are sentences, not actors).
fn actor_pair(from: &str, to: &str, text: &str) -> Option<Message> {
    let clean = |s: &str| {
        s.trim()
            .trim_matches(['*', '`', '.', '。'])
            .trim()
            .to_string()
    };
    let (from, to) = (clean(from), clean(to));
    let short = |s: &str| !s.is_empty() && s.chars().count() <= 24;

    (short(&from) && short(&to)).then(|| Message {
        from,
        to,
        text: clean(text),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn arrows_and_verbs_read_as_messages() {
        let m = messages(&strings(&[
            "Client -> Server: hello",
            "Server → Client：ok",
        ]));
        let m = m.unwrap_or_default();
        assert_eq!(m.len(), 2);
        assert_eq!(m[1].from, "Server");
        assert_eq!(m[1].text, "ok");

        let m = messages(&strings(&[
            "生产者向 Broker 发送消息",
            "Broker 向消费者发送消息",
        ]));
        assert_eq!(m.map(|m| m[1].to.clone()).as_deref(), Some("消费者"));

        assert!(messages(&strings(&["just a list", "of things"])).is_none());
    }
}
