//! Win-back cases as a use case: which customers to open cases for (named, or every lost or
//! slipping customer of the latest snapshot), attempts, the list, and the report — each case
//! settled from the orders by the core's rule ([`CaseFacts::state`]), the returners' funnel by
//! reason, offer, channel and manager, what the returners brought back, and the win-back rate.

use std::collections::BTreeMap;

use anyhow::{Result, bail};
use clientele_core::winback::{
    AttemptOutcome, CaseFacts, CaseState, Funnel, FunnelCase, LeavingReason, WinBackRate,
    win_back_rate,
};
use clientele_core::{Day, Money, Status};
use clientele_store::{
    AttemptRecord, CaseFilter, CaseRecord, CaseSource, Channel, MAX_CASES_AT_ONCE, NewAttempt,
    NewCase, OpenedCase, Scope, Store, StoreError, User,
};

use crate::InvalidSetting;

/// Days after opening within which a purchase closes a case as returned, unless set.
pub const DEFAULT_WINDOW_DAYS: i32 = 90;
/// Days after the return over which the regained revenue and profit are counted, unless set.
pub const DEFAULT_REGAINED_DAYS: i32 = 180;

/// Which cases to open and with what.
#[derive(Clone, Debug, PartialEq)]
pub struct OpenSettings {
    /// Customers by external id.
    pub customers: Vec<String>,
    /// Also every customer of the latest snapshot with this status (lost or slipping), within
    /// the caller's scope.
    pub status: Option<Status>,
    pub reason: Option<LeavingReason>,
    pub reason_text: Option<String>,
    pub offer: Option<String>,
    pub channel: Option<Channel>,
    pub window_days: i32,
    /// The day the cases are opened.
    pub day: Day,
}

/// Opens cases (a customer with an open case keeps it: its answer says `already_open`).
pub async fn open_cases(
    store: &Store,
    scope: Scope,
    user: &User,
    settings: &OpenSettings,
) -> Result<Vec<OpenedCase>> {
    if !(1..=3660).contains(&settings.window_days) {
        return Err(InvalidSetting::value(
            "window_days",
            settings.window_days,
            "expected 1 to 3660 days",
        )
        .into());
    }
    let mut ids = Vec::new();
    for external in &settings.customers {
        match store.customer_id(external).await {
            Ok(id) => ids.push(id),
            Err(StoreError::NotFound { .. }) => {
                return Err(InvalidSetting::value("customer", external, "no such customer").into());
            }
            Err(e) => return Err(e.into()),
        }
    }
    let source = match settings.status {
        None => CaseSource::Manual,
        Some(Status::Lost) => CaseSource::LostList,
        Some(Status::Slipping) => CaseSource::SlippingList,
        Some(Status::Active) => {
            return Err(InvalidSetting::value(
                "status",
                "active",
                "cases are opened for lost or slipping customers",
            )
            .into());
        }
    };
    if let Some(status) = settings.status {
        let Some(as_of) = store.latest_snapshot_day().await? else {
            bail!("no snapshot yet: run `clientele score` first");
        };
        for row in store.queue_snapshot(scope, None, as_of).await? {
            if row.status == Some(status) {
                ids.push(row.customer_id);
            }
        }
    }
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Err(InvalidSetting::new(
            "customer",
            "selects no customer; name customers or a status",
        )
        .into());
    }
    if ids.len() > MAX_CASES_AT_ONCE {
        return Err(InvalidSetting::new(
            "customers",
            format!(
                "selects {} customers; at most {MAX_CASES_AT_ONCE} cases are opened at once",
                ids.len()
            ),
        )
        .into());
    }
    let cases: Vec<NewCase> = ids
        .into_iter()
        .map(|customer_id| NewCase {
            customer_id,
            day: settings.day,
            source,
            reason: settings.reason.map(|r| r.as_str().to_string()),
            reason_text: settings.reason_text.clone(),
            offer: settings.offer.clone(),
            channel: settings.channel,
            window_days: settings.window_days,
        })
        .collect();
    Ok(store.open_cases(scope, user, &cases).await?)
}

/// An attempt to reach a case's customer.
#[derive(Clone, Debug, PartialEq)]
pub struct AttemptSettings {
    pub case_id: i64,
    pub channel: Channel,
    pub outcome: AttemptOutcome,
    pub note: Option<String>,
    pub day: Day,
}

/// Records an attempt (with its contact-log row) on a case within `scope`.
pub async fn record_attempt(
    store: &Store,
    scope: Scope,
    user: &User,
    settings: &AttemptSettings,
) -> Result<AttemptRecord> {
    let attempt = NewAttempt {
        case_id: settings.case_id,
        day: settings.day,
        channel: settings.channel,
        outcome: settings.outcome.as_str().to_string(),
        note: settings.note.clone().filter(|n| !n.trim().is_empty()),
    };
    Ok(store.add_attempt(scope, user, &attempt).await?)
}

/// Which cases to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaseListSettings {
    pub state: Option<CaseState>,
    /// A customer by external id.
    pub customer: Option<String>,
    pub offset: u64,
    pub limit: u32,
}

/// A page of cases within `scope`, newest first, and how many match.
pub async fn list_cases(
    store: &Store,
    scope: Scope,
    settings: &CaseListSettings,
) -> Result<(i64, Vec<CaseRecord>)> {
    if !(1..=1000).contains(&settings.limit) {
        return Err(InvalidSetting::value("limit", settings.limit, "expected 1 to 1000").into());
    }
    let customer_id = match &settings.customer {
        None => None,
        Some(external) => match store.customer_id(external).await {
            Ok(id) => Some(id),
            Err(StoreError::NotFound { .. }) => return Ok((0, Vec::new())),
            Err(e) => return Err(e.into()),
        },
    };
    let filter = CaseFilter {
        state: settings.state.map(|s| s.as_str().to_string()),
        customer_id,
        manager_user_id: None,
    };
    Ok(store
        .cases(scope, &filter, settings.offset, settings.limit)
        .await?)
}

/// What the report covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportSettings {
    /// The data's last day (default: the latest snapshot's day).
    pub as_of: Option<Day>,
    /// Only this manager's customers (a user name).
    pub manager: Option<String>,
    /// Days after a return over which regained revenue and profit count.
    pub regained_days: i32,
}

impl Default for ReportSettings {
    fn default() -> Self {
        ReportSettings {
            as_of: None,
            manager: None,
            regained_days: DEFAULT_REGAINED_DAYS,
        }
    }
}

/// The funnel of one group of cases (`key` is the reason, offer, channel or manager; `None`
/// when the cases did not say).
#[derive(Clone, Debug, PartialEq)]
pub struct FunnelRow {
    pub key: Option<String>,
    pub funnel: Funnel,
}

/// A returned case and what the customer brought back.
#[derive(Clone, Debug, PartialEq)]
pub struct RegainedCase {
    pub case_id: i64,
    pub customer: String,
    pub company: bool,
    pub returned_day: Day,
    pub revenue: Money,
    pub profit: Money,
    /// Days of the regained period already in the data.
    pub days_observed: i32,
}

/// The win-back report.
#[derive(Clone, Debug, PartialEq)]
pub struct WinBackReport {
    pub as_of: Day,
    pub regained_days: i32,
    pub total: Funnel,
    pub by_reason: Vec<FunnelRow>,
    pub by_offer: Vec<FunnelRow>,
    pub by_channel: Vec<FunnelRow>,
    pub by_manager: Vec<FunnelRow>,
    pub regained: Vec<RegainedCase>,
    pub regained_revenue: Money,
    pub regained_profit: Money,
    /// Consumers: returned of lost, against the 1% mark.
    pub consumers: WinBackRate,
    /// Business clients: every returned client counts.
    pub companies_returned: u64,
    pub companies_lost: u64,
    /// Cases whose state the orders changed in this run (written back to the store).
    pub settled: u64,
}

/// Settles every case within `scope` from the orders as of the data's last day, and reports
/// the funnel, the regained revenue and the win-back rate.
pub async fn winback_report(
    store: &Store,
    scope: Scope,
    settings: &ReportSettings,
) -> Result<WinBackReport> {
    if !(1..=3660).contains(&settings.regained_days) {
        return Err(InvalidSetting::value(
            "regained_days",
            settings.regained_days,
            "expected 1 to 3660 days",
        )
        .into());
    }
    let as_of = match settings.as_of {
        Some(d) => d,
        None => match store.latest_snapshot_day().await? {
            Some(d) => d,
            None => bail!("no snapshot yet: run `clientele score` first, or pass the day"),
        },
    };
    let manager = match &settings.manager {
        None => None,
        Some(name) => match store.user_id_by_name(name).await {
            Ok(id) => Some(id),
            Err(StoreError::NotFound { .. }) => {
                return Err(InvalidSetting::value("manager", name, "no such user").into());
            }
            Err(e) => return Err(e.into()),
        },
    };
    let facts = store.case_facts(scope, manager).await?;
    let mut total = Funnel::default();
    let mut groups: [BTreeMap<Option<String>, Funnel>; 4] = Default::default();
    let mut to_settle = Vec::new();
    let mut regained = Vec::new();
    let (mut regained_revenue, mut regained_profit) = (Money::ZERO, Money::ZERO);
    let (mut persons_returned, mut companies_returned) = (0u64, 0u64);
    for row in &facts {
        // A case opened after the report's day (the last scoring) counts as open: orders after
        // the day are not read, so it cannot have returned yet.
        let case = CaseFacts {
            opened: row.opened_day,
            window_days: row.window_days,
            first_purchase_after: row.first_purchase_after.filter(|&d| d <= as_of),
            next_purchase_after_return: row.next_purchase_after_first.filter(|&d| d <= as_of),
            as_of,
        };
        let state = case.state();
        let funnel_case = FunnelCase {
            attempts: u32::try_from(row.attempts).unwrap_or(u32::MAX),
            reached: row.reached,
            state,
            still_buying: case.still_buying(),
        };
        total.add(&funnel_case);
        let keys = [
            row.reason.clone(),
            row.offer.clone(),
            row.channel.map(|c| c.as_str().to_string()),
            row.manager.clone(),
        ];
        for (group, key) in groups.iter_mut().zip(keys) {
            group.entry(key).or_default().add(&funnel_case);
        }
        if state != CaseState::Open {
            to_settle.push((row.case_id, state.as_str(), case.returned_on()));
        }
        if let Some(returned) = case.returned_on() {
            if row.company {
                companies_returned += 1;
            } else {
                persons_returned += 1;
            }
            let last = returned.plus_days(settings.regained_days - 1).min(as_of);
            let money = store
                .revenue_between(row.customer_id, returned, last)
                .await?;
            regained_revenue += money.revenue;
            regained_profit += money.profit;
            regained.push(RegainedCase {
                case_id: row.case_id,
                customer: row.external_id.clone(),
                company: row.company,
                returned_day: returned,
                revenue: money.revenue,
                profit: money.profit,
                days_observed: last.days_since(returned) + 1,
            });
        }
    }
    // Settling is only written for the data's last day: a report on an earlier day reads
    // what the orders said then without changing the cases.
    let latest = store.latest_snapshot_day().await?;
    let settled = if settings.as_of.is_none() || settings.as_of == latest {
        store.settle_cases(&to_settle).await?
    } else {
        0
    };
    let (persons_lost, companies_lost) = store.lost_counts(scope, manager).await?;
    let rows = |map: BTreeMap<Option<String>, Funnel>| -> Vec<FunnelRow> {
        map.into_iter()
            .map(|(key, funnel)| FunnelRow { key, funnel })
            .collect()
    };
    let [by_reason, by_offer, by_channel, by_manager] = groups;
    Ok(WinBackReport {
        as_of,
        regained_days: settings.regained_days,
        total,
        by_reason: rows(by_reason),
        by_offer: rows(by_offer),
        by_channel: rows(by_channel),
        by_manager: rows(by_manager),
        regained,
        regained_revenue,
        regained_profit,
        consumers: win_back_rate(persons_lost as u64 + persons_returned, persons_returned),
        companies_returned,
        companies_lost: companies_lost as u64 + companies_returned,
        settled,
    })
}
