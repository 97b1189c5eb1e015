//! A real Ballista cluster: a scheduler and two executors, each its own process
//! (`clientele-cluster`), on loopback ports picked free; the job's results against the
//! single-machine path, and an executor killed in the middle of a job.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use clientele_engine::job::{self, fit_inputs, scores_by_id};
use clientele_engine::parquet_out::export_order_files;
use clientele_engine::{Engine, EngineError, Session};
use clientele_ingest::pipeline::ImportOptions;
use clientele_models::TransactionKind;

use crate::common::*;

/// A port nobody listens on now (the OS's pick, released at once).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A child process killed when dropped, so a failing test leaves no cluster behind.
struct Node {
    name: String,
    child: Child,
    log: PathBuf,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Node {
    fn start(name: &str, args: &[String], dir: &Path) -> Node {
        let log = dir.join(format!("{name}.log"));
        let out = std::fs::File::create(&log).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_clientele-cluster"))
            .args(args)
            // Ballista's own account (executors lost, tasks reset, fetches failed) in the log a
            // failing test prints.
            .env("CLIENTELE_LOG", "info")
            .stdout(Stdio::from(out.try_clone().unwrap()))
            .stderr(Stdio::from(out))
            .spawn()
            .unwrap();
        Node {
            name: name.to_string(),
            child,
            log,
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits until the node accepts connections on `port`, failing with its log if it exits.
    fn wait_for(&mut self, port: u16) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("{} exited ({status}):\n{}", self.name, self.log());
            }
            assert!(
                Instant::now() < deadline,
                "{} never listened:\n{}",
                self.name,
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// An executor with one task slot for the scheduler on `port`, listening when this returns.
fn start_executor(dir: &Path, port: u16, n: usize) -> (Node, PathBuf) {
    let (flight, grpc) = (free_port(), free_port());
    let work = dir.join(format!("work-{n}"));
    std::fs::create_dir_all(&work).unwrap();
    let mut executor = Node::start(
        &format!("executor-{n}"),
        &[
            "executor".into(),
            "--scheduler".into(),
            format!("127.0.0.1:{port}"),
            "--port".into(),
            flight.to_string(),
            "--grpc-port".into(),
            grpc.to_string(),
            "--concurrent-tasks".into(),
            "1".into(),
            "--work-dir".into(),
            work.display().to_string(),
        ],
        dir,
    );
    executor.wait_for(flight);
    (executor, work)
}

/// A scheduler and two executors, each with one task slot (so both are used).
struct Cluster {
    scheduler: Node,
    executors: Vec<Node>,
    work_dirs: Vec<PathBuf>,
    port: u16,
    dir: tempfile::TempDir,
}

impl Cluster {
    fn start() -> Cluster {
        Cluster::with_executors(2)
    }

    /// A scheduler and `n` executors.
    fn with_executors(n: usize) -> Cluster {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let mut scheduler = Node::start(
            "scheduler",
            &[
                "scheduler".into(),
                "--listen".into(),
                format!("127.0.0.1:{port}"),
                "--executor-timeout".into(),
                "10".into(),
            ],
            dir.path(),
        );
        scheduler.wait_for(port);
        let mut executors = Vec::new();
        let mut work_dirs = Vec::new();
        for n in 0..n {
            let (executor, work) = start_executor(dir.path(), port, n);
            executors.push(executor);
            work_dirs.push(work);
        }
        // Executors register with the scheduler right after they listen.
        std::thread::sleep(Duration::from_secs(2));
        Cluster {
            scheduler,
            executors,
            work_dirs,
            port,
            dir,
        }
    }

    /// One more executor (numbered after the ones started so far), registered when this returns.
    fn add_executor(&mut self) {
        let n = self.work_dirs.len();
        let (executor, work) = start_executor(self.dir.path(), self.port, n);
        self.executors.push(executor);
        self.work_dirs.push(work);
        std::thread::sleep(Duration::from_secs(2));
    }

    fn engine(&self) -> Engine {
        format!("ballista://127.0.0.1:{}", self.port)
            .parse()
            .unwrap()
    }

    fn logs(&self) -> String {
        let mut all = self.scheduler.log();
        for e in &self.executors {
            all.push_str(&e.log());
        }
        all
    }
}

fn parquet_of(dir: &Path, customers: u64, seed: u64) -> (PathBuf, PathBuf) {
    let csv = generated_company(dir, customers, seed);
    let parquet = dir.join(format!("orders-{customers}.parquet"));
    export_order_files(
        std::slice::from_ref(&csv),
        &ImportOptions::default(),
        &parquet,
    )
    .unwrap();
    (csv, parquet)
}

#[test]
fn a_cluster_of_processes_gives_the_single_machine_results() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, parquet) = parquet_of(dir.path(), 3_000, 21);
    let reference = csv_import(std::slice::from_ref(&csv), None);
    let cluster = Cluster::start();
    let paths = vec![parquet];
    let session = Session::open(&cluster.engine(), &paths).unwrap();
    let on_cluster =
        job::import(&session, &paths, None).unwrap_or_else(|e| panic!("{e}\n{}", cluster.logs()));
    assert_same_summaries(&reference, &on_cluster);
    let inputs = fit_inputs(&session, reference.as_of, 1.0)
        .unwrap_or_else(|e| panic!("{e}\n{}", cluster.logs()));
    let (triples, _) = reference_fit_inputs(&reference);
    assert_eq!(inputs.triples, triples);
    let (model, gg) = fit(TransactionKind::MbgNbd, &inputs);
    let spec = analyze_spec(model, gg.as_ref(), Some(0.3));
    let scores = scores_by_id(&session, reference.as_of, &spec)
        .unwrap_or_else(|e| panic!("{e}\n{}", cluster.logs()));
    let identical = assert_scores_match(&reference, &spec, gg.as_ref(), &scores);
    assert_eq!(identical, scores.len(), "every score bit for bit");
    // Both executors ran tasks (each wrote shuffle files): the job was spread over both.
    for work in &cluster.work_dirs {
        let jobs = std::fs::read_dir(work).map_or(0, |d| d.count());
        assert!(
            jobs > 0,
            "{} has no job's files:\n{}",
            work.display(),
            cluster.logs()
        );
    }
}

#[test]
fn a_job_past_its_deadline_is_cancelled_and_fails_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let (_, parquet) = parquet_of(dir.path(), 300, 23);
    // No executor: the scheduler accepts the job and waits for one as long as it takes.
    let cluster = Cluster::with_executors(0);
    let paths = vec![parquet];
    let started = Instant::now();
    let session =
        Session::open_with_timeout(&cluster.engine(), &paths, Duration::from_secs(3)).unwrap();
    let err = job::import(&session, &paths, None).unwrap_err();
    let message = err.to_string();
    assert!(
        matches!(err, EngineError::Deadline { .. }),
        "{message}\n{}",
        cluster.logs()
    );
    assert!(message.contains("did not finish within 3 s"), "{message}");
    assert!(
        message.contains("was cancelled on the scheduler"),
        "{message}\n{}",
        cluster.logs()
    );
    // Three seconds, plus at most the cancel's ten.
    assert!(
        started.elapsed() < Duration::from_secs(13),
        "{:?}",
        started.elapsed()
    );
    // The session's time is spent: a later query fails at once, submitting nothing.
    let before = Instant::now();
    let again = job::as_of_day(&session, None).unwrap_err();
    assert!(
        again.to_string().contains("before this query started"),
        "{again}"
    );
    assert!(before.elapsed() < Duration::from_secs(1));
}

/// How long the kill test's jobs may take: far more than they need (8-40 s, at load 15 on 2
/// cores), far less than a hang the test must not wait out.
const KILL_TEST_DEADLINE: Duration = Duration::from_secs(120);

#[test]
fn an_executor_killed_mid_job_never_gives_wrong_numbers() {
    let dir = tempfile::tempdir().unwrap();
    // Large enough that the job still runs 2.5 s in: an optimised build (the `engine-bench`
    // profile) summarises 40,000 customers in under that.
    let customers = if cfg!(debug_assertions) {
        40_000
    } else {
        400_000
    };
    let (csv, parquet) = parquet_of(dir.path(), customers, 22);
    let reference = csv_import(std::slice::from_ref(&csv), None);
    let mut cluster = Cluster::start();
    let paths = vec![parquet.clone()];
    let engine = cluster.engine();
    let job = std::thread::spawn(move || {
        let session = Session::open_with_timeout(&engine, &paths, KILL_TEST_DEADLINE)?;
        job::import(&session, &paths, None)
    });
    // Kill the second executor while the summary runs (the import's first queries are short).
    std::thread::sleep(Duration::from_millis(2_500));
    assert!(
        !job.is_finished(),
        "the job ended before the kill: make the company larger"
    );
    let victim = cluster.executors.pop().unwrap();
    drop(victim);
    let started = Instant::now();
    let mut stalled = false;
    match job.join().unwrap() {
        Ok(result) => {
            assert_same_summaries(&reference, &result);
            eprintln!(
                "the job completed on the surviving executor in {:?}",
                started.elapsed()
            );
        }
        // Failing clearly is the other honest outcome: the engine's error, or the deadline that
        // cancelled the job on the scheduler. Ballista 55's adaptive planner sometimes never
        // relaunches a finished stage's task the lost executor held (in about 1 run of 10 here,
        // the scheduler's log then says "Reset 1 tasks for successful job/stage"): the deadline
        // ends that job, and no number of it is used.
        Err(e) => {
            let message = e.to_string();
            eprintln!("the job failed after {:?}: {message}", started.elapsed());
            assert!(
                matches!(e, EngineError::Query(_) | EngineError::Deadline { .. }),
                "{message}\n{}",
                cluster.logs()
            );
            stalled = matches!(e, EngineError::Deadline { .. });
        }
    }
    // After such a stall the surviving executor's one task slot is gone for good: the status of
    // its cancelled task arrives for a stage the planner rolled back ("Stage … is not in running
    // when updating the status of tasks"), is dropped, and the slot is never given back, so the
    // scheduler has nowhere to run the next job (CI showed it). An operator restarts the
    // executors that ran a stalled job (ARCHITECTURE.md); here a fresh one joins.
    if stalled {
        cluster.add_executor();
    }
    // The cluster is still usable for the next job, on the executor left.
    let paths = vec![parquet];
    let session =
        Session::open_with_timeout(&cluster.engine(), &paths, KILL_TEST_DEADLINE).unwrap();
    let again =
        job::import(&session, &paths, None).unwrap_or_else(|e| panic!("{e}\n{}", cluster.logs()));
    assert_same_summaries(&reference, &again);
}
