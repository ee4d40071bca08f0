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

/// Runs `mi` with `args` against `server`; returns what it printed (stdout, stderr).
async fn mi(server: &LocalServer, args: Vec<String>) -> anyhow::Result<(String, String)> {
    let server_url = server.base.clone();
    let key = server.key.clone();

    let output = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_mi"))
            .args(&args)
            .env("MI_SERVER", server_url)
            .env("MI_API_KEY", key)
            .output()
    })
    .await??;
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    anyhow::ensure!(output.status.success(), "mi failed: {stderr}");
    Ok((String::from_utf8_lossy(&output.stdout).into_owned(), stderr))
}

async fn illustrate(server: &LocalServer, input: &Path, out: &Path) -> anyhow::Result<String> {
    let args = ["illustrate".into(), path(input), "-o".into(), path(out)];
    Ok(mi(server, args.to_vec()).await?.0)
}

fn path(p: &Path) -> String {
    p.display().to_string()
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mi_draws_candidates_as_png_and_draws_a_picture_again() -> anyhow::Result<()> {
    let server = LocalServer::start(Components::ALL).await?;
    let dir = std::env::temp_dir().join(format!("mi-regen-{}", std::process::id()));
    let out = dir.join("article.md");
    std::fs::create_dir_all(&dir)?;

    let args = [
        "illustrate",
        "--batch",
        "2",
        "--format",
        "png",
        "--source",
        "card",
        "-o",
    ];
    let mut args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    args.push(path(&out));
    args.push(path(&own_article()));
    let (_, stderr) = mi(&server, args).await?;
    let id = stderr
        .split_whitespace()
        .skip_while(|w| *w != "document")
        .nth(1)
        .map(|w| w.trim_end_matches(':').to_owned())
        .ok_or_else(|| anyhow::anyhow!("no document id in {stderr}"))?;

    let written = std::fs::read_to_string(&out)?;
    assert!(
        written.contains(".png"),
        "pictures are PNG files: {written}"
    );
    let png = std::fs::read_dir(dir.join("images"))?
        .flatten()
        .find(|e| e.path().extension().is_some_and(|x| x == "png"))
        .ok_or_else(|| anyhow::anyhow!("no PNG written"))?;
    assert!(std::fs::read(png.path())?.starts_with(b"\x89PNG"));

    let again = [
        "regenerate".to_owned(),
        id.clone(),
        "--index".into(),
        "0".into(),
    ];
    let mut again = again.to_vec();
    again.extend(["-o".to_owned(), path(&out)]);
    let (printed, _) = mi(&server, again).await?;
    assert!(printed.contains("wrote"), "{printed}");

    let id = illustrator_documents::DocumentId::parse(&id)?;
    let document = illustrator_server::commands::load(&server.app.documents, id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no document"))?;
    assert_eq!(
        document.slots[0].candidates.len(),
        4,
        "two candidates, then two more"
    );
    assert_eq!(document.slots[1].candidates.len(), 2);
    assert_eq!(document.generation, 1);

    let _ = std::fs::remove_dir_all(&dir);
    server.cleanup().await;
    Ok(())
}
