//! One test per placement rule, through the public entry points.

mod common;

use illustrator_analysis::{
    Credit, Language, MermaidMode, Picture, PlacementType as T, Plan, PlanOptions, SectionMode,
    Source, SourceRequest, assemble, plan,
};

fn plan_of(text: &str, options: &PlanOptions) -> Plan {
    plan(text.as_bytes(), options).expect("plan")
}

fn kinds(plan: &Plan) -> Vec<T> {
    plan.placements.iter().map(|p| p.kind).collect()
}

fn words(n: usize) -> String {
    (0..n)
        .map(|i| format!("word{i}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn loose() -> PlanOptions {
    PlanOptions {
        min_gap: 0,
        ..PlanOptions::default()
    }
}

#[test]
fn cover_goes_after_the_title() {
    let text = "# The Title\n\nIntro.\n";
    let p = plan_of(text, &PlanOptions::default());
    assert_eq!(kinds(&p), vec![T::Cover]);
    assert_eq!(p.placements[0].offset, "# The Title\n".len());
    assert_eq!(p.placements[0].source, Source::Card);
    assert_eq!(p.placements[0].file_name(), "images/01-cover.svg");

    let off = plan_of(
        text,
        &PlanOptions {
            cover: false,
            ..PlanOptions::default()
        },
    );
    assert!(off.placements.is_empty());
}

#[test]
fn cover_uses_an_ai_source_when_one_is_available() {
    let options = PlanOptions {
        available: vec![Source::Unsplash, Source::Doubao],
        ..loose()
    };
    let p = plan_of("# T\n\nx\n", &options);
    assert_eq!(p.placements[0].source, Source::Doubao);
    assert_eq!(p.placements[0].fallbacks, vec![Source::Card]);
}

#[test]
fn smart_sections_skip_short_ones_and_those_with_pictures() {
    let text = format!(
        "# T\n\n## Long\n\n{}\n\n## Short\n\nTiny.\n\n## Pictured\n\n![own](a.png)\n\n{}\n",
        words(100),
        words(100)
    );
    let p = plan_of(&text, &loose());
    let headings: Vec<_> = p
        .placements
        .iter()
        .filter(|p| p.kind == T::Section)
        .map(|p| p.heading.clone().unwrap_or_default())
        .collect();
    assert_eq!(headings, vec!["Long"]);

    let all = plan_of(
        &text,
        &PlanOptions {
            sections: SectionMode::All,
            ..loose()
        },
    );
    assert_eq!(
        all.placements
            .iter()
            .filter(|p| p.kind == T::Section)
            .count(),
        3
    );

    let none = plan_of(
        &text,
        &PlanOptions {
            sections: SectionMode::None,
            ..loose()
        },
    );
    assert!(none.placements.iter().all(|p| p.kind != T::Section));
}

#[test]
fn sections_use_stock_photos_when_available_else_cards() {
    let text = format!("# T\n\n## Walk\n\n{}\n", words(100));
    let stock = PlanOptions {
        available: vec![Source::Pexels, Source::Unsplash],
        ..loose()
    };
    let p = plan_of(&text, &stock);
    let section = p
        .placements
        .iter()
        .find(|p| p.kind == T::Section)
        .expect("section");
    assert_eq!(section.source, Source::Unsplash);
    assert_eq!(section.fallbacks, vec![Source::Pexels, Source::Card]);

    let p = plan_of(&text, &loose());
    let section = p
        .placements
        .iter()
        .find(|p| p.kind == T::Section)
        .expect("section");
    assert_eq!(section.source, Source::Card);
}

#[test]
fn atmospheric_pictures_follow_long_paragraphs() {
    let text = format!("# T\n\n{}\n\nShort one.\n", words(160));
    let p = plan_of(&text, &loose());
    assert_eq!(kinds(&p), vec![T::Cover, T::Atmospheric]);
    assert_eq!(
        p.placements[1].offset,
        text.find("\n\nShort").expect("short") + 1
    );

    let zh = format!("# 标题\n\n{}\n\n短。\n", "秋".repeat(150));
    let p = plan_of(&zh, &loose());
    assert_eq!(p.language, Language::Zh);
    assert_eq!(kinds(&p), vec![T::Cover, T::Atmospheric]);
    let zh_short = format!("# 标题\n\n{}\n", "秋".repeat(149));
    assert_eq!(kinds(&plan_of(&zh_short, &loose())), vec![T::Cover]);
}

#[test]
fn tables_with_a_numeric_column_get_a_chart() {
    let text = "# T\n\n| Item | Price |\n|---|---:|\n| Tea | 3 |\n| Cake | 5 |\n\n\
                | a | b |\n|---|---|\n| x | y |\n| z | w |\n";
    let p = plan_of(text, &loose());
    assert_eq!(kinds(&p), vec![T::Cover, T::Chart]);
    let chart = &p.placements[1];
    assert_eq!(chart.source, Source::Chart);
    assert_eq!(chart.fallbacks, vec![Source::Card]);
    assert_eq!(chart.table.as_ref().map(|t| t.rows.len()), Some(2));
}

#[test]
fn chart_tables_are_capped_at_fifty_rows() {
    let rows: String = (0..80).map(|i| format!("| r{i} | {i} |\n")).collect();
    let text = format!("| a | b |\n|---|---|\n{rows}");
    let p = plan_of(&text, &loose());
    let chart = p
        .placements
        .iter()
        .find(|p| p.kind == T::Chart)
        .expect("chart");
    assert_eq!(chart.table.as_ref().map(|t| t.rows.len()), Some(50));
}

fn technical_text(body: &str) -> String {
    let code = "```rust\nfn main() {\n    let x = 1;\n    println!(\"{x}\");\n}\n```\n\n";
    format!(
        "# Deploy the API server\n\nConfigure the server and the database cache.\n\n{}{body}",
        code.repeat(5)
    )
}

#[test]
fn ordered_steps_in_technical_text_make_a_flowchart_diagram() {
    let text =
        technical_text("1. Install the server\n2. Configure the database\n3. Deploy the API\n");
    let p = plan_of(&text, &loose());
    assert!(p.classification.technical, "{:?}", p.classification);
    let d = p
        .placements
        .iter()
        .find(|p| p.kind == T::Diagram)
        .expect("diagram");
    assert_eq!(d.source, Source::Mermaid);
    let code = d.mermaid.as_deref().expect("code");
    assert!(code.starts_with("flowchart TD\n"));
    assert!(code.contains("n3[\"Deploy the API\"]"));
}

#[test]
fn messages_between_actors_make_a_sequence_diagram() {
    let text = technical_text("- Client -> Server: request\n- Server -> Database: query\n");
    let p = plan_of(&text, &loose());
    let d = p
        .placements
        .iter()
        .find(|p| p.kind == T::Diagram)
        .expect("diagram");
    assert!(
        d.mermaid
            .as_deref()
            .is_some_and(|c| c.starts_with("sequenceDiagram\n"))
    );
}

#[test]
fn technical_sections_are_mermaid_mindmaps_of_their_tree() {
    let body = format!(
        "## Parts\n\n{}\n\n### Broker\n\nx\n\n### Consumer\n\ny\n",
        words(90)
    );
    let p = plan_of(&technical_text(&body), &loose());
    let s = p
        .placements
        .iter()
        .find(|p| p.kind == T::Section)
        .expect("section");
    assert_eq!(s.source, Source::Mermaid);
    let code = s.mermaid.as_deref().expect("code");
    assert!(code.starts_with("mindmap\n  n0[\"Parts\"]\n"), "{code}");
    assert!(code.contains("[\"Broker\"]") && code.contains("[\"Consumer\"]"));
}

#[test]
fn code_concepts_go_before_code_blocks() {
    let text = technical_text("");
    let p = plan_of(
        &text,
        &PlanOptions {
            max_images: 100,
            ..loose()
        },
    );
    let first = p
        .placements
        .iter()
        .find(|p| p.kind == T::CodeConcept)
        .expect("code concept");
    let fence = text.find("```rust").expect("fence");
    assert!(first.offset <= fence);
    assert!(
        text[first.offset..fence].trim().is_empty(),
        "only blank lines before the code"
    );
}

#[test]
fn definitions_get_a_concept_picture() {
    let text = format!(
        "# T\n\nA lighthouse is a tower that guides ships at night. {}\n\nEnd.\n",
        words(20)
    );
    let p = plan_of(&text, &loose());
    assert!(kinds(&p).contains(&T::Concept));
}

#[test]
fn the_minimum_gap_and_the_maximum_are_kept() {
    let sections: String = (0..30)
        .map(|i| format!("## S{i}\n\n{}\n\n", words(90)))
        .collect();
    let text = format!("# T\n\n{sections}");

    let p = plan_of(&text, &PlanOptions::default());
    assert_eq!(p.placements.len(), 10);
    let gaps: Vec<usize> = p.placements.iter().map(|p| p.offset).collect();
    assert!(gaps.windows(2).all(|w| w[0] < w[1]));

    let p = plan_of(
        &text,
        &PlanOptions {
            min_gap: 4,
            max_images: 100,
            ..PlanOptions::default()
        },
    );
    assert_eq!(
        p.placements.len(),
        15,
        "cover, then every other section from the third"
    );
    let p = plan_of(
        &text,
        &PlanOptions {
            max_images: 3,
            ..PlanOptions::default()
        },
    );
    assert_eq!(p.placements.len(), 3);
    assert!(
        p.placements
            .iter()
            .enumerate()
            .all(|(i, p)| p.index == i as u32)
    );
}

#[test]
fn an_explicit_source_applies_to_every_placement() {
    let text = format!("# T\n\n## S\n\n{}\n", words(100));
    let options = PlanOptions {
        source: SourceRequest::Explicit(Source::Mermaid),
        ..loose()
    };
    let p = plan_of(&text, &options);
    assert!(
        p.placements
            .iter()
            .all(|p| p.source == Source::Mermaid && p.mermaid.is_some())
    );
}

#[test]
fn prompts_are_written_in_the_article_language() {
    let p = plan_of("# 京都之秋\n\n我们在星期二到达京都。\n", &loose());
    assert_eq!(p.language, Language::Zh);
    assert!(p.placements[0].prompt.contains("《京都之秋》"));
    let p = plan_of("# Kyoto\n\nWe arrived on a Tuesday.\n", &loose());
    assert_eq!(p.language, Language::En);
    assert!(p.placements[0].prompt.contains("\"Kyoto\""));
    assert_eq!(p.placements[0].excerpt, "We arrived on a Tuesday.");
}

#[test]
fn classification_tells_prose_from_technical_text() {
    let prose = format!(
        "# Autumn\n\n{}\n",
        "We walked along the river and watched the leaves fall. ".repeat(20)
    );
    let p = plan_of(&prose, &loose());
    assert!(!p.classification.technical);
    assert!(p.classification.confidence > 0.5);
    assert_eq!(p.classification.reasons.len(), 5);

    let p = plan_of(&technical_text(""), &loose());
    assert!(p.classification.technical);
}

#[test]
fn planning_our_own_output_replaces_instead_of_adding() {
    let text = format!(
        "# T\n\n## Walk\n\n{}\n\n## Talk\n\n{}\n",
        words(100),
        words(100)
    );
    let options = PlanOptions {
        min_gap: 0,
        ..PlanOptions::default()
    };
    let first = plan_of(&text, &options);
    let pictures: Vec<Picture> = first
        .placements
        .iter()
        .map(|p| Picture {
            index: p.index,
            url: p.file_name(),
            alt: p.alt.clone(),
            mermaid_code: None,
            credit: None,
        })
        .collect();
    let once = assemble(text.as_bytes(), &first, &pictures).expect("assemble");

    let second = plan_of(&once, &options);
    assert_eq!(kinds(&second), kinds(&first));
    assert!(second.placements.iter().all(|p| p.replaces.is_some()));
    let twice = assemble(once.as_bytes(), &second, &pictures).expect("assemble");
    assert_eq!(twice, once);
}

#[test]
fn credited_stock_photos_are_replaced_whole_on_the_next_run() {
    let text = format!("# T\n\n## Walk\n\n{}\n", words(100));
    let first = plan_of(&text, &PlanOptions::default());
    let pictures: Vec<Picture> = first
        .placements
        .iter()
        .map(|p| Picture {
            index: p.index,
            url: p.file_name(),
            alt: p.alt.clone(),
            mermaid_code: None,
            credit: Some(Credit {
                author: "Jane Doe".into(),
                author_url: "https://unsplash.com/@jane".into(),
                site: "Unsplash".into(),
                site_url: "https://unsplash.com/".into(),
            }),
        })
        .collect();
    let once = assemble(text.as_bytes(), &first, &pictures).expect("assemble");
    assert!(once.contains(
        "\")\n*Photo by [Jane Doe](https://unsplash.com/@jane) on \
         [Unsplash](https://unsplash.com/)*\n"
    ));

    let second = plan_of(&once, &PlanOptions::default());
    assert!(second.placements.iter().all(|p| p.replaces.is_some()));
    let uncredited: Vec<Picture> = pictures
        .into_iter()
        .map(|p| Picture { credit: None, ..p })
        .collect();
    let twice = assemble(once.as_bytes(), &second, &uncredited).expect("assemble");
    assert!(!twice.contains("Photo by"));
    assert_eq!(twice.matches("mi:").count(), first.placements.len());
}

#[test]
fn fenced_mermaid_pictures_are_recognised_on_the_next_run() {
    let text =
        technical_text("1. Install the server\n2. Configure the database\n3. Deploy the API\n");
    let options = PlanOptions {
        mermaid_mode: MermaidMode::Code,
        ..loose()
    };
    let first = plan_of(&text, &options);
    let pictures: Vec<Picture> = first
        .placements
        .iter()
        .map(|p| Picture {
            index: p.index,
            url: p.file_name(),
            alt: p.alt.clone(),
            mermaid_code: p.mermaid.clone(),
            credit: None,
        })
        .collect();
    let once = assemble(text.as_bytes(), &first, &pictures).expect("assemble");
    assert!(once.contains("```mermaid\n%% mi:diagram\nflowchart TD\n"));

    let second = plan_of(&once, &options);
    assert_eq!(kinds(&second), kinds(&first));
    assert_eq!(
        assemble(once.as_bytes(), &second, &pictures).expect("assemble"),
        once
    );
}
