//! The JSON report (`--format json`): totals, the ladder, Pareto, files, rejects and at-risk
//! customers. Per-customer rows live in `customers.csv`, which scales to millions of rows.

use serde_json::{Value, json};

use clientele_core::{Money, Pareto, Status, Subgroup, Tally};

use super::fit_json::report_json;
use super::input::ReportInput;

/// Money as a JSON number rounded to cents (JSON numbers are doubles: exact to the cent far
/// beyond any company's revenue).
fn money(m: Money) -> f64 {
    (m.units() as f64 / 100.0).round() / 100.0
}

fn tally(t: &Tally) -> Value {
    json!({
        "customers": t.customers,
        "revenue": money(t.revenue),
        "profit": money(t.profit),
    })
}

fn pareto(p: &Option<Pareto>) -> Value {
    match p {
        None => Value::Null,
        Some(p) => json!({
            "customers": p.customers,
            "top20_share": p.top20_share,
            "customers_for_80_share": p.customers_for_80,
            "gini": p.gini,
            "curve": p.curve,
        }),
    }
}

pub fn json_report(input: &ReportInput<'_>) -> Value {
    let a = input.analysis;
    let ladder: Vec<Value> = a
        .ladder
        .iter()
        .map(|r| {
            let mut subgroups = serde_json::Map::new();
            for g in Subgroup::ALL {
                subgroups.insert(g.as_str().into(), tally(&r.subgroups[g as usize]));
            }
            let mut statuses = serde_json::Map::new();
            for s in Status::ALL {
                statuses.insert(s.as_str().into(), tally(&r.statuses[s as usize]));
            }
            json!({
                "rung": r.rung.as_str(),
                "total": tally(&r.total),
                "subgroups": subgroups,
                "statuses": statuses,
                "returners": r.returners,
            })
        })
        .collect();
    let totals = a.status_totals();
    let mut status = serde_json::Map::new();
    for s in Status::ALL {
        status.insert(s.as_str().into(), tally(&totals[s as usize]));
    }
    let files: Vec<Value> = input
        .files
        .iter()
        .map(|f| {
            json!({
                "path": f.path.display().to_string(),
                "rows": f.rows,
                "accepted": f.accepted,
                "rejected": f.rejected,
                "duplicates": f.duplicates,
                "after_as_of": f.after_as_of,
                "returns": f.returns,
                "format": f.notes,
            })
        })
        .collect();
    let at_risk: Vec<Value> = a
        .regulars_at_risk(50)
        .into_iter()
        .map(|c| {
            json!({
                "customer_id": c.id,
                "rung": c.standing.rung.as_str(),
                "revenue": money(c.revenue()),
                // The CLV over `horizon_days` expected to be lost; null without a CLV.
                "value_at_stake": c.value_at_stake(),
                "reason": c.placement().status.map(|(_, why)| why.to_string()),
            })
        })
        .collect();
    json!({
        "as_of": a.as_of.to_string(),
        "customers": a.len(),
        "cost_complete": a.cost_complete,
        // No cost on any line: every profit figure only repeats revenue.
        "cost_known": super::text::cost_known(a),
        "categories": input.categories,
        "files": files,
        "rejected_rows": input.rejects.len(),
        "ladder": ladder,
        "status": status,
        "returners": a.returners,
        "revenue_pareto": pareto(&a.revenue_pareto),
        "profit_pareto": pareto(&a.profit_pareto),
        "image_clients": tally(&a.image_clients),
        "referred_customers": tally(&a.referred_customers),
        "regulars_at_risk": at_risk,
        "model": model_json(input),
        "horizon_days": input.horizon_days,
    })
}

fn model_json(input: &ReportInput<'_>) -> Value {
    use clientele_app::{ModelOutcome, SpendOutcome};
    match input.model {
        ModelOutcome::Skipped => Value::Null,
        ModelOutcome::Refused { kind, reason } => json!({
            "model": kind.code(),
            "fitted": false,
            "reason": reason,
        }),
        ModelOutcome::Fitted {
            kind,
            report,
            spend,
        } => {
            let mut v = report_json(kind.code(), report, Some("day"));
            let obj = v.as_object_mut().expect("an object");
            obj.insert("fitted".into(), json!(true));
            obj.insert(
                "spend".into(),
                match spend {
                    SpendOutcome::Fitted(gg) => report_json("gg", gg, None),
                    SpendOutcome::Constant { value } => json!({
                        "model": "constant",
                        "fitted": false,
                        "expected_spend": value,
                        "reason": spend.note(),
                    }),
                    SpendOutcome::Refused(why) => {
                        json!({ "model": "gg", "fitted": false, "reason": why })
                    }
                },
            );
            v
        }
    }
}
