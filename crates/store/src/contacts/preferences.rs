//! How a customer wishes to be reached (preferred channel, time zone, own quiet hours) and the
//! company's frequency caps per rung.

use clientele_core::Rung;

use crate::columns;
use crate::customers::Channel;
use crate::db::{Store, dispatch, now};
use crate::error::{Result, StoreError};
use crate::scope::Scope;

/// A customer's contact preferences; `None` fields fall back to the company's rules.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContactPreferences {
    pub preferred_channel: Option<Channel>,
    /// An IANA name (`Europe/Moscow`), checked by the caller against the core's `time_zone`.
    pub time_zone: Option<String>,
    /// Quiet hours as minutes after local midnight, `(start, end)`; start later than end crosses
    /// midnight.
    pub quiet_hours: Option<(u16, u16)>,
}

/// A frequency cap as stored: `rung` `None` is the default row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StoredCap {
    pub rung: Option<Rung>,
    pub per_week: Option<u32>,
    pub per_month: Option<u32>,
}

const MINUTES_PER_DAY: u16 = 1440;
/// The largest cap accepted (the table's bound).
const MAX_CAP: u32 = 1000;

impl Store {
    /// The customer's contact preferences within `scope`.
    pub async fn contact_preferences(
        &self,
        scope: Scope,
        customer: i64,
    ) -> Result<ContactPreferences> {
        type Row = (Option<String>, Option<String>, Option<i64>, Option<i64>);
        let row: Option<Row> = dispatch!(self, pool => {
            sqlx::query_as(
                "SELECT c.preferred_channel, p.time_zone, p.quiet_start, p.quiet_end
                 FROM customers c LEFT JOIN contact_preferences p ON p.customer_id = c.id
                 WHERE c.id = $1 AND ($2 IS NULL OR c.manager_user_id = $2)",
            )
            .bind(customer)
            .bind(scope.manager())
            .fetch_optional(pool)
            .await?
        });
        let (channel, time_zone, start, end) =
            row.ok_or_else(|| StoreError::not_found("customer", customer))?;
        Ok(ContactPreferences {
            preferred_channel: channel.as_deref().and_then(Channel::parse),
            time_zone,
            quiet_hours: start.zip(end).map(|(s, e)| (s as u16, e as u16)),
        })
    }

    /// Replaces the customer's contact preferences within `scope`, with an audit entry, in one
    /// transaction.
    pub async fn set_contact_preferences(
        &self,
        scope: Scope,
        customer: i64,
        prefs: &ContactPreferences,
        actor: &str,
    ) -> Result<()> {
        if let Some((s, e)) = prefs.quiet_hours
            && (s >= MINUTES_PER_DAY || e >= MINUTES_PER_DAY)
        {
            return Err(StoreError::invalid(
                "quiet_hours",
                "minutes after midnight must be below 1440",
            ));
        }
        if let Some(tz) = &prefs.time_zone
            && (tz.trim().is_empty() || tz.len() > 64)
        {
            return Err(StoreError::invalid(
                "time_zone",
                "an IANA name of 1 to 64 characters",
            ));
        }
        let at = now();
        let found: bool = dispatch!(self, pool => {
            let mut tx = pool.begin_with(crate::dialect::begin_write(pool)).await?;
            let updated = sqlx::query(
                "UPDATE customers SET preferred_channel = $2
                 WHERE id = $1 AND ($3 IS NULL OR manager_user_id = $3)",
            )
            .bind(customer)
            .bind(prefs.preferred_channel.map(Channel::as_str))
            .bind(scope.manager())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if updated > 0 {
                sqlx::query(
                    "INSERT INTO contact_preferences (customer_id, time_zone, quiet_start, quiet_end, updated_at)
                     VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (customer_id) DO UPDATE SET time_zone = excluded.time_zone,
                        quiet_start = excluded.quiet_start, quiet_end = excluded.quiet_end,
                        updated_at = excluded.updated_at",
                )
                .bind(customer)
                .bind(prefs.time_zone.as_deref().map(str::trim))
                .bind(prefs.quiet_hours.map(|(s, _)| i64::from(s)))
                .bind(prefs.quiet_hours.map(|(_, e)| i64::from(e)))
                .bind(at)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO audit_log (at, actor, action, customer_id, detail) VALUES ($1, $2, 'contact_preferences', $3, $4)",
                )
                .bind(at)
                .bind(actor)
                .bind(customer)
                .bind(format!(
                    "preferred {}, time zone {}, quiet hours {}",
                    prefs.preferred_channel.map_or("none", Channel::as_str),
                    prefs.time_zone.as_deref().unwrap_or("default"),
                    prefs.quiet_hours.map_or("default".to_string(), |(s, e)| format!(
                        "{:02}:{:02}-{:02}:{:02}",
                        s / 60,
                        s % 60,
                        e / 60,
                        e % 60
                    ))
                ))
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
            }
            updated > 0
        });
        if found {
            Ok(())
        } else {
            Err(StoreError::not_found("customer", customer))
        }
    }

    /// The stored caps, the default row (if any) first, then by rung.
    pub async fn contact_caps(&self) -> Result<Vec<StoredCap>> {
        let rows: Vec<(String, Option<i64>, Option<i64>)> = dispatch!(self, pool => {
            sqlx::query_as("SELECT rung, per_week, per_month FROM contact_caps")
                .fetch_all(pool)
                .await?
        });
        let mut caps = rows
            .into_iter()
            .map(|(rung, week, month)| {
                let rung = if rung == "default" {
                    None
                } else {
                    Some(columns::rung("contact_caps.rung", &rung)?)
                };
                Ok(StoredCap {
                    rung,
                    per_week: week.map(|w| w as u32),
                    per_month: month.map(|m| m as u32),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        caps.sort_by_key(|c| c.rung.map(|r| Rung::ALL.iter().position(|&x| x == r)));
        Ok(caps)
    }

    /// Sets the cap of a rung (`None`: the default), with an audit entry.
    pub async fn set_contact_cap(&self, cap: &StoredCap, actor: &str) -> Result<()> {
        for (field, value) in [("per_week", cap.per_week), ("per_month", cap.per_month)] {
            if value.is_some_and(|v| v > MAX_CAP) {
                return Err(StoreError::invalid(
                    field,
                    format!("at most {MAX_CAP} contacts"),
                ));
            }
        }
        let rung = cap.rung.map_or("default", Rung::as_str);
        let at = now();
        dispatch!(self, pool => {
            let mut tx = pool.begin_with(crate::dialect::begin_write(pool)).await?;
            sqlx::query(
                "INSERT INTO contact_caps (rung, per_week, per_month) VALUES ($1, $2, $3)
                 ON CONFLICT (rung) DO UPDATE SET per_week = excluded.per_week, per_month = excluded.per_month",
            )
            .bind(rung)
            .bind(cap.per_week.map(i64::from))
            .bind(cap.per_month.map(i64::from))
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO audit_log (at, actor, action, customer_id, detail) VALUES ($1, $2, 'contact_cap', NULL, $3)",
            )
            .bind(at)
            .bind(actor)
            .bind(format!(
                "{rung}: {} a week, {} a month",
                cap.per_week.map_or("no limit".to_string(), |v| v.to_string()),
                cap.per_month.map_or("no limit".to_string(), |v| v.to_string())
            ))
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }
}
