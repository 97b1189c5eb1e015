//! Test databases: a fresh SQLite file or a real PostgreSQL server, one per test.
//!
//! The PostgreSQL server is started from the system's binaries (`initdb`, `pg_ctl` under
//! `/usr/lib/postgresql/*/bin`, or the folder named by `CLIENTELE_PG_BIN`) in a temporary
//! directory on a free loopback port, with a fresh database created for the test; dropping the
//! [`TestDb`] stops the server and removes the directory, also when the test panics. When the
//! process runs as root the server runs as the `postgres` user, as PostgreSQL requires.
//!
//! Missing binaries are an error, not a skip: the storage tests must run on both backends, and
//! `.ci/run` installs PostgreSQL when it is missing.

use std::fs;
use std::net::TcpListener;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use tempfile::TempDir;

/// Which database a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub const ALL: [Backend; 2] = [Backend::Sqlite, Backend::Postgres];
}

/// A database for one test; its URL stays valid until it is dropped.
pub struct TestDb {
    pub backend: Backend,
    pub url: String,
    server: Option<PgServer>,
    _dir: TempDir,
}

impl std::fmt::Debug for TestDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestDb").field("url", &self.url).finish()
    }
}

impl TestDb {
    /// A fresh, empty database of the given kind. Panics with a clear message when PostgreSQL
    /// cannot be started (binaries missing, `postgres` user missing).
    pub fn new(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("creating a temporary directory");
                let url = format!("sqlite://{}", dir.path().join("test.db").display());
                TestDb {
                    backend,
                    url,
                    server: None,
                    _dir: dir,
                }
            }
            Backend::Postgres => {
                let server = PgServer::start().unwrap_or_else(|e| panic!("{e}"));
                let url = server
                    .create_database("clientele_test")
                    .unwrap_or_else(|e| panic!("{e}"));
                let dir = tempfile::tempdir().expect("creating a temporary directory");
                TestDb {
                    backend,
                    url,
                    server: Some(server),
                    _dir: dir,
                }
            }
        }
    }

    /// The running PostgreSQL server, if this is a PostgreSQL database (for a second database).
    pub fn pg_server(&self) -> Option<&PgServer> {
        self.server.as_ref()
    }
}

/// A PostgreSQL server running from a temporary data directory. Stopped and removed on drop.
pub struct PgServer {
    bin: PathBuf,
    data: PathBuf,
    socket_dir: PathBuf,
    port: u16,
    as_postgres_user: bool,
    // Dropped last (fields drop in declaration order): the server is stopped first.
    dir: TempDir,
}

impl std::fmt::Debug for PgServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgServer")
            .field("port", &self.port)
            .field("data", &self.data)
            .finish()
    }
}

/// Finds the PostgreSQL server binaries: `CLIENTELE_PG_BIN`, else the newest
/// `/usr/lib/postgresql/*/bin` holding `initdb`.
pub fn find_pg_bin() -> Result<PathBuf, String> {
    if let Ok(dir) = std::env::var("CLIENTELE_PG_BIN") {
        let dir = PathBuf::from(dir);
        return if dir.join("initdb").exists() {
            Ok(dir)
        } else {
            Err(format!(
                "CLIENTELE_PG_BIN={} has no initdb in it",
                dir.display()
            ))
        };
    }
    let mut found: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin).ok_or_else(|| {
        "PostgreSQL server binaries not found: no /usr/lib/postgresql/*/bin/initdb. The storage \
         tests run on both SQLite and PostgreSQL; install the server (`apt-get install -y \
         postgresql`, which .ci/run does) or point CLIENTELE_PG_BIN at the folder holding initdb \
         and pg_ctl."
            .to_string()
    })
}

fn is_root() -> bool {
    fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

fn free_port() -> Result<u16, String> {
    let listener =
        TcpListener::bind("127.0.0.1:0").map_err(|e| format!("finding a free port: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| format!("finding a free port: {e}"))
}

impl PgServer {
    /// Initialises a data directory and starts a server on a free loopback port.
    pub fn start() -> Result<PgServer, String> {
        let bin = find_pg_bin()?;
        let as_postgres_user = is_root();
        let dir = tempfile::Builder::new()
            .prefix("clientele-pg-")
            .tempdir()
            .map_err(|e| format!("creating a temporary directory: {e}"))?;
        if as_postgres_user {
            let status = Command::new("chown")
                .args(["postgres:postgres"])
                .arg(dir.path())
                .status()
                .map_err(|e| format!("running chown: {e}"))?;
            if !status.success() {
                return Err(format!(
                    "chown postgres {} failed: is there a `postgres` user? (the postgresql \
                     package creates it)",
                    dir.path().display()
                ));
            }
        }
        let data = dir.path().join("data");
        let socket_dir = dir.path().to_path_buf();
        let mut server = PgServer {
            bin,
            data,
            socket_dir,
            port: 0,
            as_postgres_user,
            dir,
        };
        let data_arg = server.data.display().to_string();
        server.run(
            "initdb",
            &[
                "-D",
                &data_arg,
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-sync",
                "--no-instructions",
            ],
        )?;
        // The port is free when asked for but may be taken before the server binds it: retry.
        let mut last_error = String::new();
        for _ in 0..5 {
            server.port = free_port()?;
            let options = format!(
                "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
                server.port,
                server.socket_dir.display()
            );
            let log = server.dir.path().join("server.log").display().to_string();
            match server.run(
                "pg_ctl",
                &[
                    "-D", &data_arg, "-o", &options, "-l", &log, "-w", "-s", "start",
                ],
            ) {
                Ok(_) => return Ok(server),
                Err(e) => {
                    let log_text = fs::read_to_string(&log).unwrap_or_default();
                    last_error = format!("{e}\nserver log:\n{log_text}");
                }
            }
        }
        Err(format!("PostgreSQL did not start: {last_error}"))
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Creates a database and returns its URL.
    pub fn create_database(&self, name: &str) -> Result<String, String> {
        let port = self.port.to_string();
        self.run(
            "createdb",
            &["-h", "127.0.0.1", "-p", &port, "-U", "postgres", name],
        )?;
        Ok(self.url(name))
    }

    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    fn run(&self, program: &str, args: &[&str]) -> Result<Output, String> {
        let path = self.bin.join(program);
        let path = if path.exists() {
            path
        } else {
            // createdb lives in /usr/bin on Debian as well as in the versioned folder.
            PathBuf::from(program)
        };
        let mut command = if self.as_postgres_user {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&path);
            c
        } else {
            Command::new(&path)
        };
        let output = command
            .args(args)
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("running {}: {e}", path.display()))?;
        if output.status.success() {
            Ok(output)
        } else {
            Err(format!(
                "{} {} failed ({}): {}{}",
                path.display(),
                args.join(" "),
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ))
        }
    }

    fn data_dir(&self) -> &Path {
        &self.data
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        let data = self.data_dir().display().to_string();
        // Immediate: the data is thrown away, so there is nothing to flush.
        let _ = self.run(
            "pg_ctl",
            &["-D", &data, "-m", "immediate", "-w", "-s", "stop"],
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_starts_accepts_a_database_and_stops() {
        let db = TestDb::new(Backend::Postgres);
        let server = db.pg_server().expect("a server");
        let port = server.port();
        let pid_file = server.data.join("postmaster.pid");
        assert!(pid_file.exists(), "the server writes its pid file");
        let second = server.create_database("second").unwrap();
        assert!(second.ends_with("/second"));
        let data = server.data.clone();
        drop(db);
        assert!(!data.exists(), "the data directory is removed");
        // Nothing listens on the port any more.
        assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
    }
}
