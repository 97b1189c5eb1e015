//! The playbook file (TOML): the documented defaults `clientele playbook` prints, reading a file
//! an admin wrote (unknown keys and values out of bounds are errors naming the key, as
//! `play[3].action[1].cost_per_contact`), and the version in force in the store (the latest an
//! admin saved, else the defaults). What the values mean and their bounds are the core's
//! ([`Playbook`], [`Playbook::validate`]).

use std::fmt::Write as _;

use anyhow::{Context, Result, anyhow};
use clientele_core::contact_policy::{Channel, MessageKind};
use clientele_core::winback::{Action, NewcomerDecision, NewcomerRule, Play, Playbook};
use clientele_core::{Money, Rung, Status, Strategy, Subgroup};
use clientele_store::{MAX_PLAYBOOK_BYTES, PlaybookVersion, Store};
use serde::Deserialize;

use crate::InvalidSetting;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlaybookFile {
    #[serde(default)]
    queue: QueueSection,
    #[serde(default)]
    newcomers: NewcomersSection,
    #[serde(default)]
    play: Vec<PlaySection>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct QueueSection {
    budget_period_days: Option<i64>,
    lost_within_days: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewcomersSection {
    develop_min_expected_purchases: Option<f64>,
    develop_min_order_ratio: Option<f64>,
    develop_min_profit: Option<Amount>,
    let_go_max_expected_purchases: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlaySection {
    rung: String,
    subgroup: Option<String>,
    goal: Option<String>,
    budget_per_customer: Amount,
    #[serde(default)]
    action: Vec<ActionSection>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ActionSection {
    code: String,
    kind: String,
    offer: String,
    #[serde(default)]
    channels: Vec<String>,
    cost_per_contact: Amount,
    #[serde(default)]
    when: Vec<String>,
    newcomer: Option<String>,
    #[serde(default)]
    min_days_between: i64,
}

/// An amount in currency units: a whole number or a decimal with at most four places.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(untagged)]
enum Amount {
    Whole(i64),
    Decimal(f64),
}

impl Amount {
    fn money(self, key: &str) -> Result<Money> {
        let bound = clientele_core::winback::MAX_AMOUNT;
        let out_of_bounds = || anyhow!("{key}: must be within ±{bound}");
        match self {
            Amount::Whole(v) => v
                .checked_mul(Money::SCALE)
                .map(Money::from_units)
                .filter(|m| m.abs() <= bound)
                .ok_or_else(out_of_bounds),
            Amount::Decimal(v) => {
                if !v.is_finite() || v.abs() > bound.to_f64() {
                    return Err(out_of_bounds());
                }
                let m = Money::from_f64_rounded(v);
                // Nothing silently rounded: a fifth decimal place is refused.
                if (m.to_f64() - v).abs() > 1e-9 * v.abs().max(1.0) {
                    return Err(anyhow!("{key} = {v}: at most four decimal places"));
                }
                Ok(m)
            }
        }
    }
}

const GOALS: [(Strategy, &str); 5] = [
    (Strategy::Attract, "attract"),
    (Strategy::Engage, "engage"),
    (Strategy::Retain, "retain"),
    (Strategy::Cherish, "cherish"),
    (Strategy::WinBack, "win_back"),
];

fn goal_name(goal: Strategy) -> &'static str {
    GOALS
        .iter()
        .find(|(g, _)| *g == goal)
        .map_or("retain", |(_, n)| n)
}

fn names<T: Copy>(all: &[T], name: impl Fn(T) -> &'static str) -> String {
    all.iter()
        .map(|&v| format!("\"{}\"", name(v)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn pick<T: Copy>(key: &str, text: &str, all: &[T], name: impl Fn(T) -> &'static str) -> Result<T> {
    all.iter()
        .copied()
        .find(|&v| name(v) == text)
        .ok_or_else(|| anyhow!("{key} = '{text}': expected one of {}", names(all, name)))
}

fn days(key: &str, value: i64) -> Result<u32> {
    u32::try_from(value).map_err(|_| anyhow!("{key} = {value}: expected a number of days"))
}

/// Parses a playbook file; a missing `[queue]` or `[newcomers]` key keeps its default, the plays
/// are the file's own (a file without plays has none: nobody is queued). Every error names its
/// key.
pub fn parse_playbook(text: &str) -> Result<Playbook> {
    if text.len() > MAX_PLAYBOOK_BYTES {
        return Err(anyhow!(
            "the playbook is longer than {MAX_PLAYBOOK_BYTES} bytes"
        ));
    }
    let file: PlaybookFile = toml::from_str(text).context("reading the playbook")?;
    let d = Playbook::default();
    let dn = NewcomerRule::default();
    let q = &file.queue;
    let n = &file.newcomers;
    let newcomers = NewcomerRule {
        develop_min_expected_purchases: n
            .develop_min_expected_purchases
            .unwrap_or(dn.develop_min_expected_purchases),
        develop_min_order_ratio: n
            .develop_min_order_ratio
            .unwrap_or(dn.develop_min_order_ratio),
        develop_min_profit: match n.develop_min_profit {
            Some(a) => a.money("newcomers.develop_min_profit")?,
            None => dn.develop_min_profit,
        },
        let_go_max_expected_purchases: n
            .let_go_max_expected_purchases
            .unwrap_or(dn.let_go_max_expected_purchases),
    };
    let mut plays = Vec::with_capacity(file.play.len());
    for (i, p) in file.play.iter().enumerate() {
        let key = format!("play[{i}]");
        let rung = pick(&format!("{key}.rung"), &p.rung, &Rung::ALL, Rung::as_str)?;
        let subgroup = p
            .subgroup
            .as_deref()
            .map(|s| {
                pick(
                    &format!("{key}.subgroup"),
                    s,
                    &Subgroup::ALL,
                    Subgroup::as_str,
                )
            })
            .transpose()?;
        let goal = match p.goal.as_deref() {
            None => Strategy::for_rung(rung),
            Some(g) => {
                let all: Vec<Strategy> = GOALS.iter().map(|(s, _)| *s).collect();
                pick(&format!("{key}.goal"), g, &all, goal_name)?
            }
        };
        let mut actions = Vec::with_capacity(p.action.len());
        for (j, a) in p.action.iter().enumerate() {
            let akey = format!("{key}.action[{j}]");
            actions.push(Action {
                code: a.code.clone(),
                kind: pick(
                    &format!("{akey}.kind"),
                    &a.kind,
                    &MessageKind::ALL,
                    MessageKind::as_str,
                )?,
                offer: a.offer.clone(),
                channels: a
                    .channels
                    .iter()
                    .map(|c| {
                        pick(
                            &format!("{akey}.channels"),
                            c,
                            &Channel::ALL,
                            Channel::as_str,
                        )
                    })
                    .collect::<Result<_>>()?,
                cost_per_contact: a
                    .cost_per_contact
                    .money(&format!("{akey}.cost_per_contact"))?,
                statuses: a
                    .when
                    .iter()
                    .map(|s| pick(&format!("{akey}.when"), s, &Status::ALL, Status::as_str))
                    .collect::<Result<_>>()?,
                newcomer: a
                    .newcomer
                    .as_deref()
                    .map(|d| {
                        pick(
                            &format!("{akey}.newcomer"),
                            d,
                            &NewcomerDecision::ALL,
                            NewcomerDecision::as_str,
                        )
                    })
                    .transpose()?,
                min_days_between: days(&format!("{akey}.min_days_between"), a.min_days_between)?,
            });
        }
        plays.push(Play {
            rung,
            subgroup,
            goal,
            budget_per_customer: p
                .budget_per_customer
                .money(&format!("{key}.budget_per_customer"))?,
            actions,
        });
    }
    let playbook = Playbook {
        budget_period_days: match q.budget_period_days {
            Some(v) => days("queue.budget_period_days", v)?,
            None => d.budget_period_days,
        },
        lost_within_days: match q.lost_within_days {
            Some(v) => days("queue.lost_within_days", v)?,
            None => d.lost_within_days,
        },
        plays,
        newcomers,
    };
    playbook.validate()?;
    Ok(playbook)
}

/// A TOML string literal (quoted and escaped).
fn quoted(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

fn list<T: Copy>(values: &[T], name: impl Fn(T) -> &'static str) -> String {
    format!("[{}]", names(values, name))
}

/// An amount as TOML: a whole number when it is one, else its four decimal places trimmed.
fn amount(m: Money) -> String {
    let units = m.units();
    if units % Money::SCALE == 0 {
        return (units / Money::SCALE).to_string();
    }
    let sign = if units < 0 { "-" } else { "" };
    let abs = units.unsigned_abs();
    let scale = Money::SCALE as u64;
    let frac = format!("{:04}", abs % scale);
    format!("{sign}{}.{}", abs / scale, frac.trim_end_matches('0'))
}

/// A float as TOML (always with a decimal point, so it reads back as a float).
fn number(v: f64) -> String {
    let text = format!("{v}");
    if text.contains('.') || text.contains('e') {
        text
    } else {
        format!("{text}.0")
    }
}

/// The playbook as a documented TOML file that [`parse_playbook`] reads back to the same value
/// (`clientele playbook` prints it for the defaults; the dashboard's editor starts from it).
pub fn playbook_toml(p: &Playbook) -> String {
    let mut out = String::new();
    let n = &p.newcomers;
    // Writing to a String cannot fail.
    let _ = write!(
        out,
        r#"# Clientele playbook: what to do for each rung of the loyalty ladder, at what cost.
# Amounts are in the company's currency; days are calendar days.

[queue]
# Budgets count what the queue's done actions cost over this many days.
budget_period_days = {}
# Lost customers enter the daily queue only while their last purchase is at most this many
# days old (older ones are for campaigns).
lost_within_days = {}

[newcomers]
# The newcomer rule. Demand is the model's expected purchases over the CLV horizon; order size
# is the newcomer's average order against the median of all newcomers' averages.
# Develop when demand >= develop_min_expected_purchases, the order ratio >=
# develop_min_order_ratio and profit >= develop_min_profit;
develop_min_expected_purchases = {}
develop_min_order_ratio = {}
develop_min_profit = {}
# let go when demand < let_go_max_expected_purchases and the order is small or unprofitable;
# keep minimal otherwise. Without a model, slipping and lost newcomers count as fading.
let_go_max_expected_purchases = {}

# Each [[play]] is the strategy of a rung (rung = "prospect", "visitor", "newcomer", "regular"
# or "advocate"), optionally of one profit sub-group ("unprofitable", "middling", "profitable";
# without it, every sub-group that has no play of its own): its goal ("attract", "engage",
# "retain", "cherish", "win_back"), what may be spent on one customer per budget period, and
# its actions in order of preference. The queue proposes the first action that applies and fits
# the budget. An action has a code (a-z, 0-9, _), a kind for the contact policy ("offer",
# "reminder", "win_back", "greeting", "survey", "notice", "service_notice"), the offer, the
# channels it may use, preferred first ("email", "phone", "sms", "messenger", "post", "visit";
# none: any message channel; the customer's own preferred channel wins when it is among them),
# the cost of one contact, when it applies (statuses "active", "slipping", "lost"; none: any),
# for newcomers the rule's decision it is for ("develop", "keep_minimal", "let_go"), and how
# many days must pass after the customer's last contact before it is proposed again.
"#,
        p.budget_period_days,
        p.lost_within_days,
        number(n.develop_min_expected_purchases),
        number(n.develop_min_order_ratio),
        amount(n.develop_min_profit),
        number(n.let_go_max_expected_purchases),
    );
    for play in &p.plays {
        let _ = write!(out, "\n[[play]]\nrung = \"{}\"\n", play.rung.as_str());
        if let Some(g) = play.subgroup {
            let _ = writeln!(out, "subgroup = \"{}\"", g.as_str());
        }
        let _ = write!(
            out,
            "goal = \"{}\"\nbudget_per_customer = {}\n",
            goal_name(play.goal),
            amount(play.budget_per_customer)
        );
        for a in &play.actions {
            let _ = write!(
                out,
                "\n[[play.action]]\ncode = {}\nkind = \"{}\"\noffer = {}\nchannels = {}\n\
                 cost_per_contact = {}\nwhen = {}\n",
                quoted(&a.code),
                a.kind.as_str(),
                quoted(&a.offer),
                list(&a.channels, Channel::as_str),
                amount(a.cost_per_contact),
                list(&a.statuses, Status::as_str),
            );
            if let Some(d) = a.newcomer {
                let _ = writeln!(out, "newcomer = \"{}\"", d.as_str());
            }
            let _ = writeln!(out, "min_days_between = {}", a.min_days_between);
        }
    }
    out
}

/// The documented defaults as TOML (what `clientele playbook` prints).
pub fn default_playbook_toml() -> String {
    playbook_toml(&Playbook::default())
}

/// The playbook in force: the latest version an admin saved (with that version), else the
/// defaults. A saved version that no longer reads (it was checked when saved) is an error
/// naming its version.
pub async fn current_playbook(store: &Store) -> Result<(Playbook, Option<PlaybookVersion>)> {
    match store.current_playbook().await? {
        None => Ok((Playbook::default(), None)),
        Some(v) => {
            let playbook = parse_playbook(&v.toml)
                .with_context(|| format!("the saved playbook (version {})", v.id))?;
            Ok((playbook, Some(v)))
        }
    }
}

/// Checks `text` and saves it as the playbook in force (with its audit entry); returns the new
/// version's id. A text that does not read is an [`InvalidSetting`] for `playbook` whose reason
/// names the key.
pub async fn save_playbook(store: &Store, text: &str, saved_by: &str) -> Result<i64> {
    if let Err(e) = parse_playbook(text) {
        return Err(InvalidSetting::new("playbook", format!("{e:#}")).into());
    }
    Ok(store.save_playbook(text, saved_by).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_printed_defaults_read_back_to_the_defaults() {
        let text = default_playbook_toml();
        assert_eq!(parse_playbook(&text).unwrap(), Playbook::default());
        assert!(text.contains("budget_per_customer = 3000"), "{text}");
    }

    #[test]
    fn amounts_keep_their_decimals_and_refuse_a_fifth() {
        assert_eq!(amount(Money::from_units(12_345)), "1.2345");
        assert_eq!(amount(Money::from_units(-5_000)), "-0.5");
        let mut p = Playbook::default();
        p.plays[0].budget_per_customer = Money::from_units(1_234_567);
        assert_eq!(parse_playbook(&playbook_toml(&p)).unwrap(), p);
        let text = default_playbook_toml().replacen(
            "budget_per_customer = 100",
            "budget_per_customer = 100.00001",
            1,
        );
        let e = format!("{:#}", parse_playbook(&text).unwrap_err());
        assert!(
            e.contains("play[0].budget_per_customer") && e.contains("four decimal"),
            "{e}"
        );
    }

    #[test]
    fn errors_name_the_key() {
        let cases = [
            (
                default_playbook_toml().replacen(
                    "cost_per_contact = 10",
                    "cost_per_contact = -1",
                    1,
                ),
                "play[0].action[0].cost_per_contact",
            ),
            (
                default_playbook_toml().replacen("rung = \"visitor\"", "rung = \"vip\"", 1),
                "play[1].rung = 'vip'",
            ),
            (
                default_playbook_toml().replacen(
                    "budget_period_days = 90",
                    "budget_period_days = 0",
                    1,
                ),
                "queue.budget_period_days",
            ),
            (
                default_playbook_toml().replacen("[queue]", "[queue]\nsurprise = 1", 1),
                "surprise",
            ),
            (
                default_playbook_toml().replacen("when = [\"lost\"]", "when = [\"gone\"]", 1),
                ".when = 'gone'",
            ),
        ];
        for (text, key) in cases {
            let e = format!("{:#}", parse_playbook(&text).unwrap_err());
            assert!(e.contains(key), "{key}: {e}");
        }
    }

    #[test]
    fn hostile_text_is_refused_not_panicked_on() {
        for text in [
            "\u{0}",
            "[[play]]\nrung = \"regular\"",
            "[[play]]\nrung = \"regular\"\nbudget_per_customer = 1e308",
            "[[play]]\nrung = \"regular\"\nbudget_per_customer = 9223372036854775807",
            "[[play]]\nrung = \"regular\"\nbudget_per_customer = nan",
        ] {
            assert!(parse_playbook(text).is_err(), "{text:?}");
        }
        let huge = "#".repeat(MAX_PLAYBOOK_BYTES + 1);
        assert!(parse_playbook(&huge).is_err());
        // An empty file: the default queue settings and no plays.
        assert!(parse_playbook("").unwrap().plays.is_empty());
    }
}
