//! A real SMTP receiver (aiosmtpd, server/tests/clients/smtp_receiver.py) standing in for
//! the other mail servers courrier sends to.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const RECEIVER: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/clients/smtp_receiver.py"
);

/// aiosmtpd on a free loopback port, storing what it accepts in `dir`.
pub struct Receiver {
    child: Child,
    pub port: u16,
    pub dir: std::path::PathBuf,
}

impl Receiver {
    /// A configuration file in `dir` that routes mail for example.net to this receiver; its
    /// path, for `--config`.
    pub fn routes_config(&self, dir: &std::path::Path) -> std::path::PathBuf {
        let config = dir.join("courrier.toml");
        std::fs::write(
            &config,
            format!(
                "[outbound.routes]\n\"example.net\" = \"127.0.0.1:{}\"\n",
                self.port
            ),
        )
        .unwrap();
        config
    }

    pub fn start(dir: std::path::PathBuf, mode: &str) -> Receiver {
        Receiver::start_with(dir, mode, None)
    }

    /// One that offers STARTTLS with this certificate and key (PEM files).
    pub fn start_tls(
        dir: std::path::PathBuf,
        mode: &str,
        cert: &std::path::Path,
        key: &std::path::Path,
    ) -> Receiver {
        Receiver::start_with(
            dir,
            mode,
            Some(format!("{}:{}", cert.display(), key.display())),
        )
    }

    fn start_with(dir: std::path::PathBuf, mode: &str, tls: Option<String>) -> Receiver {
        let mut cmd = Command::new("python3");
        if let Some(tls) = tls {
            cmd.env("RECEIVER_TLS", tls);
        }
        let mut child = cmd
            .args([RECEIVER, dir.to_str().unwrap(), mode])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 with aiosmtpd (the test command installs it)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .strip_prefix("listening ")
            .unwrap_or_else(|| panic!("receiver did not start: {line:?}"))
            .parse()
            .unwrap();
        Receiver { child, port, dir }
    }

    /// The messages received so far.
    pub fn received(&self) -> Vec<serde_json::Value> {
        let mut names: Vec<_> = std::fs::read_dir(&self.dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().to_string())
            .filter(|n| n.ends_with(".json"))
            .collect();
        names.sort();
        names
            .iter()
            .map(|n| serde_json::from_slice(&std::fs::read(self.dir.join(n)).unwrap()).unwrap())
            .collect()
    }

    pub fn wait_for(&self, n: usize) -> Vec<serde_json::Value> {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(30) {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("the receiver did not get {n} message(s)");
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
