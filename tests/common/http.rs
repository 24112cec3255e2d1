//! The test HTTP server (`tests/http_server/server.py`) as a child process:
//! started on a free port of 127.0.0.1 with a fresh root folder, killed and
//! its folder removed on drop. Its control API scripts faults and latency and
//! counts every request, so tests can pin how many requests a read costs.
//!
//! ```ignore
//! mod common;
//! let srv = common::http::TestServer::start();
//! srv.write_file("dir/a.bin", &bytes);
//! let url = srv.url("dir/a.bin");           // http://127.0.0.1:PORT/dir/a.bin
//! srv.reset();
//! /* ... */
//! assert_eq!(srv.stats().count, 1);
//! srv.fault("status", &[("code", "503"), ("retry_after", "1")]);
//! ```
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// One request the server answered (control requests are not counted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    pub status: u16,
    /// Body bytes sent.
    pub bytes: u64,
    /// Serial number of the TCP connection it came on.
    pub conn: u64,
    /// The Range header, if any.
    pub range: Option<String>,
    /// Path and query.
    pub path: String,
}

#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub count: usize,
    pub bytes: u64,
    pub connections: usize,
    pub requests: Vec<Request>,
}

impl Stats {
    /// Requests of one method.
    pub fn count_of(&self, method: &str) -> usize {
        self.requests.iter().filter(|r| r.method == method).count()
    }
}

pub struct TestServer {
    child: Child,
    /// Kept open so the server sees EOF (and exits) if this process dies.
    _stdin: Option<ChildStdin>,
    port: u16,
    root: PathBuf,
}

static SERIAL: AtomicUsize = AtomicUsize::new(0);

fn server_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/http_server/server.py")
}

impl TestServer {
    /// Starts a server with an empty root and no latency.
    pub fn start() -> TestServer {
        TestServer::start_with(&[])
    }

    /// Starts a server with extra command-line arguments
    /// (`--latency-ms`, `--auth`...).
    pub fn start_with(args: &[&str]) -> TestServer {
        let root = std::env::temp_dir().join(format!(
            "vsi-http-{}-{}",
            std::process::id(),
            SERIAL.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).expect("creating the server root");
        let mut child = Command::new("python3")
            .arg(server_script())
            .arg("--root")
            .arg(&root)
            .args(["--max-lifetime", "900"])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("starting python3 tests/http_server/server.py");
        let stdin = child.stdin.take();
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped stdout")).read_line(&mut line).expect("reading the port");
        let port: u16 = match line.trim().parse() {
            Ok(p) => p,
            Err(_) => {
                let _ = child.kill();
                panic!("test server printed {line:?} instead of its port");
            }
        };
        let srv = TestServer { child, _stdin: stdin, port, root };
        srv.wait_ready();
        srv
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if self.try_control("/_stats?summary=1").is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("test server on port {} did not answer within 10 s", self.port);
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:PORT` (no final slash).
    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The URL of `path` (with or without its leading `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}/{}", self.base(), path.trim_start_matches('/'))
    }

    /// The folder the server serves.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Writes `data` at `rel` under the root, creating folders.
    pub fn write_file(&self, rel: &str, data: &[u8]) {
        let p = self.root.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(p, data).unwrap();
    }

    pub fn mkdir(&self, rel: &str) {
        std::fs::create_dir_all(self.root.join(rel)).unwrap();
    }

    /// Every request answered since the last `reset`.
    pub fn stats(&self) -> Stats {
        let text = self.control("/_stats?format=tsv");
        let mut lines = text.lines();
        let head: Vec<&str> = lines.next().unwrap_or("0\t0\t0").split('\t').collect();
        let mut stats = Stats {
            count: head[0].parse().unwrap(),
            bytes: head[1].parse().unwrap(),
            connections: head[2].parse().unwrap(),
            requests: Vec::new(),
        };
        for line in lines {
            let f: Vec<&str> = line.splitn(6, '\t').collect();
            if f.len() < 6 {
                continue;
            }
            stats.requests.push(Request {
                method: f[0].to_string(),
                status: f[1].parse().unwrap_or(0),
                bytes: f[2].parse().unwrap_or(0),
                conn: f[3].parse().unwrap_or(0),
                range: (f[4] != "-").then(|| f[4].to_string()),
                path: f[5].to_string(),
            });
        }
        stats
    }

    /// Clears the request statistics.
    pub fn reset(&self) {
        self.control("/_stats/reset");
    }

    /// Scripts a fault (see server.py's doc for kinds and parameters), for
    /// `count` requests when `params` has a ("count", n) pair, else one.
    pub fn fault(&self, kind: &str, params: &[(&str, &str)]) {
        let mut q = format!("/_control/fault?kind={kind}");
        for (k, v) in params {
            q.push('&');
            q.push_str(k);
            q.push('=');
            q.push_str(&encode(v));
        }
        self.control(&q);
    }

    /// Delays every later request by `ms` milliseconds.
    pub fn set_latency(&self, ms: u64) {
        self.control(&format!("/_control/latency?ms={ms}"));
    }

    /// Removes pending faults and restores the start-up latency.
    pub fn clear(&self) {
        self.control("/_control/clear");
    }

    fn control(&self, path: &str) -> String {
        self.try_control(path).unwrap_or_else(|e| panic!("control request {path}: {e}"))
    }

    fn try_control(&self, path: &str) -> std::io::Result<String> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port))?;
        s.set_read_timeout(Some(Duration::from_secs(10)))?;
        write!(s, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")?;
        let mut resp = Vec::new();
        s.read_to_end(&mut resp)?;
        let resp = String::from_utf8_lossy(&resp).into_owned();
        let (head, body) = resp.split_once("\r\n\r\n").unwrap_or((&resp, ""));
        if !head.starts_with("HTTP/1.1 200") && !head.starts_with("HTTP/1.0 200") {
            return Err(std::io::Error::other(head.lines().next().unwrap_or("").to_string()));
        }
        Ok(body.to_string())
    }
}

fn encode(v: &str) -> String {
    let mut out = String::new();
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.root);
    }
}
