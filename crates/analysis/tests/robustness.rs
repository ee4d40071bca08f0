//! Bad and extreme input: not UTF-8, empty, very long, very many headings, very deep
//! nesting. Each must finish quickly and without overflowing the stack.

mod common;

use std::time::{Duration, Instant};

use common::{check, fake_pictures};
use illustrator_analysis::{AnalysisError, PlanOptions, assemble, plan};

/// Generous for a debug build on a shared machine; a release build is far below it.
const BUDGET: Duration = Duration::from_secs(10);

fn timed<T>(name: &str, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    let took = start.elapsed();
    println!("{name}: {took:?}");
    assert!(took < BUDGET, "{name} took {took:?}");
    out
}

#[test]
fn not_utf8_names_the_offset() {
    let input = b"# Title\n\nabc\xff\xfedef\n";
    assert_eq!(
        plan(input, &PlanOptions::default()),
        Err(AnalysisError::NotUtf8 { offset: 12 })
    );

    let good = plan(b"# T\n", &PlanOptions::default()).expect("plan");
    assert_eq!(
        assemble(input, &good, &[]),
        Err(AnalysisError::NotUtf8 { offset: 12 })
    );

    let cut_char = "京".as_bytes()[..2].to_vec();
    assert_eq!(
        plan(&cut_char, &PlanOptions::default()),
        Err(AnalysisError::NotUtf8 { offset: 0 })
    );
}

#[test]
fn empty_input_gives_an_empty_plan() {
    for input in [&b""[..], b"\xef\xbb\xbf", b"\n\n"] {
        let p = plan(input, &PlanOptions::default()).expect("plan");
        assert!(p.placements.is_empty());
        assert_eq!(p.title, None);
        assert_eq!(
            assemble(input, &p, &[]).expect("assemble").as_bytes(),
            input
        );
    }
}

#[test]
fn a_ten_megabyte_article() {
    let section = "## A section\n\nSome words about the place, the people and the weather there. \
                   More words follow, enough to make the paragraph long. 京都的秋天很美。\n\n\
                   Another paragraph of the same section brings it over the length that a \
                   section needs for a picture of its own, with words about rivers, bridges, \
                   temples, gardens, markets, trains, mountains and the light of the evening \
                   that falls on all of them when the days grow short in the late autumn.\n\n\
                   - an item\n- another item\n\n```sh\necho hi\n```\n\n";
    let input = format!(
        "# Big\n\n{}",
        section.repeat(10 * 1024 * 1024 / section.len())
    );

    let p = timed("10 MB plan", || {
        plan(input.as_bytes(), &PlanOptions::default()).expect("plan")
    });
    assert_eq!(p.placements.len(), 10);
    let pictures = fake_pictures(&p, false);
    let out = timed("10 MB assemble", || {
        assemble(input.as_bytes(), &p, &pictures).expect("assemble")
    });
    assert!(out.len() > input.len());
}

#[test]
fn a_hundred_thousand_headings() {
    let input: String = (0..100_000).map(|i| format!("## Heading {i}\n")).collect();
    let options = common::stress_options();

    let p = timed("100k headings plan", || {
        plan(input.as_bytes(), &options).expect("plan")
    });
    assert_eq!(p.placements.len(), 1000);
    let pictures = fake_pictures(&p, false);
    timed("100k headings check", || {
        check("100k headings", input.as_bytes(), &p, &pictures)
    });
}

#[test]
fn ten_thousand_levels_of_block_quotes() {
    let input = format!("# Deep\n\n{} deep text\n\nAfter.\n", ">".repeat(10_000));
    let p = timed("deep quotes", || {
        plan(input.as_bytes(), &common::stress_options()).expect("plan")
    });
    let pictures = fake_pictures(&p, false);
    assert!(!pictures.is_empty());
    timed("deep quotes assemble", || {
        assemble(input.as_bytes(), &p, &pictures).expect("assemble")
    });
}

#[test]
fn ten_thousand_levels_of_mixed_containers() {
    let input = format!("# Deep\n\n{}text\n\nAfter.\n", "> 1. ".repeat(5_000));
    let p = timed("deep mixed", || {
        plan(input.as_bytes(), &common::stress_options()).expect("plan")
    });
    let pictures = fake_pictures(&p, false);
    timed("deep mixed check", || {
        check("deep mixed", input.as_bytes(), &p, &pictures)
    });
}

#[test]
fn ten_thousand_levels_of_nested_lists() {
    let input = format!("# Deep\n\n{}item\n\nAfter.\n", "- ".repeat(10_000));
    let p = timed("deep lists", || {
        plan(input.as_bytes(), &common::stress_options()).expect("plan")
    });
    let pictures = fake_pictures(&p, false);
    timed("deep lists check", || {
        check("deep lists", input.as_bytes(), &p, &pictures)
    });
}
