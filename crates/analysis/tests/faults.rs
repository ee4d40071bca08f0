//! Hand-written articles for every kind of fault in splicing Markdown: each is planned,
//! assembled at every boundary and checked against both invariants, and the sharpest
//! ones against exact bytes.

mod common;

use common::{check, check_planned, fake_pictures, placement_at, plan_at_every_boundary};
use illustrator_analysis::{Picture, PlanOptions, assemble, boundaries, plan};

/// One article per fault kind.
const ARTICLES: &[(&str, &str)] = &[
    (
        "yaml front matter",
        "---\ntitle: Trip\n---\n\n# Kyoto\n\nText.\n",
    ),
    (
        "toml front matter",
        "+++\ntitle = \"Trip\"\n+++\n# Kyoto\nText.\n",
    ),
    (
        "rule that is not front matter",
        "---\n\ntitle: no\n---\n\n# H\n\nText\n",
    ),
    ("setext after a rule", "---\nSetext\n---\nPara\n"),
    ("bom", "\u{feff}# Title\n\nText.\n"),
    (
        "bom and front matter",
        "\u{feff}---\ntitle: T\n---\n# Title\n\nText\n",
    ),
    (
        "indented code",
        "# T\n\nPara.\n\n    ## not a heading\n    make\n\n## Real\n\nx\n",
    ),
    ("fenced code ending the file", "# T\n\n```sh\necho hi\n```"),
    (
        "unclosed fence",
        "# T\n\n```sh\necho hi\n## not a heading\n",
    ),
    (
        "long fence with inner fences",
        "# T\n\n````md\n```\n# no\n```\n````\n\n## S\n\nx\n",
    ),
    (
        "crlf",
        "# Title\r\n\r\nIntro.\r\n\r\n```sh\r\necho\r\n```\r\n",
    ),
    (
        "crlf without final newline",
        "# Title\r\n\r\nIntro.\r\n\r\n## Two\r\n\r\nEnd.",
    ),
    ("lone cr", "# Title\r\rIntro.\r\r## Two\r\rEnd.\r"),
    ("missing final newline", "# Title\n\nLast paragraph"),
    ("heading at the very end", "Intro\n\n# Title"),
    (
        "table",
        "## P\n\n| a | b |\n|---|--:|\n| x | 1 |\n| y | 2 |\n\nAfter.\n",
    ),
    ("table ending the file", "| a | b |\n|---|---|\n| x | 1 |"),
    (
        "html block",
        "## D\n\n<div align=\"center\">\n  <b>F</b>\n</div>\n\nText.\n",
    ),
    (
        "html comment open at end",
        "# T\n\n<!-- draft\nstill a comment\n",
    ),
    ("pre open at end", "# T\n\n<pre>\ncode\n"),
    (
        "link reference definitions",
        "# T\n\nSee [a] and [b].\n[a]: /a\n\n[b]: /b\n  \"Title\"\n## Next\n\n[c]: /c\n",
    ),
    ("definitions before everything", "[a]: /a\n# T\n\n[a]\n"),
    (
        "definitions opening a paragraph",
        "[a]: /a \"t\"\n<img src=x>\n\n[b]: /b\n<span>\n",
    ),
    (
        "setext headings",
        "Title\n=====\n\nIntro text\nover two lines\n-------------\n\nBody.\n",
    ),
    (
        "list with a long paragraph",
        "# L\n\n1. one\n\n2. two\n\n   more of two\n3. three\n\nAfter.\n",
    ),
    (
        "block quote with lazy line",
        "> quoted\nlazy continuation\n\n> second\n>\n> third\n",
    ),
    (
        "nested containers",
        "- a\n  > b\n  > - c\n  >   ```\n  >   code\n- d\n",
    ),
    (
        "footnotes",
        "Text[^1] more.\n\n[^1]: The note\n    continued.\n\nAfter.\n",
    ),
    (
        "cjk and emoji",
        "# 京都之秋 👩‍👩‍👧\n\n我们在星期二到达。🇯🇵 红叶很美。\n\n## 第二节 🎉\n\n文字。\n",
    ),
    ("thematic breaks", "# T\n\n***\n- - -\n\n___\n"),
    ("empty", ""),
    ("only blank lines", "\n\n  \n"),
    ("only front matter", "---\ntitle: T\n---\n"),
    ("tabs", "#\tT\n\n\tcode\n\n-\titem\n"),
    (
        "html then paragraph",
        "<div>\n*emphasis*\n</div>\nnot html\n\npara\n",
    ),
    (
        "mermaid fence of the author",
        "# T\n\n## S\n\n```mermaid\nflowchart TD\n  a-->b\n```\n\ntext\n",
    ),
];

#[test]
fn every_fault_kind_keeps_the_invariants() {
    for (name, text) in ARTICLES {
        let input = text.as_bytes();
        check_planned(name, input, &PlanOptions::default(), false);
        check_planned(name, input, &common::stress_options(), true);
        let plan = plan_at_every_boundary(input);
        check(name, input, &plan, &fake_pictures(&plan, true));
        check(name, input, &plan, &fake_pictures(&plan, false));
    }
}

fn one_picture_at(input: &str, offset: usize) -> String {
    let mut plan = plan(input.as_bytes(), &PlanOptions::default()).expect("plan");
    plan.placements = vec![placement_at(0, offset)];
    let pictures = vec![Picture {
        index: 0,
        url: "u.png".into(),
        alt: "A".into(),
        mermaid_code: None,
        credit: None,
    }];
    assemble(input.as_bytes(), &plan, &pictures).expect("assemble")
}

#[test]
fn the_bom_stays_first_and_front_matter_stays_front_matter() {
    let input = "\u{feff}---\ntitle: T\n---\n# Title\n\nText\n";
    let plan = plan(input.as_bytes(), &PlanOptions::default()).expect("plan");
    assert_eq!(plan.title.as_deref(), Some("Title"));
    let cover = &plan.placements[0];
    assert_eq!(cover.offset, input.find("\n\nText").expect("text") + 1);

    let b = boundaries(input.as_bytes()).expect("boundaries");
    assert!(
        b.iter()
            .all(|b| b.offset >= input.find("# Title").expect("h1"))
    );
}

#[test]
fn appending_to_a_file_without_final_newline_keeps_it_without() {
    let input = "# Title\n\nLast paragraph";
    let out = one_picture_at(input, input.len());
    assert_eq!(
        out,
        "# Title\n\nLast paragraph\n\n![A](u.png \"mi:section\")"
    );

    let input = "# Title\r\n\r\nLast";
    let out = one_picture_at(input, input.len());
    assert_eq!(out, "# Title\r\n\r\nLast\r\n\r\n![A](u.png \"mi:section\")");
}

#[test]
fn a_picture_never_joins_a_table_or_an_html_block() {
    let input = "| a |\n|---|\n| 1 |\n<div>\nx\n</div>\nz\n";
    for b in boundaries(input.as_bytes()).expect("boundaries") {
        let out = one_picture_at(input, b.offset);
        let line = "![A](u.png \"mi:section\")\n";
        let blank_before = out.starts_with(line) || out.contains(&format!("\n\n{line}"));
        let blank_after = out.ends_with(line) || out.contains(&format!("{line}\n"));
        assert!(blank_before && blank_after, "{out:?}");
    }
}

#[test]
fn no_picture_goes_after_a_block_that_runs_to_the_end() {
    for input in [
        "# T\n\n```\nopen",
        "# T\n\n<!--\nopen\n",
        "# T\n\n<pre>\nx\n",
    ] {
        let b = boundaries(input.as_bytes()).expect("boundaries");
        assert!(b.iter().all(|b| b.offset < input.len()), "{input:?}");
    }
}

#[test]
fn cjk_and_emoji_offsets_are_char_boundaries() {
    let input = "# 京都👩‍👩‍👧\n京都的秋天🍁很美\n## 二\n文字";
    for b in boundaries(input.as_bytes()).expect("boundaries") {
        assert!(input.is_char_boundary(b.offset));
        let out = one_picture_at(input, b.offset);
        assert!(out.contains("![A](u.png \"mi:section\")"));
    }
}

#[test]
fn a_plan_for_other_bytes_is_refused() {
    let input = "# 京都\n\nText\n";
    let mut plan = plan(input.as_bytes(), &PlanOptions::default()).expect("plan");
    plan.placements = vec![placement_at(0, 3)];
    let pictures = vec![Picture {
        index: 0,
        url: "u".into(),
        alt: "a".into(),
        mermaid_code: None,
        credit: None,
    }];
    assert!(assemble(input.as_bytes(), &plan, &pictures).is_err());

    let pictures = vec![Picture {
        index: 7,
        url: "u".into(),
        alt: "a".into(),
        mermaid_code: None,
        credit: None,
    }];
    assert!(assemble(input.as_bytes(), &plan, &pictures).is_err());
}
