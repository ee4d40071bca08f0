//! Prompts for the picture sources, from templates in the article's language.

use crate::model::{Language, PlacementType};

/// What a prompt is made from.
pub(crate) struct PromptInput<'a> {
    pub kind: PlacementType,
    pub language: Language,
    pub title: &'a str,
    pub heading: Option<&'a str>,
    pub excerpt: &'a str,
}

/// The prompt for one placement. Image models draw text badly, so every template asks for
/// no lettering.
pub(crate) fn prompt(p: &PromptInput<'_>) -> String {
    let title = if p.title.is_empty() {
        p.heading.unwrap_or("")
    } else {
        p.title
    };
    let heading = p.heading.unwrap_or(title);
    let excerpt = p.excerpt;

    match p.language {
        Language::En => match p.kind {
            PlacementType::Cover => format!(
                "Cover illustration for an article titled \"{title}\". {excerpt} \
                 Editorial style, clean composition, no text."
            ),
            PlacementType::Section => format!(
                "Illustration for the section \"{heading}\" of \"{title}\": {excerpt} \
                 Consistent editorial style, no text."
            ),
            PlacementType::Concept => format!(
                "Conceptual illustration explaining \"{heading}\": {excerpt} \
                 Simple metaphor, flat style, no text."
            ),
            PlacementType::Atmospheric => format!(
                "Atmospheric scene evoking this passage: {excerpt} \
                 Soft light, photographic mood, no text."
            ),
            PlacementType::Diagram => {
                format!("Diagram of the steps and parts of \"{heading}\": {excerpt}")
            }
            PlacementType::CodeConcept => format!(
                "Illustration of what this code does in \"{heading}\": {excerpt} \
                 Isometric technical style, no text."
            ),
            PlacementType::Chart => format!("Chart of the table in \"{heading}\": {excerpt}"),
        },
        Language::Zh => match p.kind {
            PlacementType::Cover => format!(
                "为文章《{title}》创作封面插图。{excerpt} 杂志插画风格，构图简洁，画面中不要出现文字。"
            ),
            PlacementType::Section => format!(
                "为文章《{title}》的“{heading}”一节创作插图：{excerpt} 风格统一，画面中不要出现文字。"
            ),
            PlacementType::Concept => {
                format!("用简单的比喻解释“{heading}”这一概念：{excerpt} 扁平插画风格，不要文字。")
            }
            PlacementType::Atmospheric => {
                format!("营造这段文字的氛围：{excerpt} 柔和光线，摄影质感，不要文字。")
            }
            PlacementType::Diagram => format!("“{heading}”的步骤与组成示意图：{excerpt}"),
            PlacementType::CodeConcept => format!(
                "用插图说明“{heading}”中这段代码的作用：{excerpt} 等距技术插画风格，不要文字。"
            ),
            PlacementType::Chart => format!("“{heading}”中表格的图表：{excerpt}"),
        },
    }
}

/// Alt text for a placement: what the picture shows, in the article's language.
pub(crate) fn alt(kind: PlacementType, language: Language, subject: &str) -> String {
    let label = match (language, kind) {
        (Language::En, PlacementType::Cover) => "Cover",
        (Language::En, PlacementType::Section) => "Illustration",
        (Language::En, PlacementType::Concept) => "Concept",
        (Language::En, PlacementType::Atmospheric) => "Scene",
        (Language::En, PlacementType::Diagram) => "Diagram",
        (Language::En, PlacementType::CodeConcept) => "Code concept",
        (Language::En, PlacementType::Chart) => "Chart",
        (Language::Zh, PlacementType::Cover) => "封面",
        (Language::Zh, PlacementType::Section) => "插图",
        (Language::Zh, PlacementType::Concept) => "概念图",
        (Language::Zh, PlacementType::Atmospheric) => "氛围图",
        (Language::Zh, PlacementType::Diagram) => "示意图",
        (Language::Zh, PlacementType::CodeConcept) => "代码示意",
        (Language::Zh, PlacementType::Chart) => "图表",
    };
    let sep = if language == Language::Zh {
        "："
    } else {
        ": "
    };

    if subject.is_empty() {
        label.to_string()
    } else {
        format!("{label}{sep}{subject}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompts_follow_the_language() {
        let mut p = PromptInput {
            kind: PlacementType::Cover,
            language: Language::Zh,
            title: "京都之秋",
            heading: None,
            excerpt: "红叶。",
        };
        assert!(prompt(&p).starts_with("为文章《京都之秋》创作封面插图"));
        p.language = Language::En;
        assert!(prompt(&p).starts_with("Cover illustration for an article titled \"京都之秋\""));
        assert_eq!(
            alt(PlacementType::Chart, Language::Zh, "价格"),
            "图表：价格"
        );
        assert_eq!(alt(PlacementType::Cover, Language::En, ""), "Cover");
    }
}
