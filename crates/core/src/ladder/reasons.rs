//! Why a customer stands where they stand: the rung's and the status's reasons, written as
//! sentences (`Display`, or straight into a byte buffer for `customers.csv`) and as stable codes
//! for storage.

use std::fmt;

use crate::{Day, Rhythm};

use super::Period;

/// Why a customer stands on their rung.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RungReason {
    NoTouch,
    TouchOnly {
        last_touch: Day,
    },
    OnlyReturns,
    FirstPurchases {
        purchase_days: u32,
    },
    TooFewPeriods {
        purchase_days: u32,
        periods: u32,
        min_periods: u32,
        period: Period,
    },
    Regular {
        purchase_days: u32,
        periods: u32,
        period: Period,
    },
    Promoter {
        purchase_days: u32,
        nps: u8,
    },
    Referrer {
        purchase_days: u32,
        referrals: u32,
    },
    FullPrice {
        purchase_days: u32,
        share: f64,
    },
}

impl RungReason {
    /// A stable, language-free form for storage: a key, then `name=value` arguments separated by
    /// spaces (days as day numbers, shares as fractions), e.g.
    /// `regular purchase_days=5 periods=3 period=quarter`. Readers word it from their own
    /// message catalogue; the keys and argument names are a storage format, so never rename them.
    pub fn code(&self) -> String {
        match *self {
            RungReason::NoTouch => "no_touch".into(),
            RungReason::TouchOnly { last_touch } => {
                format!("touch_only last_touch={}", last_touch.days_since_epoch())
            }
            RungReason::OnlyReturns => "only_returns".into(),
            RungReason::FirstPurchases { purchase_days } => {
                format!("first_purchases purchase_days={purchase_days}")
            }
            RungReason::TooFewPeriods {
                purchase_days,
                periods,
                min_periods,
                period,
            } => format!(
                "too_few_periods purchase_days={purchase_days} periods={periods} min_periods={min_periods} period={}",
                period.as_str()
            ),
            RungReason::Regular {
                purchase_days,
                periods,
                period,
            } => format!(
                "regular purchase_days={purchase_days} periods={periods} period={}",
                period.as_str()
            ),
            RungReason::Promoter { purchase_days, nps } => {
                format!("promoter purchase_days={purchase_days} nps={nps}")
            }
            RungReason::Referrer {
                purchase_days,
                referrals,
            } => format!("referrer purchase_days={purchase_days} referrals={referrals}"),
            RungReason::FullPrice {
                purchase_days,
                share,
            } => format!("full_price purchase_days={purchase_days} share={share:.4}"),
        }
    }
}

impl RungReason {
    /// Appends the reason as `Display` writes it, straight into a byte buffer: `customers.csv`
    /// writes one for every customer.
    pub fn write_bytes(&self, out: &mut Vec<u8>) {
        let _ = self.write_to(&mut ByteSink(out)); // a byte buffer takes every piece
    }

    // Pieces go out one by one rather than through `write!`: `customers.csv` writes a reason for
    // every customer, and the formatting machinery costs several times more.
    fn write_to(&self, f: &mut impl ReasonSink) -> fmt::Result {
        match *self {
            RungReason::NoTouch => f.text("known contact, no purchase and no recorded touch"),
            RungReason::TouchOnly { last_touch } => f.args(format_args!(
                "touched us (last on {last_touch}) but has not bought"
            )),
            RungReason::OnlyReturns => f.text("only returns in the data, no purchase"),
            RungReason::FirstPurchases { purchase_days: 1 } => f.text("first purchase"),
            RungReason::FirstPurchases { purchase_days } => {
                f.int(purchase_days.into())?;
                f.text(" purchase days in this turn")
            }
            RungReason::TooFewPeriods {
                purchase_days,
                periods,
                min_periods,
                period,
            } => {
                f.int(purchase_days.into())?;
                f.text(" purchase days, but within ")?;
                f.int(periods.into())?;
                f.text(" ")?;
                f.text(period.as_str())?;
                f.text("(s); a regular buys in at least ")?;
                f.int(min_periods.into())
            }
            RungReason::Regular {
                purchase_days,
                periods,
                period,
            } => {
                f.int(purchase_days.into())?;
                f.text(" purchase days over ")?;
                f.int(periods.into())?;
                f.text(" ")?;
                f.text(period.as_str())?;
                f.text("s")
            }
            RungReason::Promoter { purchase_days, nps } => {
                f.text("regular (")?;
                f.int(purchase_days.into())?;
                f.args(format_args!(
                    " purchase days) and an NPS promoter ({nps}/10)"
                ))
            }
            RungReason::Referrer {
                purchase_days,
                referrals,
            } => {
                f.text("regular (")?;
                f.int(purchase_days.into())?;
                f.text(" purchase days) who referred ")?;
                f.int(referrals.into())?;
                f.text(" customer(s)")
            }
            RungReason::FullPrice {
                purchase_days,
                share,
            } => {
                f.text("regular (")?;
                f.int(purchase_days.into())?;
                f.text(" purchase days) buying ")?;
                write_whole(f, share * 100.0)?;
                f.text("% at full price")
            }
        }
    }
}

/// Why a customer has their status.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum StatusReason {
    WithinRhythm {
        rhythm: Rhythm,
        days_since_last: i32,
    },
    LateByRhythm {
        rhythm: Rhythm,
        days_since_last: i32,
    },
    FarBeyondRhythm {
        rhythm: Rhythm,
        days_since_last: i32,
    },
    Recent {
        days_since_last: i32,
        limit: i32,
    },
    Quiet {
        days_since_last: i32,
        limit: i32,
    },
    Gone {
        days_since_last: i32,
        limit: i32,
    },
    /// The model thinks the customer is more likely gone than not (no rhythm to judge by).
    Doubtful {
        p_alive: f64,
        limit: f64,
    },
    ProbablyGone {
        p_alive: f64,
        limit: f64,
    },
}

/// Which rule decided a status: [`StatusReason`] without its numbers, one byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StatusBasis {
    WithinRhythm,
    LateByRhythm,
    FarBeyondRhythm,
    Recent,
    Quiet,
    Gone,
    Doubtful,
    ProbablyGone,
}

impl StatusReason {
    pub fn basis(&self) -> StatusBasis {
        match self {
            StatusReason::WithinRhythm { .. } => StatusBasis::WithinRhythm,
            StatusReason::LateByRhythm { .. } => StatusBasis::LateByRhythm,
            StatusReason::FarBeyondRhythm { .. } => StatusBasis::FarBeyondRhythm,
            StatusReason::Recent { .. } => StatusBasis::Recent,
            StatusReason::Quiet { .. } => StatusBasis::Quiet,
            StatusReason::Gone { .. } => StatusBasis::Gone,
            StatusReason::Doubtful { .. } => StatusBasis::Doubtful,
            StatusReason::ProbablyGone { .. } => StatusBasis::ProbablyGone,
        }
    }

    /// The customer's rhythm, when the status was judged by it.
    pub fn rhythm(&self) -> Option<&Rhythm> {
        match self {
            StatusReason::WithinRhythm { rhythm, .. }
            | StatusReason::LateByRhythm { rhythm, .. }
            | StatusReason::FarBeyondRhythm { rhythm, .. } => Some(rhythm),
            _ => None,
        }
    }
}

/// `value` as `format!("{value:.0}")` writes it (ties to even, the sign of a negative zero
/// kept), through integer formatting: the float formatter's exact path is several times slower,
/// and `customers.csv` writes a few of these per customer.
fn write_whole(f: &mut impl ReasonSink, value: f64) -> fmt::Result {
    if !(value.is_finite() && value.abs() < 1e15) {
        return f.args(format_args!("{value:.0}"));
    }
    let rounded = value.round_ties_even();
    if rounded == 0.0 && value.is_sign_negative() {
        return f.text("-0");
    }
    f.int(rounded as i64)
}

/// `{before}{days}{between}{limit})`: the shape of the reasons that compare days with a limit.
fn write_days_and_limit(
    f: &mut impl ReasonSink,
    before: &str,
    days: i32,
    between: &str,
    limit: i32,
) -> fmt::Result {
    f.text(before)?;
    f.int(days.into())?;
    f.text(between)?;
    f.int(limit.into())?;
    f.text(")")
}

impl StatusReason {
    /// Appends the reason as `Display` writes it, straight into a byte buffer: `customers.csv`
    /// writes one for every customer.
    pub fn write_bytes(&self, out: &mut Vec<u8>) {
        let _ = self.write_to(&mut ByteSink(out)); // a byte buffer takes every piece
    }

    fn write_to<W: ReasonSink>(&self, f: &mut W) -> fmt::Result {
        let every = |f: &mut W, r: &Rhythm| {
            f.text("buys every ")?;
            write_whole(f, r.mean_gap)?;
            f.text(" ± ")?;
            write_whole(f, r.spread)?;
            f.text(" days")
        };
        match *self {
            StatusReason::WithinRhythm {
                ref rhythm,
                days_since_last,
            } => {
                every(f, rhythm)?;
                f.text("; last purchase ")?;
                f.int(days_since_last.into())?;
                f.text(" days ago")
            }
            StatusReason::LateByRhythm {
                ref rhythm,
                days_since_last,
            } => {
                every(f, rhythm)?;
                f.text("; ")?;
                write_whole(f, rhythm.days_late(days_since_last))?;
                f.text(" days late")
            }
            StatusReason::FarBeyondRhythm {
                ref rhythm,
                days_since_last,
            } => {
                every(f, rhythm)?;
                f.text("; silent for ")?;
                f.int(days_since_last.into())?;
                f.text(" days (lost after ")?;
                write_whole(f, rhythm.lost_after)?;
                f.text(")")
            }
            StatusReason::Recent {
                days_since_last,
                limit,
            } => write_days_and_limit(
                f,
                "last purchase ",
                days_since_last,
                " days ago (slipping after ",
                limit,
            ),
            StatusReason::Quiet {
                days_since_last,
                limit,
            } => write_days_and_limit(
                f,
                "no purchase for ",
                days_since_last,
                " days (lost after ",
                limit,
            ),
            StatusReason::Gone {
                days_since_last,
                limit,
            } => write_days_and_limit(
                f,
                "no purchase for ",
                days_since_last,
                " days (more than ",
                limit,
            ),
            StatusReason::Doubtful { p_alive, limit } => {
                f.args(format_args!("P(alive) {p_alive:.2}, below {limit:.2}"))
            }
            StatusReason::ProbablyGone { p_alive, limit } => f.args(format_args!(
                "P(alive) {p_alive:.2}, below the lost limit {limit:.2}"
            )),
        }
    }
}

impl fmt::Display for RungReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_to(f)
    }
}

impl fmt::Display for StatusReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_to(f)
    }
}

/// Where the pieces of a reason go: the `Formatter` of `Display`, or a byte buffer. One text for
/// both, so the words cannot drift apart; the buffer's pieces are plain copies, where each piece
/// through a `Formatter` costs a virtual call and a capacity check.
trait ReasonSink {
    fn text(&mut self, text: &str) -> fmt::Result;
    /// A piece that needs the formatter itself (fixed decimals, non-finite values); rare.
    fn args(&mut self, args: fmt::Arguments<'_>) -> fmt::Result;
    /// `n` in decimal, as `{n}` writes it without width or fill, but without the formatting
    /// machinery (argument tables, padding), which costs several times more.
    fn int(&mut self, n: i64) -> fmt::Result {
        self.text(itoa::Buffer::new().format(n))
    }
}

impl ReasonSink for fmt::Formatter<'_> {
    fn text(&mut self, text: &str) -> fmt::Result {
        self.write_str(text)
    }

    fn args(&mut self, args: fmt::Arguments<'_>) -> fmt::Result {
        self.write_fmt(args)
    }
}

struct ByteSink<'a>(&'a mut Vec<u8>);

impl ReasonSink for ByteSink<'_> {
    fn text(&mut self, text: &str) -> fmt::Result {
        self.0.extend_from_slice(text.as_bytes());
        Ok(())
    }

    fn args(&mut self, args: fmt::Arguments<'_>) -> fmt::Result {
        std::io::Write::write_fmt(self.0, args).map_err(|_| fmt::Error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::{Just, any, prop_oneof};
    use proptest::strategy::Strategy as Generator;

    /// The reasons as `format!` writes them: the reference for their hand-written `Display`.
    fn reference_rung_reason(reason: &RungReason) -> String {
        match *reason {
            RungReason::NoTouch => "known contact, no purchase and no recorded touch".into(),
            RungReason::TouchOnly { last_touch } => {
                format!("touched us (last on {last_touch}) but has not bought")
            }
            RungReason::OnlyReturns => "only returns in the data, no purchase".into(),
            RungReason::FirstPurchases { purchase_days: 1 } => "first purchase".into(),
            RungReason::FirstPurchases { purchase_days } => {
                format!("{purchase_days} purchase days in this turn")
            }
            RungReason::TooFewPeriods {
                purchase_days,
                periods,
                min_periods,
                period,
            } => format!(
                "{purchase_days} purchase days, but within {periods} {p}(s); a regular buys in at least {min_periods}",
                p = period.as_str()
            ),
            RungReason::Regular {
                purchase_days,
                periods,
                period,
            } => format!(
                "{purchase_days} purchase days over {periods} {p}s",
                p = period.as_str()
            ),
            RungReason::Promoter { purchase_days, nps } => {
                format!("regular ({purchase_days} purchase days) and an NPS promoter ({nps}/10)")
            }
            RungReason::Referrer {
                purchase_days,
                referrals,
            } => format!(
                "regular ({purchase_days} purchase days) who referred {referrals} customer(s)"
            ),
            RungReason::FullPrice {
                purchase_days,
                share,
            } => format!(
                "regular ({purchase_days} purchase days) buying {:.0}% at full price",
                share * 100.0
            ),
        }
    }

    fn reference_status_reason(reason: &StatusReason) -> String {
        let every = |r: &Rhythm| format!("buys every {:.0} ± {:.0} days", r.mean_gap, r.spread);
        match *reason {
            StatusReason::WithinRhythm {
                ref rhythm,
                days_since_last,
            } => format!(
                "{}; last purchase {days_since_last} days ago",
                every(rhythm)
            ),
            StatusReason::LateByRhythm {
                ref rhythm,
                days_since_last,
            } => format!(
                "{}; {:.0} days late",
                every(rhythm),
                rhythm.days_late(days_since_last)
            ),
            StatusReason::FarBeyondRhythm {
                ref rhythm,
                days_since_last,
            } => format!(
                "{}; silent for {days_since_last} days (lost after {:.0})",
                every(rhythm),
                rhythm.lost_after
            ),
            StatusReason::Recent {
                days_since_last,
                limit,
            } => format!("last purchase {days_since_last} days ago (slipping after {limit})"),
            StatusReason::Quiet {
                days_since_last,
                limit,
            } => format!("no purchase for {days_since_last} days (lost after {limit})"),
            StatusReason::Gone {
                days_since_last,
                limit,
            } => format!("no purchase for {days_since_last} days (more than {limit})"),
            StatusReason::Doubtful { p_alive, limit } => {
                format!("P(alive) {p_alive:.2}, below {limit:.2}")
            }
            StatusReason::ProbablyGone { p_alive, limit } => {
                format!("P(alive) {p_alive:.2}, below the lost limit {limit:.2}")
            }
        }
    }

    fn any_rung_reason() -> impl Generator<Value = RungReason> {
        let days = prop_oneof![0u32..40, any::<u32>()];
        let period = prop_oneof![
            Just(Period::Week),
            Just(Period::Month),
            Just(Period::Quarter),
            Just(Period::Year)
        ];
        prop_oneof![
            Just(RungReason::NoTouch),
            Just(RungReason::OnlyReturns),
            (-800_000i32..800_000).prop_map(|n| RungReason::TouchOnly {
                last_touch: Day::from_ymd(2000, 1, 1).unwrap().plus_days(n)
            }),
            days.clone()
                .prop_map(|purchase_days| RungReason::FirstPurchases { purchase_days }),
            (days.clone(), any::<u32>(), any::<u32>(), period.clone()).prop_map(
                |(purchase_days, periods, min_periods, period)| RungReason::TooFewPeriods {
                    purchase_days,
                    periods,
                    min_periods,
                    period
                }
            ),
            (days.clone(), 0u32..100, period).prop_map(|(purchase_days, periods, period)| {
                RungReason::Regular {
                    purchase_days,
                    periods,
                    period,
                }
            }),
            (days.clone(), any::<u8>())
                .prop_map(|(purchase_days, nps)| RungReason::Promoter { purchase_days, nps }),
            (days.clone(), any::<u32>()).prop_map(|(purchase_days, referrals)| {
                RungReason::Referrer {
                    purchase_days,
                    referrals,
                }
            }),
            (
                days,
                prop_oneof![
                    0.0f64..=1.0,
                    (0u32..=200).prop_map(|k| f64::from(k) / 200.0)
                ]
            )
                .prop_map(|(purchase_days, share)| RungReason::FullPrice {
                    purchase_days,
                    share
                }),
        ]
    }

    fn any_status_reason() -> impl Generator<Value = StatusReason> {
        let gap = prop_oneof![0.0f64..400.0, (0u32..800).prop_map(|k| f64::from(k) / 2.0)];
        let rhythm = (gap.clone(), gap.clone(), gap.clone(), gap).prop_map(
            |(mean_gap, spread, late_after, lost_after)| Rhythm {
                gaps: 5,
                mean_gap,
                spread,
                regularity: 2.0,
                late_after,
                lost_after,
            },
        );
        let days = prop_oneof![-10i32..2000, any::<i32>()];
        let p = prop_oneof![
            0.0f64..=1.0,
            (0u32..=400).prop_map(|k| f64::from(k) / 400.0)
        ];
        // One generator per shape of variant, given the variant's constructor.
        let by_rhythm = |make: fn(Rhythm, i32) -> StatusReason| {
            (rhythm.clone(), days.clone()).prop_map(move |(r, d)| make(r, d))
        };
        let by_days = |make: fn(i32, i32) -> StatusReason| {
            (days.clone(), days.clone()).prop_map(move |(d, limit)| make(d, limit))
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
            (p.clone(), p.clone())
                .prop_map(|(p_alive, limit)| StatusReason::Doubtful { p_alive, limit }),
            (p.clone(), p)
                .prop_map(|(p_alive, limit)| StatusReason::ProbablyGone { p_alive, limit }),
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(5_000))]

        #[test]
        fn rung_reasons_read_as_format_writes_them(reason in any_rung_reason()) {
            proptest::prop_assert_eq!(reason.to_string(), reference_rung_reason(&reason));
        }

        #[test]
        fn status_reasons_read_as_format_writes_them(reason in any_status_reason()) {
            proptest::prop_assert_eq!(reason.to_string(), reference_status_reason(&reason));
        }

        #[test]
        fn reasons_as_bytes_append_what_display_writes(
            rung in any_rung_reason(),
            status in any_status_reason(),
        ) {
            let mut out = b"x,".to_vec();
            rung.write_bytes(&mut out);
            status.write_bytes(&mut out);
            let expected = format!("x,{}{}", reference_rung_reason(&rung), reference_status_reason(&status));
            proptest::prop_assert_eq!(String::from_utf8(out).unwrap(), expected);
        }
    }

    #[test]
    fn whole_numbers_are_written_as_the_float_formatter_writes_them() {
        struct Whole(f64);
        impl fmt::Display for Whole {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                super::write_whole(f, self.0)
            }
        }
        // Ties (x.5 round to even), near-ties, negative zeros, huge and non-finite values.
        let mut values = vec![
            0.0,
            -0.0,
            -0.3,
            -0.5,
            0.5,
            1.5,
            2.5,
            -2.5,
            2.499_999_999_999_999_6,
            2.500_000_000_000_000_4,
            1e15,
            -3e17,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            f64::MAX,
        ];
        values.extend((-4000..4000).map(|k| f64::from(k) / 8.0));
        values.extend((1..2000).map(|k| f64::from(k) * 0.731_3));
        for v in values {
            assert_eq!(Whole(v).to_string(), format!("{v:.0}"), "{v:e}");
        }
    }
}
