//! Technical or not: a documented score over code, vocabulary and structure.

use crate::model::Classification;
use crate::parse::Stats;

/// The score at and above which an article is technical.
pub const THRESHOLD: f64 = 3.0;

/// Scores an article. The score is the sum of four capped parts:
///
/// - code: 0.6 per code block, at most 4.0 (code is the strongest sign);
/// - vocabulary: technical terms per 100 units of text (words, or CJK characters) times
///   0.5, at most 3.0;
/// - process: process terms per 100 units times 0.3, at most 1.0;
/// - structure: 0.1 per inline code span (at most 1.0) plus 0.3 per ordered list or
///   table (at most 1.0).
///
/// An article is technical when the score reaches [`THRESHOLD`]; the confidence is the
/// distance from the threshold over the threshold, capped at 1.0.
pub(crate) fn classify(stats: &Stats) -> Classification {
    let units = stats.measure.units().max(100) as f64;

    let code = (stats.code_blocks as f64 * 0.6).min(4.0);
    let tech_density = stats.terms.tech as f64 * 100.0 / units;
    let vocabulary = (tech_density * 0.5).min(3.0);
    let process_density = stats.terms.process as f64 * 100.0 / units;
    let process = (process_density * 0.3).min(1.0);
    let inline = (stats.inline_code as f64 * 0.1).min(1.0);
    let shapes = ((stats.ordered_lists + stats.tables) as f64 * 0.3).min(1.0);

    let score = round2(code + vocabulary + process + inline + shapes);
    let reasons = vec![
        format!("{} code blocks: +{:.2}", stats.code_blocks, code),
        format!("{tech_density:.1} technical terms per 100 words: +{vocabulary:.2}"),
        format!("{process_density:.1} process terms per 100 words: +{process:.2}"),
        format!("{} inline code spans: +{inline:.2}", stats.inline_code),
        format!(
            "{} ordered lists and tables: +{shapes:.2}",
            stats.ordered_lists + stats.tables
        ),
    ];

    Classification {
        technical: score >= THRESHOLD,
        score,
        confidence: round2(((score - THRESHOLD).abs() / THRESHOLD).min(1.0)),
        reasons,
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
