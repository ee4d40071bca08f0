//! `render_offline`: one placement drawn by each offline source, as the workers call it.

mod common;

use illustrator_analysis::{Placement, PlacementType, Source, TableData};
use illustrator_render::{RenderError, render_offline};

fn placement(kind: PlacementType, source: Source) -> Placement {
    Placement {
        index: 0,
        kind,
        source,
        fallbacks: vec![Source::Card],
        offset: 0,
        heading: Some("Architecture".to_string()),
        excerpt: "Commands become events; events become read models.".to_string(),
        prompt: String::new(),
        alt: "architecture picture".to_string(),
        mermaid: None,
        table: None,
        replaces: None,
    }
}

#[test]
fn a_diagram_placement_renders_its_mermaid_code() {
    let mut diagram = placement(PlacementType::Diagram, Source::Mermaid);
    diagram.mermaid = Some("flowchart LR\n  API --> Queue --> Worker\n".to_string());

    let picture = render_offline(Source::Mermaid, &diagram, Some("Event sourcing")).expect("drawn");
    common::check(&picture);
}

#[test]
fn a_chart_placement_is_titled_with_its_heading() {
    let mut chart = placement(PlacementType::Chart, Source::Chart);
    chart.table = Some(TableData {
        headers: vec!["Year".into(), "Users".into()],
        rows: vec![
            vec!["2023".into(), "1,200".into()],
            vec!["2024".into(), "3,400".into()],
        ],
    });

    let picture = render_offline(Source::Chart, &chart, None).expect("drawn");
    common::check(&picture);

    assert!(common::svg_text(&picture).contains(">Architecture</text>"));
}

#[test]
fn a_cover_card_shows_the_article_title() {
    let cover = placement(PlacementType::Cover, Source::Card);

    let picture = render_offline(Source::Card, &cover, Some("Event sourcing")).expect("drawn");
    common::check(&picture);

    assert_eq!((picture.width, picture.height), (1200, 630));
    assert!(common::svg_text(&picture).contains("Event sourcing"));
}

#[test]
fn a_section_card_shows_its_heading_over_the_article_title() {
    let section = placement(PlacementType::Section, Source::Card);

    let picture = render_offline(Source::Card, &section, Some("Event sourcing")).expect("drawn");
    let svg = common::svg_text(&picture);

    assert!(svg.contains(">Architecture</text>") && svg.contains(">Event sourcing</text>"));
}

#[test]
fn missing_inputs_and_online_sources_are_errors() {
    let diagram = placement(PlacementType::Diagram, Source::Mermaid);

    assert!(matches!(
        render_offline(Source::Mermaid, &diagram, None),
        Err(RenderError::MissingInput {
            what: "mermaid",
            ..
        })
    ));
    assert!(matches!(
        render_offline(Source::Chart, &diagram, None),
        Err(RenderError::MissingInput { what: "chart", .. })
    ));
    assert_eq!(
        render_offline(Source::Dalle, &diagram, None),
        Err(RenderError::NotOffline("dalle"))
    );
}
