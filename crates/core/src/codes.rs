//! The stable text forms of the ladder's and the value analysis's values, as the store keeps them
//! in its columns and the API and pages receive them: one parser per value (the inverse of its
//! `as_str` or `code`), and the language-free code of a status reason with its arguments.
//!
//! These texts are a storage format: never rename a key or an argument.

use std::fmt;

use crate::{AbcClass, Rfm, Rung, Status, StatusReason, Subgroup};

impl Rung {
    /// The rung `as_str` writes as `text`; `None` for any other text.
    pub fn parse(text: &str) -> Option<Rung> {
        Rung::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

impl Status {
    /// The status `as_str` writes as `text`; `None` for any other text.
    pub fn parse(text: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

impl Subgroup {
    /// The sub-group `as_str` writes as `text`; `None` for any other text.
    pub fn parse(text: &str) -> Option<Subgroup> {
        Subgroup::ALL.into_iter().find(|g| g.as_str() == text)
    }
}

impl AbcClass {
    pub const ALL: [AbcClass; 3] = [AbcClass::A, AbcClass::B, AbcClass::C];

    /// The class `as_str` writes as `text` (`A`, `B` or `C`); `None` for any other text.
    pub fn parse(text: &str) -> Option<AbcClass> {
        AbcClass::ALL.into_iter().find(|c| c.as_str() == text)
    }
}

impl Rfm {
    /// The scores `code` writes as `text`: three digits 1-5 (recency, frequency, monetary),
    /// e.g. `555`; `None` for any other text.
    pub fn parse(text: &str) -> Option<Rfm> {
        let score = |b: u8| (b'1'..=b'5').contains(&b).then(|| b - b'0');
        match *text.as_bytes() {
            [r, f, m] => Some(Rfm {
                recency: score(r)?,
                frequency: score(f)?,
                monetary: score(m)?,
            }),
            _ => None,
        }
    }
}

/// A status reason as it is stored and shown: the rule that decided the status, with the numbers
/// the reason shows, rounded as shown (days and rhythms to whole days, ties to even; P(alive) and
/// its limits to two decimals). Rounding when the reason is stored keeps a stored reason reading
/// exactly as it did when it was scored, in every language, and lets snapshots stored as English
/// sentences be converted to codes without loss (migration `0024_status_reason_codes.sql`).
///
/// Its code ([`StatusReasonCode::code`], the same text as [`StatusReason::code`]) is a key and
/// `name=value` arguments separated by spaces, like `RungReason::code`; each with the English
/// its [`fmt::Display`] writes:
///
/// - `within_rhythm every=30 spread=4 days=12`: buys every 30 ± 4 days; last purchase 12 days
///   ago
/// - `late_by_rhythm every=30 spread=4 late=19`: buys every 30 ± 4 days; 19 days late
/// - `far_beyond_rhythm every=30 spread=4 days=90 lost_after=61`: buys every 30 ± 4 days; silent
///   for 90 days (lost after 61)
/// - `recent days=12 limit=90`: last purchase 12 days ago (slipping after 90)
/// - `quiet days=100 limit=180`: no purchase for 100 days (lost after 180)
/// - `gone days=200 limit=180`: no purchase for 200 days (more than 180)
/// - `doubtful p_alive=0.40 limit=0.50`: P(alive) 0.40, below 0.50
/// - `probably_gone p_alive=0.12 limit=0.20`: P(alive) 0.12, below the lost limit 0.20
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum StatusReasonCode {
    WithinRhythm {
        every: f64,
        spread: f64,
        days: f64,
    },
    LateByRhythm {
        every: f64,
        spread: f64,
        late: f64,
    },
    FarBeyondRhythm {
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

/// A number of days as the reason shows it: whole, ties to even (the sign of a negative zero
/// kept), as `{:.0}` writes it.
fn whole(value: f64) -> f64 {
    value.round_ties_even()
}

/// A probability as the reason shows it: two decimals, as `{:.2}` writes it. The two-decimal
/// text reads back as the double nearest to it, which `{:.2}` writes as the same text.
fn hundredths(value: f64) -> f64 {
    format!("{value:.2}").parse().unwrap_or(value)
}

impl From<&StatusReason> for StatusReasonCode {
    fn from(reason: &StatusReason) -> StatusReasonCode {
        let days = f64::from;
        match *reason {
            StatusReason::WithinRhythm {
                ref rhythm,
                days_since_last,
            } => StatusReasonCode::WithinRhythm {
                every: whole(rhythm.mean_gap),
                spread: whole(rhythm.spread),
                days: days(days_since_last),
            },
            StatusReason::LateByRhythm {
                ref rhythm,
                days_since_last,
            } => StatusReasonCode::LateByRhythm {
                every: whole(rhythm.mean_gap),
                spread: whole(rhythm.spread),
                late: whole(rhythm.days_late(days_since_last)),
            },
            StatusReason::FarBeyondRhythm {
                ref rhythm,
                days_since_last,
            } => StatusReasonCode::FarBeyondRhythm {
                every: whole(rhythm.mean_gap),
                spread: whole(rhythm.spread),
                days: days(days_since_last),
                lost_after: whole(rhythm.lost_after),
            },
            StatusReason::Recent {
                days_since_last,
                limit,
            } => StatusReasonCode::Recent {
                days: days(days_since_last),
                limit: days(limit),
            },
            StatusReason::Quiet {
                days_since_last,
                limit,
            } => StatusReasonCode::Quiet {
                days: days(days_since_last),
                limit: days(limit),
            },
            StatusReason::Gone {
                days_since_last,
                limit,
            } => StatusReasonCode::Gone {
                days: days(days_since_last),
                limit: days(limit),
            },
            StatusReason::Doubtful { p_alive, limit } => StatusReasonCode::Doubtful {
                p_alive: hundredths(p_alive),
                limit: hundredths(limit),
            },
            StatusReason::ProbablyGone { p_alive, limit } => StatusReasonCode::ProbablyGone {
                p_alive: hundredths(p_alive),
                limit: hundredths(limit),
            },
        }
    }
}

/// An argument's value in a code: whole numbers as `{}` writes them (`30`, `-0`, `inf`),
/// probabilities with two decimals.
enum Value {
    Whole(f64),
    Hundredths(f64),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Value::Whole(v) => write!(f, "{v}"),
            Value::Hundredths(v) => write!(f, "{v:.2}"),
        }
    }
}

impl StatusReasonCode {
    /// The key and the arguments of the code, in their order.
    fn parts(&self) -> (&'static str, Vec<(&'static str, Value)>) {
        use Value::{Hundredths, Whole};
        match *self {
            StatusReasonCode::WithinRhythm {
                every,
                spread,
                days,
            } => (
                "within_rhythm",
                vec![
                    ("every", Whole(every)),
                    ("spread", Whole(spread)),
                    ("days", Whole(days)),
                ],
            ),
            StatusReasonCode::LateByRhythm {
                every,
                spread,
                late,
            } => (
                "late_by_rhythm",
                vec![
                    ("every", Whole(every)),
                    ("spread", Whole(spread)),
                    ("late", Whole(late)),
                ],
            ),
            StatusReasonCode::FarBeyondRhythm {
                every,
                spread,
                days,
                lost_after,
            } => (
                "far_beyond_rhythm",
                vec![
                    ("every", Whole(every)),
                    ("spread", Whole(spread)),
                    ("days", Whole(days)),
                    ("lost_after", Whole(lost_after)),
                ],
            ),
            StatusReasonCode::Recent { days, limit } => (
                "recent",
                vec![("days", Whole(days)), ("limit", Whole(limit))],
            ),
            StatusReasonCode::Quiet { days, limit } => (
                "quiet",
                vec![("days", Whole(days)), ("limit", Whole(limit))],
            ),
            StatusReasonCode::Gone { days, limit } => {
                ("gone", vec![("days", Whole(days)), ("limit", Whole(limit))])
            }
            StatusReasonCode::Doubtful { p_alive, limit } => (
                "doubtful",
                vec![
                    ("p_alive", Hundredths(p_alive)),
                    ("limit", Hundredths(limit)),
                ],
            ),
            StatusReasonCode::ProbablyGone { p_alive, limit } => (
                "probably_gone",
                vec![
                    ("p_alive", Hundredths(p_alive)),
                    ("limit", Hundredths(limit)),
                ],
            ),
        }
    }

    /// The stored, language-free form: `late_by_rhythm every=30 spread=4 late=19`.
    pub fn code(&self) -> String {
        let (key, args) = self.parts();
        let mut code = key.to_string();
        for (name, value) in args {
            code.push_str(&format!(" {name}={value}"));
        }
        code
    }

    /// Reads a code as [`StatusReasonCode::code`] writes it; `None` for an unknown key, a
    /// missing, extra, repeated or misplaced argument, or a value that is not a number.
    pub fn parse(code: &str) -> Option<StatusReasonCode> {
        let mut parts = code.split(' ');
        let key = parts.next()?;
        let mut values = Vec::with_capacity(4);
        let mut names = Vec::with_capacity(4);
        for part in parts {
            let (name, value) = part.split_once('=')?;
            names.push(name);
            values.push(value.parse::<f64>().ok()?);
        }
        let v = |i: usize| values[i];
        let reason = match (key, values.len()) {
            ("within_rhythm", 3) => StatusReasonCode::WithinRhythm {
                every: v(0),
                spread: v(1),
                days: v(2),
            },
            ("late_by_rhythm", 3) => StatusReasonCode::LateByRhythm {
                every: v(0),
                spread: v(1),
                late: v(2),
            },
            ("far_beyond_rhythm", 4) => StatusReasonCode::FarBeyondRhythm {
                every: v(0),
                spread: v(1),
                days: v(2),
                lost_after: v(3),
            },
            ("recent", 2) => StatusReasonCode::Recent {
                days: v(0),
                limit: v(1),
            },
            ("quiet", 2) => StatusReasonCode::Quiet {
                days: v(0),
                limit: v(1),
            },
            ("gone", 2) => StatusReasonCode::Gone {
                days: v(0),
                limit: v(1),
            },
            ("doubtful", 2) => StatusReasonCode::Doubtful {
                p_alive: v(0),
                limit: v(1),
            },
            ("probably_gone", 2) => StatusReasonCode::ProbablyGone {
                p_alive: v(0),
                limit: v(1),
            },
            _ => return None,
        };
        // The arguments' names, in the order the code writes them.
        let (_, expected) = reason.parts();
        let same_names = expected.iter().map(|(n, _)| *n).eq(names.iter().copied());
        same_names.then_some(reason)
    }
}

/// The reason in English, as [`StatusReason`]'s `Display` words the reason it was made from.
impl fmt::Display for StatusReasonCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            StatusReasonCode::WithinRhythm {
                every,
                spread,
                days,
            } => write!(
                f,
                "buys every {every} ± {spread} days; last purchase {days} days ago"
            ),
            StatusReasonCode::LateByRhythm {
                every,
                spread,
                late,
            } => write!(f, "buys every {every} ± {spread} days; {late} days late"),
            StatusReasonCode::FarBeyondRhythm {
                every,
                spread,
                days,
                lost_after,
            } => write!(
                f,
                "buys every {every} ± {spread} days; silent for {days} days (lost after {lost_after})"
            ),
            StatusReasonCode::Recent { days, limit } => {
                write!(f, "last purchase {days} days ago (slipping after {limit})")
            }
            StatusReasonCode::Quiet { days, limit } => {
                write!(f, "no purchase for {days} days (lost after {limit})")
            }
            StatusReasonCode::Gone { days, limit } => {
                write!(f, "no purchase for {days} days (more than {limit})")
            }
            StatusReasonCode::Doubtful { p_alive, limit } => {
                write!(f, "P(alive) {p_alive:.2}, below {limit:.2}")
            }
            StatusReasonCode::ProbablyGone { p_alive, limit } => {
                write!(f, "P(alive) {p_alive:.2}, below the lost limit {limit:.2}")
            }
        }
    }
}

impl StatusReason {
    /// The stable, language-free form for storage (see [`StatusReasonCode`]), e.g.
    /// `late_by_rhythm every=30 spread=4 late=19`.
    pub fn code(&self) -> String {
        StatusReasonCode::from(self).code()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use proptest::strategy::Strategy as Generator;

    use super::*;
    use crate::{Period, Rhythm, RungReason};

    #[test]
    fn every_value_reads_back_from_its_text_and_nothing_else_does() {
        for r in Rung::ALL {
            assert_eq!(Rung::parse(r.as_str()), Some(r));
        }
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        for g in Subgroup::ALL {
            assert_eq!(Subgroup::parse(g.as_str()), Some(g));
        }
        for c in AbcClass::ALL {
            assert_eq!(AbcClass::parse(c.as_str()), Some(c));
        }
        for text in ["", "Regular", "regular ", "lost,", "a", "AB", "D"] {
            assert_eq!(Rung::parse(text), None, "{text:?}");
            assert_eq!(Status::parse(text), None, "{text:?}");
            assert_eq!(Subgroup::parse(text), None, "{text:?}");
            assert_eq!(AbcClass::parse(text), None, "{text:?}");
        }
        let rfm = Rfm {
            recency: 5,
            frequency: 1,
            monetary: 3,
        };
        assert_eq!(Rfm::parse("513"), Some(rfm));
        assert_eq!(Rfm::parse(&rfm.code()), Some(rfm));
        for text in ["", "55", "5555", "055", "565", "5a5", "+55", "５５５"] {
            assert_eq!(Rfm::parse(text), None, "{text:?}");
        }
    }

    fn rhythm(mean_gap: f64, spread: f64, lost_after: f64) -> Rhythm {
        Rhythm {
            gaps: 5,
            mean_gap,
            spread,
            regularity: 2.0,
            late_after: mean_gap + spread,
            lost_after,
        }
    }

    #[test]
    fn codes_carry_the_numbers_as_the_sentence_shows_them() {
        // 30.5 and 4.5 round to even (30, 4); 49 - 30.5 = 18.5 days late round to 18.
        let late = StatusReason::LateByRhythm {
            rhythm: rhythm(30.5, 4.5, 61.5),
            days_since_last: 49,
        };
        assert_eq!(late.to_string(), "buys every 30 ± 4 days; 18 days late");
        assert_eq!(late.code(), "late_by_rhythm every=30 spread=4 late=18");
        let far = StatusReason::FarBeyondRhythm {
            rhythm: rhythm(31.5, 3.2, 61.5),
            days_since_last: 90,
        };
        assert_eq!(
            far.code(),
            "far_beyond_rhythm every=32 spread=3 days=90 lost_after=62"
        );
        let gone = StatusReason::ProbablyGone {
            p_alive: 0.125,
            limit: 0.2,
        };
        assert_eq!(gone.to_string(), "P(alive) 0.12, below the lost limit 0.20");
        assert_eq!(gone.code(), "probably_gone p_alive=0.12 limit=0.20");
        let quiet = StatusReason::Quiet {
            days_since_last: 100,
            limit: 180,
        };
        assert_eq!(quiet.code(), "quiet days=100 limit=180");
        assert_eq!(
            StatusReasonCode::parse("quiet days=100 limit=180"),
            Some(StatusReasonCode::Quiet {
                days: 100.0,
                limit: 180.0
            })
        );
    }

    #[test]
    fn malformed_codes_are_refused() {
        for code in [
            "",
            "quiet",
            "quiet days=100",
            "quiet days=100 limit=180 extra=1",
            "quiet limit=180 days=100",
            "quiet days=100 days=180",
            "quiet days=x limit=180",
            "quiet days=100  limit=180",
            "quiet days=100 limit=180 ",
            "loud days=100 limit=180",
            "buys every 30 ± 4 days; 19 days late",
            // A rung reason's code is no status reason.
            &RungReason::Regular {
                purchase_days: 5,
                periods: 3,
                period: Period::Quarter,
            }
            .code(),
        ] {
            assert_eq!(StatusReasonCode::parse(code), None, "{code:?}");
        }
    }

    fn any_status_reason() -> impl Generator<Value = StatusReason> {
        let gap = prop_oneof![
            0.0f64..400.0,
            (0u32..800).prop_map(|k| f64::from(k) / 2.0),
            Just(-0.2)
        ];
        let rhythm = (gap.clone(), gap.clone(), gap).prop_map(|(m, s, l)| rhythm(m, s, l));
        let days = prop_oneof![-10i32..2000, any::<i32>()];
        let p = prop_oneof![
            0.0f64..=1.0,
            (0u32..=400).prop_map(|k| f64::from(k) / 400.0)
        ];
        let by_rhythm = |make: fn(Rhythm, i32) -> StatusReason| {
            (rhythm.clone(), days.clone()).prop_map(move |(r, d)| make(r, d))
        };
        let by_days = |make: fn(i32, i32) -> StatusReason| {
            (days.clone(), days.clone()).prop_map(move |(d, limit)| make(d, limit))
        };
        let by_p = |make: fn(f64, f64) -> StatusReason| {
            (p.clone(), p.clone()).prop_map(move |(p_alive, limit)| make(p_alive, limit))
        };
        prop_oneof![
            by_rhythm(|rhythm, days_since_last| StatusReason::WithinRhythm {
                rhythm,
                days_since_last
            }),
            by_rhythm(|rhythm, days_since_last| StatusReason::LateByRhythm {
                rhythm,
                days_since_last
            }),
            by_rhythm(|rhythm, days_since_last| StatusReason::FarBeyondRhythm {
                rhythm,
                days_since_last
            }),
            by_days(|days_since_last, limit| StatusReason::Recent {
                days_since_last,
                limit
            }),
            by_days(|days_since_last, limit| StatusReason::Quiet {
                days_since_last,
                limit
            }),
            by_days(|days_since_last, limit| StatusReason::Gone {
                days_since_last,
                limit
            }),
            by_p(|p_alive, limit| StatusReason::Doubtful { p_alive, limit }),
            by_p(|p_alive, limit| StatusReason::ProbablyGone { p_alive, limit }),
        ]
    }

    proptest! {
        /// A stored code reads back as the reason it was made from, and words it in English
        /// exactly as the reason itself does (what `customers.csv` and old snapshots hold).
        #[test]
        fn codes_read_back_and_word_the_reason_as_it_does(reason in any_status_reason()) {
            let stored = StatusReasonCode::from(&reason);
            prop_assert_eq!(StatusReasonCode::parse(&reason.code()), Some(stored));
            prop_assert_eq!(stored.to_string(), reason.to_string());
        }
    }
}
