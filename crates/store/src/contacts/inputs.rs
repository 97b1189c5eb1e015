//! What the contact policy needs to know about customers to plan their contacts, read in bulk:
//! consent events, the channels with contact details, the preferred channel, the time zone and
//! quiet hours, and the rung of the latest snapshot.

use std::collections::HashMap;

use clientele_core::{Day, Rung};

use crate::columns;
use crate::customers::Channel;
use crate::db::{Store, day_from_db, dispatch};
use crate::error::Result;

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
        let customers: Vec<CustomerColumns> = dispatch!(self, pool => {
            sqlx::query_as(
                "SELECT id, external_id, name, manager_user_id, preferred_channel FROM customers
                 WHERE erased_at IS NULL ORDER BY id",
            )
            .fetch_all(pool)
            .await?
        });
        let wanted: Option<HashMap<i64, usize>> =
            ids.map(|ids| ids.iter().enumerate().map(|(i, &id)| (id, i)).collect());
        let mut out: Vec<ContactInputs> = Vec::new();
        let mut index: HashMap<i64, usize> = HashMap::new();
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
        let consents: Vec<(i64, String, bool, i64, String)> = dispatch!(self, pool => {
            sqlx::query_as(
                "SELECT customer_id, channel, granted, day, source FROM consents ORDER BY customer_id, day, id",
            )
            .fetch_all(pool)
            .await?
        });
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
        let contacts: Vec<(i64, String)> = dispatch!(self, pool => {
            sqlx::query_as("SELECT DISTINCT customer_id, channel FROM customer_contacts")
                .fetch_all(pool)
                .await?
        });
        for (id, channel) in contacts {
            if let (Some(&i), Some(channel)) = (index.get(&id), Channel::parse(&channel)) {
                out[i].reachable.push(channel);
            }
        }
        type PrefColumns = (i64, Option<String>, Option<i64>, Option<i64>);
        let prefs: Vec<PrefColumns> = dispatch!(self, pool => {
            sqlx::query_as("SELECT customer_id, time_zone, quiet_start, quiet_end FROM contact_preferences")
                .fetch_all(pool)
                .await?
        });
        for (id, tz, start, end) in prefs {
            if let Some(&i) = index.get(&id) {
                out[i].time_zone = tz;
                out[i].quiet_hours = start.zip(end).map(|(s, e)| (s as u16, e as u16));
            }
        }
        let rungs: Vec<(i64, String)> = dispatch!(self, pool => {
            sqlx::query_as(
                "SELECT customer_id, rung FROM score_snapshots
                 WHERE as_of = (SELECT MAX(as_of) FROM score_snapshots)",
            )
            .fetch_all(pool)
            .await?
        });
        for (id, rung) in rungs {
            if let Some(&i) = index.get(&id) {
                out[i].rung = columns::rung_or_empty("score_snapshots.rung", &rung)?;
            }
        }
        if let Some(w) = wanted {
            out.sort_by_key(|c| w[&c.customer_id]);
        }
        Ok(out)
    }
}
