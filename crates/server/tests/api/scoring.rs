//! Scoring runs through the API, on SQLite and on PostgreSQL: an admin starts one, it runs in the
//! background and its progress is followed until it is done (or failed); one run at a time;
//! others get 403 and bad settings 422 with the field. The expected placements are worked out
//! here from the orders and the default rules, not read back from the scoring code.

use std::time::{Duration, Instant};

use clientele_app::score_runs::ScoringRuns;
use clientele_server::Settings;
use clientele_store::{Role, Store};
use clientele_testdb::{Backend, TestDb};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::error_field;

/// A server over a fresh database, with its scoring runs at hand (to hold the scoring slot).
struct ScoringApp {
    base: String,
    client: reqwest::Client,
    store: Store,
    scoring: ScoringRuns,
    backend: Backend,
    shutdown: tokio::sync::oneshot::Sender<()>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    _db: TestDb,
}

impl ScoringApp {
    async fn spawn(backend: Backend) -> ScoringApp {
        let db = TestDb::new(backend);
        let settings = Settings {
            listen: "127.0.0.1:0".parse().unwrap(),
            database_url: db.url.clone(),
            ..Settings::default()
        };
        let server = clientele_server::build(settings)
            .await
            .unwrap_or_else(|e| panic!("{backend:?}: building the server: {e}"));
        let (store, scoring) = (server.store().clone(), server.scoring_runs().clone());
        let base = format!("http://127.0.0.1:{}", server.port());
        let (shutdown, rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(server.run(async {
            let _ = rx.await;
        }));
        ScoringApp {
            base,
            client: reqwest::Client::new(),
            store,
            scoring,
            backend,
            shutdown,
            server,
            _db: db,
        }
    }

    async fn stop(self) {
        let _ = self.shutdown.send(());
        self.server.await.unwrap().unwrap();
        self.store.close().await;
    }

    async fn user(&self, name: &str, role: Role) -> String {
        self.store.add_user(name, role).await.unwrap().token
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> (StatusCode, Value) {
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        let body = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{:?}: not JSON ({e}): {text}", self.backend));
        (status, body)
    }

    async fn start(&self, token: &str, body: &Value) -> (StatusCode, Value) {
        self.send(
            self.client
                .post(format!("{}/api/v1/scoring-runs", self.base))
                .bearer_auth(token)
                .json(body),
        )
        .await
    }

    async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.send(
            self.client
                .get(format!("{}{path}", self.base))
                .bearer_auth(token),
        )
        .await
    }

    /// Follows run `id` until it is done or failed (a minute at most); every answer on the way
    /// is a run in a known state.
    async fn finished(&self, id: i64, token: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let (s, run) = self.get(&format!("/api/v1/scoring-runs/{id}"), token).await;
            assert_eq!(s, StatusCode::OK, "{run}");
            assert_eq!(run["id"], id);
            let state = run["state"].as_str().unwrap().to_string();
            assert!(
                ["queued", "running", "done", "failed"].contains(&state.as_str()),
                "{run}"
            );
            if state == "done" || state == "failed" {
                return run;
            }
            assert!(Instant::now() < deadline, "run {id} still {state}: {run}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The external ids of the customers the latest snapshot lists with `query`.
    async fn customers(&self, query: &str, token: &str) -> Vec<String> {
        let (s, page) = self.get(&format!("/api/v1/customers?{query}"), token).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        let mut ids: Vec<String> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["external_id"].as_str().unwrap().to_string())
            .collect();
        ids.sort();
        ids
    }
}

/// Four customers whose places follow from the default rules: a regular buys on at least 3
/// days in at least 2 months; anyone is lost after 365 days without a purchase, slipping after
/// 90. The last order day is 2025-03-20.
const ORDERS: &str = "order_id,customer_id,date,amount\n\
                      r1,reg,2025-01-10,30.00\n\
                      r2,reg,2025-02-10,30.00\n\
                      r3,reg,2025-03-10,30.00\n\
                      n1,new,2025-03-01,12.00\n\
                      g1,gone,2024-01-05,50.00\n\
                      t1,twice,2025-03-05,8.00\n\
                      t2,twice,2025-03-20,8.00\n";

#[tokio::test]
async fn an_admin_starts_a_scoring_run_and_follows_it_to_the_snapshot() {
    for backend in Backend::ALL {
        eprintln!("running on {backend:?}");
        let app = ScoringApp::spawn(backend).await;
        let admin = app.user("ada", Role::Admin).await;
        let analyst = app.user("ana", Role::Analyst).await;

        let (s, doc) = app.get("/api/openapi.json", "").await;
        assert_eq!(s, StatusCode::OK);
        for path in ["/api/v1/scoring-runs", "/api/v1/scoring-runs/{id}"] {
            assert!(doc["paths"].get(path).is_some(), "{path} is described");
        }

        // An empty store: the run starts, then fails and says why.
        let (s, run) = app.start(&admin, &json!({})).await;
        assert_eq!(s, StatusCode::ACCEPTED, "{run}");
        assert_eq!(run["id"], 1);
        assert_eq!(run["started_by"], "ada");
        let run = app.finished(1, &analyst).await;
        assert_eq!(run["state"], "failed", "{run}");
        assert!(
            run["error"].as_str().unwrap().contains("no orders yet"),
            "{run}"
        );
        assert_eq!(run["written"], Value::Null);

        let (s, imported) = app
            .send(
                app.client
                    .post(format!("{}/api/v1/imports", app.base))
                    .bearer_auth(&analyst)
                    .header("content-type", "text/csv")
                    .body(ORDERS),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{imported}");
        assert_eq!(imported["inserted"], 7, "{imported}");

        // As of the last order day, without a model: statuses from day limits alone.
        let (s, run) = app
            .start(&admin, &json!({"model": "none", "as_of": "2025-03-20"}))
            .await;
        assert_eq!(s, StatusCode::ACCEPTED, "{run}");
        assert_eq!(run["id"], 2);
        let run = app.finished(2, &admin).await;
        assert_eq!(run["state"], "done", "{run}");
        assert_eq!(run["as_of"], "2025-03-20");
        assert_eq!(run["customers"], 4, "{run}");
        assert_eq!(run["written"], 4, "{run}");
        assert_eq!(run["step"], "writing");
        assert_eq!(run["error"], Value::Null);
        assert_eq!(run["model_note"], Value::Null);
        assert_eq!(app.customers("rung=regular", &admin).await, ["reg"]);
        assert_eq!(
            app.customers("rung=newcomer", &admin).await,
            ["gone", "new", "twice"]
        );
        assert_eq!(app.customers("status=lost", &admin).await, ["gone"]);
        assert_eq!(
            app.customers("status=active", &admin).await,
            ["new", "reg", "twice"]
        );

        // On a given day, with a model four customers cannot support: the run says so.
        let (s, run) = app
            .start(
                &admin,
                &json!({"as_of": "2025-03-01", "model": "mbgnbd", "horizon_days": 90,
                        "discount_rate": 0.05}),
            )
            .await;
        assert_eq!(s, StatusCode::ACCEPTED, "{run}");
        assert_eq!(run["as_of"], "2025-03-01");
        let run = app.finished(3, &admin).await;
        assert_eq!(run["state"], "done", "{run}");
        assert_eq!(run["as_of"], "2025-03-01");
        assert!(
            run["model_note"]
                .as_str()
                .unwrap()
                .starts_with("mbgnbd not fitted ("),
            "{run}"
        );
        let (s, ladder) = app.get("/api/v1/ladder?as_of=2025-03-01", &admin).await;
        assert_eq!(s, StatusCode::OK, "{ladder}");
        let scored: u64 = ladder["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["customers"].as_u64().unwrap())
            .sum();
        assert_eq!(run["written"].as_u64(), Some(scored), "{run} {ladder}");

        // Each start is in the audit log with its settings.
        let started: Vec<String> = app
            .store
            .audit_entries(None, 20)
            .await
            .unwrap()
            .into_iter()
            .filter(|(_, _, e)| e.action == "scoring run started")
            .map(|(_, _, e)| e.detail)
            .collect();
        assert_eq!(started.len(), 3, "{started:?}");
        assert!(
            started.iter().any(|d| d
                == "run 3: as of 2025-03-01, model mbgnbd, horizon 90 days, discount rate 0.05"),
            "{started:?}"
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn one_scoring_run_at_a_time_for_admins_only_and_bad_settings_name_their_field() {
    for backend in Backend::ALL {
        eprintln!("running on {backend:?}");
        let app = ScoringApp::spawn(backend).await;
        let admin = app.user("ada", Role::Admin).await;
        let analyst = app.user("ana", Role::Analyst).await;
        let manager = app.user("mila", Role::Manager).await;

        // While the scoring slot is taken, a start is refused and nothing is started.
        let slot = app.scoring.try_hold().expect("no run under way");
        let (s, body) = app.start(&admin, &json!({})).await;
        assert_eq!(s, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["error"]["code"], "conflict");
        assert!(app.scoring.latest().is_none());
        drop(slot);

        // Only admins start runs; managers cannot follow them.
        let (s, body) = app.start(&analyst, &json!({})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(body["error"]["code"], "forbidden");
        let (s, body) = app.start(&manager, &json!({})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
        assert!(app.scoring.latest().is_none());

        let too_long_rules = "#".repeat(70_000);
        for (body, field, says) in [
            (json!({"as_of": "2025-13-01"}), "as_of", "not a date"),
            (json!({"as_of": "yesterday"}), "as_of", "not a date"),
            // Issue 23: a day to come would call every buyer lost.
            (
                json!({"as_of": "2999-12-31"}),
                "as_of",
                "outside 1900-01-01 ..= 2100-12-31",
            ),
            (json!({"as_of": "2100-12-31"}), "as_of", "is after today"),
            (json!({"as_of": "+2024-+1-+1"}), "as_of", "not a date"),
            (json!({"model": "gg"}), "model", "'gg' is not a model"),
            (
                json!({"horizon_days": 40000}),
                "horizon_days",
                "more than a century",
            ),
            (json!({"horizon_days": -1}), "horizon_days", "invalid value"),
            (json!({"horizon_days": 1.5}), "horizon_days", "invalid type"),
            (json!({"discount_rate": -1.5}), "discount_rate", "above -1"),
            (
                json!({"discount_rate": "ten"}),
                "discount_rate",
                "invalid type",
            ),
            (
                json!({"rules": "[ladder]\nperiod = \"decade\"\n"}),
                "rules",
                "ladder.period = 'decade'",
            ),
            (
                json!({"rules": "[status]\nslipping_after_days = 400\n"}),
                "rules",
                "slipping_after_days (400)",
            ),
            (
                json!({"rules": too_long_rules}),
                "rules",
                "longer than 65536 bytes",
            ),
            (json!({"colour": "red"}), "colour", "unknown field"),
        ] {
            let (s, answer) = app.start(&admin, &body).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
            assert_eq!(error_field(&answer), field, "{body}: {answer}");
            let message = answer["error"]["message"].as_str().unwrap();
            assert!(message.contains(says), "{body}: {message}");
        }
        assert!(
            app.scoring.latest().is_none(),
            "no refused start began a run"
        );

        // A run that is not there, and an id that is not one.
        let (s, body) = app.get("/api/v1/scoring-runs/7", &admin).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{body}");
        let (s, body) = app.get("/api/v1/scoring-runs/seven", &admin).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(error_field(&body), "id");

        // A start that is accepted, followed by an analyst but not by a manager.
        let (s, run) = app.start(&admin, &json!({"model": "none"})).await;
        assert_eq!(s, StatusCode::ACCEPTED, "{run}");
        let id = run["id"].as_i64().unwrap();
        let (s, body) = app
            .get(&format!("/api/v1/scoring-runs/{id}"), &manager)
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
        let run = app.finished(id, &analyst).await;
        assert_eq!(
            run["state"], "failed",
            "an empty store has nothing to score: {run}"
        );
        app.stop().await;
    }
}
