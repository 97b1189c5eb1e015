//! The planner: the contact policy applied to a batch of planned contacts for many customers.

use rayon::prelude::*;

use super::{
    ContactProfile, ContactRecord, ContactRules, Decision, PlannedContact, Refusal, decide_sorted,
};

/// The counted contacts (sent, or planned and not cancelled; service notices left out) of
/// customers `0..n`, as sorted Unix seconds per customer, in one flat array.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContactHistory {
    /// Customer c's times are `times[starts[c]..starts[c + 1]]`.
    starts: Vec<usize>,
    times: Vec<i64>,
}

/// A history record for a customer the planner was not told about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a contact record names customer {customer}, but there are only {customers} customers")]
pub struct UnknownHistoryCustomer {
    pub customer: u32,
    pub customers: usize,
}

impl ContactHistory {
    /// Groups `(customer index, record)` pairs for `customers` customers (a counting sort:
    /// O(records + customers)). Refuses a record whose customer index is out of range.
    pub fn new(
        customers: usize,
        records: impl IntoIterator<Item = (u32, ContactRecord)>,
    ) -> Result<ContactHistory, UnknownHistoryCustomer> {
        let counted: Vec<(u32, i64)> = records
            .into_iter()
            .filter(|(_, r)| r.kind.counts_toward_cap())
            .map(|(c, r)| (c, r.at.as_second()))
            .collect();
        let mut starts = vec![0usize; customers + 1];
        for &(c, _) in &counted {
            if c as usize >= customers {
                return Err(UnknownHistoryCustomer {
                    customer: c,
                    customers,
                });
            }
            starts[c as usize + 1] += 1;
        }
        for i in 0..customers {
            starts[i + 1] += starts[i];
        }
        let mut next = starts.clone();
        let mut times = vec![0i64; counted.len()];
        for (c, t) in counted {
            times[next[c as usize]] = t;
            next[c as usize] += 1;
        }
        for c in 0..customers {
            times[starts[c]..starts[c + 1]].sort_unstable();
        }
        Ok(ContactHistory { starts, times })
    }

    /// No history for `customers` customers.
    pub fn empty(customers: usize) -> ContactHistory {
        ContactHistory {
            starts: vec![0; customers + 1],
            times: Vec::new(),
        }
    }

    /// Customer `c`'s counted contacts, sorted Unix seconds (empty beyond the known customers).
    pub fn of(&self, c: u32) -> &[i64] {
        let c = c as usize;
        match (self.starts.get(c), self.starts.get(c + 1)) {
            (Some(&a), Some(&b)) => &self.times[a..b],
            _ => &[],
        }
    }
}

/// Decides every planned contact; the decisions are in the order of `contacts`.
///
/// Each customer's contacts are decided in order of priority (highest first), then wanted
/// time, then position in `contacts`; every contact allowed to go out counts toward that
/// customer's caps for the contacts decided after it. Customers do not share any limit, so this
/// is the same as deciding all contacts in order of (priority, customer) and is done per
/// customer, in parallel, with the same result as a sequential run. A contact naming a
/// customer index outside `profiles` is refused ([`Refusal::UnknownCustomer`]).
///
/// Whatever the modules plan, no customer ends up with more counted contacts in a window
/// than the cap allows, unless the history alone already exceeded it (then nothing more is
/// added to that window).
pub fn plan(
    contacts: &[PlannedContact],
    profiles: &[ContactProfile],
    history: &ContactHistory,
    rules: &ContactRules,
) -> Vec<Decision> {
    let mut order: Vec<u32> = (0..contacts.len() as u32).collect();
    order.par_sort_unstable_by_key(|&i| {
        let c = &contacts[i as usize];
        (c.customer, std::cmp::Reverse(c.priority), c.wanted_at, i)
    });
    let decided: Vec<(u32, Decision)> = order
        .par_chunk_by(|&a, &b| contacts[a as usize].customer == contacts[b as usize].customer)
        .flat_map_iter(|run| {
            let customer = contacts[run[0] as usize].customer;
            let profile = profiles.get(customer as usize);
            let mut counted = history.of(customer).to_vec();
            run.iter()
                .map(|&i| {
                    let contact = &contacts[i as usize];
                    let Some(profile) = profile else {
                        return (i, Decision::Refused(Refusal::UnknownCustomer));
                    };
                    let decision = decide_sorted(contact, profile, &counted, rules);
                    if let Decision::Send(send) = decision
                        && contact.kind.counts_toward_cap()
                    {
                        let t = send.at.as_second();
                        let at = counted.partition_point(|&x| x <= t);
                        counted.insert(at, t);
                    }
                    (i, decision)
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let mut out = vec![Decision::Refused(Refusal::UnknownCustomer); contacts.len()];
    for (i, d) in decided {
        out[i as usize] = d;
    }
    out
}
