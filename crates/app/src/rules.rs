//! The ladder rules file (TOML): reading and parsing it and the documented defaults; whether the
//! values fit together is the core's to say ([`LadderRules::validate`]).

use std::path::Path;

use anyhow::{Context, Result, bail};
use clientele_core::{LadderRules, Money, Period, RhythmRules, StatusRules, SubgroupRule};
use serde::Deserialize;

/// The default rules, documented; `clientele rules` prints this text and a test proves it
/// parses to `LadderRules::default()`.
pub const DEFAULT_RULES_TOML: &str = r#"# Clientele loyalty-ladder rules. Every key is optional; a missing key keeps its default.

[ladder]
# A regular has bought on at least this many distinct days...
regular_min_purchase_days = 3
# ...spread over at least this many calendar periods ("week", "month", "quarter" or "year").
regular_min_periods = 2
period = "month"

[advocate]
# A regular becomes an advocate on any one of these signals:
# an NPS promoter (9 or 10) in the customers file,
if_promoter = true
# referred at least this many customers (referred_by in the customers file; 0 turns it off),
min_referrals = 1
# buys at least this share of order lines at full price (needs a discount or list-price column;
# set to 0 to turn it off).
min_full_price_share = 0.8

[status]
# Customers with at least this many gaps between purchase days in their current turn are judged
# by their own rhythm: their gaps are read as a gamma distribution whose shape measures how
# regular they are (shrunk toward an irregular, Poisson buyer by this many pseudo-gaps).
rhythm_min_gaps = 3
rhythm_prior_gaps = 1.0
# Slipping when silent for longer than this quantile of their own gaps,
late_quantile = 0.95
# lost when silent for longer than this quantile,
lost_quantile = 0.999
# but never slipping sooner than this many days after a purchase.
min_slipping_days = 14
# When a model is fitted: customers without a rhythm are slipping when P(alive) falls below
# this, and anyone is lost below lost_p_alive.
slipping_p_alive = 0.5
lost_p_alive = 0.2
# Customers without a rhythm are slipping after this many days without a purchase...
slipping_after_days = 90
# ...and everyone is lost after this many. A longer gap between two purchases means the customer
# was lost and came back: a new turn of the spiral.
lost_after_days = 365

[subgroups]
# "terciles": thirds of each rung by profit; "thresholds": the fixed limits below.
method = "terciles"
# With "thresholds": profit below this is unprofitable, from the next one on profitable.
unprofitable_below = 0
profitable_from = 1000
"#;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    #[serde(default)]
    ladder: LadderSection,
    #[serde(default)]
    advocate: AdvocateSection,
    #[serde(default)]
    status: StatusSection,
    #[serde(default)]
    subgroups: SubgroupSection,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct LadderSection {
    regular_min_purchase_days: Option<u32>,
    regular_min_periods: Option<u32>,
    period: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AdvocateSection {
    if_promoter: Option<bool>,
    min_referrals: Option<u32>,
    min_full_price_share: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusSection {
    rhythm_min_gaps: Option<u32>,
    rhythm_prior_gaps: Option<f64>,
    late_quantile: Option<f64>,
    lost_quantile: Option<f64>,
    min_slipping_days: Option<i32>,
    slipping_p_alive: Option<f64>,
    lost_p_alive: Option<f64>,
    slipping_after_days: Option<i32>,
    lost_after_days: Option<i32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SubgroupSection {
    method: Option<String>,
    unprofitable_below: Option<f64>,
    profitable_from: Option<f64>,
}

/// Reads the rules file at `path`, or the defaults when there is none.
pub fn load_rules(path: Option<&Path>) -> Result<LadderRules> {
    match path {
        None => Ok(LadderRules::default()),
        Some(p) => {
            let text =
                std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
            parse_rules(&text).with_context(|| format!("in {}", p.display()))
        }
    }
}

/// Parses a rules file; unknown keys and inconsistent values are errors that name the key.
pub fn parse_rules(text: &str) -> Result<LadderRules> {
    let file: RulesFile = toml::from_str(text).context("reading the ladder rules")?;
    let rules = rules_of(file)?;
    validate(&rules)?;
    Ok(rules)
}

/// The rules a parsed file sets, the defaults for every key it leaves out. Names (periods,
/// methods) are read here; whether the values fit together is [`validate`]'s.
fn rules_of(file: RulesFile) -> Result<LadderRules> {
    let d = LadderRules::default();
    let ds = StatusRules::default();
    let period = match file.ladder.period.as_deref() {
        None => d.period,
        Some("week") => Period::Week,
        Some("month") => Period::Month,
        Some("quarter") => Period::Quarter,
        Some("year") => Period::Year,
        Some(other) => bail!(
            "ladder.period = '{other}': expected \"week\", \"month\", \"quarter\" or \"year\""
        ),
    };
    let st = &file.status;
    let dr = ds.rhythm;
    let status = StatusRules {
        rhythm: RhythmRules {
            min_gaps: st.rhythm_min_gaps.unwrap_or(dr.min_gaps),
            prior_gaps: st.rhythm_prior_gaps.unwrap_or(dr.prior_gaps),
            late_quantile: st.late_quantile.unwrap_or(dr.late_quantile),
            lost_quantile: st.lost_quantile.unwrap_or(dr.lost_quantile),
        },
        min_slipping_days: st.min_slipping_days.unwrap_or(ds.min_slipping_days),
        slipping_p_alive: st.slipping_p_alive.unwrap_or(ds.slipping_p_alive),
        lost_p_alive: st.lost_p_alive.unwrap_or(ds.lost_p_alive),
        slipping_after_days: st.slipping_after_days.unwrap_or(ds.slipping_after_days),
        lost_after_days: st.lost_after_days.unwrap_or(ds.lost_after_days),
    };
    let money = |v: f64, key: &str| -> Result<Money> {
        if !v.is_finite() {
            bail!("subgroups.{key} = {v}: expected a number");
        }
        Ok(Money::from_f64_rounded(v))
    };
    let subgroups = match file.subgroups.method.as_deref() {
        None | Some("terciles") => SubgroupRule::Terciles,
        Some("thresholds") => SubgroupRule::Thresholds {
            unprofitable_below: money(
                file.subgroups.unprofitable_below.unwrap_or(0.0),
                "unprofitable_below",
            )?,
            profitable_from: money(
                file.subgroups.profitable_from.unwrap_or(1000.0),
                "profitable_from",
            )?,
        },
        Some(other) => {
            bail!("subgroups.method = '{other}': expected \"terciles\" or \"thresholds\"")
        }
    };
    Ok(LadderRules {
        regular_min_purchase_days: file
            .ladder
            .regular_min_purchase_days
            .unwrap_or(d.regular_min_purchase_days)
            .max(1),
        regular_min_periods: file
            .ladder
            .regular_min_periods
            .unwrap_or(d.regular_min_periods),
        period,
        advocate_if_promoter: file.advocate.if_promoter.unwrap_or(d.advocate_if_promoter),
        advocate_min_referrals: file
            .advocate
            .min_referrals
            .unwrap_or(d.advocate_min_referrals),
        // 0 turns the signal off.
        advocate_min_full_price_share: match file.advocate.min_full_price_share {
            None => d.advocate_min_full_price_share,
            Some(0.0) => None,
            Some(s) => Some(s),
        },
        status,
        subgroups,
    })
}

/// The checks every rule set must pass, whatever it came from: the core's
/// ([`LadderRules::validate`]), each error naming the key of the rules file.
pub fn validate(rules: &LadderRules) -> Result<()> {
    rules.validate()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_defaults_are_the_defaults() {
        assert_eq!(
            parse_rules(DEFAULT_RULES_TOML).unwrap(),
            LadderRules::default()
        );
        assert_eq!(parse_rules("").unwrap(), LadderRules::default());
    }

    #[test]
    fn overrides_and_errors() {
        let r = parse_rules("[ladder]\nperiod = \"quarter\"\n[subgroups]\nmethod = \"thresholds\"\nprofitable_from = 500\n").unwrap();
        assert_eq!(r.period, Period::Quarter);
        assert_eq!(
            r.subgroups,
            SubgroupRule::Thresholds {
                unprofitable_below: Money::ZERO,
                profitable_from: Money::from_major(500)
            }
        );
        let e = parse_rules("[ladder]\nperiod = \"decade\"\n").unwrap_err();
        assert!(
            format!("{e:#}").contains("ladder.period = 'decade'"),
            "{e:#}"
        );
        let e = parse_rules("[ladder]\nregular_days = 3\n").unwrap_err();
        assert!(
            format!("{e:#}").contains("unknown field `regular_days`"),
            "{e:#}"
        );
        let e = parse_rules("[status]\nslipping_after_days = 400\n").unwrap_err();
        assert!(
            format!("{e:#}").contains("slipping_after_days (400)"),
            "{e:#}"
        );
    }
}
