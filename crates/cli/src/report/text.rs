//! The terminal report: the ladder at a glance, the Pareto headline, regulars at risk.

use std::fmt::Write;

use clientele_core::{Money, Rung, Status, Strategy, Subgroup, Tally};

use super::input::ReportInput;
use super::numbers::{group_digits, whole_money};

fn share(part: u64, whole: u64) -> String {
    if whole == 0 {
        "-".into()
    } else {
        format!("{:.1}%", 100.0 * part as f64 / whole as f64)
    }
}

/// "1 lost customer", "2 lost customers".
fn lost_customers(n: u64) -> String {
    let noun = if n == 1 { "customer" } else { "customers" };
    format!("{} lost {noun}", group_digits(n as i64))
}

/// Whether any cost is known: with no cost column at all, profit would only repeat revenue.
pub fn cost_known(a: &clientele_core::Analysis) -> bool {
    a.cost_complete || a.ladder.iter().any(|r| r.total.profit != r.total.revenue)
}

fn row(
    out: &mut String,
    label: &str,
    t: &Tally,
    statuses: Option<&[Tally; 3]>,
    total: u64,
    with_profit: bool,
) {
    let _ = write!(
        out,
        "{label:<26}{:>10} {:>7}{:>16}",
        group_digits(t.customers as i64),
        share(t.customers, total),
        whole_money(t.revenue),
    );
    if with_profit {
        let _ = write!(out, "{:>16}", whole_money(t.profit));
    }
    if let Some(s) = statuses {
        let _ = write!(
            out,
            "{:>10}{:>10}{:>10}",
            group_digits(s[Status::Active as usize].customers as i64),
            group_digits(s[Status::Slipping as usize].customers as i64),
            group_digits(s[Status::Lost as usize].customers as i64),
        );
    }
    out.push('\n');
}

/// Renders the report a manager reads at a glance.
pub fn text_report(input: &ReportInput<'_>) -> String {
    let a = input.analysis;
    let mut out = String::new();
    let _ = writeln!(out, "Clientele: the loyalty ladder as of {}", a.as_of);
    out.push('\n');
    for f in input.files {
        let _ = writeln!(
            out,
            "{}: {} rows, {} imported ({} returns), {} rejected, {} duplicates, {} after the as-of date",
            f.path.display(),
            group_digits(f.rows as i64),
            group_digits(f.accepted as i64),
            group_digits(f.returns as i64),
            group_digits(f.rejected as i64),
            group_digits(f.duplicates as i64),
            group_digits(f.after_as_of as i64),
        );
        // What was detected (encoding, separator, header row, columns, dates, decimal mark),
        // as the JSON report's `format` says it.
        for note in &f.notes {
            let _ = writeln!(out, "  {note}");
        }
    }
    if !input.rejects.is_empty() {
        let whither = input
            .out_dir
            .map(|d| format!("see {}", d.join("rejects.csv").display()))
            .unwrap_or_else(|| "use --out DIR to get rejects.csv".into());
        let _ = writeln!(
            out,
            "{} row(s) were not imported ({whither}).",
            group_digits(input.rejects.len() as i64)
        );
    }
    let with_profit = cost_known(a);
    if !with_profit {
        out.push_str(
            "No order line has a cost: profit is not shown (map a cost column with --map cost=COLUMN).\n",
        );
    } else if !a.cost_complete {
        out.push_str(
            "Some order lines have no cost: profit is revenue minus the costs that are known.\n",
        );
    }
    out.push('\n');
    let total: u64 = a.ladder.iter().map(|r| r.total.customers).sum();
    let _ = write!(
        out,
        "{:<26}{:>10} {:>7}{:>16}",
        "rung (strategy)", "customers", "share", "revenue"
    );
    if with_profit {
        let _ = write!(out, "{:>16}", "profit");
    }
    let _ = writeln!(out, "{:>10}{:>10}{:>10}", "active", "slipping", "lost");
    for r in a.ladder.iter().rev() {
        let strategy = Strategy::for_rung(r.rung).as_str();
        let label = format!("{} ({strategy})", r.rung.as_str());
        let has_status = !matches!(r.rung, Rung::Prospect | Rung::Visitor);
        row(
            &mut out,
            &label,
            &r.total,
            has_status.then_some(&r.statuses),
            total,
            with_profit,
        );
        if has_status && r.total.customers > 0 {
            for g in Subgroup::ALL {
                let label = format!("  {}", g.as_str());
                row(
                    &mut out,
                    &label,
                    &r.subgroups[g as usize],
                    None,
                    total,
                    with_profit,
                );
            }
        }
    }
    let statuses = a.status_totals();
    let everyone = Tally {
        customers: total,
        revenue: a.ladder.iter().map(|r| r.total.revenue).sum(),
        profit: a.ladder.iter().map(|r| r.total.profit).sum(),
    };
    row(
        &mut out,
        "all",
        &everyone,
        Some(&statuses),
        total,
        with_profit,
    );
    out.push('\n');
    let _ = write!(
        out,
        "Returners (came back after being lost): {}. ",
        group_digits(a.returners as i64),
    );
    let lost = &statuses[Status::Lost as usize];
    // Said only when it is true and means something: no lost customer, or lost customers who
    // brought no revenue, are not "taking 0 of revenue".
    if lost.customers == 0 {
        out.push_str("No customer is lost.\n");
    } else if lost.revenue > clientele_core::Money::ZERO {
        let _ = writeln!(
            out,
            "{} brought {} of revenue: win them back.",
            lost_customers(lost.customers),
            whole_money(lost.revenue),
        );
    } else {
        let _ = writeln!(
            out,
            "{}, who brought no revenue.",
            lost_customers(lost.customers),
        );
    }
    match &a.revenue_pareto {
        Some(p) => {
            let _ = write!(
                out,
                "Pareto: the top 20% of customers bring {:.1}% of revenue; 80% of revenue comes from {:.1}% of customers (Gini {:.2}).",
                100.0 * p.top20_share,
                100.0 * p.customers_for_80,
                p.gini
            );
            if let Some(pp) = a.profit_pareto.as_ref().filter(|_| with_profit) {
                let _ = write!(
                    out,
                    " The top 20% by profit bring {:.1}% of profit.",
                    100.0 * pp.top20_share
                );
            }
            out.push('\n');
        }
        None => out.push_str("Pareto: no positive revenue to analyse.\n"),
    }
    if a.image_clients.customers > 0 || a.referred_customers.customers > 0 {
        let _ = writeln!(
            out,
            "Image clients: {} (revenue {}). Referred customers: {} (revenue {}).",
            group_digits(a.image_clients.customers as i64),
            whole_money(a.image_clients.revenue),
            group_digits(a.referred_customers.customers as i64),
            whole_money(a.referred_customers.revenue),
        );
    }
    model_line(&mut out, input);
    let at_risk = a.regulars_at_risk(10);
    out.push('\n');
    if at_risk.is_empty() {
        out.push_str("No regulars or advocates are slipping.\n");
    } else {
        let _ = writeln!(
            out,
            "Top regulars and advocates slipping away (by value at stake: the CLV over {} days \
             expected to be lost if they are gone):",
            input.horizon_days
        );
        for c in at_risk {
            let why = c
                .placement()
                .status
                .map(|(_, why)| why.to_string())
                .unwrap_or_default();
            let stake = c.value_at_stake().map_or_else(
                || "-".to_string(),
                |v| whole_money(Money::from_f64_rounded(v)),
            );
            let _ = writeln!(
                out,
                "  {:<16} {:<9} at stake {:>12}  revenue {:>12}  {why}",
                c.id,
                c.standing.rung.as_str(),
                stake,
                whole_money(c.revenue()),
            );
        }
    }
    out
}

/// One paragraph on the customer-base model behind P(alive) and CLV.
fn model_line(out: &mut String, input: &ReportInput<'_>) {
    use clientele_app::{ModelOutcome, SpendOutcome};
    match input.model {
        ModelOutcome::Skipped => {}
        ModelOutcome::Refused { kind, reason } => {
            let _ = writeln!(
                out,
                "Model {}: not fitted ({reason}); statuses use rhythms and day limits only.",
                kind.code()
            );
        }
        ModelOutcome::Fitted {
            kind,
            report,
            spend,
        } => {
            let params: Vec<String> = report
                .params
                .iter()
                .map(|(n, v)| format!("{n} = {v:.4}"))
                .collect();
            let _ = write!(
                out,
                "Model {} (days): {}; log-likelihood {:.1}, converged in {} iterations.",
                kind.code(),
                params.join(", "),
                report.log_likelihood,
                report.iterations,
            );
            match spend {
                SpendOutcome::Fitted(gg) => {
                    let params: Vec<String> = gg
                        .params
                        .iter()
                        .map(|(n, v)| format!("{n} = {v:.4}"))
                        .collect();
                    let _ = writeln!(
                        out,
                        " Spend (Gamma-Gamma): {}; CLV over {} days.",
                        params.join(", "),
                        input.horizon_days
                    );
                }
                SpendOutcome::Constant { value } => {
                    let _ = writeln!(
                        out,
                        " Spend does not vary (every repeat buyer's purchases average {value}), so Gamma-Gamma is not fitted: the expected spend per purchase is {value}; CLV over {} days.",
                        input.horizon_days
                    );
                }
                SpendOutcome::Refused(why) => {
                    let _ = writeln!(out, " No spend model ({why}), so no CLV.");
                }
            }
        }
    }
}
