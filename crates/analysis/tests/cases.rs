//! The shared small cases: each `.expect.txt` states the exact bytes a forced plan must
//! give, and what the planner must and must not choose.

mod common;

use std::fs;

use common::{check, placement_at, shared_dir};
use illustrator_analysis::{Picture, PlacementType, Plan, PlanOptions, assemble, boundaries, plan};

/// The input and the exact expected output of a case, or `None` without shared data.
fn case(name: &str) -> Option<(Vec<u8>, Vec<u8>)> {
    let Some(dir) = shared_dir() else {
        println!("shared test data not found next to the workspace: {name} did not run");
        return None;
    };

    let dir = dir.join("cases/md");
    let input = fs::read(dir.join(format!("{name}.md"))).expect("case input");
    let expect = fs::read_to_string(dir.join(format!("{name}.expect.txt"))).expect("expect");
    let literal = expect
        .lines()
        .skip_while(|l| !l.contains("must give"))
        .find(|l| l.trim_start().starts_with("b'"))
        .expect("an exact result");
    Some((input, python_bytes(literal.trim())))
}

/// Decodes a Python bytes literal such as `b'a\n\xef'`.
fn python_bytes(literal: &str) -> Vec<u8> {
    let inner = literal
        .strip_prefix("b'")
        .and_then(|s| s.strip_suffix('\''))
        .expect("b'...'");
    let mut out = Vec::new();
    let mut chars = inner.chars();

    while let Some(c) = chars.next() {
        if c != '\\' {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        match chars.next() {
            Some('n') => out.push(b'\n'),
            Some('r') => out.push(b'\r'),
            Some('t') => out.push(b'\t'),
            Some('x') => {
                let hex: String = chars.by_ref().take(2).collect();
                out.push(u8::from_str_radix(&hex, 16).expect("hex escape"));
            }
            Some(other) => out.push(other as u8),
            None => {}
        }
    }

    out
}

/// The output with each of our picture lines written as `![ALT](URL)`.
fn generic(out: &str) -> Vec<u8> {
    out.split_inclusive('\n')
        .map(|line| {
            let body = line.trim_end_matches(['\r', '\n']);
            let ours = body.starts_with("![") && body.contains(" \"mi:") && body.ends_with("\")");
            if ours {
                line.replacen(body, "![ALT](URL)", 1)
            } else {
                line.to_string()
            }
        })
        .collect::<String>()
        .into_bytes()
}

fn forced(input: &[u8], offsets: &[usize]) -> (Plan, Vec<Picture>) {
    let mut plan = plan(input, &PlanOptions::default()).expect("plan");
    plan.placements = offsets
        .iter()
        .enumerate()
        .map(|(i, &o)| placement_at(i as u32, o))
        .collect();
    let pictures = plan
        .placements
        .iter()
        .map(|p| Picture {
            index: p.index,
            url: format!("mi-test/pic/{}.png", p.index),
            alt: "ALT".into(),
            mermaid_code: None,
            credit: None,
        })
        .collect();
    (plan, pictures)
}

fn boundary(input: &[u8], after: Option<&str>, before: Option<&str>) -> usize {
    boundaries(input)
        .expect("boundaries")
        .into_iter()
        .find(|b| (after.is_none() || b.after == after) && (before.is_none() || b.before == before))
        .map(|b| b.offset)
        .expect("such a boundary")
}

fn assert_forced(name: &str, input: &[u8], offsets: &[usize], want: &[u8]) {
    let (plan, pictures) = forced(input, offsets);
    check(name, input, &plan, &pictures);
    let out = assemble(input, &plan, &pictures).expect("assemble");
    assert_eq!(
        String::from_utf8_lossy(&generic(&out)),
        String::from_utf8_lossy(want),
        "{name}"
    );
}

#[test]
fn case_01_front_matter_then_cover_after_the_h1() {
    let Some((input, want)) = case("case-01-front-matter-setext") else {
        return;
    };

    let plan = plan(&input, &PlanOptions::default()).expect("plan");
    assert_eq!(plan.title.as_deref(), Some("Kyoto in Autumn"));
    assert!(plan.placements.iter().all(|p| p.offset >= 42));
    assert!(
        !plan
            .placements
            .iter()
            .any(|p| p.kind == PlacementType::Section)
    );
    let cover = plan
        .placements
        .iter()
        .find(|p| p.kind == PlacementType::Cover)
        .expect("cover");

    assert_forced("case-01", &input, &[cover.offset], &want);
}

#[test]
fn case_02_code_blocks_are_not_split() {
    let Some((input, want)) = case("case-02-code-fences-and-indented-code") else {
        return;
    };

    let plan = plan(&input, &common::stress_options()).expect("plan");
    let headings: Vec<_> = plan
        .placements
        .iter()
        .filter_map(|p| p.heading.clone())
        .collect();
    assert!(
        headings
            .iter()
            .all(|h| ["Setup Guide", "Install", "Configure"].contains(&h.as_str()))
    );
    for p in &plan.placements {
        let inside = [(53, 107), (108, 183), (184, 218)]
            .iter()
            .any(|&(s, e)| p.offset > s && p.offset < e);
        assert!(!inside, "placement inside a code block at {}", p.offset);
    }

    let before_code = boundary(&input, None, Some("code"));
    assert_forced("case-02", &input, &[before_code], &want);
}

#[test]
fn case_03_crlf_stays_crlf() {
    let Some((input, want)) = case("case-03-crlf-line-endings") else {
        return;
    };

    let plan = plan(&input, &PlanOptions::default()).expect("plan");
    let cover = plan
        .placements
        .iter()
        .find(|p| p.kind == PlacementType::Cover)
        .expect("cover");
    assert_forced("case-03", &input, &[cover.offset], &want);

    let (plan, pictures) = forced(&input, &[cover.offset]);
    let out = assemble(&input, &plan, &pictures).expect("assemble");
    assert!(
        out.match_indices('\n')
            .all(|(i, _)| out.as_bytes()[i - 1] == b'\r')
    );
}

#[test]
fn case_06_long_paragraphs_in_containers_anchor_after_them() {
    let Some((input, want)) = case("case-06-list-and-blockquote-paragraphs") else {
        return;
    };

    let after_list = boundary(&input, Some("list"), None);
    let after_quote = boundary(&input, Some("block_quote"), None);
    let options = PlanOptions {
        long_paragraph: 25,
        min_gap: 0,
        ..PlanOptions::default()
    };
    let plan = plan(&input, &options).expect("plan");
    let atmospheric: Vec<usize> = plan
        .placements
        .iter()
        .filter(|p| p.kind == PlacementType::Atmospheric)
        .map(|p| p.offset)
        .collect();
    assert_eq!(atmospheric, vec![after_list, after_quote]);

    assert_forced("case-06", &input, &[after_list, after_quote], &want);
}

#[test]
fn case_07_tables_and_html_blocks_stay_whole() {
    let Some((input, want)) = case("case-07-table-and-html-block") else {
        return;
    };

    let after_table = boundary(&input, Some("table"), None);
    let after_html = boundary(&input, Some("html"), None);
    let plan = plan(
        &input,
        &PlanOptions {
            min_gap: 0,
            ..PlanOptions::default()
        },
    )
    .expect("plan");
    let chart = plan
        .placements
        .iter()
        .find(|p| p.kind == PlacementType::Chart)
        .expect("chart");
    assert_eq!(chart.offset, after_table);
    let table = chart.table.as_ref().expect("table data");
    assert_eq!(table.headers, vec!["Item", "Price"]);
    assert_eq!(table.rows, vec![vec!["Tea", "3"], vec!["Cake", "5"]]);

    assert_forced("case-07", &input, &[after_table, after_html], &want);
}

#[test]
fn case_10_alt_and_url_are_escaped() {
    let Some((input, want)) = case("case-10-alt-and-url-escaping") else {
        return;
    };

    let at = boundaries(&input).expect("boundaries")[2].offset;
    let (mut plan, _) = forced(&input, &[at]);
    plan.placements[0].kind = PlacementType::Section;
    let pictures = vec![Picture {
        index: 0,
        url: "media/Half-open ranges (1).png".into(),
        alt: "Half-open ranges [0, n) in Rust".into(),
        mermaid_code: None,
        credit: None,
    }];

    let out = assemble(&input, &plan, &pictures).expect("assemble");
    assert_eq!(out.replace(" \"mi:section\"", "").into_bytes(), want);
}
