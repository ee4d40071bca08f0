//! Mermaid diagrams: every kind the product emits renders to valid, non-blank SVG.

mod common;

use illustrator_render::{RenderError, render_mermaid, validate_mermaid};

fn renders(code: &str) -> illustrator_render::Rendered {
    let picture = render_mermaid(code).unwrap_or_else(|err| panic!("{err}\n{code}"));
    common::check(&picture);
    common::check_glyphs(&picture);
    picture
}

#[test]
fn flowchart_renders() {
    let svg = renders(
        "flowchart LR\n  A[Client] --> B(API)\n  B --> C{Valid?}\n  C -->|yes| D[(Store)]\n  C -->|no| E[Reject]\n",
    );

    assert!(common::svg_text(&svg).contains("Client"));
}

#[test]
fn sequence_diagram_renders() {
    renders(
        "sequenceDiagram\n  participant U as User\n  participant S as Server\n  U->>S: request\n  S-->>U: response\n  Note over U,S: over HTTP\n",
    );
}

#[test]
fn class_diagram_renders() {
    renders(
        "classDiagram\n  class Document {\n    +Uuid id\n    +submit()\n  }\n  Document <|-- Article\n  Document \"1\" --> \"*\" Image : has\n",
    );
}

#[test]
fn state_diagram_renders() {
    renders(
        "stateDiagram-v2\n  [*] --> Accepted\n  Accepted --> Generating\n  Generating --> Completed\n  Generating --> Failed\n  Completed --> [*]\n",
    );
}

#[test]
fn er_diagram_renders() {
    renders(
        "erDiagram\n  USER ||--o{ DOCUMENT : submits\n  DOCUMENT ||--|{ IMAGE : contains\n  USER {\n    uuid id\n    string email\n  }\n",
    );
}

#[test]
fn mindmap_renders() {
    renders(
        "mindmap\n  root((Illustrator))\n    Sources\n      Mermaid\n      Chart\n      Card\n    Services\n      API\n      Worker\n",
    );
}

#[test]
fn chinese_labels_render_as_glyphs() {
    let svg = renders(
        "flowchart TD\n  A[\"提交文章\"] --> B{\"是否技术文档？\"}\n  B -->|是| C[\"生成流程图\"]\n  B -->|否| D[\"生成卡片\"]\n",
    );
    let text = common::svg_text(&svg);

    assert!(text.contains("提交文章") && text.contains("生成卡片"));
    assert!(
        text.contains("Noto Sans CJK SC"),
        "the SVG names a CJK font"
    );
}

#[test]
fn quotes_brackets_and_the_word_end_in_quoted_labels() {
    let svg = renders(concat!(
        "flowchart TD\n",
        "  A[\"the end\"] --> B[\"array[0] (first)\"]\n",
        "  B --> C[\"say #quot;hi#quot; & <wave>\"]\n",
        "  C --> D[\"end\"]\n",
        "  D --> E[\"「引号」与（括号）\"]\n",
    ));
    let text = common::svg_text(&svg);

    assert!(text.contains("array[0] (first)"));
    assert!(
        text.contains("&amp;") && text.contains("&lt;wave&gt;"),
        "markup is escaped"
    );
    assert!(text.contains("「引号」与（括号）"));
}

#[test]
fn subgraphs_render() {
    renders(
        "flowchart LR\n  subgraph api [API]\n    A --> B\n  end\n  subgraph workers [Workers]\n    C --> D\n  end\n  B --> C\n",
    );
}

#[test]
fn broken_code_is_an_error_not_a_picture() {
    for code in [
        "flowchart TD\n  A[unclosed --> B\n",
        "notADiagram\n  A --> B\n",
        "flowchart TD\n  A --> \n",
        "graph LR\n  A[\"unterminated] --> B\n",
    ] {
        let result = validate_mermaid(code);

        assert!(
            matches!(result, Err(RenderError::BadMermaid(_))),
            "{code:?} gave {result:?}"
        );
        assert!(render_mermaid(code).is_err());
    }
}

#[test]
fn empty_code_is_an_error() {
    assert_eq!(render_mermaid("   \n\n"), Err(RenderError::EmptyMermaid));
}

#[test]
fn valid_code_validates() {
    assert_eq!(validate_mermaid("flowchart TD\n  A --> B\n"), Ok(()));
}

#[test]
fn the_same_code_gives_the_same_bytes() {
    let code = "flowchart TD\n  A[开始] --> B[结束]\n";

    assert_eq!(render_mermaid(code), render_mermaid(code));
}
