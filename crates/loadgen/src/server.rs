//! The `illustrator serve` child: a fresh namespace, database and port per start, readiness,
//! memory samples, and a stop by process id that never leaves it running.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use tokio::process::{Child, Command};

use crate::client::Api;

/// Where the child finds NATS and Postgres, and what it runs.
#[derive(Clone, Debug)]
pub struct ServerSpec {
    pub binary: PathBuf,
    pub nats_url: String,
    /// Postgres without a database name, e.g. `postgres://postgres:postgres@127.0.0.1:5432`.
    pub postgres_root: String,
    pub log_dir: PathBuf,
}

/// A running child and the names it owns.
pub struct Server {
    child: Child,
    pid: u32,
    pub namespace: String,
    pub database: String,
    pub api: Api,
    pub log_file: PathBuf,
}

/// A fresh lower-case namespace such as `lg3f9a0c1d`, also used as the database name.
pub fn fresh_namespace() -> String {
    let hex = uuid::Uuid::new_v4().simple().to_string();
    format!("lg{}", &hex[..10])
}

/// A port the kernel just handed out on 127.0.0.1; the child binds it a moment later.
fn free_port() -> anyhow::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener
        .local_addr()
        .context("reading the free port")?
        .port())
}

impl Server {
    /// Starts the child and waits up to `ready_within` for GET /ready to answer 200. `env`
    /// is set last, so it may override the defaults here (the no-op renderer, say).
    pub async fn start(
        spec: &ServerSpec,
        ready_within: Duration,
        env: &[(String, String)],
    ) -> anyhow::Result<Server> {
        if !spec.binary.is_file() {
            bail!(
                "no server binary at {} (build it with cargo build --release -p \
                 illustrator-server, or pass --server-bin)",
                spec.binary.display()
            );
        }
        let namespace = fresh_namespace();
        let port = free_port()?;
        let key = format!("key-{}", uuid::Uuid::new_v4().simple());
        let log_file = spec.log_dir.join(format!("illustrator-{namespace}.log"));
        let log = std::fs::File::create(&log_file)
            .with_context(|| format!("creating {}", log_file.display()))?;
        let log_err = log.try_clone().context("sharing the log file")?;

        let child = Command::new(&spec.binary)
            .arg("serve")
            .env("NATS_URL", &spec.nats_url)
            .env(
                "DATABASE_URL",
                format!("{}/{namespace}", spec.postgres_root),
            )
            .env("BIND", format!("127.0.0.1:{port}"))
            .env("ILLUSTRATOR_NAMESPACE", &namespace)
            .env("ILLUSTRATOR_BOOTSTRAP_KEY", &key)
            // One key sends the whole load, far above a single user's request limits.
            .env("ILLUSTRATOR_LIMIT_SUBMIT", "100000000/1m")
            .env("ILLUSTRATOR_LIMIT_REGENERATE", "100000000/1m")
            .env("ILLUSTRATOR_WORKER_RENDER", "noop")
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", spec.binary.display()))?;
        let pid = child.id().context("the child has no process id")?;

        let api = Api::new(&format!("http://127.0.0.1:{port}"), &key)?;
        let mut server = Server {
            child,
            pid,
            database: namespace.clone(),
            namespace,
            api,
            log_file,
        };
        if let Err(error) = server.wait_ready(ready_within).await {
            server.stop().await;
            return Err(error);
        }
        Ok(server)
    }

    pub fn pid(&self) -> u32 {
        self.pid
    }

    async fn wait_ready(&mut self, within: Duration) -> anyhow::Result<()> {
        let deadline = Instant::now() + within;

        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().context("watching the child")? {
                bail!(
                    "the server exited with {status} before it was ready; see {}",
                    self.log_file.display()
                );
            }
            if self.api.ready().await {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!(
            "the server was not ready within {within:?}; see {}",
            self.log_file.display()
        )
    }

    /// Peak and current resident memory of the child in bytes, from /proc.
    pub fn memory(&self) -> Option<Memory> {
        read_memory(&Path::new("/proc").join(self.pid.to_string()).join("status"))
    }

    /// SIGTERM by process id, then SIGKILL if it has not exited within ten seconds.
    pub async fn stop(&mut self) {
        if matches!(self.child.try_wait(), Ok(Some(_))) {
            return;
        }

        let term = std::process::Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status();
        if term.is_ok() {
            let exited = tokio::time::timeout(Duration::from_secs(10), self.child.wait()).await;
            if matches!(exited, Ok(Ok(_))) {
                return;
            }
        }
        let _ = self.child.kill().await;
    }
}

/// VmHWM and VmRSS of one process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Memory {
    pub peak: u64,
    pub current: u64,
}

fn read_memory(status: &Path) -> Option<Memory> {
    let text = std::fs::read_to_string(status).ok()?;
    parse_memory(&text)
}

/// Reads the `VmHWM:` and `VmRSS:` lines (in kB) of a /proc status file.
pub fn parse_memory(status: &str) -> Option<Memory> {
    let field = |name: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        let kb: u64 = line[name.len()..]
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()?;
        Some(kb * 1024)
    };
    Some(Memory {
        peak: field("VmHWM:")?,
        current: field("VmRSS:")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_is_read_from_a_status_file() {
        let status = "Name:\tillustrator\nVmPeak:\t  900000 kB\nVmHWM:\t   81920 kB\n\
                      VmRSS:\t   40960 kB\nThreads:\t8\n";

        let memory = parse_memory(status);

        assert_eq!(
            memory,
            Some(Memory {
                peak: 81920 * 1024,
                current: 40960 * 1024
            })
        );
    }

    #[test]
    fn a_status_without_memory_lines_gives_none() {
        assert_eq!(parse_memory("Name:\tkthreadd\n"), None);
    }

    #[test]
    fn namespaces_are_fresh_and_safe_as_names() {
        let first = fresh_namespace();

        assert_ne!(first, fresh_namespace());
        assert_eq!(first.len(), 12);
        assert!(
            first
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        );
    }
}
