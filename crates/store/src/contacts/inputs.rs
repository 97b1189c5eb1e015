//! What the contact policy needs to know about customers to plan their contacts, read in bulk:
//! consent events, the channels with contact details, the preferred channel, the time zone and
//! quiet hours, and the rung of the latest snapshot.

use std::collections::HashMap;

use clientele_core::{Day, Rung};
use sqlx::QueryBuilder;

use crate::columns;
use crate::customers::Channel;
use crate::db::{Store, day_from_db, dispatch};
use crate::error::Result;

/// Up to this many customers are read by id (`IN` lists); more are read in one pass over each
/// table, which is cheaper than many lists.
const IDS_READ_BY_ID: usize = 20_000;
/// Ids per `IN` list: well below the bound-parameter limit of both backends.
const IDS_PER_STATEMENT: usize = 10_000;

/// One consent event as the policy reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredConsentEvent {
    pub channel: Channel,
    pub granted: bool,
    pub day: Day,
    pub source: String,
}

/// What the policy knows about one customer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContactInputs {
    pub customer_id: i64,
    pub external_id: String,
    pub name: Option<String>,
    pub manager_user_id: Option<i64>,
    /// Oldest first (by day, then as recorded).
    pub consents: Vec<StoredConsentEvent>,
    /// Channels with an address or number on file.
    pub reachable: Vec<Channel>,
    pub preferred_channel: Option<Channel>,
    pub time_zone: Option<String>,
    pub quiet_hours: Option<(u16, u16)>,
    /// In the latest snapshot; `None` before the first scoring or for a customer it lacks.
    pub rung: Option<Rung>,
}

impl Store {
    /// The policy's inputs for the customers `ids` (every customer when `None`), in the order
    /// of `ids` (of customer id when `None`); an id without a customer is left out.
    pub async fn contact_inputs(&self, ids: Option<&[i64]>) -> Result<Vec<ContactInputs>> {
        type CustomerColumns = (i64, String, Option<String>, Option<i64>, Option<String>);
        type PrefColumns = (i64, Option<String>, Option<i64>, Option<i64>);
        let wanted: Option<HashMap<i64, usize>> =
            ids.map(|ids| ids.iter().enumerate().map(|(i, &id)| (id, i)).collect());
        // A few customers (the day's queue asks for its shown items) are read by id; more, or
        // everyone, in one pass over each table, filtered here.
        let mut sorted: Vec<i64> = ids.map(<[i64]>::to_vec).unwrap_or_default();
        sorted.sort_unstable();
        sorted.dedup();
        let by_id = ids.is_some_and(|ids| ids.len() <= IDS_READ_BY_ID);
        let chunks: Vec<&[i64]> = if by_id {
            sorted.chunks(IDS_PER_STATEMENT).collect()
        } else {
            vec![&[]]
        };
        let mut out: Vec<ContactInputs> = Vec::new();
        let mut index: HashMap<i64, usize> = HashMap::new();
        for chunk in chunks {
            // `column IN (the chunk's ids)` when reading by id, nothing otherwise (a macro: the
            // builder's type differs per backend).
            macro_rules! only {
                ($q:expr, $column:expr) => {{
                    if by_id {
                        $q.push(concat!(" AND ", $column, " IN ("));
                        let mut list = $q.separated(", ");
                        for id in chunk {
                            list.push_bind(*id);
                        }
                        $q.push(")");
                    }
                }};
            }
            let (customers, consents, contacts, prefs, rungs) = dispatch!(self, pool => {
                let mut q = QueryBuilder::new(
                    "SELECT id, external_id, name, manager_user_id, preferred_channel FROM customers
                     WHERE erased_at IS NULL",
                );
                only!(q, "id");
                q.push(" ORDER BY id");
                let customers: Vec<CustomerColumns> = q.build_query_as().fetch_all(pool).await?;
                let mut q = QueryBuilder::new(
                    "SELECT customer_id, channel, granted, day, source FROM consents WHERE 1 = 1",
                );
                only!(q, "customer_id");
                q.push(" ORDER BY customer_id, day, id");
                let consents: Vec<(i64, String, bool, i64, String)> =
                    q.build_query_as().fetch_all(pool).await?;
                let mut q = QueryBuilder::new(
                    "SELECT DISTINCT customer_id, channel FROM customer_contacts WHERE 1 = 1",
                );
                only!(q, "customer_id");
                let contacts: Vec<(i64, String)> = q.build_query_as().fetch_all(pool).await?;
                let mut q = QueryBuilder::new(
                    "SELECT customer_id, time_zone, quiet_start, quiet_end FROM contact_preferences
                     WHERE 1 = 1",
                );
                only!(q, "customer_id");
                let prefs: Vec<PrefColumns> = q.build_query_as().fetch_all(pool).await?;
                let mut q = QueryBuilder::new(
                    "SELECT customer_id, rung FROM score_snapshots
                     WHERE as_of = (SELECT MAX(as_of) FROM score_snapshots)",
                );
                only!(q, "customer_id");
                let rungs: Vec<(i64, String)> = q.build_query_as().fetch_all(pool).await?;
                (customers, consents, contacts, prefs, rungs)
            });
            for (id, external_id, name, manager, preferred) in customers {
                if wanted.as_ref().is_some_and(|w| !w.contains_key(&id)) {
                    continue;
                }
                index.insert(id, out.len());
                out.push(ContactInputs {
                    customer_id: id,
                    external_id,
                    name,
                    manager_user_id: manager,
                    preferred_channel: preferred.as_deref().and_then(Channel::parse),
                    ..ContactInputs::default()
                });
            }
            for (id, channel, granted, day, source) in consents {
                if let (Some(&i), Some(channel)) = (index.get(&id), Channel::parse(&channel)) {
                    out[i].consents.push(StoredConsentEvent {
                        channel,
                        granted,
                        day: day_from_db(day),
                        source,
                    });
                }
            }
            for (id, channel) in contacts {
                if let (Some(&i), Some(channel)) = (index.get(&id), Channel::parse(&channel)) {
                    out[i].reachable.push(channel);
                }
            }
            for (id, tz, start, end) in prefs {
                if let Some(&i) = index.get(&id) {
                    out[i].time_zone = tz;
                    out[i].quiet_hours = start.zip(end).map(|(s, e)| (s as u16, e as u16));
                }
            }
            for (id, rung) in rungs {
                if let Some(&i) = index.get(&id) {
                    out[i].rung = columns::rung_or_empty("score_snapshots.rung", &rung)?;
                }
            }
        }
        if let Some(w) = wanted {
            out.sort_by_key(|c| w[&c.customer_id]);
        }
        Ok(out)
    }
}
