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
    let Store::Sqlite(pool) = store else {
        panic!("the planning bench seeds SQLite");
    };
    let have: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM customers")
        .fetch_one(pool)
        .await
        .unwrap();
    if have == n {
        eprintln!("reusing the seeded database ({n} customers)");
        return;
    }
    assert_eq!(
        have, 0,
        "PLAN_DB holds {have} customers, not {n}: remove it"
    );
    let started = Instant::now();
    let mut tx = pool.begin().await.unwrap();
    // 4 columns a customer row, 6 a log row: well under SQLite's 32,766 variables.
    const CHUNK: i64 = 1_000;
    let rungs = ["newcomer", "regular", "regular", "advocate", "visitor"];
    let preferred = [Some("email"), None, Some("sms"), None, None, None];
    let day_start = DAY * 86_400;
    let mut start = 1;
    while start <= n {
        let end = (start + CHUNK - 1).min(n);
        let ids: Vec<i64> = (start..=end).collect();
        let mut q = sqlx::QueryBuilder::new(
            "INSERT INTO customers (id, external_id, name, created_at, preferred_channel) ",
        );
        q.push_values(&ids, |mut b, id| {
            b.push_bind(id)
                .push_bind(format!("C{id:07}"))
                .push_bind(format!("Customer {id}"))
                .push_bind(0i64)
                .push_bind(preferred[(id % 6) as usize]);
        });
        q.build().execute(&mut *tx).await.unwrap();

        // Consents: e-mail for nine in ten (one in twenty later withdrawn), SMS for a third.
        let mut consents = Vec::new();
        let mut details = Vec::new();
        for &id in &ids {
            if id % 10 != 0 {
                consents.push((id, "email", true, DAY - 400 - id % 300));
                details.push((id, "email", format!("c{id}@example.com")));
                if id % 20 == 1 {
                    consents.push((id, "email", false, DAY - 50 - id % 40));
                }
            }
            if id % 3 == 0 {
                consents.push((id, "sms", true, DAY - 200 - id % 100));
                details.push((id, "phone", format!("+7900{id:07}")));
            }
        }
        let mut q = sqlx::QueryBuilder::new(
            "INSERT INTO consents (customer_id, channel, granted, day, source) ",
        );
        q.push_values(&consents, |mut b, &(id, channel, granted, day)| {
            b.push_bind(id)
                .push_bind(channel)
                .push_bind(granted)
                .push_bind(day)
                .push_bind("import");
        });
        q.build().execute(&mut *tx).await.unwrap();
        let mut q =
            sqlx::QueryBuilder::new("INSERT INTO customer_contacts (customer_id, channel, value) ");
        q.push_values(&details, |mut b, (id, channel, value)| {
            b.push_bind(*id)
                .push_bind(*channel)
                .push_bind(value.clone());
        });
        q.build().execute(&mut *tx).await.unwrap();

        let mut q = sqlx::QueryBuilder::new(
            "INSERT INTO contact_preferences (customer_id, time_zone, quiet_start, quiet_end, updated_at) ",
        );
        q.push_values(&ids, |mut b, id| {
            let own_quiet = id % 10 == 7;
            b.push_bind(id)
                .push_bind(ZONES[(id % 8) as usize])
                .push_bind(own_quiet.then_some(22 * 60))
                .push_bind(own_quiet.then_some(8 * 60))
                .push_bind(0i64);
        });
        q.build().execute(&mut *tx).await.unwrap();

        let mut q = sqlx::QueryBuilder::new(
            "INSERT INTO score_snapshots (as_of, customer_id, rung, status, turn, orders, purchase_days, revenue, profit, scored_at) ",
        );
        q.push_values(&ids, |mut b, id| {
            b.push_bind(DAY - 1)
                .push_bind(id)
                .push_bind(rungs[(id % 5) as usize])
                .push_bind("active")
                .push_bind(1i64)
                .push_bind(2i64)
                .push_bind(2i64)
                .push_bind(100_000i64)
                .push_bind(40_000i64)
                .push_bind(0i64);
        });
        q.build().execute(&mut *tx).await.unwrap();

        // Two contacts each over the previous 30 days (one in five within the last week).
        let mut q = sqlx::QueryBuilder::new(
            "INSERT INTO contact_log (customer_id, at, channel, direction, subject, kind, module, state) ",
        );
        let log: Vec<(i64, i64)> = ids
            .iter()
            .flat_map(|&id| {
                let recent = if id % 5 == 0 { 3 } else { 12 };
                [(id, recent), (id, 20 + id % 9)]
            })
            .collect();
        q.push_values(&log, |mut b, &(id, days_ago)| {
            b.push_bind(id)
                .push_bind(day_start - days_ago * 86_400 + (id % 36_000))
                .push_bind("email")
                .push_bind("out")
                .push_bind("seeded")
                .push_bind("offer")
                .push_bind("campaigns")
                .push_bind("sent");
        });
        q.build().execute(&mut *tx).await.unwrap();
        start = end + 1;
    }
    tx.commit().await.unwrap();
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
    let runs: usize = env_or("PLAN_RUNS", 3);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = open_store(&format!("sqlite://{path}")).await.unwrap();
        seed(&store, n).await;
        let settings = |record: bool| PlanSettings {
            requests: requests(n),
            day: Day::from_days_since_epoch(DAY as i32),
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
