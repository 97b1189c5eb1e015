//! Planning a day's contacts for 1M customers through the contact policy with the store's
//! reads (issue 26 item 8: under 5 s). The core's own benchmark (`clientele-core`'s
//! `contact_plan`) times the policy alone; this one times `app::contacts::plan_contacts` as the
//! commands call it: the caps from the store, every customer's consent history, contact details,
//! preferences and rung read from SQLite, the last 30 days of the contact log read as the caps'
//! history, the policy run, and (second timing) the allowed contacts written to the log.
//!
//! Seeds a database once (reused when it holds the same number of customers): customers with a
//! preferred channel for one in three, e-mail consent and address for most, SMS consent and a
//! phone number for a third, a withdrawal for one in twenty, eight time zones and own quiet
//! hours for one in ten, a snapshot with rungs, and two logged contacts per customer over the
//! previous 30 days. Then plans 1.5 requests per customer (offers, reminders, greetings,
//! service notices) for the next day.
//!
//! `PLAN_DB=/tmp/plan.db PLAN_CUSTOMERS=1000000 cargo bench -p clientele-app --bench contact_plan_store`
//! (`PLAN_URL=postgres://...` plans over a PostgreSQL database instead; an empty one is seeded.)

use std::time::Instant;

use clientele_app::contacts::{ContactRequest, PlanSettings, plan_contacts};
use clientele_app::database::open_store;
use clientele_core::Day;
use clientele_core::contact_policy::{ChannelSet, MessageKind, Module, Time};
use clientele_store::Store;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The day planned for, 2024-10-05; the history lies in the 30 days before.
const DAY: i64 = 20_001;
const ZONES: [&str; 8] = [
    "Europe/Moscow",
    "Europe/Kaliningrad",
    "Asia/Yekaterinburg",
    "Asia/Novosibirsk",
    "Asia/Vladivostok",
    "Europe/Berlin",
    "America/New_York",
    "Asia/Tokyo",
];

async fn seed(store: &Store, n: i64) {
    let have: i64 = match store {
        Store::Sqlite(pool) => sqlx::query_scalar("SELECT COUNT(*) FROM customers")
            .fetch_one(pool)
            .await
            .unwrap(),
        Store::Postgres(pool) => sqlx::query_scalar("SELECT COUNT(*) FROM customers")
            .fetch_one(pool)
            .await
            .unwrap(),
    };
    if have == n {
        eprintln!("reusing the seeded database ({n} customers)");
        return;
    }
    assert_eq!(
        have, 0,
        "PLAN_DB holds {have} customers, not {n}: remove it"
    );
    let started = Instant::now();
    // Generated in SQL, one statement per table (the rows the rules below give, in customer
    // order), on either backend. The dialects differ in how they
    // count and pad: SQLite counts with a recursive CTE, PostgreSQL with generate_series.
    let postgres = matches!(store, Store::Postgres(_));
    let numbers = if postgres {
        "WITH n(id) AS (SELECT generate_series(1, $1::bigint))"
    } else {
        "WITH RECURSIVE n(id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM n WHERE id < $1)"
    };
    let pad7 = |column: &str| {
        if postgres {
            format!("lpad({column}::text, 7, '0')")
        } else {
            format!("printf('%07d', {column})")
        }
    };
    let (yes, no) = if postgres {
        ("TRUE", "FALSE")
    } else {
        ("1", "0")
    };
    let zone = ZONES
        .iter()
        .enumerate()
        .map(|(i, z)| format!("WHEN {i} THEN '{z}'"))
        .collect::<Vec<_>>()
        .join(" ");
    let day_start = DAY * 86_400;
    let statements = [
        // A preferred channel for one in three: e-mail or SMS.
        format!(
            "{numbers} INSERT INTO customers (id, external_id, name, created_at, preferred_channel)
             SELECT id, 'C' || {}, 'Customer ' || id, 0,
                    CASE id % 6 WHEN 0 THEN 'email' WHEN 2 THEN 'sms' END FROM n",
            pad7("id")
        ),
        // Consents: e-mail for nine in ten (one in twenty later withdrawn), SMS for a third.
        format!(
            "{numbers} INSERT INTO consents (customer_id, channel, granted, day, source)
             SELECT customer_id, channel, granted, day, 'import' FROM (
               SELECT id AS customer_id, 'email' AS channel, {yes} AS granted, {DAY} - 400 - id % 300 AS day, 1 AS o FROM n WHERE id % 10 <> 0
               UNION ALL SELECT id, 'email', {no}, {DAY} - 50 - id % 40, 2 FROM n WHERE id % 10 <> 0 AND id % 20 = 1
               UNION ALL SELECT id, 'sms', {yes}, {DAY} - 200 - id % 100, 3 FROM n WHERE id % 3 = 0) x
             ORDER BY customer_id, o"
        ),
        format!(
            "{numbers} INSERT INTO customer_contacts (customer_id, channel, value)
             SELECT customer_id, channel, value FROM (
               SELECT id AS customer_id, 'email' AS channel, 'c' || id || '@example.com' AS value FROM n WHERE id % 10 <> 0
               UNION ALL SELECT id, 'phone', '+7900' || {} FROM n WHERE id % 3 = 0) x
             ORDER BY customer_id, channel",
            pad7("id")
        ),
        // Eight time zones, own quiet hours (22:00-08:00) for one in ten.
        format!(
            "{numbers} INSERT INTO contact_preferences (customer_id, time_zone, quiet_start, quiet_end, updated_at)
             SELECT id, CASE id % 8 {zone} END,
                    CASE WHEN id % 10 = 7 THEN 1320 END, CASE WHEN id % 10 = 7 THEN 480 END, 0 FROM n"
        ),
        format!(
            "{numbers} INSERT INTO score_snapshots (as_of, customer_id, rung, status, turn, orders, purchase_days, revenue, profit, scored_at)
             SELECT {DAY} - 1, id,
                    CASE id % 5 WHEN 0 THEN 'newcomer' WHEN 1 THEN 'regular' WHEN 2 THEN 'regular'
                                WHEN 3 THEN 'advocate' ELSE 'visitor' END,
                    'active', 1, 2, 2, 100000, 40000, 0 FROM n"
        ),
        // Two contacts each over the previous 30 days (one in five within the last week).
        format!(
            "{numbers} INSERT INTO contact_log (customer_id, at, channel, direction, subject, kind, module, state)
             SELECT customer_id, at, 'email', 'out', 'seeded', 'offer', 'campaigns', 'sent' FROM (
               SELECT id AS customer_id, {day_start} - (CASE WHEN id % 5 = 0 THEN 3 ELSE 12 END) * 86400 + id % 36000 AS at, 1 AS o FROM n
               UNION ALL SELECT id, {day_start} - (20 + id % 9) * 86400 + id % 36000, 2 FROM n) x
             ORDER BY customer_id, o"
        ),
    ];
    match store {
        Store::Sqlite(pool) => {
            let mut tx = pool.begin().await.unwrap();
            for sql in statements {
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(n)
                    .execute(&mut *tx)
                    .await
                    .unwrap();
            }
            tx.commit().await.unwrap();
        }
        Store::Postgres(pool) => {
            let mut tx = pool.begin().await.unwrap();
            for sql in statements {
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(n)
                    .execute(&mut *tx)
                    .await
                    .unwrap();
            }
            tx.commit().await.unwrap();
            sqlx::query("VACUUM ANALYZE").execute(pool).await.unwrap();
        }
    }
    eprintln!(
        "seeded {n} customers in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// 1.5 requests a customer: every customer an offer or a reminder, every other one a greeting
/// or a service notice as well.
fn requests(n: i64) -> Vec<ContactRequest> {
    let mut out = Vec::with_capacity((n + n / 2) as usize);
    for id in 1..=n {
        let (kind, module) = if id % 2 == 0 {
            (MessageKind::Offer, Module::Campaigns)
        } else {
            (MessageKind::Reminder, Module::Queue)
        };
        out.push(ContactRequest {
            customer_id: id,
            kind,
            module,
            channels: ChannelSet::MESSAGES,
            priority: (id % 7) as i32,
            subject: "Autumn offer".into(),
        });
        if id % 2 == 1 {
            let (kind, module) = if id % 4 == 1 {
                (MessageKind::Greeting, Module::Calendar)
            } else {
                (MessageKind::ServiceNotice, Module::Notices)
            };
            out.push(ContactRequest {
                customer_id: id,
                kind,
                module,
                channels: ChannelSet::MESSAGES,
                priority: 10,
                subject: "Birthday".into(),
            });
        }
    }
    out
}

fn main() {
    let n: i64 = env_or("PLAN_CUSTOMERS", 1_000_000);
    let path: String = env_or("PLAN_DB", "/tmp/clientele-plan-bench.db".to_string());
    // A PostgreSQL database instead (an empty one is seeded; the recorded run's rows are
    // deleted afterwards).
    let postgres: Option<String> = std::env::var("PLAN_URL").ok();
    let runs: usize = env_or("PLAN_RUNS", 3);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let url = postgres.clone().unwrap_or(format!("sqlite://{path}"));
        let store = open_store(&url).await.unwrap();
        seed(&store, n).await;
        let day = Day::from_days_since_epoch(DAY as i32);
        for run in 0..runs {
            let t = Instant::now();
            let inputs = store
                .contact_plan_inputs(day, (DAY - 31) * 86_400, None)
                .await
                .unwrap();
            eprintln!(
                "store reads alone (run {run}): {:.2} s ({} customers, {} counted log rows)",
                t.elapsed().as_secs_f64(),
                inputs.customer_ids.len(),
                inputs.counted.len()
            );
        }
        let settings = |record: bool| PlanSettings {
            requests: requests(n),
            day,
            local_time: Time::constant(10, 0, 0, 0),
            same_day_only: false,
            default_time_zone: "Europe/Moscow".into(),
            record,
            author: "bench".into(),
            user_id: None,
        };
        for run in 0..runs {
            let s = settings(false);
            let t = Instant::now();
            let report = plan_contacts(&store, &s).await.unwrap();
            eprintln!(
                "plan {} requests for {n} customers, store reads, no log writes (run {run}): {:.2} s ({} allowed, {} refused: {:?})",
                s.requests.len(),
                t.elapsed().as_secs_f64(),
                report.allowed,
                report.refused,
                report.by_refusal
            );
        }
        if let Store::Postgres(pool) = &store {
            let s = settings(true);
            let t = Instant::now();
            let report = plan_contacts(&store, &s).await.unwrap();
            eprintln!(
                "plan and record {} requests for {n} customers: {:.2} s ({} allowed written to the log)",
                s.requests.len(),
                t.elapsed().as_secs_f64(),
                report.allowed
            );
            sqlx::query("DELETE FROM contact_log WHERE author = 'bench'")
                .execute(pool)
                .await
                .unwrap();
            store.close().await;
            return;
        }
        // Recording writes the allowed contacts into the log; the database is copied first
        // so the seeded history stays as it was for the next run.
        let copy = format!("{path}.record");
        let _ = std::fs::remove_file(&copy);
        store.close().await;
        std::fs::copy(&path, &copy).unwrap();
        let store = open_store(&format!("sqlite://{copy}")).await.unwrap();
        let s = settings(true);
        let t = Instant::now();
        let report = plan_contacts(&store, &s).await.unwrap();
        eprintln!(
            "plan and record {} requests for {n} customers: {:.2} s ({} allowed written to the log)",
            s.requests.len(),
            t.elapsed().as_secs_f64(),
            report.allowed
        );
        store.close().await;
        let _ = std::fs::remove_file(&copy);
    });
}
