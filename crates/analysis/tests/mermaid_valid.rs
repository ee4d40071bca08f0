//! The generated Mermaid parses with mermaid-rs-renderer, and every label comes back as
//! the cleaned text it was given, whatever the text held.

mod common;

use illustrator_analysis::mermaid::{self, Message};
use illustrator_analysis::{PlanOptions, Source, plan};
use mermaid_rs_renderer::parse_mermaid_strict;
use proptest::prelude::*;

const NASTY: &[&str] = &[
    "end",
    "End",
    "subgraph",
    "graph TD",
    "say \"hi\"",
    "it's",
    "a [b] c",
    "(paren) {brace}",
    "x --> y",
    "a;b",
    "50% %% comment",
    "#35; entity",
    "<b>bold</b> & co",
    "`code`",
    "back\\slash",
    "pipe | here",
    "京都的秋天（红叶）「引用」",
    "部署 -> 生产环境：完成",
    "emoji 👩‍👩‍👧 🇯🇵",
    "",
    "   ",
    "line\nbreak",
    "click n1 \"x\"",
    ":::class",
    "participant",
];

fn labels_of(code: &str) -> Vec<String> {
    let parsed = parse_mermaid_strict(code).unwrap_or_else(|e| panic!("{e}\n{code}"));
    let mut nodes: Vec<_> = parsed.graph.nodes.values().collect();
    nodes.sort_by_key(|n| {
        n.id.trim_start_matches(['n', 'p'])
            .parse::<usize>()
            .unwrap_or(0)
    });
    nodes.iter().map(|n| n.label.clone()).collect()
}

fn owned(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn flowchart_of_nasty_labels_parses_to_those_labels() {
    let steps = owned(NASTY);
    for chunk in steps.chunks(mermaid::MAX_NODES) {
        let code = mermaid::flowchart(chunk);
        let want: Vec<String> = chunk.iter().map(|s| mermaid::label(s)).collect();
        assert_eq!(labels_of(&code), want, "{code}");
        let parsed = parse_mermaid_strict(&code).expect("parses");
        assert_eq!(parsed.graph.edges.len(), chunk.len() - 1, "{code}");
    }
}

#[test]
fn mindmap_of_nasty_labels_parses_to_those_labels() {
    let branches: Vec<(String, Vec<String>)> = NASTY
        .iter()
        .take(6)
        .map(|s| (s.to_string(), owned(&NASTY[6..8])))
        .collect();
    let code = mermaid::mindmap("end \"root\" (x)", &branches);
    let parsed = parse_mermaid_strict(&code).unwrap_or_else(|e| panic!("{e}\n{code}"));
    let mut labels: Vec<String> = parsed
        .graph
        .nodes
        .values()
        .map(|n| n.label.clone())
        .collect();
    labels.sort();
    let mut want = vec![mermaid::label("end \"root\" (x)")];
    for (child, leaves) in branches.iter().take(mermaid::MAX_NODES / 2) {
        want.push(mermaid::label(child));
        want.extend(leaves.iter().take(3).map(|l| mermaid::label(l)));
    }
    want.sort();
    assert_eq!(labels, want, "{code}");
}

#[test]
fn sequence_of_nasty_names_parses() {
    let messages: Vec<Message> = NASTY
        .windows(2)
        .take(mermaid::MAX_NODES)
        .map(|w| Message {
            from: w[0].to_string(),
            to: w[1].to_string(),
            text: w[1].to_string(),
        })
        .collect();
    let code = mermaid::sequence(&messages);
    let parsed = parse_mermaid_strict(&code).unwrap_or_else(|e| panic!("{e}\n{code}"));
    assert_eq!(parsed.graph.edges.len(), messages.len(), "{code}");
}

#[test]
fn every_planned_diagram_of_the_corpus_parses() {
    let Some(dir) = common::shared_dir() else {
        println!("shared test data not found next to the workspace: corpus diagrams did not run");
        return;
    };

    let options = PlanOptions {
        source: illustrator_analysis::SourceRequest::Explicit(Source::Mermaid),
        ..common::stress_options()
    };
    let mut count = 0;
    for entry in std::fs::read_dir(dir.join("corpus"))
        .expect("corpus")
        .flatten()
    {
        if entry.path().extension().is_none_or(|e| e != "md") {
            continue;
        }
        let input = std::fs::read(entry.path()).expect("article");
        let plan = plan(&input, &options).expect("plan");
        for p in &plan.placements {
            let code = p
                .mermaid
                .as_deref()
                .expect("mermaid code for a mermaid placement");
            parse_mermaid_strict(code).unwrap_or_else(|e| panic!("{e}\n{code}"));
            count += 1;
        }
    }
    println!("{count} planned diagrams parsed");
    assert!(count > 0);
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 200,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_labels_make_a_valid_flowchart(steps in prop::collection::vec(any::<String>(), 1..8)) {
        let code = mermaid::flowchart(&steps);
        let want: Vec<String> = steps.iter().map(|s| mermaid::label(s)).collect();
        prop_assert_eq!(labels_of(&code), want);
    }

    #[test]
    fn nasty_ascii_labels_make_a_valid_flowchart(
        steps in prop::collection::vec("[ -~\u{4e00}-\u{4e10}（）「」]{0,30}", 1..8)
    ) {
        let code = mermaid::flowchart(&steps);
        let want: Vec<String> = steps.iter().map(|s| mermaid::label(s)).collect();
        prop_assert_eq!(labels_of(&code), want);
    }

    #[test]
    fn any_names_make_a_valid_sequence(
        names in prop::collection::vec("[ -~\u{4e00}-\u{4e10}]{1,20}", 2..6)
    ) {
        let messages: Vec<Message> = names
            .windows(2)
            .map(|w| Message { from: w[0].clone(), to: w[1].clone(), text: w[0].clone() })
            .collect();
        let code = mermaid::sequence(&messages);
        let parsed = parse_mermaid_strict(&code);
        prop_assert!(parsed.is_ok(), "{:?}\n{}", parsed.err(), code);
    }
}
