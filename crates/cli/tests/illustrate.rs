//! `mi illustrate` against a real server: the article comes back with local picture files.

use std::path::{Path, PathBuf};
use std::process::Command;

use illustrator_server::Components;
use illustrator_server::testing::LocalServer;

fn shared_corpus() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    dir.is_dir().then_some(dir)
}

fn own_article() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ARCHITECTURE.md")
}

async fn illustrate(server: &LocalServer, input: &Path, out: &Path) -> anyhow::Result<String> {
    let server_url = server.base.clone();
    let key = server.key.clone();
    let (input, out) = (input.to_owned(), out.to_owned());

    let output = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_mi"))
            .arg("illustrate")
            .arg(&input)
            .arg("-o")
            .arg(&out)
            .env("MI_SERVER", server_url)
            .env("MI_API_KEY", key)
            .output()
    })
    .await??;
    let stderr = String::from_utf8_lossy(&output.stderr);
    anyhow::ensure!(output.status.success(), "mi failed: {stderr}");
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Every image link of the written article points at a file in its images folder.
fn check_output(original: &str, out: &Path) -> anyhow::Result<usize> {
    let written = std::fs::read_to_string(out)?;
    let folder = out.parent().unwrap_or(Path::new(".")).join("images");
    let mut pictures = 0;

    for line in written.split_inclusive('\n') {
        if let Some(start) = line.find("](images/") {
            let rest = &line[start + 2..];
            let end = rest.find([' ', ')']).unwrap_or(rest.len());
            let file = folder.join(&rest["images/".len()..end]);
            assert!(file.is_file(), "{} is missing", file.display());
            assert!(std::fs::metadata(&file)?.len() > 0);
            pictures += 1;
        }
    }
    assert!(
        !written.contains("/v1/images/"),
        "a link still points at the server"
    );

    let kept: Vec<&str> = written
        .split_inclusive('\n')
        .filter(|l| !l.contains("](images/"))
        .collect();
    let mut wanted = original.split_inclusive('\n').peekable();
    for line in kept {
        if wanted.peek() == Some(&line) {
            wanted.next();
        } else {
            assert!(line.trim().is_empty(), "unexpected line {line:?}");
        }
    }
    assert!(wanted.next().is_none(), "original lines lost");
    Ok(pictures)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mi_illustrate_writes_the_article_and_its_pictures() -> anyhow::Result<()> {
    let server = LocalServer::start(Components::ALL).await?;
    let dir = std::env::temp_dir().join(format!("mi-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;

    let mut inputs = vec![own_article()];
    match shared_corpus() {
        Some(corpus) => {
            inputs.push(corpus.join("blog-zh-javaguide-shell-intro.md"));
            inputs.push(corpus.join("rfc-en-cfg-checking-crlf.md"));
        }
        None => eprintln!("shared/corpus is absent: only the project's own article ran"),
    }

    for (n, input) in inputs.iter().enumerate() {
        let out = dir.join(format!("run{n}")).join("article.md");
        std::fs::create_dir_all(out.parent().unwrap_or(&dir))?;
        let printed = illustrate(&server, input, &out).await?;
        assert!(printed.contains("wrote"), "{printed}");

        let original = std::fs::read_to_string(input)?;
        let pictures = check_output(&original, &out)?;
        assert!(pictures > 0, "{} got no picture", input.display());
    }

    let _ = std::fs::remove_dir_all(&dir);
    server.cleanup().await;
    Ok(())
}
