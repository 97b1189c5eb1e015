//! Staff voice (issue 28 item 1): employee NPS and a satisfaction questionnaire, reported by
//! department and period with the customer NPS statistics ([`crate::nps`]), and the rule that
//! keeps small groups out of sight.
//!
//! Anonymity is decided here, where it can be tested without a database: a department with fewer
//! answers than the minimum group is not shown, and when the hidden departments together hold a
//! few answers (fewer than the minimum) the smallest shown departments are hidden too, because the
//! company's total minus the shown departments would otherwise give the hidden ones away
//! ("secondary suppression"). When everything is hidden and the total is still too small, the
//! total is hidden as well.
//!
//! What to call: [`staff_report`] with the tallies per period and department.

use std::collections::{BTreeMap, BTreeSet};

use crate::nps::{
    CsatCounts, CsatReport, CsatScore, NpsChange, NpsCounts, NpsRating, NpsReport, PeriodKey,
    SurveyOptions, compare_nps,
};

/// The smallest group shown unless the company sets another.
pub const DEFAULT_MIN_GROUP: u32 = 5;
/// No group below this may be shown, whatever is configured: with two, each of the pair knows
/// the other's answer.
pub const LOWEST_MIN_GROUP: u32 = 3;

/// The satisfaction questionnaire: each asked on 1 (very dissatisfied) to 5 (very satisfied),
/// each optional. The keys are stored and are the catalogue's `staff-q-<key>` messages.
pub const SATISFACTION_QUESTIONS: [&str; 6] = ["work", "manager", "team", "pay", "growth", "tools"];

/// One employee's answer: the NPS question ("would you recommend working here?") and the
/// satisfaction questions in [`SATISFACTION_QUESTIONS`] order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StaffAnswer {
    pub nps: NpsRating,
    pub satisfaction: [Option<CsatScore>; 6],
}

/// The answers of one group, counted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StaffTally {
    pub nps: NpsCounts,
    pub satisfaction: [CsatCounts; 6],
}

impl StaffTally {
    pub fn add(&mut self, answer: &StaffAnswer) {
        self.nps.add(answer.nps);
        for (counts, score) in self.satisfaction.iter_mut().zip(answer.satisfaction) {
            if let Some(s) = score {
                counts.add(s);
            }
        }
    }

    pub fn merge(&mut self, other: &StaffTally) {
        self.nps.merge(&other.nps);
        for (a, b) in self.satisfaction.iter_mut().zip(&other.satisfaction) {
            a.merge(b);
        }
    }

    /// Number of answers (every answer has the NPS question).
    pub fn n(&self) -> u64 {
        self.nps.n()
    }
}

/// One shown group of a period.
#[derive(Clone, Debug, PartialEq)]
pub struct StaffGroup {
    pub report: NpsReport,
    pub satisfaction: [CsatReport; 6],
    /// The change of NPS from the period before, when the group is shown in both and both have
    /// enough answers for a score.
    pub change: Option<NpsChange>,
}

/// One period: the departments shown, how many are not, and the whole company.
#[derive(Clone, Debug, PartialEq)]
pub struct StaffPeriod {
    pub period: PeriodKey,
    pub departments: Vec<(String, StaffGroup)>,
    /// Departments with answers that are not shown (too few answers, or hidden so the others
    /// cannot be subtracted from the total).
    pub hidden_departments: u32,
    /// Every answer of the period; `None` when even the total is below the minimum group.
    pub total: Option<StaffGroup>,
}

/// Which departments to hide: those below `min_group`, then, while the hidden ones together hold
/// between 1 and `min_group − 1` answers, the smallest shown one (by answers, then name).
pub fn hidden_groups(sizes: &BTreeMap<String, u64>, min_group: u32) -> BTreeSet<String> {
    let min = u64::from(min_group.max(LOWEST_MIN_GROUP));
    let mut hidden: BTreeSet<String> = sizes
        .iter()
        .filter(|&(_, &n)| n > 0 && n < min)
        .map(|(d, _)| d.clone())
        .collect();
    let mut pooled: u64 = hidden.iter().map(|d| sizes[d]).sum();
    let mut shown: Vec<(&String, u64)> = sizes
        .iter()
        .filter(|(d, n)| **n > 0 && !hidden.contains(*d))
        .map(|(d, n)| (d, *n))
        .collect();
    shown.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(b.0)));
    let mut next = shown.into_iter();
    while pooled > 0 && pooled < min {
        let Some((d, n)) = next.next() else { break };
        hidden.insert(d.clone());
        pooled += n;
    }
    hidden
}

fn group(tally: &StaffTally, before: Option<&StaffTally>, options: &SurveyOptions) -> StaffGroup {
    StaffGroup {
        report: NpsReport::new(tally.nps, options),
        satisfaction: std::array::from_fn(|q| CsatReport::new(tally.satisfaction[q], options)),
        change: before.and_then(|b| compare_nps(&b.nps, &tally.nps, options)),
    }
}

/// The report over every period that has answers, oldest first. `tallies` maps (period,
/// department) to its answers; `min_group` is the smallest group shown (never below
/// [`LOWEST_MIN_GROUP`]); `options.min_answers` is the smallest group given a score with its
/// interval (a shown group with fewer answers shows its counts only).
pub fn staff_report(
    tallies: &BTreeMap<(PeriodKey, String), StaffTally>,
    min_group: u32,
    options: &SurveyOptions,
) -> Vec<StaffPeriod> {
    let min = u64::from(min_group.max(LOWEST_MIN_GROUP));
    let mut by_period: BTreeMap<PeriodKey, BTreeMap<String, StaffTally>> = BTreeMap::new();
    for ((period, department), tally) in tallies {
        by_period
            .entry(*period)
            .or_default()
            .insert(department.clone(), *tally);
    }
    // What was shown in the period before, to compare with.
    let mut previous: Option<(PeriodKey, BTreeMap<String, StaffTally>, Option<StaffTally>)> = None;
    let mut out = Vec::new();
    for (period, departments) in by_period {
        let sizes: BTreeMap<String, u64> = departments
            .iter()
            .map(|(d, t)| (d.clone(), t.n()))
            .collect();
        let hidden = hidden_groups(&sizes, min_group);
        let mut total = StaffTally::default();
        for t in departments.values() {
            total.merge(t);
        }
        let total_shown = total.n() >= min;
        let before = previous
            .as_ref()
            .filter(|(p, _, _)| p.next() == period)
            .map(|(_, shown, total)| (shown, total.as_ref()));
        let shown: BTreeMap<String, StaffTally> = departments
            .iter()
            .filter(|(d, t)| t.n() > 0 && !hidden.contains(*d))
            .map(|(d, t)| (d.clone(), *t))
            .collect();
        out.push(StaffPeriod {
            period,
            departments: shown
                .iter()
                .map(|(d, t)| {
                    let b = before.and_then(|(s, _)| s.get(d));
                    (d.clone(), group(t, b, options))
                })
                .collect(),
            hidden_departments: hidden.len() as u32,
            total: total_shown.then(|| group(&total, before.and_then(|(_, t)| t), options)),
        });
        previous = Some((period, shown, total_shown.then_some(total)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Day;
    use crate::nps::{NpsScale, PeriodKind};

    fn answer(nps: u32, work: Option<u32>) -> StaffAnswer {
        let mut satisfaction = [None; 6];
        satisfaction[0] = work.map(|w| CsatScore::new(w).unwrap());
        StaffAnswer {
            nps: NpsRating::new(nps, NpsScale::ZeroToTen).unwrap(),
            satisfaction,
        }
    }

    fn tally(scores: &[u32]) -> StaffTally {
        let mut t = StaffTally::default();
        for &s in scores {
            t.add(&answer(s, Some(4)));
        }
        t
    }

    fn sizes(list: &[(&str, u64)]) -> BTreeMap<String, u64> {
        list.iter().map(|(d, n)| (d.to_string(), *n)).collect()
    }

    fn names(set: &BTreeSet<String>) -> Vec<&str> {
        set.iter().map(String::as_str).collect()
    }

    #[test]
    fn small_groups_are_hidden_and_so_is_the_smallest_shown_one_when_the_rest_would_tell() {
        // Nothing below five: nothing hidden.
        assert!(hidden_groups(&sizes(&[("a", 5), ("b", 9)]), 5).is_empty());
        // "c" alone has 2: the total (16) minus a and b would give c's answers away, so the
        // smallest shown department (a, 5) is hidden with it: the hidden pool holds 7 ≥ 5.
        let h = hidden_groups(&sizes(&[("a", 5), ("b", 9), ("c", 2)]), 5);
        assert_eq!(names(&h), ["a", "c"]);
        // Two small ones that together reach five need no more.
        let h = hidden_groups(&sizes(&[("a", 6), ("b", 3), ("c", 2)]), 5);
        assert_eq!(names(&h), ["b", "c"]);
        // A tie in size is broken by name, so the rule is repeatable.
        let h = hidden_groups(&sizes(&[("y", 6), ("x", 6), ("c", 1)]), 5);
        assert_eq!(names(&h), ["c", "x"]);
        // A configured minimum below three is raised to three.
        let h = hidden_groups(&sizes(&[("a", 2), ("b", 3), ("c", 4)]), 1);
        assert_eq!(names(&h), ["a", "b"]);
        // Departments without answers are not "hidden": there is nothing to hide.
        assert!(hidden_groups(&sizes(&[("a", 0), ("b", 5)]), 5).is_empty());
    }

    #[test]
    fn the_report_hides_small_groups_and_never_lets_the_total_give_them_away() {
        let q1 = PeriodKey::of(Day::from_ymd(2026, 2, 1).unwrap(), PeriodKind::Quarter);
        let mut tallies = BTreeMap::new();
        tallies.insert((q1, "sales".to_string()), tally(&[10, 10, 9, 8, 3, 0]));
        tallies.insert((q1, "support".to_string()), tally(&[10, 7, 7, 7, 7, 7, 7]));
        tallies.insert((q1, "it".to_string()), tally(&[2, 2]));
        let options = SurveyOptions {
            min_answers: 5,
            ..SurveyOptions::default()
        };
        let r = staff_report(&tallies, 5, &options);
        assert_eq!(r.len(), 1);
        // it (2) is hidden, and sales (6, the smaller of the two) with it.
        let shown: Vec<&str> = r[0].departments.iter().map(|(d, _)| d.as_str()).collect();
        assert_eq!(shown, ["support"]);
        assert_eq!(r[0].hidden_departments, 2);
        // Support: 1 promoter, 6 passives, 0 detractors of 7 → NPS 100/7 = 14.29.
        let support = &r[0].departments[0].1;
        let est = support.report.estimate.unwrap();
        assert!((est.nps - 100.0 / 7.0).abs() < 1e-9);
        // Total 15: promoters 10,10,9,10 = 4; detractors 3,0,2,2 = 4 → NPS 0.
        let total = r[0].total.as_ref().unwrap();
        assert_eq!(total.report.counts.n(), 15);
        assert!(total.report.estimate.unwrap().nps.abs() < 1e-9);
        // Satisfaction "work" was 4 for every answer: all satisfied.
        assert_eq!(total.satisfaction[0].counts.n(), 15);
        assert_eq!(total.satisfaction[1].counts.n(), 0);
    }

    #[test]
    fn a_total_below_the_minimum_is_hidden_and_periods_are_compared_when_both_shown() {
        let q1 = PeriodKey::of(Day::from_ymd(2026, 2, 1).unwrap(), PeriodKind::Quarter);
        let q2 = q1.next();
        let q4 = q2.next().next();
        let mut tallies = BTreeMap::new();
        tallies.insert((q1, "a".to_string()), tally(&[10; 8]));
        tallies.insert((q2, "a".to_string()), tally(&[0; 8]));
        tallies.insert((q4, "a".to_string()), tally(&[9, 9]));
        let options = SurveyOptions {
            min_answers: 5,
            ..SurveyOptions::default()
        };
        let r = staff_report(&tallies, 5, &options);
        assert_eq!(r.len(), 3);
        assert!(r[0].departments[0].1.change.is_none());
        // From 100 to −100: Δ = −200, both samples without variation, so the pooled SE is
        // 100·√(1·(1/8 + 1/8)) = 50 and z = −4.
        let change = r[1].departments[0].1.change.unwrap();
        assert!((change.delta + 200.0).abs() < 1e-9);
        assert!(change.significant);
        assert!(r[1].total.as_ref().unwrap().change.is_some());
        // Q4: two answers — the department and the total are hidden; Q3 had nothing, so there
        // is nothing to compare with either.
        assert!(r[2].departments.is_empty());
        assert_eq!(r[2].hidden_departments, 1);
        assert!(r[2].total.is_none());
    }
}
