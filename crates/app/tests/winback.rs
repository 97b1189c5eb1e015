//! Campaigns end to end on SQLite and on a real PostgreSQL server, with a true effect planted in
//! the orders: 2,000 scored customers, half held back by a seeded assignment; afterwards the
//! treated buy with probability 0.30 and the control with 0.15 (each customer's draw a fixed
//! function of their id, so the run is the same every time). The report's counts must equal
//! the ones planted, its interval must hold the true uplift of 0.15, and the verdict must be
//! positive — and "too early" while the window runs.

use std::collections::HashMap;

use clientele_app::ForecastSettings;
use clientele_app::database::open_store;
use clientele_app::score::{ScoreSettings, score_store};
use clientele_app::winback::{CampaignSettings, campaign_report, create_campaign};
use clientele_core::uplift::UpliftVerdict;
use clientele_core::winback::CampaignFilter;
use clientele_core::{Day, Money, Status};
use clientele_store::{NewOrderLine, Store};
use clientele_testdb::{Backend, TestDb};

const CUSTOMERS: usize = 2_000;

fn day(y: i32, m: u32, d: u32) -> Day {
    Day::from_ymd(y, m, d).unwrap()
}

fn line(customer: &str, order: &str, d: Day, amount: i64) -> NewOrderLine {
    NewOrderLine {
        customer: customer.into(),
        order_id: Some(order.into()),
        product: "p".into(),
        day: d,
        amount: Money::from_major(amount),
        cost: None,
        quantity: Some(1.0),
        price: None,
        list_price: None,
        category: None,
        full_price: None,
        row_line: 0,
        occurrence: 0,
    }
}

async fn import(store: &Store, lines: &[NewOrderLine]) {
    let mut tx = store.begin_import("planted").await.unwrap();
    tx.add(lines).await.unwrap();
    tx.commit(lines.len() as u64, 0).await.unwrap();
}

/// A uniform draw in [0, 1) fixed by the customer's number (SplitMix64).
fn draw(n: u64) -> f64 {
    let mut z = n.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_planted_uplift_is_found_with_its_interval_and_verdict() {
    for backend in Backend::ALL {
        eprintln!("running on {backend:?}");
        let db = TestDb::new(backend);
        let store = open_store(&db.url).await.unwrap();
        // Everyone bought once in January; scored on 2025-01-31.
        let first: Vec<NewOrderLine> = (0..CUSTOMERS)
            .map(|i| line(&format!("c{i:04}"), &format!("a{i}"), day(2025, 1, 10), 50))
            .collect();
        import(&store, &first).await;
        let settings = ScoreSettings {
            as_of: Some(day(2025, 1, 31)),
            forecast: ForecastSettings {
                kind: None,
                ..ForecastSettings::default()
            },
            ..ScoreSettings::default()
        };
        score_store(&store, &settings, &|_| {}).await.unwrap();

        let campaign = CampaignSettings {
            name: "planted".into(),
            filter: CampaignFilter::default(),
            control_share: 0.5,
            seed: Some(2027),
            start_day: day(2025, 2, 1),
            window_days: 30,
            cost_per_contact: Money::from_major(2),
            created_by: "test".into(),
        };
        // Hostile settings are refused by name.
        for (share, window) in [(0.0, 30), (1.0, 30), (f64::NAN, 30), (0.5, 0), (0.5, 4000)] {
            let bad = CampaignSettings {
                control_share: share,
                window_days: window,
                name: format!("bad {share} {window}"),
                ..campaign.clone()
            };
            let e = create_campaign(&store, &bad).await.unwrap_err();
            assert!(
                e.downcast_ref::<clientele_app::InvalidSetting>().is_some(),
                "{e:#}"
            );
        }
        let lost_only = CampaignSettings {
            name: "nobody".into(),
            filter: CampaignFilter {
                statuses: vec![Status::Lost],
                ..CampaignFilter::default()
            },
            ..campaign.clone()
        };
        assert!(create_campaign(&store, &lost_only).await.is_err());

        let created = create_campaign(&store, &campaign).await.unwrap();
        // Exactly half, by the exact-per-stratum method.
        assert_eq!((created.treated, created.control), (1_000, 1_000));
        assert!(
            create_campaign(&store, &campaign).await.is_err(),
            "the name is taken"
        );

        // The arms, by external id, and the planted purchases in the window.
        let as_of = store.latest_snapshot_day().await.unwrap().unwrap();
        let external: HashMap<i64, String> = store
            .campaign_candidates(as_of)
            .await
            .unwrap()
            .into_iter()
            .map(|c| (c.customer_id, c.external_id))
            .collect();
        let members = store.campaign_members(created.id).await.unwrap();
        assert_eq!(members.len(), CUSTOMERS);
        let (mut bought_treated, mut bought_control) = (0u64, 0u64);
        let mut planted = Vec::new();
        for (id, in_control) in &members {
            let ext = &external[id];
            let n: u64 = ext[1..].parse().unwrap();
            let p = if *in_control { 0.15 } else { 0.30 };
            if draw(n) < p {
                planted.push(line(ext, &format!("b{n}"), day(2025, 2, 10), 100));
                if *in_control {
                    bought_control += 1;
                } else {
                    bought_treated += 1;
                }
            }
        }
        // A purchase after the window does not count.
        planted.push(line("c0000", "late", day(2025, 3, 10), 100));
        import(&store, &planted).await;

        // While the window runs: too early.
        let early = campaign_report(&store, created.id, Some(day(2025, 2, 15)))
            .await
            .unwrap();
        assert_eq!(early.report.verdict, UpliftVerdict::TooEarly);

        let r = campaign_report(&store, created.id, Some(day(2025, 3, 15)))
            .await
            .unwrap();
        let u = &r.report;
        assert_eq!(u.treated.n, 1_000);
        assert_eq!(u.control.n, 1_000);
        assert_eq!(u.treated.converted, bought_treated);
        assert_eq!(u.control.converted, bought_control);
        let (rt, rc) = (bought_treated as f64 / 1e3, bought_control as f64 / 1e3);
        assert!((u.treated.rate.unwrap() - rt).abs() < 1e-12);
        assert!((u.treated.revenue_per_customer.unwrap() - 100.0 * rt).abs() < 1e-9);
        assert!((u.control.revenue_per_customer.unwrap() - 100.0 * rc).abs() < 1e-9);
        let rate = u.rate_uplift.unwrap();
        assert!((rate.difference - (rt - rc)).abs() < 1e-12);
        assert!(
            rate.ci95.contains(0.15),
            "{:?} misses the planted 0.15",
            rate.ci95
        );
        assert!(rate.p_value < 1e-6, "{}", rate.p_value);
        assert_eq!(u.verdict, UpliftVerdict::Positive);
        assert_eq!(u.cost, Money::from_major(2_000));
        let net = u.net_value.unwrap();
        assert!(
            (net - (100.0 * (rt - rc) * 1e3 - 2_000.0)).abs() < 1e-6,
            "{net}"
        );
        store.close().await;
    }
}
