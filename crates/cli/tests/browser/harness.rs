//! The processes behind the end-to-end tests: the `clientele demo` server, chromedriver and the
//! headless chromium it drives, each stopped by a guard when the test ends (also on panic), and
//! the evidence (screenshot, page source) kept when a scenario fails.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

/// How long the demo may take to generate, import, score and start serving 1,500 customers
/// (about 5 s in a debug build on 2 cores; the margin covers a machine shared by four builds).
const DEMO_START: Duration = Duration::from_secs(180);
/// How long chromedriver may take to accept connections.
const DRIVER_START: Duration = Duration::from_secs(30);

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Fails (never skips) when the browser is missing: CI installs it.
pub fn require_browser() {
    let missing: Vec<&str> = [CHROMIUM, CHROMEDRIVER]
        .into_iter()
        .filter(|p| !Path::new(p).exists())
        .collect();
    assert!(
        missing.is_empty(),
        "the end-to-end tests need {}: install the Debian packages with \
         `apt-get install chromium chromium-driver` (.ci/run does)",
        missing.join(" and ")
    );
}

/// A child process in its own process group, killed with its whole group on drop: chromedriver's
/// chromium and its helpers die with it even when the test panics before closing the session.
pub struct ProcessGuard {
    what: &'static str,
    child: Child,
}

impl ProcessGuard {
    fn spawn(what: &'static str, command: &mut Command) -> ProcessGuard {
        let child = command
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("starting {what}: {e}"));
        ProcessGuard { what, child }
    }

    pub fn id(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for ProcessGuard {
    fn drop(&mut self) {
        // The group id is the child's pid (process_group(0)); a negative pid signals the group.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.kill();
        if let Err(e) = self.child.wait() {
            eprintln!("waiting for {} to exit: {e}", self.what);
        }
    }
}

/// The running `clientele demo`: where it serves and how to sign in.
pub struct Demo {
    pub base: String,
    pub user: String,
    pub password: String,
    pub database_url: String,
    pub log: PathBuf,
    _process: ProcessGuard,
}

/// Starts `clientele demo` on a free port over a new SQLite file in `dir` and waits for the two
/// lines it prints once it serves: `Dashboard: http://ADDR/` and `Login: NAME / PASSWORD`.
pub fn start_demo(dir: &Path, customers: u32, seed: u64) -> Demo {
    let database_url = format!("sqlite://{}", dir.join("d.db").display());
    let log = dir.join("demo.log");
    let stderr = std::fs::File::create(&log).expect("creating the demo's log file");
    let mut process = ProcessGuard::spawn(
        "clientele demo",
        Command::new(env!("CARGO_BIN_EXE_clientele"))
            .args(["demo", "--db", &database_url, "--listen", "127.0.0.1:0"])
            .args(["--customers", &customers.to_string()])
            .args(["--seed", &seed.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr),
    );
    let stdout = process.child.stdout.take().expect("piped stdout");
    let (lines, received) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + DEMO_START;
    let (mut base, mut login) = (None, None);
    while base.is_none() || login.is_none() {
        let left = deadline.saturating_duration_since(Instant::now());
        match received.recv_timeout(left) {
            Ok(line) => {
                if let Some(url) = line.strip_prefix("Dashboard: ") {
                    base = Some(url.trim_end_matches('/').to_string());
                } else if let Some(rest) = line.strip_prefix("Login: ") {
                    let (user, password) = rest
                        .split_once(" / ")
                        .unwrap_or_else(|| panic!("a login line without ' / ': {line:?}"));
                    login = Some((user.to_string(), password.to_string()));
                }
            }
            Err(e) => panic!(
                "clientele demo did not print its address and login within {DEMO_START:?} ({e}); \
                 its log:\n{}",
                tail(&log)
            ),
        }
    }
    let (user, password) = login.expect("loop ends with a login");
    Demo {
        base: base.expect("loop ends with an address"),
        user,
        password,
        database_url,
        log,
        _process: process,
    }
}

/// The last lines of a log file, for failure messages.
pub fn tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| format!("({e})"));
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// chromedriver on a free loopback port, and a headless chromium session through it.
pub struct Browser {
    pub client: Client,
    _driver: ProcessGuard,
}

pub async fn start_browser(dir: &Path) -> Browser {
    require_browser();
    let port = free_port();
    let log = dir.join("chromedriver.log");
    let driver = ProcessGuard::spawn(
        "chromedriver",
        Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    );
    let url = format!("http://127.0.0.1:{port}");
    let capabilities = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                "--disable-dev-shm-usage", "--window-size=1280,1000", "--lang=en-US",
                format!("--user-data-dir={}", dir.join("chromium-profile").display()),
            ],
        },
    });
    let serde_json::Value::Object(capabilities) = capabilities else {
        unreachable!("a JSON object literal")
    };
    let deadline = Instant::now() + DRIVER_START;
    let client = loop {
        match ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities.clone())
            .connect(&url)
            .await
        {
            Ok(client) => break client,
            Err(e) if Instant::now() < deadline => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!(
                "no chromium session through chromedriver (pid {}) at {url} within \
                 {DRIVER_START:?}: {e}; its log:\n{}",
                driver.id(),
                tail(&log)
            ),
        }
    };
    Browser {
        client,
        _driver: driver,
    }
}

/// Where a failed scenario's screenshot and page source go.
pub fn failure_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("e2e-failures")
}

/// Saves what the browser shows (`NAME.png`) and the page source (`NAME.html`); returns a
/// sentence naming the files, for the failure message.
pub async fn save_evidence(client: &Client, name: &str) -> String {
    let dir = failure_dir();
    if let Err(e) = std::fs::create_dir_all(&dir) {
        return format!("(could not create {}: {e})", dir.display());
    }
    let png = dir.join(format!("{name}.png"));
    let html = dir.join(format!("{name}.html"));
    let mut saved = Vec::new();
    match client.screenshot().await {
        Ok(bytes) => match std::fs::write(&png, bytes) {
            Ok(()) => saved.push(png.display().to_string()),
            Err(e) => saved.push(format!("(screenshot not written: {e})")),
        },
        Err(e) => saved.push(format!("(no screenshot: {e})")),
    }
    match client.source().await {
        Ok(source) => match std::fs::write(&html, source) {
            Ok(()) => saved.push(html.display().to_string()),
            Err(e) => saved.push(format!("(page source not written: {e})")),
        },
        Err(e) => saved.push(format!("(no page source: {e})")),
    }
    let url = client
        .current_url()
        .await
        .map_or_else(|e| format!("(unknown: {e})"), |u| u.to_string());
    format!("at {url}; screenshot and page source: {}", saved.join(", "))
}
