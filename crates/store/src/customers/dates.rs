//! The calendar of a customer base: personal dates (birthdays, name days, movable feasts) and
//! first-purchase anniversaries falling within a window of days.

use clientele_core::Day;
use sqlx::QueryBuilder;

use crate::db::{Store, day_from_db, dispatch};
use crate::error::Result;
use crate::recurrence::{DateRule, orthodox_easter, western_easter};
use crate::scope::Scope;

/// What an upcoming date is.
#[derive(Clone, Debug, PartialEq)]
pub enum DateKind {
    /// A personal date by its label (birthday, a favourite holiday...).
    Personal(String),
    /// The anniversary of the first purchase; `years` since it.
    FirstPurchase { years: i32 },
}

/// A date falling within the window of [`Store::upcoming_dates`].
#[derive(Clone, Debug, PartialEq)]
pub struct UpcomingDate {
    pub day: Day,
    pub customer_id: i64,
    pub external_id: String,
    pub name: Option<String>,
    pub kind: DateKind,
}

impl Store {
    /// Personal dates and first-purchase anniversaries falling on `from ..= from + days - 1`
    /// for customers within `scope`, by day then customer; at most `offset + limit` candidates
    /// of each kind are read, then the page is cut.
    pub async fn upcoming_dates(
        &self,
        scope: Scope,
        from: Day,
        days: i32,
        offset: u64,
        limit: u32,
    ) -> Result<(Vec<UpcomingDate>, bool)> {
        let to = from.plus_days(days - 1);
        let md = |d: Day| {
            let (_, m, dd) = d.ymd();
            i64::from(m * 100 + dd)
        };
        let (lo, hi) = (md(from), md(to));
        let wraps = hi < lo;
        let take = offset as i64 + i64::from(limit) + 1;
        // Easter-based rules fall in the window when their offset from that year's Easter does.
        let mut easter_offsets = Vec::new();
        for (rule, easter) in [
            ("easter", western_easter as fn(i32) -> Option<Day>),
            ("orthodox_easter", orthodox_easter),
        ] {
            for year in [from.year() - 1, from.year(), from.year() + 1] {
                if let Some(e) = easter(year) {
                    easter_offsets.push((
                        rule,
                        i64::from(from.days_since(e)),
                        i64::from(to.days_since(e)),
                    ));
                }
            }
        }
        let months: Vec<i64> = {
            let mut m = Vec::new();
            let mut d = from;
            while d <= to {
                let month = i64::from(d.ymd().1);
                if !m.contains(&month) {
                    m.push(month);
                }
                d = d.plus_days(1);
            }
            m
        };
        type A = (i64, String, Option<String>, i64);
        type P = (
            i64,
            String,
            Option<String>,
            String,
            String,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            i64,
        );
        // Month-day ranges of the window: one, or two when it crosses the new year. Each is
        // read in index order ((month, day) of yearly dates, month_day of first purchases), so
        // a query stops after `take` rows instead of sorting the whole window.
        let ranges: Vec<(i64, i64)> = if wraps {
            vec![(lo, 1231), (101, hi)]
        } else {
            vec![(lo, hi)]
        };
        let (personal, anniversaries): (Vec<P>, Vec<A>) = dispatch!(self, pool => {
            let mut personal: Vec<P> = Vec::new();
            let mut anniversaries: Vec<A> = Vec::new();
            for &(a, b) in &ranges {
                let mut q = QueryBuilder::new(
                    "SELECT c.id, c.external_id, c.name, p.label, p.rule, p.year, p.month, p.day, p.weekday, p.nth, p.offset_days
                     FROM personal_dates p JOIN customers c ON c.id = p.customer_id
                     WHERE c.erased_at IS NULL AND p.rule IN ('yearly', 'once') AND p.month BETWEEN ",
                );
                q.push_bind(a / 100).push(" AND ").push_bind(b / 100);
                q.push(" AND p.month * 100 + p.day BETWEEN ").push_bind(a).push(" AND ").push_bind(b);
                if let Some(m) = scope.manager() {
                    q.push(" AND c.manager_user_id = ").push_bind(m);
                }
                // p.customer_id (= c.id) so the order is the index's (0022): no sort before the
                // LIMIT.
                q.push(" ORDER BY p.month, p.day, p.customer_id LIMIT ").push_bind(take);
                personal.extend(q.build_query_as::<P>().fetch_all(pool).await?);
                let mut q = QueryBuilder::new(
                    "SELECT c.id, c.external_id, c.name, f.day FROM dash_first_purchase f
                     JOIN customers c ON c.id = f.customer_id
                     WHERE c.erased_at IS NULL AND f.month_day BETWEEN ",
                );
                q.push_bind(a).push(" AND ").push_bind(b);
                if let Some(m) = scope.manager() {
                    q.push(" AND c.manager_user_id = ").push_bind(m);
                }
                q.push(" ORDER BY f.month_day, f.customer_id LIMIT ").push_bind(take);
                anniversaries.extend(q.build_query_as::<A>().fetch_all(pool).await?);
            }
            // Weekday and Easter rules are few: read those falling in the window's months or
            // offsets, through their own partial index.
            let mut q = QueryBuilder::new(
                "SELECT c.id, c.external_id, c.name, p.label, p.rule, p.year, p.month, p.day, p.weekday, p.nth, p.offset_days
                 FROM personal_dates p JOIN customers c ON c.id = p.customer_id
                 WHERE c.erased_at IS NULL",
            );
            if let Some(m) = scope.manager() {
                q.push(" AND c.manager_user_id = ").push_bind(m);
            }
            // The repeated condition of the partial index `personal_dates_movable` (0022).
            q.push(" AND p.rule NOT IN ('yearly', 'once')");
            q.push(" AND ((p.rule = 'nth_weekday' AND p.month IN (");
            let mut sep = q.separated(", ");
            for m in &months {
                sep.push_bind(*m);
            }
            q.push("))");
            for (rule, a, b) in &easter_offsets {
                q.push(" OR (p.rule = ").push_bind(*rule)
                    .push(" AND p.offset_days BETWEEN ").push_bind(*a)
                    .push(" AND ").push_bind(*b).push(")");
            }
            q.push(")");
            personal.extend(q.build_query_as::<P>().fetch_all(pool).await?);
            (personal, anniversaries)
        });
        let mut all = Vec::new();
        for (id, external_id, name, label, rule, year, month, day, weekday, nth, offset_days) in
            personal
        {
            let rule = DateRule::from_columns(&rule, year, month, day, weekday, nth, offset_days)?;
            if let Some(d) = rule.next_on_or_after(from).filter(|&d| d <= to) {
                all.push(UpcomingDate {
                    day: d,
                    customer_id: id,
                    external_id,
                    name,
                    kind: DateKind::Personal(label),
                });
            }
        }
        for (id, external_id, name, first) in anniversaries {
            let first = day_from_db(first);
            let (_, m, d) = first.ymd();
            let rule = DateRule::Yearly {
                month: m,
                day: d,
                since: Some(first.year() + 1),
            };
            if let Some(next) = rule.next_on_or_after(from).filter(|&n| n <= to) {
                all.push(UpcomingDate {
                    day: next,
                    customer_id: id,
                    external_id,
                    name,
                    kind: DateKind::FirstPurchase {
                        years: next.year() - first.year(),
                    },
                });
            }
        }
        all.sort_by_key(|a| (a.day, a.customer_id));
        let more = all.len() > offset as usize + limit as usize;
        let page = all
            .into_iter()
            .skip(offset as usize)
            .take(limit as usize)
            .collect();
        Ok((page, more))
    }
}
