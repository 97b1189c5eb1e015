//! Hand-computed cases, properties and simulations for the NPS and CSAT statistics. Reference
//! values with many digits come from `src/reference/nps.py` (mpmath, 50 digits); the short
//! ones are worked out in the comments.

// Reference values are written with the 17 significant digits the reference printed.
#![allow(clippy::excessive_precision)]

use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::*;
use crate::Day;
use crate::inference::Proportion;
use crate::tolerances::{CLOSED_FORM, COVERAGE_95, ITERATIVE};

fn close(actual: f64, expected: f64, tol: f64) {
    assert!(
        (actual - expected).abs() <= tol * expected.abs().max(1.0),
        "{actual} is not {expected} (tolerance {tol})"
    );
}

fn counts(promoters: u64, passives: u64, detractors: u64) -> NpsCounts {
    NpsCounts {
        promoters,
        passives,
        detractors,
        on_one_to_ten: 0,
    }
}

fn rating(score: u32) -> NpsRating {
    NpsRating::new(score, NpsScale::ZeroToTen).unwrap()
}

fn day(y: i32, m: u32, d: u32) -> Day {
    Day::from_ymd(y, m, d).unwrap()
}

#[test]
fn scales_and_classification() {
    let cases = [
        (0, NpsCategory::Detractor),
        (6, NpsCategory::Detractor),
        (7, NpsCategory::Passive),
        (8, NpsCategory::Passive),
        (9, NpsCategory::Promoter),
        (10, NpsCategory::Promoter),
    ];
    for (score, category) in cases {
        assert_eq!(rating(score).category(), category);
    }
    // The 1–10 scale has the same cut points and no 0.
    let one = NpsRating::new(1, NpsScale::OneToTen).unwrap();
    assert_eq!(one.category(), NpsCategory::Detractor);
    assert_eq!(
        NpsRating::new(9, NpsScale::OneToTen).unwrap().category(),
        NpsCategory::Promoter
    );
    assert!(NpsRating::new(0, NpsScale::OneToTen).is_err());
    assert!(NpsRating::new(11, NpsScale::ZeroToTen).is_err());
    assert!(NpsRating::new(256, NpsScale::ZeroToTen).is_err());
    assert!(NpsRating::new(u32::MAX, NpsScale::OneToTen).is_err());
    let c = NpsCounts::tally([one, rating(10), rating(8)]);
    assert_eq!((c.n(), c.on_one_to_ten), (3, 1));
}

#[test]
fn report_of_a_mixed_sample_by_hand() {
    // 50 promoters, 30 passives, 20 detractors: NPS = 50 − 20 = 30; variance of one answer
    // 0.5 + 0.2 − 0.3² = 0.61; SE = 100 √(0.61/100) = 7.8102...; margin 1.96 SE = 15.3078.
    let r = NpsReport::new(counts(50, 30, 20), &SurveyOptions::default());
    let s = r.shares.unwrap();
    assert_eq!((s.promoters, s.passives, s.detractors), (0.5, 0.3, 0.2));
    let e = r.estimate.unwrap();
    close(e.nps, 30.0, CLOSED_FORM);
    close(e.std_error, 7.810_249_675_906_654_4, CLOSED_FORM);
    close(e.margin_of_error, 15.307_808_075_042_672, CLOSED_FORM);
    close(e.ci95.lo, 14.692_191_924_957_328, CLOSED_FORM);
    close(e.ci95.hi, 45.307_808_075_042_672, CLOSED_FORM);
    assert_eq!(e.band, NpsBand::KnownMustImprove);
    assert!(e.band_settled);
}

#[test]
fn interval_is_clamped_to_plus_minus_100() {
    // 29 promoters, 1 detractor: NPS 93.33, margin 12.85, upper end 106.18 → 100.
    let e = NpsReport::new(counts(29, 0, 1), &SurveyOptions::default())
        .estimate
        .unwrap();
    close(e.nps, 93.333_333_333_333_333, CLOSED_FORM);
    close(e.margin_of_error, 12.846_807_114_502_384, CLOSED_FORM);
    close(e.ci95.lo, 80.486_526_218_830_949, CLOSED_FORM);
    assert_eq!(e.ci95.hi, 100.0);
}

#[test]
fn degenerate_samples_have_defined_answers() {
    let options = SurveyOptions::default();
    // No answers: no shares, no score.
    let empty = NpsReport::new(NpsCounts::default(), &options);
    assert_eq!((empty.shares, empty.estimate), (None, None));
    assert_eq!(NpsCounts::default().observed_nps(), None);
    // 29 answers: shares, but "not enough answers".
    let few = NpsReport::new(counts(29, 0, 0), &options);
    assert!(few.shares.is_some() && !few.enough());
    assert_eq!(counts(29, 0, 0).observed_nps(), Some(100.0));
    // All promoters / all detractors: ±100, no spread, the interval is the point.
    let all = NpsReport::new(counts(40, 0, 0), &options).estimate.unwrap();
    assert_eq!(
        (all.nps, all.std_error, all.ci95.lo, all.ci95.hi),
        (100.0, 0.0, 100.0, 100.0)
    );
    assert_eq!((all.band, all.band_settled), (NpsBand::Favourite, true));
    let none = NpsReport::new(counts(0, 0, 30), &options).estimate.unwrap();
    assert_eq!(
        (none.nps, none.ci95.lo, none.band),
        (-100.0, -100.0, NpsBand::NotValued)
    );
    // All passives: NPS 0 with no spread.
    let flat = NpsReport::new(counts(0, 35, 0), &options).estimate.unwrap();
    assert_eq!((flat.nps, flat.std_error), (0.0, 0.0));
    // A single answer, when the minimum is set to 1 (0 means 1 too).
    for min_answers in [0, 1] {
        let one = SurveyOptions {
            min_answers,
            ..options
        };
        let e = NpsReport::new(counts(0, 0, 1), &one).estimate.unwrap();
        assert_eq!((e.nps, e.std_error), (-100.0, 0.0));
        assert!(
            NpsReport::new(NpsCounts::default(), &one)
                .estimate
                .is_none()
        );
    }
}

#[test]
fn band_boundaries() {
    assert_eq!(NpsBand::of(50.000_001), NpsBand::Favourite);
    assert_eq!(NpsBand::of(50.0), NpsBand::KnownMustImprove);
    assert_eq!(NpsBand::of(10.0), NpsBand::KnownMustImprove);
    assert_eq!(NpsBand::of(9.999_999), NpsBand::NotValued);
    assert_eq!(NpsBand::of(-100.0), NpsBand::NotValued);
    // NPS exactly 50 from counts (n = 40: 25 promoters, 5 detractors) is "must improve"; its
    // interval reaches above 50, so the band is not settled.
    let e = NpsReport::new(counts(25, 10, 5), &SurveyOptions::default())
        .estimate
        .unwrap();
    assert_eq!(e.nps, 50.0);
    assert_eq!((e.band, e.band_settled), (NpsBand::KnownMustImprove, false));
}

#[test]
fn change_between_two_samples_by_hand() {
    // Base 50/30/20 (NPS 30), other 60/25/15 (NPS 45): Δ = 15; SE = √(7.8102² + 7.3993²) =
    // 10.7587, interval 15 ± 21.087; pooled 110/200 promoters, 35/200 detractors:
    // V₀ = 0.725 − 0.375² = 0.584375, SE₀ = 100 √(V₀ · 0.02) = 10.8109, z = 1.3875.
    let c = compare_nps(
        &counts(50, 30, 20),
        &counts(60, 25, 15),
        &SurveyOptions::default(),
    )
    .unwrap();
    close(c.delta, 15.0, CLOSED_FORM);
    close(c.ci95.lo, -6.086_698_615_367_579, CLOSED_FORM);
    close(c.ci95.hi, 36.086_698_615_367_579, CLOSED_FORM);
    close(c.p_value, 0.165_291_828_435_391_76, CLOSED_FORM);
    assert!(!c.significant);
    // Reversed: Δ changes sign, p stays.
    let r = compare_nps(
        &counts(60, 25, 15),
        &counts(50, 30, 20),
        &SurveyOptions::default(),
    )
    .unwrap();
    close(r.delta, -15.0, CLOSED_FORM);
    close(r.p_value, c.p_value, CLOSED_FORM);
    // A large change is significant.
    let big = compare_nps(
        &counts(20, 30, 50),
        &counts(60, 25, 15),
        &SurveyOptions::default(),
    )
    .unwrap();
    assert!(big.significant && big.p_value < 1e-6);
}

#[test]
fn change_of_degenerate_samples() {
    let options = SurveyOptions::default();
    // Both all promoters: Δ = 0, p = 1 (no NaN from 0/0).
    let same = compare_nps(&counts(40, 0, 0), &counts(50, 0, 0), &options).unwrap();
    assert_eq!(
        (same.delta, same.p_value, same.significant),
        (0.0, 1.0, false)
    );
    // All detractors → all promoters: Δ = 200, unpooled SE 0, pooled SE > 0: p tiny.
    let flip = compare_nps(&counts(0, 0, 40), &counts(40, 0, 0), &options).unwrap();
    assert_eq!(
        (flip.delta, flip.ci95.lo, flip.ci95.hi),
        (200.0, 200.0, 200.0)
    );
    assert!(flip.significant && flip.p_value < 1e-15);
    // Too few answers on either side: no change is reported.
    assert!(compare_nps(&counts(29, 0, 0), &counts(40, 0, 0), &options).is_none());
    assert!(compare_nps(&counts(40, 0, 0), &NpsCounts::default(), &options).is_none());
}

#[test]
fn latest_answer_per_respondent_and_period() {
    let a = |respondent: u32, d: Day, seq: i64, score: u32| Answer {
        respondent,
        day: d,
        seq,
        score: rating(score),
    };
    let answers = vec![
        a(1, day(2024, 1, 10), 5, 3),
        a(2, day(2024, 1, 11), 1, 10),
        a(1, day(2024, 1, 12), 9, 9), // respondent 1's latest in January
        a(1, day(2024, 1, 12), 2, 5),
        a(1, day(2024, 2, 1), 1, 0),  // February
        a(2, day(2024, 1, 11), 1, 7), // full tie with the 10: later in input wins
    ];
    let by_month = latest_per_respondent(answers.clone(), Some(PeriodKind::Month));
    let kept: Vec<(u32, u8)> = by_month
        .iter()
        .map(|x| (x.respondent, x.score.score().get()))
        .collect();
    assert_eq!(kept, vec![(1, 9), (1, 0), (2, 7)]);
    // Over the whole range: one answer each, the latest.
    let whole = latest_per_respondent(answers, None);
    let kept: Vec<(u32, u8)> = whole
        .iter()
        .map(|x| (x.respondent, x.score.score().get()))
        .collect();
    assert_eq!(kept, vec![(1, 0), (2, 7)]);
    assert!(latest_per_respondent(Vec::<Answer<u32, NpsRating>>::new(), None).is_empty());
}

#[test]
fn period_keys() {
    let m = PeriodKey::of(day(2024, 3, 31), PeriodKind::Month);
    assert_eq!(m.to_string(), "2024-03");
    assert_eq!(
        (m.first_day(), m.last_day()),
        (Some(day(2024, 3, 1)), Some(day(2024, 3, 31)))
    );
    assert_eq!(m.next().to_string(), "2024-04");
    let q = PeriodKey::of(day(2024, 12, 31), PeriodKind::Quarter);
    assert_eq!(q.to_string(), "2024-Q4");
    assert_eq!(q.first_day(), Some(day(2024, 10, 1)));
    assert_eq!(q.last_day(), Some(day(2024, 12, 31)));
    assert_eq!(q.next().to_string(), "2025-Q1");
    assert_eq!(q.next().previous(), q);
    let feb = PeriodKey::of(day(2024, 2, 1), PeriodKind::Month);
    assert_eq!(feb.last_day(), Some(day(2024, 2, 29)));
    // Before 1970 too.
    assert_eq!(
        PeriodKey::of(day(1969, 12, 31), PeriodKind::Quarter).to_string(),
        "1969-Q4"
    );
}

#[test]
fn trend_shows_empty_periods_and_changes() {
    let options = SurveyOptions::default();
    let mut answers = Vec::new();
    // January: 40 answers, 20 promoters 10 passives 10 detractors (NPS 25);
    // February: none; March: respondents answer twice, only the second counts: 40 promoters.
    for r in 0..40u32 {
        let score = if r < 20 {
            10
        } else if r < 30 {
            7
        } else {
            2
        };
        answers.push(Answer {
            respondent: r,
            day: day(2024, 1, 15),
            seq: 0,
            score: rating(score),
        });
        answers.push(Answer {
            respondent: r,
            day: day(2024, 3, 1),
            seq: 0,
            score: rating(0),
        });
        answers.push(Answer {
            respondent: r,
            day: day(2024, 3, 2),
            seq: 0,
            score: rating(9),
        });
    }
    let rows = nps_trend(answers.clone(), PeriodKind::Month, &options);
    let labels: Vec<String> = rows.iter().map(|r| r.period.to_string()).collect();
    assert_eq!(labels, ["2024-01", "2024-02", "2024-03"]);
    assert_eq!(rows[0].report.estimate.unwrap().nps, 25.0);
    assert_eq!(rows[1].report.counts.n(), 0);
    assert!(rows[1].report.estimate.is_none());
    assert_eq!(rows[2].report.estimate.unwrap().nps, 100.0);
    assert!(rows.iter().all(|r| r.change.is_none()));
    // By quarter: January and March are one quarter; each respondent's latest (the 9) counts.
    let q = nps_trend(answers, PeriodKind::Quarter, &options);
    assert_eq!(q.len(), 1);
    assert_eq!(q[0].report.counts, counts(40, 0, 0));
    assert!(
        nps_trend(
            Vec::<Answer<u32, NpsRating>>::new(),
            PeriodKind::Month,
            &options
        )
        .is_empty()
    );
}

#[test]
fn consecutive_periods_are_compared() {
    let options = SurveyOptions::default();
    let mut answers = Vec::new();
    let mut push = |month: u32, c: NpsCounts| {
        let scores = std::iter::repeat_n(10, c.promoters as usize)
            .chain(std::iter::repeat_n(8, c.passives as usize))
            .chain(std::iter::repeat_n(0, c.detractors as usize));
        for (r, s) in scores.enumerate() {
            answers.push(Answer {
                respondent: r,
                day: day(2024, month, 3),
                seq: 0,
                score: rating(s),
            });
        }
    };
    push(1, counts(50, 30, 20));
    push(2, counts(60, 25, 15));
    let rows = nps_trend(answers, PeriodKind::Month, &options);
    let expected = compare_nps(&counts(50, 30, 20), &counts(60, 25, 15), &options);
    assert_eq!(rows[1].change, expected);
    assert!(rows[0].change.is_none());
}

#[test]
fn groups_are_compared_with_the_rest() {
    let options = SurveyOptions::default();
    let mut items = Vec::new();
    for (group, c) in [
        ("a", counts(50, 30, 20)),
        ("b", counts(60, 25, 15)),
        ("c", counts(3, 0, 0)),
    ] {
        for _ in 0..c.promoters {
            items.push((group, rating(9)));
        }
        for _ in 0..c.passives {
            items.push((group, rating(7)));
        }
        for _ in 0..c.detractors {
            items.push((group, rating(6)));
        }
    }
    let rows = nps_by_group(items, &options);
    let groups: Vec<&str> = rows.iter().map(|r| r.group).collect();
    assert_eq!(groups, ["a", "b", "c"]);
    // a against b + c = 63/25/15.
    assert_eq!(
        rows[0].vs_rest,
        compare_nps(&counts(63, 25, 15), &counts(50, 30, 20), &options)
    );
    assert!(rows[2].vs_rest.is_none() && !rows[2].report.enough());
}

#[test]
fn csat_by_hand() {
    // Scores 1, 2, 3, 3, 4, 4, 4, 5, 5, 5: mean 3.6, s² = 16.4/9, satisfied 6/10.
    let c = CsatCounts {
        by_score: [1, 1, 2, 3, 3],
    };
    let options = SurveyOptions {
        min_answers: 10,
        ..SurveyOptions::default()
    };
    let r = CsatReport::new(c, &options);
    let e = r.estimate.unwrap();
    close(e.mean, 3.6, CLOSED_FORM);
    close(e.mean_ci95.lo, 2.634_341_776_133_632_2, ITERATIVE);
    close(e.mean_ci95.hi, 4.565_658_223_866_367_8, ITERATIVE);
    assert_eq!(e.satisfied_share, 0.6);
    assert_eq!(
        Some(e.satisfied_ci95),
        Proportion::new(6, 10).unwrap().wilson_95()
    );
    assert!(CsatScore::new(0).is_err() && CsatScore::new(6).is_err() && CsatScore::new(5).is_ok());
    assert_eq!(
        CsatCounts::tally([CsatScore::new(4).unwrap()]).satisfied(),
        1
    );
    // Degenerate: nothing, one answer, all fives.
    let none = CsatReport::new(CsatCounts::default(), &options);
    assert_eq!(
        (none.mean, none.satisfied_share, none.estimate),
        (None, None, None)
    );
    let one = CsatReport::new(
        CsatCounts {
            by_score: [0, 0, 0, 0, 1],
        },
        &SurveyOptions {
            min_answers: 1,
            ..options
        },
    );
    assert_eq!((one.mean, one.estimate), (Some(5.0), None));
    let fives = CsatReport::new(
        CsatCounts {
            by_score: [0, 0, 0, 0, 40],
        },
        &options,
    )
    .estimate
    .unwrap();
    assert_eq!((fives.mean_ci95.lo, fives.mean_ci95.hi), (5.0, 5.0));
    assert_eq!(fives.satisfied_ci95.hi, 1.0);
}

#[test]
fn csat_change() {
    let options = SurveyOptions::default();
    let before = CsatCounts {
        by_score: [10, 10, 20, 30, 30],
    };
    let after = CsatCounts {
        by_score: [5, 5, 10, 40, 40],
    };
    let c = compare_csat(&before, &after, &options).unwrap();
    // Satisfied 60/100 → 80/100: +0.2.
    close(c.satisfied.difference, 0.2, CLOSED_FORM);
    assert_eq!(
        Some(c.satisfied),
        crate::inference::compare_proportions(
            Proportion::new(80, 100).unwrap(),
            Proportion::new(60, 100).unwrap()
        )
    );
    assert!(c.significant);
    // Means 3.6 → 4.05.
    close(c.mean.unwrap().difference, 0.45, CLOSED_FORM);
    assert!(compare_csat(&before, &CsatCounts::default(), &options).is_none());
}

#[test]
fn improvement_check() {
    let options = SurveyOptions::default();
    let before = OutcomeWindow {
        nps: counts(50, 30, 20),
        csat: CsatCounts {
            by_score: [10, 10, 20, 30, 30],
        },
        complaints: Proportion::new(30, 1000).unwrap(),
    };
    let after = OutcomeWindow {
        nps: counts(60, 25, 15),
        csat: CsatCounts::default(),
        complaints: Proportion::new(15, 1000).unwrap(),
    };
    let check = check_improvement(&before, &after, &options);
    assert_eq!(check.nps, compare_nps(&before.nps, &after.nps, &options));
    assert!(check.csat.is_none());
    let rate = check.complaint_rate.unwrap();
    close(rate.change.difference, -0.015, CLOSED_FORM);
    // 45 complaints in 2000: pooled z = −0.015 / √(0.0225 · 0.9775 · 0.002) = −2.2626,
    // p = 0.02366: significant at 5%.
    let se = (0.0225f64 * 0.9775 * 0.002).sqrt();
    close(
        rate.change.p_value,
        crate::inference::normal_two_sided_p(-0.015 / se),
        CLOSED_FORM,
    );
    assert!(rate.significant);
    let nothing = check_improvement(
        &OutcomeWindow::default(),
        &OutcomeWindow::default(),
        &options,
    );
    assert_eq!(
        (nothing.nps, nothing.csat, nothing.complaint_rate),
        (None, None, None)
    );
}

/// Draws one answer: promoter with probability p, detractor with d, else passive.
fn draw(rng: &mut StdRng, p: f64, d: f64) -> NpsRating {
    let u: f64 = rng.random();
    rating(if u < p {
        10
    } else if u < p + d {
        3
    } else {
        8
    })
}

fn simulate(rng: &mut StdRng, n: usize, p: f64, d: f64) -> NpsCounts {
    NpsCounts::tally((0..n).map(|_| draw(rng, p, d)))
}

/// 2,000 seeded studies per setting: from 150 answers the 95% interval covers the true NPS
/// 93.5–96.5% of the time (see `COVERAGE_95`); at 30 answers the Wald interval undercovers,
/// as documented on `NpsReport::new` (the reference simulation gives 93.3% and 91.3%), and the
/// test holds it to that documented level.
#[test]
fn simulated_interval_covers_the_true_nps() {
    let options = SurveyOptions::default();
    let coverage = |seed: u64, n: usize, p: f64, d: f64| {
        let truth = 100.0 * (p - d);
        let mut rng = StdRng::seed_from_u64(seed);
        let covered = (0..2000)
            .filter(|_| {
                let e = NpsReport::new(simulate(&mut rng, n, p, d), &options)
                    .estimate
                    .unwrap();
                e.ci95.contains(truth)
            })
            .count();
        covered as f64 / 2000.0
    };
    for (seed, n, p, d) in [(2, 150, 0.45, 0.2), (3, 400, 0.6, 0.1)] {
        let rate = coverage(seed, n, p, d);
        assert!(COVERAGE_95.contains(&rate), "n = {n}: coverage {rate}");
    }
    // Small samples: the documented 93% (mixed) and 91% (80% promoters), ±3 standard errors.
    let mixed = coverage(1, 30, 0.4, 0.3);
    assert!((0.915..=0.948).contains(&mixed), "n = 30: coverage {mixed}");
    let skewed = coverage(4, 30, 0.8, 0.05);
    assert!(
        (0.895..=0.932).contains(&skewed),
        "n = 30, 80% promoters: coverage {skewed}"
    );
}

/// With no true change, the test rejects about 5% of the time; the change interval covers a
/// true change about 95% of the time.
#[test]
fn simulated_change_test_is_calibrated() {
    let options = SurveyOptions::default();
    let mut rng = StdRng::seed_from_u64(7);
    let rejected = (0..2000)
        .filter(|_| {
            let a = simulate(&mut rng, 120, 0.4, 0.25);
            let b = simulate(&mut rng, 90, 0.4, 0.25);
            compare_nps(&a, &b, &options).unwrap().significant
        })
        .count();
    let rate = rejected as f64 / 2000.0;
    // 5% ± 3 binomial standard errors (0.49 points each).
    assert!((0.035..=0.065).contains(&rate), "false alarms {rate}");
    let truth = 100.0 * ((0.5 - 0.15) - (0.4 - 0.25));
    let covered = (0..2000)
        .filter(|_| {
            let a = simulate(&mut rng, 120, 0.4, 0.25);
            let b = simulate(&mut rng, 150, 0.5, 0.15);
            compare_nps(&a, &b, &options).unwrap().ci95.contains(truth)
        })
        .count();
    let rate = covered as f64 / 2000.0;
    assert!(COVERAGE_95.contains(&rate), "change coverage {rate}");
}

proptest! {
    #[test]
    fn reports_are_never_nan(p in 0u64..500, a in 0u64..500, d in 0u64..500, min in 0u64..60) {
        let options = SurveyOptions { min_answers: min, ..SurveyOptions::default() };
        let r = NpsReport::new(counts(p, a, d), &options);
        prop_assert_eq!(r.enough(), p + a + d >= min.max(1));
        if let Some(e) = r.estimate {
            for x in [e.nps, e.std_error, e.margin_of_error, e.ci95.lo, e.ci95.hi] {
                prop_assert!(x.is_finite());
            }
            prop_assert!(-100.0 <= e.ci95.lo && e.ci95.lo <= e.nps);
            prop_assert!(e.nps <= e.ci95.hi && e.ci95.hi <= 100.0);
        }
        if let Some(c) = compare_nps(&counts(p, a, d), &counts(d, a, p), &options) {
            prop_assert!(c.delta.is_finite() && (0.0..=1.0).contains(&c.p_value));
            prop_assert!(c.ci95.lo <= c.delta && c.delta <= c.ci95.hi);
        }
    }

    #[test]
    fn dedup_keeps_exactly_the_latest(
        raw in proptest::collection::vec((0u8..6, 0i32..120, 0i64..3, 0u32..=10), 0..80)
    ) {
        let answers: Vec<Answer<u8, NpsRating>> = raw
            .iter()
            .map(|&(r, d, s, score)| Answer {
                respondent: r,
                day: Day::from_days_since_epoch(19_700 + d),
                seq: s,
                score: rating(score),
            })
            .collect();
        let kept = latest_per_respondent(answers.clone(), Some(PeriodKind::Month));
        let key = |a: &Answer<u8, NpsRating>| (a.respondent, PeriodKey::of(a.day, PeriodKind::Month));
        let mut keys: Vec<_> = kept.iter().map(key).collect();
        let before = keys.len();
        keys.dedup();
        prop_assert_eq!(before, keys.len());
        for k in &kept {
            let latest = answers
                .iter()
                .filter(|a| key(a) == key(k))
                .map(|a| (a.day, a.seq))
                .max();
            prop_assert_eq!(Some((k.day, k.seq)), latest);
        }
        let groups: std::collections::BTreeSet<_> = answers.iter().map(key).collect();
        prop_assert_eq!(groups.len(), kept.len());
    }
}
