//! The whole-company analysis: every customer placed, sub-grouped and scored, plus the totals a
//! manager reads first (the ladder table, status counts, Pareto headlines, regulars at risk).

use std::collections::HashMap;

use rayon::prelude::*;

use crate::{
    AbcClass, AdvocacySignals, CustomerProfile, CustomerSummary, Day, LadderRules, Money, Pareto,
    Placement, Rfm, Rhythm, Rung, Status, Subgroup, abc_classes, assign_subgroups, pareto, place,
    rfm_scores, stability,
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
    /// Expected value of one purchase (Gamma-Gamma), when a spend model was fitted.
    pub expected_spend: Option<f64>,
    /// Discounted revenue expected over the horizon.
    pub clv: Option<f64>,
    /// `clv` times the customer's margin.
    pub clv_profit: Option<f64>,
    /// When the model expects the next purchase (the median wait, given the customer is alive).
    pub next_purchase: Option<Day>,
}

/// Everything Clientele concludes about one customer.
#[derive(Clone, Debug)]
pub struct CustomerResult {
    pub id: String,
    pub summary: Option<CustomerSummary>,
    /// Boxed: most customers have none, and the result vector holds millions of rows.
    pub profile: Option<Box<CustomerProfile>>,
    pub placement: Placement,
    pub forecast: Option<Forecast>,
    pub subgroup: Option<Subgroup>,
    /// ABC class by revenue; `None` for people without purchases.
    pub abc: Option<AbcClass>,
    pub rfm: Option<Rfm>,
    pub stability: Option<f64>,
    /// Customers who name this one as their referrer, and what they brought in.
    pub referrals: u32,
    pub referred_revenue: Money,
}

impl CustomerResult {
    pub fn revenue(&self) -> Money {
        self.summary.as_ref().map_or(Money::ZERO, |s| s.revenue)
    }

    pub fn profit(&self) -> Money {
        self.summary.as_ref().map_or(Money::ZERO, |s| s.profit())
    }

    /// The customer's rhythm, when their status was judged by it.
    pub fn rhythm(&self) -> Option<Rhythm> {
        self.placement
            .status
            .and_then(|(_, why)| why.rhythm().copied())
    }

    /// When the next purchase is expected: one mean gap after the last purchase for a customer
    /// with a rhythm, else when the model expects it.
    pub fn expected_next_purchase(&self) -> Option<Day> {
        let last = self.summary.as_ref().and_then(|s| s.last_purchase);
        match (self.rhythm(), last) {
            (Some(r), Some(last)) => Some(last.plus_days(r.mean_gap.round() as i32)),
            _ => self.forecast.and_then(|f| f.next_purchase),
        }
    }

    /// Whole days past the expected next purchase (0 when not yet due), for customers with a
    /// rhythm.
    pub fn days_late(&self) -> Option<i64> {
        let since = self.summary.as_ref()?.days_since_last()?;
        Some(self.rhythm()?.days_late(since).round().max(0.0) as i64)
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
    fn add(&mut self, r: &CustomerResult) {
        self.customers += 1;
        self.revenue += r.revenue();
        self.profit += r.profit();
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
    /// Sorted by customer id.
    pub customers: Vec<CustomerResult>,
    pub ladder: Vec<RungRow>,
    pub returners: u64,
    pub revenue_pareto: Option<Pareto>,
    pub profit_pareto: Option<Pareto>,
    pub image_clients: Tally,
    pub referred_customers: Tally,
    /// Whether every order line carried a cost (otherwise profit is revenue minus known costs).
    pub cost_complete: bool,
}

impl Analysis {
    /// Slipping or lost regulars and advocates, by profit at stake (largest first), then id.
    pub fn regulars_at_risk(&self, limit: usize) -> Vec<&CustomerResult> {
        let mut at_risk: Vec<&CustomerResult> = self
            .customers
            .iter()
            .filter(|c| matches!(c.placement.rung, Rung::Regular | Rung::Advocate))
            .filter(|c| matches!(c.placement.status(), Some(Status::Slipping)))
            .collect();
        at_risk.sort_by(|a, b| b.revenue().cmp(&a.revenue()).then_with(|| a.id.cmp(&b.id)));
        at_risk.truncate(limit);
        at_risk
    }

    /// Customers late by their own rhythm (not yet lost): the day's alerts, by value at stake —
    /// the forecast CLV when a model was fitted, else revenue — largest first, then id.
    pub fn rhythm_alerts(&self) -> Vec<&CustomerResult> {
        let mut alerts: Vec<&CustomerResult> = self
            .customers
            .iter()
            .filter(|c| {
                matches!(
                    c.placement.status,
                    Some((_, crate::StatusReason::LateByRhythm { .. }))
                )
            })
            .collect();
        let stake = |c: &CustomerResult| {
            c.forecast
                .and_then(|f| f.clv)
                .unwrap_or_else(|| c.revenue().to_f64())
        };
        alerts.sort_by(|a, b| stake(b).total_cmp(&stake(a)).then_with(|| a.id.cmp(&b.id)));
        alerts
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

/// The positions of `ids` in id order, or `None` when they are in order already.
fn id_order<'a>(ids: impl Iterator<Item = &'a str> + Clone) -> Option<Vec<u32>> {
    if ids.clone().is_sorted() {
        return None;
    }
    let mut order: Vec<(&str, u32)> = ids.zip(0..).collect();
    order.par_sort_unstable();
    Some(order.into_iter().map(|(_, i)| i).collect())
}

/// Rearranges `items` in place so that position k holds the old `items[order[k]]`, following
/// the permutation's cycles with swaps. In place because the records are hundreds of bytes each
/// and there are millions: a permuted copy would double their memory for a moment, and fresh
/// memory is costly (the kernel zeroes every new page).
fn permute_in_place<T>(items: &mut [T], mut order: Vec<u32>) {
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
        .map(|c| ((c.id, c.summary), c.forecast))
        .unzip();
    analyze_columns(summaries, forecasts, profiles, rules, as_of)
}

/// [`analyze`] for customers given as two parallel vectors (id and summary, forecast), as the
/// importer and the model step produce them: millions of customers are not copied into records.
pub fn analyze_columns(
    summaries: Vec<(String, Option<CustomerSummary>)>,
    forecasts: Vec<Option<Forecast>>,
    profiles: Vec<CustomerProfile>,
    rules: &LadderRules,
    as_of: Day,
) -> Analysis {
    assert_eq!(
        summaries.len(),
        forecasts.len(),
        "one forecast (or None) per customer"
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
    // Each customer's profile, by position; people with a profile but no purchase are appended.
    let (mut summaries, mut forecasts) = (summaries, forecasts);
    let mut profile_of: Vec<Option<Box<CustomerProfile>>> = if profiles_by_id.is_empty() {
        (0..summaries.len()).map(|_| None).collect()
    } else {
        summaries
            .iter()
            .map(|(id, _)| profiles_by_id.remove(id))
            .collect()
    };
    for (id, profile) in profiles_by_id {
        summaries.push((id, None));
        forecasts.push(None);
        profile_of.push(Some(profile));
    }

    if let Some(order) = id_order(summaries.iter().map(|(id, _)| id.as_str())) {
        permute_in_place(&mut profile_of, order.clone());
        permute_in_place(&mut forecasts, order.clone());
        permute_in_place(&mut summaries, order);
    }

    let mut results: Vec<CustomerResult> = summaries
        .into_par_iter()
        .zip(forecasts)
        .zip(profile_of)
        .map(|(((id, summary), forecast), profile)| {
            let signals = AdvocacySignals {
                nps: profile.as_ref().and_then(|p| p.nps),
                referrals: referrals.get(&id).copied().unwrap_or(0),
                last_touch: profile.as_ref().and_then(|p| p.last_touch),
            };
            let p_alive = forecast.map(|f| f.p_alive);
            let placement = place(summary.as_ref(), &signals, p_alive, rules);
            let stability = summary
                .as_ref()
                .and_then(|s| stability(s.intervals().and_then(|i| i.cv)));
            CustomerResult {
                id,
                summary,
                profile,
                placement,
                forecast,
                subgroup: None,
                abc: None,
                rfm: None,
                stability,
                referrals: signals.referrals,
                referred_revenue: Money::ZERO,
            }
        })
        .collect();

    // Referred revenue: what the customers each referrer brought in.
    if any_referrer {
        let index: HashMap<&str, usize> = results
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.as_str(), i))
            .collect();
        let mut referred: Vec<(usize, Money)> = Vec::new();
        for r in &results {
            if let Some(by) = r.profile.as_ref().and_then(|p| p.referred_by.as_deref())
                && let Some(&i) = index.get(by).filter(|_| by != r.id)
            {
                referred.push((i, r.revenue()));
            }
        }
        drop(index);
        for (i, revenue) in referred {
            results[i].referred_revenue += revenue;
        }
    }

    // Sub-groups inside each rung.
    for rung in Rung::ALL {
        let members: Vec<usize> = (0..results.len())
            .filter(|&i| results[i].placement.rung == rung)
            .collect();
        let profits: Vec<Option<Money>> = members
            .iter()
            .map(|&i| {
                results[i]
                    .summary
                    .as_ref()
                    .filter(|s| !s.days.is_empty())
                    .map(|s| s.profit())
            })
            .collect();
        for (&i, g) in members
            .iter()
            .zip(assign_subgroups(&profits, rules.subgroups))
        {
            results[i].subgroup = g;
        }
    }

    // ABC and RFM among buyers.
    let buyers: Vec<usize> = (0..results.len())
        .filter(|&i| {
            results[i]
                .summary
                .as_ref()
                .is_some_and(|s| !s.days.is_empty())
        })
        .collect();
    let revenue: Vec<Money> = buyers.iter().map(|&i| results[i].revenue()).collect();
    let abc = abc_classes(&revenue, |k| buyers[k]); // results are id-sorted, so index = id order
    let summary = |i: usize| results[i].summary.as_ref().expect("buyer");
    let since: Vec<i64> = buyers
        .iter()
        .map(|&i| i64::from(summary(i).days_since_last().unwrap_or(0)))
        .collect();
    let days: Vec<i64> = buyers
        .iter()
        .map(|&i| i64::from(summary(i).purchase_days()))
        .collect();
    let money: Vec<i64> = revenue.iter().map(|m| m.units()).collect();
    let rfm = rfm_scores(&since, &days, &money);
    for ((&i, class), score) in buyers.iter().zip(abc).zip(rfm) {
        results[i].abc = Some(class);
        results[i].rfm = Some(score);
    }

    let profit: Vec<Money> = buyers.iter().map(|&i| results[i].profit()).collect();
    let mut ladder: Vec<RungRow> = Rung::ALL
        .iter()
        .map(|&rung| RungRow {
            rung,
            total: Tally::default(),
            subgroups: [Tally::default(); 3],
            statuses: [Tally::default(); 3],
            returners: 0,
        })
        .collect();
    let mut returners = 0;
    let mut image_clients = Tally::default();
    let mut referred_customers = Tally::default();
    let mut cost_complete = true;
    for r in &results {
        let row = &mut ladder[r.placement.rung as usize];
        row.total.add(r);
        if let Some(g) = r.subgroup {
            row.subgroups[g as usize].add(r);
        }
        if let Some(s) = r.placement.status() {
            row.statuses[s as usize].add(r);
        }
        if r.placement.is_returner() {
            row.returners += 1;
            returners += 1;
        }
        if r.profile.as_ref().is_some_and(|p| p.image_client) {
            image_clients.add(r);
        }
        if r.profile.as_ref().is_some_and(|p| p.referred_by.is_some()) {
            referred_customers.add(r);
        }
        if r.summary.as_ref().is_some_and(|s| !s.cost_complete) {
            cost_complete = false;
        }
    }
    Analysis {
        as_of,
        customers: results,
        ladder,
        returners,
        revenue_pareto: pareto(&revenue),
        profit_pareto: pareto(&profit),
        image_clients,
        referred_customers,
        cost_complete,
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
