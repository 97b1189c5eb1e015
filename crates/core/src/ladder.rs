//! The loyalty ladder: rung, status, turn of the spiral, strategy and profit sub-group.
//!
//! Rungs: prospect → visitor → newcomer → regular → advocate. A status sits beside the rung
//! (active / slipping / lost), so a lost regular is still shown as a regular, to be won back. A
//! customer whose gap between two purchases exceeded the "lost" limit came back: the ladder is a
//! spiral, the return starts a new turn, and the rung is judged on the current turn's purchases
//! while the best rung of earlier turns is kept as history.

use std::fmt;

use rayon::prelude::*;

use crate::{CustomerSummary, Day, Money, NpsScore, Rhythm, RhythmRules};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rung {
    Prospect,
    Visitor,
    Newcomer,
    Regular,
    Advocate,
}

impl Rung {
    pub const ALL: [Rung; 5] = [
        Rung::Prospect,
        Rung::Visitor,
        Rung::Newcomer,
        Rung::Regular,
        Rung::Advocate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Rung::Prospect => "prospect",
            Rung::Visitor => "visitor",
            Rung::Newcomer => "newcomer",
            Rung::Regular => "regular",
            Rung::Advocate => "advocate",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    Active,
    Slipping,
    Lost,
}

impl Status {
    pub const ALL: [Status; 3] = [Status::Active, Status::Slipping, Status::Lost];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Slipping => "slipping",
            Status::Lost => "lost",
        }
    }
}

/// What to do with a customer, by rung (and win back for anyone lost).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Strategy {
    Attract,
    Engage,
    Retain,
    Cherish,
    WinBack,
}

impl Strategy {
    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::Attract => "attract",
            Strategy::Engage => "engage",
            Strategy::Retain => "retain",
            Strategy::Cherish => "cherish",
            Strategy::WinBack => "win back",
        }
    }

    /// The strategy of a rung for customers who are not lost (the lost are won back).
    pub fn for_rung(rung: Rung) -> Strategy {
        match rung {
            Rung::Prospect | Rung::Visitor => Strategy::Attract,
            Rung::Newcomer => Strategy::Engage,
            Rung::Regular => Strategy::Retain,
            Rung::Advocate => Strategy::Cherish,
        }
    }

    /// The recommended actions of this strategy, most important first.
    pub fn actions(self) -> &'static [&'static str] {
        match self {
            Strategy::Attract => &[
                "turn the touch into a first purchase: a trial offer or a low-risk entry product",
                "answer inquiries fast and follow up within two days",
                "ask how they heard of you, to learn which channels bring buyers",
            ],
            Strategy::Engage => &[
                "thank them for the first purchase and make the second one easy",
                "ask for feedback on the first order and fix what disappointed",
                "introduce the categories they have not tried yet",
            ],
            Strategy::Retain => &[
                "keep the rhythm: remind them before their usual next purchase",
                "reward loyalty with service, not only discounts",
                "assign a manager to the most profitable regulars",
            ],
            Strategy::Cherish => &[
                "personal attention: a call from the manager, greetings on personal dates",
                "invite them to refer others and thank them for referrals",
                "ask for their ideas and show what you changed because of them",
            ],
            Strategy::WinBack => &[
                "find out why they left: a short personal call or letter",
                "make an offer that answers the reason they left",
                "measure the returns against a control group that gets no offer",
            ],
        }
    }
}

/// Profit sub-group inside a rung.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Subgroup {
    Profitable,
    Middling,
    Unprofitable,
}

impl Subgroup {
    pub const ALL: [Subgroup; 3] = [
        Subgroup::Profitable,
        Subgroup::Middling,
        Subgroup::Unprofitable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Subgroup::Profitable => "profitable",
            Subgroup::Middling => "middling",
            Subgroup::Unprofitable => "unprofitable",
        }
    }
}

/// Calendar period over which a regular's purchases must spread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    Week,
    Month,
    Quarter,
    Year,
}

impl Period {
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Week => "week",
            Period::Month => "month",
            Period::Quarter => "quarter",
            Period::Year => "year",
        }
    }

    /// A number that is equal for two days exactly when they fall in the same period.
    pub fn index(self, day: Day) -> i32 {
        match self {
            // 1970-01-01 was a Thursday; shifting by 3 makes weeks start on Monday.
            Period::Week => (day.days_since_epoch() + 3).div_euclid(7),
            Period::Month => day.month_index(),
            Period::Quarter => day.month_index().div_euclid(3),
            Period::Year => day.year(),
        }
    }
}

/// How profit sub-groups are cut inside each rung.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SubgroupRule {
    /// Thirds of the rung's customers by profit: the top third profitable, the bottom third unprofitable.
    Terciles,
    /// Fixed profit limits: below `unprofitable_below` unprofitable, from `profitable_from` profitable.
    Thresholds {
        unprofitable_below: Money,
        profitable_from: Money,
    },
}

/// The rules of the ladder; `Default` is the documented default rule set.
#[derive(Clone, Debug, PartialEq)]
pub struct LadderRules {
    pub regular_min_purchase_days: u32,
    pub regular_min_periods: u32,
    pub period: Period,
    /// An NPS promoter (9–10) who is a regular is an advocate.
    pub advocate_if_promoter: bool,
    /// A regular who referred at least this many customers is an advocate (0 disables).
    pub advocate_min_referrals: u32,
    /// A regular buying at least this share of lines at full price is an advocate (`None` disables).
    pub advocate_min_full_price_share: Option<f64>,
    pub status: StatusRules,
    pub subgroups: SubgroupRule,
}

/// When a customer counts as slipping or lost.
///
/// Customers with a rhythm (enough gaps between purchase days in the current turn) are judged by
/// their own intervals ([`Rhythm`]); the others by the model's P(alive) when a model was fitted,
/// and by fixed day limits. P(alive) below `lost_p_alive` makes anyone lost.
#[derive(Clone, Debug, PartialEq)]
pub struct StatusRules {
    pub rhythm: RhythmRules,
    /// Never call anyone slipping sooner than this many days after a purchase.
    pub min_slipping_days: i32,
    /// Customers without a rhythm are slipping when P(alive) is below this.
    pub slipping_p_alive: f64,
    /// Anyone is lost when P(alive) is below this.
    pub lost_p_alive: f64,
    /// Slipping after this many days without a purchase, for customers without a rhythm.
    pub slipping_after_days: i32,
    /// Lost after this many days without a purchase, whatever the rhythm. A gap longer than
    /// this between two purchases is a loss followed by a return (a new turn of the spiral).
    pub lost_after_days: i32,
}

impl Default for LadderRules {
    fn default() -> Self {
        LadderRules {
            regular_min_purchase_days: 3,
            regular_min_periods: 2,
            period: Period::Month,
            advocate_if_promoter: true,
            advocate_min_referrals: 1,
            advocate_min_full_price_share: Some(0.8),
            status: StatusRules::default(),
            subgroups: SubgroupRule::Terciles,
        }
    }
}

impl Default for StatusRules {
    fn default() -> Self {
        StatusRules {
            rhythm: RhythmRules::default(),
            min_slipping_days: 14,
            slipping_p_alive: 0.5,
            lost_p_alive: 0.2,
            slipping_after_days: 90,
            lost_after_days: 365,
        }
    }
}

/// What the customers file (and the referral graph) say that can make a regular an advocate.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct AdvocacySignals {
    pub nps: Option<NpsScore>,
    /// How many customers name this one as their referrer.
    pub referrals: u32,
    /// Last recorded touch without a purchase.
    pub last_touch: Option<Day>,
}

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

/// A customer's place on the ladder.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Placement {
    pub rung: Rung,
    pub reason: RungReason,
    /// `None` for people who never bought (prospects, visitors).
    pub status: Option<(Status, StatusReason)>,
    /// 1 for a first-time journey; each return after a loss adds one.
    pub turn: u32,
    /// Best rung reached in earlier turns, for returners.
    pub previous_rung: Option<Rung>,
}

impl Placement {
    /// Came back after being lost at least once.
    pub fn is_returner(&self) -> bool {
        self.standing().is_returner()
    }

    pub fn status(&self) -> Option<Status> {
        self.standing().status()
    }

    pub fn strategy(&self) -> Strategy {
        self.standing().strategy()
    }

    /// The customer's rhythm, when their status was judged by it.
    pub fn rhythm(&self) -> Option<&Rhythm> {
        self.status.as_ref().and_then(|(_, why)| why.rhythm())
    }

    /// The decisions of this placement without their reasons.
    pub fn standing(&self) -> Standing {
        Standing {
            rung: self.rung,
            status: self.status.map(|(s, why)| (s, why.basis())),
            turn: self.turn,
            previous_rung: self.previous_rung,
        }
    }
}

/// Where a customer stands, without the reasons: the part of a [`Placement`] an analysis keeps
/// for every customer (8 bytes against the placement's 88; with tens of millions of customers the
/// reasons were gigabytes). The reasons are derived again, when they are written, by [`place`]
/// from the same inputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Standing {
    pub rung: Rung,
    /// `None` for people who never bought (prospects, visitors).
    pub status: Option<(Status, StatusBasis)>,
    /// 1 for a first-time journey; each return after a loss adds one.
    pub turn: u32,
    /// Best rung reached in earlier turns, for returners.
    pub previous_rung: Option<Rung>,
}

impl Standing {
    /// Came back after being lost at least once.
    pub fn is_returner(&self) -> bool {
        self.turn > 1
    }

    pub fn status(&self) -> Option<Status> {
        self.status.map(|(s, _)| s)
    }

    pub fn strategy(&self) -> Strategy {
        if self.status() == Some(Status::Lost) {
            return Strategy::WinBack;
        }
        Strategy::for_rung(self.rung)
    }
}

/// Places one person on the ladder. `summary` is `None` for someone known only from the
/// customers file.
///
/// `p_alive` is a fitted model's probability that the customer is still active, when a model was
/// fitted; it joins the customer's own rhythm in deciding the status.
pub fn place(
    summary: Option<&CustomerSummary>,
    signals: &AdvocacySignals,
    p_alive: Option<f64>,
    rules: &LadderRules,
) -> Placement {
    let Some(summary) = summary.filter(|s| !s.days.is_empty()) else {
        let (rung, reason) = match (summary, signals.last_touch) {
            (Some(_), _) => (Rung::Visitor, RungReason::OnlyReturns),
            (None, Some(last_touch)) => (Rung::Visitor, RungReason::TouchOnly { last_touch }),
            (None, None) => (Rung::Prospect, RungReason::NoTouch),
        };
        return Placement {
            rung,
            reason,
            status: None,
            turn: 1,
            previous_rung: None,
        };
    };
    let lost_after = rules.status.lost_after_days;
    // Turns of the spiral: every gap longer than the lost limit starts a new one. Walked without
    // collecting them: most customers have a single turn.
    let mut turns = 1u32;
    let mut turn_start = 0usize;
    let mut previous_rung: Option<Rung> = None;
    for (i, w) in summary.days.windows(2).enumerate() {
        if w[1].days_since(w[0]) > lost_after {
            let rung = purchase_rung(&summary.days[turn_start..=i], rules).0;
            previous_rung = previous_rung.max(Some(rung));
            turn_start = i + 1;
            turns += 1;
        }
    }
    let current = &summary.days[turn_start..];
    let (mut rung, mut reason) = purchase_rung(current, rules);
    if rung == Rung::Regular
        && let Some(advocate_reason) = advocacy(current.len() as u32, summary, signals, rules)
    {
        rung = Rung::Advocate;
        reason = advocate_reason;
    }
    let days_since_last = summary
        .as_of
        .days_since(*current.last().expect("non-empty turn"));
    Placement {
        rung,
        reason,
        status: Some(status(current, days_since_last, p_alive, &rules.status)),
        turn: turns,
        previous_rung,
    }
}

fn purchase_rung(days: &[Day], rules: &LadderRules) -> (Rung, RungReason) {
    let purchase_days = days.len() as u32;
    if purchase_days < rules.regular_min_purchase_days {
        return (Rung::Newcomer, RungReason::FirstPurchases { purchase_days });
    }
    // Days ascend, so equal periods are adjacent: count the changes.
    let mut periods = 0u32;
    let mut last_period = None;
    for &d in days {
        let p = rules.period.index(d);
        if last_period != Some(p) {
            periods += 1;
            last_period = Some(p);
        }
    }
    if periods < rules.regular_min_periods {
        return (
            Rung::Newcomer,
            RungReason::TooFewPeriods {
                purchase_days,
                periods,
                min_periods: rules.regular_min_periods,
                period: rules.period,
            },
        );
    }
    (
        Rung::Regular,
        RungReason::Regular {
            purchase_days,
            periods,
            period: rules.period,
        },
    )
}

fn advocacy(
    purchase_days: u32,
    summary: &CustomerSummary,
    signals: &AdvocacySignals,
    rules: &LadderRules,
) -> Option<RungReason> {
    if rules.advocate_if_promoter
        && let Some(nps) = signals.nps.filter(|n| n.is_promoter())
    {
        return Some(RungReason::Promoter {
            purchase_days,
            nps: nps.get(),
        });
    }
    if rules.advocate_min_referrals > 0 && signals.referrals >= rules.advocate_min_referrals {
        return Some(RungReason::Referrer {
            purchase_days,
            referrals: signals.referrals,
        });
    }
    match (
        rules.advocate_min_full_price_share,
        summary.full_price_share,
    ) {
        (Some(min), Some(share)) if share >= min => Some(RungReason::FullPrice {
            purchase_days,
            share,
        }),
        _ => None,
    }
}

fn status(
    turn_days: &[Day],
    days_since_last: i32,
    p_alive: Option<f64>,
    rules: &StatusRules,
) -> (Status, StatusReason) {
    if days_since_last > rules.lost_after_days {
        let reason = StatusReason::Gone {
            days_since_last,
            limit: rules.lost_after_days,
        };
        return (Status::Lost, reason);
    }
    if let Some(p_alive) = p_alive.filter(|&p| p < rules.lost_p_alive) {
        let limit = rules.lost_p_alive;
        return (Status::Lost, StatusReason::ProbablyGone { p_alive, limit });
    }
    let past_minimum = days_since_last > rules.min_slipping_days;
    if let Some(rhythm) = Rhythm::of(turn_days, &rules.rhythm) {
        let since = f64::from(days_since_last);
        let (status, reason) = if past_minimum && since > rhythm.lost_after {
            let reason = StatusReason::FarBeyondRhythm {
                rhythm,
                days_since_last,
            };
            (Status::Lost, reason)
        } else if past_minimum && since > rhythm.late_after {
            let reason = StatusReason::LateByRhythm {
                rhythm,
                days_since_last,
            };
            (Status::Slipping, reason)
        } else {
            let reason = StatusReason::WithinRhythm {
                rhythm,
                days_since_last,
            };
            (Status::Active, reason)
        };
        return (status, reason);
    }
    if let Some(p_alive) = p_alive.filter(|&p| p < rules.slipping_p_alive && past_minimum) {
        let limit = rules.slipping_p_alive;
        return (Status::Slipping, StatusReason::Doubtful { p_alive, limit });
    }
    if days_since_last > rules.slipping_after_days {
        let reason = StatusReason::Quiet {
            days_since_last,
            limit: rules.lost_after_days,
        };
        return (Status::Slipping, reason);
    }
    let reason = StatusReason::Recent {
        days_since_last,
        limit: rules.slipping_after_days,
    };
    (Status::Active, reason)
}

/// Profit sub-groups for customers on one rung. `None` for people without purchases.
///
/// Terciles rank by mid-rank quantile, so equal profits always share a sub-group and the result
/// does not depend on input order.
pub fn assign_subgroups(profits: &[Option<Money>], rule: SubgroupRule) -> Vec<Option<Subgroup>> {
    match rule {
        SubgroupRule::Thresholds {
            unprofitable_below,
            profitable_from,
        } => profits
            .iter()
            .map(|p| {
                p.map(|p| {
                    if p < unprofitable_below {
                        Subgroup::Unprofitable
                    } else if p >= profitable_from {
                        Subgroup::Profitable
                    } else {
                        Subgroup::Middling
                    }
                })
            })
            .collect(),
        SubgroupRule::Terciles => {
            // A customer's group depends on twice their mid-rank, 2·below + equal, against 2n/3
            // and 4n/3; that grows with the profit, so each group is a range of profits and two
            // thresholds decide everything. Each is found by a selection, not a sort.
            let mut known: Vec<Money> = profits.iter().flatten().copied().collect();
            let n = known.len() as u64;
            let middling_from = tercile_threshold(&mut known, 2 * n);
            let profitable_from = tercile_threshold(&mut known, 4 * n);
            profits
                .par_iter()
                .map(|p| {
                    p.map(|p| {
                        if middling_from.is_none_or(|t| p < t) {
                            Subgroup::Unprofitable
                        } else if profitable_from.is_none_or(|t| p < t) {
                            Subgroup::Middling
                        } else {
                            Subgroup::Profitable
                        }
                    })
                })
                .collect()
        }
    }
}

/// The smallest of `values` whose mid-rank reaches `bound`: 3·(2·below + equal) ≥ `bound`, with
/// `below` and `equal` the numbers of values under and equal to it; `None` when none does.
///
/// Twice the mid-rank grows strictly from one distinct value to the next, so the answer is the
/// value v at sorted position j = ⌊bound/6⌋ or the next distinct value above it: every value
/// under v has 2·below + equal < 2j ≤ bound/3, and the next one above v has at least
/// 2(j + 1) + 1 > bound/3. One selection, which reorders `values` (nothing here depends on
/// their order), and one counting pass.
fn tercile_threshold(values: &mut [Money], bound: u64) -> Option<Money> {
    let n = values.len();
    if n == 0 {
        return None;
    }
    let j = ((bound / 6) as usize).min(n - 1);
    let v = *values.select_nth_unstable(j).1;
    let (below, equal, next) = values
        .par_iter()
        .fold(
            || (0u64, 0u64, None::<Money>),
            |(below, equal, next), &p| match p.cmp(&v) {
                std::cmp::Ordering::Less => (below + 1, equal, next),
                std::cmp::Ordering::Equal => (below, equal + 1, next),
                std::cmp::Ordering::Greater => (below, equal, Some(next.map_or(p, |q| q.min(p)))),
            },
        )
        .reduce(
            || (0, 0, None),
            |a, b| {
                let next = match (a.2, b.2) {
                    (Some(x), Some(y)) => Some(x.min(y)),
                    (x, y) => x.or(y),
                };
                (a.0 + b.0, a.1 + b.1, next)
            },
        );
    if 3 * (2 * below + equal) >= bound {
        Some(v)
    } else {
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{OrderLine, RowRef, summarize};
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
        fn terciles_rank_each_customer_by_mid_rank(
            profits in proptest::collection::vec(
                proptest::option::of(prop_oneof![-5i64..5, any::<i64>().prop_map(|v| v / 4)]),
                0..60,
            )
        ) {
            let profits: Vec<Option<Money>> =
                profits.into_iter().map(|p| p.map(Money::from_units)).collect();
            let groups = assign_subgroups(&profits, SubgroupRule::Terciles);
            let known: Vec<Money> = profits.iter().flatten().copied().collect();
            let n = known.len() as u64;
            for (p, g) in profits.iter().zip(&groups) {
                let expected = p.map(|p| {
                    // By hand: twice the mid-rank against 2n/3 and 4n/3.
                    let below = known.iter().filter(|&&q| q < p).count() as u64;
                    let equal = known.iter().filter(|&&q| q == p).count() as u64;
                    let twice_rank = 2 * below + equal;
                    if 3 * twice_rank < 2 * n {
                        Subgroup::Unprofitable
                    } else if 3 * twice_rank < 4 * n {
                        Subgroup::Middling
                    } else {
                        Subgroup::Profitable
                    }
                });
                proptest::prop_assert_eq!(*g, expected);
            }
        }

        #[test]
        fn periods_are_counted_as_distinct_indices(
            gaps in proptest::collection::vec(1i32..200, 3..40),
            start in 0i32..20_000,
            period in prop_oneof![
                Just(Period::Week),
                Just(Period::Month),
                Just(Period::Quarter),
                Just(Period::Year)
            ],
        ) {
            let mut day = Day::from_ymd(1990, 1, 1).unwrap().plus_days(start);
            let mut days = vec![day];
            for g in gaps {
                day = day.plus_days(g);
                days.push(day);
            }
            let mut indices: Vec<i32> = days.iter().map(|&d| period.index(d)).collect();
            indices.dedup();
            let rules = LadderRules {
                regular_min_purchase_days: 1,
                regular_min_periods: 1,
                period,
                ..LadderRules::default()
            };
            let periods = match purchase_rung(&days, &rules).1 {
                RungReason::Regular { periods, .. } => periods,
                other => panic!("{other:?}"),
            };
            proptest::prop_assert_eq!(periods as usize, indices.len());
        }

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

    fn day(y: i32, m: u32, d: u32) -> Day {
        Day::from_ymd(y, m, d).unwrap()
    }

    fn summary_of(days: &[Day], as_of: Day, full_price: Option<bool>) -> CustomerSummary {
        let lines: Vec<OrderLine> = days
            .iter()
            .enumerate()
            .map(|(i, &d)| OrderLine {
                row: RowRef {
                    file: 0,
                    line: i as u64 + 1,
                },
                day: d,
                amount: Money::from_major(10),
                cost: Some(Money::from_major(4)),
                category: None,
                full_price,
                line_key: None,
                order_key: None,
            })
            .collect();
        summarize(&lines, as_of)
    }

    fn rules() -> LadderRules {
        LadderRules::default()
    }

    #[test]
    fn people_without_purchases() {
        let p = place(None, &AdvocacySignals::default(), None, &rules());
        assert_eq!(
            (p.rung, p.status, p.strategy()),
            (Rung::Prospect, None, Strategy::Attract)
        );
        let touched = AdvocacySignals {
            last_touch: Some(day(2024, 5, 1)),
            ..Default::default()
        };
        let v = place(None, &touched, None, &rules());
        assert_eq!(v.rung, Rung::Visitor);
        assert_eq!(
            v.reason.to_string(),
            "touched us (last on 2024-05-01) but has not bought"
        );
    }

    #[test]
    fn newcomer_regular_and_too_few_periods() {
        let as_of = day(2024, 3, 1);
        let one = summary_of(&[day(2024, 2, 20)], as_of, None);
        let p = place(Some(&one), &AdvocacySignals::default(), None, &rules());
        assert_eq!((p.rung, p.strategy()), (Rung::Newcomer, Strategy::Engage));
        assert_eq!(p.reason.to_string(), "first purchase");

        let same_month = summary_of(
            &[day(2024, 2, 1), day(2024, 2, 10), day(2024, 2, 20)],
            as_of,
            None,
        );
        let p = place(
            Some(&same_month),
            &AdvocacySignals::default(),
            None,
            &rules(),
        );
        assert_eq!(p.rung, Rung::Newcomer);
        assert!(matches!(
            p.reason,
            RungReason::TooFewPeriods { periods: 1, .. }
        ));

        let two_months = summary_of(
            &[day(2024, 1, 25), day(2024, 2, 10), day(2024, 2, 20)],
            as_of,
            None,
        );
        let p = place(
            Some(&two_months),
            &AdvocacySignals::default(),
            None,
            &rules(),
        );
        assert_eq!((p.rung, p.strategy()), (Rung::Regular, Strategy::Retain));
        assert_eq!(p.reason.to_string(), "3 purchase days over 2 months");
    }

    #[test]
    fn advocates_by_each_signal() {
        let as_of = day(2024, 3, 1);
        let days = [day(2024, 1, 25), day(2024, 2, 10), day(2024, 2, 20)];
        let s = summary_of(&days, as_of, Some(false));
        let promoter = AdvocacySignals {
            nps: NpsScore::new(9),
            ..Default::default()
        };
        assert_eq!(
            place(Some(&s), &promoter, None, &rules()).rung,
            Rung::Advocate
        );
        let passive = AdvocacySignals {
            nps: NpsScore::new(8),
            ..Default::default()
        };
        assert_eq!(
            place(Some(&s), &passive, None, &rules()).rung,
            Rung::Regular
        );
        let referrer = AdvocacySignals {
            referrals: 2,
            ..Default::default()
        };
        let p = place(Some(&s), &referrer, None, &rules());
        assert_eq!((p.rung, p.strategy()), (Rung::Advocate, Strategy::Cherish));
        let full = summary_of(&days, as_of, Some(true));
        let p = place(Some(&full), &AdvocacySignals::default(), None, &rules());
        assert_eq!(p.rung, Rung::Advocate);
        assert_eq!(
            p.reason.to_string(),
            "regular (3 purchase days) buying 100% at full price"
        );
        // A newcomer who is a promoter stays a newcomer: advocacy needs the regular rung first.
        let one = summary_of(&[day(2024, 2, 20)], as_of, Some(true));
        assert_eq!(
            place(Some(&one), &promoter, None, &rules()).rung,
            Rung::Newcomer
        );
    }

    #[test]
    fn status_by_rhythm_and_by_fixed_limits() {
        // Buys every 30 days; last purchase 2024-03-31.
        let days: Vec<Day> = (0..4).map(|k| day(2024, 1, 1).plus_days(30 * k)).collect();
        let last = days[3];
        let at = |since: i32| {
            let s = summary_of(&days, last.plus_days(since), None);
            place(Some(&s), &AdvocacySignals::default(), None, &rules())
                .status
                .unwrap()
        };
        assert_eq!(at(45).0, Status::Active);
        let (st, why) = at(61);
        assert_eq!(st, Status::Slipping);
        // Three equal gaps: shape k = 4 after the Poisson prior, so ± 15 days; late after
        // 30·(1 − 1/36 + 1.6449/6)³ = 58.1 days, lost after 30·(1 − 1/36 + 3.0902/6)³ = 98.7.
        assert_eq!(why.to_string(), "buys every 30 ± 15 days; 31 days late");
        assert_eq!(at(58).0, Status::Active);
        assert_eq!(at(59).0, Status::Slipping);
        assert_eq!(at(98).0, Status::Slipping);
        let (st, why) = at(99);
        assert_eq!(st, Status::Lost);
        assert_eq!(
            why.to_string(),
            "buys every 30 ± 15 days; silent for 99 days (lost after 99)"
        );
        // One-time buyer: fixed limits 90 / 365 days.
        let one = [day(2024, 1, 1)];
        let at1 = |since: i32| {
            let s = summary_of(&one, one[0].plus_days(since), None);
            place(Some(&s), &AdvocacySignals::default(), None, &rules())
                .status
                .unwrap()
                .0
        };
        assert_eq!(at1(90), Status::Active);
        assert_eq!(at1(91), Status::Slipping);
        assert_eq!(at1(366), Status::Lost);
        let s = summary_of(&one, one[0].plus_days(400), None);
        assert_eq!(
            place(Some(&s), &AdvocacySignals::default(), None, &rules()).strategy(),
            Strategy::WinBack
        );
    }

    #[test]
    fn p_alive_joins_the_status() {
        let one = [day(2024, 1, 1)];
        let s = summary_of(&one, one[0].plus_days(30), None);
        let with = |p: f64| {
            place(Some(&s), &AdvocacySignals::default(), Some(p), &rules())
                .status
                .unwrap()
        };
        // Without a rhythm: P(alive) 0.6 is active, 0.4 slipping, 0.1 lost.
        assert_eq!(with(0.6).0, Status::Active);
        let (st, why) = with(0.4);
        assert_eq!(st, Status::Slipping);
        assert_eq!(why.to_string(), "P(alive) 0.40, below 0.50");
        assert_eq!(with(0.1).0, Status::Lost);
        // Within the minimum quiet days nobody is slipping on P(alive) alone.
        let fresh = summary_of(&one, one[0].plus_days(10), None);
        let p = place(
            Some(&fresh),
            &AdvocacySignals::default(),
            Some(0.4),
            &rules(),
        );
        assert_eq!(p.status(), Some(Status::Active));
        // With a rhythm, a low-but-not-lost P(alive) defers to the rhythm.
        let days: Vec<Day> = (0..4).map(|k| day(2024, 1, 1).plus_days(30 * k)).collect();
        let s = summary_of(&days, days[3].plus_days(20), None);
        let p = place(Some(&s), &AdvocacySignals::default(), Some(0.4), &rules());
        assert_eq!(p.status(), Some(Status::Active));
        let p = place(Some(&s), &AdvocacySignals::default(), Some(0.1), &rules());
        assert_eq!(p.status(), Some(Status::Lost));
    }

    #[test]
    fn a_return_after_a_loss_starts_a_new_turn() {
        // A regular in 2022, silent for over a year, back with one purchase in 2024.
        let days = [
            day(2022, 1, 5),
            day(2022, 2, 5),
            day(2022, 3, 5),
            day(2024, 1, 10),
        ];
        let s = summary_of(&days, day(2024, 1, 20), None);
        let p = place(Some(&s), &AdvocacySignals::default(), None, &rules());
        assert_eq!(p.turn, 2);
        assert!(p.is_returner());
        assert_eq!(p.rung, Rung::Newcomer);
        assert_eq!(p.previous_rung, Some(Rung::Regular));
        assert_eq!(p.status(), Some(Status::Active));
    }

    #[test]
    fn subgroups_by_terciles_and_thresholds() {
        let profits: Vec<Option<Money>> = [1, 2, 3, 4, 5, 6]
            .iter()
            .map(|&v| Some(Money::from_major(v)))
            .chain([None])
            .collect();
        let g = assign_subgroups(&profits, SubgroupRule::Terciles);
        use Subgroup::*;
        assert_eq!(
            g,
            vec![
                Some(Unprofitable),
                Some(Unprofitable),
                Some(Middling),
                Some(Middling),
                Some(Profitable),
                Some(Profitable),
                None
            ]
        );
        let lone = assign_subgroups(&[Some(Money::from_major(-5))], SubgroupRule::Terciles);
        assert_eq!(lone, vec![Some(Middling)]);
        let rule = SubgroupRule::Thresholds {
            unprofitable_below: Money::ZERO,
            profitable_from: Money::from_major(5),
        };
        let g = assign_subgroups(
            &[
                Some(Money::from_major(-1)),
                Some(Money::ZERO),
                Some(Money::from_major(5)),
            ],
            rule,
        );
        assert_eq!(
            g,
            vec![Some(Unprofitable), Some(Middling), Some(Profitable)]
        );
    }

    #[test]
    fn week_periods_start_on_monday() {
        // 2024-01-07 is a Sunday, 2024-01-08 a Monday.
        assert_ne!(
            Period::Week.index(day(2024, 1, 7)),
            Period::Week.index(day(2024, 1, 8))
        );
        assert_eq!(
            Period::Week.index(day(2024, 1, 8)),
            Period::Week.index(day(2024, 1, 14))
        );
    }
}
