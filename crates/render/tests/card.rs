//! Typographic cards: sizes, wrapping, escaping and palettes.

mod common;

use illustrator_analysis::PlacementType;
use illustrator_render::{CardSpec, RenderError, missing_glyphs, render_card};

fn card(title: &str, subtitle: &str, kind: PlacementType) -> illustrator_render::Rendered {
    let spec = CardSpec {
        title,
        subtitle,
        kind,
        seed: "An article",
    };
    let picture = render_card(&spec).expect("a card");
    common::check(&picture);
    picture
}

fn title_lines(svg: &str) -> usize {
    svg.matches(r#"font-weight="700""#).count()
}

#[test]
fn covers_and_sections_have_their_sizes() {
    let cover = card("A title", "A subtitle", PlacementType::Cover);
    let section = card("A heading", "An excerpt", PlacementType::Section);

    assert_eq!((cover.width, cover.height), (1200, 630));
    assert_eq!((section.width, section.height), (1200, 400));
}

#[test]
fn long_english_titles_wrap_between_words() {
    let title = "Designing an event sourced service with JetStream, Postgres read models and stateless workers that scale";
    let picture = card(title, "", PlacementType::Cover);
    let svg = common::svg_text(&picture);

    assert!(
        (2..=3).contains(&title_lines(svg)),
        "{} lines",
        title_lines(svg)
    );
    assert!(
        svg.contains(">Designing "),
        "lines start at word boundaries"
    );
    for word in ["JetStream,", "Postgres", "stateless"] {
        assert!(svg.contains(word), "{word} is kept whole");
    }
}

#[test]
fn long_chinese_titles_wrap_per_character() {
    let title = "用事件溯源构建可扩展的服务：聚合、投影、工作队列与推送的完整设计实践和经验总结";
    let picture = card(title, "每一次变更都是事实。", PlacementType::Cover);
    common::check_glyphs(&picture);
    let svg = common::svg_text(&picture);

    assert!(title_lines(svg) >= 2);
    assert!(
        !svg.contains(">，") && !svg.contains(">、"),
        "no line starts with closing punctuation"
    );
}

#[test]
fn titles_too_long_for_the_card_end_with_an_ellipsis() {
    let title = "word ".repeat(80);
    let picture = card(&title, "", PlacementType::Section);
    let svg = common::svg_text(&picture);

    assert_eq!(title_lines(svg), 2);
    assert!(svg.contains('…'));
}

#[test]
fn text_is_xml_escaped() {
    let picture = card(
        "Tom & Jerry's <script>",
        "\"quotes\" & control\u{1}chars",
        PlacementType::Section,
    );
    let svg = common::svg_text(&picture);

    assert!(svg.contains("Tom &amp; Jerry&apos;s &lt;script&gt;"));
    assert!(!svg.contains('\u{1}'));
}

#[test]
fn font_families_include_cjk_faces() {
    let svg = card("标题", "", PlacementType::Cover);

    assert!(common::svg_text(&svg).contains("Noto Sans CJK SC"));
}

#[test]
fn the_palette_follows_the_seed() {
    let spec = |seed| CardSpec {
        title: "Same title",
        subtitle: "",
        kind: PlacementType::Cover,
        seed,
    };
    let first = render_card(&spec("Seed one")).expect("a card");
    let again = render_card(&spec("Seed one")).expect("a card");
    let seeds =
        ["a", "b", "c", "d", "e", "f"].map(|s| render_card(&spec(s)).expect("a card").bytes);

    assert_eq!(first, again);
    assert!(
        seeds.iter().any(|bytes| *bytes != seeds[0]),
        "seeds change the colours"
    );
}

#[test]
fn an_empty_title_uses_the_subtitle_and_nothing_at_all_is_an_error() {
    card("", "Only an excerpt", PlacementType::Concept);
    let nothing = CardSpec {
        title: " ",
        subtitle: "\n",
        kind: PlacementType::Section,
        seed: "",
    };

    assert!(matches!(
        render_card(&nothing),
        Err(RenderError::MissingInput { .. })
    ));
}

#[test]
fn characters_no_font_has_are_reported() {
    let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="100" height="40"><text x="4" y="30" font-size="20">&#xE000;</text></svg>"#;

    let plain = svg.replace("&#xE000;", "plain");

    assert_eq!(
        missing_glyphs(svg.as_bytes()).expect("parses"),
        vec!['\u{E000}']
    );
    assert_eq!(
        missing_glyphs(plain.as_bytes()).expect("parses"),
        Vec::<char>::new()
    );
}
