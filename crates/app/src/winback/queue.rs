//! The daily queue (next best action): per manager, the customers to act on today from the
//! latest snapshot on or before the day, each with the playbook's action, the reason in words,
//! the value at stake (the expected CLV lost over the snapshot's CLV horizon) and the channel
//! the contact policy allows, or why it may not be sent; ordered by value at stake. What came of
//! an item (done with its outcome, or snoozed) is recorded with its contact-log row.
//!
//! The per-customer decisions are the core's ([`propose`], [`value_at_stake`], the
//! [`QueueReason`] words, [`CrossSell`] for cross-category suggestions); the contact policy is
//! asked through [`plan_contacts`], the one planner every module calls, without recording.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use anyhow::{Result, bail};
use clientele_core::contact_policy::{ChannelSet, Decision, MessageKind, Module, Time};
use clientele_core::portfolio::{CrossSell, CrossSellOptions};
use clientele_core::winback::{
    AttemptOutcome, Blocked, BudgetCheck, Playbook, QueueCustomer, QueueReason, by_value_at_stake,
    median_order, propose,
};
use clientele_core::{CategoryId, Day, Money, Rung, Status};
use clientele_store::{
    Channel, QueueOutcomeRecord, QueueSnapshotRow, Scope, StatusReasonRecord, Store,
    StoredQueueOutcome, User,
};

use super::playbook::current_playbook;
use crate::InvalidSetting;
use crate::contacts::{ContactRequest, PlanSettings, plan_contacts, refusal_text};

/// The longest queue one call returns.
pub const MAX_QUEUE_LIMIT: usize = 10_000;
/// Items shown unless a limit is given.
pub const DEFAULT_QUEUE_LIMIT: usize = 100;
/// The longest snooze, in days.
pub const MAX_SNOOZE_DAYS: i32 = 365;

/// Which queue to build.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueSettings {
    /// The queue's day (the latest snapshot on or before it is read).
    pub day: Day,
    /// Who asks: a manager sees only their customers.
    pub scope: Scope,
    /// Only the customers of this user (by name).
    pub manager: Option<String>,
    /// At most this many items (1..=[`MAX_QUEUE_LIMIT`]).
    pub limit: usize,
    /// The time zone of customers without their own (an IANA name).
    pub default_time_zone: String,
    /// The CLV horizon to state, in days, for a snapshot that forecast CLV but recorded no
    /// horizon (written before horizons were recorded, with the caller's scoring default). The
    /// snapshot's recorded horizon always wins, and a snapshot without CLV states none.
    pub clv_horizon_days: Option<u32>,
}

/// One customer to act on.
#[derive(Clone, Debug, PartialEq)]
pub struct QueueItem {
    pub customer_id: i64,
    pub external_id: String,
    pub name: Option<String>,
    pub manager: Option<String>,
    pub rung: Rung,
    pub status: Option<Status>,
    /// The action's code, kind and offer.
    pub action: String,
    pub kind: MessageKind,
    pub offer: String,
    /// The channel the contact policy allows (`None` when it may not be sent).
    pub channel: Option<clientele_core::contact_policy::Channel>,
    /// When the policy would send it (Unix seconds).
    pub send_at: Option<i64>,
    /// Why it may not be sent: a stable code and the words.
    pub blocked: Option<(&'static str, String)>,
    /// The reason in words (English): rung, status reason, the newcomer rule, CLV.
    pub reason: String,
    /// The same reason as its parts, for pages that word it in their reader's language.
    pub why: QueueReason,
    /// The expected CLV lost over the horizon (`None` without a model's CLV).
    pub value_at_stake: Option<f64>,
    pub cost: Money,
    /// The budget left after this contact (`None` when the budget is spent).
    pub budget_left: Option<Money>,
    /// Categories similar customers of the rung buy that this customer has not.
    pub suggestions: Vec<String>,
    /// What was recorded for this item today, if anything.
    pub outcome: Option<StoredQueueOutcome>,
}

/// The day's queue.
#[derive(Clone, Debug, PartialEq)]
pub struct Queue {
    pub day: Day,
    /// The snapshot read (`None`: no snapshot on or before the day, and no items).
    pub as_of: Option<Day>,
    /// The horizon the values at stake are over, in days (`None` when unknown).
    pub clv_horizon_days: Option<u32>,
    /// The playbook version in force (`None`: the defaults).
    pub playbook_version: Option<i64>,
    /// Customers with an action today, before the limit.
    pub candidates: usize,
    /// Customers snoozed out of today's queue.
    pub snoozed: usize,
    pub items: Vec<QueueItem>,
}

/// The cross-category model of a database, rebuilt when orders or the snapshot change.
struct CrossSellCache {
    key: (String, i64, Day),
    model: Arc<CrossSell>,
    names: Arc<Vec<String>>,
    bought: Arc<HashMap<i64, Vec<CategoryId>>>,
}

type SharedCrossSell = (
    Arc<CrossSell>,
    Arc<Vec<String>>,
    Arc<HashMap<i64, Vec<CategoryId>>>,
);

fn cache() -> &'static Mutex<Option<CrossSellCache>> {
    static CACHE: OnceLock<Mutex<Option<CrossSellCache>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(None))
}

/// Who buys what per rung, from every customer's categories and the snapshot's rungs; cached
/// per database, order-line mark and snapshot, so the day's queue reads the lines once.
async fn cross_sell(
    store: &Store,
    as_of: Day,
    rungs: &HashMap<i64, Rung>,
) -> Result<SharedCrossSell> {
    let key = (store.identity(), store.order_lines_mark().await?, as_of);
    if let Some(c) = cache().lock().expect("the cache lock").as_ref()
        && c.key == key
    {
        return Ok((c.model.clone(), c.names.clone(), c.bought.clone()));
    }
    let pairs = store.customer_categories(None).await?;
    let mut index: HashMap<String, u32> = HashMap::new();
    let mut names: Vec<String> = Vec::new();
    let mut bought: HashMap<i64, Vec<CategoryId>> = HashMap::new();
    for (customer, category) in pairs {
        let next = names.len() as u32;
        let id = *index.entry(category.clone()).or_insert(next);
        if id == next {
            names.push(category);
        }
        bought.entry(customer).or_default().push(CategoryId(id));
    }
    let model = CrossSell::new(
        bought
            .iter()
            .filter_map(|(c, cats)| Some((*rungs.get(c)?, cats.as_slice()))),
        &CrossSellOptions::default(),
    );
    let shared = (Arc::new(model), Arc::new(names), Arc::new(bought));
    *cache().lock().expect("the cache lock") = Some(CrossSellCache {
        key,
        model: shared.0.clone(),
        names: shared.1.clone(),
        bought: shared.2.clone(),
    });
    Ok(shared)
}

fn queue_customer(
    row: &QueueSnapshotRow,
    day: Day,
    last_contact_at: Option<i64>,
    spent: Money,
) -> QueueCustomer {
    let day_start = i64::from(day.days_since_epoch()) * 86_400;
    QueueCustomer {
        rung: row.rung,
        status: row.status,
        subgroup: row.subgroup,
        orders: u32::try_from(row.orders.max(0)).unwrap_or(u32::MAX),
        revenue: row.revenue,
        profit: row.profit,
        days_since_last: row.last_purchase.map(|d| day.days_since(d)),
        p_alive: row.p_alive,
        expected_purchases: row.expected_purchases,
        clv: row.clv,
        days_since_contact: last_contact_at
            .map(|at| u32::try_from((day_start - at).max(0) / 86_400).unwrap_or(u32::MAX)),
        spent,
    }
}

/// The day's queue for the settings' scope and manager.
pub async fn daily_queue(store: &Store, settings: &QueueSettings) -> Result<Queue> {
    if !(1..=MAX_QUEUE_LIMIT).contains(&settings.limit) {
        return Err(InvalidSetting::value(
            "limit",
            settings.limit,
            format!("expected 1 to {MAX_QUEUE_LIMIT}"),
        )
        .into());
    }
    let manager = match settings.manager.as_deref() {
        None => None,
        Some(name) => Some(
            store
                .user_id_by_name(name)
                .await
                .map_err(|_| InvalidSetting::new("manager", format!("no user named '{name}'")))?,
        ),
    };
    let (playbook, version) = current_playbook(store).await?;
    let mut queue = Queue {
        day: settings.day,
        as_of: None,
        clv_horizon_days: None,
        playbook_version: version.map(|v| v.id),
        candidates: 0,
        snoozed: 0,
        items: Vec::new(),
    };
    let Some(as_of) = store.snapshot_on_or_before(Some(settings.day)).await? else {
        return Ok(queue);
    };
    queue.as_of = Some(as_of);
    let rows = store.queue_snapshot(settings.scope, manager, as_of).await?;
    // The values at stake are over the horizon the snapshot's CLV was forecast for.
    queue.clv_horizon_days = match store.clv_horizon(as_of).await? {
        Some(recorded) => Some(recorded),
        None if rows.iter().any(|r| r.clv.is_some()) => settings.clv_horizon_days,
        None => None,
    };
    let budget_from = settings
        .day
        .plus_days(1 - playbook.budget_period_days as i32);
    let activity = store.queue_activity(settings.day, budget_from).await?;
    let outcomes = store.queue_outcomes_on(settings.day).await?;
    let median = median_order(
        rows.iter()
            .filter(|r| r.rung == Rung::Newcomer && r.orders > 0)
            .map(|r| Money::from_units(r.revenue.units() / r.orders))
            .collect(),
    );

    // Propose for everyone, keep those with an action, order by value at stake.
    let mut proposed = Vec::new();
    for (n, row) in rows.iter().enumerate() {
        let outcome = outcomes.get(&row.customer_id);
        // Snoozed (today or before, until after today): out of today's queue.
        if outcome.is_some_and(|o| o.outcome == "snoozed") {
            queue.snoozed += 1;
            continue;
        }
        let a = activity.get(&row.customer_id).copied().unwrap_or_default();
        // Today's own contact is the item's: it does not make the item rest.
        let last_contact = match outcome {
            Some(o) => a.last_contact_at.filter(|&at| at < o.at),
            None => a.last_contact_at,
        };
        let spent = match outcome {
            Some(o) => a.spent - o.cost,
            None => a.spent,
        };
        let customer = queue_customer(row, settings.day, last_contact, spent);
        if let Some(p) = propose(&customer, &playbook, median) {
            proposed.push((n, customer, p));
        }
    }
    queue.candidates = proposed.len();
    proposed.sort_by(|a, b| {
        by_value_at_stake(
            (a.2.value_at_stake, rows[a.0].customer_id),
            (b.2.value_at_stake, rows[b.0].customer_id),
        )
    });
    proposed.truncate(settings.limit);
    if proposed.is_empty() {
        return Ok(queue);
    }

    // The contact policy, for the items whose budget allows them (nothing recorded).
    let requests: Vec<ContactRequest> = proposed
        .iter()
        .filter(|(_, _, p)| matches!(p.budget, BudgetCheck::Fits { .. }))
        .map(|(n, _, p)| {
            let action = &playbook.plays[p.play].actions[p.action];
            ContactRequest {
                customer_id: rows[*n].customer_id,
                kind: action.kind,
                module: Module::Queue,
                channels: if action.channels.is_empty() {
                    ChannelSet::MESSAGES
                } else {
                    ChannelSet::of(action.channels.iter().copied())
                },
                priority: 0,
                subject: format!("queue: {}", action.code),
            }
        })
        .collect();
    let plan = plan_contacts(
        store,
        &PlanSettings {
            requests,
            day: settings.day,
            local_time: Time::constant(10, 0, 0, 0),
            same_day_only: true,
            default_time_zone: settings.default_time_zone.clone(),
            record: false,
            author: "queue".into(),
            user_id: None,
        },
    )
    .await?;
    let decisions: HashMap<i64, Decision> = plan
        .contacts
        .into_iter()
        .map(|c| (c.customer_id, c.decision))
        .collect();

    let ids: Vec<i64> = proposed
        .iter()
        .map(|(n, _, _)| rows[*n].customer_id)
        .collect();
    let details: HashMap<i64, _> = store
        .queue_details(as_of, &ids)
        .await?
        .into_iter()
        .map(|d| (d.customer_id, d))
        .collect();
    let rungs: HashMap<i64, Rung> = rows.iter().map(|r| (r.customer_id, r.rung)).collect();
    let (model, names, bought) = cross_sell(store, as_of, &rungs).await?;

    for (n, _customer, p) in proposed {
        let row = &rows[n];
        let play = &playbook.plays[p.play];
        let action = &play.actions[p.action];
        let detail = details.get(&row.customer_id);
        let (channel, send_at, blocked, budget_left) = match p.budget {
            BudgetCheck::Spent {
                spent,
                budget,
                cost,
            } => {
                let b = Blocked::Budget {
                    spent,
                    budget,
                    cost,
                };
                (None, None, Some((b.code(), b.to_string())), None)
            }
            BudgetCheck::Fits { remaining_after } => match decisions.get(&row.customer_id) {
                Some(Decision::Send(send)) => (
                    Some(send.channel),
                    Some(send.at.as_second()),
                    None,
                    Some(remaining_after),
                ),
                Some(Decision::Refused(r)) => (
                    None,
                    None,
                    Some((r.code(), refusal_text(r))),
                    Some(remaining_after),
                ),
                None => (None, None, None, Some(remaining_after)),
            },
        };
        let status_reason = match detail.and_then(|d| d.status_reason.as_ref()) {
            Some(StatusReasonRecord::Code(c)) => Some(*c),
            _ => None,
        };
        let why = QueueReason {
            rung: row.rung,
            status: row.status,
            status_reason,
            clv: row.clv,
            newcomer: p.newcomer,
        };
        let reason = why.to_string();
        let suggestions = bought
            .get(&row.customer_id)
            .map(|cats| {
                model
                    .suggest(row.rung, cats)
                    .into_iter()
                    .map(|s| names[s.category.0 as usize].clone())
                    .collect()
            })
            .unwrap_or_default();
        queue.items.push(QueueItem {
            customer_id: row.customer_id,
            external_id: detail.map(|d| d.external_id.clone()).unwrap_or_default(),
            name: detail.and_then(|d| d.name.clone()),
            manager: detail.and_then(|d| d.manager.clone()),
            rung: row.rung,
            status: row.status,
            action: action.code.clone(),
            kind: action.kind,
            offer: action.offer.clone(),
            channel,
            send_at,
            blocked,
            reason,
            why,
            value_at_stake: p.value_at_stake,
            cost: action.cost_per_contact,
            budget_left,
            suggestions,
            outcome: outcomes.get(&row.customer_id).cloned(),
        });
    }
    Ok(queue)
}

/// What came of a queue item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutcomeSettings {
    pub day: Day,
    pub customer_id: i64,
    /// The action's code, as the queue proposed it.
    pub action: String,
    /// The channel used (not for a snooze).
    pub channel: Option<Channel>,
    /// `no_answer`, `answered`, `promised`, `declined`, `wrong_contact`, or `snoozed`.
    pub outcome: String,
    /// For a snooze: back in the queue on this day (after the queue's day, within a year).
    pub snooze_until: Option<Day>,
    pub note: Option<String>,
}

/// Records a done item (with its contact-log row; its cost counts toward the budget) or a
/// snooze, for a customer within `scope`. The cost is the playbook's for the action in the
/// customer's play: an action the play does not have is refused.
pub async fn record_queue_outcome(
    store: &Store,
    scope: Scope,
    user: &User,
    settings: &OutcomeSettings,
) -> Result<StoredQueueOutcome> {
    let snooze = settings.outcome == "snoozed";
    if !snooze && AttemptOutcome::parse(&settings.outcome).is_none() {
        return Err(InvalidSetting::new(
            "outcome",
            format!(
                "'{}': expected no_answer, answered, promised, declined, wrong_contact or snoozed",
                settings.outcome
            ),
        )
        .into());
    }
    match (snooze, settings.snooze_until, settings.channel) {
        (true, None, _) => {
            return Err(InvalidSetting::new("snooze_until", "say until which day").into());
        }
        (true, Some(until), _)
            if until <= settings.day || until.days_since(settings.day) > MAX_SNOOZE_DAYS =>
        {
            return Err(InvalidSetting::new(
                "snooze_until",
                format!(
                    "expected a day after {} and within {MAX_SNOOZE_DAYS} days",
                    settings.day
                ),
            )
            .into());
        }
        (false, Some(_), _) => {
            return Err(InvalidSetting::new("snooze_until", "only a snooze has one").into());
        }
        (false, None, None) => {
            return Err(InvalidSetting::new("channel", "say which channel was used").into());
        }
        _ => {}
    }
    store.visible_customer(scope, settings.customer_id).await?;
    let (playbook, _) = current_playbook(store).await?;
    let cost = if snooze {
        Money::ZERO
    } else {
        action_cost(store, &playbook, settings).await?
    };
    let record = QueueOutcomeRecord {
        day: settings.day,
        customer_id: settings.customer_id,
        action: settings.action.clone(),
        channel: if snooze { None } else { settings.channel },
        outcome: settings.outcome.clone(),
        cost,
        snooze_until: settings.snooze_until,
        note: settings
            .note
            .as_ref()
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty()),
    };
    Ok(store.record_queue_outcome(scope, user, &record).await?)
}

/// The cost of the action in the customer's play (by their latest snapshot).
async fn action_cost(
    store: &Store,
    playbook: &Playbook,
    settings: &OutcomeSettings,
) -> Result<Money> {
    let Some(snapshot) = store
        .card_history(settings.customer_id, 1)
        .await?
        .into_iter()
        .next()
    else {
        bail!("the customer has no snapshot yet: run `clientele score` first");
    };
    let play = playbook
        .play_for(snapshot.rung, snapshot.subgroup)
        .map(|(_, p)| p);
    match play.and_then(|p| p.actions.iter().find(|a| a.code == settings.action)) {
        Some(a) => Ok(a.cost_per_contact),
        None => Err(InvalidSetting::new(
            "action",
            format!(
                "'{}' is not an action of the playbook's play for this customer ({})",
                settings.action,
                snapshot.rung.as_str()
            ),
        )
        .into()),
    }
}
