//! The page end to end in headless Chromium: a server process of its own (own database,
//! namespace, mail folder and port, offline sources only) and `page.test.mjs`, which drives
//! Debian's Chromium through playwright-core as a writer would: sign up, confirm the mailed
//! link, sign in, submit a corpus article with two candidates, watch it finish, choose a
//! candidate, download the article and the zip and check both.
//!
//! Needs `/usr/bin/chromium` (scripts/services.sh installs it) and the test's node modules
//! (`npm ci` in this folder; scripts/test.sh runs it). `WRITE_SCREENSHOTS=1` also writes the
//! README's screenshots to docs/screenshots/.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;
use illustrator_server::Components;
use illustrator_server::testing::LocalServer;

/// The longest the browser may take for the whole walk; it is killed after that.
const BROWSER_LIMIT: Duration = Duration::from_secs(240);

/// The article the writer submits: a corpus document whose plan has cards and Mermaid
/// diagrams.
const CORPUS_ARTICLE: &str = "doc-en-cargo-security-process.md";

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn here() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/web")
}

fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// No component runs in the test's process: the page talks to a real `illustrator serve`.
const NOTHING: Components = Components {
    api: false,
    push: false,
    worker: false,
    projector: false,
};

/// A child process killed by its id when the test ends, however it ends.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

async fn wait_ready(base: &str, child: &mut Child) -> anyhow::Result<()> {
    let started = Instant::now();
    let http = reqwest::Client::new();
    while started.elapsed() < Duration::from_secs(60) {
        if let Some(status) = child.0.try_wait()? {
            anyhow::bail!("illustrator serve exited early: {status}");
        }
        if let Ok(response) = http.get(format!("{base}/ready")).send().await
            && response.status() == 200
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    anyhow::bail!("{base} was not ready within a minute")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_writer_illustrates_an_article_in_the_browser() -> anyhow::Result<()> {
    anyhow::ensure!(
        std::path::Path::new("/usr/bin/chromium").is_file(),
        "/usr/bin/chromium is missing: run scripts/services.sh"
    );
    anyhow::ensure!(
        here().join("node_modules/playwright-core").is_dir(),
        "playwright-core is missing: run `npm ci` in crates/server/tests/web"
    );
    let corpus = workspace().join("../shared/corpus").join(CORPUS_ARTICLE);
    let article = if corpus.is_file() {
        corpus
    } else {
        eprintln!("the corpus is not beside the checkout; the page test submits ARCHITECTURE.md");
        workspace().join("ARCHITECTURE.md")
    };

    let server = LocalServer::start(NOTHING).await?;
    let outcome = walk(&server, &article).await;
    server.cleanup().await;
    outcome
}

/// `illustrator serve` on the test's streams, database, mail folder and port, its output
/// appended to `log`.
fn spawn_serve(server: &LocalServer, port: u16, log: &std::path::Path) -> anyhow::Result<Child> {
    let config = &server.config;
    let base = format!("http://127.0.0.1:{port}");
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)?;

    let mut serve = Command::new(env!("CARGO_BIN_EXE_illustrator"));
    serve
        .arg("serve")
        .env("NATS_URL", &config.nats_url)
        .env("DATABASE_URL", &config.database_url)
        .env("ILLUSTRATOR_NAMESPACE", &config.namespace)
        .env("ILLUSTRATOR_NATS_DIR", &config.nats_dir)
        .env("ILLUSTRATOR_NATS_MAX_BYTES", (64i64 << 20).to_string())
        .env("ILLUSTRATOR_BOOTSTRAP_KEY", &server.key)
        .env("ILLUSTRATOR_WORKER_CONCURRENCY", "4")
        .env("ILLUSTRATOR_MAIL_DIR", &config.accounts.mail_dir)
        .env("ILLUSTRATOR_PUBLIC_URL", &base)
        .env("ILLUSTRATOR_COOKIE_SECURE", "false")
        .env("ILLUSTRATOR_ARGON2_MEMORY_KIB", "1024")
        .env("ILLUSTRATOR_ARGON2_ITERATIONS", "1")
        // Low enough for the page's refusals to be seen: the corpus article fits, a 100 KB
        // paste does not, and the fourth submission is one too many.
        .env("ILLUSTRATOR_MAX_ARTICLE_BYTES", (64 * 1024).to_string())
        .env("ILLUSTRATOR_LIMIT_SUBMIT", "3/1h")
        .env("BIND", format!("127.0.0.1:{port}"))
        .stdout(Stdio::from(log.try_clone()?))
        .stderr(Stdio::from(log));
    for provider in [
        "UNSPLASH_ACCESS_KEY",
        "PEXELS_API_KEY",
        "OPENAI_API_KEY",
        "LLM_API_KEY",
    ] {
        serve.env_remove(provider);
    }
    for provider in ["ZHIPUAI_API_KEY", "ARK_API_KEY", "FLUX_API_KEY", "SMTP_URL"] {
        serve.env_remove(provider);
    }
    Ok(Child(serve.spawn().context("starting illustrator serve")?))
}

/// Stops the server with SIGTERM, as a rolling restart does, and starts a new process on
/// the same port, so the page must notice the lost stream and resume it.
async fn restart(
    server: &LocalServer,
    port: u16,
    log: &std::path::Path,
    serve: Child,
) -> anyhow::Result<Child> {
    let pid = serve.0.id().to_string();
    let killed = Command::new("kill").args(["-TERM", &pid]).status()?;
    anyhow::ensure!(killed.success(), "kill -TERM {pid} failed");
    let mut old = serve;
    let started = Instant::now();
    while old.0.try_wait()?.is_none() {
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(30),
            "serve did not stop"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let mut serve = spawn_serve(server, port, log)?;
    wait_ready(&format!("http://127.0.0.1:{port}"), &mut serve).await?;
    Ok(serve)
}

async fn walk(server: &LocalServer, article: &std::path::Path) -> anyhow::Result<()> {
    let config = &server.config;
    let port = free_port()?;
    let base = format!("http://127.0.0.1:{port}");
    let scratch = std::env::temp_dir().join(format!("mi-page-{}", config.namespace));
    std::fs::create_dir_all(&scratch)?;
    let log = scratch.join("server.log");

    let mut serve = spawn_serve(server, port, &log)?;
    wait_ready(&base, &mut serve).await?;

    let screenshots = workspace().join("docs/screenshots");
    let browser = Command::new("node")
        .arg(here().join("page.test.mjs"))
        .current_dir(here())
        .env("MI_BASE", &base)
        .env("MI_MAIL_DIR", &config.accounts.mail_dir)
        .env("MI_ARTICLE", article)
        .env("MI_BOOTSTRAP_KEY", &server.key)
        .env("MI_SCRATCH", &scratch)
        .env("MI_SCREENSHOTS", &screenshots)
        .stdout(Stdio::inherit())
        .stderr(Stdio::inherit())
        .spawn()
        .context("starting node")?;
    let mut browser = Child(browser);

    // The browser asks for one restart by writing `restart` into the scratch folder, and
    // goes on when `restarted` appears.
    let (asked, done) = (scratch.join("restart"), scratch.join("restarted"));
    let started = Instant::now();
    let mut status = None;
    while started.elapsed() < BROWSER_LIMIT {
        if let Some(exit) = browser.0.try_wait()? {
            status = Some(exit);
            break;
        }
        if asked.exists() && !done.exists() {
            serve = restart(server, port, &log, serve).await?;
            std::fs::write(&done, b"")?;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drop(serve);

    let server_log = std::fs::read_to_string(&log).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&scratch);
    match status {
        Some(status) if status.success() => Ok(()),
        Some(status) => {
            eprintln!("server log:\n{server_log}");
            anyhow::bail!("the browser walk failed: {status}")
        }
        None => anyhow::bail!("the browser walk took longer than {BROWSER_LIMIT:?}"),
    }
}
