//! The store's use cases end to end on SQLite and on a real PostgreSQL server: importing files
//! (with their events and a strict refusal that keeps nothing), scoring with its steps in order,
//! the transitions between two snapshots, and scoring runs in the background one at a time.
//! Expected placements come from the orders and the default rules, worked out by hand here.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clientele_app::ForecastSettings;
use clientele_app::database::open_store;
use clientele_app::import::{FileImportError, ImportEvent, ImportSettings, import_files};
use clientele_app::score::{ScoreSettings, ScoreStep, Scored, score_store};
use clientele_app::score_runs::{RunState, ScoringRuns, StartError};
use clientele_app::transitions::transitions;
use clientele_core::{Day, Rung};
use clientele_ingest::pipeline::ImportOptions;
use clientele_testdb::{Backend, TestDb};

fn day(y: i32, m: u32, d: u32) -> Day {
    Day::from_ymd(y, m, d).unwrap()
}

/// Three customers: `reg` buys on three days in three months (a regular by the default rules,
/// from the third), `new` once, `late` first on the last order day, 2025-03-20.
const ORDERS: &str = "order_id,customer_id,date,amount\n\
                      r1,reg,2025-01-10,30.00\n\
                      r2,reg,2025-02-10,30.00\n\
                      r3,reg,2025-03-10,30.00\n\
                      n1,new,2025-01-20,12.00\n\
                      l1,late,2025-03-20,8.00\n";

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// No model: statuses from day limits alone, the same on every machine.
fn without_model(as_of: Option<Day>) -> ScoreSettings {
    ScoreSettings {
        as_of,
        forecast: ForecastSettings {
            kind: None,
            ..ForecastSettings::default()
        },
        ..ScoreSettings::default()
    }
}

fn on_rung(scored: &Scored, rung: Rung) -> u64 {
    scored
        .analysis
        .ladder
        .iter()
        .find(|r| r.rung == rung)
        .map_or(0, |r| r.total.customers)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_are_imported_scored_on_two_days_and_compared() {
    for backend in Backend::ALL {
        eprintln!("running on {backend:?}");
        let db = TestDb::new(backend);
        let dir = tempfile::tempdir().unwrap();
        let store = open_store(&db.url).await.unwrap();
        let settings = ImportSettings {
            orders: vec![write(dir.path(), "orders.csv", ORDERS)],
            customers: Some(write(
                dir.path(),
                "customers.csv",
                "customer_id,name\nreg,Regina\nprospect,Pia\n",
            )),
            options: ImportOptions::default(),
        };
        let mut events = Vec::new();
        let rejects = import_files(&store, &settings, &mut |e| {
            events.push(match e {
                ImportEvent::File(f) => format!(
                    "file {} rows, {} inserted, {} new customers",
                    f.report.rows, f.counts.inserted, f.counts.new_customers
                ),
                ImportEvent::Customers {
                    stored, rejected, ..
                } => format!("customers {stored} stored, {rejected} rejected"),
            })
        })
        .await
        .unwrap();
        assert!(rejects.is_empty(), "{rejects:?}");
        assert_eq!(
            events,
            [
                "file 5 rows, 5 inserted, 3 new customers",
                "customers 2 stored, 0 rejected"
            ]
        );
        // Again: nothing new.
        let mut counts = Vec::new();
        import_files(&store, &settings, &mut |e| {
            if let ImportEvent::File(f) = e {
                counts.push((f.counts.inserted, f.counts.unchanged));
            }
        })
        .await
        .unwrap();
        assert_eq!(counts, [(0, 5)]);

        // A strict import of a file with a bad row keeps nothing of it.
        let strict = ImportSettings {
            orders: vec![write(
                dir.path(),
                "bad.csv",
                "order_id,customer_id,date,amount\nx1,extra,2025-03-01,5.00\nx2,extra,2025-02-30,5.00\n",
            )],
            customers: None,
            options: ImportOptions {
                strict: true,
                ..ImportOptions::default()
            },
        };
        let e = import_files(&store, &strict, &mut |_| {})
            .await
            .unwrap_err();
        match e.downcast_ref::<FileImportError>() {
            Some(FileImportError::Strict { first, count, .. }) => {
                assert_eq!(
                    (first.row.line, first.column.as_str(), *count),
                    (3, "date", 1)
                );
            }
            other => panic!("{other:?}: {e:#}"),
        }
        assert_eq!(store.count("order_lines").await.unwrap(), 5);

        // The first snapshot, a month before the last order day, with its steps in order.
        let d = day(2025, 2, 20);
        let steps = std::sync::Mutex::new(Vec::new());
        let first = score_store(&store, &without_model(Some(d)), &|p| {
            steps.lock().unwrap().push((p.step, p.as_of, p.customers));
        })
        .await
        .unwrap();
        assert_eq!(
            steps.into_inner().unwrap(),
            [
                (ScoreStep::Summarising, d, None),
                (ScoreStep::Fitting, d, Some(2)),
                (ScoreStep::Placing, d, Some(2)),
                (ScoreStep::Writing, d, Some(2)),
            ]
        );
        assert_eq!(first.as_of, d);
        // reg has bought on two days by then: a newcomer still, as new is; late and the
        // customers file's prospect have not bought yet.
        assert_eq!(on_rung(&first, Rung::Newcomer), 2);
        assert_eq!(on_rung(&first, Rung::Prospect), 2);
        assert_eq!(on_rung(&first, Rung::Regular), 0);

        // The second, on the last order day: reg is a regular, late has come.
        let second = score_store(&store, &without_model(Some(day(2025, 3, 20))), &|_| {})
            .await
            .unwrap();
        assert_eq!(second.as_of, day(2025, 3, 20));
        assert_eq!(on_rung(&second, Rung::Regular), 1);
        assert_eq!(on_rung(&second, Rung::Newcomer), 2);
        assert_eq!(second.model.note(), None);

        let report = transitions(&store, None, None).await.unwrap();
        let t = &report.transitions;
        assert_eq!((t.from, t.to), (d, day(2025, 3, 20)));
        // late was in the store, without a purchase by the first day: a prospect then.
        assert_eq!(
            t.up, 2,
            "reg: newcomer → regular, late: prospect → newcomer"
        );
        let mut cells: Vec<(Option<Rung>, Option<Rung>, u64)> = t
            .matrix
            .iter()
            .map(|c| (c.from, c.to, c.customers))
            .collect();
        cells.sort();
        assert_eq!(
            cells,
            [
                (Some(Rung::Prospect), Some(Rung::Prospect), 1),
                (Some(Rung::Prospect), Some(Rung::Newcomer), 1),
                (Some(Rung::Newcomer), Some(Rung::Newcomer), 1),
                (Some(Rung::Newcomer), Some(Rung::Regular), 1),
            ]
        );
        let e = transitions(&store, Some(day(2025, 1, 1)), None)
            .await
            .unwrap_err();
        assert!(
            format!("{e:#}")
                .contains("no snapshot on 2025-01-01; snapshots exist on: 2025-02-20, 2025-03-20"),
            "{e:#}"
        );

        // A horizon beyond a century is refused before anything is read.
        let mut far = ScoreSettings::default();
        far.forecast.horizon_days = 40_000.0;
        let e = score_store(&store, &far, &|_| {}).await.unwrap_err();
        let invalid = e.downcast_ref::<clientele_app::InvalidSetting>().unwrap();
        assert_eq!(invalid.field, "horizon");
        store.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scoring_runs_go_one_at_a_time_and_report_how_they_ended() {
    for backend in Backend::ALL {
        eprintln!("running on {backend:?}");
        let db = TestDb::new(backend);
        let dir = tempfile::tempdir().unwrap();
        let store = open_store(&db.url).await.unwrap();
        let runs = ScoringRuns::new();

        let slot = runs.try_hold().unwrap();
        match runs.start(store.clone(), without_model(None), "ada") {
            Err(StartError::Busy { running: None }) => {}
            other => panic!("{other:?}"),
        }
        drop(slot);
        let mut refused = without_model(None);
        refused.forecast.annual_discount_rate = -1.0;
        match runs.start(store.clone(), refused, "ada") {
            Err(StartError::Invalid(e)) => assert_eq!(e.field, "discount_rate"),
            other => panic!("{other:?}"),
        }
        assert_eq!(runs.latest(), None);

        let wait = |id: u64| {
            let runs = runs.clone();
            async move {
                let deadline = Instant::now() + Duration::from_secs(60);
                loop {
                    let status = runs.get(id).unwrap();
                    if matches!(status.state, RunState::Done | RunState::Failed) {
                        return status;
                    }
                    assert!(Instant::now() < deadline, "{status:?}");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        };
        // Nothing to score yet: the run fails and says why.
        let started = runs
            .start(store.clone(), without_model(None), "ada")
            .unwrap();
        assert_eq!((started.id, started.state), (1, RunState::Queued));
        let ended = wait(1).await;
        assert_eq!(ended.state, RunState::Failed, "{ended:?}");
        assert!(ended.error.unwrap().contains("no orders yet"));

        let settings = ImportSettings {
            orders: vec![write(dir.path(), "orders.csv", ORDERS)],
            ..ImportSettings::default()
        };
        import_files(&store, &settings, &mut |_| {}).await.unwrap();
        let started = runs
            .start(store.clone(), without_model(None), "bo")
            .unwrap();
        assert_eq!(started.id, 2);
        let ended = wait(2).await;
        assert_eq!(ended.state, RunState::Done, "{ended:?}");
        // Without an as-of day, today (issue 23: never the last order's day, which may be
        // years ago or, stored before the bounds, in 2999).
        assert_eq!(ended.as_of, Some(clientele_app::clock::today()));
        assert_eq!((ended.customers, ended.written), (Some(3), Some(3)));
        assert_eq!(ended.step, Some(ScoreStep::Writing));
        assert_eq!(ended.started_by, "bo");
        assert_eq!(runs.latest().map(|s| s.id), Some(2));
        // The slot is free once a run has ended (the task drops it as it finishes).
        let deadline = Instant::now() + Duration::from_secs(10);
        while runs.try_hold().is_none() {
            assert!(Instant::now() < deadline, "the slot stays taken");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        store.close().await;
    }
}
