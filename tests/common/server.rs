//! The real binary as a child process for the crash tests: started on a data directory with
//! the tests' admin key, found by the address it prints, and SIGKILLed when a test says so or
//! when it is dropped, so a failed test leaves nothing running; and one HTTP call that tells a
//! lost answer (`None`) from an answer.
//!
//! # Caveats
//! - Only for tests that own their data directory: two servers on one directory would fight
//!   over sled's lock.

#![allow(dead_code, reason = "each crash test binary uses part of the harness")]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The admin key every crash test's server starts with.
pub const ADMIN_KEY: &str = "crash-test-admin-key-0123456789";

/// A server process that is killed when dropped, so a failed test leaves nothing running.
pub struct Server {
    child: Child,
    pub address: String,
    /// Disconnects when the process has exited (its stdout is closed).
    exited: Receiver<String>,
}

impl Server {
    pub fn start(data_dir: &Path) -> Self {
        // Snapshots every 50 entries, so kills also land around snapshot writes and
        // restarts go through snapshot + tail, not only a full replay.
        let config = data_dir.with_extension("toml");
        std::fs::write(
            &config,
            "snapshot_every_entries = 50\nsnapshot_every_seconds = 1\n",
        )
        .expect("the config is written");
        Self::start_with(data_dir, &config)
    }

    pub fn start_with(data_dir: &Path, config: &Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_holdfast"))
            .args([
                "serve",
                "--bind",
                "127.0.0.1:0",
                "--no-demo",
                "--admin-key",
                ADMIN_KEY,
            ])
            .arg("--data-dir")
            .arg(data_dir)
            .arg("--config")
            .arg(config)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the binary starts");
        let stdout = child.stdout.take().expect("a piped stdout");
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(address) = line.strip_prefix("listening on ") {
                    let _ = sender.send(address.to_owned());
                }
            }
        });
        let address = receiver
            .recv_timeout(Duration::from_secs(60))
            .expect("the server prints its address");
        Self {
            child,
            address,
            exited: receiver,
        }
    }

    /// Waits, at most `deadline`, for the process to end (by itself or after a signal).
    pub fn wait_for_exit(mut self, deadline: Duration) -> ExitStatus {
        // The reader thread drops its sender when stdout closes, which the process does as
        // it exits; only then can `wait` not block past the deadline.
        let started = Instant::now();
        loop {
            match self
                .exited
                .recv_timeout(deadline.saturating_sub(started.elapsed()))
            {
                Ok(_) => {}
                Err(RecvTimeoutError::Disconnected) => break,
                Err(RecvTimeoutError::Timeout) => {
                    panic!("the server did not exit within {deadline:?}")
                }
            }
        }
        self.child.wait().expect("the server is reaped")
    }

    /// The process id, for signals.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL: no flush, no goodbye.
    pub fn kill(mut self) {
        self.child.kill().expect("the server is killed");
        self.child.wait().expect("the server is reaped");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends one request; `None` when no answer arrived (the server died, or took over 10 s).
pub async fn send(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    key: &str,
    body: Option<Value>,
) -> Option<(u16, Value)> {
    let mut request = client
        .request(method, url)
        .header("X-API-Key", key)
        .timeout(Duration::from_secs(10));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.ok()?;
    let status = response.status().as_u16();
    let body = response.json().await.ok()?;
    Some((status, body))
}

/// How many kill cycles to run: `HOLDFAST_CRASH_CYCLES`, or `default`.
pub fn crash_cycles(default: usize) -> usize {
    std::env::var("HOLDFAST_CRASH_CYCLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The run's seed: `HOLDFAST_CRASH_SEED` to replay one, or a fresh one from the clock.
pub fn crash_seed() -> u64 {
    std::env::var("HOLDFAST_CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        })
}
