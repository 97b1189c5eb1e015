//! Hand-computed cases, pinned hashes and simulations with a known effect for the campaign
//! statistics. Reference values: `src/reference/uplift.py` and
//! `src/reference/assignment_hash.py` (independent implementations in Python/mpmath).

// Reference values are written with the 17 significant digits the reference printed.
#![allow(clippy::excessive_precision)]

use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::*;
use crate::tolerances::{CLOSED_FORM, COVERAGE_95, ITERATIVE};
use crate::{Day, Money};

fn close(actual: f64, expected: f64, tol: f64) {
    assert!(
        (actual - expected).abs() <= tol * expected.abs().max(1.0),
        "{actual} is not {expected} (tolerance {tol})"
    );
}

fn arm(n: u64, converted: u64, amount: i64) -> ArmOutcome {
    let mut a = ArmOutcome::default();
    for i in 0..n {
        let c = i < converted;
        a.add(
            c,
            if c {
                Money::from_major(amount)
            } else {
                Money::ZERO
            },
        );
    }
    a
}

fn outcome(treated: ArmOutcome, control: ArmOutcome) -> CampaignOutcome {
    CampaignOutcome {
        treated,
        control,
        cost: Money::from_major(1000),
        window_last_day: Day::from_days_since_epoch(20_000),
        as_of: Day::from_days_since_epoch(20_001),
    }
}

#[test]
fn hash_is_pinned() {
    let cases = [
        (0, "", 0x4821_8226_ff3c_d4bf),
        (42, "C1", 0x7b9f_5a35_81ce_636e),
        (42, "C2", 0x929d_5895_646d_548a),
        (7, "customer-000123", 0x8dad_d57b_ced5_ccd4),
        (7, "Ольга", 0xe999_4d8b_0dcf_3322),
    ];
    for (seed, id, expected) in cases {
        assert_eq!(assignment_hash(seed, id), expected, "{seed} {id}");
    }
}

#[test]
fn control_share_validation() {
    assert_eq!(ControlShare::new(0.1).unwrap().millionths(), 100_000);
    assert_eq!(ControlShare::new(1.0).unwrap().get(), 1.0);
    for bad in [-0.01, 1.01, f64::NAN, f64::INFINITY] {
        assert!(ControlShare::new(bad).is_err());
    }
    assert!(ControlShare::from_millionths(1_000_001).is_none());
}

#[test]
fn exact_shares_per_stratum_by_largest_remainder() {
    // 10% of strata of 25, 25 and 50: exact 2.5, 2.5, 5 → total round(10) = 10; the
    // remainders tie, the smaller stratum key gets the extra one: 3, 2, 5.
    let ids: Vec<String> = (0..100).map(|i| format!("C{i}")).collect();
    let customers: Vec<(&str, u8)> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            (
                id.as_str(),
                if i < 25 {
                    0
                } else if i < 50 {
                    1
                } else {
                    2
                },
            )
        })
        .collect();
    let share = ControlShare::new(0.1).unwrap();
    let arms = assign_control(&customers, share, 9, AssignmentMethod::ExactPerStratum).unwrap();
    let per_stratum = |s: u8| {
        customers
            .iter()
            .zip(&arms)
            .filter(|(c, a)| c.1 == s && **a == Arm::Control)
            .count()
    };
    assert_eq!((per_stratum(0), per_stratum(1), per_stratum(2)), (3, 2, 5));
    // The control of a stratum is its smallest hashes.
    let mut stratum2: Vec<(u64, Arm)> = customers
        .iter()
        .zip(&arms)
        .filter(|(c, _)| c.1 == 2)
        .map(|(c, a)| (assignment_hash(9, c.0), *a))
        .collect();
    stratum2.sort();
    assert!(stratum2[..5].iter().all(|x| x.1 == Arm::Control));
    assert!(stratum2[5..].iter().all(|x| x.1 == Arm::Treated));
    // Input order does not matter.
    let mut reversed = customers.clone();
    reversed.reverse();
    let mut again = assign_control(&reversed, share, 9, AssignmentMethod::ExactPerStratum).unwrap();
    again.reverse();
    assert_eq!(again, arms);
    // Another seed, another draw.
    assert_ne!(
        assign_control(&customers, share, 10, AssignmentMethod::ExactPerStratum).unwrap(),
        arms
    );
}

#[test]
fn assignment_edge_cases() {
    let one = [("a", ())];
    let half = ControlShare::new(0.5).unwrap();
    // round(0.5) = 1 (half up).
    assert_eq!(
        assign_control(&one, half, 1, AssignmentMethod::ExactPerStratum).unwrap(),
        [Arm::Control]
    );
    let none: [(&str, ()); 0] = [];
    assert!(
        assign_control(&none, half, 1, AssignmentMethod::ExactPerStratum)
            .unwrap()
            .is_empty()
    );
    let all = ControlShare::new(1.0).unwrap();
    let zero = ControlShare::new(0.0).unwrap();
    let many = [("a", 1), ("b", 2), ("c", 2)];
    for method in [
        AssignmentMethod::ExactPerStratum,
        AssignmentMethod::StableThreshold,
    ] {
        assert!(
            assign_control(&many, all, 3, method)
                .unwrap()
                .iter()
                .all(|a| *a == Arm::Control)
        );
        assert!(
            assign_control(&many, zero, 3, method)
                .unwrap()
                .iter()
                .all(|a| *a == Arm::Treated)
        );
    }
    assert_eq!(
        assign_control(
            &[("a", 1), ("b", 1), ("a", 2)],
            half,
            1,
            AssignmentMethod::ExactPerStratum
        ),
        Err(AssignmentError::DuplicateCustomer("a".into()))
    );
}

#[test]
fn adding_customers_moves_existing_ones_in_one_direction() {
    let ids: Vec<String> = (0..1000).map(|i| format!("K{i:05}")).collect();
    let share = ControlShare::new(0.3).unwrap();
    let first: Vec<(&str, ())> = ids[..800].iter().map(|s| (s.as_str(), ())).collect();
    let all: Vec<(&str, ())> = ids.iter().map(|s| (s.as_str(), ())).collect();
    let before = assign_control(&first, share, 5, AssignmentMethod::ExactPerStratum).unwrap();
    let after = assign_control(&all, share, 5, AssignmentMethod::ExactPerStratum).unwrap();
    let to_control = (0..800).filter(|&i| before[i] == Arm::Treated && after[i] == Arm::Control);
    let to_treated = (0..800).filter(|&i| before[i] == Arm::Control && after[i] == Arm::Treated);
    let (up, down) = (to_control.count(), to_treated.count());
    assert!(up == 0 || down == 0, "moved both ways: {up} {down}");
    assert!(up + down <= 201);
    // The threshold method never moves anyone.
    let stable_before =
        assign_control(&first, share, 5, AssignmentMethod::StableThreshold).unwrap();
    let stable_after = assign_control(&all, share, 5, AssignmentMethod::StableThreshold).unwrap();
    assert_eq!(stable_before[..], stable_after[..800]);
}

/// Over 2,000 seeds each customer is held back with probability ≈ the share, and the
/// threshold method's realised share varies as a binomial should.
#[test]
fn simulated_assignment_is_fair() {
    let ids: Vec<String> = (0..200).map(|i| format!("C{i}")).collect();
    let customers: Vec<(&str, u8)> = ids
        .iter()
        .map(|s| (s.as_str(), (s.len() % 3) as u8))
        .collect();
    let share = ControlShare::new(0.2).unwrap();
    let mut first_held = 0;
    let mut last_held = 0;
    let mut realised = Vec::new();
    for seed in 0..2000 {
        let exact =
            assign_control(&customers, share, seed, AssignmentMethod::ExactPerStratum).unwrap();
        assert_eq!(exact.iter().filter(|a| **a == Arm::Control).count(), 40);
        first_held += usize::from(exact[0] == Arm::Control);
        last_held += usize::from(exact[199] == Arm::Control);
        let stable =
            assign_control(&customers, share, seed, AssignmentMethod::StableThreshold).unwrap();
        realised.push(stable.iter().filter(|a| **a == Arm::Control).count() as f64 / 200.0);
    }
    // Binomial(2000, 0.2): sd 17.9; ±3 sd.
    for held in [first_held, last_held] {
        assert!((346..=454).contains(&held), "held back {held} of 2000");
    }
    // Mean of 2000 binomial shares: sd √(0.16/200/2000) = 0.00063; spread √(0.16/200) = 0.0283.
    let mean = realised.iter().sum::<f64>() / 2000.0;
    let sd = (realised.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / 1999.0).sqrt();
    assert!((mean - 0.2).abs() < 0.0019, "mean share {mean}");
    assert!((sd - 0.0283).abs() < 0.0028, "sd of share {sd}");
}

#[test]
fn report_by_hand() {
    // Treated 40 of 200 converted, control 20 of 200, 100 each; cost 1000.
    let r = uplift_report(
        &outcome(arm(200, 40, 100), arm(200, 20, 100)),
        &UpliftOptions::default(),
    );
    assert_eq!(
        (r.treated.n, r.treated.converted, r.treated.rate),
        (200, 40, Some(0.2))
    );
    assert_eq!(r.control.rate, Some(0.1));
    assert_eq!(r.treated.revenue_per_customer, Some(20.0));
    assert_eq!(r.treated.revenue_total, Money::from_major(4000));
    let rate = r.rate_uplift.unwrap();
    close(rate.difference, 0.1, CLOSED_FORM);
    close(rate.ci95.lo, 0.030_029_022_527_831_247, CLOSED_FORM);
    close(rate.ci95.hi, 0.169_870_393_060_925_59, CLOSED_FORM);
    close(rate.p_value, 0.005_101_399_646_004_981_1, CLOSED_FORM);
    let revenue = r.revenue_uplift.unwrap();
    close(revenue.difference, 10.0, CLOSED_FORM);
    close(revenue.std_error, 3.544_406_025_041_679_5, CLOSED_FORM);
    close(revenue.df.unwrap(), 369.065_281_899_109_79, CLOSED_FORM);
    close(revenue.ci95.lo, 3.030_235_547_598_335_4, ITERATIVE);
    close(revenue.ci95.hi, 16.969_764_452_401_665, ITERATIVE);
    close(revenue.p_value, 0.005_040_832_886_652_146, ITERATIVE);
    close(r.net_value.unwrap(), 1000.0, CLOSED_FORM);
    let net = r.net_value_ci95.unwrap();
    close(net.lo, -393.952_890_480_332_93, ITERATIVE);
    close(net.hi, 2_393.952_890_480_332_9, ITERATIVE);
    assert_eq!(r.verdict, UpliftVerdict::Positive);
}

#[test]
fn verdicts() {
    let options = UpliftOptions::default();
    let verdict = |o: CampaignOutcome| uplift_report(&o, &options).verdict;
    // The window's last day is not over yet.
    let mut early = outcome(arm(200, 40, 100), arm(200, 20, 100));
    early.as_of = early.window_last_day;
    assert_eq!(verdict(early), UpliftVerdict::TooEarly);
    // The mirror image is negative.
    assert_eq!(
        verdict(outcome(arm(200, 20, 100), arm(200, 40, 100))),
        UpliftVerdict::Negative
    );
    // 10,000 a side, 10% each: interval about ±0.0083, inside ±0.02.
    assert_eq!(
        verdict(outcome(arm(10_000, 1000, 50), arm(10_000, 1000, 50))),
        UpliftVerdict::NoEffect
    );
    // 100 a side, 10% each: interval about ±0.085, cannot tell.
    assert_eq!(
        verdict(outcome(arm(100, 10, 50), arm(100, 10, 50))),
        UpliftVerdict::TooSmall
    );
    // 29 in control: below the minimum arm size, however clear the data look.
    assert_eq!(
        verdict(outcome(arm(500, 500, 50), arm(29, 0, 0))),
        UpliftVerdict::TooSmall
    );
}

#[test]
fn degenerate_arms_never_give_nan() {
    let options = UpliftOptions::default();
    // Both arms empty.
    let r = uplift_report(
        &outcome(ArmOutcome::default(), ArmOutcome::default()),
        &options,
    );
    assert_eq!(
        (r.treated.rate, r.treated.revenue_per_customer),
        (None, None)
    );
    assert_eq!(
        (r.rate_uplift, r.revenue_uplift, r.net_value),
        (None, None, None)
    );
    assert_eq!(r.verdict, UpliftVerdict::TooSmall);
    // An empty control.
    let r = uplift_report(&outcome(arm(100, 10, 5), ArmOutcome::default()), &options);
    assert_eq!((r.rate_uplift, r.verdict), (None, UpliftVerdict::TooSmall));
    // One customer each: a rate difference, no revenue variance.
    let r = uplift_report(&outcome(arm(1, 1, 5), arm(1, 0, 0)), &options);
    assert_eq!(r.rate_uplift.unwrap().difference, 1.0);
    assert!(r.revenue_uplift.is_none());
    // All converted in both arms at the same amount: no difference, p = 1, finite interval.
    let r = uplift_report(&outcome(arm(50, 50, 10), arm(50, 50, 10)), &options);
    let rate = r.rate_uplift.unwrap();
    assert_eq!((rate.difference, rate.p_value), (0.0, 1.0));
    assert!(rate.ci95.lo.is_finite() && rate.ci95.hi.is_finite());
    let revenue = r.revenue_uplift.unwrap();
    assert_eq!((revenue.difference, revenue.p_value), (0.0, 1.0));
    assert_eq!(r.net_value, Some(-1000.0));
    assert_eq!(r.verdict, UpliftVerdict::TooSmall);
    // Nobody converted anywhere.
    let r = uplift_report(&outcome(arm(300, 0, 0), arm(300, 0, 0)), &options);
    assert_eq!(r.rate_uplift.unwrap().p_value, 1.0);
}

/// Standard normal draw (Box–Muller), so the test needs no distribution crate.
fn normal(rng: &mut StdRng) -> f64 {
    let u: f64 = 1.0 - rng.random::<f64>();
    let v: f64 = rng.random();
    (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
}

/// 2,000 seeded campaigns of 600 customers with a 40% control: each assigned with
/// `assign_control`, each customer converting with 15% (treated) or 10% (control) and spending
/// a log-normal amount (median 50, σ = 0.8: a long right tail) when they do. The true rate
/// uplift is 0.05 and the true revenue uplift 0.05 × 50 e^{0.32} = 3.4428 per customer; both
/// 95% intervals cover them 93.5–96.5% of the time.
#[test]
fn simulated_campaigns_cover_the_true_uplift() {
    let ids: Vec<String> = (0..600).map(|i| format!("C{i}")).collect();
    let customers: Vec<(&str, ())> = ids.iter().map(|s| (s.as_str(), ())).collect();
    let share = ControlShare::new(0.4).unwrap();
    let mean_spend = 50.0 * (0.32f64).exp();
    let true_rate = 0.05;
    let true_revenue = 0.05 * mean_spend;
    let mut rng = StdRng::seed_from_u64(2024);
    let (mut rate_covered, mut revenue_covered) = (0, 0);
    for seed in 0..2000 {
        let arms =
            assign_control(&customers, share, seed, AssignmentMethod::ExactPerStratum).unwrap();
        let (mut treated, mut control) = (ArmOutcome::default(), ArmOutcome::default());
        for a in arms {
            let p = if a == Arm::Treated { 0.15 } else { 0.10 };
            let converted = rng.random::<f64>() < p;
            let spend = if converted {
                Money::from_f64_rounded(50.0 * (0.8 * normal(&mut rng)).exp())
            } else {
                Money::ZERO
            };
            match a {
                Arm::Treated => treated.add(converted, spend),
                Arm::Control => control.add(converted, spend),
            }
        }
        assert_eq!((treated.n(), control.n()), (360, 240));
        let r = uplift_report(&outcome(treated, control), &UpliftOptions::default());
        rate_covered += usize::from(r.rate_uplift.unwrap().ci95.contains(true_rate));
        revenue_covered += usize::from(r.revenue_uplift.unwrap().ci95.contains(true_revenue));
    }
    let (rate, revenue) = (
        rate_covered as f64 / 2000.0,
        revenue_covered as f64 / 2000.0,
    );
    assert!(COVERAGE_95.contains(&rate), "rate coverage {rate}");
    assert!(COVERAGE_95.contains(&revenue), "revenue coverage {revenue}");
}

proptest! {
    #[test]
    fn reports_are_finite(
        nt in 0u64..400, ct in 0u64..400, nc in 0u64..400, cc in 0u64..400, amount in 0i64..10_000
    ) {
        let (ct, cc) = (ct.min(nt), cc.min(nc));
        let r = uplift_report(&outcome(arm(nt, ct, amount), arm(nc, cc, amount)), &UpliftOptions::default());
        if let Some(d) = r.rate_uplift {
            prop_assert!(d.difference.is_finite() && (0.0..=1.0).contains(&d.p_value));
            prop_assert!(-1.0 <= d.ci95.lo && d.ci95.lo <= d.difference && d.difference <= d.ci95.hi && d.ci95.hi <= 1.0);
        }
        if let Some(d) = r.revenue_uplift {
            prop_assert!(d.difference.is_finite() && d.ci95.lo.is_finite() && d.ci95.hi.is_finite());
            prop_assert!((0.0..=1.0).contains(&d.p_value));
        }
        prop_assert!(r.net_value.is_none_or(f64::is_finite));
    }

    #[test]
    fn exact_quota_per_stratum(sizes in proptest::collection::vec(0usize..40, 1..6), share in 0u32..=1_000_000, seed: u64) {
        let ids: Vec<(String, usize)> = sizes
            .iter()
            .enumerate()
            .flat_map(|(s, &n)| (0..n).map(move |i| (format!("{s}-{i}"), s)))
            .collect();
        let customers: Vec<(&str, usize)> = ids.iter().map(|(id, s)| (id.as_str(), *s)).collect();
        let share = ControlShare::from_millionths(share).unwrap();
        let arms = assign_control(&customers, share, seed, AssignmentMethod::ExactPerStratum).unwrap();
        let total: u64 = sizes.iter().map(|&n| n as u64).sum();
        let target = (total * u64::from(share.millionths()) + 500_000) / 1_000_000;
        prop_assert_eq!(arms.iter().filter(|a| **a == Arm::Control).count() as u64, target);
        for (s, &n) in sizes.iter().enumerate() {
            let held = customers.iter().zip(&arms).filter(|(c, a)| c.1 == s && **a == Arm::Control).count() as u64;
            let exact = n as u64 * u64::from(share.millionths());
            prop_assert!(held * 1_000_000 >= exact.saturating_sub(999_999) && held * 1_000_000 <= exact + 999_999);
        }
    }
}
