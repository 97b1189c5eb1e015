//! How to reach customers on a day: per customer, the channel the contact policy allows
//! (consent in force, contact details, then the preference), or why there is none. Every list,
//! card and export that suggests a channel reads it here, and the decision itself is the core's
//! [`clientele_core::contact_policy::choose_channel`]: the store only gathers its inputs.

use std::collections::HashMap;

use clientele_core::Day;
use clientele_core::contact_policy::{
    self, ChannelSet, ConsentEvent, ContactRules, Refusal, consent_in_force,
};
use sqlx::QueryBuilder;

use super::records::{Channel, ConsentRecord, ContactRecord};
use crate::db::{Store, day_from_db, dispatch};
use crate::error::Result;

/// Customers read per query: far below either backend's limit on bound parameters.
const IDS_PER_QUERY: usize = 500;

/// How to reach one customer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// The channel to use: consent in force, contact details known; the preferred channel when
    /// it qualifies, else the first that does in the policy's fallback order.
    Channel(Channel),
    /// No channel has consent in force (never given, or withdrawn).
    NoConsentedChannel,
    /// Consent is in force on some channel, but no address or number is known for any of them.
    NoContactDetails,
}

impl Reach {
    /// The channel, when there is one.
    pub fn channel(self) -> Option<Channel> {
        match self {
            Reach::Channel(c) => Some(c),
            _ => None,
        }
    }

    /// A stable code: the channel's name, `no_consented_channel` or `no_contact_details`.
    pub fn code(self) -> &'static str {
        match self {
            Reach::Channel(c) => c.as_str(),
            Reach::NoConsentedChannel => "no_consented_channel",
            Reach::NoContactDetails => "no_contact_details",
        }
    }
}

fn core_channel(c: Channel) -> contact_policy::Channel {
    contact_policy::Channel::parse(c.as_str()).expect("the store's channels are the core's")
}

fn store_channel(c: contact_policy::Channel) -> Channel {
    Channel::parse(c.as_str()).expect("the core's channels are the store's")
}

/// What the policy needs to know about one customer.
#[derive(Default)]
struct Inputs {
    /// Consent events in the order they were recorded.
    events: Vec<(Channel, bool, Day)>,
    reachable: ChannelSet,
    preferred: Option<Channel>,
}

impl Inputs {
    fn reach(&self, day: Day, rules: &ContactRules) -> Reach {
        let events: Vec<ConsentEvent<'_>> = self
            .events
            .iter()
            .map(|&(channel, granted, day)| ConsentEvent {
                channel: core_channel(channel),
                granted,
                day,
                source: "",
            })
            .collect();
        let consented = consent_in_force(&events, day).consented();
        match contact_policy::choose_channel(
            ChannelSet::ALL,
            consented,
            self.reachable,
            self.preferred.map(core_channel),
            rules,
        ) {
            Ok(c) => Reach::Channel(store_channel(c)),
            Err(Refusal::NoConsentedChannel) => Reach::NoConsentedChannel,
            Err(_) => Reach::NoContactDetails,
        }
    }
}

/// How to reach a customer on `day` from their card's records: consent history in the order it
/// was recorded (or by day, then as recorded), contact details and preferred channel. The same
/// decision as [`Store::reach`].
pub fn reach_of(
    consents: &[ConsentRecord],
    contacts: &[ContactRecord],
    preferred: Option<Channel>,
    day: Day,
) -> Reach {
    Inputs {
        events: consents
            .iter()
            .map(|c| (c.channel, c.granted, c.day))
            .collect(),
        reachable: ChannelSet::of(contacts.iter().map(|c| core_channel(c.channel))),
        preferred,
    }
    .reach(day, &ContactRules::default())
}

impl Store {
    /// How to reach each of `ids` on `day` (consent recorded after `day` is not yet in force),
    /// with the default contact rules' fallback order. Unknown ids are left out.
    pub async fn reach(&self, ids: &[i64], day: Day) -> Result<HashMap<i64, Reach>> {
        let mut inputs: HashMap<i64, Inputs> = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(IDS_PER_QUERY) {
            let (customers, consents, contacts) = dispatch!(self, pool => {
                let mut q = QueryBuilder::new("SELECT id, preferred_channel FROM customers WHERE id IN (");
                push_ids(&mut q, chunk);
                let customers: Vec<(i64, Option<String>)> = q.build_query_as().fetch_all(pool).await?;
                let mut q = QueryBuilder::new(
                    "SELECT customer_id, channel, granted, day FROM consents WHERE customer_id IN (",
                );
                push_ids(&mut q, chunk);
                q.push(" ORDER BY customer_id, id");
                let consents: Vec<(i64, String, bool, i64)> = q.build_query_as().fetch_all(pool).await?;
                let mut q = QueryBuilder::new(
                    "SELECT DISTINCT customer_id, channel FROM customer_contacts WHERE customer_id IN (",
                );
                push_ids(&mut q, chunk);
                let contacts: Vec<(i64, String)> = q.build_query_as().fetch_all(pool).await?;
                (customers, consents, contacts)
            });
            for (id, preferred) in customers {
                inputs.entry(id).or_default().preferred =
                    preferred.as_deref().and_then(Channel::parse);
            }
            for (id, channel, granted, d) in consents {
                if let (Some(c), Some(i)) = (Channel::parse(&channel), inputs.get_mut(&id)) {
                    i.events.push((c, granted, day_from_db(d)));
                }
            }
            for (id, channel) in contacts {
                if let (Some(c), Some(i)) = (Channel::parse(&channel), inputs.get_mut(&id)) {
                    i.reachable = i.reachable.with(core_channel(c));
                }
            }
        }
        let rules = ContactRules::default();
        Ok(inputs
            .into_iter()
            .map(|(id, i)| (id, i.reach(day, &rules)))
            .collect())
    }
}

/// How to reach a customer, with the address or number of that channel only: what an export
/// may write. The details of channels without consent in force never leave the store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReachContact {
    pub reach: Reach,
    /// The first recorded value of `reach`'s channel; `None` when there is no channel.
    pub value: Option<String>,
}

impl Store {
    /// [`Store::reach`] with the contact value of the chosen channel (the first recorded one).
    pub async fn reach_contacts(
        &self,
        ids: &[i64],
        day: Day,
    ) -> Result<HashMap<i64, ReachContact>> {
        let reach = self.reach(ids, day).await?;
        let mut found: HashMap<i64, ReachContact> = reach
            .iter()
            .map(|(&id, &reach)| (id, ReachContact { reach, value: None }))
            .collect();
        // Only customers with a channel need a value, and only that channel's.
        let wanted: Vec<i64> = reach
            .iter()
            .filter(|(_, r)| r.channel().is_some())
            .map(|(&id, _)| id)
            .collect();
        for chunk in wanted.chunks(IDS_PER_QUERY) {
            let rows = dispatch!(self, pool => {
                let mut q = QueryBuilder::new(
                    "SELECT customer_id, channel, value FROM customer_contacts WHERE customer_id IN (",
                );
                push_ids(&mut q, chunk);
                q.push(" ORDER BY customer_id, id");
                let rows: Vec<(i64, String, String)> = q.build_query_as().fetch_all(pool).await?;
                rows
            });
            for (id, channel, value) in rows {
                let Some(entry) = found.get_mut(&id) else {
                    continue;
                };
                if entry.value.is_none() && entry.reach.channel() == Channel::parse(&channel) {
                    entry.value = Some(value);
                }
            }
        }
        Ok(found)
    }
}

fn push_ids<DB: sqlx::Database>(q: &mut QueryBuilder<DB>, ids: &[i64])
where
    i64: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    let mut sep = q.separated(", ");
    for id in ids {
        sep.push_bind(*id);
    }
    q.push(")");
}
