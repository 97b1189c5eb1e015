//! Integration tests of the generated files: determinism, consistency between the files, the
//! statistics of the known process, dirty rows, returns and prices.

use std::collections::{HashMap, HashSet};

use clientele_core::Day;
use clientele_synth::{
    CATEGORIES, ConfigError, ContactChannel, HOLIDAY_SHARE, NOTE_SHARE, OTHER_CONSENT_SHARE,
    PREFERRED_CHANNEL_SHARES, PREFERRED_CONSENT_SHARE, SynthConfig, SynthStats, TWO_HOLIDAYS_SHARE,
    TWO_NOTES_SHARE, WITHDRAWN_SHARE, dossier, write_customers, write_orders, write_truth,
};

/// Tolerances, each derived from the standard error of the quantity it bounds (about four
/// standard errors, so a correct generator fails less than once in ten thousand seeds; the
/// seeds are fixed anyway, so the tests are deterministic).
mod tol {
    /// Relative error of mean λ over 50,000 customers: sd(λ)/E[λ] = 1/√r = 1.15, so the standard
    /// error is 1.15/√50,000 = 0.52 %.
    pub const MEAN_LAMBDA_REL: f64 = 0.025;
    /// Absolute error of mean p over 50,000 customers: sd(p) = 0.207, standard error 0.00092.
    pub const MEAN_P_ABS: f64 = 0.004;
    /// Relative error of mean ν over 50,000 customers: sd/mean = 1/√q = 0.5, standard error 0.22 %.
    pub const MEAN_NU_REL: f64 = 0.01;
    /// Standard deviations allowed between a binomial count and its expectation.
    pub const BINOMIAL_SD: f64 = 4.5;
}

fn orders(cfg: &SynthConfig) -> (String, SynthStats) {
    let mut out = Vec::new();
    let stats = write_orders(cfg, &mut out).unwrap();
    (String::from_utf8(out).unwrap(), stats)
}

fn customers(cfg: &SynthConfig) -> String {
    let mut out = Vec::new();
    write_customers(cfg, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn truth(cfg: &SynthConfig) -> String {
    let mut out = Vec::new();
    write_truth(cfg, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// Data rows split into fields (no generated field contains a comma or a quote).
fn rows(csv: &str) -> Vec<Vec<&str>> {
    csv.lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect()
}

/// "-12.05" → -1205.
fn kopecks(text: &str) -> i64 {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, frac) = digits.split_once('.').expect("two decimals");
    assert_eq!(frac.len(), 2, "{text}");
    let k = whole.parse::<i64>().unwrap() * 100 + frac.parse::<i64>().unwrap();
    if negative { -k } else { k }
}

fn iso(text: &str) -> Option<Day> {
    let mut parts = text.split('-');
    let y = parts.next()?.parse().ok()?;
    let m = parts.next()?.parse().ok()?;
    let d = parts.next()?.parse().ok()?;
    Day::from_ymd(y, m, d).ok()
}

/// |count − n·p| within the tolerance for a binomial(n, p).
fn assert_binomial(what: &str, count: u64, n: u64, p: f64) {
    let expected = n as f64 * p;
    let sd = (n as f64 * p * (1.0 - p)).sqrt();
    assert!(
        (count as f64 - expected).abs() <= tol::BINOMIAL_SD * sd,
        "{what}: {count} vs expected {expected:.0} ± {:.0}",
        tol::BINOMIAL_SD * sd
    );
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let cfg = SynthConfig::new(2_000, 7);
    assert_eq!(orders(&cfg).0, orders(&cfg).0);
    assert_eq!(customers(&cfg), customers(&cfg));
    assert_eq!(truth(&cfg), truth(&cfg));
    let other = SynthConfig::new(2_000, 8);
    assert_ne!(orders(&cfg).0, orders(&other).0);
    assert_ne!(customers(&cfg), customers(&other));
    assert_ne!(truth(&cfg), truth(&other));
}

#[test]
fn a_customer_does_not_depend_on_how_many_others_there_are() {
    // Per-customer streams: the first 500 customers of a 1,000-customer company are the
    // 500-customer company.
    let small = truth(&SynthConfig::new(500, 3));
    let large = truth(&SynthConfig::new(1_000, 3));
    assert!(large.starts_with(&small));
}

#[test]
fn files_agree_about_who_bought_and_how_often() {
    let cfg = SynthConfig::new(3_000, 11);
    let (orders_csv, stats) = orders(&cfg);
    let customers_csv = customers(&cfg);
    let truth_csv = truth(&cfg);

    let ids: Vec<&str> = rows(&customers_csv).iter().map(|r| r[0]).collect();
    assert_eq!(ids.len() as u64, cfg.customers + cfg.prospects);
    assert_eq!(
        ids.iter().collect::<HashSet<_>>().len(),
        ids.len(),
        "ids unique"
    );
    let buyers: HashSet<&str> = ids[..cfg.customers as usize].iter().copied().collect();

    let mut order_days: HashMap<&str, HashSet<&str>> = HashMap::new();
    for r in rows(&orders_csv) {
        assert_eq!(r.len(), 10);
        if r[1].is_empty() || iso(r[2]).is_none() || r[0].starts_with('R') {
            continue;
        }
        assert!(buyers.contains(r[1]), "{} bought but is not a buyer", r[1]);
        order_days.entry(r[1]).or_default().insert(r[2]);
    }
    assert_eq!(order_days.len(), buyers.len(), "every buyer has orders");

    let mut purchases = 0;
    for r in rows(&truth_csv) {
        assert!(buyers.contains(r[0]));
        purchases += r[5].parse::<u64>().unwrap();
        let days: usize = r[6].parse().unwrap();
        assert_eq!(order_days[r[0]].len(), days, "purchase days of {}", r[0]);
    }
    assert_eq!(purchases, stats.purchases);

    // Referrals point to buyers with a smaller id; non-buyers never have NPS.
    for r in rows(&customers_csv) {
        if !r[6].is_empty() {
            assert!(buyers.contains(r[6]));
            assert!(r[6] < r[0] || !buyers.contains(r[0]));
        }
        if !buyers.contains(r[0]) {
            assert!(r[5].is_empty());
        }
    }
}

#[test]
fn latent_parameters_have_their_population_means() {
    let cfg = SynthConfig::new(50_000, 2024);
    let csv = truth(&cfg);
    let rows = rows(&csv);
    let mean = |col: usize| {
        rows.iter()
            .map(|r| r[col].parse::<f64>().unwrap())
            .sum::<f64>()
            / rows.len() as f64
    };
    let (lambda, p, nu) = (mean(1), mean(2), mean(3));
    let process = cfg.process;
    let want_lambda = process.r / process.alpha;
    let want_p = process.a / (process.a + process.b);
    let want_nu = cfg.spend.q / cfg.spend.gamma;
    assert!(
        (lambda / want_lambda - 1.0).abs() < tol::MEAN_LAMBDA_REL,
        "{lambda} vs {want_lambda}"
    );
    assert!((p - want_p).abs() < tol::MEAN_P_ABS, "{p} vs {want_p}");
    assert!(
        (nu / want_nu - 1.0).abs() < tol::MEAN_NU_REL,
        "{nu} vs {want_nu}"
    );

    // Dropout days are purchase days inside the window; customers never buy after dropping out.
    for r in &rows {
        if let Some(day) = iso(r[4]) {
            assert!(day >= cfg.start && day <= cfg.end);
            assert!(
                r[5].parse::<u32>().unwrap() >= 2,
                "dropout only after a repeat purchase"
            );
        }
    }
}

#[test]
fn heavier_buyers_are_likelier_promoters() {
    let cfg = SynthConfig::new(20_000, 5);
    let truth_csv = truth(&cfg);
    let purchases: HashMap<&str, u32> = rows(&truth_csv)
        .iter()
        .map(|r| (r[0], r[5].parse().unwrap()))
        .collect();
    let customers_csv = customers(&cfg);
    let (mut one, mut heavy) = ((0, 0), (0, 0));
    for r in rows(&customers_csv) {
        let Ok(score) = r[5].parse::<u8>() else {
            continue;
        };
        let bucket = match purchases[r[0]] {
            1 => &mut one,
            n if n >= 6 => &mut heavy,
            _ => continue,
        };
        bucket.0 += u32::from(score >= 9);
        bucket.1 += 1;
    }
    let share = |(promoters, answers): (u32, u32)| f64::from(promoters) / f64::from(answers);
    assert!(share(heavy) > share(one) + 0.2, "{heavy:?} vs {one:?}");
}

#[test]
fn dirty_rows_come_in_every_kind_at_the_configured_rate() {
    let cfg = SynthConfig {
        dirty_rate: 0.05,
        ..SynthConfig::new(10_000, 99)
    };
    let (csv, stats) = orders(&cfg);
    let per_kind = cfg.dirty_rate / 5.0;
    let d = stats.dirty;
    for (what, count) in [
        ("missing customer", d.missing_customer),
        ("impossible date", d.impossible_date),
        ("not a date", d.not_a_date),
        ("bad amount", d.bad_amount),
        ("duplicate", d.duplicate),
    ] {
        assert_binomial(what, count, stats.orders, per_kind);
    }

    // The counts describe the file.
    let (mut missing, mut impossible, mut not_a_date, mut bad_amount, mut duplicate) =
        (0, 0, 0, 0, 0);
    let mut seen = HashSet::new();
    for line in csv.lines().skip(1) {
        let r: Vec<&str> = line.split(',').collect();
        if !seen.insert(line) {
            duplicate += 1;
        } else if r[1].is_empty() {
            missing += 1;
        } else if r[2] == "not a date" {
            not_a_date += 1;
        } else if r[2].contains('.') {
            let dmy: Vec<u32> = r[2].split('.').map(|x| x.parse().unwrap()).collect();
            assert!(
                Day::from_ymd(dmy[2] as i32, dmy[1], dmy[0]).is_err(),
                "{line}"
            );
            impossible += 1;
        } else if r[8] == "abc" {
            bad_amount += 1;
        } else {
            assert!(iso(r[2]).is_some(), "{line}");
        }
    }
    assert_eq!(
        (missing, impossible, not_a_date, bad_amount, duplicate),
        (
            d.missing_customer,
            d.impossible_date,
            d.not_a_date,
            d.bad_amount,
            d.duplicate
        )
    );
    assert_eq!(
        stats.lines,
        stats.orders + stats.returns + stats.dirty.total()
    );
    assert_eq!(csv.lines().count() as u64, stats.lines + 1);

    // Good order ids are unique; only the re-exported duplicates repeat one.
    let ids: HashSet<&str> = rows(&csv).iter().map(|r| r[0]).collect();
    assert_eq!(ids.len() as u64, stats.lines - d.duplicate);
}

#[test]
fn returns_are_negative_later_and_never_after_the_end() {
    let cfg = SynthConfig {
        return_rate: 0.2,
        dirty_rate: 0.0,
        ..SynthConfig::new(5_000, 42)
    };
    let (csv, stats) = orders(&cfg);
    assert_binomial("returns", stats.returns, stats.orders, cfg.return_rate);
    let rows = rows(&csv);
    let originals: HashMap<&str, &Vec<&str>> = rows
        .iter()
        .filter(|r| r[0].starts_with('O'))
        .map(|r| (r[0], r))
        .collect();
    let mut returned = 0;
    for r in rows.iter().filter(|r| r[0].starts_with('R')) {
        let original = originals[&r[0][1..]];
        assert_eq!(r[1], original[1], "same customer");
        let (day, ordered) = (iso(r[2]).unwrap(), iso(original[2]).unwrap());
        assert!(day <= cfg.end);
        assert!(day > ordered || day == cfg.end, "{r:?} after {original:?}");
        assert!(day.days_since(ordered) <= 30);
        let (amount, cost, quantity) = (kopecks(r[8]), kopecks(r[9]), r[6].parse::<i64>().unwrap());
        assert!(amount < 0 && cost < 0 && quantity < 0, "{r:?}");
        assert!(-amount <= kopecks(original[8]));
        assert!(-quantity <= original[6].parse().unwrap());
        returned += amount;
    }
    assert_eq!(stats.returned.units(), returned * 100);
}

#[test]
fn prices_discounts_and_costs_add_up_to_the_kopeck() {
    let cfg = SynthConfig {
        dirty_rate: 0.0,
        return_rate: 0.0,
        ..SynthConfig::new(5_000, 77)
    };
    let (csv, stats) = orders(&cfg);
    let margins: HashMap<&str, i64> = CATEGORIES
        .iter()
        .map(|c| (c.name, c.margin_percent))
        .collect();
    let mut discounted = 0;
    let mut revenue = 0;
    for r in rows(&csv) {
        let quantity: i64 = r[6].parse().unwrap();
        assert!((1..=5).contains(&quantity));
        let (list, amount, cost) = (kopecks(r[7]), kopecks(r[8]), kopecks(r[9]));
        let full = list * quantity;
        assert!(amount > 0 && amount <= full, "{r:?}");
        if amount < full {
            discounted += 1;
            // At most 30 % off, give or take the half kopeck per unit of rounding the list price.
            assert!(amount * 100 >= full * 70 - 50 * quantity, "{r:?}");
        }
        assert_eq!(cost, (amount * (100 - margins[r[4]]) + 50) / 100, "{r:?}");
        revenue += amount;
    }
    assert_binomial("discounted", discounted, stats.orders, 0.30);
    assert_eq!(stats.revenue.units(), revenue * 100);
}

#[test]
fn spend_matches_the_gamma_gamma_mean() {
    // Mean order value p·gamma/(q − 1) = 2,500; sd of the order mean over ~40,000 orders of
    // 10,000 customers is dominated by the between-customer spread, about 1.5 %.
    let (_, stats) = orders(&SynthConfig::new(10_000, 13));
    let mean = stats.revenue.to_f64() / stats.orders as f64;
    assert!((mean / 2_500.0 - 1.0).abs() < 0.06, "{mean}");
}

#[test]
fn invalid_configurations_are_refused() {
    let bad_rate = SynthConfig {
        return_rate: 1.5,
        ..SynthConfig::default()
    };
    assert!(matches!(
        bad_rate.validate(),
        Err(ConfigError::NotAShare {
            name: "return_rate",
            ..
        })
    ));
    let mut negative = SynthConfig::default();
    negative.process.alpha = -1.0;
    assert!(matches!(
        negative.validate(),
        Err(ConfigError::NotPositive {
            name: "process.alpha",
            ..
        })
    ));
    let window = SynthConfig {
        acquisition_days: 1_000,
        ..SynthConfig::default()
    };
    assert!(matches!(window.validate(), Err(ConfigError::Window { .. })));
    let err = write_orders(&window, Vec::new()).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
}

#[test]
fn defaults_are_the_documented_company() {
    let cfg = SynthConfig::default();
    assert_eq!(cfg.start.to_string(), "2023-01-01");
    assert_eq!(cfg.end.to_string(), "2024-12-31");
    assert_eq!(cfg.prospects, cfg.customers / 5);
    assert!(cfg.validate().is_ok());
}

#[test]
fn dossiers_are_reproducible_and_have_their_documented_shares() {
    let cfg = SynthConfig::new(40_000, 5);
    let people = cfg.customers + cfg.prospects;
    assert_eq!(dossier(&cfg, 123), dossier(&cfg, 123));
    assert_ne!(
        (0..50).map(|i| dossier(&cfg, i)).collect::<Vec<_>>(),
        (0..50)
            .map(|i| dossier(&SynthConfig::new(40_000, 6), i))
            .collect::<Vec<_>>()
    );
    let mut preferred = [0u64; 4];
    let (mut preferred_consents, mut with_preference) = (0, 0);
    let (mut other_consents, mut other_channels) = (0, 0);
    let (mut granted, mut withdrawn) = (0, 0);
    let (mut one_holiday_or_more, mut two_holidays) = (0, 0);
    let (mut buyers_with_notes, mut buyers_with_two_notes) = (0, 0);
    for index in 0..people {
        let d = dossier(&cfg, index);
        if let Some(p) = d.preferred_channel {
            preferred[ContactChannel::ALL.iter().position(|&c| c == p).unwrap()] += 1;
            with_preference += 1;
        }
        for channel in ContactChannel::ALL {
            let records: Vec<_> = d.consents.iter().filter(|c| c.channel == channel).collect();
            let given = records.first().is_some_and(|c| c.granted);
            if Some(channel) == d.preferred_channel {
                preferred_consents += u64::from(given);
            } else {
                other_channels += 1;
                other_consents += u64::from(given);
            }
            match records.as_slice() {
                [] => {}
                [first] => {
                    assert!(first.granted, "a lone record is a consent");
                    granted += 1;
                }
                [first, second] => {
                    assert!(first.granted && !second.granted, "{records:?}");
                    assert!(
                        first.day <= second.day,
                        "withdrawn before given: {records:?}"
                    );
                    granted += 1;
                    withdrawn += 1;
                }
                more => panic!("at most two records per channel: {more:?}"),
            }
            for c in records {
                assert!(
                    cfg.start <= c.day && c.day <= cfg.end,
                    "{c:?} outside the window"
                );
            }
        }
        one_holiday_or_more += u64::from(!d.holidays.is_empty());
        two_holidays += u64::from(d.holidays.len() == 2);
        if d.holidays.len() == 2 {
            assert_ne!(d.holidays[0], d.holidays[1]);
        }
        if index < cfg.customers {
            buyers_with_notes += u64::from(!d.notes.is_empty());
            buyers_with_two_notes += u64::from(d.notes.len() == 2);
        } else {
            assert!(
                d.notes.is_empty(),
                "person {index} never bought but has notes"
            );
        }
    }
    for (i, share) in PREFERRED_CHANNEL_SHARES.iter().enumerate() {
        assert_binomial("preferred channel", preferred[i], people, *share);
    }
    assert_binomial(
        "consent on the preferred channel",
        preferred_consents,
        with_preference,
        PREFERRED_CONSENT_SHARE,
    );
    assert_binomial(
        "consent on another channel",
        other_consents,
        other_channels,
        OTHER_CONSENT_SHARE,
    );
    assert_binomial("withdrawn consents", withdrawn, granted, WITHDRAWN_SHARE);
    assert_binomial("holidays", one_holiday_or_more, people, HOLIDAY_SHARE);
    assert_binomial("two holidays", two_holidays, people, TWO_HOLIDAYS_SHARE);
    assert_binomial("notes", buyers_with_notes, cfg.customers, NOTE_SHARE);
    assert_binomial(
        "two notes",
        buyers_with_two_notes,
        cfg.customers,
        TWO_NOTES_SHARE,
    );
}
