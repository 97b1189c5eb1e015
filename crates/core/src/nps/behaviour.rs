//! NPS joined with behaviour: for the promoters, passives and detractors of a period, how many
//! were slipping or lost by the next snapshot, their revenue and CLV, and what they bought in the
//! days that followed — the test of whether what customers say predicts what they do.
//!
//! The caller reduces the period's answers to one per respondent
//! ([`super::latest_per_respondent`]) and joins each respondent to the first snapshot after the
//! period and to their orders after it; this module only counts.

use super::NpsCategory;
use crate::inference::{
    Interval, MeanAccumulator, MeanDifference, Proportion, ProportionDifference,
    compare_proportions, student_t_upper_quantile, welch,
};
use crate::{Money, Status};

/// One respondent of a period and what they did next.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RespondentOutcome {
    pub category: NpsCategory,
    /// The status in the next snapshot: `None` when the respondent is not in it (no snapshot
    /// after the period yet, or not scored), `Some(None)` when scored without a status.
    pub next_status: Option<Option<Status>>,
    /// Revenue to date in that snapshot (zero when not in it).
    pub revenue: Money,
    /// The CLV the snapshot gives, when a model gave one.
    pub clv: Option<f64>,
    /// Revenue of the orders in the days after the period (the report says how many).
    pub revenue_after: Money,
}

/// The respondents of one group (promoters, passives or detractors) and their behaviour.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CategoryBehaviour {
    pub category: NpsCategory,
    pub respondents: u64,
    /// Respondents found in the next snapshot: the base of the slipping and lost shares.
    pub followed: u64,
    pub slipping: u64,
    pub lost: u64,
    pub revenue: Money,
    /// Sum of the CLVs known, over `clv_known` respondents.
    pub clv: f64,
    pub clv_known: u64,
    pub revenue_after: Money,
    /// Revenue to date of those followed to the next snapshot, in currency units: the sample
    /// behind the mean revenue's interval.
    pub revenue_sample: MeanAccumulator,
    /// The CLVs known, in currency units.
    pub clv_sample: MeanAccumulator,
    /// Revenue after the period of every respondent (zero for those who bought nothing).
    pub revenue_after_sample: MeanAccumulator,
}

/// The Student t 95% interval of a sample's mean: mean ± t₀.₉₇₅(n − 1)·s/√n; `None` below two
/// values (no spread to measure). A constant sample gives the point itself.
pub fn mean_ci95(sample: &MeanAccumulator) -> Option<Interval> {
    let mean = sample.mean()?;
    let se = sample.std_error()?;
    let q = student_t_upper_quantile(0.025, (sample.n() - 1) as f64)?;
    Some(Interval {
        lo: mean - q * se,
        hi: mean + q * se,
    })
}

impl CategoryBehaviour {
    fn empty(category: NpsCategory) -> CategoryBehaviour {
        CategoryBehaviour {
            category,
            respondents: 0,
            followed: 0,
            slipping: 0,
            lost: 0,
            revenue: Money::ZERO,
            clv: 0.0,
            clv_known: 0,
            revenue_after: Money::ZERO,
            revenue_sample: MeanAccumulator::new(),
            clv_sample: MeanAccumulator::new(),
            revenue_after_sample: MeanAccumulator::new(),
        }
    }

    /// Slipping or lost, out of those followed to the next snapshot.
    pub fn slipping_or_lost(&self) -> Proportion {
        // slipping + lost ≤ followed by construction.
        Proportion::new(self.slipping + self.lost, self.followed).unwrap_or_default()
    }

    /// Mean revenue after the period per respondent; `None` without respondents.
    pub fn mean_revenue_after(&self) -> Option<f64> {
        (self.respondents > 0).then(|| self.revenue_after.to_f64() / self.respondents as f64)
    }

    /// Mean CLV of those with one; `None` when no respondent has one.
    pub fn mean_clv(&self) -> Option<f64> {
        (self.clv_known > 0).then(|| self.clv / self.clv_known as f64)
    }

    /// Mean revenue to date of those followed to the next snapshot; `None` without them.
    pub fn mean_revenue(&self) -> Option<f64> {
        self.revenue_sample.mean()
    }
}

/// The three groups' behaviour, and whether detractors left more often than promoters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BehaviourReport {
    /// Promoters, passives, detractors, in that order.
    pub groups: [CategoryBehaviour; 3],
    /// Detractors' slipping-or-lost share − promoters', with its interval and p-value; `None`
    /// when either group has nobody followed to the next snapshot.
    pub detractors_vs_promoters: Option<ProportionDifference>,
    /// Detractors' mean revenue after the period − promoters' (Welch), in currency units;
    /// `None` unless both groups have two respondents.
    pub revenue_after_detractors_vs_promoters: Option<MeanDifference>,
}

impl BehaviourReport {
    pub fn group(&self, category: NpsCategory) -> &CategoryBehaviour {
        &self.groups[category as usize]
    }
}

/// Counts the respondents' outcomes per group. Money sums saturate rather than wrap (they cannot
/// reach the bound for any real company: `i64` ten-thousandths hold 9·10^14 currency units).
pub fn behaviour_by_category(
    outcomes: impl IntoIterator<Item = RespondentOutcome>,
) -> BehaviourReport {
    let mut groups = [
        CategoryBehaviour::empty(NpsCategory::Promoter),
        CategoryBehaviour::empty(NpsCategory::Passive),
        CategoryBehaviour::empty(NpsCategory::Detractor),
    ];
    for o in outcomes {
        let g = &mut groups[o.category as usize];
        g.respondents += 1;
        if let Some(status) = o.next_status {
            g.followed += 1;
            g.revenue_sample.push(o.revenue.to_f64());
            match status {
                Some(Status::Slipping) => g.slipping += 1,
                Some(Status::Lost) => g.lost += 1,
                _ => {}
            }
        }
        g.revenue = Money::from_units(g.revenue.units().saturating_add(o.revenue.units()));
        g.revenue_after = Money::from_units(
            g.revenue_after
                .units()
                .saturating_add(o.revenue_after.units()),
        );
        g.revenue_after_sample.push(o.revenue_after.to_f64());
        if let Some(clv) = o.clv.filter(|c| c.is_finite()) {
            g.clv += clv;
            g.clv_known += 1;
            g.clv_sample.push(clv);
        }
    }
    let detractors_vs_promoters = compare_proportions(
        groups[NpsCategory::Detractor as usize].slipping_or_lost(),
        groups[NpsCategory::Promoter as usize].slipping_or_lost(),
    );
    let revenue_after_detractors_vs_promoters = welch(
        &groups[NpsCategory::Detractor as usize].revenue_after_sample,
        &groups[NpsCategory::Promoter as usize].revenue_after_sample,
    );
    BehaviourReport {
        groups,
        detractors_vs_promoters,
        revenue_after_detractors_vs_promoters,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(
        category: NpsCategory,
        next: Option<Option<Status>>,
        revenue: i64,
        clv: Option<f64>,
        after: i64,
    ) -> RespondentOutcome {
        RespondentOutcome {
            category,
            next_status: next,
            revenue: Money::from_major(revenue),
            clv,
            revenue_after: Money::from_major(after),
        }
    }

    #[test]
    fn groups_are_counted_by_hand() {
        use NpsCategory::*;
        let r = behaviour_by_category([
            outcome(Promoter, Some(Some(Status::Active)), 100, Some(50.0), 30),
            outcome(Promoter, Some(Some(Status::Slipping)), 200, None, 0),
            outcome(Promoter, None, 0, None, 0),
            outcome(Detractor, Some(Some(Status::Lost)), 40, Some(10.0), 0),
            outcome(Detractor, Some(Some(Status::Slipping)), 60, Some(20.0), 5),
            outcome(Detractor, Some(None), 0, None, 0),
        ]);
        let p = r.group(Promoter);
        assert_eq!(
            (p.respondents, p.followed, p.slipping, p.lost),
            (3, 2, 1, 0)
        );
        assert_eq!(p.revenue, Money::from_major(300));
        assert_eq!(p.revenue_after, Money::from_major(30));
        assert_eq!(p.mean_revenue_after(), Some(10.0));
        assert_eq!(p.mean_clv(), Some(50.0));
        assert_eq!(p.slipping_or_lost().share(), Some(0.5));
        let d = r.group(Detractor);
        assert_eq!(
            (d.respondents, d.followed, d.slipping, d.lost),
            (3, 3, 1, 1)
        );
        assert_eq!(d.mean_clv(), Some(15.0));
        assert!((d.slipping_or_lost().share().unwrap() - 2.0 / 3.0).abs() < 1e-15);
        let passive = r.group(Passive);
        assert_eq!(passive.respondents, 0);
        assert_eq!(passive.mean_revenue_after(), None);
        assert_eq!(passive.mean_clv(), None);
        assert_eq!(passive.slipping_or_lost().share(), None);
        let diff = r.detractors_vs_promoters.unwrap();
        assert!((diff.difference - (2.0 / 3.0 - 0.5)).abs() < 1e-15);
        assert!(
            diff.p_value > 0.05,
            "two and three respondents prove nothing"
        );
    }

    #[test]
    fn the_means_intervals_are_student_t_by_hand() {
        use NpsCategory::*;
        // Promoters' revenue after: 10, 20, 30 → mean 20, s = 10, SE = 10/√3,
        // t₀.₉₇₅(2) = 4.3026527: 20 ± 24.841377. Detractors': 0, 0 → constant.
        let r = behaviour_by_category([
            outcome(Promoter, Some(Some(Status::Active)), 100, Some(40.0), 10),
            outcome(Promoter, Some(Some(Status::Active)), 300, Some(60.0), 20),
            outcome(Promoter, None, 0, None, 30),
            outcome(Detractor, Some(Some(Status::Lost)), 50, None, 0),
            outcome(Detractor, Some(Some(Status::Lost)), 50, None, 0),
        ]);
        let p = r.group(Promoter);
        let ci = mean_ci95(&p.revenue_after_sample).unwrap();
        assert!((ci.lo - (20.0 - 24.841_377)).abs() < 1e-5, "{ci:?}");
        assert!((ci.hi - (20.0 + 24.841_377)).abs() < 1e-5, "{ci:?}");
        // Revenue of the two followed: 100, 300 → mean 200, s = 141.42136, SE = 100,
        // t₀.₉₇₅(1) = 12.706205: 200 ± 1270.6205.
        assert_eq!(p.mean_revenue(), Some(200.0));
        let ci = mean_ci95(&p.revenue_sample).unwrap();
        assert!((ci.hi - 1_470.620_5).abs() < 1e-3, "{ci:?}");
        let ci = mean_ci95(&p.clv_sample).unwrap();
        assert!((ci.lo - (50.0 - 127.062_05)).abs() < 1e-4, "{ci:?}");
        let d = r.group(Detractor);
        let ci = mean_ci95(&d.revenue_after_sample).unwrap();
        assert_eq!((ci.lo, ci.hi), (0.0, 0.0));
        assert_eq!(mean_ci95(&d.clv_sample), None);
        // Welch: 0 − 20, SE = 10/√3 (detractors constant), df = 2: −20 ± 24.841377.
        let w = r.revenue_after_detractors_vs_promoters.unwrap();
        assert!((w.difference + 20.0).abs() < 1e-12);
        assert!((w.ci95.lo + 20.0 + 24.841_377).abs() < 1e-5, "{w:?}");
        assert!(w.p_value > 0.05);
    }

    #[test]
    fn nobody_followed_gives_no_comparison() {
        let r = behaviour_by_category([outcome(NpsCategory::Detractor, None, 0, None, 0)]);
        assert_eq!(r.detractors_vs_promoters, None);
        assert_eq!(r.group(NpsCategory::Detractor).respondents, 1);
        let empty = behaviour_by_category([]);
        assert!(empty.groups.iter().all(|g| g.respondents == 0));
    }

    #[test]
    fn detractors_leaving_far_more_often_is_significant() {
        use NpsCategory::*;
        let mut outcomes = Vec::new();
        for i in 0..200 {
            let lost = i < 20; // 10% of promoters
            outcomes.push(outcome(
                Promoter,
                Some(Some(if lost { Status::Lost } else { Status::Active })),
                0,
                None,
                0,
            ));
            let lost = i < 80; // 40% of detractors
            outcomes.push(outcome(
                Detractor,
                Some(Some(if lost { Status::Lost } else { Status::Active })),
                0,
                None,
                0,
            ));
        }
        let diff = behaviour_by_category(outcomes)
            .detractors_vs_promoters
            .unwrap();
        assert!((diff.difference - 0.3).abs() < 1e-12);
        assert!(diff.p_value < 1e-6);
        assert!(diff.ci95.lo > 0.2 && diff.ci95.hi < 0.4);
    }
}
