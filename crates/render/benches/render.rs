//! Timings of the offline sources on corpus-sized inputs.
//!
//! Run with `cargo bench -p illustrator-render --bench render`. Before criterion's own
//! figures it prints p50 and p95 of drawing every Mermaid diagram the planner makes for the
//! corpus articles in `../shared/corpus` (when that folder is there), and of a chart and a
//! card, beside their budgets (10 ms, and 2 ms).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use illustrator_analysis::{PlacementType, PlanOptions, Source, TableData, plan};
use illustrator_render::{CardSpec, render_card, render_chart, render_mermaid};

/// A 12-node flowchart, the size the planner emits for a technical section.
const FLOWCHART_EN: &str = "flowchart TD
    A[Submit article] --> B{Has title?}
    B -->|yes| C[Plan cover]
    B -->|no| D[Skip cover]
    C --> E[Read sections]
    D --> E
    E --> F[Technical: diagram]
    E --> G[Numeric table: chart]
    E --> H[Other: photo or card]
    F --> I[Queue jobs]
    G --> I
    H --> I
    I --> J[Render pictures]
    J --> K[Store images]
    K --> L[Assemble article]
";

const FLOWCHART_ZH: &str = "flowchart TD
    A[提交文章] --> B{是否有标题}
    B -->|是| C[规划封面]
    B -->|否| D[跳过封面]
    C --> E[读取章节]
    D --> E
    E --> F[技术章节：流程图]
    E --> G[数字表格：图表]
    E --> H[其他章节：配图]
    F --> I[排队任务]
    G --> I
    H --> I
    I --> J[渲染图片]
    J --> K[保存图片]
    K --> L[组装文章]
";

/// A chain of the same size: no merges, so the router has little to search.
const CHAIN: &str = "flowchart LR
    A[Parse] --> B[Classify] --> C[Plan] --> D[Queue] --> E[Render] --> F[Store]
    F --> G[Project] --> H[Push] --> I[Assemble] --> J[Deliver] --> K[Bill] --> L[Audit]
";

const SEQUENCE: &str = "sequenceDiagram
    participant W as Writer
    participant A as API
    participant Q as Queue
    participant G as Generator
    W->>A: submit
    A->>Q: jobs
    A-->>W: accepted
    Q->>G: deliver
    G-->>A: generated
    A-->>W: progress
";

fn table() -> TableData {
    let rows = [
        ["2024 Q1", "1,200", "900"],
        ["2024 Q2", "1,500", "1,000"],
        ["2024 Q3", "1,400", "1,100"],
        ["2024 Q4", "2,100", "1,300"],
        ["2025 Q1", "2,600", "1,400"],
    ];
    TableData {
        headers: vec!["Quarter".into(), "Revenue".into(), "Costs".into()],
        rows: rows
            .iter()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect(),
    }
}

/// The Mermaid code of every diagram the planner makes for the corpus.
fn corpus_diagrams() -> Vec<String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        println!(
            "corpus not found at {}: corpus diagrams not timed",
            dir.display()
        );
        return Vec::new();
    };

    let mut codes = Vec::new();
    for entry in entries.flatten() {
        let Ok(bytes) = std::fs::read(entry.path()) else {
            continue;
        };
        let Ok(planned) = plan(&bytes, &PlanOptions::default()) else {
            continue;
        };
        codes.extend(
            planned
                .placements
                .into_iter()
                .filter(|p| p.source == Source::Mermaid)
                .filter_map(|p| p.mermaid),
        );
    }
    codes
}

fn percentiles(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.95))
}

fn time(name: &str, budget: Duration, runs: usize, mut draw: impl FnMut(usize)) {
    let samples: Vec<Duration> = (0..runs)
        .map(|n| {
            let started = Instant::now();
            draw(n);
            started.elapsed()
        })
        .collect();
    let (p50, p95) = percentiles(samples);
    let met = if p95 < budget { "met" } else { "NOT met" };
    println!("{name:<32} p50 {p50:>10.2?}  p95 {p95:>10.2?}  budget {budget:?} at p95: {met}");
}

fn print_percentiles() {
    let diagrams = corpus_diagrams();
    if !diagrams.is_empty() {
        println!("corpus diagrams: {}", diagrams.len());
        let runs = diagrams.len() * 20;
        time(
            "mermaid, corpus diagrams",
            Duration::from_millis(10),
            runs,
            |n| {
                let _ = render_mermaid(&diagrams[n % diagrams.len()]);
            },
        );
    }
    time(
        "mermaid, 12-node flowchart (zh)",
        Duration::from_millis(10),
        200,
        |_| {
            let _ = render_mermaid(FLOWCHART_ZH);
        },
    );
    let data = table();
    time(
        "chart, 5 rows x 2 series",
        Duration::from_millis(2),
        500,
        |_| {
            let _ = render_chart(&data, "Quarterly revenue");
        },
    );
    let cover = CardSpec {
        title: "用事件溯源构建可扩展的 SaaS 服务：从命令到投影的完整实践",
        subtitle: "每一次变更都是事实，读模型可以随时从事件流重建。",
        kind: PlacementType::Cover,
        seed: "事件溯源",
    };
    time("card, Chinese cover", Duration::from_millis(2), 500, |_| {
        let _ = render_card(&cover);
    });
}

fn bench(c: &mut Criterion) {
    print_percentiles();

    let mut group = c.benchmark_group("mermaid");
    group.sample_size(30);
    for (name, code) in [
        ("flowchart_12_en", FLOWCHART_EN),
        ("flowchart_12_zh", FLOWCHART_ZH),
        ("chain_12", CHAIN),
        ("sequence_4", SEQUENCE),
    ] {
        group.bench_function(name, |b| b.iter(|| render_mermaid(code)));
    }
    group.finish();

    let data = table();
    c.bench_function("chart/line_5x2", |b| {
        b.iter(|| render_chart(&data, "Quarterly revenue"))
    });

    let cover = CardSpec {
        title: "用事件溯源构建可扩展的 SaaS 服务：从命令到投影的完整实践",
        subtitle: "每一次变更都是事实，读模型可以随时从事件流重建。",
        kind: PlacementType::Cover,
        seed: "事件溯源",
    };
    c.bench_function("card/cover_zh", |b| b.iter(|| render_card(&cover)));
}

criterion_group!(benches, bench);
criterion_main!(benches);
