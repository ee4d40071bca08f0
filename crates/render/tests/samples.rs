//! The sample pictures in `docs/samples/`: one per kind of offline picture, drawn by the
//! current code. Every one must be valid XML and rasterise to a PNG that shows something.
//! `WRITE_SAMPLES=1 cargo test -p illustrator-render --test samples` writes them anew, SVG
//! and PNG, for the README.

mod common;

use std::path::PathBuf;

use illustrator_analysis::{PlacementType, TableData};
use illustrator_render::{CardSpec, Rendered, render_card, render_chart, render_mermaid, to_png};

fn table(headers: &[&str], rows: &[&[&str]]) -> TableData {
    TableData {
        headers: headers.iter().map(|h| h.to_string()).collect(),
        rows: rows
            .iter()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect(),
    }
}

const FLOWCHART_ZH: &str = "flowchart TD
    A[\"用户提交 Markdown 文章\"] --> B{\"是否包含标题?\"}
    B -->|\"是\"| C[\"生成封面（AI 或卡片）\"]
    B -->|\"否\"| D[\"跳过封面\"]
    C --> E[\"分析章节结构\"]
    D --> E
    E --> F[\"技术章节 → Mermaid 图\"]
    E --> G[\"数字表格 → 图表\"]
    E --> H[\"其他章节 → 配图\"]
    F --> I[\"写回文章\"]
    G --> I
    H --> I
";

const SEQUENCE: &str = "sequenceDiagram
    participant W as Writer
    participant A as API
    participant Q as Job queue
    participant G as Worker
    W->>A: POST /v1/documents
    A->>Q: one job per picture
    A-->>W: 202 Accepted
    Q->>G: deliver job
    G-->>A: ImageGenerated
    A-->>W: SSE image.generated
";

const CLASS: &str = "classDiagram
    class Document {
        +DocumentId id
        +String owner
        +illustrate()
        +regenerate(index)
    }
    class Slot {
        +Placement placement
        +SlotStatus status
    }
    class Candidate {
        +u32 number
        +GeneratedImage image
    }
    Document \"1\" --> \"*\" Slot : plans
    Slot \"1\" --> \"*\" Candidate : holds
";

const STATE: &str = "stateDiagram-v2
    direction LR
    [*] --> Accepted
    Accepted --> Generating : planned
    Generating --> Completed : all drawn
    Generating --> Failed : none drawn
    Completed --> Generating : regenerate
    Completed --> [*]
";

const ER: &str = "erDiagram
    USER ||--o{ DOCUMENT : submits
    DOCUMENT ||--|{ IMAGE : contains
    USER ||--o{ API_KEY : holds
    USER {
        uuid id
        string email
        string role
    }
    IMAGE {
        string id
        string source
        int price_milli_fen
    }
";

const MINDMAP: &str = "mindmap
  root((插图服务))
    图片来源
      Mermaid 图
      图表
      卡片
      图库照片
      AI 生成
    组件
      API
      工作进程
      投影
      推送
";

/// Every sample: its file name (without extension) and how it is drawn.
fn samples() -> Vec<(&'static str, Rendered)> {
    let draw = |result: Result<Rendered, illustrator_render::RenderError>| {
        result.unwrap_or_else(|e| panic!("a sample does not draw: {e}"))
    };
    let bars = table(
        &["数据库吞吐量对比", "写入 (ops/s)", "读取 (ops/s)"],
        &[
            &["PostgreSQL", "12.4k", "48.9k"],
            &["SQLite", "3,100", "61.2k"],
            &["MySQL", "10.8k", "39.5k"],
            &["Redis", "88k", "110k"],
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

    vec![
        (
            "cover-zh",
            draw(render_card(&CardSpec {
                title: "用事件溯源构建可扩展的 SaaS 服务：从命令到投影的完整实践",
                subtitle: "每一次变更都是事实，读模型可以随时从事件流重建。本文介绍聚合、\
                           工作队列与推送服务的设计。",
                kind: PlacementType::Cover,
                seed: "事件溯源",
            })),
        ),
        (
            "cover-en",
            draw(render_card(&CardSpec {
                title: "Event Sourcing on JetStream: Building a Service That Never Forgets",
                subtitle: "How commands, events and projections fit together, and what it \
                           takes to rebuild every read model from the stream.",
                kind: PlacementType::Cover,
                seed: "Event Sourcing on JetStream",
            })),
        ),
        (
            "section",
            draw(render_card(&CardSpec {
                title: "Projections and read models",
                subtitle: "Postgres holds read models only: drop them and replay the streams \
                           to get them back.",
                kind: PlacementType::Section,
                seed: "Event Sourcing on JetStream",
            })),
        ),
        ("chart-bars", draw(render_chart(&bars, "数据库吞吐量对比"))),
        (
            "chart-line",
            draw(render_chart(&line, "Quarterly revenue and costs")),
        ),
        ("flowchart-zh", draw(render_mermaid(FLOWCHART_ZH))),
        ("sequence", draw(render_mermaid(SEQUENCE))),
        ("class", draw(render_mermaid(CLASS))),
        ("state", draw(render_mermaid(STATE))),
        ("er", draw(render_mermaid(ER))),
        ("mindmap-zh", draw(render_mermaid(MINDMAP))),
    ]
}

#[test]
fn every_sample_is_valid_xml_and_rasterises_to_a_picture() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/samples");
    let write = std::env::var_os("WRITE_SAMPLES").is_some();

    for (name, picture) in samples() {
        common::check(&picture);
        common::check_glyphs(&picture);

        if write {
            let png = to_png(&picture.bytes).expect("the sample rasterises");
            std::fs::write(dir.join(format!("{name}.svg")), &picture.bytes).expect("writing");
            std::fs::write(dir.join(format!("{name}.png")), png).expect("writing");
        }
    }
}
