//! The customer list (its exports are in `customer_export.rs`), the customer card and its note
//! form.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use clientele_charts::{LineChart, Series, identified};
use clientele_core::{Rung, Status, Subgroup};
use clientele_store::{Cursor, CustomerFilter, CustomerListItem, Segment};
use serde::Deserialize;

use super::card_sections::{self, CardSections};
use super::i18n::{Arg, Tr};
use super::lists::{channel_name, reach_name, today_utc};
use super::{Layout, WebError, WebUser, per_page, reason, render, see_other};
use crate::AppState;

/// Snapshots shown in the card's history.
const CARD_HISTORY: u32 = 24;
/// Rows of each activity table on the card (the contact log's page has them all).
const CARD_ACTIVITY: u32 = 20;

/// The list's query: filters as the form sends them (empty means any) and the cursor.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    rung: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    subgroup: String,
    #[serde(default)]
    manager: String,
    #[serde(default)]
    segment: String,
    after: Option<i64>,
    before: Option<i64>,
    /// Exports: `1` for Excel's CSV, `0` for the plain one (see `export::CsvStyle::choose`).
    pub(super) excel: Option<String>,
}

fn non_empty(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

impl ListQuery {
    pub(super) fn filter(&self, tr: Tr) -> Result<CustomerFilter, WebError> {
        let rung = match non_empty(&self.rung) {
            None => None,
            Some(r) => Some(Rung::parse(&r).ok_or_else(|| {
                WebError::not_one_of(tr, "col-rung", &r, Rung::ALL.map(|x| tr.rung(x)).to_vec())
            })?),
        };
        let status = match non_empty(&self.status) {
            None => None,
            Some(s) => Some(Status::parse(&s).ok_or_else(|| {
                WebError::not_one_of(
                    tr,
                    "col-status",
                    &s,
                    Status::ALL.map(|x| tr.status(x)).to_vec(),
                )
            })?),
        };
        let segment = non_empty(&self.segment)
            .map(|s| Segment::parse(&s.to_uppercase()))
            .transpose()
            .map_err(|e| WebError::store(e, tr))?;
        let subgroup = match non_empty(&self.subgroup) {
            None => None,
            Some(g) => Some(Subgroup::parse(&g).ok_or_else(|| {
                WebError::not_one_of(
                    tr,
                    "col-subgroup",
                    &g,
                    Subgroup::ALL.map(|x| tr.subgroup(Some(x))).to_vec(),
                )
            })?),
        };
        Ok(CustomerFilter {
            search: non_empty(&self.q),
            rung,
            status,
            subgroup,
            manager: non_empty(&self.manager),
            segment,
        })
    }

    /// The filters as a query string (without the cursor).
    pub(super) fn filters_query(&self) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("q", &self.q),
            ("rung", &self.rung),
            ("status", &self.status),
            ("subgroup", &self.subgroup),
            ("manager", &self.manager),
            ("segment", &self.segment),
        ] {
            if !v.trim().is_empty() {
                s.append_pair(k, v.trim());
            }
        }
        s.finish()
    }
}

/// An option of a filter's `<select>`.
pub struct Choice {
    pub value: &'static str,
    pub label: String,
    pub selected: bool,
}

fn choices(
    tr: &Tr,
    current: &str,
    values: &[&'static str],
    label: impl Fn(&str) -> String,
) -> Vec<Choice> {
    let mut out = vec![Choice {
        value: "",
        label: tr.get("filter-any"),
        selected: current.trim().is_empty(),
    }];
    out.extend(values.iter().map(|&v| Choice {
        value: v,
        label: label(v),
        selected: current.trim() == v,
    }));
    out
}

pub struct CustomerRow {
    pub id: i64,
    pub external_id: String,
    pub name: String,
    pub rung: String,
    pub status: String,
    pub subgroup: String,
    pub manager: String,
    pub segment: String,
    pub revenue: String,
    pub profit: String,
}

#[derive(askama::Template)]
#[template(path = "customers.html")]
struct CustomersPage {
    layout: Layout,
    t: Tr,
    query: ListQuery,
    rungs: Vec<Choice>,
    statuses: Vec<Choice>,
    subgroups: Vec<Choice>,
    rows: Vec<CustomerRow>,
    pager: super::lists::Pager,
    export: String,
}

fn row(tr: &Tr, c: CustomerListItem) -> CustomerRow {
    let segment = card_sections::segment_words(tr, c.abc, c.rfm);
    let manager = c
        .manager_name()
        .map_or_else(|| tr.get("none"), str::to_string);
    CustomerRow {
        id: c.id,
        name: c.name.clone().unwrap_or_default(),
        external_id: c.external_id,
        rung: tr.rung_opt(&c.rung),
        status: tr.status_opt(&c.status),
        subgroup: tr.subgroup_by_profit(c.subgroup, c.profit),
        manager,
        segment: segment.unwrap_or_else(|| tr.get("none")),
        revenue: tr.money_opt(&c.revenue),
        profit: tr.money_opt(&c.profit),
    }
}

pub async fn list(
    State(state): State<AppState>,
    user: WebUser,
    uri: Uri,
    Query(query): Query<ListQuery>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    let filter = query.filter(tr)?;
    let cursor = match (query.after, query.before) {
        (Some(a), _) => Cursor::After(a),
        (None, Some(b)) => Cursor::Before(b),
        (None, None) => Cursor::First,
    };
    let page = state
        .store
        .dashboard_customers(user.scope(), &filter, cursor, per_page(&state))
        .await
        .map_err(|e| WebError::store(e, tr))?;
    let filters = query.filters_query();
    let ids: Vec<i64> = page.items.iter().map(|c| c.id).collect();
    state.audit.list_read(
        &user.user.name,
        "web",
        !query.q.trim().is_empty(),
        &crate::read_audit::decoded(&filters),
        &ids,
    );
    let link = |key: &str, id: i64| {
        if filters.is_empty() {
            format!("/customers?{key}={id}")
        } else {
            format!("/customers?{filters}&{key}={id}")
        }
    };
    let pager = super::lists::Pager {
        prev: page.prev_before.map(|id| link("before", id)),
        next: page.next_after.map(|id| link("after", id)),
    };
    let rung_values: Vec<&'static str> = Rung::ALL.iter().map(|r| r.as_str()).collect();
    let status_values: Vec<&'static str> = Status::ALL.iter().map(|s| s.as_str()).collect();
    let subgroup_values: Vec<&'static str> = Subgroup::ALL.iter().map(|g| g.as_str()).collect();
    let page_view = CustomersPage {
        layout: user.layout("customers", tr.get("page-customers"), &uri.to_string()),
        t: tr,
        rungs: choices(&tr, &query.rung, &rung_values, |v| {
            tr.get(&format!("rung-{v}"))
        }),
        statuses: choices(&tr, &query.status, &status_values, |v| {
            tr.get(&format!("status-{v}"))
        }),
        subgroups: choices(&tr, &query.subgroup, &subgroup_values, |v| {
            tr.get(&format!("subgroup-{v}"))
        }),
        rows: page.items.into_iter().map(|c| row(&tr, c)).collect(),
        pager,
        export: if filters.is_empty() {
            String::new()
        } else {
            format!("?{filters}")
        },
        query,
    };
    Ok(render(StatusCode::OK, &page_view))
}

pub struct HistoryRow {
    pub as_of: String,
    pub rung: String,
    pub status: String,
    pub reason: String,
    pub p_alive: String,
}

pub struct OrderRow {
    pub day: String,
    pub order_ref: String,
    pub lines: String,
    pub amount: String,
}

pub struct NoteView {
    pub author: String,
    pub at: String,
    pub body: String,
}

pub struct Pair {
    pub key: String,
    pub value: String,
}

#[derive(askama::Template)]
#[template(path = "card.html")]
struct CardPage {
    layout: Layout,
    t: Tr,
    id: i64,
    csrf: String,
    erased: bool,
    summary: Vec<Pair>,
    history: Vec<HistoryRow>,
    chart: Option<String>,
    orders: Vec<OrderRow>,
    dates: Vec<Pair>,
    consents: Vec<Pair>,
    contacts: Vec<Pair>,
    tags: String,
    notes: Vec<NoteView>,
    /// Whether the customer has bought (a prospect's card explains instead of empty sections).
    bought: bool,
    sections: CardSections,
    /// "yes" / "no": a customer the company keeps for its name more than for the revenue.
    image_client: String,
    stability: Option<String>,
    /// What became of the personal-date form (`?done=date` / `?done=date-known`).
    date_flash: Option<String>,
}

pub async fn card(
    State(state): State<AppState>,
    user: WebUser,
    uri: Uri,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    let err = |e| WebError::store(e, tr);
    let id: i64 = id
        .parse()
        .ok()
        .filter(|&n| n > 0)
        .ok_or_else(|| WebError::bad_address(tr, uri.path()))?;
    let card = state
        .cards
        .customer_card(user.scope(), id)
        .await
        .map_err(err)?;
    state
        .audit
        .record(&user.user.name, "view", Some(id), "card (web)");
    let history = state
        .store
        .card_history(id, CARD_HISTORY)
        .await
        .map_err(err)?;
    let activity = state
        .store
        .customer_activity(user.scope(), id, CARD_ACTIVITY)
        .await
        .map_err(err)?;
    let log = state
        .store
        .contact_log(
            user.scope(),
            &clientele_store::ContactLogFilter {
                customer_id: Some(id),
                limit: CARD_ACTIVITY,
                ..Default::default()
            },
        )
        .await
        .map_err(err)?;
    let c = &card.customer;
    let title = c.name.clone().unwrap_or_else(|| c.external_id.clone());
    let latest = history.first();
    let latest_money = card.snapshots.first();
    let none = tr.get("none");
    // A customer who has not bought has no status, value or segment yet: the card says so once
    // instead of a row of dashes (issue 24, item 6).
    let bought = !card.orders.is_empty() || latest_money.is_some_and(|s| s.orders > 0);
    let mut summary = vec![
        Pair {
            key: tr.get("col-external-id"),
            value: c.external_id.clone(),
        },
        Pair {
            key: tr.get("col-rung"),
            value: latest.map_or_else(|| none.clone(), |h| tr.rung(h.rung)),
        },
        Pair {
            key: tr.get("card-rung-reason"),
            value: latest.map_or_else(
                || none.clone(),
                |h| reason::localize_rung(h.rung_reason.as_deref(), &tr),
            ),
        },
    ];
    if bought {
        summary.extend([
            Pair {
                key: tr.get("col-status"),
                value: latest.map_or_else(|| none.clone(), |h| tr.status_opt(&h.status)),
            },
            Pair {
                key: tr.get("card-reason"),
                value: latest.map_or_else(
                    || none.clone(),
                    |h| reason::localize(h.status_reason.as_ref(), &tr),
                ),
            },
            Pair {
                key: tr.get("col-subgroup"),
                value: latest_money.map_or_else(
                    || none.clone(),
                    |s| tr.subgroup_by_profit(s.subgroup, Some(s.profit)),
                ),
            },
            Pair {
                key: tr.get("col-revenue"),
                value: latest_money.map_or_else(|| none.clone(), |s| tr.money(s.revenue)),
            },
            Pair {
                key: tr.get("col-profit"),
                value: latest_money.map_or_else(|| none.clone(), |s| tr.money(s.profit)),
            },
            Pair {
                key: tr.get("col-segment"),
                value: latest_money
                    .and_then(|s| card_sections::segment_words(&tr, s.abc, s.rfm))
                    .unwrap_or_else(|| none.clone()),
            },
        ]);
    }
    if let Some(p) = latest.and_then(|h| h.p_alive) {
        summary.push(Pair {
            key: tr.get("col-p-alive"),
            value: tr.probability(p),
        });
    }
    if let Some(h) = latest
        && let Some(next) = h.next_purchase
    {
        // A day already past at the snapshot is said as such: "expected on 20.03.2026" for a
        // customer who did not come then would read as a promise.
        let late = h.as_of.days_since(next);
        summary.push(Pair {
            key: tr.get("card-next-purchase"),
            value: if late > 0 {
                tr.with(
                    "card-next-overdue",
                    &[
                        ("date", Arg::Text(tr.date(next))),
                        ("late", Arg::Text(tr.count("days-count", i64::from(late)))),
                    ],
                )
            } else {
                tr.date(next)
            },
        });
    }
    if let Some(h) = latest
        && let Some(clv) = h.clv
    {
        // The CLV and the value at stake with the horizon they run over (issue 24, item 2).
        let horizon = state.store.clv_horizon(h.as_of).await.map_err(err)?;
        let key = |over: &str, plain: &str| match horizon {
            Some(days) => tr.with(
                over,
                &[(
                    "horizon",
                    Arg::Text(tr.count("days-count", i64::from(days))),
                )],
            ),
            None => tr.get(plain),
        };
        summary.push(Pair {
            key: key("card-clv-over", "col-clv"),
            value: tr.money(clientele_core::Money::from_f64_rounded(clv)),
        });
        if let Some(stake) = clientele_core::winback::value_at_stake(Some(clv), h.p_alive) {
            summary.push(Pair {
                key: key("card-stake-over", "col-value-at-stake"),
                value: tr.money(clientele_core::Money::from_f64_rounded(stake)),
            });
        }
    }
    summary.push(Pair {
        key: tr.get("card-manager"),
        value: card
            .manager_user
            .clone()
            .or_else(|| c.manager.clone())
            .unwrap_or_else(|| tr.get("card-unassigned")),
    });
    summary.push(Pair {
        key: tr.get("card-reach"),
        value: reach_name(
            &tr,
            Some(clientele_store::reach_of(
                &card.consents,
                &card.contacts,
                c.preferred_channel,
                today_utc(),
            )),
        ),
    });
    summary.push(Pair {
        key: tr.get("card-channel"),
        value: channel_name(&tr, c.preferred_channel),
    });
    let with_p: Vec<_> = history
        .iter()
        .rev()
        .filter_map(|h| Some((h.as_of, h.p_alive?)))
        .collect();
    let chart = with_p.first().map(|&(first, _)| {
        let svg = LineChart {
            title: tr.get("card-palive-title"),
            description: tr.get("card-palive-desc"),
            x_label: tr.get("card-palive-x"),
            y_label: tr.get("col-p-alive"),
            series: vec![Series {
                name: tr.get("col-p-alive"),
                values: with_p
                    .iter()
                    .map(|&(d, p)| (f64::from(d.days_since(first)), p))
                    .collect(),
            }],
            marker: None,
        }
        .to_svg();
        tr.chart(identified(&svg, "palive-chart").unwrap_or(svg))
    });
    let today = today_utc();
    let mut consents: Vec<&clientele_store::ConsentRecord> = Vec::new();
    for record in &card.consents {
        // Records come oldest first: the latest per channel is in force.
        consents.retain(|r| r.channel != record.channel);
        consents.push(record);
    }
    let date_flash = match uri.query() {
        Some("done=date") => Some(tr.get("calendar-date-added")),
        Some("done=date-known") => Some(tr.get("calendar-date-known")),
        _ => None,
    };
    let stability = activity.stability.filter(|_| bought).map(|v| {
        tr.with(
            "card-stability-value",
            &[("value", Arg::Text(tr.probability(v)))],
        )
    });
    let image_client = tr.get(if c.image_client {
        "card-yes"
    } else {
        "card-no"
    });
    let sections = card_sections::build(&tr, &activity, &log);
    let page = CardPage {
        bought,
        sections,
        image_client,
        stability,
        date_flash,
        layout: user.layout("card", title, &uri.to_string()),
        t: tr,
        id,
        csrf: user.csrf.clone(),
        erased: c.erased_at.is_some(),
        summary,
        history: history
            .iter()
            .map(|h| HistoryRow {
                as_of: tr.date(h.as_of),
                rung: tr.rung(h.rung),
                status: tr.status_opt(&h.status),
                reason: reason::localize(h.status_reason.as_ref(), &tr),
                p_alive: h
                    .p_alive
                    .map_or_else(|| tr.get("none"), |p| tr.probability(p)),
            })
            .collect(),
        chart,
        orders: card
            .orders
            .iter()
            .map(|o| OrderRow {
                day: tr.date(o.day),
                order_ref: o.order_ref.clone(),
                lines: tr.int(o.lines),
                amount: tr.money(o.amount),
            })
            .collect(),
        dates: card
            .personal_dates
            .iter()
            .map(|d| Pair {
                key: super::calendar::label_words(&tr, &d.label),
                value: d
                    .rule
                    .next_on_or_after(today)
                    .map_or_else(|| tr.get("none"), |n| tr.date(n)),
            })
            .collect(),
        consents: consents
            .iter()
            .map(|r| Pair {
                key: channel_name(&tr, Some(r.channel)),
                value: format!(
                    "{} · {} · {}",
                    tr.get(if r.granted {
                        "card-granted"
                    } else {
                        "card-withdrawn"
                    }),
                    tr.date(r.day),
                    tr.consent_source(&r.source)
                ),
            })
            .collect(),
        contacts: card
            .contacts
            .iter()
            .map(|r| Pair {
                key: channel_name(&tr, Some(r.channel)),
                value: r.value.clone(),
            })
            .collect(),
        tags: card.tags.join(", "),
        notes: card
            .notes
            .iter()
            .map(|n| NoteView {
                author: n.author.clone(),
                at: tr.instant(n.created_at),
                body: n.body.clone(),
            })
            .collect(),
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Debug, Deserialize)]
pub struct NoteForm {
    csrf: Option<String>,
    #[serde(default)]
    text: String,
}

pub async fn add_note(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<String>,
    Form(form): Form<NoteForm>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    user.check_csrf(form.csrf.as_deref())?;
    let id: i64 = id
        .parse()
        .ok()
        .filter(|&n| n > 0)
        .ok_or_else(|| WebError::bad_address(tr, &format!("/customers/{id}/notes")))?;
    let text = form.text.trim();
    if text.is_empty() {
        return Err(WebError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: tr.get("note-empty"),
            tr,
        });
    }
    if text.chars().count() > clientele_store::MAX_NOTE_CHARS {
        return Err(WebError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: tr.with(
                "note-too-long",
                &[(
                    "max",
                    super::i18n::Arg::Num(clientele_store::MAX_NOTE_CHARS as f64),
                )],
            ),
            tr,
        });
    }
    state
        .store
        .add_note_audited(user.scope(), id, &user.user, text)
        .await
        .map_err(|e| WebError::store(e, tr))?;
    Ok(see_other(&format!("/customers/{id}#notes")))
}
