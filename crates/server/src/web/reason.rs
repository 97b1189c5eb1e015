//! Status and rung reasons in the reader's language.
//!
//! Scoring stores both reasons as language-free codes with arguments (`StatusReason::code`,
//! `RungReason::code` in clientele-core); the store reads a status reason back as its typed code
//! (`StatusReasonCode`), and the dashboard words it from the catalogue. Text of another shape
//! (written by a version older than those whose sentences migration 0024 converted) is shown as
//! stored rather than dropped.

use clientele_core::codes::StatusReasonCode;
use clientele_store::StatusReasonRecord;

use super::i18n::{Arg, Tr};

/// A status reason in `tr`'s language, from its code's numbers.
fn words(reason: &StatusReasonCode, tr: &Tr) -> String {
    let n = |v: f64| Arg::Num(v.round());
    let p = |v: f64| Arg::Text(tr.probability(v));
    match *reason {
        StatusReasonCode::WithinRhythm {
            every,
            spread,
            days,
        } => tr.with(
            "reason-within",
            &[
                ("every", n(every)),
                ("spread", n(spread)),
                ("days", n(days)),
            ],
        ),
        StatusReasonCode::LateByRhythm {
            every,
            spread,
            late,
        } => tr.with(
            "reason-late",
            &[
                ("every", n(every)),
                ("spread", n(spread)),
                ("late", n(late)),
            ],
        ),
        StatusReasonCode::FarBeyondRhythm {
            every,
            spread,
            days,
            lost_after,
        } => tr.with(
            "reason-far-beyond",
            &[
                ("every", n(every)),
                ("spread", n(spread)),
                ("days", n(days)),
                ("limit", n(lost_after)),
            ],
        ),
        StatusReasonCode::Recent { days, limit } => {
            tr.with("reason-recent", &[("days", n(days)), ("limit", n(limit))])
        }
        StatusReasonCode::Quiet { days, limit } => {
            tr.with("reason-quiet", &[("days", n(days)), ("limit", n(limit))])
        }
        StatusReasonCode::Gone { days, limit } => {
            tr.with("reason-gone", &[("days", n(days)), ("limit", n(limit))])
        }
        StatusReasonCode::Doubtful { p_alive, limit } => {
            tr.with("reason-doubtful", &[("p", p(p_alive)), ("limit", p(limit))])
        }
        StatusReasonCode::ProbablyGone { p_alive, limit } => tr.with(
            "reason-probably-gone",
            &[("p", p(p_alive)), ("limit", p(limit))],
        ),
    }
}

/// A stored status reason in `tr`'s language, or as stored when it is no code.
pub fn localize(stored: Option<&StatusReasonRecord>, tr: &Tr) -> String {
    match stored {
        None => tr.get("none"),
        Some(StatusReasonRecord::Code(code)) => words(code, tr),
        Some(StatusReasonRecord::Text(text)) => text.clone(),
    }
}

/// A rung reason stored as `RungReason::code` (`regular purchase_days=5 periods=3
/// period=quarter`) in the reader's language: the key picks the message `rung-reason-KEY`,
/// numbers select plural forms, a day number is shown as a date and a share as a percentage.
/// `None` (snapshots older than the column) reads as "none"; an unknown key is shown as stored.
pub fn localize_rung(stored: Option<&str>, tr: &Tr) -> String {
    let Some(code) = stored else {
        return tr.get("none");
    };
    let mut parts = code.split_whitespace();
    let Some(key) = parts.next() else {
        return tr.get("none");
    };
    let mut args: Vec<(&str, Arg)> = Vec::new();
    for part in parts {
        let Some((name, value)) = part.split_once('=') else {
            return code.to_string();
        };
        let arg = match (name, value.parse::<f64>()) {
            ("last_touch", Ok(day)) => {
                Arg::Text(tr.date(clientele_core::Day::from_days_since_epoch(day as i32)))
            }
            ("share", Ok(share)) => Arg::Text(tr.percent(share)),
            // The catalogue words the period itself: its noun agrees with the count.
            ("period", _) => Arg::Text(value.to_string()),
            (_, Ok(n)) => Arg::Num(n),
            (_, Err(_)) => return code.to_string(),
        };
        args.push((name, arg));
    }
    tr.try_with(&format!("rung-reason-{key}"), &args)
        .unwrap_or_else(|| code.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Lang;

    #[test]
    fn rung_reasons_are_worded_from_the_catalogue() {
        use clientele_core::{Period, RungReason};
        let regular = RungReason::Regular {
            purchase_days: 5,
            periods: 3,
            period: Period::Quarter,
        }
        .code();
        assert_eq!(regular, "regular purchase_days=5 periods=3 period=quarter");
        let en = Tr::new(Lang::En);
        let ru = Tr::new(Lang::Ru);
        assert_eq!(
            localize_rung(Some(&regular), &en),
            "5 purchase days over 3 quarters"
        );
        assert_eq!(
            localize_rung(Some(&regular), &ru),
            "5 дней с покупками за 3 квартала"
        );
        let first = RungReason::FirstPurchases { purchase_days: 1 }.code();
        assert_eq!(localize_rung(Some(&first), &en), "first purchase");
        assert_eq!(localize_rung(Some(&first), &ru), "первая покупка");
        let full = RungReason::FullPrice {
            purchase_days: 7,
            share: 0.8,
        }
        .code();
        assert_eq!(
            localize_rung(Some(&full), &en),
            "regular (7 purchase days), buying 80.0% at full price"
        );
        assert_eq!(localize_rung(None, &en), en.get("none"));
        assert_eq!(localize_rung(Some("mystery x=1"), &en), "mystery x=1");
    }

    fn code(text: &str) -> StatusReasonCode {
        StatusReasonCode::parse(text).unwrap_or_else(|| panic!("{text:?} is a code"))
    }

    #[test]
    fn every_shape_of_the_core_reason_is_worded_from_its_code() {
        let en = Tr::new(Lang::En);
        let record = |text: &str| Some(StatusReasonRecord::Code(code(text)));
        assert_eq!(
            localize(
                record("late_by_rhythm every=30 spread=4 late=19").as_ref(),
                &en
            ),
            "buys every 30 ± 4 days, 19 days late"
        );
        for (text, english) in [
            (
                "within_rhythm every=30 spread=4 days=12",
                "buys every 30 ± 4 days, last purchase 12 days ago",
            ),
            (
                "far_beyond_rhythm every=30 spread=4 days=90 lost_after=61",
                "buys every 30 ± 4 days, silent for 90 days (lost after 61)",
            ),
            (
                "recent days=12 limit=90",
                "last purchase 12 days ago (slipping after 90)",
            ),
            (
                "quiet days=100 limit=180",
                "no purchase for 100 days (lost after 180)",
            ),
            (
                "gone days=200 limit=180",
                "no purchase for 200 days (more than 180)",
            ),
            (
                "probably_gone p_alive=0.12 limit=0.20",
                "chance the customer is still with us 0.12, below the lost limit 0.20",
            ),
            (
                "doubtful p_alive=0.40 limit=0.50",
                "chance the customer is still with us 0.40, below 0.50",
            ),
            (
                "within_rhythm every=30 spread=4 days=1",
                "buys every 30 ± 4 days, last purchase 1 day ago",
            ),
        ] {
            assert_eq!(localize(record(text).as_ref(), &en), english, "{text}");
        }
        // Text of another shape is shown as stored; no reason reads as "none".
        let other = StatusReasonRecord::Text("something else".into());
        assert_eq!(localize(Some(&other), &en), "something else");
        assert_eq!(localize(None, &en), en.get("none"));
    }

    #[test]
    fn the_late_reason_reads_as_the_issue_asks_in_both_languages() {
        let r = code("late_by_rhythm every=30 spread=4 late=19");
        assert_eq!(
            words(&r, &Tr::new(Lang::En)),
            "buys every 30 ± 4 days, 19 days late"
        );
        assert_eq!(
            words(&r, &Tr::new(Lang::Ru)),
            "покупает раз в 30 ± 4 дня, опаздывает на 19 дней"
        );
    }
}
