//! Load on the public survey answer page (issue 25, item 8): seeds a SQLite database with
//! customers, a survey and one invitation each (through the store, as `surveys invite` records
//! them), serves it on loopback and posts answers to `POST /s/{secret}` — a random invitation
//! and a random score 0–10 each time, so most posts store a first answer, some change one, and
//! the detractors' and passives' posts open or re-aim a follow-up task in the same transaction.
//! Each answer is one form post answered by the 303 back to the page (the redirect is not
//! followed: it is the next page view, not part of the answer).
//!
//! Open loop at `LOAD_RATE` posts per second (default 500) spread over `LOAD_CONNECTIONS`
//! keep-alive connections (default 16); each latency runs from the post's scheduled send time
//! (so a slow answer that delays the next ones counts against them too). Environment also:
//! `LOAD_INVITATIONS` (default 50,000), `LOAD_SECONDS` (default 10, after a 2 s warm-up).
//! Client and server share the process. Run with `bash bench/survey_answers.sh`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use clientele_server::Settings;
use clientele_store::Store;
use clientele_store::voice::{NewInvitation, NewSurvey, SurveyKind};
use rand::Rng;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// `n` customers (batched inserts), a survey, and an invitation of each; the links' secrets.
async fn seed(store: &Store, n: i64) -> Vec<String> {
    let Store::Sqlite(pool) = store else {
        panic!("the bench seeds SQLite");
    };
    let started = Instant::now();
    let mut tx = pool.begin().await.unwrap();
    const CHUNK: i64 = 5_000;
    let mut start = 1;
    while start <= n {
        let end = (start + CHUNK - 1).min(n);
        let mut q = sqlx::QueryBuilder::new(
            "INSERT INTO customers (id, external_id, name, created_at, preferred_channel) ",
        );
        q.push_values(start..=end, |mut b, id| {
            b.push_bind(id)
                .push_bind(format!("C{id:07}"))
                .push_bind(format!("Customer {id}"))
                .push_bind(0i64)
                .push_bind("email");
        });
        q.build().execute(&mut *tx).await.unwrap();
        start = end + 1;
    }
    tx.commit().await.unwrap();
    let survey = store
        .create_survey(&NewSurvey {
            name: "bench".into(),
            kind: SurveyKind::Nps(clientele_core::nps::NpsScale::ZeroToTen),
            touchpoint: Some("delivery".into()),
            link_days: 30,
            closes_at: None,
            created_by: "bench".into(),
        })
        .await
        .unwrap();
    let now = unix_now();
    let invitations: Vec<NewInvitation> = (1..=n)
        .map(|id| NewInvitation {
            customer_id: id,
            channel: "email".into(),
            send_at: now,
            reason: None,
        })
        .collect();
    let made = store
        .record_invitations(&survey, &invitations, now, i64::MAX, "bench")
        .await
        .unwrap();
    let secrets: Vec<String> = made.into_iter().map(|m| m.unwrap().1).collect();
    eprintln!(
        "seeded {n} customers and invitations in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    secrets
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    f64::from(sorted[i]) / 1000.0
}

/// What one run saw: microseconds per answered post (sorted), failures, seconds.
struct Outcome {
    latencies: Vec<u32>,
    errors: u64,
    elapsed: f64,
}

async fn drive(
    base: &str,
    secrets: Arc<Vec<String>>,
    connections: usize,
    per_second: f64,
    seconds: f64,
) -> Outcome {
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(seconds);
    let interval = Duration::from_secs_f64(connections as f64 / per_second);
    let mut tasks = Vec::new();
    for c in 0..connections {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(1)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let base = base.to_string();
        let secrets = Arc::clone(&secrets);
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0u64;
            let mut scheduled = started + Duration::from_secs_f64(c as f64 / per_second);
            loop {
                tokio::time::sleep_until(scheduled.into()).await;
                if scheduled >= deadline {
                    break;
                }
                let (secret, score) = {
                    let mut rng = rand::rng();
                    (
                        &secrets[rng.random_range(0..secrets.len())],
                        rng.random_range(0..=10u8),
                    )
                };
                let resp = client
                    .post(format!("{base}/s/{secret}"))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(format!("score={score}&comment=bench&lang=en"))
                    .send()
                    .await;
                let answered = match resp {
                    Ok(r) if r.status() == reqwest::StatusCode::SEE_OTHER => {
                        r.bytes().await.is_ok()
                    }
                    _ => false,
                };
                if answered {
                    latencies.push(scheduled.elapsed().as_micros() as u32);
                } else {
                    errors += 1;
                }
                scheduled += interval;
            }
            (latencies, errors)
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await.unwrap();
        latencies.extend(l);
        errors += e;
    }
    latencies.sort_unstable();
    Outcome {
        latencies,
        errors,
        elapsed: started.elapsed().as_secs_f64(),
    }
}

fn main() {
    let invitations: i64 = env_or("LOAD_INVITATIONS", 50_000);
    let rate: f64 = env_or("LOAD_RATE", 500.0);
    let connections: usize = env_or("LOAD_CONNECTIONS", 16);
    let seconds: f64 = env_or("LOAD_SECONDS", 10.0);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("answers.db").display().to_string();
    rt.block_on(async move {
        let store = Store::connect(&format!("sqlite://{db}")).await.unwrap();
        let secrets = Arc::new(seed(&store, invitations).await);
        let settings = Settings {
            listen: "127.0.0.1:0".parse().unwrap(),
            database_url: format!("sqlite://{db}"),
            ..Settings::default()
        };
        let server = clientele_server::build_with_store(store.clone(), settings)
            .await
            .unwrap();
        let base = format!("http://{}", server.local_addr());
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let handle = tokio::spawn(server.run(async {
            let _ = stop_rx.await;
        }));
        drive(&base, Arc::clone(&secrets), connections, rate, 2.0).await;
        let run = drive(&base, Arc::clone(&secrets), connections, rate, seconds).await;
        let lat = &run.latencies;
        println!(
            "survey answers: {invitations} invitations, open loop at {rate:.0}/s, {connections} connections, {seconds} s: {} answers, {:.0} answers/s, {} errors; latency ms p50 {:.2} p90 {:.2} p99 {:.2} max {:.2}",
            lat.len(),
            lat.len() as f64 / run.elapsed,
            run.errors,
            percentile(lat, 0.50),
            percentile(lat, 0.90),
            percentile(lat, 0.99),
            percentile(lat, 1.0),
        );
        let stored = store.surveys().await.unwrap();
        eprintln!(
            "answers stored: {} of {} invitations",
            stored[0].answered, stored[0].invited
        );
        let _ = stop_tx.send(());
        handle.await.unwrap().unwrap();
    });
}
