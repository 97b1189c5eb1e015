//! Status reasons in the reader's language.
//!
//! Scoring stores a status reason as `clientele_core::StatusReason`'s English sentence (see its
//! `Display`). The dashboard reads the numbers back out of those sentences and words them from
//! the catalogue; a sentence of an unknown shape is shown as stored rather than dropped.

use super::i18n::{Arg, Tr};

/// A status reason with its numbers.
#[derive(Clone, Debug, PartialEq)]
pub enum Reason {
    Within {
        every: f64,
        spread: f64,
        days: f64,
    },
    Late {
        every: f64,
        spread: f64,
        late: f64,
    },
    FarBeyond {
        every: f64,
        spread: f64,
        days: f64,
        lost_after: f64,
    },
    Recent {
        days: f64,
        limit: f64,
    },
    Quiet {
        days: f64,
        limit: f64,
    },
    Gone {
        days: f64,
        limit: f64,
    },
    Doubtful {
        p_alive: f64,
        limit: f64,
    },
    ProbablyGone {
        p_alive: f64,
        limit: f64,
    },
}

fn num(text: &str) -> Option<f64> {
    text.trim().parse().ok()
}

/// The numbers of `text` between the literal pieces `parts` (text must start with `parts[0]`
/// and end with the last piece).
fn between(text: &str, parts: &[&str]) -> Option<Vec<f64>> {
    let mut rest = text.strip_prefix(parts[0])?;
    let mut numbers = Vec::new();
    for piece in &parts[1..] {
        let (n, after) = if piece.is_empty() {
            (rest, "")
        } else {
            rest.split_once(piece)?
        };
        numbers.push(num(n)?);
        rest = after;
    }
    rest.is_empty().then_some(numbers)
}

impl Reason {
    /// Reads a stored reason; `None` for a sentence of another shape.
    pub fn parse(text: &str) -> Option<Reason> {
        if let Some(rest) = text.strip_prefix("buys every ") {
            let (every, rest) = rest.split_once(" ± ")?;
            let (spread, rest) = rest.split_once(" days; ")?;
            let (every, spread) = (num(every)?, num(spread)?);
            if let Some(n) = between(rest, &["last purchase ", " days ago"]) {
                return Some(Reason::Within {
                    every,
                    spread,
                    days: n[0],
                });
            }
            if let Some(n) = between(rest, &["", " days late"]) {
                return Some(Reason::Late {
                    every,
                    spread,
                    late: n[0],
                });
            }
            if let Some(n) = between(rest, &["silent for ", " days (lost after ", ")"]) {
                return Some(Reason::FarBeyond {
                    every,
                    spread,
                    days: n[0],
                    lost_after: n[1],
                });
            }
            return None;
        }
        if let Some(n) = between(text, &["last purchase ", " days ago (slipping after ", ")"]) {
            return Some(Reason::Recent {
                days: n[0],
                limit: n[1],
            });
        }
        if let Some(n) = between(text, &["no purchase for ", " days (lost after ", ")"]) {
            return Some(Reason::Quiet {
                days: n[0],
                limit: n[1],
            });
        }
        if let Some(n) = between(text, &["no purchase for ", " days (more than ", ")"]) {
            return Some(Reason::Gone {
                days: n[0],
                limit: n[1],
            });
        }
        if let Some(n) = between(text, &["P(alive) ", ", below the lost limit ", ""]) {
            return Some(Reason::ProbablyGone {
                p_alive: n[0],
                limit: n[1],
            });
        }
        if let Some(n) = between(text, &["P(alive) ", ", below ", ""]) {
            return Some(Reason::Doubtful {
                p_alive: n[0],
                limit: n[1],
            });
        }
        None
    }

    /// The reason worded in `tr`'s language.
    pub fn words(&self, tr: &Tr) -> String {
        let n = |v: f64| Arg::Num(v.round());
        let p = |v: f64| Arg::Text(tr.probability(v));
        match *self {
            Reason::Within {
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
            Reason::Late {
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
            Reason::FarBeyond {
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
            Reason::Recent { days, limit } => {
                tr.with("reason-recent", &[("days", n(days)), ("limit", n(limit))])
            }
            Reason::Quiet { days, limit } => {
                tr.with("reason-quiet", &[("days", n(days)), ("limit", n(limit))])
            }
            Reason::Gone { days, limit } => {
                tr.with("reason-gone", &[("days", n(days)), ("limit", n(limit))])
            }
            Reason::Doubtful { p_alive, limit } => {
                tr.with("reason-doubtful", &[("p", p(p_alive)), ("limit", p(limit))])
            }
            Reason::ProbablyGone { p_alive, limit } => tr.with(
                "reason-probably-gone",
                &[("p", p(p_alive)), ("limit", p(limit))],
            ),
        }
    }
}

/// A stored reason in `tr`'s language, or as stored when its shape is unknown.
pub fn localize(stored: Option<&str>, tr: &Tr) -> String {
    match stored {
        None => tr.get("none"),
        Some(text) => Reason::parse(text).map_or_else(|| text.to_string(), |r| r.words(tr)),
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

    #[test]
    fn every_shape_of_the_core_reason_is_read_back() {
        assert_eq!(
            Reason::parse("buys every 30 ± 4 days; 19 days late"),
            Some(Reason::Late {
                every: 30.0,
                spread: 4.0,
                late: 19.0
            })
        );
        assert_eq!(
            Reason::parse("buys every 30 ± 4 days; silent for 90 days (lost after 61)"),
            Some(Reason::FarBeyond {
                every: 30.0,
                spread: 4.0,
                days: 90.0,
                lost_after: 61.0
            })
        );
        assert_eq!(
            Reason::parse("no purchase for 200 days (more than 180)"),
            Some(Reason::Gone {
                days: 200.0,
                limit: 180.0
            })
        );
        assert_eq!(
            Reason::parse("P(alive) 0.12, below the lost limit 0.20"),
            Some(Reason::ProbablyGone {
                p_alive: 0.12,
                limit: 0.2
            })
        );
        assert_eq!(
            Reason::parse("P(alive) 0.40, below 0.50"),
            Some(Reason::Doubtful {
                p_alive: 0.4,
                limit: 0.5
            })
        );
        assert_eq!(Reason::parse("something else"), None);
    }

    #[test]
    fn the_late_reason_reads_as_the_issue_asks_in_both_languages() {
        let r = Reason::parse("buys every 30 ± 4 days; 19 days late").unwrap();
        assert_eq!(
            r.words(&Tr::new(Lang::En)),
            "buys every 30 ± 4 days, 19 days late"
        );
        assert_eq!(
            r.words(&Tr::new(Lang::Ru)),
            "покупает раз в 30 ± 4 дня, опаздывает на 19 дней"
        );
    }
}
