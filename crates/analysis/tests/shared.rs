//! The shared data: every CommonMark and GFM spec example, every small case and every
//! corpus article keeps both invariants when planned and assembled.

mod common;

use std::fs;

use common::{check, check_planned, plan_at_every_boundary, shared_dir, stress_options};
use illustrator_analysis::PlanOptions;

fn spec_examples(file: &str) -> Option<Vec<(u64, String)>> {
    let Some(dir) = shared_dir() else {
        println!("shared test data not found next to the workspace: {file} examples did not run");
        return None;
    };

    let text = fs::read_to_string(dir.join("spec").join(file)).expect("spec file");
    let examples: Vec<serde_json::Value> = serde_json::from_str(&text).expect("spec json");
    Some(
        examples
            .iter()
            .map(|e| {
                let n = e["example"].as_u64().unwrap_or(0);
                (n, e["markdown"].as_str().unwrap_or("").to_string())
            })
            .collect(),
    )
}

fn run_examples(file: &str) {
    let Some(examples) = spec_examples(file) else {
        return;
    };

    let mut pictures = 0;
    for (n, md) in &examples {
        let name = format!("{file} example {n}");
        let input = md.as_bytes();
        pictures += check_planned(&name, input, &PlanOptions::default(), false);
        pictures += check_planned(&name, input, &stress_options(), true);
        let plan = plan_at_every_boundary(input);
        check(&name, input, &plan, &common::fake_pictures(&plan, false));
        pictures += plan.placements.len();
    }
    println!(
        "{file}: {} examples checked, {pictures} pictures inserted",
        examples.len()
    );
}

#[test]
fn commonmark_examples_keep_the_invariants() {
    run_examples("commonmark.json");
}

#[test]
fn gfm_examples_keep_the_invariants() {
    run_examples("gfm.json");
}

#[test]
fn corpus_articles_keep_the_invariants() {
    let Some(dir) = shared_dir() else {
        println!("shared test data not found next to the workspace: corpus did not run");
        return;
    };

    let mut count = 0;
    let mut pictures = 0;
    let mut entries: Vec<_> = fs::read_dir(dir.join("corpus"))
        .expect("corpus")
        .flatten()
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let name = path.display().to_string();
        let input = fs::read(&path).expect("article");

        let n = check_planned(&name, &input, &PlanOptions::default(), false);
        assert!(n > 0, "{name}: the default plan places no picture");
        pictures += n + check_planned(&name, &input, &stress_options(), true);
        let plan = plan_at_every_boundary(&input);
        check(&name, &input, &plan, &common::fake_pictures(&plan, false));
        pictures += plan.placements.len();
        count += 1;
    }
    println!("corpus: {count} articles checked, {pictures} pictures inserted");
}
