//! Helpers the test suites share: fake pictures, forced plans and the two invariants every
//! assembled article must keep.

#![allow(dead_code)]

use std::path::PathBuf;

use illustrator_analysis::{
    Credit, Picture, Placement, PlacementType, Plan, PlanOptions, SectionMode, Source,
    assemble_detailed, boundaries, parser_options, plan,
};
use pulldown_cmark::{Event, Parser, Tag, TagEnd};

/// Every URL the tests insert starts with this, so the checks can tell them apart.
pub const URL_PREFIX: &str = "mi-test/pic";

/// The shared test data, when the checkout has it next to the workspace.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    dir.is_dir().then_some(dir)
}

/// Options that insert as much as the rules allow.
pub fn stress_options() -> PlanOptions {
    PlanOptions {
        sections: SectionMode::All,
        min_gap: 0,
        max_images: 1000,
        long_paragraph: 20,
        ..PlanOptions::default()
    }
}

/// One picture per placement; every third is a Mermaid fence when `with_code`, and every
/// fourth carries a stock photo's credit line.
pub fn fake_pictures(plan: &Plan, with_code: bool) -> Vec<Picture> {
    plan.placements
        .iter()
        .map(|p| Picture {
            index: p.index,
            url: format!("{URL_PREFIX}/{:02} ({}).svg", p.index, p.kind.as_str()),
            alt: format!("{} [{}] `x` *y*", p.alt, p.index),
            mermaid_code: (with_code && p.index % 3 == 2)
                .then(|| "flowchart TD\n    n1[\"```\"] --> n2[\"end\"]\n".to_string()),
            credit: (p.index % 4 == 1).then(|| Credit {
                author: "Zoë [*the*] O'Brien_`x`".into(),
                author_url: "https://unsplash.com/@zoe (1)?utm_source=mi".into(),
                site: "Unsplash".into(),
                site_url: "https://unsplash.com/?utm_source=mi&utm_medium=referral".into(),
            }),
        })
        .collect()
}

/// A plan with one section picture at every boundary of `input`.
pub fn plan_at_every_boundary(input: &[u8]) -> Plan {
    let mut plan = plan(input, &PlanOptions::default()).expect("valid input");
    let offsets = boundaries(input).expect("valid input");
    plan.placements = offsets
        .iter()
        .enumerate()
        .map(|(i, b)| placement_at(i as u32, b.offset))
        .collect();
    plan
}

pub fn placement_at(index: u32, offset: usize) -> Placement {
    Placement {
        index,
        kind: PlacementType::Section,
        source: Source::Card,
        fallbacks: vec![],
        offset,
        heading: None,
        excerpt: String::new(),
        prompt: String::new(),
        alt: "ALT".to_string(),
        mermaid: None,
        table: None,
        replaces: None,
    }
}

/// Plans `input` with `options`, assembles fake pictures and checks both invariants.
pub fn check_planned(name: &str, input: &[u8], options: &PlanOptions, with_code: bool) -> usize {
    let plan = plan(input, options).unwrap_or_else(|e| panic!("{name}: {e}"));
    let pictures = fake_pictures(&plan, with_code);
    check(name, input, &plan, &pictures);
    pictures.len()
}

/// Invariant 1: removing the inserted ranges gives the input back byte for byte, and each
/// inserted range holds only blank lines and picture blocks. Invariant 2: the output
/// parses to the input's top-level blocks plus one picture block per picture.
pub fn check(name: &str, input: &[u8], plan: &Plan, pictures: &[Picture]) {
    let out = assemble_detailed(input, plan, pictures).unwrap_or_else(|e| panic!("{name}: {e}"));

    // Pictures of an earlier run that new ones replace are gone from the output: compare
    // with the input without them.
    let mut spans: Vec<(usize, usize)> = pictures
        .iter()
        .filter_map(|pic| plan.placements.iter().find(|p| p.index == pic.index))
        .filter_map(|p| p.replaces)
        .collect();
    spans.sort();
    let mut input_left = Vec::with_capacity(input.len());
    let mut at = 0;
    for (start, end) in spans {
        input_left.extend_from_slice(&input[at..start]);
        at = end;
    }
    input_left.extend_from_slice(&input[at..]);
    let input = &input_left[..];

    let mut rebuilt = Vec::with_capacity(input.len());
    let mut last = 0;
    for r in &out.inserted {
        assert!(r.start >= last, "{name}: inserted ranges overlap");
        rebuilt.extend_from_slice(&out.text.as_bytes()[last..r.start]);
        check_inserted(name, &out.text[r.clone()]);
        last = r.end;
    }
    rebuilt.extend_from_slice(&out.text.as_bytes()[last..]);
    assert!(
        rebuilt == input,
        "{name}: removing the pictures does not give the input back"
    );

    let before = top_level(std::str::from_utf8(input).expect("utf-8"));
    let after = top_level(&out.text);
    let (kept, ours): (Vec<_>, Vec<_>) = after.into_iter().partition(|b| !is_our_picture(b));
    assert_eq!(
        ours.len(),
        pictures.len(),
        "{name}: picture blocks in the output\n{}",
        out.text
    );
    if kept != before {
        let at = kept
            .iter()
            .zip(&before)
            .position(|(a, b)| a != b)
            .unwrap_or(kept.len());
        panic!(
            "{name}: top-level blocks changed at block {at}:\n got {:?}\nwant {:?}\n{}",
            kept.get(at),
            before.get(at),
            out.text
        );
    }
}

fn check_inserted(name: &str, text: &str) {
    let mut fence: Option<&str> = None;
    let mut previous = "";

    for line in text.split("\r\n").flat_map(|l| l.split(['\n', '\r'])) {
        match fence {
            Some(f) if line == f => fence = None,
            Some(_) => {}
            None if line.starts_with("```") && line.ends_with("mermaid") => {
                fence = Some(line.trim_end_matches("mermaid"));
            }
            None => {
                let credit = previous.starts_with("![") && line.starts_with("*Photo by [");
                let ok = line.is_empty() || line.starts_with("![") || credit;
                assert!(ok, "{name}: inserted text holds a stray line {line:?}");
            }
        }
        previous = line;
    }

    assert!(fence.is_none(), "{name}: an inserted fence is not closed");
}

/// The event structure of each top-level block of `text` (a BOM skipped).
pub fn top_level(text: &str) -> Vec<Vec<Event<'static>>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut blocks = Vec::new();
    let mut cur = Vec::new();
    let mut depth = 0usize;

    for event in Parser::new_ext(text, parser_options()) {
        match &event {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth -= 1,
            _ => {}
        }
        cur.push(event.into_static());
        if depth == 0 {
            blocks.push(normalise(std::mem::take(&mut cur)));
        }
    }

    blocks
}

/// Adjacent text (or HTML) events merged, with trailing line endings trimmed: code and HTML
/// at the very end of a file gain a line ending when a picture is appended after them,
/// which changes no rendering, and pulldown-cmark splits such text differently.
fn normalise(events: Vec<Event<'static>>) -> Vec<Event<'static>> {
    let mut out: Vec<Event<'static>> = Vec::with_capacity(events.len());

    for event in events {
        match (out.last_mut(), event) {
            (Some(Event::Text(prev)), Event::Text(t)) => *prev = format!("{prev}{t}").into(),
            (Some(Event::Html(prev)), Event::Html(t)) => *prev = format!("{prev}{t}").into(),
            (_, e) => out.push(e),
        }
    }

    for event in &mut out {
        match event {
            Event::Text(t) | Event::Html(t) => {
                *t = t.trim_end_matches(['\n', '\r']).to_string().into();
            }
            _ => {}
        }
    }

    out
}

fn is_our_picture(block: &[Event<'static>]) -> bool {
    match block {
        [
            Event::Start(Tag::Paragraph),
            Event::Start(Tag::Image {
                dest_url, title, ..
            }),
            rest @ ..,
        ] => {
            let image_end = rest.iter().position(|e| *e == Event::End(TagEnd::Image));
            let after = image_end.map(|i| &rest[i + 1..]).unwrap_or_default();
            let credited = matches!(after, [Event::SoftBreak, Event::Start(Tag::Emphasis), ..])
                && after.ends_with(&[Event::End(TagEnd::Emphasis), Event::End(TagEnd::Paragraph)]);
            let alone = after == [Event::End(TagEnd::Paragraph)];
            dest_url.starts_with(URL_PREFIX) && title.starts_with("mi:") && (alone || credited)
        }
        [
            Event::Start(Tag::CodeBlock(pulldown_cmark::CodeBlockKind::Fenced(lang))),
            Event::Text(first),
            ..,
        ] => lang.as_ref() == "mermaid" && first.starts_with("%% mi:"),
        _ => false,
    }
}
