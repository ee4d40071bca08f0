//! Throughput of plan + assemble against a bare pulldown-cmark parse of the same input, on
//! the corpus and on a synthetic 1 MB article. Run: `cargo bench -p illustrator-analysis`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use illustrator_analysis::{Picture, PlanOptions, assemble, parser_options, plan};

fn corpus() -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        println!(
            "corpus not found at {}: corpus benchmarks do not run",
            dir.display()
        );
        return Vec::new();
    };

    let mut out: Vec<(String, Vec<u8>)> = entries
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .filter_map(|e| {
            Some((
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).ok()?,
            ))
        })
        .collect();
    out.sort();
    out
}

/// About 1 MB of a mixed technical article: sections, prose, lists, code, tables.
fn synthetic() -> Vec<u8> {
    let section = "## Deploying the service\n\n\
        The server reads its configuration at start-up, connects to the database and the \
        message queue, and then serves requests. 服务器启动时读取配置，连接数据库和消息队列。\n\n\
        1. Install the package\n2. Write the configuration\n3. Start the server\n\n\
        ```sh\ncargo install example\nexample --config example.toml\n```\n\n\
        | Step | Seconds |\n|---|---:|\n| build | 12 |\n| start | 3 |\n\n";
    let mut text = String::from("# A long article\n\n");
    while text.len() < 1024 * 1024 {
        text.push_str(section);
    }
    text.into_bytes()
}

fn bare_parse(input: &[u8]) -> usize {
    let text = std::str::from_utf8(input).unwrap_or("");
    pulldown_cmark::Parser::new_ext(text, parser_options())
        .into_offset_iter()
        .count()
}

fn plan_and_assemble(input: &[u8]) -> usize {
    let Ok(p) = plan(input, &PlanOptions::default()) else {
        return 0;
    };
    let pictures: Vec<Picture> = p
        .placements
        .iter()
        .map(|pl| Picture {
            index: pl.index,
            url: pl.file_name(),
            alt: pl.alt.clone(),
            mermaid_code: None,
            credit: None,
        })
        .collect();
    assemble(input, &p, &pictures).map_or(0, |s| s.len())
}

/// A plain measurement printed before criterion's: MB/s of both and their ratio.
fn summary(name: &str, inputs: &[&[u8]]) {
    let bytes: usize = inputs.iter().map(|i| i.len()).sum();
    let time = |f: fn(&[u8]) -> usize| {
        let start = Instant::now();
        let mut rounds = 0;
        while start.elapsed() < Duration::from_secs(2) || rounds < 3 {
            for i in inputs {
                std::hint::black_box(f(i));
            }
            rounds += 1;
        }
        start.elapsed().as_secs_f64() / rounds as f64
    };

    let bare = time(bare_parse);
    let ours = time(plan_and_assemble);
    let mb = bytes as f64 / 1e6;
    println!(
        "{name}: {mb:.2} MB; bare parse {:.1} MB/s ({:.2} ms); \
         plan+assemble {:.1} MB/s ({:.2} ms); ratio {:.2}",
        mb / bare,
        bare * 1e3,
        mb / ours,
        ours * 1e3,
        bare / ours
    );
}

fn benches(c: &mut Criterion) {
    let corpus = corpus();
    let synthetic = synthetic();

    let corpus_inputs: Vec<&[u8]> = corpus.iter().map(|(_, b)| b.as_slice()).collect();
    if !corpus_inputs.is_empty() {
        summary("corpus", &corpus_inputs);
    }
    summary("synthetic", &[synthetic.as_slice()]);

    let mut group = c.benchmark_group("synthetic-1MB");
    group.throughput(Throughput::Bytes(synthetic.len() as u64));
    group.bench_function("bare-parse", |b| b.iter(|| bare_parse(&synthetic)));
    group.bench_function("plan+assemble", |b| {
        b.iter(|| plan_and_assemble(&synthetic))
    });
    group.finish();

    if !corpus.is_empty() {
        let total: usize = corpus_inputs.iter().map(|i| i.len()).sum();
        let mut group = c.benchmark_group("corpus");
        group.throughput(Throughput::Bytes(total as u64));
        group.bench_function("bare-parse", |b| {
            b.iter(|| corpus_inputs.iter().map(|i| bare_parse(i)).sum::<usize>())
        });
        group.bench_function("plan+assemble", |b| {
            b.iter(|| {
                corpus_inputs
                    .iter()
                    .map(|i| plan_and_assemble(i))
                    .sum::<usize>()
            })
        });
        group.finish();
    }
}

criterion_group! {
    name = plan_benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(4));
    targets = benches
}
criterion_main!(plan_benches);
