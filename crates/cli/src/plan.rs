//! `mi plan`: the local dry run. Plans an article's pictures without a server and prints
//! the plan, its JSON, or the article with the planned pictures' file names spliced in.

use std::path::PathBuf;

use anyhow::Context;
use illustrator_analysis::{
    AnalysisError, MermaidMode, Picture, Plan, PlanOptions, Source, SourceRequest, line_number,
};

#[derive(clap::Args)]
pub struct PlanArgs {
    /// The Markdown article to plan.
    pub file: PathBuf,
    /// Print the plan as JSON.
    #[arg(long, conflicts_with = "markdown")]
    pub json: bool,
    /// Print the article with the planned pictures inserted, pointing at their file names.
    #[arg(long)]
    pub markdown: bool,
    /// One source for every picture (mermaid, chart, card, unsplash, pexels, doubao, flux,
    /// zhipu, dalle), or `auto`.
    #[arg(long, default_value = "auto", value_parser = parse_source)]
    pub source: SourceRequest,
    /// Online sources to treat as configured, comma-separated (default: none).
    #[arg(long, value_delimiter = ',', value_parser = parse_online)]
    pub available: Vec<Source>,
    /// With --markdown, insert Mermaid diagrams as fenced code instead of links.
    #[arg(long)]
    pub mermaid_code: bool,
}

fn parse_source(name: &str) -> Result<SourceRequest, String> {
    if name == "auto" {
        return Ok(SourceRequest::Auto);
    }
    Source::parse(name)
        .map(SourceRequest::Explicit)
        .ok_or_else(|| format!("unknown source {name}"))
}

fn parse_online(name: &str) -> Result<Source, String> {
    Source::parse(name).ok_or_else(|| format!("unknown source {name}"))
}

pub fn run(args: PlanArgs) -> anyhow::Result<()> {
    let input =
        std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;

    let mermaid_mode = if args.mermaid_code {
        MermaidMode::Code
    } else {
        MermaidMode::Image
    };
    let options = PlanOptions {
        source: args.source,
        available: args.available.clone(),
        mermaid_mode,
        ..PlanOptions::default()
    };
    let plan = illustrator_analysis::plan(&input, &options).map_err(|e| not_readable(&args, e))?;

    if args.json {
        println!("{}", serde_json::to_string_pretty(&plan)?);
    } else if args.markdown {
        let pictures = planned_pictures(&plan, mermaid_mode);
        let text = illustrator_analysis::assemble(&input, &plan, &pictures)
            .map_err(|e| not_readable(&args, e))?;
        print!("{text}");
    } else {
        print!("{}", summary(&input, &plan));
    }

    Ok(())
}

fn not_readable(args: &PlanArgs, e: AnalysisError) -> anyhow::Error {
    anyhow::Error::new(e).context(format!("planning {}", args.file.display()))
}

/// One picture per placement, pointing at the file it would be stored under.
fn planned_pictures(plan: &Plan, mode: MermaidMode) -> Vec<Picture> {
    plan.placements
        .iter()
        .map(|p| Picture {
            index: p.index,
            url: p.file_name(),
            alt: p.alt.clone(),
            mermaid_code: p.mermaid.clone().filter(|_| mode == MermaidMode::Code),
            credit: None,
        })
        .collect()
}

/// The readable summary: classification, then one paragraph per placement.
fn summary(input: &[u8], plan: &Plan) -> String {
    let c = &plan.classification;
    let kind = if c.technical { "technical" } else { "normal" };
    let mut out = format!(
        "title: {}\nlanguage: {:?}\nclassification: {kind} (score {:.2}, confidence {:.2})\n",
        plan.title.as_deref().unwrap_or("(none)"),
        plan.language,
        c.score,
        c.confidence,
    );
    for reason in &c.reasons {
        out.push_str(&format!("  - {reason}\n"));
    }

    out.push_str(&format!("placements: {}\n", plan.placements.len()));
    for p in &plan.placements {
        let fallbacks: Vec<&str> = p.fallbacks.iter().map(|s| s.as_str()).collect();
        out.push_str(&format!(
            "\n#{} {} via {} (then {}) at line {}{}\n  heading: {}\n  prompt: {}\n",
            p.index,
            p.kind.as_str(),
            p.source.as_str(),
            if fallbacks.is_empty() {
                "nothing".to_string()
            } else {
                fallbacks.join(", ")
            },
            line_number(input, p.offset),
            if p.replaces.is_some() {
                ", replacing an earlier picture"
            } else {
                ""
            },
            p.heading.as_deref().unwrap_or("-"),
            p.prompt,
        ));
    }

    out
}
