//! The contact policy's inputs for planning a day's contacts, read in bulk as columns: every
//! customer (or a list of them) with its preferred channel, time zone, quiet hours and rung in
//! one ordered read; the consent in force per channel folded from one ordered read of the
//! consent history; the channels with contact details; and the log's rows that count toward the
//! caps, with service notices and cancelled rows left out in SQL.
//!
//! Issue 26 item 8 (1M customers planned under 5 s): on a SQLite file the four statements run on
//! a read-only rusqlite connection of their own, in one read transaction, because sqlx-sqlite
//! hands every row from its worker thread to the caller (about 6M rows for 1M customers);
//! on PostgreSQL (and an in-memory SQLite) the same statements stream through the pool in one
//! repeatable-read transaction. Both fold the rows with the same [`Columns`] builder.

use std::path::Path;
use std::time::Duration;

use clientele_core::{Day, Rung};
use futures_util::TryStreamExt;

use crate::columns;
use crate::customers::Channel;
use crate::db::{Store, day_to_db};
use crate::error::{Result, StoreError};

/// A set of the store's channels (bit `i` is [`Channel::ALL`]`[i]`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ChannelBits(u8);

impl ChannelBits {
    pub const EMPTY: ChannelBits = ChannelBits(0);

    fn bit(c: Channel) -> u8 {
        1 << Channel::ALL.iter().position(|&x| x == c).unwrap_or(0)
    }

    pub fn with(self, c: Channel) -> ChannelBits {
        ChannelBits(self.0 | ChannelBits::bit(c))
    }

    pub fn without(self, c: Channel) -> ChannelBits {
        ChannelBits(self.0 & !ChannelBits::bit(c))
    }

    pub fn contains(self, c: Channel) -> bool {
        self.0 & ChannelBits::bit(c) != 0
    }

    /// The channels in [`Channel::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Channel> {
        Channel::ALL.into_iter().filter(move |&c| self.contains(c))
    }

    /// The set of `bits` (bit `i` is [`Channel::ALL`]`[i]`; bits beyond the channels are
    /// dropped).
    pub fn from_bits(bits: u8) -> ChannelBits {
        ChannelBits(bits & ((1 << Channel::ALL.len()) - 1))
    }

    /// The raw bits (bit `i` is [`Channel::ALL`]`[i]`), for a lookup table.
    pub fn bits(self) -> u8 {
        self.0
    }
}

/// The policy's inputs, one entry per customer in every `Vec` but `time_zones` and `counted`,
/// customers in ascending id.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContactPlanInputs {
    /// Ascending; erased customers are left out.
    pub customer_ids: Vec<i64>,
    pub external_ids: Vec<String>,
    /// Channels whose latest consent event dated on or before the planned day is a grant (the
    /// latest day wins, of one day the one recorded last: the core's `consent_in_force`).
    pub consented: Vec<ChannelBits>,
    /// Channels with an address or number on file.
    pub reachable: Vec<ChannelBits>,
    pub preferred: Vec<Option<Channel>>,
    /// The customer's own time zone, an index into `time_zones`.
    pub time_zone: Vec<Option<u32>>,
    /// The distinct IANA names stored, in order of first appearance.
    pub time_zones: Vec<String>,
    /// Minutes after local midnight, `(start, end)`.
    pub quiet_hours: Vec<Option<(u16, u16)>>,
    /// In the latest snapshot.
    pub rung: Vec<Option<Rung>>,
    /// The outgoing rows that count toward the caps (planned, sent or exported, any kind but
    /// service notices; rows without a kind count) at or after `since`: (index of the customer
    /// in `customer_ids`, `planned_for` else `at` in Unix seconds), in no particular order.
    pub counted: Vec<(u32, i64)>,
}

impl ContactPlanInputs {
    /// The index of customer `id`, if it was read.
    pub fn index_of(&self, id: i64) -> Option<u32> {
        self.customer_ids.binary_search(&id).ok().map(|i| i as u32)
    }
}

/// Every customer (or those listed), with what they have in one row each.
const CUSTOMERS_SQL: &str = "SELECT c.id, c.external_id, c.preferred_channel, p.time_zone,
        p.quiet_start, p.quiet_end, s.rung
 FROM customers c
 LEFT JOIN contact_preferences p ON p.customer_id = c.id
 LEFT JOIN score_snapshots s ON s.customer_id = c.id
      AND s.as_of = (SELECT MAX(as_of) FROM score_snapshots)
 WHERE c.erased_at IS NULL";
/// The consent history up to the planned day, each channel's events oldest first, so the last
/// row of a customer's channel is the one in force (the covering index `consents_in_force`).
const CONSENTS_SQL: &str = "SELECT customer_id, channel, granted FROM consents WHERE day <= $1";
const CONSENTS_ORDER: &str = " ORDER BY customer_id, channel, day, id";
const CONTACTS_SQL: &str = "SELECT customer_id, channel FROM customer_contacts WHERE 1 = 1";
/// The partial index `contact_log_counted` holds exactly these rows, by time.
const COUNTED_SQL: &str = "SELECT customer_id, COALESCE(planned_for, at) FROM contact_log
 WHERE direction = 'out' AND state <> 'cancelled'
   AND (kind IS NULL OR kind <> 'service_notice')
   AND COALESCE(planned_for, at) >= $1";

/// The four statements, with the list of customers (integers written into the text, so any
/// number of them fits either backend's parameter limit) when there is one.
struct Statements {
    customers: String,
    consents: String,
    contacts: String,
    counted: String,
}

impl Statements {
    fn new(ids: Option<&[i64]>) -> Statements {
        let only = |column: &str| match ids {
            None => String::new(),
            Some(ids) => {
                let list = if ids.is_empty() {
                    "NULL".to_string()
                } else {
                    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
                };
                format!(" AND {column} IN ({list})")
            }
        };
        Statements {
            customers: format!("{CUSTOMERS_SQL}{} ORDER BY c.id", only("c.id")),
            consents: format!("{CONSENTS_SQL}{}{CONSENTS_ORDER}", only("customer_id")),
            contacts: format!("{CONTACTS_SQL}{}", only("customer_id")),
            counted: format!("{COUNTED_SQL}{}", only("customer_id")),
        }
    }
}

/// Folds the rows of the four statements into columns.
struct Columns {
    out: ContactPlanInputs,
    /// The customer whose consent rows are being folded, and its index.
    consent_customer: Option<(i64, Option<usize>)>,
}

fn channel(column: &'static str, text: &str) -> Result<Channel> {
    Channel::parse(text).ok_or_else(|| StoreError::Unreadable {
        column,
        value: text.to_string(),
    })
}

impl Columns {
    fn new() -> Columns {
        Columns {
            out: ContactPlanInputs::default(),
            consent_customer: None,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn customer(
        &mut self,
        id: i64,
        external_id: String,
        preferred: Option<&str>,
        time_zone: Option<&str>,
        quiet: (Option<i64>, Option<i64>),
        rung: Option<&str>,
    ) -> Result<()> {
        let o = &mut self.out;
        o.customer_ids.push(id);
        o.external_ids.push(external_id);
        o.consented.push(ChannelBits::EMPTY);
        o.reachable.push(ChannelBits::EMPTY);
        // A word this version does not know is no preference (as the card reads it).
        o.preferred.push(preferred.and_then(Channel::parse));
        let zone = match time_zone {
            None => None,
            Some(name) => Some(match o.time_zones.iter().position(|z| z == name) {
                Some(i) => i as u32,
                None => {
                    o.time_zones.push(name.to_string());
                    (o.time_zones.len() - 1) as u32
                }
            }),
        };
        o.time_zone.push(zone);
        o.quiet_hours
            .push(quiet.0.zip(quiet.1).map(|(s, e)| (s as u16, e as u16)));
        o.rung.push(match rung {
            None => None,
            Some(r) => columns::rung_or_empty("score_snapshots.rung", r)?,
        });
        Ok(())
    }

    /// Consent rows come ordered by customer, channel, day and id: each row replaces what the
    /// channel had, so the last one stands.
    fn consent(&mut self, customer_id: i64, channel_word: &str, granted: bool) -> Result<()> {
        let index = match self.consent_customer {
            Some((id, index)) if id == customer_id => index,
            _ => {
                let index = self.out.index_of(customer_id).map(|i| i as usize);
                self.consent_customer = Some((customer_id, index));
                index
            }
        };
        if let Some(i) = index {
            let c = channel("consents.channel", channel_word)?;
            let bits = &mut self.out.consented[i];
            *bits = if granted {
                bits.with(c)
            } else {
                bits.without(c)
            };
        }
        Ok(())
    }

    fn contact(&mut self, customer_id: i64, channel_word: &str) -> Result<()> {
        if let Some(i) = self.out.index_of(customer_id) {
            let c = channel("customer_contacts.channel", channel_word)?;
            let bits = &mut self.out.reachable[i as usize];
            *bits = bits.with(c);
        }
        Ok(())
    }

    fn counted(&mut self, customer_id: i64, at: i64) {
        if let Some(i) = self.out.index_of(customer_id) {
            self.out.counted.push((i, at));
        }
    }
}

/// The four statements [`Store::contact_plan_inputs`] runs (customers, consents, contact
/// details, counted log rows), for the whole base or a list of ids, to look at their query
/// plans (`EXPLAIN`): the consents read with `$1` the planned day, the log with `$1` the start.
pub fn contact_plan_statements(ids: Option<&[i64]>) -> [String; 4] {
    let s = Statements::new(ids);
    [s.customers, s.consents, s.contacts, s.counted]
}

impl Store {
    /// The contact policy's inputs for planning contacts on `as_of` (the day consent must be in
    /// force by), with the counted log rows from `since` (Unix seconds) on: for every customer
    /// when `ids` is `None`, else for those listed (an id without a customer is left out).
    pub async fn contact_plan_inputs(
        &self,
        as_of: Day,
        since: i64,
        ids: Option<&[i64]>,
    ) -> Result<ContactPlanInputs> {
        if let Store::Sqlite(pool) = self {
            let path = pool.connect_options().get_filename().to_path_buf();
            if path.exists() {
                let statements = Statements::new(ids);
                return tokio::task::spawn_blocking(move || {
                    read_sqlite_file(&path, &statements, day_to_db(as_of), since)
                })
                .await
                .map_err(|e| {
                    StoreError::SqliteDirect(format!("the reading thread failed: {e}"))
                })?;
            }
        }
        self.contact_plan_inputs_pooled(as_of, since, ids).await
    }

    /// [`Store::contact_plan_inputs`] through the store's pool on either backend (what it does
    /// on PostgreSQL; on SQLite for comparison in tests and for an in-memory database).
    pub async fn contact_plan_inputs_pooled(
        &self,
        as_of: Day,
        since: i64,
        ids: Option<&[i64]>,
    ) -> Result<ContactPlanInputs> {
        let s = Statements::new(ids);
        let day = day_to_db(as_of);
        let mut cols = Columns::new();
        macro_rules! read {
            ($tx:expr) => {{
                type CustomerRow = (
                    i64,
                    String,
                    Option<String>,
                    Option<String>,
                    Option<i64>,
                    Option<i64>,
                    Option<String>,
                );
                let mut rows = sqlx::query_as::<_, CustomerRow>(sqlx::AssertSqlSafe(s.customers))
                    .fetch(&mut *$tx);
                while let Some((id, ext, pref, tz, qs, qe, rung)) = rows.try_next().await? {
                    cols.customer(
                        id,
                        ext,
                        pref.as_deref(),
                        tz.as_deref(),
                        (qs, qe),
                        rung.as_deref(),
                    )?;
                }
                drop(rows);
                let mut rows =
                    sqlx::query_as::<_, (i64, String, bool)>(sqlx::AssertSqlSafe(s.consents))
                        .bind(day)
                        .fetch(&mut *$tx);
                while let Some((id, channel, granted)) = rows.try_next().await? {
                    cols.consent(id, &channel, granted)?;
                }
                drop(rows);
                let mut rows = sqlx::query_as::<_, (i64, String)>(sqlx::AssertSqlSafe(s.contacts))
                    .fetch(&mut *$tx);
                while let Some((id, channel)) = rows.try_next().await? {
                    cols.contact(id, &channel)?;
                }
                drop(rows);
                let mut rows = sqlx::query_as::<_, (i64, i64)>(sqlx::AssertSqlSafe(s.counted))
                    .bind(since)
                    .fetch(&mut *$tx);
                while let Some((id, at)) = rows.try_next().await? {
                    cols.counted(id, at);
                }
            }};
        }
        match self {
            Store::Sqlite(pool) => {
                let mut tx = pool.begin().await?;
                read!(tx);
                tx.commit().await?;
            }
            Store::Postgres(pool) => {
                // One snapshot for the four reads, as the SQLite transaction gives.
                let mut tx = pool
                    .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await?;
                read!(tx);
                tx.commit().await?;
            }
        }
        Ok(cols.out)
    }
}

fn direct(e: rusqlite::Error) -> StoreError {
    StoreError::SqliteDirect(format!("reading the contact policy's inputs: {e}"))
}

/// The four reads on a read-only connection of their own, in one read transaction.
fn read_sqlite_file(
    path: &Path,
    s: &Statements,
    day: i64,
    since: i64,
) -> Result<ContactPlanInputs> {
    let conn = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(direct)?;
    // The writers hold the lock briefly; wait as the pool does.
    conn.busy_timeout(Duration::from_secs(30)).map_err(direct)?;
    conn.execute_batch("BEGIN").map_err(direct)?;
    let read = read_sqlite(&conn, s, day, since);
    // Reads only: ending the transaction either way releases the snapshot.
    let _ = conn.execute_batch("COMMIT");
    read
}

fn read_sqlite(
    conn: &rusqlite::Connection,
    s: &Statements,
    day: i64,
    since: i64,
) -> Result<ContactPlanInputs> {
    let mut cols = Columns::new();
    let mut stmt = conn.prepare(&s.customers).map_err(direct)?;
    let mut rows = stmt.query([]).map_err(direct)?;
    while let Some(r) = rows.next().map_err(direct)? {
        let text = |i: usize| -> Result<Option<&str>> {
            match r.get_ref(i).map_err(direct)? {
                rusqlite::types::ValueRef::Null => Ok(None),
                v => v.as_str().map(Some).map_err(|e| direct(e.into())),
            }
        };
        cols.customer(
            r.get(0).map_err(direct)?,
            r.get(1).map_err(direct)?,
            text(2)?,
            text(3)?,
            (r.get(4).map_err(direct)?, r.get(5).map_err(direct)?),
            text(6)?,
        )?;
    }
    drop(rows);
    let mut stmt = conn.prepare(&s.consents).map_err(direct)?;
    let mut rows = stmt.query([day]).map_err(direct)?;
    while let Some(r) = rows.next().map_err(direct)? {
        let channel = r
            .get_ref(1)
            .map_err(direct)?
            .as_str()
            .map_err(|e| direct(e.into()))?;
        cols.consent(
            r.get(0).map_err(direct)?,
            channel,
            r.get(2).map_err(direct)?,
        )?;
    }
    drop(rows);
    let mut stmt = conn.prepare(&s.contacts).map_err(direct)?;
    let mut rows = stmt.query([]).map_err(direct)?;
    while let Some(r) = rows.next().map_err(direct)? {
        let channel = r
            .get_ref(1)
            .map_err(direct)?
            .as_str()
            .map_err(|e| direct(e.into()))?;
        cols.contact(r.get(0).map_err(direct)?, channel)?;
    }
    drop(rows);
    let mut stmt = conn.prepare(&s.counted).map_err(direct)?;
    let mut rows = stmt.query([since]).map_err(direct)?;
    while let Some(r) = rows.next().map_err(direct)? {
        cols.counted(r.get(0).map_err(direct)?, r.get(1).map_err(direct)?);
    }
    Ok(cols.out)
}
