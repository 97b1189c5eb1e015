//! The whole-company analysis: every customer placed, sub-grouped and scored, plus the totals a
//! manager reads first (the ladder table, status counts, Pareto headlines, regulars at risk).

use std::collections::HashMap;

use rayon::prelude::*;

use crate::{
    AbcClass, AdvocacySignals, CustomerProfile, CustomerSummary, Day, LadderRules, Money, Pareto,
    Placement, Rfm, Rhythm, Rung, Standing, Status, StatusBasis, Subgroup, ValueOrder,
    assign_subgroups, pareto, place, quintile_scores_of_counts, rfm_from_quintiles, stability,
};

/// One customer as the importer found them: purchases (if any), and what a fitted customer-base
/// model predicts for them (if one was fitted).
#[derive(Clone, Debug)]
pub struct CustomerRecord {
    pub id: String,
    pub summary: Option<CustomerSummary>,
    pub forecast: Option<Forecast>,
}

/// What a fitted customer-base model predicts for one customer. Computed outside the core (by the
/// models crate) and carried here so the ladder's status can use P(alive).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Forecast {
    /// Probability the customer is still active on the as-of date.
    pub p_alive: f64,
    /// Expected purchase days over the forecast horizon.
    pub expected_purchases: f64,
    /// Probability of no purchase at all over the horizon.
    pub prob_no_purchase: f64,
    /// Spend and lifetime value, when a spend model was fitted and gives this customer a spend.
    pub value: Option<ValueForecast>,
    /// When the model expects the next purchase (the median wait, given the customer is alive).
    pub next_purchase: Option<Day>,
}

/// What a spend model (Gamma-Gamma) adds to a customer's forecast. One optional part rather than
/// three optional numbers: they are present together, and the forecast of every customer is
/// 16 bytes smaller for it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ValueForecast {
    /// Expected value of one purchase.
    pub expected_spend: f64,
    /// Discounted revenue expected over the horizon.
    pub clv: f64,
    /// `clv` times the customer's margin, when a margin is known.
    pub clv_profit: Option<f64>,
}

impl Forecast {
    pub fn expected_spend(&self) -> Option<f64> {
        self.value.map(|v| v.expected_spend)
    }

    pub fn clv(&self) -> Option<f64> {
        self.value.map(|v| v.clv)
    }

    pub fn clv_profit(&self) -> Option<f64> {
        self.value.and_then(|v| v.clv_profit)
    }
}

/// What the analysis concludes about one customer, kept apart from the customer's inputs (id,
/// summary, forecast, profile) so that millions of customers are never copied into result rows:
/// fresh memory is the dearest thing a large run touches (the kernel zeroes every new page).
#[derive(Clone, Debug)]
pub struct Verdict {
    /// Rung and status without their reasons: [`CustomerResult::placement`] derives those.
    pub standing: Standing,
    pub subgroup: Option<Subgroup>,
    /// ABC class by revenue; `None` for people without purchases.
    pub abc: Option<AbcClass>,
    pub rfm: Option<Rfm>,
}

/// Customers who name one customer as their referrer, and what they brought in: a column of
/// its own, empty when nobody names a referrer (12 bytes a customer otherwise in every verdict).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Referrals {
    pub count: u32,
    pub revenue: Money,
}

/// Everything Clientele concludes about one customer: a view of one position of [`Analysis`]'s
/// columns, built on demand (a few pointers). The verdict's fields read through it
/// (`c.standing`, `c.rfm`, ...).
#[derive(Clone, Copy, Debug)]
pub struct CustomerResult<'a> {
    pub id: &'a str,
    pub summary: Option<&'a CustomerSummary>,
    pub profile: Option<&'a CustomerProfile>,
    pub forecast: Option<&'a Forecast>,
    pub verdict: &'a Verdict,
    /// Customers who name this one as their referrer.
    pub referrals: u32,
    /// What the customers who name this one as their referrer brought in.
    pub referred_revenue: Money,
    /// The rules the customer was placed by, to derive the placement's reasons again.
    pub rules: &'a LadderRules,
}

impl std::ops::Deref for CustomerResult<'_> {
    type Target = Verdict;

    fn deref(&self) -> &Verdict {
        self.verdict
    }
}

impl CustomerResult<'_> {
    /// The value at stake: the CLV (over the forecast's horizon) expected to be lost if the
    /// customer is gone, `crate::winback::value_at_stake` of the forecast's CLV and P(alive);
    /// `None` without a spend model's CLV. Never past revenue.
    pub fn value_at_stake(&self) -> Option<f64> {
        let f = self.forecast?;
        crate::winback::value_at_stake(f.clv(), Some(f.p_alive))
    }

    pub fn revenue(&self) -> Money {
        self.summary.map_or(Money::ZERO, |s| s.revenue)
    }

    pub fn profit(&self) -> Money {
        self.summary.map_or(Money::ZERO, |s| s.profit())
    }

    /// Regularity of purchases (see [`stability`]), from the summary's gaps when asked: kept in
    /// no column, since it costs 16 bytes a customer and is read once, when results are written.
    pub fn stability(&self) -> Option<f64> {
        self.summary
            .and_then(|s| stability(s.intervals().and_then(|i| i.cv)))
    }

    /// The customer's full placement, with the reasons for rung and status: derived again by
    /// [`place`] from the inputs that gave the verdict's standing (the analysis keeps only the
    /// standing, for memory). Costs one placement; read it once per customer.
    pub fn placement(&self) -> Placement {
        let placement = place(
            self.summary,
            &advocacy_signals(self.profile, self.referrals),
            self.forecast.map(|f| f.p_alive),
            self.rules,
        );
        debug_assert_eq!(
            placement.standing(),
            self.verdict.standing,
            "placement is a function of its inputs"
        );
        placement
    }

    /// When the next purchase is expected: one mean gap after the last purchase for a customer
    /// with a rhythm (`rhythm`, as [`Placement::rhythm`] of [`Self::placement`] gives it), else
    /// when the model expects it.
    pub fn expected_next_purchase(&self, rhythm: Option<&Rhythm>) -> Option<Day> {
        let last = self.summary.and_then(|s| s.last_purchase());
        match (rhythm, last) {
            (Some(r), Some(last)) => Some(last.plus_days(r.mean_gap.round() as i32)),
            _ => self.forecast.and_then(|f| f.next_purchase),
        }
    }

    /// Whole days past the expected next purchase (0 when not yet due), for customers with a
    /// rhythm (`rhythm`, as [`Placement::rhythm`] of [`Self::placement`] gives it).
    pub fn days_late(&self, rhythm: Option<&Rhythm>) -> Option<i64> {
        let since = self.summary?.days_since_last()?;
        Some(rhythm?.days_late(since).round().max(0.0) as i64)
    }
}

/// What the advocate rules read besides purchases.
fn advocacy_signals(profile: Option<&CustomerProfile>, referrals: u32) -> AdvocacySignals {
    AdvocacySignals {
        nps: profile.and_then(|p| p.nps),
        referrals,
        last_touch: profile.and_then(|p| p.last_touch),
    }
}

/// Customers, revenue and profit of one group.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub customers: u64,
    pub revenue: Money,
    pub profit: Money,
}

impl Tally {
    fn add(&mut self, summary: Option<&CustomerSummary>) {
        self.customers += 1;
        if let Some(s) = summary {
            self.revenue += s.revenue;
            self.profit += s.profit();
        }
    }
}

/// One row of the ladder table.
#[derive(Clone, Debug, PartialEq)]
pub struct RungRow {
    pub rung: Rung,
    pub total: Tally,
    /// Profitable, middling, unprofitable (in `Subgroup::ALL` order).
    pub subgroups: [Tally; 3],
    /// Active, slipping, lost (in `Status::ALL` order).
    pub statuses: [Tally; 3],
    pub returners: u64,
}

#[derive(Clone, Debug)]
pub struct Analysis {
    pub as_of: Day,
    /// The customers, by customer id, in columns: position k of each describes one customer.
    /// Read them through [`Analysis::customers`] and [`Analysis::customer`].
    summaries: Vec<(Box<str>, Option<CustomerSummary>)>,
    /// One per customer, or empty when no model was fitted.
    forecasts: Vec<Option<Forecast>>,
    /// One per customer, or empty when no customers file was given.
    profiles: Vec<Option<Box<CustomerProfile>>>,
    verdicts: Vec<Verdict>,
    /// One per customer, or empty when nobody names a referrer.
    referrals: Vec<Referrals>,
    rules: LadderRules,
    pub ladder: Vec<RungRow>,
    pub returners: u64,
    pub revenue_pareto: Option<Pareto>,
    pub profit_pareto: Option<Pareto>,
    pub image_clients: Tally,
    pub referred_customers: Tally,
    /// Whether every order line carried a cost (otherwise profit is revenue minus known costs).
    pub cost_complete: bool,
    /// The horizon, in days, over which the forecasts' CLV (and so the value at stake) runs;
    /// `None` when no CLV was forecast. Set by the caller that made the forecasts.
    pub clv_horizon_days: Option<u32>,
}

impl Analysis {
    /// Number of customers (buyers and people from the customers file).
    pub fn len(&self) -> usize {
        self.summaries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.summaries.is_empty()
    }

    /// The customer at position `k` (customers are sorted by id).
    ///
    /// # Panics
    /// When `k >= self.len()`.
    pub fn customer(&self, k: usize) -> CustomerResult<'_> {
        let (id, summary) = &self.summaries[k];
        let referrals = self.referrals.get(k).copied().unwrap_or_default();
        CustomerResult {
            id,
            summary: summary.as_ref(),
            profile: profile_at(&self.profiles, k),
            forecast: self.forecasts.get(k).and_then(Option::as_ref),
            verdict: &self.verdicts[k],
            referrals: referrals.count,
            referred_revenue: referrals.revenue,
            rules: &self.rules,
        }
    }

    /// Every customer, by id.
    pub fn customers(
        &self,
    ) -> impl ExactSizeIterator<Item = CustomerResult<'_>> + DoubleEndedIterator + Clone + '_ {
        (0..self.len()).map(|k| self.customer(k))
    }

    /// Slipping regulars and advocates (the Today list), by value at stake
    /// ([`CustomerResult::value_at_stake`]: the CLV expected to be lost over the horizon) in
    /// [`at_stake_order`].
    pub fn regulars_at_risk(&self, limit: usize) -> Vec<CustomerResult<'_>> {
        let mut at_risk = self.ranked_at_stake(|v| {
            let p = &v.standing;
            matches!(p.rung, Rung::Regular | Rung::Advocate)
                && matches!(p.status(), Some(Status::Slipping))
        });
        at_risk.truncate(limit);
        at_risk
    }

    /// Customers late by their own rhythm (not yet lost): the day's alerts, by value at stake
    /// (the CLV expected to be lost over the horizon) in [`at_stake_order`] — the order of the
    /// dashboard's Today list and the API's at-risk list.
    pub fn rhythm_alerts(&self) -> Vec<CustomerResult<'_>> {
        self.ranked_at_stake(|v| matches!(v.standing.status, Some((_, StatusBasis::LateByRhythm))))
    }

    /// The customers whose verdict passes `keep`, in [`at_stake_order`].
    fn ranked_at_stake(&self, keep: impl Fn(&Verdict) -> bool + Sync) -> Vec<CustomerResult<'_>> {
        let mut ranked: Vec<(Option<f64>, Money, usize)> = (0..self.len())
            .into_par_iter()
            .filter(|&k| keep(&self.verdicts[k]))
            .map(|k| {
                let c = self.customer(k);
                (c.value_at_stake(), c.revenue(), k)
            })
            .collect();
        // Positions are in id order, so ordering by position breaks ties by id.
        ranked.par_sort_unstable_by(|a, b| {
            at_stake_order((a.0, a.1), (b.0, b.1)).then(a.2.cmp(&b.2))
        });
        ranked
            .into_iter()
            .map(|(_, _, k)| self.customer(k))
            .collect()
    }

    pub fn status_totals(&self) -> [Tally; 3] {
        let mut totals = [Tally::default(); 3];
        for row in &self.ladder {
            for (t, s) in totals.iter_mut().zip(&row.statuses) {
                t.customers += s.customers;
                t.revenue += s.revenue;
                t.profit += s.profit;
            }
        }
        totals
    }
}

/// The order of every list ranked by value at stake (Today, Lost, the alerts, regulars at
/// risk; on the pages, in the API and in the CLI alike): value at stake descending, customers
/// without one (no CLV) after all who have one; ties by revenue descending. The caller breaks
/// the remaining ties by customer id ascending.
pub fn at_stake_order(a: (Option<f64>, Money), b: (Option<f64>, Money)) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match (a.0, b.0) {
        (Some(x), Some(y)) => y.total_cmp(&x),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
    .then(b.1.cmp(&a.1))
}

/// The positions of `summaries` in id order, or `None` when they are in order already (the
/// importer's are: the check reads millions of ids, on every core).
fn id_order<T: Sync>(summaries: &[(Box<str>, T)]) -> Option<Vec<u32>> {
    if summaries.par_windows(2).all(|w| w[0].0 <= w[1].0) {
        return None;
    }
    let mut order: Vec<(&str, u32)> = summaries.iter().map(|(id, _)| &**id).zip(0..).collect();
    order.par_sort_unstable();
    Some(order.into_iter().map(|(_, i)| i).collect())
}

/// Rearranges `items` in place so that position k holds the old `items[order[k]]`, following
/// the permutation's cycles with swaps (`order` must be a permutation of `0..items.len()`). In place because the records are hundreds of bytes each
/// and there are millions: a permuted copy would double their memory for a moment, and fresh
/// memory is costly (the kernel zeroes every new page).
pub fn permute_in_place<T>(items: &mut [T], mut order: Vec<u32>) {
    debug_assert_eq!(items.len(), order.len());
    for start in 0..order.len() {
        let mut current = start;
        // A finished position points to itself.
        while order[current] as usize != current {
            let next = order[current] as usize;
            order[current] = current as u32;
            if next == start {
                break;
            }
            items.swap(current, next);
            current = next;
        }
    }
}

/// Position `k`'s profile in a column that is either one per customer or empty.
fn profile_at(profiles: &[Option<Box<CustomerProfile>>], k: usize) -> Option<&CustomerProfile> {
    profiles.get(k).and_then(Option::as_deref)
}

/// Runs the ladder and the value analysis over all customers.
///
/// `customers` are the buyers (and anyone else the order log names); `profiles` come from the
/// optional customers file. People in `profiles` without purchases become prospects or visitors.
pub fn analyze(
    customers: Vec<CustomerRecord>,
    profiles: Vec<CustomerProfile>,
    rules: &LadderRules,
    as_of: Day,
) -> Analysis {
    let (summaries, forecasts) = customers
        .into_iter()
        .map(|c| ((c.id.into_boxed_str(), c.summary), c.forecast))
        .unzip();
    analyze_columns(summaries, forecasts, profiles, rules, as_of)
}

/// What one pass over the verdicts counts for the ladder report.
struct LadderTallies {
    ladder: Vec<RungRow>,
    returners: u64,
    image_clients: Tally,
    referred_customers: Tally,
    cost_complete: bool,
}

/// [`analyze`] for customers given as two parallel vectors (id and summary, forecast), as the
/// importer and the model step produce them: millions of customers are not copied into records.
/// `forecasts` holds one entry per customer, or none at all when no model was fitted.
pub fn analyze_columns(
    summaries: Vec<(Box<str>, Option<CustomerSummary>)>,
    forecasts: Vec<Option<Forecast>>,
    profiles: Vec<CustomerProfile>,
    rules: &LadderRules,
    as_of: Day,
) -> Analysis {
    assert!(
        forecasts.is_empty() || forecasts.len() == summaries.len(),
        "one forecast (or None) per customer, or no forecasts"
    );
    let mut profiles_by_id: HashMap<String, Box<CustomerProfile>> = profiles
        .into_iter()
        .map(|p| (p.id.clone(), Box::new(p)))
        .collect();
    let mut referrals: HashMap<String, u32> = HashMap::new();
    for p in profiles_by_id.values() {
        if let Some(r) = p.referred_by.as_ref().filter(|r| **r != p.id) {
            *referrals.entry(r.clone()).or_default() += 1;
        }
    }
    let any_referrer = !referrals.is_empty();
    // Each customer's profile, by position (none at all without a customers file, rather than
    // millions of `None`s); people with a profile but no purchase are appended.
    let (mut summaries, mut forecasts) = (summaries, forecasts);
    let mut profiles: Vec<Option<Box<CustomerProfile>>> = if profiles_by_id.is_empty() {
        Vec::new()
    } else {
        summaries
            .iter()
            .map(|(id, _)| profiles_by_id.remove(&**id))
            .collect()
    };
    let forecasts_given = !forecasts.is_empty();
    for (id, profile) in profiles_by_id {
        summaries.push((id.into_boxed_str(), None));
        if forecasts_given {
            forecasts.push(None);
        }
        profiles.push(Some(profile));
    }

    if let Some(order) = id_order(&summaries) {
        if !profiles.is_empty() {
            permute_in_place(&mut profiles, order.clone());
        }
        if forecasts_given {
            permute_in_place(&mut forecasts, order.clone());
        }
        permute_in_place(&mut summaries, order);
    }

    let mut referral_column: Vec<Referrals> = if any_referrer {
        summaries
            .iter()
            .map(|(id, _)| Referrals {
                count: referrals.get(&**id).copied().unwrap_or(0),
                revenue: Money::ZERO,
            })
            .collect()
    } else {
        Vec::new()
    };
    drop(referrals);
    let mut verdicts: Vec<Verdict> = summaries
        .par_iter()
        .enumerate()
        .map(|(k, (_, summary))| {
            let referrals = referral_column.get(k).map_or(0, |r| r.count);
            let signals = advocacy_signals(profile_at(&profiles, k), referrals);
            let p_alive = forecasts.get(k).and_then(|f| f.map(|f| f.p_alive));
            let placement = place(summary.as_ref(), &signals, p_alive, rules);
            Verdict {
                standing: placement.standing(),
                subgroup: None,
                abc: None,
                rfm: None,
            }
        })
        .collect();
    let summary_at = |k: usize| summaries[k].1.as_ref();
    let revenue_at = |k: usize| summary_at(k).map_or(Money::ZERO, |s| s.revenue);

    // Referred revenue: what the customers each referrer brought in.
    if any_referrer {
        let index: HashMap<&str, usize> = summaries
            .iter()
            .enumerate()
            .map(|(k, (id, _))| (&**id, k))
            .collect();
        for (k, (id, _)) in summaries.iter().enumerate() {
            if let Some(by) = profile_at(&profiles, k).and_then(|p| p.referred_by.as_deref())
                && let Some(&referrer) = index.get(by).filter(|_| by != &**id)
            {
                referral_column[referrer].revenue += revenue_at(k);
            }
        }
    }

    // Sub-groups inside each rung (the members of every rung found in one pass).
    let mut by_rung: Vec<Vec<u32>> = vec![Vec::new(); Rung::ALL.len()];
    for (k, v) in (0u32..).zip(&verdicts) {
        by_rung[v.standing.rung as usize].push(k);
    }
    // ABC and RFM among buyers. The rankings' inputs are built one at a time and dropped after
    // use: with tens of millions of customers they are the analysis's largest temporaries.
    let buyers: Vec<u32> = (0..summaries.len() as u32)
        .filter(|&k| summary_at(k as usize).is_some_and(|s| !s.days.is_empty()))
        .collect();
    let buyer = |b: &u32| summary_at(*b as usize).expect("buyer");
    // The sub-groups, the revenue rankings and the two count rankings need nothing of each
    // other: they run side by side, as most of each is a pass on one thread.
    let (subgroups, ((abc, monetary, revenue_pareto), (recency, frequency))) = rayon::join(
        || {
            by_rung
                .into_iter()
                .map(|members| {
                    let profits: Vec<Option<Money>> = members
                        .par_iter()
                        .map(|&k| {
                            summary_at(k as usize)
                                .filter(|s| !s.days.is_empty())
                                .map(|s| s.profit())
                        })
                        .collect();
                    let groups = assign_subgroups(&profits, rules.subgroups);
                    (members, groups)
                })
                .collect::<Vec<_>>()
        },
        || {
            rayon::join(
                || {
                    // Revenue is sorted once for its three rankings. Customers are id-sorted and
                    // `buyers` ascends, so breaking ties by a buyer's position breaks them by id.
                    let revenue =
                        ValueOrder::new(buyers.iter().map(|b| buyer(b).revenue).collect());
                    (
                        revenue.abc_classes(),
                        revenue.quintile_scores(true),
                        revenue.pareto(),
                    )
                },
                || {
                    rayon::join(
                        || {
                            let since: Vec<i32> = buyers
                                .iter()
                                .map(|b| buyer(b).days_since_last().unwrap_or(0))
                                .collect();
                            quintile_scores_of_counts(&since, false)
                        },
                        || {
                            let days: Vec<u32> =
                                buyers.iter().map(|b| buyer(b).purchase_days()).collect();
                            quintile_scores_of_counts(&days, true)
                        },
                    )
                },
            )
        },
    );
    for (members, groups) in subgroups {
        for (&k, g) in members.iter().zip(groups) {
            verdicts[k as usize].subgroup = g;
        }
    }
    let rfm = rfm_from_quintiles(recency, frequency, monetary);
    for ((&k, class), score) in buyers.iter().zip(abc).zip(rfm) {
        verdicts[k as usize].abc = Some(class);
        verdicts[k as usize].rfm = Some(score);
    }

    // The profit column is built and sorted for its Pareto after the revenue's order is gone
    // (one column and its sorted copy at a time), beside the ladder's tallies, one thread's pass
    // that allocates nothing.
    let (profit_pareto, tallies) = rayon::join(
        || {
            let profit: Vec<Money> = buyers.iter().map(|b| buyer(b).profit()).collect();
            pareto(&profit)
        },
        || {
            let mut t = LadderTallies {
                ladder: Rung::ALL
                    .iter()
                    .map(|&rung| RungRow {
                        rung,
                        total: Tally::default(),
                        subgroups: [Tally::default(); 3],
                        statuses: [Tally::default(); 3],
                        returners: 0,
                    })
                    .collect(),
                returners: 0,
                image_clients: Tally::default(),
                referred_customers: Tally::default(),
                cost_complete: true,
            };
            for (k, v) in verdicts.iter().enumerate() {
                let summary = summary_at(k);
                let profile = profile_at(&profiles, k);
                let row = &mut t.ladder[v.standing.rung as usize];
                row.total.add(summary);
                if let Some(g) = v.subgroup {
                    row.subgroups[g as usize].add(summary);
                }
                if let Some(s) = v.standing.status() {
                    row.statuses[s as usize].add(summary);
                }
                if v.standing.is_returner() {
                    row.returners += 1;
                    t.returners += 1;
                }
                if profile.is_some_and(|p| p.image_client) {
                    t.image_clients.add(summary);
                }
                if profile.is_some_and(|p| p.referred_by.is_some()) {
                    t.referred_customers.add(summary);
                }
                if summary.is_some_and(|s| !s.cost_complete) {
                    t.cost_complete = false;
                }
            }
            t
        },
    );
    drop(buyers);
    let LadderTallies {
        ladder,
        returners,
        image_clients,
        referred_customers,
        cost_complete,
    } = tallies;
    Analysis {
        as_of,
        summaries,
        forecasts,
        profiles,
        verdicts,
        referrals: referral_column,
        rules: rules.clone(),
        ladder,
        returners,
        revenue_pareto,
        profit_pareto,
        image_clients,
        referred_customers,
        cost_complete,
        clv_horizon_days: None,
    }
}

#[cfg(test)]
mod tests {
    use super::permute_in_place;
    use proptest::prelude::*;

    #[test]
    fn permutes_a_cycle_by_hand() {
        // order[k] = old position of the item that ends at k.
        let mut items = vec!['a', 'b', 'c', 'd', 'e'];
        permute_in_place(&mut items, vec![2, 0, 1, 4, 3]);
        assert_eq!(items, vec!['c', 'a', 'b', 'e', 'd']);
    }

    proptest! {
        #[test]
        fn permuting_in_place_matches_a_permuted_copy(
            order in (0usize..40)
                .prop_flat_map(|n| Just((0..n as u32).collect::<Vec<_>>()).prop_shuffle())
        ) {
            let items: Vec<String> = (0..order.len()).map(|i| format!("item{i}")).collect();
            let expected: Vec<String> = order.iter().map(|&i| items[i as usize].clone()).collect();
            let mut permuted = items;
            permute_in_place(&mut permuted, order);
            prop_assert_eq!(permuted, expected);
        }
    }
}
