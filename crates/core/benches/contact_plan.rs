//! Planning a day's contacts for 1M customers through the contact policy (issue 26 item 8:
//! well under 5 s). Run: `cargo bench -p clientele-core --bench contact_plan`
//! (`CLIENTELE_BENCH_CUSTOMERS` to change the number of customers).

use std::time::Instant;

use clientele_core::Rung;
use clientele_core::contact_policy::{
    Channel, ChannelSet, ContactHistory, ContactProfile, ContactRecord, ContactRules, MessageKind,
    Module, PlannedContact, Timestamp, plan, time_zone,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn main() {
    let customers: usize = std::env::var("CLIENTELE_BENCH_CUSTOMERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let mut rng = StdRng::seed_from_u64(42);
    let zones: Vec<_> = [
        "Europe/Moscow",
        "Europe/Kaliningrad",
        "Asia/Yekaterinburg",
        "Asia/Novosibirsk",
        "Asia/Vladivostok",
        "Europe/Berlin",
        "America/New_York",
        "UTC",
    ]
    .iter()
    .map(|z| time_zone(z).unwrap())
    .collect();
    let profiles: Vec<ContactProfile> = (0..customers)
        .map(|_| {
            let consented = ChannelSet::of(
                Channel::ALL
                    .into_iter()
                    .filter(|_| rng.random::<f64>() < 0.5),
            );
            ContactProfile {
                consented,
                reachable: ChannelSet::of([Channel::Email, Channel::Sms, Channel::Phone]),
                preferred: Some(Channel::ALL[rng.random_range(0..5)]),
                time_zone: zones[rng.random_range(0..zones.len())].clone(),
                quiet_hours: None,
                rung: Some(Rung::ALL[rng.random_range(0..5)]),
            }
        })
        .collect();
    // The day planned: 2025-03-03 (UTC), history over the 30 days before and planned ahead.
    let day_start = "2025-03-03T00:00:00Z"
        .parse::<Timestamp>()
        .unwrap()
        .as_second();
    let at = |s: i64| Timestamp::from_second(s).unwrap();
    let mut records = Vec::new();
    for c in 0..customers as u32 {
        for _ in 0..rng.random_range(0..5) {
            let t = day_start - rng.random_range(0..30 * 86_400) + rng.random_range(0..86_400);
            let kind = MessageKind::ALL[rng.random_range(0..7)];
            records.push((c, ContactRecord { at: at(t), kind }));
        }
    }
    let mut contacts = Vec::new();
    for c in 0..customers as u32 {
        for _ in 0..rng.random_range(1..3) {
            contacts.push(PlannedContact {
                customer: c,
                kind: MessageKind::ALL[rng.random_range(0..7)],
                module: Module::ALL[rng.random_range(0..8)],
                wanted_at: at(day_start + rng.random_range(0..86_400)),
                deadline: None,
                channels: ChannelSet::MESSAGES,
                priority: rng.random_range(0..4),
            });
        }
    }
    let rules = ContactRules::default();
    println!(
        "{customers} customers, {} history records, {} planned contacts",
        records.len(),
        contacts.len()
    );
    for run in 1..=3 {
        let start = Instant::now();
        let history = ContactHistory::new(customers, records.iter().copied()).unwrap();
        let grouped = start.elapsed();
        let decisions = plan(&contacts, &profiles, &history, &rules);
        let total = start.elapsed();
        let sent = decisions.iter().filter(|d| d.is_send()).count();
        println!(
            "run {run}: history grouped in {:.3} s, planned in {:.3} s (total {:.3} s); {sent} sent, {} refused",
            grouped.as_secs_f64(),
            (total - grouped).as_secs_f64(),
            total.as_secs_f64(),
            decisions.len() - sent
        );
    }
}
