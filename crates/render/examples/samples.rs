//! Renders one sample of each offline picture kind to `docs/samples/` as SVG and PNG.
//!
//! Run with `cargo run -p illustrator-render --example samples`.

use std::path::PathBuf;

use illustrator_analysis::{PlacementType, TableData};
use illustrator_render::{CardSpec, Rendered, render_card, render_chart, render_mermaid, to_png};

const FLOWCHART_ZH: &str = r#"flowchart TD
    A["用户提交 Markdown 文章"] --> B{"是否包含标题？"}
    B -->|是| C["生成封面（AI 或卡片）"]
    B -->|否| D["跳过封面"]
    C --> E["分析章节结构"]
    D --> E
    E --> F["技术章节 → Mermaid 图"]
    E --> G["数字表格 → 图表"]
    E --> H["其他章节 → 配图"]
    F --> I["写回文章"]
    G --> I
    H --> I
"#;

const SEQUENCE: &str = r#"sequenceDiagram
    participant W as Writer
    participant A as API
    participant Q as Job queue
    participant G as Generator
    W->>A: POST /v1/documents
    A->>Q: ImageRequested x3
    A-->>W: 202 Accepted + events URL
    Q->>G: deliver job
    G->>G: render diagram
    G-->>A: ImageGenerated
    A-->>W: SSE image.generated
"#;

fn table(headers: &[&str], rows: &[&[&str]]) -> TableData {
    TableData {
        headers: headers.iter().map(|h| h.to_string()).collect(),
        rows: rows
            .iter()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect(),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/samples");
    std::fs::create_dir_all(&out)?;

    let bars = table(
        &["数据库", "写入 (ops/s)", "读取 (ops/s)", "备注"],
        &[
            &["PostgreSQL", "12,400", "48,900", "默认配置"],
            &["SQLite", "3,100", "61,200", "WAL 模式"],
            &["MySQL", "10,800", "39,500", "InnoDB"],
            &["Redis", "88,000", "110,000", "内存"],
        ],
    );
    let line = table(
        &["Quarter", "Revenue", "Costs"],
        &[
            &["2024 Q1", "$1.2M", "$0.9M"],
            &["2024 Q2", "$1.5M", "$1.0M"],
            &["2024 Q3", "$1.4M", "$1.1M"],
            &["2024 Q4", "$2.1M", "$1.3M"],
            &["2025 Q1", "$2.6M", "$1.4M"],
        ],
    );

    let samples: Vec<(&str, Rendered)> = vec![
        ("flowchart-zh", render_mermaid(FLOWCHART_ZH)?),
        ("sequence", render_mermaid(SEQUENCE)?),
        ("chart-bars", render_chart(&bars, "数据库吞吐量对比")?),
        (
            "chart-line",
            render_chart(&line, "Quarterly revenue and costs")?,
        ),
        (
            "cover-en",
            render_card(&CardSpec {
                title: "Event Sourcing on JetStream: Building a Service That Never Forgets",
                subtitle: "How commands, events and projections fit together, and what it takes to rebuild every read model from the stream.",
                kind: PlacementType::Cover,
                seed: "Event Sourcing on JetStream",
            })?,
        ),
        (
            "cover-zh",
            render_card(&CardSpec {
                title: "用事件溯源构建可扩展的 SaaS 服务：从命令到投影的完整实践",
                subtitle: "每一次变更都是事实，读模型可以随时从事件流重建。本文介绍聚合、工作队列与推送服务的设计。",
                kind: PlacementType::Cover,
                seed: "用事件溯源构建可扩展的 SaaS 服务",
            })?,
        ),
        (
            "section",
            render_card(&CardSpec {
                title: "Projections and read models",
                subtitle: "Postgres holds read models only: drop them and replay the streams to get them back.",
                kind: PlacementType::Section,
                seed: "Event Sourcing on JetStream",
            })?,
        ),
    ];

    for (name, picture) in samples {
        let png = to_png(&picture.bytes)?;
        std::fs::write(out.join(format!("{name}.svg")), &picture.bytes)?;
        std::fs::write(out.join(format!("{name}.png")), &png)?;
        println!(
            "{name}: {}x{}, svg {} bytes, png {} bytes",
            picture.width,
            picture.height,
            picture.bytes.len(),
            png.len()
        );
    }
    Ok(())
}
