//! The terminal report: the ladder at a glance, the Pareto headline, regulars at risk — in the
//! reader's language (`--lang`, else the locale), every sentence a message of the catalogue
//! `crates/server/locales/{en,ru}/report.ftl` (plural forms included), numbers with the
//! language's grouping and decimal mark. The English report reads as it did before the
//! catalogue; the JSON report is language-free and unchanged.

use std::fmt::Write;

use clientele_core::codes::StatusReasonCode;
use clientele_core::{Money, Rung, Status, Subgroup, Tally};
use clientele_server::web::i18n::{Arg, Lang, Tr};
use clientele_server::web::reason;
use clientele_store::StatusReasonRecord;

use super::input::ReportInput;
use super::notes::note_words;
use super::numbers::whole_units;

fn share(tr: &Tr, part: u64, whole: u64) -> String {
    if whole == 0 {
        "-".into()
    } else {
        tr.percent(part as f64 / whole as f64)
    }
}

fn int(tr: &Tr, n: u64) -> String {
    tr.int(n as i64)
}

fn whole_money(tr: &Tr, m: Money) -> String {
    tr.int(whole_units(m))
}

/// A number with `places` decimals and the language's decimal mark.
fn fixed(tr: &Tr, v: f64, places: usize) -> String {
    let text = format!("{v:.places$}");
    match tr.lang {
        Lang::En => text,
        Lang::Ru => text.replace('.', ","),
    }
}

/// A count as the message's `$count` (formatted) and `$n` (for the plural rule).
fn counted(tr: &Tr, id: &str, n: u64, more: &[(&str, Arg)]) -> String {
    let mut args = vec![("n", Arg::Num(n as f64)), ("count", Arg::Text(int(tr, n)))];
    args.extend(more.iter().cloned());
    tr.with(id, &args)
}

/// Whether any cost is known: with no cost column at all, profit would only repeat revenue.
pub fn cost_known(a: &clientele_core::Analysis) -> bool {
    a.cost_complete || a.ladder.iter().any(|r| r.total.profit != r.total.revenue)
}

fn row(
    out: &mut String,
    tr: &Tr,
    label: &str,
    t: &Tally,
    statuses: Option<&[Tally; 3]>,
    total: u64,
    with_profit: bool,
) {
    // Padding counts characters, so Cyrillic labels line up as Latin ones do.
    let _ = write!(
        out,
        "{label:<26}{:>10} {:>7}{:>16}",
        int(tr, t.customers),
        share(tr, t.customers, total),
        whole_money(tr, t.revenue),
    );
    if with_profit {
        let _ = write!(out, "{:>16}", whole_money(tr, t.profit));
    }
    if let Some(s) = statuses {
        let _ = write!(
            out,
            "{:>10}{:>10}{:>10}",
            int(tr, s[Status::Active as usize].customers),
            int(tr, s[Status::Slipping as usize].customers),
            int(tr, s[Status::Lost as usize].customers),
        );
    }
    out.push('\n');
}

/// Renders the report a manager reads at a glance, in `tr`'s language.
pub fn text_report(input: &ReportInput<'_>, tr: &Tr) -> String {
    let a = input.analysis;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        tr.with("cli-title", &[("date", Arg::Text(tr.date(a.as_of)))])
    );
    out.push('\n');
    for f in input.files {
        let n = |name: &'static str, v: u64| [(name, Arg::Text(int(tr, v)))];
        let mut args: Vec<(&str, Arg)> = vec![("path", Arg::Text(f.path.display().to_string()))];
        for (name, plural, v) in [
            ("rows", "rows_n", f.rows),
            ("imported", "imported_n", f.accepted),
            ("returns", "returns_n", f.returns),
            ("rejected", "rejected_n", f.rejected),
            ("duplicates", "duplicates_n", f.duplicates),
            ("after", "after_n", f.after_as_of),
        ] {
            args.extend(n(name, v));
            args.push((plural, Arg::Num(v as f64)));
        }
        let _ = writeln!(out, "{}", tr.with("cli-file", &args));
        // What was detected (encoding, separator, header row, columns, dates, decimal mark),
        // as the JSON report's `format` says it.
        for note in &f.notes {
            let _ = writeln!(out, "  {}", note_words(tr, note));
        }
    }
    if !input.rejects.is_empty() {
        let n = input.rejects.len() as u64;
        let line = match input.out_dir {
            Some(d) => counted(
                tr,
                "cli-rejects-see",
                n,
                &[(
                    "file",
                    Arg::Text(d.join("rejects.csv").display().to_string()),
                )],
            ),
            None => counted(
                tr,
                "cli-rejects-use-out",
                n,
                &[
                    ("flag", Arg::Text("--out DIR".into())),
                    ("file", Arg::Text("rejects.csv".into())),
                ],
            ),
        };
        let _ = writeln!(out, "{line}");
    }
    let with_profit = cost_known(a);
    if !with_profit {
        let _ = writeln!(
            out,
            "{}",
            tr.with(
                "cli-no-cost",
                &[("flag", Arg::Text("--map cost=COLUMN".into()))]
            )
        );
    } else if !a.cost_complete {
        let _ = writeln!(out, "{}", tr.get("cli-some-cost"));
    }
    out.push('\n');
    let total: u64 = a.ladder.iter().map(|r| r.total.customers).sum();
    let _ = write!(
        out,
        "{:<26}{:>10} {:>7}{:>16}",
        tr.get("cli-col-rung"),
        tr.get("cli-col-customers"),
        tr.get("cli-col-share"),
        tr.get("cli-col-revenue")
    );
    if with_profit {
        let _ = write!(out, "{:>16}", tr.get("cli-col-profit"));
    }
    let _ = writeln!(
        out,
        "{:>10}{:>10}{:>10}",
        tr.get("cli-col-active"),
        tr.get("cli-col-slipping"),
        tr.get("cli-col-lost")
    );
    for r in a.ladder.iter().rev() {
        let label = tr.get(&format!("cli-rung-{}", r.rung.as_str()));
        let has_status = !matches!(r.rung, Rung::Prospect | Rung::Visitor);
        row(
            &mut out,
            tr,
            &label,
            &r.total,
            has_status.then_some(&r.statuses),
            total,
            with_profit,
        );
        if has_status && r.total.customers > 0 {
            for g in Subgroup::ALL {
                let label = format!("  {}", tr.get(&format!("cli-subgroup-{}", g.as_str())));
                row(
                    &mut out,
                    tr,
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
        tr,
        &tr.get("cli-all"),
        &everyone,
        Some(&statuses),
        total,
        with_profit,
    );
    out.push('\n');
    let _ = write!(
        out,
        "{} ",
        tr.with(
            "cli-returners",
            &[("count", Arg::Text(int(tr, a.returners)))]
        )
    );
    let lost = &statuses[Status::Lost as usize];
    // Said only when it is true and means something: no lost customer, or lost customers who
    // brought no revenue, are not "taking 0 of revenue".
    let lost_line = if lost.customers == 0 {
        tr.get("cli-none-lost")
    } else if lost.revenue > Money::ZERO {
        counted(
            tr,
            "cli-lost-brought",
            lost.customers,
            &[("revenue", Arg::Text(whole_money(tr, lost.revenue)))],
        )
    } else {
        counted(tr, "cli-lost-nothing", lost.customers, &[])
    };
    let _ = writeln!(out, "{lost_line}");
    match &a.revenue_pareto {
        Some(p) => {
            let _ = write!(
                out,
                "{}",
                tr.with(
                    "cli-pareto",
                    &[
                        ("top", Arg::Text(tr.percent(p.top20_share))),
                        ("few", Arg::Text(tr.percent(p.customers_for_80))),
                        ("gini", Arg::Text(fixed(tr, p.gini, 2))),
                    ]
                )
            );
            if let Some(pp) = a.profit_pareto.as_ref().filter(|_| with_profit) {
                let _ = write!(
                    out,
                    " {}",
                    tr.with(
                        "cli-pareto-profit",
                        &[("top", Arg::Text(tr.percent(pp.top20_share)))]
                    )
                );
            }
            out.push('\n');
        }
        None => {
            let _ = writeln!(out, "{}", tr.get("cli-pareto-none"));
        }
    }
    if a.image_clients.customers > 0 || a.referred_customers.customers > 0 {
        let _ = writeln!(
            out,
            "{}",
            tr.with(
                "cli-image-referred",
                &[
                    ("image", Arg::Text(int(tr, a.image_clients.customers))),
                    (
                        "image_revenue",
                        Arg::Text(whole_money(tr, a.image_clients.revenue)),
                    ),
                    (
                        "referred",
                        Arg::Text(int(tr, a.referred_customers.customers))
                    ),
                    (
                        "referred_revenue",
                        Arg::Text(whole_money(tr, a.referred_customers.revenue)),
                    ),
                ]
            )
        );
    }
    model_line(&mut out, input, tr);
    let at_risk = a.regulars_at_risk(10);
    out.push('\n');
    if at_risk.is_empty() {
        let _ = writeln!(out, "{}", tr.get("cli-none-slipping"));
    } else {
        let _ = writeln!(
            out,
            "{}",
            tr.with(
                "cli-slipping",
                &[("days", Arg::Num(f64::from(input.horizon_days)))]
            )
        );
        let revenue = tr.get("cli-slipping-revenue");
        let at_stake = tr.get("cli-slipping-at-stake");
        for c in at_risk {
            let why = c
                .placement()
                .status
                .map(|(_, why)| match tr.lang {
                    Lang::En => why.to_string(),
                    Lang::Ru => reason::localize(
                        Some(&StatusReasonRecord::Code(StatusReasonCode::from(&why))),
                        tr,
                    ),
                })
                .unwrap_or_default();
            let (rung, width) = match tr.lang {
                Lang::En => (c.standing.rung.as_str().to_string(), 9),
                Lang::Ru => (tr.rung(c.standing.rung).to_lowercase(), 12),
            };
            let stake = c.value_at_stake().map_or_else(
                || "-".to_string(),
                |v| whole_money(tr, Money::from_f64_rounded(v)),
            );
            let _ = writeln!(
                out,
                "  {:<16} {rung:<width$} {at_stake} {:>12}  {revenue} {:>12}  {why}",
                c.id,
                stake,
                whole_money(tr, c.revenue()),
            );
        }
    }
    out
}

/// A model's parameters: `p = 1.2345, q = 0.5000`.
fn params(tr: &Tr, params: &[(&'static str, f64)]) -> String {
    params
        .iter()
        .map(|(n, v)| format!("{n} = {}", fixed(tr, *v, 4)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One paragraph on the customer-base model behind P(alive) and CLV.
fn model_line(out: &mut String, input: &ReportInput<'_>, tr: &Tr) {
    use clientele_app::{ModelOutcome, SpendOutcome};
    let days = [
        ("days", Arg::Text(int(tr, u64::from(input.horizon_days)))),
        ("days_n", Arg::Num(f64::from(input.horizon_days))),
    ];
    match input.model {
        ModelOutcome::Skipped => {}
        ModelOutcome::Refused { kind, reason } => {
            let _ = writeln!(
                out,
                "{}",
                tr.with(
                    "cli-model-refused",
                    &[
                        ("model", Arg::Text(kind.code().to_string())),
                        ("reason", Arg::Text(reason.to_string())),
                    ]
                )
            );
        }
        ModelOutcome::Fitted {
            kind,
            report,
            spend,
        } => {
            let _ = write!(
                out,
                "{}",
                tr.with(
                    "cli-model-fitted",
                    &[
                        ("model", Arg::Text(kind.code().to_string())),
                        ("params", Arg::Text(params(tr, &report.params))),
                        ("ll", Arg::Text(fixed(tr, report.log_likelihood, 1))),
                        ("iterations", Arg::Text(report.iterations.to_string())),
                        ("iterations_n", Arg::Num(report.iterations as f64)),
                    ]
                )
            );
            let gamma_gamma = ("model", Arg::Text("Gamma-Gamma".into()));
            let line = match spend {
                SpendOutcome::Fitted(gg) => {
                    let mut args = vec![gamma_gamma, ("params", Arg::Text(params(tr, &gg.params)))];
                    args.extend(days.iter().cloned());
                    tr.with("cli-spend-fitted", &args)
                }
                SpendOutcome::Constant { value } => {
                    let value = match tr.lang {
                        Lang::En => value.to_string(),
                        Lang::Ru => value.to_string().replace('.', ","),
                    };
                    let mut args = vec![gamma_gamma, ("value", Arg::Text(value))];
                    args.extend(days.iter().cloned());
                    tr.with("cli-spend-constant", &args)
                }
                SpendOutcome::Refused(why) => tr.with(
                    "cli-spend-refused",
                    &[("reason", Arg::Text(why.to_string()))],
                ),
            };
            let _ = writeln!(out, " {line}");
        }
    }
}
